"""Staff roles per route family, key management (create, list, revoke, rotate) and the audit
log, through the real app on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from commerce.accounts import create_staff_key
from commerce.handoffs import open_handoff
from commerce.service import Store
from tests.api.test_admin_api import NEW_PRODUCT, import_csv, place_order
from tests.conftest import Shopper
from tests.helpers import catalog_csv

Headers = dict[str, str]


@pytest.fixture
def key_for(store: Store) -> Callable[..., Headers]:
    """key_for("catalog", "till") -> X-API-Key headers of a new key with that role."""

    def make(role: str, label: str = "") -> Headers:
        with store.sessions() as session:
            return {"X-API-Key": create_staff_key(session, label=label or role, role=role)}

    return make


@pytest.fixture
def roles(key_for: Callable[..., Headers]) -> dict[str, Headers]:
    return {role: key_for(role) for role in ("admin", "catalog", "orders")}


def audit_log(client: TestClient, admin: Headers, **params: Any) -> list[dict]:
    response = client.get("/admin/audit", params=params, headers=admin)
    assert response.status_code == 200, response.text
    return response.json()


def changes_only(entries: list[dict]) -> list[dict]:
    """Entries other than the keys the fixtures made."""
    return [e for e in entries if e["action"] != "staff_key.create" or e["actor"] != "cli"]


def assert_forbidden(response: Response) -> None:
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["error"] == "forbidden"
    assert "role" in body["detail"]


# --------------------------------------------------------------------------- roles per route


def test_catalog_routes_let_in_catalog_and_admin_only(
    client: TestClient, roles: dict[str, Headers]
) -> None:
    orders = roles["orders"]
    before = client.get("/products/HONEY").json()
    refused = [
        client.get("/admin/products", headers=orders),
        client.post("/admin/products", json=NEW_PRODUCT, headers=orders),
        client.patch("/admin/products/HONEY", json={"name": "Cheap Honey"}, headers=orders),
        client.put("/admin/products/HONEY/price", json={"price": "0.01"}, headers=orders),
        client.put("/admin/products/HONEY/stock", json={"stock": 0}, headers=orders),
        client.delete("/admin/products/HONEY", headers=orders),
        import_csv(client, orders, catalog_csv("HONEY,Honey,,x,each,0.01,1,,")),
    ]
    for response in refused:
        assert_forbidden(response)
    assert client.get("/products/HONEY").json() == before
    assert client.get("/products/KOMBUCHA").status_code == 404
    assert changes_only(audit_log(client, roles["admin"])) == []

    for role, price in (("catalog", "6.10"), ("admin", "6.20")):
        headers = roles[role]
        assert client.get("/admin/products", headers=headers).status_code == 200
        put = client.put("/admin/products/HONEY/price", json={"price": price}, headers=headers)
        assert (put.status_code, put.json()["price"]) == (200, price)
    created = client.post("/admin/products", json=NEW_PRODUCT, headers=roles["catalog"])
    assert created.status_code == 201
    imported = import_csv(
        client, roles["catalog"], catalog_csv("TEA,Green Tea,,drinks,box,3.00,5,,")
    )
    assert imported.json() == {"imported": 1}


def test_order_routes_let_in_orders_and_admin_only(
    client: TestClient, roles: dict[str, Headers], shopper: Shopper, store: Store
) -> None:
    order = place_order(client, shopper)
    with store.sessions() as session:
        handoff = open_handoff(
            session, customer_id=shopper.id, reason="asked for a person", conversation=[]
        )
    catalog = roles["catalog"]
    refused = [
        client.get("/admin/orders", headers=catalog),
        client.get(f"/admin/orders/{order['id']}", headers=catalog),
        client.patch(f"/admin/orders/{order['id']}", json={"status": "cancelled"}, headers=catalog),
        client.post("/admin/customers", json={"name": "Mallory", "id": "mal"}, headers=catalog),
        client.get("/admin/handoffs", headers=catalog),
        client.post(f"/admin/handoffs/{handoff.id}/release", headers=catalog),
    ]
    for response in refused:
        assert_forbidden(response)
    admin = roles["admin"]
    assert client.get(f"/admin/orders/{order['id']}", headers=admin).json()["status"] == "placed"
    assert client.get("/products/HONEY").json()["stock"] == 18  # not restocked by a cancel
    assert [h["id"] for h in client.get("/admin/handoffs", headers=admin).json()] == [handoff.id]
    assert client.get("/admin/orders", params={"customer_id": "mal"}, headers=admin).json() == []
    assert changes_only(audit_log(client, admin)) == []

    orders = roles["orders"]
    assert client.get("/admin/orders", headers=orders).status_code == 200
    moved = client.patch(
        f"/admin/orders/{order['id']}", json={"status": "preparing"}, headers=orders
    )
    assert moved.json()["status"] == "preparing"
    made = client.post("/admin/customers", json={"name": "Dana"}, headers=orders)
    assert made.status_code == 201
    assert client.get("/admin/handoffs", headers=orders).status_code == 200
    released = client.post(f"/admin/handoffs/{handoff.id}/release", headers=orders)
    assert released.json()["status"] == "released"
    assert client.get(f"/admin/orders/{order['id']}", headers=admin).status_code == 200


def test_key_management_and_audit_are_admin_only(
    client: TestClient, roles: dict[str, Headers]
) -> None:
    keys_before = client.get("/admin/staff-keys", headers=roles["admin"]).json()
    for role in ("catalog", "orders"):
        headers = roles[role]
        assert_forbidden(client.get("/admin/staff-keys", headers=headers))
        assert_forbidden(client.post("/admin/staff-keys", json={"role": "admin"}, headers=headers))
        assert_forbidden(client.post("/admin/staff-keys/1/revoke", headers=headers))
        assert_forbidden(client.post("/admin/staff-keys/1/rotate", headers=headers))
        assert_forbidden(client.get("/admin/audit", headers=headers))
    assert client.get("/admin/staff-keys", headers=roles["admin"]).json() == keys_before


# --------------------------------------------------------------------------- key management


def test_create_and_list_keys(client: TestClient, roles: dict[str, Headers]) -> None:
    admin = roles["admin"]
    made = client.post(
        "/admin/staff-keys", json={"label": "  Till   2 ", "role": "catalog"}, headers=admin
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["key"].startswith("vxk_")
    assert (body["label"], body["role"], body["active"], body["revoked_at"]) == (
        "Till 2",
        "catalog",
        True,
        None,
    )
    new = {"X-API-Key": body["key"]}
    assert client.get("/admin/products", headers=new).status_code == 200
    assert_forbidden(client.get("/admin/orders", headers=new))

    listed = client.get("/admin/staff-keys", headers=admin)
    assert listed.status_code == 200
    keys = listed.json()
    assert [k["role"] for k in keys] == ["admin", "catalog", "orders", "catalog"]
    assert set(keys[-1]) == {"id", "label", "role", "created_at", "revoked_at", "active"}
    assert body["key"] not in listed.text

    for bad in ({"label": "x"}, {"role": "owner"}, {"role": "admin", "extra": 1}):
        response = client.post("/admin/staff-keys", json=bad, headers=admin)
        assert response.status_code == 422, bad
    long = client.post(
        "/admin/staff-keys", json={"label": "x" * 201, "role": "orders"}, headers=admin
    )
    assert long.status_code == 422
    assert len(client.get("/admin/staff-keys", headers=admin).json()) == 4


def test_revoke_takes_effect_at_once(client: TestClient, roles: dict[str, Headers]) -> None:
    admin = roles["admin"]
    keys = client.get("/admin/staff-keys", headers=admin).json()
    catalog_id = next(k["id"] for k in keys if k["role"] == "catalog")
    assert client.get("/admin/products", headers=roles["catalog"]).status_code == 200

    revoked = client.post(f"/admin/staff-keys/{catalog_id}/revoke", headers=admin)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["active"] is False and revoked.json()["revoked_at"]
    gone = client.get("/admin/products", headers=roles["catalog"])
    assert gone.status_code == 401
    assert gone.json()["error"] == "unauthorized"

    # Revoking twice is refused (409), and logs nothing more.
    entries = len(audit_log(client, admin))
    again = client.post(f"/admin/staff-keys/{catalog_id}/revoke", headers=admin)
    assert again.status_code == 409
    assert "already revoked" in again.json()["detail"]
    assert len(audit_log(client, admin)) == entries
    for missing in ("999999", "0", str(10**30)):
        response = client.post(f"/admin/staff-keys/{missing}/revoke", headers=admin)
        assert response.status_code in (404, 422), (missing, response.text)


def test_rotate_replaces_the_key_with_the_same_role(
    client: TestClient, roles: dict[str, Headers]
) -> None:
    admin = roles["admin"]
    keys = client.get("/admin/staff-keys", headers=admin).json()
    orders = next(k for k in keys if k["role"] == "orders")

    rotated = client.post(f"/admin/staff-keys/{orders['id']}/rotate", headers=admin)
    assert rotated.status_code == 200, rotated.text
    body = rotated.json()
    assert body["id"] != orders["id"]
    assert (body["label"], body["role"], body["active"]) == (orders["label"], "orders", True)
    assert client.get("/admin/orders", headers=roles["orders"]).status_code == 401
    new = {"X-API-Key": body["key"]}
    assert client.get("/admin/orders", headers=new).status_code == 200
    assert_forbidden(client.get("/admin/products", headers=new))

    listed = {k["id"]: k for k in client.get("/admin/staff-keys", headers=admin).json()}
    assert listed[orders["id"]]["active"] is False
    assert listed[body["id"]]["active"] is True
    again = client.post(f"/admin/staff-keys/{orders['id']}/rotate", headers=admin)
    assert again.status_code == 409
    assert len(client.get("/admin/staff-keys", headers=admin).json()) == len(listed)


def test_the_last_admin_key_cannot_be_revoked(
    client: TestClient, roles: dict[str, Headers], key_for: Callable[..., Headers]
) -> None:
    admin = roles["admin"]
    admin_id = next(
        k["id"]
        for k in client.get("/admin/staff-keys", headers=admin).json()
        if k["role"] == "admin"
    )
    refused = client.post(f"/admin/staff-keys/{admin_id}/revoke", headers=admin)
    assert refused.status_code == 409
    assert refused.json()["error"] == "last_admin_key"
    assert "last active admin key" in refused.json()["detail"]
    assert client.get("/admin/staff-keys", headers=admin).status_code == 200

    # Rotating it is fine: an admin key remains. So is revoking it once another exists.
    rotated = client.post(f"/admin/staff-keys/{admin_id}/rotate", headers=admin).json()
    second = {"X-API-Key": rotated["key"]}
    assert client.get("/admin/staff-keys", headers=admin).status_code == 401
    other = key_for("admin", "backup")
    assert (
        client.post(f"/admin/staff-keys/{rotated['id']}/revoke", headers=other).status_code == 200
    )
    assert client.get("/admin/staff-keys", headers=second).status_code == 401
    keys = client.get("/admin/staff-keys", headers=other).json()
    assert [k["label"] for k in keys if k["role"] == "admin" and k["active"]] == ["backup"]


# --------------------------------------------------------------------------- audit log


def entries_for(client: TestClient, admin: Headers, action: str) -> list[dict]:
    return [e for e in audit_log(client, admin) if e["action"] == action]


def test_product_changes_are_audited_with_before_and_after(
    client: TestClient, roles: dict[str, Headers]
) -> None:
    catalog, admin = roles["catalog"], roles["admin"]
    client.put("/admin/products/HONEY/price", json={"price": "5.95"}, headers=catalog)
    (price,) = entries_for(client, admin, "product.price")
    assert price["actor"].startswith("staff:") and "(catalog)" in price["actor"]
    assert price["target"] == "product:HONEY"
    assert (price["before"], price["after"]) == ({"price": "5.60"}, {"price": "5.95"})
    assert datetime.fromisoformat(price["at"]) > datetime.now(timezone.utc) - timedelta(minutes=5)

    client.put("/admin/products/HONEY/stock", json={"stock": 5}, headers=catalog)
    client.put("/admin/products/HONEY/stock", json={"delta": 24}, headers=catalog)
    delta, count = entries_for(client, admin, "product.stock")  # newest first
    assert (count["before"], count["after"]) == ({"stock": 20}, {"stock": 5})
    assert (delta["before"], delta["after"]) == ({"stock": 5}, {"stock": 29, "delta": 24})

    client.post("/admin/products", json=NEW_PRODUCT, headers=catalog)
    (created,) = entries_for(client, admin, "product.create")
    assert created["before"] is None
    assert created["after"] == {
        "sku": "KOMBUCHA",
        "name": "Ginger Kombucha",
        "price": "3.50",
        "stock": 12,
        "category": "drinks",
        "active": True,
    }
    client.patch(
        "/admin/products/KOMBUCHA",
        json={"name": "Kombucha", "price": "3.75", "aliases": ["booch"]},
        headers=catalog,
    )
    (updated,) = entries_for(client, admin, "product.update")
    assert updated["before"] == {
        "name": "Ginger Kombucha",
        "price": "3.50",
        "aliases": ["booch", "kombucha"],
    }
    assert updated["after"] == {"name": "Kombucha", "price": "3.75", "aliases": ["booch"]}
    client.delete("/admin/products/KOMBUCHA", headers=catalog)
    (deleted,) = entries_for(client, admin, "product.delete")
    assert (deleted["before"], deleted["after"]) == ({"active": True}, {"active": False})

    import_csv(
        client, catalog, catalog_csv("TEA,Green Tea,,d,box,3,5,,", "HONEY,Honey,,p,jar,6,1,,")
    )
    (imported,) = entries_for(client, admin, "catalog.import")
    assert imported["after"] == {"count": 2, "skus": ["TEA", "HONEY"]}


def test_refused_and_failed_changes_leave_no_entry(
    client: TestClient, roles: dict[str, Headers], shopper: Shopper
) -> None:
    catalog, orders, admin = roles["catalog"], roles["orders"], roles["admin"]
    order = place_order(client, shopper, fulfilment="pickup")
    failed = [
        client.put("/admin/products/HONEY/price", json={"price": "1.00"}, headers=orders),  # 403
        client.put("/admin/products/NOPE/price", json={"price": "1.00"}, headers=catalog),
        client.put("/admin/products/HONEY/stock", json={"delta": -999}, headers=catalog),
        client.put("/admin/products/HONEY/stock", json={}, headers=catalog),
        client.post("/admin/products", json={**NEW_PRODUCT, "sku": "HONEY"}, headers=catalog),
        import_csv(client, catalog, catalog_csv("TEA,Green Tea,,d,box,-3,5,,")),
        client.patch(
            f"/admin/orders/{order['id']}", json={"status": "out_for_delivery"}, headers=orders
        ),
        client.post("/admin/customers", json={"name": "  "}, headers=orders),
        client.post("/admin/handoffs/999/release", headers=orders),
        client.post("/admin/staff-keys", json={"role": "root"}, headers=admin),
    ]
    assert [r.status_code for r in failed] == [403, 404, 422, 422, 422, 422, 409, 422, 404, 422]
    assert changes_only(audit_log(client, admin)) == []
    # The next change is logged alone: nothing of the failures rides along with its commit.
    client.put("/admin/products/HONEY/stock", json={"delta": 1}, headers=catalog)
    assert [e["action"] for e in changes_only(audit_log(client, admin))] == ["product.stock"]


def test_orders_customers_handoffs_and_keys_are_audited(
    client: TestClient, roles: dict[str, Headers], shopper: Shopper, store: Store
) -> None:
    orders, admin = roles["orders"], roles["admin"]
    order = place_order(client, shopper)
    client.patch(f"/admin/orders/{order['id']}", json={"status": "preparing"}, headers=orders)
    client.patch(f"/admin/orders/{order['id']}", json={"status": "cancelled"}, headers=orders)
    cancelled, preparing = entries_for(client, admin, "order.status")
    assert preparing["target"] == cancelled["target"] == f"order:{order['id']}"
    assert (preparing["before"], preparing["after"]) == (
        {"status": "placed"},
        {"status": "preparing"},
    )
    assert (cancelled["before"], cancelled["after"]) == (
        {"status": "preparing"},
        {"status": "cancelled"},
    )

    made = client.post("/admin/customers", json={"name": "Dana", "id": "dana"}, headers=orders)
    token = made.json()["token"]
    (customer,) = entries_for(client, admin, "customer.create")
    assert (customer["target"], customer["after"]) == (
        "customer:dana",
        {"id": "dana", "name": "Dana"},
    )

    with store.sessions() as session:
        handoff = open_handoff(session, customer_id=shopper.id, reason="help", conversation=[])
    client.post(f"/admin/handoffs/{handoff.id}/release", headers=orders)
    (release,) = entries_for(client, admin, "handoff.release")
    assert (release["target"], release["before"], release["after"]) == (
        f"handoff:{handoff.id}",
        {"status": "open"},
        {"status": "released"},
    )

    issued = client.post(
        "/admin/staff-keys", json={"label": "night", "role": "orders"}, headers=admin
    ).json()
    rotated = client.post(f"/admin/staff-keys/{issued['id']}/rotate", headers=admin).json()
    client.post(f"/admin/staff-keys/{rotated['id']}/revoke", headers=admin)
    log = audit_log(client, admin)
    revoke, rotate, create = (
        e for e in log if e["actor"] != "cli" and e["action"].startswith("staff_key.")
    )
    assert (create["target"], create["before"], create["after"]) == (
        f"staff_key:{issued['id']}",
        None,
        {"id": issued["id"], "label": "night", "role": "orders"},
    )
    assert rotate["target"] == f"staff_key:{issued['id']}"
    assert rotate["after"] == {
        "id": rotated["id"],
        "label": "night",
        "role": "orders",
        "replaces": issued["id"],
    }
    assert revoke["before"]["revoked_at"] is None and revoke["after"]["revoked_at"]

    # No secret anywhere in the log: not staff keys, not shopper tokens.
    text = json.dumps(log)
    for secret in (issued["key"], rotated["key"], token, *(h["X-API-Key"] for h in roles.values())):
        assert secret not in text


def test_audit_paging_and_since(client: TestClient, roles: dict[str, Headers]) -> None:
    admin, catalog = roles["admin"], roles["catalog"]
    for price in ("1.01", "1.02", "1.03"):
        client.put("/admin/products/HONEY/price", json={"price": price}, headers=catalog)
    newest = audit_log(client, admin, limit=2)
    assert [e["after"] for e in newest] == [{"price": "1.03"}, {"price": "1.02"}]
    older = audit_log(client, admin, limit=1, offset=2)
    assert older[0]["after"] == {"price": "1.01"}
    future = (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()
    assert audit_log(client, admin, since=future) == []
    # The same moment written in another zone and without one: both mean UTC instants.
    past = datetime.now(timezone.utc) - timedelta(hours=1)
    in_tokyo = past.astimezone(timezone(timedelta(hours=9))).isoformat()
    naive = past.replace(tzinfo=None).isoformat()
    assert len(audit_log(client, admin, since=in_tokyo)) == len(
        audit_log(client, admin, since=naive)
    )
    assert len(audit_log(client, admin, since=naive)) >= 3
    edge = {"since": "9999-12-31T23:00:00-05:00"}
    for bad in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"since": "yesterday"}, edge):
        assert client.get("/admin/audit", params=bad, headers=admin).status_code == 422, bad
