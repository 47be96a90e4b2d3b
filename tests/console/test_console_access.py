"""Who may use each console route, by session: anonymous visitors are sent to sign in (a page)
or refused 401 (a form post, a fragment), a forged or stale session is refused 401, staff
of the wrong role get 403, a form without the session's CSRF token gets 403; and nothing in
the database changes on any refusal.

Every console route of the app must have a line in CONSOLE_POLICY: a new page fails this
test until someone decides who may use it."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from commerce.accounts import create_customer, create_staff_key
from commerce.api.app import create_app
from commerce.cart import add_to_cart
from commerce.console import events
from commerce.handoffs import open_handoff
from commerce.orders import checkout
from commerce.service import Store
from tests.api.test_authorization_matrix import snapshot

ROLES = ("admin", "catalog", "orders")
_fresh = itertools.count(1)


@dataclass
class World:
    store: Store
    keys: dict[str, str] = field(default_factory=dict)

    def handoff(self) -> int:
        with self.store.sessions() as session:
            who = f"waiting-{next(_fresh)}"
            create_customer(session, name=who, customer_id=who, with_token=False)
            add_to_cart(session, customer_id=who, sku="CROISSANT", quantity=1)
            return open_handoff(session, customer_id=who, reason="asked", conversation=[]).id

    def order(self) -> int:
        with self.store.sessions() as session:
            who = f"buyer-{next(_fresh)}"
            create_customer(session, name=who, customer_id=who, with_token=False)
            add_to_cart(session, customer_id=who, sku="CROISSANT", quantity=1)
            return checkout(session, customer_id=who).id


@dataclass
class Call:
    params: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Any] | None = None


def none(_: World) -> Call:
    return Call()


CSV = (
    "sku,name,aliases,category,unit,price,stock,options,description\n"
    "CONSOLE-NEW,Console thing,,test,each,1.00,3,,x\n"
)
ANY = None  # any signed-in staff member


@dataclass(frozen=True)
class Rule:
    area: str | None  # "orders", "catalog" (admins too), or ANY
    build: Callable[[World], Call] = none
    allowed: int = 200  # what an allowed caller gets


CONSOLE_POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/console"): Rule(ANY, allowed=303),
    ("POST", "/console/sign-out"): Rule(ANY, allowed=303),
    ("GET", "/console/handoffs"): Rule("orders"),
    ("GET", "/console/handoffs/queue"): Rule("orders"),
    ("GET", "/console/events"): Rule("orders"),
    ("GET", "/console/handoffs/{handoff_id}"): Rule(
        "orders", lambda w: Call(params={"handoff_id": w.handoff()})
    ),
    ("GET", "/console/handoffs/{handoff_id}/conversation"): Rule(
        "orders", lambda w: Call(params={"handoff_id": w.handoff()})
    ),
    ("POST", "/console/handoffs/{handoff_id}/reply"): Rule(
        "orders",
        lambda w: Call(params={"handoff_id": w.handoff()}, data={"text": "Hello!"}),
        allowed=303,
    ),
    ("POST", "/console/handoffs/{handoff_id}/release"): Rule(
        "orders", lambda w: Call(params={"handoff_id": w.handoff()}), allowed=303
    ),
    ("GET", "/console/orders"): Rule("orders"),
    ("GET", "/console/kpis"): Rule("admin"),
    ("GET", "/console/orders/board"): Rule("orders"),
    ("POST", "/console/orders/{order_id}/status"): Rule(
        "orders",
        lambda w: Call(params={"order_id": w.order()}, data={"status": "preparing"}),
        allowed=303,
    ),  # fmt: skip
    ("GET", "/console/catalog"): Rule("catalog"),
    ("GET", "/console/catalog/import"): Rule("catalog"),
    ("POST", "/console/catalog/products/{sku}"): Rule(
        "catalog",
        lambda w: Call(params={"sku": "CROISSANT"}, data={"price": "2.75", "stock": "9"}),
    ),
    ("POST", "/console/catalog/import"): Rule(
        "catalog", lambda w: Call(files={"file": ("new.csv", CSV.encode(), "text/csv")})
    ),
}
# Public: the sign-in page itself (its form is tested in test_console_pages).
PUBLIC_ROUTES = {("GET", "/console/sign-in"), ("POST", "/console/sign-in")}
CALLERS = ("anonymous", "forged session", "catalog", "orders", "admin")


def expected(rule: Rule, method: str, caller: str, *, csrf: bool = True) -> int:
    if caller == "anonymous":
        return 303 if method == "GET" else 401
    if caller == "forged session":
        return 401
    if rule.area is not None and caller not in (rule.area, "admin"):
        return 403
    if method == "POST" and not csrf:
        return 403
    return rule.allowed


@pytest.fixture
def world(store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[World, TestClient]]:
    monkeypatch.setattr(events, "STREAM_SECONDS", 0.0)  # the live stream ends at once
    world = World(store)
    with store.sessions() as session:
        for role in ROLES:
            world.keys[role] = create_staff_key(session, label=f"{role} person", role=role)
    with TestClient(create_app(store.sessions), follow_redirects=False) as client:
        yield world, client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(client: TestClient, key: str) -> str:
    """Signs the client in; returns the session's CSRF token."""
    client.cookies.clear()
    page = client.get("/console/sign-in")
    signed = client.post("/console/sign-in", data={"csrf_token": csrf_of(page.text), "key": key})
    assert signed.status_code == 303, signed.text
    home = client.get(signed.headers["location"])
    assert home.status_code == 200, home.text
    return csrf_of(home.text)


def become(world: World, client: TestClient, caller: str) -> str:
    client.cookies.clear()
    if caller == "forged session":
        client.cookies.set("voxcart_console", "eyJzdGFmZiI6MX0.forged.signature", path="/console")
        return "forged"
    if caller == "anonymous":
        return ""
    return sign_in(client, world.keys[caller])


def console_routes(app: Any) -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for route in app.routes
        if isinstance(route, APIRoute) and route.path.startswith("/console")
        for method in route.methods
    }


def test_every_console_route_has_a_policy(store: Store) -> None:
    routes = console_routes(create_app(store.sessions))
    assert routes - PUBLIC_ROUTES == set(CONSOLE_POLICY), "console routes and policy differ"


def request(client: TestClient, method: str, path: str, call: Call, token: str) -> Any:
    url = path.format(**call.params)
    if method == "GET":
        return client.get(url)
    data = {**call.data, **({"csrf_token": token} if token else {})}
    return client.post(url, data=data, files=call.files)


@pytest.mark.parametrize(("method", "path"), sorted(CONSOLE_POLICY), ids=str)
def test_console_route_answers_each_caller_as_the_policy_says(
    world: tuple[World, TestClient], method: str, path: str
) -> None:
    w, client = world
    rule = CONSOLE_POLICY[(method, path)]
    for caller in CALLERS:
        token = become(w, client, caller)
        want = expected(rule, method, caller)
        call = rule.build(w)
        refused = caller == "anonymous" or want in (401, 403)
        before = snapshot(w.store) if refused else None
        response = request(client, method, path, call, token)
        where = f"{method} {path} as {caller}: {response.status_code} {response.text[:200]}"
        assert response.status_code == want, where
        if want == 303 and caller == "anonymous":
            assert response.headers["location"].startswith("/console/sign-in"), where
        if refused:
            assert snapshot(w.store) == before, f"{where}: the database changed on a refusal"
        if want == 401 and caller == "forged session":
            assert "Sign in" in response.text or "hx-redirect" in response.headers, where


@pytest.mark.parametrize(
    ("method", "path"), sorted(k for k in CONSOLE_POLICY if k[0] == "POST"), ids=str
)
def test_console_form_without_the_csrf_token_is_refused_and_changes_nothing(
    world: tuple[World, TestClient], method: str, path: str
) -> None:
    w, client = world
    rule = CONSOLE_POLICY[(method, path)]
    become(w, client, "admin")
    for token in ("", "not-the-session-token"):
        call = rule.build(w)
        before = snapshot(w.store)
        response = request(client, method, path, call, token)
        assert response.status_code == 403, response.text[:200]
        assert "expired" in response.text
        assert snapshot(w.store) == before, f"{path}: the database changed without a CSRF token"


def test_a_revoked_key_ends_its_console_sessions(world: tuple[World, TestClient]) -> None:
    w, client = world
    become(w, client, "orders")
    assert client.get("/console/orders").status_code == 200
    with w.store.sessions() as session:
        from commerce.accounts import list_staff_keys, revoke_staff_key

        (orders_key,) = [k for k in list_staff_keys(session) if k.role == "orders"]
        revoke_staff_key(session, key_id=orders_key.id, actor="test")
    refused = client.get("/console/orders")
    assert refused.status_code == 401 and "revoked" in refused.text


def test_session_cookie_is_httponly_strict_and_signed(world: tuple[World, TestClient]) -> None:
    w, client = world
    page = client.get("/console/sign-in")
    assert "httponly" in page.headers["set-cookie"].lower()
    signed = client.post(
        "/console/sign-in", data={"csrf_token": csrf_of(page.text), "key": w.keys["orders"]}
    )
    cookie = signed.headers["set-cookie"].lower()
    assert "voxcart_console=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    assert w.keys["orders"].lower() not in cookie  # the key itself is never in the cookie


def test_the_kpi_page_shows_the_figures_and_says_what_is_wrong_with_a_range(
    world: tuple[World, TestClient],
) -> None:
    w, client = world
    become(w, client, "admin")
    page = client.get("/console/kpis", params={"from": "2026-11-01", "to": "2026-11-07"})
    assert page.status_code == 200, page.text
    for label in ("Conversations", "Conversion", "Cart abandonment", "Not understood",
                  "Handed to staff", "Turn time p50 / p95", "Orders", "Satisfaction"):  # fmt: skip
        assert label in page.text
    assert page.text.count("<tr><td>2026-11-") == 7  # one row per day asked for
    swapped = client.get("/console/kpis", params={"from": "2026-11-07", "to": "2026-11-01"})
    assert swapped.status_code == 422 and "swap them" in swapped.text
    junk = client.get("/console/kpis", params={"from": "yesterday"})
    assert junk.status_code < 500
