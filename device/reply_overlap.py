"""Did an utterance begin while the assistant's reply was playing? The device loop marks such
utterances `spoken_over_reply`, and the dialogue never takes a purchase yes marked so (a TV
saying "yes" over the order read-back must not place the order)."""

from __future__ import annotations

# This many quiet chunks (300 ms) end a sound that was heard while the assistant spoke:
# speech starting sooner may have begun under the reply (a pause inside a phrase is shorter).
OVER_REPLY_GAP_CHUNKS = 3


class ReplyOverlap:
    """Whether speech that starts now began over the assistant's reply. A barge-in did; so did
    speech that started under the reply, too quiet to interrupt it, and is still going when
    the reply ends: sound heard while the assistant spoke with no pause since (the
    assistant's own voice in the room counts too, so an answer given within the gap after
    the reply is marked as well: the safe side, the dialogue asks again)."""

    def __init__(self, speech_dbfs: float) -> None:
        self.speech_dbfs = speech_dbfs
        self.sound_since_reply = False
        self.quiet_chunks = 0

    def hear(self, level: float, *, speaking: bool) -> None:
        """Every microphone chunk that is not part of an utterance being recognised."""
        if level > self.speech_dbfs:
            self.quiet_chunks = 0
            self.sound_since_reply = self.sound_since_reply or speaking
        else:
            self.quiet_chunks += 1
            if self.quiet_chunks >= OVER_REPLY_GAP_CHUNKS:
                self.sound_since_reply = False

    def utterance_starts(self, *, barge_in: bool) -> bool:
        """An utterance starts with the chunk just heard: did it begin over the reply?"""
        over = barge_in or self.sound_since_reply
        self.sound_since_reply, self.quiet_chunks = False, 0
        return over
