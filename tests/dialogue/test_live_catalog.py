"""Catalog independence: a product added or renamed through the staff API is orderable on
the very next turn, with no retraining."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from .test_rest_channel import chat_client, say  # noqa: F401 - chat_client is a fixture


def test_new_and_renamed_products_are_orderable_at_once(
    chat_client: TestClient,  # noqa: F811 - the imported fixture
    make_shopper: Callable,
    admin_headers: dict[str, str],  # noqa: F811
) -> None:
    ann = make_shopper("Ann")
    created = chat_client.post(
        "/admin/products",
        json={
            "sku": "KOMBUCHA",
            "name": "Ginger Kombucha",
            "price": "3.75",
            "stock": 12,
            "aliases": ["kombucha", "booch"],
            "category": "drinks",
        },
        headers=admin_headers,
    )
    assert created.status_code == 201, created.text
    replies = " ".join(r["text"] for r in say(chat_client, ann.headers, "two kombuchas please"))
    assert "kombucha" in replies.lower()
    renamed = chat_client.patch(
        "/admin/products/KOMBUCHA",
        json={"name": "Hibiscus Switchel", "aliases": ["switchel"]},
        headers=admin_headers,
    )
    assert renamed.status_code == 200, renamed.text
    say(chat_client, ann.headers, "and a switchel")
    cart = chat_client.get("/cart", headers=ann.headers).json()
    assert [(i["sku"], i["qty"]) for i in cart["items"]] == [("KOMBUCHA", 3)]
