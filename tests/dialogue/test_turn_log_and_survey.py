"""Over the REST channel: every assistant turn is logged (understood or not, latency, the
order it placed, the handoff), the survey after an order records a rating, and the KPIs
route counts them."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from commerce import turn_log
from commerce.models import CsatResponse, TurnLogEntry
from commerce.service import Store

from .test_rest_channel import chat_client, say  # noqa: F401 - chat_client is a fixture


def test_turns_logged_rating_recorded_and_counted(
    chat_client: TestClient,  # noqa: F811 - the imported fixture
    make_shopper: Callable,
    admin_headers: dict[str, str],
    store: Store,
) -> None:
    ann = make_shopper("Ann")
    say(chat_client, ann.headers, "two croissants please")
    say(chat_client, ann.headers, "check out please")
    placed = " ".join(r["text"] for r in say(chat_client, ann.headers, "yes please"))
    assert "How did I do, from one to five?" in placed
    thanked = " ".join(r["text"] for r in say(chat_client, ann.headers, "four"))
    assert "thanks for the rating" in thanked.lower()
    say(chat_client, ann.headers, "flibber the jabberwock sideways")

    turn_log.flush()  # rows are written by a background thread
    with store.sessions() as session:
        rows = list(session.scalars(select(TurnLogEntry).order_by(TurnLogEntry.id)))
        ratings = [(r.customer_id, r.score) for r in session.scalars(select(CsatResponse))]
    assert [r.customer_id for r in rows] == [ann.id] * 5
    assert [r.understood for r in rows] == [True, True, True, True, False]
    assert [r.order_id is not None for r in rows] == [False, False, True, False, False]
    assert [r.cart_quantity for r in rows] == [2, 2, 0, 0, 0]
    assert not any(r.handoff for r in rows)
    # Latency covers understanding the words too: never zero, and not absurd.
    assert all(0 < r.latency_ms < 30_000 for r in rows)
    assert ratings == [(ann.id, 4)]

    kpis = chat_client.get("/admin/kpis", headers=admin_headers).json()
    assert kpis["turns"] == 5
    assert kpis["conversations"] == 1
    assert kpis["conversion"] == {"rate": 1.0, "count": 1, "of": 1}
    assert kpis["fallback_rate"] == {"rate": 0.2, "count": 1, "of": 5}
    assert kpis["csat"]["count"] == 1 and kpis["csat"]["average"] == 4.0
    assert kpis["orders"] == 1
