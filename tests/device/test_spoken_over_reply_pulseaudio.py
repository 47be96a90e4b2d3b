"""The device side of "a yes heard while the assistant is still speaking is never taken as the
purchase yes", on the virtual audio devices (tests/device/pulse.py): speech played into the
microphone while a reply plays reaches the dialogue marked `spoken_over_reply: true`; speech
after the reply has finished, `false`.

Speech is espeak-ng Korean through the real Korean Vosk model (no English model can be
downloaded here) and the dialogue is the real English assistant, in-process. Between them sits
`RecordingDialogue`: it records what the loop sends (text and metadata, unchanged) and passes
it on to the real dialogue; for the purchase test it also passes the Korean yes the model
recognised ("네, 주문해 주세요") on as the English words it means ("yes please"), standing in
for an English recogniser. It never answers by itself."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from commerce.accounts import ensure_customer
from commerce.cart import add_to_cart
from commerce.orders import count_orders
from commerce.service import Store
from device.audio_io import Microphone, Speaker
from device.dialogue_clients import InProcessDialogue
from device.loop import (
    Answered,
    BargeIn,
    Heard,
    Listening,
    LoopSettings,
    SpeakingStarted,
    Spoke,
    VoiceLoop,
)
from dialogue import context
from voice.audio import read_wav, silence
from voice.stt import SttFinal, VoskEngine
from voice.tts import Synthesizer

from ..voice.conftest import espeak
from .pulse import run_loop

ORDER = "우유 두 개 주문해 주세요"  # "please order two milks": any speech will do for the flag
YES = "네, 주문해 주세요"  # "yes, please order it"
YES_HEARD = "네 주문해 주세요"  # what the Korean model makes of it
SHOPPER = "kiosk"


class RecordingDialogue:
    """The real in-process dialogue, with a record of every turn the loop sent it."""

    def __init__(self, real: InProcessDialogue, english: dict[str, str]) -> None:
        self.real, self.english = real, english
        self.sent: list[tuple[str, dict[str, Any] | None]] = []

    async def respond(self, text: str, *, metadata: dict[str, Any] | None = None) -> list[str]:
        self.sent.append((text, metadata))
        return await self.real.respond(self.english.get(text, text), metadata=metadata)


@pytest.fixture
def recorded_loop(sqlite_store: Store, assistant, korean_model_dir: Path):  # type: ignore[no-untyped-def]
    context.configure(sqlite_store.sessions)
    assistant.reset_conversations()
    engine = VoskEngine(korean_model_dir)
    engine.set_vocabulary([ORDER, YES_HEARD, "네", "아니요"])
    events: list = []
    dialogue = RecordingDialogue(InProcessDialogue(assistant, SHOPPER), {YES_HEARD: "yes please"})
    loop_ = VoiceLoop(
        engine,
        Synthesizer(),
        dialogue,
        Microphone(None),
        Speaker(None),
        LoopSettings(mode="always"),
        on_event=events.append,
    )
    return loop_, events, dialogue


def spoken(text: str, tmp_path: Path) -> bytes:
    return read_wav(espeak(text, tmp_path / "speech.wav", voice="ko")).pcm + silence(1500)


def is_the_order_phrase(heard: str) -> bool:
    """The speech was recognised: all of ORDER, or all but its first word (the Korean model
    sometimes drops "우유" here; the flag, not the words, is under test)."""
    words = heard.replace(" ", "")
    return words in (ORDER.replace(" ", ""), ORDER.split(" ", 1)[1].replace(" ", ""))


def ask_when_listening(loop_: VoiceLoop, events: list, state: dict, question: str) -> None:
    """Asks as text (so the reply is certain) once the loop listens."""
    if not state.get("asked") and any(isinstance(e, Listening) for e in events):
        loop_._start_reply(SttFinal(question, 1.0), 0.0)
        state["asked"] = True


def test_speech_while_a_reply_plays_is_marked_spoken_over_reply(  # type: ignore[no-untyped-def]
    pulse, feeder, recorded_loop, tmp_path
) -> None:
    loop_, events, dialogue = recorded_loop
    speech = spoken(ORDER, tmp_path)
    state: dict = {}

    def progress() -> bool:
        ask_when_listening(loop_, events, state, "what are your opening hours this week")
        if not state.get("fed") and any(isinstance(e, SpeakingStarted) for e in events):
            # Into the reply, once the echo canceller has adapted to the room (in the reply's
            # first second it still clips the first words of speech over the reply).
            threading.Timer(1.5, feeder.say, args=(speech,)).start()
            state["fed"] = True
        return len(dialogue.sent) >= 2

    run_loop(loop_, progress, limit_s=60)
    assert any(isinstance(e, BargeIn) for e in events), events
    assert len(dialogue.sent) >= 2, events
    question, heard = dialogue.sent[0], dialogue.sent[1]
    assert question == ("what are your opening hours this week", {"spoken_over_reply": False})
    assert is_the_order_phrase(heard[0]), heard
    assert heard[1] == {"spoken_over_reply": True}
    assert [e.spoken_over_reply for e in events if isinstance(e, Heard)] == [False, True]


def test_speech_after_the_reply_has_finished_is_not_marked(  # type: ignore[no-untyped-def]
    pulse, feeder, recorded_loop, tmp_path
) -> None:
    loop_, events, dialogue = recorded_loop
    speech = spoken(ORDER, tmp_path)
    state: dict = {}

    def progress() -> bool:
        ask_when_listening(loop_, events, state, "hi")
        if not state.get("fed") and any(isinstance(e, Spoke) and e.completed for e in events):
            feeder.say(speech)  # the greeting has been played to its end
            state["fed"] = True
        return len(dialogue.sent) >= 2

    run_loop(loop_, progress, limit_s=60)
    assert state.get("fed") and len(dialogue.sent) >= 2, events
    assert not any(isinstance(e, BargeIn) for e in events), events
    text, metadata = dialogue.sent[1]
    assert is_the_order_phrase(text), text
    assert metadata == {"spoken_over_reply": False}


def test_a_yes_over_the_read_back_places_nothing_a_yes_after_it_places_the_order(  # type: ignore[no-untyped-def]
    pulse, feeder, recorded_loop, sqlite_store: Store, tmp_path
) -> None:
    """A shopper with two croissants in the cart checks out; while the order is read back a
    yes is spoken (a TV, or an eager shopper): playback stops, nothing is placed, the
    assistant asks again. A yes after that reply has finished places the order."""
    loop_, events, dialogue = recorded_loop
    with sqlite_store.sessions() as session:
        ensure_customer(session, customer_id=SHOPPER, name="Kiosk")
        add_to_cart(session, customer_id=SHOPPER, sku="CROISSANT", quantity=2)
    yes = spoken(YES, tmp_path)
    state: dict = {}

    def orders() -> int:
        with sqlite_store.sessions() as session:
            return count_orders(session, customer_id=SHOPPER)

    def progress() -> bool:
        ask_when_listening(loop_, events, state, "check out")
        if not state.get("over") and any(isinstance(e, SpeakingStarted) for e in events):
            threading.Timer(1.5, feeder.say, args=(yes,)).start()  # over the read-back
            state["over"] = True
        answered = [i for i, e in enumerate(events) if isinstance(e, Answered)]
        if len(answered) == 2 and "orders_after_over" not in state:
            state["orders_after_over"] = orders()
        asked_again_and_done = len(answered) >= 2 and any(
            isinstance(e, Spoke) and e.completed for e in events[answered[1] :]
        )
        if asked_again_and_done and not state.get("after"):
            feeder.say(yes)  # after the second reply has been played to its end
            state["after"] = True
        return len(answered) >= 3

    run_loop(loop_, progress, limit_s=90)
    replies = [" ".join(e.replies) for e in events if isinstance(e, Answered)]
    assert len(replies) >= 3, events
    assert "confirm" in replies[0].lower(), replies  # the read-back
    assert any(isinstance(e, BargeIn) for e in events), events
    assert dialogue.sent[1] == (YES_HEARD, {"spoken_over_reply": True}), dialogue.sent
    assert state["orders_after_over"] == 0
    assert "placed" not in replies[1].lower(), replies
    assert dialogue.sent[2] == (YES_HEARD, {"spoken_over_reply": False}), dialogue.sent
    assert "placed" in replies[2].lower(), replies
    assert orders() == 1
