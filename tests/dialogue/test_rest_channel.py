"""The HTTP text channel (Rasa REST channel compatible) through the real app and assistant."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from commerce.api.app import create_app
from commerce.service import Store
from dialogue import context
from dialogue.channels import text_channel_router


@pytest.fixture
def chat_client(store: Store, assistant) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    context.configure(store.sessions)
    assistant.reset_conversations()
    app = create_app(
        store.sessions,
        extra_routers=[text_channel_router(assistant)],
    )
    with TestClient(app) as client:
        yield client


def say(client: TestClient, headers: dict[str, str], text: str) -> list[dict]:
    response = client.post(
        "/webhooks/rest/webhook", json={"sender": "me", "message": text}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_order_over_the_rest_channel(chat_client: TestClient, make_shopper: Callable) -> None:
    ann = make_shopper("Ann")
    replies = say(chat_client, ann.headers, "hi")
    assert replies and replies[0]["recipient_id"] == "me"
    assert "Rosa" in replies[0]["text"]
    say(chat_client, ann.headers, "two croissants please")
    read_back = " ".join(r["text"] for r in say(chat_client, ann.headers, "check out"))
    assert "confirm" in read_back.lower()
    say(chat_client, ann.headers, "yes")
    orders = chat_client.get("/orders", headers=ann.headers).json()
    assert [(i["sku"], i["qty"]) for i in orders[0]["items"]] == [("CROISSANT", 2)]


def test_shoppers_have_separate_conversations(chat_client: TestClient, make_shopper) -> None:  # type: ignore[no-untyped-def]
    ann, bob = make_shopper("Ann"), make_shopper("Bob")
    say(chat_client, ann.headers, "two croissants please")
    say(chat_client, ann.headers, "check out")
    # Bob's yes answers nothing of Ann's: no order for anyone.
    say(chat_client, bob.headers, "yes")
    assert chat_client.get("/orders", headers=ann.headers).json() == []
    assert chat_client.get("/cart", headers=bob.headers).json()["items"] == []


def test_the_channel_needs_a_shopper_token(chat_client: TestClient) -> None:
    response = chat_client.post("/webhooks/rest/webhook", json={"sender": "x", "message": "hi"})
    assert response.status_code == 401 and "Bearer" in response.json()["detail"]
    bad = chat_client.post(
        "/webhooks/rest/webhook", json={"message": 3}, headers={"Authorization": "Bearer nope"}
    )
    assert 400 <= bad.status_code < 500
