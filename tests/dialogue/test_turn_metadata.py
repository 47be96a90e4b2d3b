"""Turn metadata (`spoken_over_reply` from the voice loop) reaches the dialogue from both device
clients: in-process through `Assistant.respond(metadata=...)`, and over HTTP in the REST
channel body. Real assistant, real app, real store."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from commerce.api.app import create_app
from commerce.cart import add_to_cart
from commerce.orders import count_orders
from commerce.service import Store
from device.dialogue_clients import HttpDialogue, InProcessDialogue
from dialogue import context
from dialogue.channels import MAX_METADATA_JSON_CHARS, MAX_METADATA_KEYS, text_channel_router


def latest_user_metadata(assistant, sender: str, loop: asyncio.AbstractEventLoop) -> dict:  # type: ignore[no-untyped-def]
    tracker = loop.run_until_complete(assistant.agent.tracker_store.retrieve(sender))
    users = [e for e in tracker.events if e.type_name == "user"]
    return dict(users[-1].metadata or {})


@pytest.fixture
def app(store: Store, assistant):  # type: ignore[no-untyped-def]
    context.configure(store.sessions)
    assistant.reset_conversations()
    return create_app(store.sessions, extra_routers=[text_channel_router(assistant)])


def test_respond_metadata_is_the_user_event_metadata(store: Store, assistant, loop) -> None:  # type: ignore[no-untyped-def]
    context.configure(store.sessions)
    assistant.reset_conversations()
    dialogue = InProcessDialogue(assistant, "meta")
    loop.run_until_complete(dialogue.respond("hi", metadata={"spoken_over_reply": True}))
    assert latest_user_metadata(assistant, "meta", loop).get("spoken_over_reply") is True
    loop.run_until_complete(dialogue.respond("hi", metadata={"spoken_over_reply": False}))
    assert latest_user_metadata(assistant, "meta", loop).get("spoken_over_reply") is False
    replies = loop.run_until_complete(dialogue.respond("hi"))  # no metadata: same replies
    assert "spoken_over_reply" not in latest_user_metadata(assistant, "meta", loop)
    assert replies and "Rosa" in replies[0]


def test_http_dialogue_carries_the_flag_to_the_read_back(  # type: ignore[no-untyped-def]
    app, store: Store, assistant, make_shopper: Callable, loop
) -> None:
    """The device's HTTP client against the real REST channel: a yes marked as spoken over
    the reply leaves the read-back pending and places nothing; a clear yes places it."""
    ann = make_shopper("Ann")
    with store.sessions() as session:
        add_to_cart(session, customer_id=ann.id, sku="CROISSANT", quantity=2)
    dialogue = HttpDialogue("http://store.test", ann.token)
    dialogue.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), timeout=30)

    def say(text: str, over: bool) -> str:
        replies = loop.run_until_complete(
            dialogue.respond(text, metadata={"spoken_over_reply": over})
        )
        assert latest_user_metadata(assistant, ann.id, loop)["spoken_over_reply"] is over
        return " ".join(replies).lower()

    assert "confirm" in say("check out", over=False)
    refused = say("yes", over=True)
    assert "placed" not in refused and "yes" in refused, refused
    with store.sessions() as session:
        assert count_orders(session, customer_id=ann.id) == 0
    assert "placed" in say("yes", over=False)
    with store.sessions() as session:
        assert count_orders(session, customer_id=ann.id) == 1
    loop.run_until_complete(dialogue.client.aclose())


@pytest.fixture
def chat(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize(
    ("metadata", "reason"),
    [
        ({f"k{i}": 1 for i in range(MAX_METADATA_KEYS + 1)}, "more than 20 keys"),
        ({"note": "x" * MAX_METADATA_JSON_CHARS}, "longer than 2000 characters"),
        (["spoken_over_reply"], "dict"),
        ("yes", "dict"),
    ],
)
def test_metadata_is_bounded(chat: TestClient, make_shopper, metadata, reason) -> None:  # type: ignore[no-untyped-def]
    ann = make_shopper("Ann")
    response = chat.post(
        "/webhooks/rest/webhook",
        json={"sender": "me", "message": "hi", "metadata": metadata},
        headers=ann.headers,
    )
    assert response.status_code == 422, response.text
    assert reason in response.text
