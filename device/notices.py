"""Notices on the device: the shopper's waiting notices (an order ready for pickup, a staff
reply) are fetched while the device is idle and spoken at the next quiet moment: never while
the shopper is speaking, while an utterance is being recognised, or while a reply plays.

A notice fetched is delivered (the store marks it so), so one the shopper starts talking over
before it is spoken is held here and said at the following quiet moment, never lost."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

# The room must have been quiet this long (chunks of 100 ms) before the device speaks
# unprompted: a pause between sentences is shorter, so a shopper thinking mid-request is
# not talked over.
QUIET_CHUNKS = 15
NOTICE_POLL_S = 2.0


class QuietMoment:
    """Whether the room has been quiet long enough to speak unprompted, from the microphone
    levels the loop hears."""

    def __init__(self, speech_dbfs: float, quiet_chunks: int = QUIET_CHUNKS) -> None:
        self.speech_dbfs = speech_dbfs
        self.needed = quiet_chunks
        self.quiet_chunks = 0

    def hear(self, level: float, *, in_utterance: bool) -> None:
        """Every microphone chunk; `in_utterance` while one is being recognised."""
        if in_utterance or level > self.speech_dbfs:
            self.quiet_chunks = 0
        else:
            self.quiet_chunks += 1

    @property
    def quiet(self) -> bool:
        return self.quiet_chunks >= self.needed


class NoticeWatcher:
    """Fetches notices when the device may speak and speaks them then; holds any it fetched
    just before the shopper started talking until the next quiet moment."""

    def __init__(
        self,
        fetch: Callable[[], Awaitable[list[str]]],
        speak: Callable[[list[str]], Awaitable[None]],
        may_speak: Callable[[], bool],
        poll_s: float = NOTICE_POLL_S,
    ) -> None:
        self.fetch, self.speak, self.may_speak = fetch, speak, may_speak
        self.poll_s = poll_s
        self.held: list[str] = []

    async def step(self) -> bool:
        """One look: fetch while quiet, speak what is held if still quiet. True if it spoke."""
        if not self.may_speak():
            return False
        if not self.held:
            self.held = list(await self.fetch())
        if not self.held or not self.may_speak():  # the shopper began while fetching
            return False
        notices, self.held = self.held, []
        await self.speak(notices)
        return True

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.poll_s)
            except asyncio.TimeoutError:
                try:
                    await self.step()
                except Exception:  # a store or speech fault: try again at the next poll
                    log.exception("could not fetch or speak the shopper's notices")
