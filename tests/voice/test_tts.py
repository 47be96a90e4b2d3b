"""pyttsx3 for real (espeak-ng), checked as audio."""

from __future__ import annotations

import asyncio

import pytest

from voice.audio import level_dbfs
from voice.tts import Synthesizer, TtsError, TtsSettings, split_sentences


@pytest.fixture(scope="module")
def tts():  # type: ignore[no-untyped-def]
    synthesizer = Synthesizer()
    yield synthesizer
    synthesizer.close()


def test_speech_is_real_audio(tts: Synthesizer) -> None:
    audio = tts.synthesize("Your order number twelve is placed. Thank you!")
    assert audio.rate_hz == 16_000 and audio.channels == 1 and audio.width_bytes == 2
    assert 1.5 < audio.duration_s < 6.0
    assert level_dbfs(audio.pcm) > -35


def test_rate_setting_changes_duration() -> None:
    slow = Synthesizer(TtsSettings(rate_wpm=110))
    fast = Synthesizer(TtsSettings(rate_wpm=300))
    try:
        text = "Two butter croissants and a large oat latte."
        assert slow.synthesize(text).duration_s > 1.5 * fast.synthesize(text).duration_s
    finally:
        slow.close()
        fast.close()


def test_unknown_voice_is_a_clear_error() -> None:
    with pytest.raises(TtsError, match="no text-to-speech voice"):
        Synthesizer(TtsSettings(voice="klingon-opera"))


def test_survives_hundreds_of_replies_in_a_row(tts: Synthesizer) -> None:
    """pyttsx3 hangs when its loop is reused carelessly; one worker must keep going."""
    before = tts.count
    for i in range(300):
        audio = tts.synthesize(f"Added {i} bagels. Anything else?")
        assert audio.duration_s > 0.5
    assert tts.count - before == 300


def test_replies_stream_sentence_by_sentence(tts: Synthesizer) -> None:
    text = "Your order is two croissants. That's five dollars sixty. Shall I place it?"
    assert split_sentences(text) == [
        "Your order is two croissants.", "That's five dollars sixty.", "Shall I place it?"
    ]

    async def collect() -> list[float]:
        return [chunk.duration_s async for chunk in tts.stream(text)]

    durations = asyncio.run(collect())
    whole = tts.synthesize(text).duration_s
    assert len(durations) == 3 and durations[0] < whole / 2
