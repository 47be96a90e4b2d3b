"""A store on several servers whose Redis stops answering: a shopper's turn cannot take its
conversation lock, and is refused with a clear 503 (never a 500, never run unlocked), its
notices kept for later; the rate limiter, on the same Redis, keeps letting requests through.

No Redis is needed: one URL points at a closed port (refused at once), another at a socket
that accepts connections and never answers (a hung server)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from commerce.api.app import create_app
from commerce.api.rate_limits import RateLimits
from commerce.notices import enqueue_notice, has_notices
from commerce.service import Store
from dialogue import context
from dialogue.channels import text_channel_router
from dialogue.conversation_locks import RedisTicketLockStore


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def silent_redis_url() -> Iterator[str]:
    """A listening socket nobody reads from: connections succeed, replies never come."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield f"redis://127.0.0.1:{sock.getsockname()[1]}/0"


def swap_lock_store(assistant: Any, lock_store: Any) -> Any:
    previous = assistant.agent.lock_store
    assistant.agent.lock_store = assistant.agent.processor.lock_store = lock_store
    return previous


def client_on(store: Store, assistant: Any, redis_url: str) -> TestClient:
    context.configure(store.sessions)
    # The rate limiter's counters on the same (unreachable) Redis, limits low enough that a
    # working limiter would refuse the second request.
    limits = RateLimits(
        shopper="1/minute", anonymous="100/minute", storage_url=redis_url, storage_timeout_s=0.2
    )
    app = create_app(
        store.sessions, extra_routers=[text_channel_router(assistant)], rate_limits=limits
    )
    return TestClient(app)


@pytest.mark.parametrize("down", ["refused", "silent"])
def test_a_turn_whose_lock_store_is_down_gets_a_503_and_keeps_its_notices(
    down: str,
    silent_redis_url: str,
    store: Store,
    assistant: Any,
    make_shopper: Callable[..., Any],
) -> None:
    url = closed_port_url() if down == "refused" else silent_redis_url
    ann = make_shopper("Ann")
    with store.sessions() as session:
        enqueue_notice(session, customer_id=ann.id, text="Your order is ready.", kind="staff_reply")
    previous = swap_lock_store(assistant, RedisTicketLockStore(url, reply_timeout_s=0.3))
    try:
        with client_on(store, assistant, url) as client:
            for _ in range(2):  # the second is over the shopper's rate limit, were it counted
                turn = client.post(
                    "/webhooks/rest/webhook", json={"message": "hi"}, headers=ann.headers
                )
                assert turn.status_code == 503, turn.text
                assert turn.json()["error"] == "lock_store_unavailable"
                assert "Redis" in turn.json()["detail"]
                assert int(turn.headers["Retry-After"]) > 0
            polled = client.get("/webhooks/rest/notices", headers=ann.headers)
            assert polled.status_code == 503 and polled.json()["error"] == "lock_store_unavailable"
    finally:
        swap_lock_store(assistant, previous)
    with store.sessions() as session:
        assert has_notices(session, customer_id=ann.id)  # nobody heard it: still waiting
    with client_on(store, assistant, closed_port_url()) as client:
        back = client.post("/webhooks/rest/webhook", json={"message": "hi"}, headers=ann.headers)
    assert back.status_code == 200, back.text
    assert back.json()[0]["text"] == "Your order is ready."
