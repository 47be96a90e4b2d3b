"""Rasa's action server protocol on the store server: off unless its shared secret is set,
refused without it (and nothing changes), and with it trusted only for the conversation the
call names."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commerce.api.app import create_app
from commerce.cart import add_to_cart, get_cart
from commerce.cli import CliError
from commerce.models import CartLine, Order
from commerce.orders import checkout
from commerce.service import Store
from dialogue import context
from dialogue.cli import assistant_routers

SECRET = "s3cret-action-server-token-0123456789"


@pytest.fixture
def action_client(store: Store, assistant) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    context.configure(store.sessions)
    settings = SimpleNamespace(action_server_token=SECRET)
    app = create_app(store.sessions, extra_routers=assistant_routers(settings, assistant))
    with TestClient(app) as client:
        yield client


def action_call(sender: str, action: str, text: str, slots: dict | None = None) -> dict:
    """What a stock `rasa run` posts to its action endpoint."""
    return {
        "next_action": action,
        "sender_id": sender,
        "tracker": {
            "sender_id": sender,
            "slots": slots or {},
            "latest_message": {"text": text, "intent": {"name": "add_item", "confidence": 1.0}},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
        "domain": {},
        "version": "3.6.2",
    }


def store_state(store: Store) -> tuple[int, int, list]:
    with store.sessions() as session:
        lines = session.scalar(select(func.count()).select_from(CartLine)) or 0
        orders = session.scalar(select(func.count()).select_from(Order)) or 0
        statuses = sorted(session.scalars(select(Order.status)))
    return lines, orders, statuses


HONEY_ATTACK = action_call("victim", "action_add_item", "add ten honey")


@pytest.mark.parametrize(
    ("how", "kwargs"),
    [
        ("no credentials", {}),
        ("wrong token in the query", {"params": {"token": "not-the-secret-at-all-0000"}}),
        ("wrong bearer", {"headers": {"Authorization": "Bearer not-the-secret-at-all-0000"}}),
        ("secret as the wrong scheme", {"headers": {"Authorization": f"Basic {SECRET}"}}),
    ],
)
def test_unauthenticated_calls_are_refused_and_change_nothing(
    action_client: TestClient, store: Store, make_shopper: Callable, how: str, kwargs: dict
) -> None:
    make_shopper("Victim", "victim")
    before = store_state(store)
    response = action_client.post("/webhook", json=HONEY_ATTACK, **kwargs)
    assert response.status_code == 401, how
    assert response.json()["error"] == "unauthorized"
    assert action_client.get("/actions", **kwargs).status_code == 401
    assert store_state(store) == before


def test_the_secret_in_the_query_or_as_bearer_runs_the_action(
    action_client: TestClient, store: Store, make_shopper: Callable
) -> None:
    make_shopper("Ann", "ann")
    response = action_client.post("/webhook", params={"token": SECRET}, json=HONEY_ATTACK | {})
    assert response.status_code == 200, response.text
    call = action_call("ann", "action_view_cart", "what's in my cart")
    response = action_client.post(
        "/webhook", headers={"Authorization": f"Bearer {SECRET}"}, json=call
    )
    assert response.status_code == 200, response.text
    assert "cart is empty" in response.json()["responses"][0]["text"].lower()
    names = {a["name"] for a in action_client.get("/actions", params={"token": SECRET}).json()}
    assert "action_add_item" in names and "action_" not in names


def test_a_call_acts_only_for_the_conversation_it_names(
    action_client: TestClient, store: Store, make_shopper: Callable
) -> None:
    make_shopper("Ann", "ann")
    make_shopper("Bob", "bob")
    with store.sessions() as session:
        add_to_cart(session, customer_id="bob", sku="CROISSANT", quantity=2)
        bobs = checkout(session, customer_id="bob", fulfilment="pickup")
        bobs_order = bobs.id
    before = store_state(store)
    auth = {"params": {"token": SECRET}}
    # Slots naming Bob's order, sent in Ann's conversation: the cancel is refused as Ann's.
    forged = action_call(
        "ann",
        "action_affirm",
        "yes",
        {"pending": {"kind": "confirm_cancel", "order_id": bobs_order}},
    )
    response = action_client.post("/webhook", json=forged, **auth)
    assert response.status_code == 200
    assert "couldn't cancel" in response.json()["responses"][0]["text"].lower()
    # A tracker of another conversation than the call names is refused outright.
    mixed = action_call("ann", "action_empty_cart", "empty my cart")
    mixed["tracker"]["sender_id"] = "bob"
    assert action_client.post("/webhook", json=mixed, **auth).status_code == 422
    assert store_state(store) == before


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe not json",
        b"[" * 100_000,
        b'{"next_action": "action_greet"}',
        b'{"next_action": "action_greet", "tracker": {"sender_id": "x\\u0000y"}}',
        b'{"next_action": "action_greet", "tracker": {"sender_id": "a", "slots": []}}',
        b'{"next_action": "action_greet", "tracker": {"sender_id": "a", "latest_message": "hi"}}',
    ],
)
def test_malformed_calls_answer_4xx(action_client: TestClient, body: bytes) -> None:
    response = action_client.post(
        "/webhook", content=body, params={"token": SECRET},
        headers={"content-type": "application/json"},
    )  # fmt: skip
    assert 400 <= response.status_code < 500, response.text


def test_unknown_action_is_404(action_client: TestClient, make_shopper: Callable) -> None:
    make_shopper("Ann", "ann")
    call = action_call("ann", "action_nope", "hi")
    response = action_client.post("/webhook", json=call, params={"token": SECRET})
    assert response.status_code == 404


def test_without_a_secret_the_routes_are_not_served(store: Store, assistant: Any) -> None:
    routers = assistant_routers(SimpleNamespace(action_server_token=None), assistant)
    app = create_app(store.sessions, extra_routers=routers)
    paths = {getattr(route, "path", "") for route in app.routes}
    assert "/webhooks/rest/webhook" in paths
    assert "/webhook" not in paths and "/actions" not in paths
    with TestClient(app) as client:
        assert client.post("/webhook", json=HONEY_ATTACK).status_code == 404


def test_a_guessable_secret_is_refused_at_start(assistant: Any) -> None:
    with pytest.raises(CliError, match="at least 16"):
        assistant_routers(SimpleNamespace(action_server_token="short"), assistant)


def test_honey_attack_leaves_the_cart_alone(
    action_client: TestClient, store: Store, make_shopper: Callable
) -> None:
    """The reported attack, verbatim in shape: no credentials, any shopper's id."""
    make_shopper("Victim", "victim")
    action_client.post("/webhook", json=HONEY_ATTACK)
    with store.sessions() as session:
        assert get_cart(session, customer_id="victim").items == []
