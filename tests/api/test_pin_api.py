"""Purchase controls over HTTP: shoppers set and remove their own voice PIN, staff (orders or
admin) do it for them with an audit record, admins set spending limits, and checkout refuses
an order over a limit. No response ever carries the PIN or its hash."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from commerce.accounts import hash_secret
from commerce.models import Customer, StaffAuditEntry, StaffKey
from commerce.service import Store
from tests.conftest import Shopper


def _staff_with_role(store: Store, role: str) -> dict[str, str]:
    key = f"vxk_test_{role}"
    with store.sessions() as session:
        session.add(StaffKey(label=f"{role} desk", key_hash=hash_secret(key), role=role))
        session.commit()
    return {"X-API-Key": key}


def _pin_hash(store: Store, customer_id: str) -> str | None:
    with store.sessions() as session:
        return session.get(Customer, customer_id).pin_hash


def test_a_shopper_sets_changes_and_removes_their_pin(
    client: TestClient, shopper: Shopper, store: Store
) -> None:
    assert client.get("/account/pin", headers=shopper.headers).json()["pin_set"] is False
    made = client.put("/account/pin", headers=shopper.headers, json={"pin": "4821"})
    assert made.status_code == 200 and made.json() == {"pin_set": True, "locked_until": None}
    stored = _pin_hash(store, shopper.id)
    assert stored and "4821" not in stored and stored not in made.text

    # Changing it needs the current PIN; a wrong one counts and says how many tries are left.
    bare = client.put("/account/pin", headers=shopper.headers, json={"pin": "1234"})
    assert bare.status_code == 403 and "current PIN" in bare.json()["detail"]
    wrong = client.put(
        "/account/pin", headers=shopper.headers, json={"pin": "1234", "current_pin": "0000"}
    )
    assert wrong.status_code == 403 and "2 tries left" in wrong.json()["detail"]
    right = client.put(
        "/account/pin", headers=shopper.headers, json={"pin": "1234", "current_pin": "4821"}
    )
    assert right.status_code == 200 and _pin_hash(store, shopper.id) != stored

    refused = client.request("DELETE", "/account/pin", headers=shopper.headers)
    assert refused.status_code == 403
    removed = client.request(
        "DELETE", "/account/pin", headers=shopper.headers, json={"current_pin": "1234"}
    )
    assert removed.status_code == 200 and removed.json()["pin_set"] is False
    assert _pin_hash(store, shopper.id) is None


def test_wrong_current_pins_lock_the_account(client: TestClient, shopper: Shopper) -> None:
    client.put("/account/pin", headers=shopper.headers, json={"pin": "4821"})
    for _ in range(2):
        client.put(
            "/account/pin", headers=shopper.headers, json={"pin": "1111", "current_pin": "0000"}
        )
    locked = client.put(
        "/account/pin", headers=shopper.headers, json={"pin": "1111", "current_pin": "0000"}
    )
    assert locked.status_code == 423 and locked.json()["error"] == "pin_locked"
    still = client.put(
        "/account/pin", headers=shopper.headers, json={"pin": "1111", "current_pin": "4821"}
    )
    assert still.status_code == 423
    assert client.get("/account/pin", headers=shopper.headers).json()["locked_until"]


@pytest.mark.parametrize("body", [{"pin": "123"}, {"pin": "123456789"}, {"pin": "12ab"},
                                  {"pin": ""}, {"pin": None}, {}, {"pin": "1234", "x": 1},
                                  {"pin": "98765", "current_pin": "1"}])  # fmt: skip
def test_bad_pins_get_a_clear_422(client: TestClient, shopper: Shopper, body: dict) -> None:
    response = client.put("/account/pin", headers=shopper.headers, json=body)
    assert response.status_code == 422, response.text
    if body.get("pin") and body.get("pin") != "1234":
        assert "4 to 8 digits" in response.json()["detail"]
        assert str(body["pin"]) not in response.json()["detail"]


def test_the_pin_routes_need_the_shoppers_token(client: TestClient) -> None:
    assert client.put("/account/pin", json={"pin": "4821"}).status_code == 401
    assert client.get("/account/pin").status_code == 401


def test_orders_staff_set_and_remove_a_pin_with_an_audit_record(
    client: TestClient, shopper: Shopper, store: Store
) -> None:
    desk = _staff_with_role(store, "orders")
    made = client.put(f"/admin/customers/{shopper.id}/pin", headers=desk, json={"pin": "55667"})
    assert made.status_code == 200 and made.json()["pin_set"] is True
    assert "55667" not in made.text
    gone = client.delete(f"/admin/customers/{shopper.id}/pin", headers=desk)
    assert gone.status_code == 200 and gone.json()["pin_set"] is False
    with store.sessions() as session:
        entries = list(
            session.scalars(
                select(StaffAuditEntry)
                .where(StaffAuditEntry.action.like("customer.%"))
                .order_by(StaffAuditEntry.id)
            )
        )
    assert [(e.action, e.target, e.before, e.after) for e in entries] == [
        ("customer.pin_set", f"customer:{shopper.id}", {"pin": "none"}, {"pin": "set"}),
        ("customer.pin_set", f"customer:{shopper.id}", {"pin": "set"}, {"pin": "none"}),
    ]
    assert all(e.actor.startswith("staff:") for e in entries)


def test_catalog_staff_may_not_set_a_pin(
    client: TestClient, shopper: Shopper, store: Store
) -> None:
    catalog = _staff_with_role(store, "catalog")
    response = client.put(
        f"/admin/customers/{shopper.id}/pin", headers=catalog, json={"pin": "1234"}
    )
    assert response.status_code == 403
    assert _pin_hash(store, shopper.id) is None


def test_staff_pin_for_an_unknown_shopper_is_404(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    response = client.put(
        "/admin/customers/nobody/pin", headers=admin_headers, json={"pin": "1234"}
    )
    assert response.status_code == 404


def test_admins_set_spending_limits_and_checkout_refuses_over_them(
    client: TestClient, shopper: Shopper, store: Store, admin_headers: dict[str, str]
) -> None:
    path = f"/admin/customers/{shopper.id}/spending-limits"
    orders_desk = _staff_with_role(store, "orders")
    assert client.put(path, headers=orders_desk, json={"order_limit": "5.00"}).status_code == 403
    response = client.put(path, headers=admin_headers, json={"order_limit": "5.00"})
    assert response.status_code == 200
    assert response.json() == {
        "customer_id": shopper.id,
        "order_limit": "5.00",
        "daily_limit": None,
        "effective_order_limit": "5.00",
        "effective_daily_limit": None,
    }
    assert client.put(path, headers=admin_headers, json={"order_limit": "-1"}).status_code == 422

    client.post("/cart/items", headers=shopper.headers, json={"sku": "BREAD-SOUR", "qty": 1})
    refused = client.post("/checkout", headers=shopper.headers)
    assert refused.status_code == 409 and refused.json()["error"] == "spending_limit"
    assert "per-order spending limit of 5.00" in refused.json()["detail"]
    assert client.get("/orders", headers=shopper.headers).json() == []

    client.put(path, headers=admin_headers, json={"order_limit": None})
    assert client.post("/checkout", headers=shopper.headers).status_code == 201
    with store.sessions() as session:
        actions = list(
            session.scalars(
                select(StaffAuditEntry.action).where(StaffAuditEntry.action.like("customer.%"))
            )
        )
    assert actions == ["customer.spending_limits_set"] * 2
