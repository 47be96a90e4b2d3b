from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from commerce import migrate, resolver
from commerce.service import Store, import_store_files, open_store
from tests.conftest import DEMO_CSV, DEMO_STORE
from tests.dialogue.conftest import assistant, loop, model_path  # noqa: F401
from tests.voice.conftest import korean_model_dir  # noqa: F401


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """The demo store on SQLite: the device loop is about audio, not the database."""
    url = f"sqlite:///{tmp_path / 'device.db'}"
    migrate.upgrade(url)
    resolver.clear_cache()
    store = open_store(url)
    import_store_files(store, catalog=DEMO_CSV, facts=DEMO_STORE)
    yield store
    store.close()
