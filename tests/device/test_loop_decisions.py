"""What the device loop does with a recognised utterance: wake phrase, its own voice, and
results it cannot trust. (The audio path itself is tested on PulseAudio.)"""

from __future__ import annotations

import time

import pytest

from device.loop import Ignored, LoopSettings, VoiceLoop
from voice.stt import SttFinal


def make_loop(mode: str) -> tuple[VoiceLoop, list]:
    events: list = []
    loop = VoiceLoop(
        engine=None,  # type: ignore[arg-type] - accept_text uses no engine
        tts=None,  # type: ignore[arg-type]
        dialogue=None,  # type: ignore[arg-type]
        microphone=None,  # type: ignore[arg-type]
        speaker=None,  # type: ignore[arg-type]
        settings=LoopSettings(mode=mode, wake_phrase="hey rosa"),
        on_event=events.append,
    )
    return loop, events


def heard(text: str, confidence: float = 0.9) -> SttFinal:
    return SttFinal(text, confidence)


def test_wake_phrase_with_a_request() -> None:
    loop, _ = make_loop("wake")
    assert loop.accept_text(heard("hey rosa two croissants")) == "two croissants"


def test_wake_phrase_alone_opens_a_window_for_the_request() -> None:
    loop, _ = make_loop("wake")
    assert loop.accept_text(heard("hey rosa")) == "__wake__"
    assert loop.accept_text(heard("two croissants")) == "two croissants"
    # The window is used up: the next request needs the wake phrase again.
    assert loop.accept_text(heard("and a latte")) is None


def test_speech_without_the_wake_phrase_is_ignored() -> None:
    loop, events = make_loop("wake")
    assert loop.accept_text(heard("two croissants")) is None
    assert isinstance(events[-1], Ignored) and "wake phrase" in events[-1].reason


@pytest.mark.parametrize("mode", ["always", "push"])
def test_other_modes_need_no_wake_phrase(mode: str) -> None:
    loop, _ = make_loop(mode)
    assert loop.accept_text(heard("two croissants")) == "two croissants"


def test_the_assistants_own_voice_is_ignored() -> None:
    loop, events = make_loop("always")
    loop.speaking_text = "Added two butter croissants. Anything else?"
    loop.last_reply_at = time.monotonic()
    assert loop.accept_text(heard("added two butter croissants anything else")) is None
    assert "own voice" in events[-1].reason
    # Something else said at the same time is the shopper.
    assert loop.accept_text(heard("and a large latte")) == "and a large latte"


def test_low_confidence_is_not_acted_on() -> None:
    loop, _ = make_loop("always")
    assert loop.accept_text(heard("two croissants", confidence=0.2)) == ""  # "didn't catch"
    assert loop.accept_text(heard("", confidence=0.0)) == ""
