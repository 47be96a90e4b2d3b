"""When the device speaks the shopper's notices: only at a quiet moment, each once, and one
fetched just as the shopper began talking waits for the next quiet moment. (The loop with the
real assistant and audio runs on PulseAudio in test_voice_loop_pulseaudio.py.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from device.loop import LoopSettings, Notified, Spoke, VoiceLoop
from device.notices import QUIET_CHUNKS, NoticeWatcher, QuietMoment

SPEECH, QUIET = -20.0, -70.0


def quiet_after(levels: list[float], *, in_utterance: bool = False) -> QuietMoment:
    moment = QuietMoment(speech_dbfs=-42.0)
    for level in levels:
        moment.hear(level, in_utterance=in_utterance)
    return moment


def test_the_room_is_quiet_only_after_a_long_enough_silence() -> None:
    assert not quiet_after([QUIET] * (QUIET_CHUNKS - 1)).quiet
    assert quiet_after([QUIET] * QUIET_CHUNKS).quiet
    # A pause between sentences is not a quiet moment: speech starts the count again.
    assert not quiet_after([QUIET] * QUIET_CHUNKS + [SPEECH] + [QUIET] * 3).quiet


def test_an_utterance_being_recognised_is_never_quiet() -> None:
    # Quiet chunks inside an utterance (a pause mid-request) do not count.
    assert not quiet_after([QUIET] * (QUIET_CHUNKS * 2), in_utterance=True).quiet


class FakeStore:
    """The shopper's outbox: notices appear in it; fetching takes them."""

    def __init__(self) -> None:
        self.waiting: list[str] = []
        self.fetches = 0

    async def fetch(self) -> list[str]:
        self.fetches += 1
        taken, self.waiting = self.waiting, []
        return taken


def test_nothing_is_fetched_or_said_while_the_device_may_not_speak() -> None:
    store, said = FakeStore(), []
    store.waiting = ["Your order number 3 is ready for pickup."]

    async def speak(notices: list[str]) -> None:
        said.append(notices)

    watcher = NoticeWatcher(store.fetch, speak, may_speak=lambda: False)
    assert asyncio.run(watcher.step()) is False
    assert store.fetches == 0 and said == []  # still waiting in the store for later


def test_a_notice_is_said_once_at_a_quiet_moment() -> None:
    store, said = FakeStore(), []
    store.waiting = ["Your order number 3 is ready for pickup."]

    async def speak(notices: list[str]) -> None:
        said.append(notices)

    watcher = NoticeWatcher(store.fetch, speak, may_speak=lambda: True)

    async def steps() -> list[bool]:
        return [await watcher.step(), await watcher.step()]

    assert asyncio.run(steps()) == [True, False]
    assert said == [["Your order number 3 is ready for pickup."]]


def test_a_notice_fetched_as_the_shopper_starts_talking_waits_for_the_next_quiet_moment() -> None:
    store, said = FakeStore(), []
    store.waiting = ["Your order number 3 is out for delivery."]
    quiet = [True, False]  # quiet when fetching; the shopper speaks before it is said

    async def speak(notices: list[str]) -> None:
        said.append(notices)

    watcher = NoticeWatcher(store.fetch, speak, may_speak=lambda: quiet.pop(0) if quiet else True)

    async def steps() -> list[bool]:
        first = await watcher.step()
        return [first, await watcher.step()]

    assert asyncio.run(steps()) == [False, True]
    assert said == [["Your order number 3 is out for delivery."]]
    assert store.fetches == 1  # held by the device, not fetched (or lost) twice


class FakeSpeaker:
    """Plays instantly; `cut_after` plays that many chunks, then a barge-in stops it."""

    def __init__(self, cut_after: int | None = None) -> None:
        self.played: list[bytes] = []
        self.cut_after = cut_after

    async def play(self, audio: bytes) -> bool:
        if self.cut_after is not None and len(self.played) >= self.cut_after:
            return False
        self.played.append(audio)
        return True

    def stop(self) -> None:
        pass


class FakeTts:
    async def stream(self, text: str) -> AsyncIterator[bytes]:
        for word in text.split():
            yield word.encode()


def make_loop(speaker: FakeSpeaker) -> tuple[VoiceLoop, list]:
    events: list = []
    loop = VoiceLoop(
        engine=None,  # type: ignore[arg-type] - no recognition in these tests
        tts=FakeTts(),  # type: ignore[arg-type]
        dialogue=None,  # type: ignore[arg-type]
        microphone=None,  # type: ignore[arg-type]
        speaker=speaker,  # type: ignore[arg-type]
        settings=LoopSettings(mode="always"),
        on_event=events.append,
    )
    return loop, events


def test_the_loop_may_speak_only_when_idle_and_quiet() -> None:
    loop, _ = make_loop(FakeSpeaker())
    assert not loop.may_speak()  # the room has not been heard quiet yet
    for _ in range(QUIET_CHUNKS):
        loop.quiet.hear(QUIET, in_utterance=False)
    assert loop.may_speak()
    loop.speaking = True  # a reply is playing
    assert not loop.may_speak()
    loop.speaking = False
    loop.quiet.hear(QUIET, in_utterance=True)  # the shopper is being heard
    assert not loop.may_speak()

    async def reply_being_prepared() -> bool:
        for _ in range(QUIET_CHUNKS):
            loop.quiet.hear(QUIET, in_utterance=False)
        loop._reply_task = asyncio.create_task(asyncio.sleep(0.05))
        during = loop.may_speak()
        await loop._reply_task
        return during is False and loop.may_speak()

    assert asyncio.run(reply_being_prepared())


def test_the_loop_speaks_a_notice_and_a_barge_in_stops_it() -> None:
    notice = "Your order number 3 is ready for pickup."
    loop, events = make_loop(FakeSpeaker())
    asyncio.run(loop.speak_notices([notice]))
    assert events[0] == Notified([notice]) and events[-1] == Spoke(completed=True)
    assert b" ".join(loop.speaker.played) == notice.encode()  # type: ignore[attr-defined]
    assert loop.speaking is False
    cut, cut_events = make_loop(FakeSpeaker(cut_after=2))
    asyncio.run(cut.speak_notices([notice]))
    assert cut_events[-1] == Spoke(completed=False)
