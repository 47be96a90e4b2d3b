"""The speaker held mid-reply (device/barge_in.py) is silent at once and, released, goes on
where the listener stopped hearing it: nothing is lost, little is said twice. Recorded from
the speaker's sink on the private PulseAudio server (tests/device/pulse.py)."""

from __future__ import annotations

import threading
import time

import numpy as np

from device.audio_io import Speaker
from voice.audio import SAMPLE_RATE_HZ, AudioBuffer, silence

from .pulse import FRAME, speech_seconds

TONE_S = 3.0
HOLD_AT_S, HOLD_FOR_S = 1.0, 1.0


def tone(seconds: float) -> AudioBuffer:
    t = np.arange(int(seconds * SAMPLE_RATE_HZ)) / SAMPLE_RATE_HZ
    samples = 0.1 * 32767 * np.sin(2 * np.pi * 440 * t)  # -23 dBFS
    return AudioBuffer(samples.astype("<i2").tobytes())


def longest_silence_s(pcm: bytes) -> float:
    samples = np.frombuffer(pcm, "<i2")
    step = FRAME // 2
    silent = [np.abs(samples[i : i + step]).max() < 30 for i in range(0, len(samples), step)]
    longest = run = 0
    for quiet in silent:
        run = run + 1 if quiet else 0
        longest = max(longest, run)
    return longest * step / SAMPLE_RATE_HZ


def playing_speaker() -> Speaker:
    """A speaker whose sink is running: the first sound after the server starts waits for
    the echo canceller's sink to wake up."""
    speaker = Speaker(None)
    speaker._play_blocking(AudioBuffer(silence(500)))
    return speaker


def _held_while_playing() -> tuple[Speaker, threading.Thread, list[bool]]:
    """A speaker playing the tone in a thread, held HOLD_AT_S into it; `played` gets what
    the play returned."""
    speaker = playing_speaker()
    played: list[bool] = []
    player = threading.Thread(target=lambda: played.append(speaker._play_blocking(tone(TONE_S))))
    player.start()
    time.sleep(HOLD_AT_S)
    speaker.hold()
    return speaker, player, played


def test_a_held_reply_goes_silent_and_resumes_where_it_was_held(pulse, recorder) -> None:  # type: ignore[no-untyped-def]
    speaker, player, played = _held_while_playing()
    time.sleep(HOLD_FOR_S)
    speaker.release()
    player.join(timeout=10)
    recorded = recorder.stop()
    assert played == [True]
    # Silent while held (less the time the speaker takes to stop and to start again).
    assert HOLD_FOR_S - 0.15 < longest_silence_s(recorded) < HOLD_FOR_S + 0.3
    # All of the tone was played; what was buffered when held is played again, no more.
    assert TONE_S - 0.05 < speech_seconds(recorded) < TONE_S + 0.25, speech_seconds(recorded)


def test_a_held_reply_stops_when_asked(pulse, recorder) -> None:  # type: ignore[no-untyped-def]
    speaker, player, played = _held_while_playing()
    speaker.stop()  # a barge-in while held
    player.join(timeout=5)
    assert played == [False]
    assert speech_seconds(recorder.stop()) < HOLD_AT_S + 0.2
