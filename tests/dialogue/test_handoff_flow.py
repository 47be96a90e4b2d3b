"""Human handoff end to end over HTTP: the shopper asks for a person; staff see the
conversation and the cart; the assistant takes no actions until staff release it."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from .test_rest_channel import chat_client, say  # noqa: F401 - chat_client is a fixture


def test_handoff_is_listed_for_staff_and_released(
    chat_client: TestClient,  # noqa: F811 - the imported fixture
    make_shopper: Callable,
    admin_headers: dict[str, str],
) -> None:
    ann = make_shopper("Ann")
    say(chat_client, ann.headers, "two croissants please")
    say(chat_client, ann.headers, "I want to talk to a real person")
    (handoff,) = chat_client.get("/admin/handoffs", headers=admin_headers).json()
    assert handoff["customer_id"] == ann.id and handoff["status"] == "open"
    said = [line["text"] for line in handoff["conversation"]]
    assert said[0] == "two croissants please" and "real person" in said[-1]
    assert [(i["sku"], i["qty"]) for i in handoff["cart"]] == [("CROISSANT", 2)]

    # While a person has the conversation, the assistant changes nothing.
    replies = " ".join(r["text"] for r in say(chat_client, ann.headers, "add a bagel"))
    assert "staff" in replies.lower()
    assert [i["sku"] for i in chat_client.get("/cart", headers=ann.headers).json()["items"]] == [
        "CROISSANT"
    ]

    released = chat_client.post(f"/admin/handoffs/{handoff['id']}/release", headers=admin_headers)
    assert released.status_code == 200 and released.json()["status"] == "released"
    assert chat_client.get("/admin/handoffs", headers=admin_headers).json() == []
    say(chat_client, ann.headers, "add a bagel")
    cart = chat_client.get("/cart", headers=ann.headers).json()["items"]
    assert sorted(i["sku"] for i in cart) == ["BAGEL", "CROISSANT"]
    again = chat_client.post(f"/admin/handoffs/{handoff['id']}/release", headers=admin_headers)
    assert again.status_code == 409


def test_a_notice_is_in_the_conversation_staff_see(
    chat_client: TestClient,  # noqa: F811 - the imported fixture
    make_shopper: Callable,
    admin_headers: dict[str, str],
) -> None:
    """A notice delivered on a poll is part of the conversation a handoff records."""
    ann = make_shopper("Ann")
    chat_client.post("/cart/items", json={"sku": "CROISSANT", "qty": 1}, headers=ann.headers)
    order = chat_client.post("/checkout", json={"fulfilment": "pickup"}, headers=ann.headers)
    order_id = order.json()["id"]
    for status in ("preparing", "ready"):
        moved = chat_client.patch(
            f"/admin/orders/{order_id}", json={"status": status}, headers=admin_headers
        )
        assert moved.status_code == 200, moved.text
    notice = f"Your order number {order_id} is ready for pickup."
    polled = chat_client.get("/webhooks/rest/notices", headers=ann.headers).json()
    assert [n["text"] for n in polled] == [notice]
    say(chat_client, ann.headers, "I want to talk to a real person")
    (handoff,) = chat_client.get("/admin/handoffs", headers=admin_headers).json()
    said = [(line["speaker"], line["text"]) for line in handoff["conversation"]]
    assert said.count(("assistant", notice)) == 1, said


def test_staff_reply_reaches_the_shopper_on_their_next_turn(
    chat_client: TestClient,  # noqa: F811 - the imported fixture
    make_shopper: Callable,
    admin_headers: dict[str, str],
) -> None:
    ann = make_shopper("Ann")
    say(chat_client, ann.headers, "I want to talk to a real person")
    (handoff,) = chat_client.get("/admin/handoffs", headers=admin_headers).json()
    # What the shopper says while waiting is kept for staff to read.
    say(chat_client, ann.headers, "is anyone there?")
    sent = chat_client.post(
        f"/admin/handoffs/{handoff['id']}/messages",
        json={"text": "Yes, Dana here. How can I help?"},
        headers=admin_headers,
    )
    assert sent.status_code == 200, sent.text
    said = [(line["speaker"], line["text"]) for line in sent.json()["conversation"]]
    assert said[-2:] == [
        ("shopper", "is anyone there?"),
        ("staff", "Yes, Dana here. How can I help?"),
    ]
    replies = [r["text"] for r in say(chat_client, ann.headers, "do you have oat milk?")]
    assert replies[0] == "Yes, Dana here. How can I help?"
    # Told once: the next turn does not repeat it.
    again = [r["text"] for r in say(chat_client, ann.headers, "hello?")]
    assert "Yes, Dana here. How can I help?" not in again
