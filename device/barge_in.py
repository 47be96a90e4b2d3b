"""Is the shopper talking over the assistant's reply? Decided from the microphone's levels,
chunk by chunk, while the reply plays.

The reply is held (silent) at the first loud chunk, before the decision is made: an echo
canceller (webrtc's in PulseAudio's module-echo-cancel) suppresses the shopper's speech by
10-35 dB for as long as the reply plays over it (double-talk), and the recogniser loses the
first words ("개 주문해 주세요" for "우유 두 개 주문해 주세요"). With the reply held the canceller
lets the speech through within about 100 ms. A loud sound that does not go on (a cough, a
door) releases the reply after the window, and it goes on where it was held."""

from __future__ import annotations

from collections import deque
from enum import Enum

BARGE_IN_WINDOW = 5  # chunks (500 ms)


class Decision(Enum):
    HOLD = "hold"  # silence the reply: the shopper may be talking
    RELEASE = "release"  # it was not the shopper: the reply goes on
    BARGE_IN = "barge_in"  # the shopper is talking: stop the reply, listen


class BargeInDetector:
    """`loud_chunks` chunks louder than `loud_dbfs` among the last BARGE_IN_WINDOW are the
    shopper talking (syllables have gaps)."""

    def __init__(self, loud_dbfs: float, loud_chunks: int) -> None:
        self.loud_dbfs, self.loud_chunks = loud_dbfs, loud_chunks
        self.recent_loud: deque[bool] = deque(maxlen=BARGE_IN_WINDOW)
        self.held_for = 0  # chunks heard since the reply was held; 0: not held

    def hear(self, level: float) -> Decision | None:
        """Every microphone chunk heard while the reply plays (held or not)."""
        loud = level > self.loud_dbfs
        self.recent_loud.append(loud)
        if sum(self.recent_loud) >= self.loud_chunks:
            self.reset()
            return Decision.BARGE_IN
        if self.held_for:
            self.held_for += 1
            if self.held_for > BARGE_IN_WINDOW:
                self.held_for = 0
                return Decision.RELEASE
            return None
        if loud:
            self.held_for = 1
            return Decision.HOLD
        return None

    def reset(self) -> None:
        """No reply playing, or an utterance started: the next reply starts afresh."""
        self.recent_loud.clear()
        self.held_for = 0
