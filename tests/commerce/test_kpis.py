"""The KPIs: each figure counted from a turn log, orders and CSAT answers written here, so
every number below can be worked out by hand. The demo store is in New York time."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from commerce.accounts import create_customer
from commerce.csat import record_rating
from commerce.errors import InvalidRequest
from commerce.kpis import store_kpis
from commerce.orders import record_past_order
from commerce.turn_log import TurnRecord, record_turn

# 2026-11-10 15:00 UTC is 10:00 in New York.
DAY = datetime(2026, 11, 10, 15, 0, tzinfo=timezone.utc)


def turn(session: Session, who: str, minutes: float, **kw: object) -> None:
    record = TurnRecord(
        customer_id=who,
        at=DAY + timedelta(minutes=minutes),
        intent=str(kw.pop("intent", "add_item")),
        handler=str(kw.pop("handler", "add_item")),
        understood=bool(kw.pop("understood", True)),
        latency_ms=int(kw.pop("latency_ms", 100)),  # type: ignore[call-overload]
        handoff=bool(kw.pop("handoff", False)),
        order_id=kw.pop("order_id", None),  # type: ignore[arg-type]
    )
    record_turn(session, record)


@pytest.fixture
def logged(session: Session) -> Session:
    for who in ("ann", "bob", "cy"):
        create_customer(session, name=who, customer_id=who, with_token=False)
    # Ann: one conversation that fills a cart and places an order (order 1, 2 x 2.80).
    order = record_past_order(session, customer_id="ann", items={"CROISSANT": 2},
                              status="placed", placed_at=DAY + timedelta(minutes=2))  # fmt: skip
    from commerce.cart import add_to_cart, clear_cart

    add_to_cart(session, customer_id="ann", sku="CROISSANT", quantity=2)
    turn(session, "ann", 0, latency_ms=80)
    clear_cart(session, customer_id="ann")
    turn(session, "ann", 2, handler="affirm", order_id=order.id, latency_ms=120)
    # Bob: fills a cart and leaves it (one conversation), then 40 minutes later a second
    # conversation: two turns not understood, the second hands off.
    add_to_cart(session, customer_id="bob", sku="BANANA", quantity=3)
    turn(session, "bob", 5, latency_ms=90)
    turn(session, "bob", 10, handler="view_cart", latency_ms=60)
    turn(session, "bob", 50, handler="not_understood", understood=False, latency_ms=300)
    turn(session, "bob", 51, handler="not_understood", understood=False, handoff=True,
         latency_ms=2000)  # fmt: skip
    # Cy: a question, no cart; the next day (outside a one-day range) another turn.
    turn(session, "cy", 30, handler="ask_hours", latency_ms=50)
    turn(session, "cy", 60 * 24, handler="ask_hours", latency_ms=70)
    # A cancelled order is not counted; an order on the next day is.
    record_past_order(session, customer_id="cy", items={"BANANA": 4}, status="cancelled",
                      placed_at=DAY)  # fmt: skip
    record_past_order(session, customer_id="cy", items={"LEMON": 5}, status="delivered",
                      placed_at=DAY + timedelta(days=1))  # fmt: skip
    record_rating(session, customer_id="ann", score=5, order_id=order.id, at=DAY)
    record_rating(session, customer_id="bob", score=2, at=DAY + timedelta(minutes=3))
    record_rating(session, customer_id="cy", score=4, at=DAY + timedelta(days=1))
    return session


def test_one_day(logged: Session) -> None:
    kpis = store_kpis(logged, start=date(2026, 11, 10), end=date(2026, 11, 10))
    assert kpis["turns"] == 7
    assert kpis["conversations"] == 4  # ann, bob x2 (40-minute gap), cy
    assert kpis["conversion"] == {"rate": 0.25, "count": 1, "of": 4}
    # Carts: ann's (ordered) and bob's first and second (still holding bananas).
    assert kpis["cart_abandonment"] == {"rate": 0.6667, "count": 2, "of": 3}
    assert kpis["fallback_rate"] == {"rate": 0.2857, "count": 2, "of": 7}
    assert kpis["handoff_rate"] == {"rate": 0.25, "count": 1, "of": 4}
    # That day's latencies, sorted: 50 60 80 90 120 300 2000 (nearest rank: 4th and 7th).
    assert kpis["latency_ms"] == {"p50": 90, "p95": 2000, "turns": 7}
    assert kpis["orders"] == 1
    assert kpis["revenue"] == "5.60"
    assert kpis["orders_per_day"] == [
        {"date": "2026-11-10", "orders": 1, "revenue_cents": 560, "revenue": "5.60"}
    ]
    assert kpis["csat"] == {
        "count": 2,
        "average": 3.5,
        "scores": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1},
    }


def test_two_days_list_every_day(logged: Session) -> None:
    kpis = store_kpis(logged, start=date(2026, 11, 10), end=date(2026, 11, 11))
    assert kpis["turns"] == 8
    assert [d["orders"] for d in kpis["orders_per_day"]] == [1, 1]
    assert kpis["orders_per_day"][1]["revenue"] == "2.00"
    assert kpis["csat"]["average"] == 3.67
    empty = store_kpis(logged, start=date(2026, 1, 1), end=date(2026, 1, 3))
    assert empty["conversion"] == {"rate": None, "count": 0, "of": 0}
    assert empty["latency_ms"] == {"p50": None, "p95": None, "turns": 0}
    assert [d["orders"] for d in empty["orders_per_day"]] == [0, 0, 0]
    assert empty["csat"]["average"] is None


def test_bad_ranges_say_what_to_do(logged: Session) -> None:
    with pytest.raises(InvalidRequest, match="swap them"):
        store_kpis(logged, start=date(2026, 11, 12), end=date(2026, 11, 10))
    with pytest.raises(InvalidRequest, match="at most 366 days"):
        store_kpis(logged, start=date(2024, 1, 1), end=date(2026, 1, 1))


def test_route(logged: Session, client: TestClient, admin_headers: dict[str, str]) -> None:
    response = client.get(
        "/admin/kpis", params={"from": "2026-11-10", "to": "2026-11-10"}, headers=admin_headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["conversion"]["count"] == 1
    for bad in ({"from": "yesterday"}, {"from": "2026-11-12", "to": "2026-11-10"},
                {"to": "2026-02-30"}):  # fmt: skip
        refused = client.get("/admin/kpis", params=bad, headers=admin_headers)
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.json()["detail"]
