"""The end of an utterance from what was said as well as from silence, on a scripted
recogniser: each burst of tone is one word, decoded only when the decoder is finalised (as
Vosk's partial result lags the audio). Silence is counted in audio frames."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dialogue.utterance_end import utterance_completeness
from voice.audio import CHUNK_MS, FRAME_MS, SAMPLE_RATE_HZ, chunks, frame_levels_dbfs, silence
from voice.endpoint import PauseLimits, SilenceClock
from voice.stt import SPEECH_DBFS, RecognitionStream, SttFinal


def tone(ms: int, amplitude: float = 0.3) -> bytes:
    t = np.arange(SAMPLE_RATE_HZ * ms // 1000) / SAMPLE_RATE_HZ
    return (np.sin(2 * np.pi * 220 * t) * amplitude * 32767).astype("<i2").tobytes()


class ScriptedRecognizer:
    """Hands out the next scripted word for each burst of sound it has been fed, at
    Result/FinalResult; its partial result is always empty."""

    def __init__(self, script: list[tuple[str, float]]) -> None:
        self.script = script
        self.bursts, self.in_burst = 0, False

    def SetWords(self, _: bool) -> None:  # noqa: N802 - Vosk's API
        pass

    def AcceptWaveform(self, chunk: bytes) -> bool:  # noqa: N802
        for level in frame_levels_dbfs(chunk):
            loud = level > SPEECH_DBFS
            self.bursts += loud and not self.in_burst
            self.in_burst = loud
        return False

    def PartialResult(self) -> str:  # noqa: N802
        return '{"partial": ""}'

    def FinalResult(self) -> str:  # noqa: N802
        heard, self.script = self.script[: self.bursts], self.script[self.bursts :]
        self.bursts, self.in_burst = 0, False
        words = [{"word": w, "conf": c} for w, c in heard]
        return json.dumps({"result": words, "text": " ".join(w for w, _ in heard)})

    Result = FinalResult


class ScriptedEngine:
    def __init__(self, script: list[tuple[str, float]], judge: object | None) -> None:
        self.grammar = None
        self.utterance_end = judge
        self.pauses = PauseLimits()  # 100 ms complete, 400 ms unsure, 900 ms incomplete
        self.recognizer_ = ScriptedRecognizer(script)

    def recognizer(self, grammar: str | None) -> ScriptedRecognizer:
        return self.recognizer_


def words(*said: str, conf: float = 0.9) -> list[tuple[str, float]]:
    return [(w, conf) for w in said]


def speak(bursts: list[int], gap_ms: int = 50) -> bytes:
    """Bursts of tone (ms each) separated by short gaps, like words in a phrase."""
    return silence(gap_ms).join(tone(ms) for ms in bursts)


def run(
    script: list[tuple[str, float]], audio: bytes, judge: object | None = utterance_completeness
) -> tuple[SttFinal | None, int]:
    """Feeds `audio` then 2 s of silence; returns the final result and the ms of audio fed
    after the end of `audio` when it came (-1: it came before the end of `audio`)."""
    stream = RecognitionStream(ScriptedEngine(script, judge))  # type: ignore[arg-type]
    fed = 0
    for chunk in chunks(audio + silence(2000)):
        fed += len(chunk) * 1000 // (SAMPLE_RATE_HZ * 2)
        result = stream.accept(chunk)
        if isinstance(result, SttFinal):
            after = fed - len(audio) * 1000 // (SAMPLE_RATE_HZ * 2)
            return result, after if after >= 0 else -1
    return None, 0


def test_a_complete_request_ends_after_a_short_pause() -> None:
    result, after = run(words("yes"), tone(300))
    assert result is not None and result.text == "yes"
    assert after == 100  # the first chunk with >= 100 ms of silence, not 400 ms
    result, after = run(words("우유", "두", "개", "주세요"), speak([200, 150, 150, 250]))
    assert result is not None and result.text == "우유 두 개 주세요" and after == 100


def test_an_incomplete_request_survives_a_300_ms_pause() -> None:
    said = speak([150, 150, 100]) + silence(300) + tone(300)
    result, after = run(words("i'd", "like", "a", "croissant"), said)
    assert result is not None and result.text == "i'd like a croissant" and after == 100
    result, after = run(words("우유", "그리고", "빵", "주세요"), speak([200, 200]) + silence(300) +
                        speak([200, 300]))  # fmt: skip
    assert result is not None and result.text == "우유 그리고 빵 주세요" and after == 100


def test_an_incomplete_request_waits_longer_than_the_usual_silence() -> None:
    result, after = run(words("two", "croissants", "and"), speak([200, 300, 200]))
    assert result is not None and result.text == "two croissants and" and after == 900


def test_words_that_do_not_say_wait_the_usual_silence() -> None:
    result, after = run(words("우유", "두", "개"), speak([200, 150, 150]))
    assert result is not None and result.text == "우유 두 개" and after == 400
    # ...so a 300 ms pause after them does not cut the shopper off either.
    said = speak([200, 150, 150]) + silence(300) + tone(300)
    result, after = run(words("우유", "두", "개", "주세요"), said)
    assert result is not None and result.text == "우유 두 개 주세요" and after == 100


def test_without_a_judge_every_utterance_waits_the_usual_silence() -> None:
    result, after = run(words("yes"), tone(300), judge=None)
    assert result is not None and result.text == "yes" and after == 400


def test_noise_is_not_judged_and_silence_never_ends_an_utterance() -> None:
    # Noise the recogniser is unsure of: the usual silence, as before, and not understood.
    result, after = run(words("네", conf=0.2), tone(400))
    assert result is not None and after == 400 and not result.understood
    # A complete-sounding request whose last word the recogniser is not sure of (a store
    # grammar forcing half a sentence into one) waits the usual silence.
    result, after = run(words("우유", "주세요", conf=0.8), speak([200, 250]))
    assert result is not None and result.understood and after == 400
    # Silence alone: no end of speech, however long.
    assert run([], silence(3000)) == (None, 0)


def test_silence_is_timed_in_audio_frames_not_chunks() -> None:
    clock = SilenceClock(SPEECH_DBFS)
    # Speech ends 20 ms into a chunk: the rest of that chunk is silence already.
    assert clock.hear(tone(20) + silence(CHUNK_MS - 20))
    assert clock.trailing_silence_ms == CHUNK_MS - 20
    assert not clock.hear(silence(CHUNK_MS))
    assert clock.trailing_silence_ms == 2 * CHUNK_MS - 20
    # Chunks that are not a whole number of frames carry the remainder over.
    odd = silence(FRAME_MS + 5)
    clock.hear(odd)
    clock.hear(odd)
    assert clock.trailing_silence_ms == 2 * CHUNK_MS - 20 + 3 * FRAME_MS


@pytest.mark.parametrize(
    ("limits", "expected"),
    [("complete", 150), ("incomplete", 900), ("unsure", 400)],
)
def test_pause_limits_by_completeness(limits: str, expected: int) -> None:
    assert PauseLimits(150, 400, 900).for_words(limits) == expected  # type: ignore[arg-type]
