from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from commerce.service import Store, import_store_files, open_store
from tests.conftest import DEMO_CSV, DEMO_STORE, KOREAN_CSV, KOREAN_STORE
from tests.device.pulse import MicFeeder, PulseServer, Recorder
from tests.dialogue.conftest import loop  # noqa: F401 - the assistant is in tests/conftest.py
from tests.voice.conftest import korean_model_dir  # noqa: F401


def _imported(url: str, catalog: Path, facts: Path) -> Iterator[Store]:
    store = open_store(url)
    import_store_files(store, catalog=catalog, facts=facts)
    yield store
    store.close()


@pytest.fixture
def sqlite_store(sqlite_database_url: str) -> Iterator[Store]:
    """The demo store on SQLite: the device loop is about audio, not the database."""
    yield from _imported(sqlite_database_url, DEMO_CSV, DEMO_STORE)


@pytest.fixture
def korean_store(sqlite_database_url: str) -> Iterator[Store]:
    """Our Korean store on SQLite: spoken Korean gets an answer that can be checked."""
    yield from _imported(sqlite_database_url, KOREAN_CSV, KOREAN_STORE)


# PulseAudio: one private server per test module.
@pytest.fixture(scope="module")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    if not shutil.which("pulseaudio") or not shutil.which("parec"):
        pytest.skip("PulseAudio is not installed (apt-get install pulseaudio libasound2-plugins)")
    server = PulseServer(tmp_path_factory.mktemp("pulse"))
    server.start()
    saved = {
        k: os.environ.get(k) for k in ("PULSE_RUNTIME_PATH", "PULSE_SERVER", "PULSE_LATENCY_MSEC")
    }
    os.environ.update({k: server.env[k] for k in saved})
    yield server
    server.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def feeder(pulse: PulseServer) -> Iterator[MicFeeder]:
    feeder = MicFeeder(pulse.fifo)
    feeder.start()
    yield feeder
    feeder.running = False
    feeder.join(timeout=5)


@pytest.fixture
def recorder(pulse: PulseServer, tmp_path: Path) -> Iterator[Recorder]:
    recording = Recorder(pulse, tmp_path / "speaker.raw")
    time.sleep(0.3)  # parec connected before anything plays
    yield recording
    recording.stop()
