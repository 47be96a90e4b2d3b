"""When an utterance ends: the silence after speech, measured in audio time, and how long a
pause ends it given what was said so far.

A pause after a complete request ("yes", "two milks, please") ends the utterance soon; after
words that promise more ("I'd like a", "and") the shopper is given longer; otherwise the
usual silence applies. Whether the words so far are complete is judged by whoever composes
the voice path (a callable returning a `Completeness`): `voice` itself knows no language.

Silence is counted in 10 ms frames of the audio fed, not wall-clock time, so a busy machine
or chunks that arrive late do not shorten or stretch a pause.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from voice.audio import FRAME_BYTES, FRAME_MS, frame_levels_dbfs

Completeness = Literal["complete", "incomplete", "unsure"]
# The words heard so far -> whether they are a whole request.
UtteranceEnd = Callable[[str], Completeness]


@dataclass(frozen=True)
class PauseLimits:
    """Silence (ms) after speech that ends the utterance, by what the words so far are."""

    complete_ms: int = 100
    unsure_ms: int = 400
    incomplete_ms: int = 900

    def for_words(self, completeness: Completeness) -> int:
        return {
            "complete": self.complete_ms,
            "incomplete": self.incomplete_ms,
            "unsure": self.unsure_ms,
        }[completeness]


class SilenceClock:
    """Whether speech has been heard, and how much silence (ms of audio) follows it."""

    def __init__(self, speech_dbfs: float) -> None:
        self.speech_dbfs = speech_dbfs
        self.heard_speech = False
        self.trailing_silence_ms = 0
        self._partial_frame = b""

    def hear(self, chunk: bytes) -> bool:
        """Counts the chunk's frames; True when it held speech."""
        pcm = self._partial_frame + chunk
        whole = len(pcm) - len(pcm) % FRAME_BYTES
        self._partial_frame = pcm[whole:]
        spoke = False
        for level in frame_levels_dbfs(pcm[:whole]):
            if level > self.speech_dbfs:
                self.heard_speech, self.trailing_silence_ms, spoke = True, 0, True
            elif self.heard_speech:
                self.trailing_silence_ms += FRAME_MS
        return spoke
