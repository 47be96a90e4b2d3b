"""Every route of the served app x every kind of caller -> the expected status, and nothing
changed in the database when a caller is refused.

The routes come from the app's own route table (with the assistant's routes, as `voxcart
serve` mounts them), so a new route without a line in POLICY fails this test until someone
decides who may call it. The policy is written out here, not read back from the app, so the
app cannot grade its own homework.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.routing import Route

from commerce.accounts import create_customer, create_staff_key
from commerce.api.app import create_app
from commerce.cart import add_to_cart
from commerce.handoffs import open_handoff
from commerce.models import Base
from commerce.orders import checkout
from commerce.purchase_guard import set_pin
from commerce.service import Store
from dialogue import context
from dialogue.cli import assistant_routers

SECRET = "matrix-action-server-secret-0123456789"
ROLES = ("admin", "catalog", "orders")
_fresh = itertools.count(1)


@dataclass
class World:
    """What the routes act on: two shoppers, a staff key per role, Ann's order."""

    store: Store
    ann: str = "ann"
    bob: str = "bob"
    tokens: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    anns_order: int = 0

    def place_order(self, customer_id: str) -> int:
        with self.store.sessions() as session:
            add_to_cart(session, customer_id=customer_id, sku="CROISSANT", quantity=1)
            return checkout(session, customer_id=customer_id, fulfilment="pickup").id

    def fill_carts(self) -> None:
        with self.store.sessions() as session:
            for who in (self.ann, self.bob):
                add_to_cart(session, customer_id=who, sku="CROISSANT", quantity=1)

    def queue_notices(self) -> None:
        from commerce.notices import enqueue_notice

        with self.store.sessions() as session:
            for who in (self.ann, self.bob):
                enqueue_notice(
                    session, customer_id=who, text="Your order is ready.", kind="staff_reply"
                )

    def set_pins(self, pin: str | None) -> None:
        with self.store.sessions() as session:
            for who in (self.ann, self.bob):
                set_pin(session, customer_id=who, pin=pin)
            session.commit()


@dataclass
class Call:
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)


def nothing(_: World) -> Call:
    return Call()


def new_product(world: World) -> str:
    sku = f"MATRIX-{next(_fresh)}"
    with world.store.sessions() as session:
        from commerce.catalog import ProductData, create_product

        create_product(
            session,
            data=ProductData(
                sku=sku, name=f"Matrix thing {sku}", price_cents=100, stock=5, aliases=[],
                category="test", unit="each", options=[], description="", active=True,
            ),
        )  # fmt: skip
    return sku


def new_handoff(world: World) -> int:
    with world.store.sessions() as session:
        who = f"handoff-{next(_fresh)}"
        create_customer(session, name=who, customer_id=who, with_token=False)
        return open_handoff(session, customer_id=who, reason="test", conversation=[]).id


def new_key(world: World) -> int:
    with world.store.sessions() as session:
        create_staff_key(session, label=f"target {next(_fresh)}", role="catalog")
        from commerce.accounts import list_staff_keys

        return max(k.id for k in list_staff_keys(session))


# Who may call a route. `staff(...)` names the roles besides admin, which may do everything.
PUBLIC, SHOPPER, OWN, ACTION_SERVER = "public", "shopper", "own", "action_server"
# The console (/console) signs staff in with a session cookie, never with the headers these
# callers send: to all of them a page is a redirect to the sign-in page, a form post a 401,
# and the sign-in form without its CSRF cookie a 403. Who may do what once signed in is in
# tests/console/test_console_access.py.
CONSOLE_PAGE, CONSOLE_FORM, SIGN_IN_FORM = "console_page", "console_form", "sign_in_form"
FORM = {"content-type": "application/x-www-form-urlencoded"}


def staff(*roles: str) -> frozenset[str]:
    return frozenset(roles) | {"admin"}


@dataclass(frozen=True)
class Rule:
    audience: str | frozenset[str]
    build: Callable[[World], Call] = nothing


POLICY: dict[tuple[str, str], Rule] = {
    # Documentation and public search.
    ("GET", "/openapi.json"): Rule(PUBLIC),
    ("GET", "/docs"): Rule(PUBLIC),
    ("GET", "/docs/oauth2-redirect"): Rule(PUBLIC),
    ("GET", "/redoc"): Rule(PUBLIC),
    ("GET", "/products"): Rule(PUBLIC, lambda w: Call(query={"q": "croissant"})),
    ("GET", "/products/{sku}"): Rule(PUBLIC, lambda w: Call(params={"sku": "CROISSANT"})),
    # A shopper's own cart, orders and PIN: anyone's token acts on that token's shopper only.
    ("GET", "/cart"): Rule(SHOPPER),
    ("POST", "/cart/items"): Rule(SHOPPER, lambda w: Call(json={"sku": "CROISSANT", "qty": 1})),
    ("DELETE", "/cart/items/{sku}"): Rule(
        SHOPPER, lambda w: (w.fill_carts(), Call(params={"sku": "CROISSANT"}))[1]
    ),
    ("POST", "/checkout"): Rule(
        SHOPPER, lambda w: (w.fill_carts(), Call(json={"fulfilment": "pickup"}))[1]
    ),
    ("GET", "/orders"): Rule(SHOPPER),
    ("GET", "/orders/{order_id}"): Rule(OWN, lambda w: Call(params={"order_id": w.anns_order})),
    ("POST", "/orders/{order_id}/cancel"): Rule(
        OWN, lambda w: Call(params={"order_id": w.place_order(w.ann)})
    ),
    ("GET", "/account/pin"): Rule(SHOPPER),
    ("PUT", "/account/pin"): Rule(
        SHOPPER, lambda w: (w.set_pins(None), Call(json={"pin": "4821"}))[1]
    ),
    ("DELETE", "/account/pin"): Rule(
        SHOPPER, lambda w: (w.set_pins("4821"), Call(json={"current_pin": "4821"}))[1]
    ),
    ("POST", "/webhooks/rest/webhook"): Rule(
        SHOPPER, lambda w: Call(json={"sender": "me", "message": "what time do you open"})
    ),
    # A shopper's own notices (taking them marks them delivered: refusals must not).
    ("GET", "/webhooks/rest/notices"): Rule(
        SHOPPER, lambda w: (w.queue_notices(), Call(query={"sender": "me"}))[1]
    ),
    # Catalog staff.
    ("GET", "/admin/products"): Rule(staff("catalog")),
    ("POST", "/admin/products"): Rule(
        staff("catalog"),
        lambda w: Call(json={"sku": f"NEW-{next(_fresh)}", "name": "New thing", "price": "1.00"}),
    ),
    ("PATCH", "/admin/products/{sku}"): Rule(
        staff("catalog"), lambda w: Call(params={"sku": "CROISSANT"}, json={"stock": 7})
    ),
    ("DELETE", "/admin/products/{sku}"): Rule(
        staff("catalog"), lambda w: Call(params={"sku": new_product(w)})
    ),
    ("PUT", "/admin/products/{sku}/stock"): Rule(
        staff("catalog"), lambda w: Call(params={"sku": "CROISSANT"}, json={"stock": 9})
    ),
    ("PUT", "/admin/products/{sku}/price"): Rule(
        staff("catalog"), lambda w: Call(params={"sku": "CROISSANT"}, json={"price": "2.75"})
    ),
    ("POST", "/admin/catalog/import"): Rule(
        staff("catalog"),
        lambda w: Call(
            content=(
                "sku,name,aliases,category,unit,price,stock,options,description\n"
                f"IMP-{next(_fresh)},Imported thing,,test,each,1.00,3,,x\n"
            ).encode(),
            headers={"content-type": "text/csv"},
        ),
    ),
    # Orders staff: orders, handoffs, shoppers and their PINs.
    ("POST", "/admin/customers"): Rule(
        staff("orders"), lambda w: Call(json={"name": f"Customer {next(_fresh)}"})
    ),
    ("GET", "/admin/orders"): Rule(staff("orders")),
    ("GET", "/admin/orders/{order_id}"): Rule(
        staff("orders"), lambda w: Call(params={"order_id": w.anns_order})
    ),
    ("PATCH", "/admin/orders/{order_id}"): Rule(
        staff("orders"),
        lambda w: Call(params={"order_id": w.place_order(w.ann)}, json={"status": "preparing"}),
    ),
    ("GET", "/admin/handoffs"): Rule(staff("orders")),
    ("POST", "/admin/handoffs/{handoff_id}/release"): Rule(
        staff("orders"), lambda w: Call(params={"handoff_id": new_handoff(w)})
    ),
    ("POST", "/admin/handoffs/{handoff_id}/messages"): Rule(
        staff("orders"),
        lambda w: Call(params={"handoff_id": new_handoff(w)}, json={"text": "On my way!"}),
    ),
    ("PUT", "/admin/customers/{customer_id}/pin"): Rule(
        staff("orders"), lambda w: Call(params={"customer_id": w.ann}, json={"pin": "4821"})
    ),
    ("DELETE", "/admin/customers/{customer_id}/pin"): Rule(
        staff("orders"), lambda w: (w.set_pins("4821"), Call(params={"customer_id": w.ann}))[1]
    ),
    # Admins only: keys, the audit log, spending limits.
    ("GET", "/admin/staff-keys"): Rule(staff()),
    ("POST", "/admin/staff-keys"): Rule(
        staff(), lambda w: Call(json={"label": "x", "role": "orders"})
    ),
    ("POST", "/admin/staff-keys/{key_id}/revoke"): Rule(
        staff(), lambda w: Call(params={"key_id": new_key(w)})
    ),
    ("POST", "/admin/staff-keys/{key_id}/rotate"): Rule(
        staff(), lambda w: Call(params={"key_id": new_key(w)})
    ),
    ("GET", "/admin/audit"): Rule(staff()),
    ("GET", "/admin/kpis"): Rule(staff(), lambda w: Call(query={"from": "2026-01-01"})),
    ("GET", "/admin/customers/{customer_id}/spending-limits"): Rule(
        staff(), lambda w: Call(params={"customer_id": w.ann})
    ),
    ("PUT", "/admin/customers/{customer_id}/spending-limits"): Rule(
        staff(), lambda w: Call(params={"customer_id": w.ann}, json={"order_limit": "50.00"})
    ),
    # Rasa's action server protocol: only a holder of the shared secret.
    ("POST", "/webhook"): Rule(
        ACTION_SERVER,
        lambda w: Call(
            json={
                "next_action": "action_add_item",
                "sender_id": w.ann,
                "tracker": {
                    "sender_id": w.ann,
                    "slots": {},
                    "latest_message": {"text": "add ten honey"},
                    "events": [],
                },
                "domain": {},
            }
        ),
    ),
    ("GET", "/actions"): Rule(ACTION_SERVER),
    # The staff console (see CONSOLE_PAGE above).
    ("GET", "/console/sign-in"): Rule(PUBLIC),
    ("POST", "/console/sign-in"): Rule(
        SIGN_IN_FORM, lambda w: Call(content=b"key=vxk_x", headers=FORM)
    ),
    ("GET", "/console"): Rule(CONSOLE_PAGE),
    ("POST", "/console/sign-out"): Rule(CONSOLE_FORM),
    ("GET", "/console/events"): Rule(CONSOLE_PAGE),
    ("GET", "/console/handoffs"): Rule(CONSOLE_PAGE),
    ("GET", "/console/handoffs/queue"): Rule(CONSOLE_PAGE),
    ("GET", "/console/handoffs/{handoff_id}"): Rule(
        CONSOLE_PAGE, lambda w: Call(params={"handoff_id": new_handoff(w)})
    ),
    ("GET", "/console/handoffs/{handoff_id}/conversation"): Rule(
        CONSOLE_PAGE, lambda w: Call(params={"handoff_id": new_handoff(w)})
    ),
    ("POST", "/console/handoffs/{handoff_id}/reply"): Rule(
        CONSOLE_FORM,
        lambda w: Call(params={"handoff_id": new_handoff(w)}, content=b"text=hello", headers=FORM),
    ),
    ("POST", "/console/handoffs/{handoff_id}/release"): Rule(
        CONSOLE_FORM, lambda w: Call(params={"handoff_id": new_handoff(w)})
    ),
    ("GET", "/console/orders"): Rule(CONSOLE_PAGE),
    ("GET", "/console/kpis"): Rule(CONSOLE_PAGE),
    ("GET", "/console/orders/board"): Rule(CONSOLE_PAGE),
    ("POST", "/console/orders/{order_id}/status"): Rule(
        CONSOLE_FORM,
        lambda w: Call(
            params={"order_id": w.place_order(w.ann)}, content=b"status=preparing", headers=FORM
        ),
    ),
    ("GET", "/console/catalog"): Rule(CONSOLE_PAGE),
    ("GET", "/console/catalog/import"): Rule(CONSOLE_PAGE),
    ("POST", "/console/catalog/products/{sku}"): Rule(
        CONSOLE_FORM,
        lambda w: Call(params={"sku": "CROISSANT"}, content=b"price=2.75", headers=FORM),
    ),
    ("POST", "/console/catalog/import"): Rule(CONSOLE_FORM),
}

CALLERS = (
    "no credentials",
    "wrong credentials",
    "another shopper",
    "staff admin",
    "staff catalog",
    "staff orders",
    "the right shopper",
    "the action server secret",
)


def expected_status(audience: str | frozenset[str], caller: str) -> str:
    """'2xx', or the refusal code."""
    if audience == PUBLIC:
        return "2xx"
    if audience in (CONSOLE_PAGE, CONSOLE_FORM, SIGN_IN_FORM):
        return {CONSOLE_PAGE: "303", CONSOLE_FORM: "401", SIGN_IN_FORM: "403"}[audience]
    if audience == ACTION_SERVER:
        return "2xx" if caller == "the action server secret" else "401"
    if caller in ("no credentials", "wrong credentials", "the action server secret"):
        return "401"
    if audience in (SHOPPER, OWN):
        if caller.startswith("staff"):
            return "401"
        if caller == "another shopper":
            return "404" if audience == OWN else "2xx"
        return "2xx"
    assert isinstance(audience, frozenset)
    if not caller.startswith("staff"):
        return "401"
    return "2xx" if caller.removeprefix("staff ") in audience else "403"


def caller_headers(world: World, caller: str) -> tuple[dict[str, str], dict[str, str]]:
    """(headers, query) for a caller."""
    if caller == "wrong credentials":
        wrong = {"X-API-Key": "vxk_not-a-key", "Authorization": "Bearer vxs_not-a-token"}
        return wrong, {"token": "not-the-action-server-secret"}
    if caller == "another shopper":
        return {"Authorization": f"Bearer {world.tokens[world.bob]}"}, {}
    if caller == "the right shopper":
        return {"Authorization": f"Bearer {world.tokens[world.ann]}"}, {}
    if caller.startswith("staff "):
        return {"X-API-Key": world.keys[caller.removeprefix("staff ")]}, {}
    if caller == "the action server secret":
        return {}, {"token": SECRET}
    return {}, {}


def snapshot(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table of the store."""
    with store.sessions() as session:
        return {
            table.name: [tuple(row) for row in session.execute(select(table)).all()]
            for table in Base.metadata.sorted_tables
        }


def served_app(store: Store, assistant: Any) -> Any:
    settings = SimpleNamespace(action_server_token=SECRET)
    return create_app(store.sessions, extra_routers=assistant_routers(settings, assistant))


def app_routes(app: Any) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        if isinstance(route, (APIRoute, Route)):
            for method in route.methods or ():
                if method != "HEAD":
                    found.add((method, route.path))
    return found


@pytest.fixture
def world(store: Store, assistant: Any) -> Iterator[tuple[World, TestClient]]:
    context.configure(store.sessions)
    world = World(store)
    with store.sessions() as session:
        for who in (world.ann, world.bob):
            _, token = create_customer(session, name=who.title(), customer_id=who)
            assert token is not None
            world.tokens[who] = token
        for role in ROLES:
            world.keys[role] = create_staff_key(session, label=f"matrix {role}", role=role)
    world.anns_order = world.place_order(world.ann)
    with TestClient(served_app(store, assistant)) as client:
        yield world, client


def test_every_route_has_a_policy(store: Store, assistant: Any) -> None:
    routes = app_routes(served_app(store, assistant))
    missing = sorted(routes - set(POLICY))
    stale = sorted(set(POLICY) - routes)
    assert not missing, f"routes with no authorization policy in this test: {missing}"
    assert not stale, f"policy lines for routes the app no longer has: {stale}"


def refusals_first(audience: str | frozenset[str]) -> list[str]:
    return sorted(CALLERS, key=lambda caller: expected_status(audience, caller) == "2xx")


@pytest.mark.parametrize(("method", "path"), sorted(POLICY), ids=lambda v: str(v))
def test_route_answers_each_caller_as_the_policy_says(
    world: tuple[World, TestClient], method: str, path: str
) -> None:
    w, client = world
    rule = POLICY[(method, path)]
    for caller in refusals_first(rule.audience):
        want = expected_status(rule.audience, caller)
        call = rule.build(w)
        headers, query = caller_headers(w, caller)
        before = snapshot(w.store) if want != "2xx" else None
        response = client.request(
            method,
            path.format(**call.params),
            params={**call.query, **query},
            json=call.json,
            content=call.content,
            headers={**call.headers, **headers},
            follow_redirects=False,
        )
        where = f"{method} {path} as {caller}: {response.status_code} {response.text[:300]}"
        if want == "2xx":
            assert 200 <= response.status_code < 300, where
        else:
            assert str(response.status_code) == want, where
            assert snapshot(w.store) == before, f"{where}: the database changed on a refusal"
