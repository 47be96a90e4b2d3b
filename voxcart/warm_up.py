"""What a server builds before it says it is ready, so that no shopper's turn waits for it.

The live catalog index (commerce.live_index) is built whole on its first lookup: 5-10 s at
50,000 products, which the first turn (or product search) after a start would wait for. It is
built here instead, in a thread beside the model load, which is mostly TensorFlow's native
code and file reads, so `voxcart run` and `serve` start little later than before.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.orm import sessionmaker

log = logging.getLogger(__name__)


class CatalogIndexBuild:
    """Builds the store's catalog index in a thread; `wait` joins it (and says so when it
    failed: the first lookup then builds the index as before)."""

    def __init__(self, sessions: sessionmaker) -> None:
        self.seconds: float | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._build, args=(sessions,), name="catalog-index-warm-up", daemon=True
        )
        self._thread.start()

    def _build(self, sessions: sessionmaker) -> None:
        from commerce.resolver import catalog_index

        began = time.perf_counter()
        try:
            with sessions() as session:
                catalog_index(session)
        except Exception as exc:  # noqa: BLE001 - the first lookup builds it instead
            self.error = exc
            log.warning("catalog index: not built at start-up (%s); built on first use", exc)
            return
        self.seconds = time.perf_counter() - began

    def wait(self) -> None:
        self._thread.join()
