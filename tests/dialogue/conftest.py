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
    """The transcript runner on the demo store by default, one per test module. Stores in
    another language (a Korean store's transcripts) get that language's assistant, trained
    if its data changed and loaded when the first such store comes."""
    from commerce.settings import get_settings
    from dialogue.runtime import Assistant
    from dialogue.training import train

    settings = get_settings()

    def load_assistant(language: str) -> Assistant:
        return Assistant.load(train(settings.models_dir, language=language, quiet=True))

    catalog, store = settings.demo_store_files()
    runner = Runner(
        assistant, default_catalog=catalog, default_store=store, load_assistant=load_assistant
    )
    yield runner
    runner.close()
