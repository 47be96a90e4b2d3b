"""Shopper routes: bearer tokens, the cart, checkout, orders, and privacy between shoppers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Shopper

SHOPPER_ROUTES = [
    ("GET", "/cart", None),
    ("POST", "/cart/items", {"sku": "BANANA"}),
    ("DELETE", "/cart/items/BANANA", None),
    ("POST", "/checkout", None),
    ("GET", "/orders", None),
    ("GET", "/orders/1", None),
    ("POST", "/orders/1/cancel", None),
]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer vxs_not-a-real-token"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "vxs_token-without-scheme"},
    ],
)
def test_shopper_routes_need_a_bearer_token(
    client: TestClient, shopper: Shopper, headers: dict
) -> None:
    for method, path, body in SHOPPER_ROUTES:
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (method, path, response.text)
        assert response.json()["error"] == "unauthorized"
        assert response.headers["www-authenticate"] == "Bearer"


def test_staff_key_is_not_a_shopper_token(client: TestClient, staff_key: str) -> None:
    response = client.get("/cart", headers={"Authorization": f"Bearer {staff_key}"})
    assert response.status_code == 401


def test_cart_add_read_and_delete(client: TestClient, shopper: Shopper) -> None:
    h = shopper.headers
    assert client.get("/cart", headers=h).json() == {"items": [], "subtotal": "0.00"}
    added = client.post(
        "/cart/items", json={"sku": "LATTE", "qty": 2, "options": {"size": "large"}}, headers=h
    )
    assert added.status_code == 201, added.text
    assert added.json()["items"] == [
        {
            "sku": "LATTE",
            "name": "Caffe Latte",
            "qty": 2,
            "options": {"size": "large", "milk": "whole"},
            "unit_price": "4.20",
            "line_total": "8.40",
        }
    ]
    client.post("/cart/items", json={"sku": "BANANA", "qty": 4}, headers=h)
    client.post("/cart/items", json={"sku": "BANANA"}, headers=h)
    cart = client.get("/cart", headers=h).json()
    assert [(i["sku"], i["qty"]) for i in cart["items"]] == [("LATTE", 2), ("BANANA", 5)]
    assert cart["subtotal"] == "9.65"
    removed = client.delete("/cart/items/LATTE", headers=h)
    assert removed.status_code == 200
    assert [i["sku"] for i in removed.json()["items"]] == ["BANANA"]
    assert client.delete("/cart/items/LATTE", headers=h).status_code == 404


def test_cart_errors(client: TestClient, shopper: Shopper) -> None:
    h = shopper.headers
    bad_option = client.post(
        "/cart/items", json={"sku": "LATTE", "options": {"size": "huge"}}, headers=h
    )
    assert bad_option.status_code == 422
    assert bad_option.json()["error"] == "invalid_option"
    assert "small, medium, large" in bad_option.json()["detail"]
    sold_out = client.post("/cart/items", json={"sku": "STRAWBERRY"}, headers=h)
    assert sold_out.status_code == 409
    assert sold_out.json()["error"] == "out_of_stock"
    unknown = client.post("/cart/items", json={"sku": "NOPE"}, headers=h)
    assert unknown.status_code == 404
    assert client.get("/cart", headers=h).json()["items"] == []


def test_checkout_and_orders(client: TestClient, shopper: Shopper) -> None:
    h = shopper.headers
    client.post("/cart/items", json={"sku": "EGGS-12", "qty": 2}, headers=h)
    placed = client.post("/checkout", json={"fulfilment": "delivery"}, headers=h)
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert order["status"] == "placed"
    assert (order["subtotal"], order["delivery_fee"], order["total"]) == ("9.00", "2.99", "11.99")
    assert order["currency"] == "USD"
    assert order["history"][0]["to_status"] == "placed"
    assert client.get("/cart", headers=h).json()["items"] == []
    assert client.get("/products/EGGS-12").json()["stock"] == 28
    listed = client.get("/orders", headers=h).json()
    assert [o["id"] for o in listed] == [order["id"]]
    one = client.get(f"/orders/{order['id']}", headers=h)
    assert one.status_code == 200
    assert one.json()["items"][0]["line_total"] == "9.00"
    assert client.get("/orders/999999", headers=h).status_code == 404


def test_checkout_without_a_body_is_pickup(client: TestClient, shopper: Shopper) -> None:
    client.post("/cart/items", json={"sku": "LEMON"}, headers=shopper.headers)
    response = client.post("/checkout", headers=shopper.headers)
    assert response.status_code == 201
    assert response.json()["fulfilment"] == "pickup"


def test_checkout_conflicts(client: TestClient, shopper: Shopper, admin_headers: dict) -> None:
    h = shopper.headers
    empty = client.post("/checkout", headers=h)
    assert (empty.status_code, empty.json()["error"]) == (409, "empty_cart")
    client.post("/cart/items", json={"sku": "HONEY", "qty": 5}, headers=h)
    client.put("/admin/products/HONEY/stock", json={"stock": 3}, headers=admin_headers)
    short = client.post("/checkout", headers=h)
    assert short.status_code == 409
    assert short.json()["error"] == "out_of_stock"
    assert "Only 3" in short.json()["detail"]
    client.put("/admin/products/HONEY/stock", json={"stock": 20}, headers=admin_headers)
    changed = client.post("/checkout", json={"expected_total": "25.00"}, headers=h)
    assert (changed.status_code, changed.json()["error"]) == (409, "price_changed")
    assert client.get("/orders", headers=h).json() == []
    ok = client.post("/checkout", json={"expected_total": "28.00"}, headers=h)
    assert ok.status_code == 201


def test_idempotency_key_returns_the_same_order(client: TestClient, shopper: Shopper) -> None:
    h = {**shopper.headers, "Idempotency-Key": "confirm-42"}
    client.post("/cart/items", json={"sku": "AVOCADO", "qty": 3}, headers=shopper.headers)
    first = client.post("/checkout", headers=h)
    second = client.post("/checkout", headers=h)
    assert first.status_code == 201 and second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert len(client.get("/orders", headers=shopper.headers).json()) == 1
    assert client.get("/products/AVOCADO").json()["stock"] == 42
    other = client.post("/checkout", headers={**shopper.headers, "Idempotency-Key": "new"})
    assert other.status_code == 409


def test_shopper_cancels_own_order(client: TestClient, shopper: Shopper) -> None:
    h = shopper.headers
    client.post("/cart/items", json={"sku": "HONEY", "qty": 2}, headers=h)
    order = client.post("/checkout", headers=h).json()
    cancelled = client.post(f"/orders/{order['id']}/cancel", headers=h)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["history"][-1]["changed_by"] == f"shopper:{shopper.id}"
    assert client.get("/products/HONEY").json()["stock"] == 20
    again = client.post(f"/orders/{order['id']}/cancel", headers=h)
    assert (again.status_code, again.json()["error"]) == (409, "illegal_transition")


def test_shoppers_cannot_see_or_touch_each_other(
    client: TestClient, make_shopper: Callable[..., Shopper]
) -> None:
    ann, bob = make_shopper("Ann"), make_shopper("Bob")
    client.post("/cart/items", json={"sku": "HONEY", "qty": 1}, headers=ann.headers)
    order = client.post("/checkout", headers=ann.headers).json()
    client.post("/cart/items", json={"sku": "LATTE"}, headers=ann.headers)  # Ann's new cart

    assert client.get(f"/orders/{order['id']}", headers=bob.headers).status_code == 404
    cancel = client.post(f"/orders/{order['id']}/cancel", headers=bob.headers)
    assert cancel.status_code == 404
    assert cancel.json() == {"error": "not_found", "detail": f"no order {order['id']}"}
    assert client.get("/orders", headers=bob.headers).json() == []
    assert client.get("/cart", headers=bob.headers).json()["items"] == []
    assert client.delete("/cart/items/LATTE", headers=bob.headers).status_code == 404
    empty = client.post("/checkout", headers=bob.headers)
    assert empty.status_code == 409
    # Ann's order and cart are untouched.
    assert client.get(f"/orders/{order['id']}", headers=ann.headers).json()["status"] == "placed"
    assert [i["sku"] for i in client.get("/cart", headers=ann.headers).json()["items"]] == ["LATTE"]
    # Bob's own key does not reach Ann's order either.
    reused = client.post(
        "/checkout", headers={**bob.headers, "Idempotency-Key": "k"}
    )  # nothing in Bob's cart
    assert reused.status_code == 409
