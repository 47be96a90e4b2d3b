"""Endpointing on the real Korean Vosk model with espeak-ng speech: a complete request ends
after a short pause, and a 300 ms pause inside a sentence does not cut the shopper off."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dialogue.utterance_end import utterance_completeness
from voice.audio import CHUNK_MS, chunks, read_wav, silence, trim_silence
from voice.stt import SttFinal, VoskEngine

from .conftest import espeak

VOCABULARY = ["우유 두 개 주세요", "우유 그리고 빵 주세요", "주문해 주세요", "네", "아니요"]


@pytest.fixture
def judged_engine(korean_engine: VoskEngine) -> Iterator[VoskEngine]:
    korean_engine.set_vocabulary(VOCABULARY)
    korean_engine.utterance_end = utterance_completeness
    yield korean_engine
    korean_engine.utterance_end = None


@pytest.fixture(scope="module")
def say(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("ko-pauses")

    def speech(text: str) -> bytes:
        # Without espeak's lead-in and tail, so a pause put after it is as long as said.
        return trim_silence(read_wav(espeak(text, folder / f"{text}.wav", voice="ko")).pcm)

    return speech


def hear(engine: VoskEngine, audio: bytes) -> tuple[SttFinal, int]:
    """The final result and how many ms of silence after `audio` were fed before it came
    (negative: it came before the end of `audio`, cutting the speaker off)."""
    stream = engine.stream()
    speech_chunks = -(-len(audio) // 3200)
    for i, chunk in enumerate(chunks(audio + silence(2000))):
        result = stream.accept(chunk)
        if isinstance(result, SttFinal):
            return result, (i + 1 - speech_chunks) * CHUNK_MS
    raise AssertionError("the utterance never ended")


def test_a_complete_request_ends_after_a_short_pause(judged_engine, say) -> None:  # type: ignore[no-untyped-def]
    for text in ["우유 두 개 주세요", "네"]:
        result, after = hear(judged_engine, say(text))
        assert result.text == text and 0 < after <= 200
    judged_engine.utterance_end = None  # silence alone: the usual 400 ms
    result, after = hear(judged_engine, say("우유 두 개 주세요"))
    assert result.text == "우유 두 개 주세요" and after >= 400


@pytest.mark.parametrize(
    ("before", "after_pause"), [("우유 두 개", "주세요"), ("우유 그리고", "빵 주세요")]
)
def test_a_300_ms_pause_inside_a_sentence_does_not_cut_it(  # type: ignore[no-untyped-def]
    judged_engine, say, before: str, after_pause: str
) -> None:
    result, after = hear(judged_engine, say(before) + silence(300) + say(after_pause))
    assert after > 0, f"cut off after {before!r}: heard {result.text!r}"
    assert result.text.endswith("주세요") and result.text.startswith("우유")
