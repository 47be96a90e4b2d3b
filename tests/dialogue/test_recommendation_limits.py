"""Recommendations: one sentence, at most one a conversation unless the shopper asks again
in so many words, and never a product they said no to. Turns run through the dispatcher on
the real demo store (what the Rasa actions do, without the classifier)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

import pytest
from sqlalchemy.orm import Session

from commerce.accounts import ensure_customer
from commerce.cart import add_to_cart, get_cart
from commerce.orders import record_past_order
from commerce.service import Store
from dialogue.capabilities import dispatch
from dialogue.capabilities.pending import SuggestProduct, from_slot
from dialogue.capabilities.turns import Turn


class Conversation:
    def __init__(self, session: Session, customer_id: str) -> None:
        self.session, self.customer_id = session, customer_id
        self.slots: dict[str, Any] = {}

    def turn(self, intent: str, text: str) -> Turn:
        turn = Turn(
            session=self.session,
            customer_id=self.customer_id,
            text=text,
            intent=intent,
            slots=dict(self.slots),
            now=datetime(2026, 11, 25, 15, tzinfo=timezone.utc),
        )
        dispatch.run_turn(turn, intent)
        self.slots.update(turn.updates)
        return turn

    def suggested(self) -> str | None:
        pending = from_slot(self.slots.get("pending"))
        return pending.sku if isinstance(pending, SuggestProduct) else None


@pytest.fixture
def chat(store: Store) -> Any:
    with store.sessions() as session:
        # Other shoppers' habits: croissants go with lattes, then with honey, then jam.
        for number, items in enumerate(
            [{"CROISSANT": 1, "LATTE": 1}] * 3 + [{"CROISSANT": 1, "HONEY": 1}] * 2
        ):
            ensure_customer(session, customer_id=f"regular{number}")
            record_past_order(session, customer_id=f"regular{number}", items=items)
        ensure_customer(session, customer_id="kim")
        add_to_cart(session, customer_id="kim", sku="CROISSANT", quantity=1)
        yield Conversation(session, "kim")


def one_sentence(text: str) -> bool:
    return len(re.findall(r"[.?!](?:\s|$)", text)) == 1


def test_a_recommendation_is_one_sentence(chat: Conversation) -> None:
    turn = chat.turn("recommend", "what goes with the croissant")
    (said,) = turn.messages
    assert chat.suggested() == "LATTE" and one_sentence(said), said
    assert "latte" in said.lower() and "4 dollars 20" in said


def test_a_declined_product_is_never_suggested_again(chat: Conversation) -> None:
    chat.turn("recommend", "what goes with the croissant")
    assert chat.suggested() == "LATTE"
    chat.turn("deny", "no thanks")
    assert chat.slots["declined"] == ["LATTE"]
    again = chat.turn("recommend", "what else would you recommend with it")
    assert chat.suggested() not in (None, "LATTE"), again.messages
    assert "latte" not in " ".join(again.messages).lower()
    assert get_cart(chat.session, customer_id="kim").quantities == {"CROISSANT": 1}


def test_a_second_recommendation_needs_an_explicit_ask(chat: Conversation) -> None:
    chat.turn("recommend", "what goes with the croissant")
    chat.turn("deny", "no thanks")
    vague = chat.turn("recommend", "hmm anything")
    assert chat.suggested() is None and chat.slots["recommended"] == 1, vague.messages
    assert one_sentence(" ".join(vague.messages))
    chat.turn("recommend", "any other suggestions")
    assert chat.suggested() == "HONEY" and chat.slots["recommended"] == 2
