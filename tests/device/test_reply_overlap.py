"""When an utterance began over the assistant's reply, decided from microphone levels chunk by
chunk. (The loop with it runs on PulseAudio in test_spoken_over_reply_pulseaudio.py.)"""

from __future__ import annotations

from device.reply_overlap import OVER_REPLY_GAP_CHUNKS, ReplyOverlap

SPEECH, QUIET = -20.0, -70.0


def overlap_after(chunks: list[tuple[float, bool]]) -> ReplyOverlap:
    overlap = ReplyOverlap(speech_dbfs=-42.0)
    for level, speaking in chunks:
        overlap.hear(level, speaking=speaking)
    return overlap


def test_speech_after_a_quiet_end_of_the_reply_did_not_begin_over_it() -> None:
    reply = [(QUIET, True)] * 20
    pause = [(QUIET, False)] * OVER_REPLY_GAP_CHUNKS
    overlap = overlap_after([*reply, *pause, (SPEECH, False)])
    assert overlap.utterance_starts(barge_in=False) is False


def test_a_barge_in_began_over_the_reply() -> None:
    overlap = overlap_after([(QUIET, True)] * 5 + [(SPEECH, True)] * 3)
    assert overlap.utterance_starts(barge_in=True) is True


def test_sound_under_the_reply_that_goes_on_after_it_began_over_it() -> None:
    """Too quiet to interrupt (no barge-in), still going when the reply ends: a TV."""
    under = [(SPEECH, True)] * 6
    overlap = overlap_after([*under, (SPEECH, False)])
    assert overlap.utterance_starts(barge_in=False) is True
    # A pause shorter than the gap (between words) does not separate it from the reply.
    short_pause = [(QUIET, False)] * (OVER_REPLY_GAP_CHUNKS - 1)
    overlap = overlap_after([*under, *short_pause, (SPEECH, False)])
    assert overlap.utterance_starts(barge_in=False) is True


def test_a_pause_as_long_as_the_gap_separates_speech_from_the_reply() -> None:
    under = [(SPEECH, True)] * 6
    gap = [(QUIET, False)] * OVER_REPLY_GAP_CHUNKS
    overlap = overlap_after([*under, *gap, (SPEECH, False)])
    assert overlap.utterance_starts(barge_in=False) is False
    # ...also when the pause falls while the reply still plays.
    overlap = overlap_after([*under, *[(QUIET, True)] * OVER_REPLY_GAP_CHUNKS, (SPEECH, False)])
    assert overlap.utterance_starts(barge_in=False) is False


def test_each_utterance_is_judged_afresh() -> None:
    overlap = overlap_after([(SPEECH, True)] * 4 + [(SPEECH, False)])
    assert overlap.utterance_starts(barge_in=False) is True
    overlap.hear(SPEECH, speaking=False)  # the next utterance, long after any reply
    assert overlap.utterance_starts(barge_in=False) is False
