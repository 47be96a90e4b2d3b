"""When the loop holds, releases or stops the reply, decided from microphone levels chunk by
chunk while it plays. (The loop with it runs on PulseAudio in test_echo_cancel_pulseaudio.py.)"""

from __future__ import annotations

from device.barge_in import BARGE_IN_WINDOW, BargeInDetector, Decision

LOUD, QUIET = -20.0, -70.0


def decisions(levels: list[float]) -> list[Decision | None]:
    detector = BargeInDetector(loud_dbfs=-35.0, loud_chunks=3)
    return [detector.hear(level) for level in levels]


def test_the_reply_is_held_at_the_first_loud_chunk_and_stopped_when_speech_goes_on() -> None:
    # Speech with a gap between syllables: held at once, a barge-in at the third loud chunk.
    assert decisions([QUIET, LOUD, QUIET, LOUD, LOUD]) == [
        None,
        Decision.HOLD,
        None,
        None,
        Decision.BARGE_IN,
    ]


def test_a_short_sound_holds_the_reply_then_releases_it() -> None:
    # A cough: held, and released once the window has passed without speech.
    heard = decisions([LOUD] + [QUIET] * BARGE_IN_WINDOW + [QUIET])
    assert heard == [Decision.HOLD] + [None] * (BARGE_IN_WINDOW - 1) + [Decision.RELEASE, None]


def test_quiet_residual_echo_never_holds_the_reply() -> None:
    assert decisions([-45.0] * 20) == [None] * 20


def test_after_a_release_a_new_sound_holds_again() -> None:
    heard = decisions([LOUD] + [QUIET] * BARGE_IN_WINDOW + [LOUD])
    assert heard[-2:] == [Decision.RELEASE, Decision.HOLD]


def test_two_loud_chunks_in_the_window_are_not_speech() -> None:
    heard = decisions([LOUD, QUIET, QUIET, QUIET, LOUD, QUIET, QUIET])
    assert Decision.BARGE_IN not in heard
