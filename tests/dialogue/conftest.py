"""Dialogue fixtures: one event loop for all the assistant's turns (Rasa's agent is async).
The trained assistant itself is a session fixture in tests/conftest.py."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dialogue.transcripts import Runner

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT / ".." / "shared"


@pytest.fixture(scope="session")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def runner(assistant) -> Iterator[Runner]:  # type: ignore[no-untyped-def]
    """The transcript runner on the demo store by default, one per test module."""
    from commerce.settings import get_settings

    catalog, store = get_settings().demo_store_files()
    runner = Runner(assistant, default_catalog=catalog, default_store=store)
    yield runner
    runner.close()
