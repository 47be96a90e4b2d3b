"""pyttsx3 for real (espeak-ng), checked as audio."""

from __future__ import annotations

import asyncio
import subprocess
import sys

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


def _in_fresh_process(code: str) -> str:
    """Voice settings are fixed per process (one pyttsx3 engine); try others in a new one."""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    return result.stdout.strip() + result.stderr.strip()


def test_rate_setting_changes_duration() -> None:
    code = (
        "from voice.tts import Synthesizer, TtsSettings;"
        "print(Synthesizer(TtsSettings(rate_wpm={})).synthesize("
        "'Two butter croissants and a large oat latte.').duration_s)"
    )
    slow = float(_in_fresh_process(code.format(110)))
    fast = float(_in_fresh_process(code.format(300)))
    assert slow > 2 * fast


def test_unknown_voice_is_a_clear_error() -> None:
    out = _in_fresh_process(
        "from voice.tts import Synthesizer, TtsSettings, TtsError\n"
        "try:\n    Synthesizer(TtsSettings(voice='klingon-opera'))\n"
        "except TtsError as exc:\n    print(exc.code, exc.message)"
    )
    assert out.startswith("unknown_voice no text-to-speech voice matches 'klingon-opera'")


def test_a_voice_variant_changes_the_sound_and_a_missing_one_is_named() -> None:
    """espeak-ng's variants ("ko+edward") are voices a store may set; an unknown variant is
    refused by name, not silently spoken in the base voice."""
    code = (
        "from voice.tts import Synthesizer, TtsSettings, TtsError\n"
        "try:\n"
        "    audio = Synthesizer(TtsSettings(voice={!r})).synthesize('주문 취소하고 싶어요')\n"
        "    print('ok', audio.pcm.hex()[:4000])\n"
        "except TtsError as exc:\n    print(exc.code, exc.message)"
    )
    plain = _in_fresh_process(code.format("Korean"))
    variant = _in_fresh_process(code.format("ko+edward"))
    assert plain.startswith("ok ") and variant.startswith("ok ")
    assert plain != variant
    missing = _in_fresh_process(code.format("ko+no-such-variant"))
    assert missing.startswith("unknown_voice espeak-ng has no voice variant 'no-such-variant'")


def test_one_voice_setting_per_process(tts: Synthesizer) -> None:
    with pytest.raises(TtsError, match="cannot switch"):
        Synthesizer(TtsSettings(rate_wpm=tts.settings.rate_wpm or 200 + 1))


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
        "Your order is two croissants.",
        "That's five dollars sixty.",
        "Shall I place it?",
    ]
    # Korean has no capitals: a Hangul syllable after the full stop starts the next one.
    assert split_sentences("우유 두 팩을 담았어요. 더 필요하신 거 있으세요?") == [
        "우유 두 팩을 담았어요.",
        "더 필요하신 거 있으세요?",
    ]

    async def collect() -> list[float]:
        return [chunk.duration_s async for chunk in tts.stream(text)]

    durations = asyncio.run(collect())
    whole = tts.synthesize(text).duration_s
    assert len(durations) == 3 and durations[0] < whole / 2
