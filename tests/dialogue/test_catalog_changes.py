"""Catalog changes through the staff API reach the very next turn: a rename is understood
(and the old name no longer is), a new price is quoted, a stock-out refuses the add and a
deleted product cannot be ordered. The index is patched, not rebuilt (commerce.live_index)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from .test_rest_channel import chat_client, say  # noqa: F401 - chat_client is a fixture


def replies(client: TestClient, headers: dict[str, str], text: str) -> str:
    return " ".join(r.get("text", "") for r in say(client, headers, text))


def cart_lines(client: TestClient, headers: dict[str, str]) -> list[tuple[str, int]]:
    cart = client.get("/cart", headers=headers).json()
    return [(i["sku"], i["qty"]) for i in cart["items"]]


def test_rename_is_understood_next_turn_and_the_old_name_is_not(
    chat_client: TestClient,  # noqa: F811 - the imported fixture
    make_shopper: Callable,
    admin_headers: dict[str, str],
) -> None:
    ann = make_shopper("Ann")
    say(chat_client, ann.headers, "two croissants please")
    assert cart_lines(chat_client, ann.headers) == [("CROISSANT", 2)]
    renamed = chat_client.patch(
        "/admin/products/CROISSANT",
        json={"name": "Almond Twist", "aliases": ["twist", "almond twist"]},
        headers=admin_headers,
    )
    assert renamed.status_code == 200, renamed.text
    say(chat_client, ann.headers, "and one almond twist")
    assert cart_lines(chat_client, ann.headers) == [("CROISSANT", 3)]
    say(chat_client, ann.headers, "add a croissant")
    assert cart_lines(chat_client, ann.headers) == [("CROISSANT", 3)]


def test_new_price_is_quoted_next_turn(
    chat_client: TestClient,  # noqa: F811
    make_shopper: Callable,
    admin_headers: dict[str, str],
) -> None:
    ann = make_shopper("Ann")
    # Prices are spoken: "2 dollars 80".
    assert "2 dollars 80" in replies(chat_client, ann.headers, "how much is a croissant?")
    changed = chat_client.put(
        "/admin/products/CROISSANT/price", json={"price": "3.15"}, headers=admin_headers
    )
    assert changed.status_code == 200, changed.text
    answer = replies(chat_client, ann.headers, "how much is a croissant?")
    assert "3 dollars 15" in answer and "2 dollars 80" not in answer


def test_stock_out_refuses_the_next_add_and_deletion_stops_orders(
    chat_client: TestClient,  # noqa: F811
    make_shopper: Callable,
    admin_headers: dict[str, str],
) -> None:
    ann = make_shopper("Ann")
    out = chat_client.put(
        "/admin/products/MUFFIN-BLUE/stock", json={"stock": 0}, headers=admin_headers
    )
    assert out.status_code == 200, out.text
    answer = replies(chat_client, ann.headers, "a blueberry muffin please")
    assert "muffin" in answer.lower()
    assert cart_lines(chat_client, ann.headers) == []
    deleted = chat_client.delete("/admin/products/BAGEL", headers=admin_headers)
    assert deleted.status_code == 204, deleted.text
    say(chat_client, ann.headers, "two bagels please")
    assert cart_lines(chat_client, ann.headers) == []
