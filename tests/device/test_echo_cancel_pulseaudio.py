"""The device does not hear itself: on the private PulseAudio server (tests/device/pulse.py)
the speaker reaches the microphone through the room, 12 dB down, and module-echo-cancel
(webrtc) takes it out again. Its reply played while the shopper is silent is not heard as
speech; without echo cancelling the same room makes the device interrupt and hear itself.
A shopper speaking over a reply still interrupts it and is recognised.

What the assistant answers does not matter here: the dialogue always gives the same long
reply, so the tests hold for any assistant (English or Korean). Speech is espeak-ng Korean
through the real Korean Vosk model; the reply is real pyttsx3 through real sounddevice."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from device.audio_io import Speaker
from device.loop import (
    BargeIn,
    Heard,
    Listening,
    LoopSettings,
    SpeakingStarted,
    Spoke,
    VoiceLoop,
)
from voice.audio import level_dbfs, read_wav, silence
from voice.stt import SttFinal, VoskEngine
from voice.tts import Synthesizer

from ..voice.conftest import espeak
from .pulse import PulseServer, TappedMicrophone, run_loop
from .test_spoken_over_reply_pulseaudio import ORDER, is_the_order_phrase

# About ten seconds of speech: long enough for the echo to set off a barge-in, and for the
# shopper to talk over it.
REPLY = (
    "We are open from nine in the morning until nine at night on weekdays. "
    "On Saturdays we open at ten and close at six. On Sundays we open at eleven and close at five."
)
QUESTION = SttFinal("when are you open", 1.0)  # asked as text: no shopper speech at all


class SameReplyDialogue:
    async def respond(self, text: str, *, metadata: dict[str, Any] | None = None) -> list[str]:
        return [REPLY]


@pytest.fixture
def echo_loop(pulse: PulseServer, korean_model_dir: Path):  # type: ignore[no-untyped-def]
    engine = VoskEngine(korean_model_dir)
    engine.set_vocabulary([ORDER, "네", "아니요"])
    events: list = []
    microphone = TappedMicrophone()
    loop_ = VoiceLoop(
        engine,
        Synthesizer(),
        SameReplyDialogue(),
        microphone,
        Speaker(None),
        LoopSettings(mode="always"),
        on_event=events.append,
    )
    microphone.speaking = lambda: loop_.speaking
    yield loop_, events, microphone
    pulse.use_echo_cancel(True)


def heard_by_microphone(events: list) -> list[Heard]:
    """Utterances recognised from the microphone (the first Heard is the question, asked as
    text)."""
    return [e for e in events if isinstance(e, Heard)][1:]


def ask_when_listening(loop_: VoiceLoop, events: list, state: dict) -> None:
    if not state.get("asked") and any(isinstance(e, Listening) for e in events):
        loop_._start_reply(QUESTION, 0.0)
        state["asked"] = True


def reply_in_a_silent_room(loop_: VoiceLoop, events: list) -> None:
    """Plays the reply once with nobody talking; stops at the first utterance recognised
    from the microphone, or three seconds after the reply was played to its end (time for an
    utterance begun in it to be recognised)."""
    state: dict = {}

    def progress() -> bool:
        ask_when_listening(loop_, events, state)
        if "ended" not in state and Spoke(completed=True) in events:
            state["ended"] = time.monotonic()
        if heard_by_microphone(events):
            return True
        return "ended" in state and time.monotonic() - state["ended"] > 3.0

    run_loop(loop_, progress, limit_s=40)


def test_the_reply_is_not_heard_with_echo_cancel(pulse, feeder, echo_loop) -> None:  # type: ignore[no-untyped-def]
    loop_, events, microphone = echo_loop
    reply_in_a_silent_room(loop_, events)
    assert Spoke(completed=True) in events, events
    assert not any(isinstance(e, BargeIn) for e in events), events
    assert not heard_by_microphone(events), events
    residual = level_dbfs(microphone.heard_while_speaking())
    print(f"with echo cancel the microphone hears the reply at {residual:.1f} dBFS")
    # What is left of the echo is below the level at which the loop takes sound for speech.
    assert residual < LoopSettings().speech_dbfs, residual


def test_without_echo_cancel_the_device_hears_itself(pulse, feeder, echo_loop) -> None:  # type: ignore[no-untyped-def]
    """The same room wired straight to the device: the check above can fail. The reply
    reaches the microphone above the loop's speech onset, so the loop reacts to its own
    voice: it holds the reply at the first loud chunk (device/barge_in.py) and, when the echo
    goes on long enough, stops it and listens to itself. Which of the two happens depends on
    the echo's timing; the level is what the canceller must remove."""
    loop_, events, microphone = echo_loop
    pulse.use_echo_cancel(False)
    reply_in_a_silent_room(loop_, events)
    echo = level_dbfs(microphone.heard_while_speaking())
    print(f"without echo cancel the microphone hears the reply at {echo:.1f} dBFS")
    assert echo > LoopSettings().speech_dbfs, echo


def test_a_shopper_speaking_over_the_reply_still_interrupts_it(  # type: ignore[no-untyped-def]
    pulse, feeder, echo_loop, tmp_path
) -> None:
    loop_, events, _ = echo_loop
    speech = read_wav(espeak(ORDER, tmp_path / "order.wav", voice="ko")).pcm + silence(1500)
    state: dict = {}

    def progress() -> bool:
        ask_when_listening(loop_, events, state)
        if not state.get("fed") and any(isinstance(e, SpeakingStarted) for e in events):
            # Two seconds in: the echo canceller is working on the reply when the shopper talks.
            threading.Timer(2.0, feeder.say, args=(speech,)).start()
            state["fed"] = True
        return bool(heard_by_microphone(events))

    run_loop(loop_, progress, limit_s=40)
    assert any(isinstance(e, BargeIn) for e in events), events
    assert Spoke(completed=False) in events, events
    heard = heard_by_microphone(events)
    assert len(heard) == 1 and heard[0].spoken_over_reply, events
    assert is_the_order_phrase(heard[0].text), heard
