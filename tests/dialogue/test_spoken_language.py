"""A spoken transcript run speaks the language of its stores, one language per run."""

from __future__ import annotations

from pathlib import Path

import pytest

from commerce.cli import CliError
from dialogue.cli import spoken_language
from tests.conftest import DEMO_STORE

TRANSCRIPTS = Path(__file__).parents[1] / "transcripts"


def test_korean_transcripts_run_in_korean() -> None:
    files = sorted((TRANSCRIPTS / "hangang-mart").glob("*.yaml"))[:3]
    assert files and spoken_language(files, DEMO_STORE) == "ko"


def test_transcripts_without_a_store_of_their_own_speak_the_demo_stores_language() -> None:
    files = sorted((TRANSCRIPTS / "corner-market").glob("*.yaml"))[:3]
    assert files and spoken_language(files, DEMO_STORE) == "en"


def test_a_run_mixing_languages_says_to_run_each_separately() -> None:
    files = [
        *sorted((TRANSCRIPTS / "hangang-mart").glob("*.yaml"))[:1],
        *sorted((TRANSCRIPTS / "corner-market").glob("*.yaml"))[:1],
    ]
    with pytest.raises(CliError, match="one language at a time.*en, ko.*separately"):
        spoken_language(files, DEMO_STORE)
