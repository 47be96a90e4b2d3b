"""Custom actions replayed on recorded trackers (tests/dialogue/record_trackers.py), against a
real store: the action's replies, its slot events and what it did to the cart and orders."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from commerce.accounts import ensure_customer
from commerce.cart import add_to_cart, get_cart
from commerce.orders import list_orders
from commerce.service import Store
from dialogue import context
from dialogue.actions import shopping

TRACKERS = Path(__file__).resolve().parent / "trackers"


def replay(action: shopping.ShopAction, name: str, store: Store) -> tuple[list[str], dict]:
    state = json.loads((TRACKERS / f"{name}.json").read_text())
    tracker = Tracker.from_dict(state)
    context.configure(store.sessions)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    texts = [m["text"] for m in dispatcher.messages]
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    return texts, slots


@pytest.fixture
def shopper_rec(store: Store) -> str:
    with store.sessions() as session:
        ensure_customer(session, customer_id="rec", name="Rec")
    return "rec"


def test_choose_answers_which_one(store: Store, shopper_rec: str) -> None:
    texts, slots = replay(shopping.ActionChoose(), "choose_oat_milk", store)
    assert "oat milk" in " ".join(texts).lower()
    assert slots["pending"] is None
    with store.sessions() as session:
        assert get_cart(session, customer_id="rec").quantities == {"MILK-OAT-1L": 1}


def test_affirm_places_the_order_read_back(store: Store, shopper_rec: str) -> None:
    with store.sessions() as session:
        add_to_cart(session, customer_id="rec", sku="CROISSANT", quantity=2)
    texts, slots = replay(shopping.ActionAffirm(), "confirm_checkout", store)
    assert "order number" in " ".join(texts).lower()
    with store.sessions() as session:
        (order,) = list_orders(session, customer_id="rec")
        assert [(line.sku, line.quantity) for line in order.lines] == [("CROISSANT", 2)]
        assert get_cart(session, customer_id="rec").items == []


def test_affirm_refuses_when_the_price_moved(store: Store, shopper_rec: str) -> None:
    """The shopper heard one total; if the catalog changed since, nothing is placed."""
    from commerce.catalog import update_product

    with store.sessions() as session:
        add_to_cart(session, customer_id="rec", sku="CROISSANT", quantity=2)
        update_product(session, sku="CROISSANT", changes={"price_cents": 300})
    texts, _ = replay(shopping.ActionAffirm(), "confirm_checkout", store)
    assert "prices changed" in " ".join(texts).lower()
    with store.sessions() as session:
        assert list_orders(session, customer_id="rec") == []


def test_deny_keeps_the_cart_and_places_nothing(store: Store, shopper_rec: str) -> None:
    with store.sessions() as session:
        add_to_cart(session, customer_id="rec", sku="CROISSANT", quantity=2)
    texts, slots = replay(shopping.ActionDeny(), "decline_checkout", store)
    assert "haven't placed" in " ".join(texts).lower()
    assert slots["pending"] is None
    with store.sessions() as session:
        assert list_orders(session, customer_id="rec") == []
        assert get_cart(session, customer_id="rec").quantities == {"CROISSANT": 2}


def test_correction_sets_the_quantity(store: Store, shopper_rec: str) -> None:
    with store.sessions() as session:
        add_to_cart(session, customer_id="rec", sku="BAGEL", quantity=1)
    action = shopping.ActionChangeItem()
    texts, _ = replay(action, "correct_quantity", store)
    assert "three" in " ".join(texts).lower()
    with store.sessions() as session:
        assert get_cart(session, customer_id="rec").quantities == {"BAGEL": 3}


def test_open_handoff_stops_all_actions(store: Store, shopper_rec: str) -> None:
    from commerce.handoffs import open_handoff

    with store.sessions() as session:
        add_to_cart(session, customer_id="rec", sku="CROISSANT", quantity=2)
        open_handoff(session, customer_id="rec", reason="test", conversation=[])
    texts, _ = replay(shopping.ActionAffirm(), "confirm_checkout", store)
    assert "staff" in " ".join(texts).lower()
    with store.sessions() as session:
        assert list_orders(session, customer_id="rec") == []
