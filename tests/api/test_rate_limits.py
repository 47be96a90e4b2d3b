"""Rate limits per staff key, per shopper token and per client address, on the real app with
small windows (2 seconds), in memory and on a real Redis shared by two app instances."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from commerce.accounts import create_staff_key
from commerce.api.app import create_app
from commerce.api.rate_limits import RateLimits
from commerce.service import Store
from tests.api.live_server import free_port

REDIS_ENV = "VOXCART_TEST_REDIS_URL"
WINDOW = "3 per 2 seconds"


@pytest.fixture
def database_url(sqlite_database_url: str) -> str:
    """SQLite only: the limits never touch the database, a PostgreSQL run would only add
    the waits again."""
    return sqlite_database_url


def limited_app(store: Store, **limits: str) -> FastAPI:
    # Whatever is not under test is unlimited, so only the limit under test can answer 429.
    config: dict[str, Any] = {"staff": "", "shopper": "", "anonymous": "", **limits}
    return create_app(store.sessions, rate_limits=RateLimits(**config))


def new_staff_key(store: Store) -> dict[str, str]:
    with store.sessions() as session:
        return {"X-API-Key": create_staff_key(session, label="rate-test")}


def assert_limited(response: Response) -> int:
    """The 429 answer; returns its Retry-After."""
    assert response.status_code == 429, response.text
    body = response.json()
    assert body["error"] == "rate_limited"
    assert "retry in" in body["detail"]
    retry_after = response.headers["Retry-After"]
    assert retry_after.isdigit()
    # whole seconds from the window: at most the window (2 s) plus the rounding second
    assert 1 <= int(retry_after) <= 3
    return int(retry_after)


@pytest.fixture
def client_for(store: Store) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(app: FastAPI, address: str = "10.0.0.1") -> TestClient:
        client = TestClient(app, client=(address, 40000))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def test_staff_key_limit(store: Store, client_for: Callable[..., TestClient]) -> None:
    client = client_for(limited_app(store, staff=WINDOW))
    first, second = new_staff_key(store), new_staff_key(store)
    for _ in range(3):
        assert client.get("/admin/products", headers=first).status_code == 200
    retry_after = assert_limited(client.get("/admin/products", headers=first))
    # another key from the same address is not affected
    assert client.get("/admin/products", headers=second).status_code == 200
    time.sleep(retry_after)
    assert client.get("/admin/products", headers=first).status_code == 200


def test_shopper_token_limit_covers_the_chat_channel(
    store: Store, client_for: Callable[..., TestClient], make_shopper: Callable
) -> None:
    """The chat channel's path is limited like every other (this app serves no assistant, so
    an allowed turn is a 404 here; a limited one is a 429 before routing)."""
    client = client_for(limited_app(store, shopper=WINDOW))
    ann, bob = make_shopper("Ann"), make_shopper("Bob")
    turn = {"sender": "ann", "message": "hi"}
    assert client.get("/cart", headers=ann.headers).status_code == 200
    assert client.post("/webhooks/rest/webhook", json=turn, headers=ann.headers).status_code == 404
    assert client.get("/orders", headers=ann.headers).status_code == 200
    retry_after = assert_limited(
        client.post("/webhooks/rest/webhook", json=turn, headers=ann.headers)
    )
    assert client.get("/cart", headers=bob.headers).status_code == 200
    time.sleep(retry_after)
    assert client.get("/cart", headers=ann.headers).status_code == 200


def test_anonymous_limit_is_per_address(store: Store, client_for: Callable) -> None:
    app = limited_app(store, anonymous=WINDOW)
    here, there = client_for(app, "10.0.0.1"), client_for(app, "10.0.0.2")
    for _ in range(3):
        assert here.get("/products").status_code == 200
    retry_after = assert_limited(here.get("/products", params={"q": "milk"}))
    assert there.get("/products").status_code == 200
    time.sleep(retry_after)
    assert here.get("/products").status_code == 200


def test_made_up_credentials_count_against_the_address(store: Store, client_for: Callable) -> None:
    """A new invented key per request does not make a new budget: each 401 counts against
    the address, which is then refused before its keys are even looked at."""
    app = limited_app(store, anonymous=WINDOW, staff="100/minute")
    here, there = client_for(app, "10.0.0.1"), client_for(app, "10.0.0.2")
    for n in range(3):
        invented = {"X-API-Key": f"vxk_made_up_{n}"}
        assert here.get("/admin/products", headers=invented).status_code == 401
    assert_limited(here.get("/admin/products", headers={"X-API-Key": "vxk_made_up_4"}))
    assert_limited(here.get("/cart", headers={"Authorization": "Bearer invented"}))
    assert there.get("/admin/products", headers=new_staff_key(store)).status_code == 200


def test_action_server_protocol_is_not_limited(store: Store, client_for: Callable) -> None:
    """`/webhook` is called by the store's own Rasa server for every shopper at once."""
    client = client_for(limited_app(store, anonymous="1 per 2 seconds"))
    answers = {client.post("/webhook", json={"next_action": "x"}).status_code for _ in range(5)}
    assert 429 not in answers
    assert client.get("/products").status_code == 200
    assert_limited(client.get("/products"))


def test_action_server_secret_guessing_is_limited(store: Store, client_for: Callable) -> None:
    """The store's Rasa server (right secret) is never limited; an address sending wrong
    secrets is refused once its budget of failures is spent, like any invented credential."""
    from dialogue.action_server import action_server_router
    from dialogue.runtime import action_executor

    secret = "rate-limit-test-action-secret-0123"
    router = action_server_router(action_executor(), token=secret)
    app = create_app(
        store.sessions,
        extra_routers=[router],
        rate_limits=RateLimits(staff="", shopper="", anonymous=WINDOW),
    )
    rasa, guesser = client_for(app, "10.0.0.1"), client_for(app, "10.0.0.2")
    call = {"next_action": "action_nope", "sender_id": "ann", "tracker": {"sender_id": "ann"}}
    for _ in range(6):
        assert rasa.post("/webhook", json=call, params={"token": secret}).status_code == 404
    for n in range(3):
        wrong = {"token": f"guess-number-{n}-of-the-secret"}
        assert guesser.post("/webhook", json=call, params=wrong).status_code == 401
    assert_limited(guesser.post("/webhook", json=call, params={"token": secret}))
    assert rasa.post("/webhook", json=call, params={"token": secret}).status_code == 404


def test_bad_limit_setting_is_named(store: Store) -> None:
    with pytest.raises(ValueError, match="VOXCART_RATE_LIMIT_SHOPPER"):
        create_app(store.sessions, rate_limits=RateLimits(shopper="lots"))


def test_unreachable_redis_does_not_stop_the_store(
    store: Store, client_for: Callable, caplog: pytest.LogCaptureFixture
) -> None:
    """Counters that cannot be reached are not enforced: the store keeps selling, and the
    failure is logged (once, not per request)."""
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    config = RateLimits(anonymous="1 per 2 seconds", storage_url=nowhere)
    client = client_for(create_app(store.sessions, rate_limits=config))
    with caplog.at_level(logging.ERROR, logger="commerce.api.rate_limits"):
        assert [client.get("/products").status_code for _ in range(3)] == [200, 200, 200]
    failures = [r for r in caplog.records if r.name == "commerce.api.rate_limits"]
    assert len(failures) == 1
    assert "not enforced" in failures[0].getMessage()


@pytest.mark.skipif(
    not os.environ.get(REDIS_ENV),
    reason=f"set {REDIS_ENV} (scripts/test-redis.sh starts one) to test Redis-backed limits",
)
def test_two_app_instances_share_one_redis_counter(store: Store, client_for: Callable) -> None:
    """Two server processes' apps, one Redis: the budget is shared, not doubled."""
    config = RateLimits(staff=WINDOW, shopper="", anonymous="", storage_url=os.environ[REDIS_ENV])
    first = client_for(create_app(store.sessions, rate_limits=config))
    second = client_for(create_app(store.sessions, rate_limits=config))
    key = new_staff_key(store)  # a new key: no counts left over from other runs
    assert first.get("/admin/products", headers=key).status_code == 200
    assert second.get("/admin/products", headers=key).status_code == 200
    assert first.get("/admin/products", headers=key).status_code == 200
    retry_after = assert_limited(second.get("/admin/products", headers=key))
    assert_limited(first.get("/admin/products", headers=key))
    time.sleep(retry_after)
    assert second.get("/admin/products", headers=key).status_code == 200


def test_console_sessions_have_the_staff_budget_and_forged_ones_count_as_failures(
    store: Store, client_for: Callable
) -> None:
    """Signed-in console staff are not squeezed into the per-address budget (a tablet loads
    fragments all day), and an invented session cookie is refused 401 like an invented key."""
    from tests.console.test_console_access import sign_in

    app = limited_app(store, anonymous=WINDOW, staff="100/minute")
    with store.sessions() as session:
        key = create_staff_key(session, label="counter", role="orders")
    here = client_for(app, "10.0.0.1")
    here.follow_redirects = False
    sign_in(here, key)  # sign-in page and form: two requests on the address's budget
    for _ in range(5):
        assert here.get("/console/orders/board").status_code == 200
    forger = client_for(app, "10.0.0.2")
    for n in range(3):
        forger.cookies.set("voxcart_console", f"invented-{n}", path="/console")
        assert forger.get("/console/orders").status_code == 401
    forger.cookies.set("voxcart_console", "invented-4", path="/console")
    assert_limited(forger.get("/console/orders"))
