"""The device loop: microphone -> speech recognition -> dialogue -> speech -> speaker.

Modes: `wake` (the utterance must start with the wake phrase, "hey" + the assistant's name;
the phrase alone opens a ten-second window for the request), `push` (Enter in the terminal
starts listening), `always` (kiosk). While the assistant speaks the microphone stays open:
when the shopper starts talking (barge-in) playback stops and the new utterance is heard. What
the microphone hears of the assistant's own reply is recognised as such and ignored. An
utterance that began while the reply was playing is sent to the dialogue marked
`spoken_over_reply` (a TV saying "yes" over the order read-back must not place the order).

Device faults (no device, a device that disappears, buffer overflows) are reported in one
line and the loop reopens the device when it is back; the conversation lives in the dialogue
store, so nothing is lost.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher

from device.audio_io import DeviceError, Microphone, Speaker
from device.barge_in import BargeInDetector, Decision
from device.dialogue_clients import DialogueClient
from device.notices import NoticeWatcher, QuietMoment
from device.reply_overlap import ReplyOverlap
from dialogue.replies import N_, render
from voice.audio import CHUNK_MS, level_dbfs
from voice.stt import RecognitionStream, SttFinal, SttPartial, VoskEngine
from voice.tts import Synthesizer

log = logging.getLogger(__name__)

DIDNT_CATCH = N_("Sorry, I didn't catch that.")
# Said when the wake phrase comes alone: the shopper is heard, the request comes next.
LISTENING = N_("Yes?")
MAX_UTTERANCE_S = 12
PREROLL_CHUNKS = 4  # audio kept from before speech onset, so first syllables are not lost
WAKE_WINDOW_S = 10
RETRY_DEVICE_S = 2.0


# ---------------------------------------------------------------- events (one per happening)


@dataclass(frozen=True)
class Listening:
    mode: str


@dataclass(frozen=True)
class Heard:
    text: str
    confidence: float
    stt_ms: float
    spoken_over_reply: bool = False  # the speech began while a reply was playing


@dataclass(frozen=True)
class Answered:
    replies: list[str]
    dialogue_ms: float


@dataclass(frozen=True)
class SpeakingStarted:
    first_audio_ms: float  # end of speech -> first reply sample ready


@dataclass(frozen=True)
class Spoke:
    completed: bool  # False: cut short by barge-in


@dataclass(frozen=True)
class BargeIn:
    pass


@dataclass(frozen=True)
class Ignored:
    text: str
    reason: str


@dataclass(frozen=True)
class Notified:
    notices: list[str]  # said unprompted at a quiet moment (an order ready, a staff reply)


@dataclass(frozen=True)
class DeviceProblem:
    code: str
    message: str


@dataclass(frozen=True)
class DeviceRecovered:
    pass


Event = (
    Listening
    | Heard
    | Answered
    | SpeakingStarted
    | Spoke
    | BargeIn
    | Ignored
    | Notified
    | DeviceProblem
    | DeviceRecovered
)


def print_event(event: Event) -> None:
    text = {
        Listening: lambda e: f"listening ({e.mode})",
        Heard: lambda e: (
            f"heard: {e.text!r} ({e.confidence:.2f}, {e.stt_ms:.0f} ms)"
            + (" over the reply" if e.spoken_over_reply else "")
        ),
        Answered: lambda e: "assistant: " + " ".join(e.replies),
        SpeakingStarted: lambda e: f"(first reply audio after {e.first_audio_ms:.0f} ms)",
        Spoke: lambda e: "" if e.completed else "(reply cut short)",
        BargeIn: lambda e: "(interrupted: listening)",
        Ignored: lambda e: f"(ignored {e.text!r}: {e.reason})",
        Notified: lambda e: "assistant (notice): " + " ".join(e.notices),
        DeviceProblem: lambda e: f"audio problem: {e.message}",
        DeviceRecovered: lambda e: "audio device is back",
    }[type(event)](event)  # type: ignore[index]
    if text:
        print(text, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the loop


@dataclass
class LoopSettings:
    mode: str = "wake"  # wake | push | always
    wake_phrase: str = "hey rosa"
    speech_dbfs: float = -42.0  # onset of speech
    barge_in_dbfs: float = -35.0  # louder than onset: the shopper over the assistant
    # Speech in this many of the last five chunks interrupts (syllables have gaps); the reply
    # is held from the first (device/barge_in.py).
    barge_in_chunks: int = 3
    # The store's language: what the loop says itself ("didn't catch that") is said in it.
    language: str = "en"


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a.lower(), b.lower()).ratio()


class VoiceLoop:
    def __init__(
        self,
        engine: VoskEngine,
        tts: Synthesizer,
        dialogue: DialogueClient,
        microphone: Microphone,
        speaker: Speaker,
        settings: LoopSettings,
        on_event: Callable[[Event], None] = print_event,
    ) -> None:
        self.engine, self.tts, self.dialogue = engine, tts, dialogue
        self.mic, self.speaker, self.settings = microphone, speaker, settings
        self.on_event = on_event
        self.push_to_talk = asyncio.Event()
        self.wake_until = 0.0
        self.speaking_text = ""
        self.last_reply_at = 0.0
        self._reply_task: asyncio.Task | None = None
        # True from a reply's first audio to its end, pauses between sentences included.
        self.speaking = False
        self.quiet = QuietMoment(settings.speech_dbfs)

    # -- driving

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Runs until `stop` is set; survives device faults by reopening the devices."""
        stop = stop or asyncio.Event()
        if self.settings.mode == "push":
            asyncio.get_running_loop().run_in_executor(None, self._read_keys, stop)
        self._problem: str | None = None
        self._overflows_reported = 0
        self._overflow_said_at = -1e9
        self.on_event(Listening(self.settings.mode))
        notices = None
        if hasattr(self.dialogue, "notices"):  # spoken at quiet moments (device/notices.py)
            watcher = NoticeWatcher(self.dialogue.notices, self.speak_notices, self.may_speak)
            notices = asyncio.create_task(watcher.run(stop))
        try:
            while not stop.is_set():
                try:
                    self.mic.open()
                    await self._listen(stop)
                except DeviceError as exc:
                    if self._problem != exc.code:
                        self.on_event(DeviceProblem(exc.code, exc.message))
                    self._problem = exc.code
                    await asyncio.sleep(RETRY_DEVICE_S)
                finally:
                    self.mic.close()
        finally:
            if notices is not None:
                notices.cancel()

    def _read_keys(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_event_loop_policy().get_event_loop()
        print("press Enter, then speak", file=sys.stderr, flush=True)
        while not stop.is_set():
            if sys.stdin.readline() == "":
                return
            loop.call_soon_threadsafe(self.push_to_talk.set)

    async def _listen(self, stop: asyncio.Event) -> None:
        preroll: deque[bytes] = deque(maxlen=PREROLL_CHUNKS)
        stream: RecognitionStream | None = None
        barge = BargeInDetector(self.settings.barge_in_dbfs, self.settings.barge_in_chunks)
        overlap = ReplyOverlap(self.settings.speech_dbfs)
        spoken_over_reply = False
        captured_s = 0.0
        last_speech_chunk_at = 0.0
        async for chunk in self.mic.chunks():
            if stop.is_set():
                return
            if self._problem is not None:  # audio flows again: the device is back
                self._problem = None
                self.on_event(DeviceRecovered())
            if (
                self.mic.overflows > self._overflows_reported
                and time.monotonic() - self._overflow_said_at > 10  # once in a while, not per chunk
            ):
                self._overflows_reported = self.mic.overflows
                self._overflow_said_at = time.monotonic()
                self.on_event(
                    DeviceProblem(
                        "input_overflow",
                        "the microphone buffer overflowed and some audio was lost "
                        "(the machine may be too busy); listening on",
                    )
                )
            level = level_dbfs(chunk)
            self.quiet.hear(level, in_utterance=stream is not None)
            if stream is None:
                preroll.append(chunk)
                overlap.hear(level, speaking=self.speaking)
                barge_in = self.speaking
                if self.speaking:
                    decision = barge.hear(level)
                    if decision is Decision.HOLD:
                        self.speaker.hold()
                    elif decision is Decision.RELEASE:
                        self.speaker.release()
                    if decision is not Decision.BARGE_IN:
                        continue
                    self.speaker.stop()
                    self.speaking = False
                    if self._reply_task is not None:
                        self._reply_task.cancel()  # the rest of the reply is not spoken
                    self.on_event(BargeIn())
                else:
                    barge.reset()
                    if not self._may_start(level):
                        continue
                spoken_over_reply = overlap.utterance_starts(barge_in=barge_in)
                barge.reset()
                stream = self.engine.stream()
                captured_s = 0.0
                for early in preroll:
                    await asyncio.to_thread(stream.accept, early)
                preroll.clear()
                continue
            captured_s += CHUNK_MS / 1000
            if level > self.settings.speech_dbfs:
                last_speech_chunk_at = time.perf_counter()
            result = await asyncio.to_thread(stream.accept, chunk)
            if isinstance(result, SttPartial) or result is None:
                if captured_s < MAX_UTTERANCE_S:
                    continue
                result = await asyncio.to_thread(stream.finish)
            stream = None
            stt_ms = (time.perf_counter() - (last_speech_chunk_at or time.perf_counter())) * 1000
            self._start_reply(result, stt_ms, spoken_over_reply=spoken_over_reply)

    def _may_start(self, level: float) -> bool:
        if level <= self.settings.speech_dbfs:
            return False
        if self.settings.mode == "push":
            if not self.push_to_talk.is_set():
                return False
            self.push_to_talk.clear()
        return True

    # -- one turn

    def _start_reply(
        self, heard: SttFinal, stt_ms: float, *, spoken_over_reply: bool = False
    ) -> None:
        if self._reply_task is not None and not self._reply_task.done():
            self.speaker.stop()
            self._reply_task.cancel()
        self._reply_task = asyncio.create_task(
            self.reply(heard, stt_ms, spoken_over_reply=spoken_over_reply)
        )

    def accept_text(self, heard: SttFinal) -> str | None:
        """What to send to the dialogue, or None: wake phrase missing, own voice, noise."""
        text = heard.text.strip()
        if not heard.understood:
            return ""  # answered with DIDNT_CATCH
        recent_reply = self.speaking_text and time.monotonic() - self.last_reply_at < 3.0
        if recent_reply and _similar(text, self.speaking_text) > 0.6:
            self.on_event(Ignored(text, "the assistant's own voice"))
            return None
        if self.settings.mode != "wake":
            return text
        wake = self.settings.wake_phrase.lower()
        words = text.lower()
        if words.startswith(wake) or _similar(words[: len(wake)], wake) > 0.8:
            rest = re.sub(r"^[\s,]+", "", text[len(wake) :])
            if not rest:
                self.wake_until = time.monotonic() + WAKE_WINDOW_S
                return "__wake__"
            return rest
        if time.monotonic() < self.wake_until:
            self.wake_until = 0.0
            return text
        self.on_event(Ignored(text, f"no wake phrase ({self.settings.wake_phrase!r})"))
        return None

    async def reply(
        self, heard: SttFinal, stt_ms: float, *, spoken_over_reply: bool = False
    ) -> None:
        started = time.perf_counter()
        self.on_event(Heard(heard.text, heard.confidence, stt_ms, spoken_over_reply))
        text = self.accept_text(heard)
        if text is None:
            return
        if text == "__wake__":
            replies = [render(self.settings.language, LISTENING)]
        elif not text:
            replies = [render(self.settings.language, DIDNT_CATCH)]
        else:
            # Always said, true or false: the dialogue refuses a purchase yes marked true.
            metadata = {"spoken_over_reply": spoken_over_reply}
            replies = await self.dialogue.respond(text, metadata=metadata)
        self.on_event(Answered(replies, (time.perf_counter() - started) * 1000))
        await self._play(replies, started, stt_ms)

    # -- notices: said unprompted, only when nobody is talking

    def may_speak(self) -> bool:
        """A quiet moment: no reply playing or being prepared, no utterance being heard, and
        the room quiet for a while."""
        replying = self._reply_task is not None and not self._reply_task.done()
        return not self.speaking and not replying and self.quiet.quiet

    async def speak_notices(self, notices: list[str]) -> None:
        self.on_event(Notified(notices))
        # As a reply task: the shopper talking over it stops it like any reply (barge-in).
        self._reply_task = asyncio.create_task(self._play(notices))
        await asyncio.wait({self._reply_task})  # cut short or not; the watcher goes on

    async def _play(
        self, replies: list[str], started: float | None = None, stt_ms: float = 0.0
    ) -> None:
        """Speaks `replies`, stopping at a barge-in; `started` (a turn's start) times the
        first audio."""
        first = started is not None
        try:
            for reply in replies:
                self.speaking_text = reply
                async for audio in self.tts.stream(reply):
                    if first and started is not None:
                        first_ms = (time.perf_counter() - started) * 1000 + stt_ms
                        self.on_event(SpeakingStarted(first_ms))
                        first = False
                    self.speaking = True
                    self.last_reply_at = time.monotonic()
                    if not await self.speaker.play(audio):
                        self.on_event(Spoke(completed=False))
                        return  # barge-in
                    self.last_reply_at = time.monotonic()
            self.on_event(Spoke(completed=True))
        except asyncio.CancelledError:
            self.on_event(Spoke(completed=False))
            raise
        finally:
            self.speaking = False
