"""Staff routes: the API key, products, stock and prices, catalog import, customers, orders."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.conftest import DEMO_CSV, Shopper
from tests.helpers import HARDWARE_CSV, catalog_csv

NEW_PRODUCT = {
    "sku": "KOMBUCHA",
    "name": "Ginger  Kombucha",
    "price": "3.50",
    "stock": 12,
    "aliases": ["Booch", "kombucha"],
    "category": "Drinks",
    "options": {"size": ["330 ml", "750 ml"]},
    "description": "Fermented tea",
}


def admin_paths(client: TestClient) -> list[tuple[str, str]]:
    """Every staff route the app serves, with dummy path parameters."""
    routes = []
    for route in client.app.routes:  # type: ignore[attr-defined]
        if isinstance(route, APIRoute) and route.path.startswith("/admin"):
            path = route.path.replace("{sku}", "LATTE")
            path = path.replace("{order_id}", "1").replace("{handoff_id}", "1")
            path = path.replace("{key_id}", "1")
            for method in sorted(route.methods):
                routes.append((method, path))
    return routes


def test_every_admin_route_needs_a_valid_key(client: TestClient, staff_key: str) -> None:
    routes = admin_paths(client)
    assert ("POST", "/admin/catalog/import") in routes
    assert ("POST", "/admin/staff-keys/1/revoke") in routes
    assert ("GET", "/admin/audit") in routes
    for method, path in routes:
        for headers in ({}, {"X-API-Key": "vxk_wrong"}, {"X-API-Key": ""}):
            response = client.request(method, path, headers=headers)
            assert response.status_code == 401, (method, path, headers, response.text)
            body = response.json()
            assert body["error"] == "unauthorized"
            assert body["detail"]


def test_missing_key_says_how_to_get_one(client: TestClient) -> None:
    body = client.get("/admin/products").json()
    assert "voxcart staff create-key" in body["detail"]


def test_create_update_delete_a_product(client: TestClient, admin_headers: dict) -> None:
    created = client.post("/admin/products", json=NEW_PRODUCT, headers=admin_headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["name"] == "Ginger Kombucha"
    assert body["price"] == "3.50"
    assert body["category"] == "drinks"
    assert body["aliases"] == ["booch", "kombucha"]
    assert body["options"] == {"size": ["330 ml", "750 ml"]}
    # Orderable and findable at once.
    assert client.get("/products", params={"q": "booch"}).json()[0]["sku"] == "KOMBUCHA"

    again = client.post("/admin/products", json=NEW_PRODUCT, headers=admin_headers)
    assert again.status_code == 422
    assert "already exists" in again.json()["detail"]

    patched = client.patch(
        "/admin/products/KOMBUCHA",
        json={"name": "Kombucha Classic", "price": "3.75", "aliases": ["fizzy tea"]},
        headers=admin_headers,
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["name"], patched.json()["price"]) == ("Kombucha Classic", "3.75")
    assert client.get("/products", params={"q": "fizzy tea"}).json()[0]["sku"] == "KOMBUCHA"

    nulled = client.patch("/admin/products/KOMBUCHA", json={"name": None}, headers=admin_headers)
    assert nulled.status_code == 422
    assert client.patch("/admin/products/NOPE", json={}, headers=admin_headers).status_code == 404

    deleted = client.delete("/admin/products/KOMBUCHA", headers=admin_headers)
    assert deleted.status_code == 204
    assert client.get("/products/KOMBUCHA").status_code == 404
    assert "KOMBUCHA" not in [p["sku"] for p in client.get("/products?q=kombucha").json()]
    listed = client.get("/admin/products", headers=admin_headers).json()
    assert {"sku": "KOMBUCHA", "active": False}.items() <= next(
        p for p in listed if p["sku"] == "KOMBUCHA"
    ).items()
    active_only = client.get(
        "/admin/products", params={"include_inactive": False}, headers=admin_headers
    ).json()
    assert "KOMBUCHA" not in {p["sku"] for p in active_only}
    assert client.delete("/admin/products/NOPE", headers=admin_headers).status_code == 404


def test_stock_set_and_delta(client: TestClient, admin_headers: dict) -> None:
    put = client.put("/admin/products/HONEY/stock", json={"stock": 5}, headers=admin_headers)
    assert (put.status_code, put.json()["stock"]) == (200, 5)
    put = client.put("/admin/products/HONEY/stock", json={"delta": 24}, headers=admin_headers)
    assert put.json()["stock"] == 29
    below = client.put("/admin/products/HONEY/stock", json={"delta": -30}, headers=admin_headers)
    assert below.status_code == 422
    assert "below zero" in below.json()["detail"]
    both = client.put(
        "/admin/products/HONEY/stock", json={"stock": 1, "delta": 1}, headers=admin_headers
    )
    assert both.status_code == 422
    neither = client.put("/admin/products/HONEY/stock", json={}, headers=admin_headers)
    assert neither.status_code == 422
    assert client.get("/products/HONEY").json()["stock"] == 29


def test_price_change(client: TestClient, admin_headers: dict) -> None:
    put = client.put("/admin/products/HONEY/price", json={"price": "5.95"}, headers=admin_headers)
    assert (put.status_code, put.json()["price"]) == (200, "5.95")
    assert client.get("/products/HONEY").json()["price"] == "5.95"
    for bad in ("4.2.0", "-1", "free", ""):
        response = client.put(
            "/admin/products/HONEY/price", json={"price": bad}, headers=admin_headers
        )
        assert response.status_code == 422, bad
    missing = client.put("/admin/products/NOPE/price", json={"price": "1"}, headers=admin_headers)
    assert missing.status_code == 404


def import_csv(client: TestClient, headers: dict, text: str | bytes):  # type: ignore[no-untyped-def]
    return client.post(
        "/admin/catalog/import",
        content=text,
        headers={**headers, "Content-Type": "text/csv"},
    )


def test_catalog_import(client: TestClient, admin_headers: dict) -> None:
    response = import_csv(client, admin_headers, HARDWARE_CSV)
    assert response.status_code == 200, response.text
    assert response.json() == {"imported": 7}
    assert client.get("/products", params={"q": "claw hammer"}).json()[0]["sku"] == "HAMMER"
    again = import_csv(client, admin_headers, DEMO_CSV.read_text())
    assert again.json() == {"imported": 42}


def test_catalog_import_bad_row_imports_nothing(client: TestClient, admin_headers: dict) -> None:
    before = client.get("/admin/products", headers=admin_headers).json()
    text = catalog_csv(
        "HONEY,Wildflower Honey,honey,pantry,jar,1.00,20,,Cheap now",
        "NEW-1,New Thing,,x,each,2.00,3,,",
        "NEW-2,Bad Thing,,x,each,-1,3,,",  # line 4
    )
    response = import_csv(client, admin_headers, text)
    assert response.status_code == 422
    body = response.json()
    assert [(e["line"], e["column"]) for e in body["errors"]] == [(4, "price")]
    assert body["errors"][0]["message"]
    assert "line 4" in body["detail"]
    assert client.get("/admin/products", headers=admin_headers).json() == before


def test_catalog_import_refuses_junk(client: TestClient, admin_headers: dict) -> None:
    empty = import_csv(client, admin_headers, "")
    assert empty.status_code == 422
    assert empty.json()["errors"][0]["line"] == 1
    latin1 = import_csv(
        client, admin_headers, catalog_csv("X1,Crème,,x,each,1,1,,").encode("latin-1")
    )
    assert latin1.status_code == 422
    assert "UTF-8" in latin1.json()["detail"]
    header = import_csv(client, admin_headers, "sku,name\nA,b\n")
    assert header.status_code == 422
    assert "missing column(s) price, stock" in header.json()["errors"][0]["message"]


def test_create_customer(client: TestClient, admin_headers: dict) -> None:
    response = client.post("/admin/customers", json={"name": "Dana"}, headers=admin_headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "name", "token"}
    assert body["token"].startswith("vxs_")
    cart = client.get("/cart", headers={"Authorization": f"Bearer {body['token']}"})
    assert cart.status_code == 200
    chosen = client.post(
        "/admin/customers", json={"name": "Eve", "id": "eve-1"}, headers=admin_headers
    )
    assert chosen.json()["id"] == "eve-1"
    taken = client.post(
        "/admin/customers", json={"name": "Eve", "id": "eve-1"}, headers=admin_headers
    )
    assert taken.status_code == 422
    blank = client.post("/admin/customers", json={"name": "   "}, headers=admin_headers)
    assert blank.status_code == 422


def place_order(client: TestClient, shopper: Shopper, fulfilment: str = "delivery") -> dict:
    client.post("/cart/items", json={"sku": "HONEY", "qty": 2}, headers=shopper.headers)
    response = client.post("/checkout", json={"fulfilment": fulfilment}, headers=shopper.headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_staff_move_orders_along(client: TestClient, admin_headers: dict, shopper: Shopper) -> None:
    order = place_order(client, shopper)
    url = f"/admin/orders/{order['id']}"
    for status in ("preparing", "ready", "out_for_delivery"):
        response = client.patch(url, json={"status": status}, headers=admin_headers)
        assert (response.status_code, response.json()["status"]) == (200, status)
    illegal = client.patch(url, json={"status": "preparing"}, headers=admin_headers)
    assert illegal.status_code == 409
    assert illegal.json()["error"] == "illegal_transition"
    refused = client.patch(url, json={"status": "cancelled"}, headers=admin_headers)
    assert refused.status_code == 409
    done = client.patch(url, json={"status": "delivered"}, headers=admin_headers).json()
    assert [h["to_status"] for h in done["history"]] == [
        "placed",
        "preparing",
        "ready",
        "out_for_delivery",
        "delivered",
    ]
    assert done["history"][1]["changed_by"] == "staff:test-staff"
    unknown = client.patch(url, json={"status": "lost"}, headers=admin_headers)
    assert unknown.status_code == 422
    missing = client.patch("/admin/orders/999999", json={"status": "ready"}, headers=admin_headers)
    assert missing.status_code == 404


def test_staff_cancel_restocks(client: TestClient, admin_headers: dict, shopper: Shopper) -> None:
    order = place_order(client, shopper, fulfilment="pickup")
    assert client.get("/products/HONEY").json()["stock"] == 18
    response = client.patch(
        f"/admin/orders/{order['id']}", json={"status": "cancelled"}, headers=admin_headers
    )
    assert response.json()["status"] == "cancelled"
    assert client.get("/products/HONEY").json()["stock"] == 20
    pickup = place_order(client, shopper, fulfilment="pickup")
    for status in ("preparing", "ready"):
        client.patch(
            f"/admin/orders/{pickup['id']}", json={"status": status}, headers=admin_headers
        )
    no_van = client.patch(
        f"/admin/orders/{pickup['id']}", json={"status": "out_for_delivery"}, headers=admin_headers
    )
    assert no_van.status_code == 409
    assert "pickup" in no_van.json()["detail"]


def test_staff_list_and_read_orders(client: TestClient, admin_headers: dict, make_shopper) -> None:  # type: ignore[no-untyped-def]
    ann, bob = make_shopper("Ann"), make_shopper("Bob")
    first = place_order(client, ann)
    second = place_order(client, bob)
    listed = client.get("/admin/orders", headers=admin_headers).json()
    assert [o["id"] for o in listed] == [second["id"], first["id"]]
    mine = client.get("/admin/orders", params={"customer_id": ann.id}, headers=admin_headers)
    assert [o["id"] for o in mine.json()] == [first["id"]]
    placed = client.get("/admin/orders", params={"status": "placed"}, headers=admin_headers)
    assert len(placed.json()) == 2
    bad = client.get("/admin/orders", params={"status": "lost"}, headers=admin_headers)
    assert bad.status_code == 422
    one = client.get(f"/admin/orders/{first['id']}", headers=admin_headers).json()
    assert one["customer_id"] == ann.id
    assert one["items"][0] == {
        "sku": "HONEY",
        "name": "Wildflower Honey",
        "qty": 2,
        "options": {},
        "unit_price": "5.60",
        "line_total": "11.20",
    }
    assert (one["subtotal"], one["delivery_fee"], one["total"]) == ("11.20", "2.99", "14.19")


@pytest.mark.parametrize("label", ["", "till-2"])
def test_history_names_the_staff_key(
    client: TestClient, store, shopper: Shopper, label: str
) -> None:  # type: ignore[no-untyped-def]
    from commerce.accounts import create_staff_key

    with store.sessions() as session:
        key = create_staff_key(session, label=label)
    order = place_order(client, shopper)
    done = client.patch(
        f"/admin/orders/{order['id']}", json={"status": "preparing"}, headers={"X-API-Key": key}
    ).json()
    by = done["history"][-1]["changed_by"]
    assert by.startswith("staff:") and by != "staff:"
    if label:
        assert by == f"staff:{label}"


def test_handoff_release_with_an_impossible_id_is_a_4xx(client, admin_headers) -> None:  # type: ignore[no-untyped-def]
    response = client.post(f"/admin/handoffs/{10**30}/release", headers=admin_headers)
    assert 400 <= response.status_code < 500 and "detail" in response.json()
    missing = client.post("/admin/handoffs/999/release", headers=admin_headers)
    assert missing.status_code == 404
