"""What a server builds before it says it is ready, so that no shopper's turn waits for it.

The live catalog index (commerce.live_index) is built whole on its first lookup: 5-10 s at
50,000 products, which the first turn (or product search) after a start would wait for. It is
built here instead, once the model is loaded. Not in a thread beside the model load: both are
mostly Python holding the GIL, and measured side by side that start was no faster (slower,
if anything) than one after the other.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy.orm import sessionmaker

log = logging.getLogger(__name__)


def build_catalog_index(sessions: sessionmaker) -> float | None:
    """Builds the catalog index of the store behind `sessions`; the seconds it took, or None
    when it failed (said in the log: the first lookup then builds it, as before)."""
    from commerce.resolver import catalog_index

    began = time.perf_counter()
    try:
        with sessions() as session:
            catalog_index(session)
    except Exception as exc:  # noqa: BLE001 - the first lookup builds it instead
        log.warning("catalog index: not built at start-up (%s); built on first use", exc)
        return None
    return time.perf_counter() - began
