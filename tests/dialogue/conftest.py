"""Dialogue fixtures: the trained assistant, loaded once per test session, and one event loop
for all its turns (Rasa's agent is async)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT / ".." / "shared"


@pytest.fixture(scope="session")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def model_path() -> Path:
    from commerce.settings import get_settings
    from dialogue.training import train

    # `make test` trains first; this only trains when run on its own with stale data.
    return train(get_settings().models_dir, quiet=True)


@pytest.fixture(scope="session")
def assistant(model_path: Path):  # type: ignore[no-untyped-def]
    from dialogue.runtime import Assistant

    return Assistant.load(model_path)
