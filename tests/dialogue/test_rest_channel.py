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


def poll(client: TestClient, headers: dict[str, str]) -> list[str]:
    response = client.get("/webhooks/rest/notices", params={"sender": "me"}, headers=headers)
    assert response.status_code == 200, response.text
    assert all(r["recipient_id"] == "me" for r in response.json())
    return [r["text"] for r in response.json()]


def staff_moves(store: Store, order_id: int, *statuses: str) -> None:
    from commerce.orders import set_order_status

    with store.sessions() as session:
        for status in statuses:
            set_order_status(session, order_id=order_id, status=status, changed_by="staff:kim")


def place_order(client: TestClient, headers: dict[str, str]) -> int:
    client.post("/cart/items", json={"sku": "CROISSANT", "qty": 2}, headers=headers)
    response = client.post("/checkout", json={"fulfilment": "pickup"}, headers=headers)
    assert response.status_code in (200, 201), response.text
    return int(response.json()["id"])


def history(assistant, sender: str) -> list[str]:  # type: ignore[no-untyped-def]
    import asyncio

    tracker = asyncio.run(assistant.agent.tracker_store.retrieve(sender))
    return [e.text for e in tracker.events if e.type_name == "bot" and e.text]


def test_a_notice_comes_before_the_reply_to_the_next_message_once(
    chat_client: TestClient, make_shopper: Callable, store: Store, assistant
) -> None:  # type: ignore[no-untyped-def]
    ann = make_shopper("Ann")
    order_id = place_order(chat_client, ann.headers)
    staff_moves(store, order_id, "preparing", "ready")
    texts = [r["text"] for r in say(chat_client, ann.headers, "what time do you close")]
    notice = f"Your order number {order_id} is ready for pickup."
    assert texts[0] == notice and len(texts) > 1
    again = [r["text"] for r in say(chat_client, ann.headers, "thanks")]
    assert notice not in again
    assert poll(chat_client, ann.headers) == []
    # In the conversation history once, before the reply it came with.
    said = history(assistant, ann.id)
    assert said.count(notice) == 1 and said.index(notice) == said.index(texts[1]) - 1


def test_an_idle_client_polls_for_its_own_notices(
    chat_client: TestClient, make_shopper: Callable, store: Store, assistant
) -> None:  # type: ignore[no-untyped-def]
    ann, bob = make_shopper("Ann"), make_shopper("Bob")
    order_id = place_order(chat_client, ann.headers)
    assert poll(chat_client, ann.headers) == []
    staff_moves(store, order_id, "preparing", "ready")
    assert poll(chat_client, bob.headers) == []  # Bob's token never sees Ann's notices
    notice = f"Your order number {order_id} is ready for pickup."
    assert poll(chat_client, ann.headers) == [notice]
    assert poll(chat_client, ann.headers) == []
    assert notice not in [r["text"] for r in say(chat_client, ann.headers, "hi")]
    assert history(assistant, ann.id).count(notice) == 1


def test_polling_needs_a_shopper_token(chat_client: TestClient) -> None:
    response = chat_client.get("/webhooks/rest/notices")
    assert response.status_code == 401 and "Bearer" in response.json()["detail"]
    long_sender = chat_client.get(
        "/webhooks/rest/notices",
        params={"sender": "x" * 201},
        headers={"Authorization": "Bearer x"},
    )
    assert 400 <= long_sender.status_code < 500
