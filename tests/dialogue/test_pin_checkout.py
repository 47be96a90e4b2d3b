"""Voice purchasing with the real assistant: the PIN after the yes, a yes spoken over the
assistant's reply (the device's `spoken_over_reply` metadata) never placing an order, and the
PIN's digits never stored in the conversation (Rasa's SQL tracker store, handoff records)."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

from commerce.accounts import ensure_customer
from commerce.cart import add_to_cart, get_cart
from commerce.handoffs import active_handoff
from commerce.orders import list_orders
from commerce.purchase_guard import set_pin
from commerce.service import Store
from dialogue import context
from dialogue.runtime import tracker_store_for

SPOKEN_OVER = {"spoken_over_reply": True}
PIN_FORMS = ("4821", "4 8 2 1", "four eight two one", "1234", "one two three four")
# A PIN as a number of its own (not inside a timestamp or an id), or said in words.
# Bounded by anything but word characters, dots and dashes: message ids are hex and timestamps
# decimals, and either can contain the digits "1234" by chance (a CI run once found one).
PIN_PATTERN = re.compile(
    r"(?<![\w.-])(?:4821|1234|4 8 2 1|1 2 3 4)(?![\w.-])|four eight two one|one two three four"
)


def say(
    assistant: Any,
    loop: asyncio.AbstractEventLoop,
    sender: str,
    text: str,
    metadata: dict | None = None,
) -> str:
    """One turn through Rasa's agent, with message metadata as a device sends it."""
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    message = UserMessage(text, CollectingOutputChannel(), sender, metadata=metadata)
    replies = loop.run_until_complete(assistant.agent.handle_message(message)) or []
    return " ".join(r.get("text", "") for r in replies)


def _shopper(store: Store, customer_id: str, *, pin: str | None = None) -> None:
    with store.sessions() as session:
        ensure_customer(session, customer_id=customer_id, name=customer_id.title())
        add_to_cart(session, customer_id=customer_id, sku="CROISSANT", quantity=2)
        if pin:
            set_pin(session, customer_id=customer_id, pin=pin)
            session.commit()


def _orders(store: Store, customer_id: str) -> list:
    with store.sessions() as session:
        return list_orders(session, customer_id=customer_id)


def test_a_yes_spoken_over_the_reply_never_places_the_order(
    store: Store, assistant: Any, loop: asyncio.AbstractEventLoop
) -> None:
    context.configure(store.sessions)
    assistant.reset_conversations()
    _shopper(store, "tv")
    assert "confirm" in say(assistant, loop, "tv", "check out").lower()
    over = say(assistant, loop, "tv", "yes", SPOKEN_OVER)
    assert "after i've finished reading the order" in over.lower()
    assert "order number" not in over.lower() and _orders(store, "tv") == []
    again = say(assistant, loop, "tv", "yes, place the order", SPOKEN_OVER)
    assert "order number" not in again.lower() and _orders(store, "tv") == []
    # The read-back is still pending: a clear yes places it.
    placed = say(assistant, loop, "tv", "yes")
    assert "order number" in placed.lower()
    assert [(line.sku, line.quantity) for line in _orders(store, "tv")[0].lines] == [
        ("CROISSANT", 2)
    ]


def test_corrections_and_no_work_as_usual_when_spoken_over(
    store: Store, assistant: Any, loop: asyncio.AbstractEventLoop
) -> None:
    context.configure(store.sessions)
    assistant.reset_conversations()
    _shopper(store, "radio")
    say(assistant, loop, "radio", "check out")
    changed = say(assistant, loop, "radio", "no, three croissants", SPOKEN_OVER)
    assert "three butter croissants" in changed.lower() and "confirm" in changed.lower()
    with store.sessions() as session:
        assert get_cart(session, customer_id="radio").quantities == {"CROISSANT": 3}
    declined = say(assistant, loop, "radio", "no thanks", SPOKEN_OVER)
    assert "haven't placed" in declined.lower()
    assert _orders(store, "radio") == []


def test_pin_digits_spoken_over_the_reply_do_not_place_the_order(
    store: Store, assistant: Any, loop: asyncio.AbstractEventLoop
) -> None:
    context.configure(store.sessions)
    assistant.reset_conversations()
    _shopper(store, "pinned", pin="4821")
    say(assistant, loop, "pinned", "check out")
    assert "voice pin" in say(assistant, loop, "pinned", "yes").lower()
    over = say(assistant, loop, "pinned", "four eight two one", SPOKEN_OVER)
    assert "voice pin" in over.lower() and _orders(store, "pinned") == []
    placed = say(assistant, loop, "pinned", "four eight two one")
    assert "order number" in placed.lower() and len(_orders(store, "pinned")) == 1
    assert not any(form in (over + placed).lower() for form in PIN_FORMS)


def test_the_lock_lives_in_the_database_not_in_slots(
    store: Store, assistant: Any, loop: asyncio.AbstractEventLoop
) -> None:
    """A fresh conversation (no slots at all) is still locked after three wrong PINs."""
    context.configure(store.sessions)
    assistant.reset_conversations()
    _shopper(store, "locky", pin="4821")
    say(assistant, loop, "locky", "check out")
    say(assistant, loop, "locky", "yes")
    for wrong in ("one one one one", "two two two two", "three three three three"):
        reply = say(assistant, loop, "locky", wrong)
    assert "locked" in reply.lower()
    assistant.reset_conversations()
    refused = say(assistant, loop, "locky", "check out")
    assert "locked" in refused.lower() and "confirm" not in refused.lower()
    assert _orders(store, "locky") == []


def test_pin_answers_are_masked_in_the_tracker_store_and_handoffs(
    store: Store,
    database_url: str,
    assistant: Any,
    loop: asyncio.AbstractEventLoop,
    tmp_path: Path,
) -> None:
    context.configure(store.sessions)
    _shopper(store, "masked", pin="4821")
    tracker_store = tracker_store_for(database_url, tmp_path)
    original = assistant.use_tracker_store(tracker_store)
    try:
        say(assistant, loop, "masked", "check out")
        say(assistant, loop, "masked", "yes")
        assert "isn't right" in say(assistant, loop, "masked", "one two three four")
        assert "order number" in say(assistant, loop, "masked", "four eight two one").lower()
        say(assistant, loop, "masked", "I want to talk to a real person")

        # Every event as stored, read back from the SQL tracker store's table.
        with tracker_store.session_scope() as session:
            rows = [
                json.loads(row.data)
                for row in session.query(tracker_store.SQLEvent).filter_by(sender_id="masked")
            ]
        stored = json.dumps(rows).lower()
        assert PIN_PATTERN.findall(stored) == [], stored
        said = [row["text"] for row in rows if row.get("event") == "user"]
        assert said[2:4] == ["****", "****"] and said[0] == "check out"
        masked = [row for row in rows if row.get("event") == "user" and row["text"] == "****"]
        assert all(row["parse_data"]["text"] == "****" for row in masked)

        with store.sessions() as db:
            handoff = active_handoff(db, customer_id="masked")
        assert handoff is not None
        recorded = json.dumps(handoff.conversation).lower()
        assert "****" in recorded
        assert PIN_PATTERN.findall(recorded) == [], recorded
        tracker_store.engine.dispose()
    finally:
        assistant.use_tracker_store(original)
