"""The catalog index is built when a server starts (voxcart.warm_up), not by the first turn
or product search that would otherwise wait seconds for it."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from commerce import live_index
from commerce.resolver import catalog_index, clear_cache
from commerce.service import Store
from voxcart.warm_up import build_catalog_index


def test_after_the_start_up_build_a_lookup_builds_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    clear_cache()
    builds: list[int] = []
    real_built = live_index._built

    def counting_built(*args: Any, **kwargs: Any) -> Any:
        builds.append(1)
        return real_built(*args, **kwargs)

    monkeypatch.setattr(live_index, "_built", counting_built)
    assert build_catalog_index(store.sessions) is not None
    assert builds == [1]
    with store.sessions() as session:
        assert catalog_index(session).search("croissant")  # the demo catalog's, ready
    assert builds == [1]


def test_a_failed_start_up_build_is_said_and_left_to_the_first_lookup(
    store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    clear_cache()

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database went away")

    monkeypatch.setattr(live_index, "_built", broken)
    with caplog.at_level(logging.WARNING, logger="voxcart.warm_up"):
        assert build_catalog_index(store.sessions) is None
    assert "database went away" in caplog.text
    monkeypatch.undo()
    with store.sessions() as session:
        assert catalog_index(session).search("croissant")
