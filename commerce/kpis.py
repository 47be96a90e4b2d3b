"""How the assistant and the store are doing, over a range of days: `store_kpis`.

Everything is counted from two logs and the orders table:

- the turn log (commerce.turn_log, one row per assistant turn),
- the CSAT answers (commerce.csat),
- orders (commerce.models.Order).

Days are the store's own calendar days (its time zone, from the store file); `start` and `end`
are both included. What each figure counts, exactly:

- `turns`: assistant turns in the range.
- `conversations`: runs of one shopper's turns with no gap of `CONVERSATION_GAP` (30 minutes)
  or more between consecutive turns. Only turns inside the range are seen, so a conversation
  across midnight at the range's edge counts from its first turn inside it.
- `conversion`: conversations in which a turn placed an order, out of all conversations.
- `cart_abandonment`: conversations in which the cart held something after some turn but no
  order was placed, out of the conversations in which the cart held something. A conversation
  handed to a person counts like any other (staff may still finish the sale).
- `fallback_rate`: turns that ended in "Sorry, I didn't catch that" (or the handoff that a
  second one in a row leads to), out of all turns. A turn the assistant rescued from an unsure
  classifier (a product mention, a keyword) is understood.
- `handoff_rate`: conversations with a turn that passed the conversation to a person (asked
  for, two misunderstandings, a spending limit), out of all conversations.
- `latency_ms`: p50 and p95 (nearest rank) of the turn latency: from the moment the shopper's
  words reached the assistant (`Assistant.respond`: understanding, dialogue policy and the
  action) to the replies being ready. Speech recognition and speech synthesis on a device are
  not in it. Under the stock action server the latency counts from the action's start only.
- `orders_per_day`: orders placed each day (every channel: voice, REST, API), cancelled ones
  left out, and their revenue: the sum of their totals (items, option prices and delivery
  fees), in minor units and as a decimal string. Every day of the range is listed.
- `csat`: answers to "How did I do, from one to five?" given in the range: their count, the
  average (two decimals, null with no answers) and how many of each score.

A rate is `{"rate": share rounded to 4 places or null when there is nothing to divide by,
"count": numerator, "of": denominator}`.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce.errors import InvalidRequest
from commerce.models import CsatResponse, Order, TurnLogEntry
from commerce.money import format_price
from commerce.store import get_store_facts

CONVERSATION_GAP = timedelta(minutes=30)
MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 30


@dataclass(frozen=True)
class Conversation:
    customer_id: str
    turns: list[TurnLogEntry]

    @property
    def placed_order(self) -> bool:
        return any(t.order_id is not None for t in self.turns)

    @property
    def had_cart(self) -> bool:
        return any(t.cart_quantity > 0 for t in self.turns)

    @property
    def handed_off(self) -> bool:
        return any(t.handoff for t in self.turns)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def day_range(start: date | None, end: date | None, *, today: date) -> tuple[date, date]:
    """The days asked for, checked: `end` defaults to today, `start` to 30 days before it."""
    end = end or today
    start = start or end - timedelta(days=DEFAULT_RANGE_DAYS - 1)
    if start > end:
        raise InvalidRequest(f"'from' ({start}) is after 'to' ({end}); swap them")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise InvalidRequest(f"a range is at most {MAX_RANGE_DAYS} days; ask for fewer")
    return start, end


def conversations_of(turns: Iterable[TurnLogEntry]) -> list[Conversation]:
    """Turns (any order) grouped into conversations: per shopper, split at gaps."""
    by_shopper: dict[str, list[TurnLogEntry]] = defaultdict(list)
    for turn in turns:
        by_shopper[turn.customer_id].append(turn)
    found = []
    for customer_id, own in by_shopper.items():
        own.sort(key=lambda t: (_aware(t.at), t.id or 0))
        current: list[TurnLogEntry] = []
        for turn in own:
            if current and _aware(turn.at) - _aware(current[-1].at) >= CONVERSATION_GAP:
                found.append(Conversation(customer_id, current))
                current = []
            current.append(turn)
        if current:
            found.append(Conversation(customer_id, current))
    return found


def rate(count: int, of: int) -> dict[str, Any]:
    share = round(count / of, 4) if of else None
    return {"rate": share, "count": count, "of": of}


def percentile(values: list[int], share: float) -> int | None:
    """Nearest-rank percentile: the smallest value at or above `share` of the values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _window(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC moments the store's days `start`..`end` begin and end."""
    since = datetime.combine(start, time.min, zone).astimezone(timezone.utc)
    until = datetime.combine(end + timedelta(days=1), time.min, zone).astimezone(timezone.utc)
    return since, until


def latencies_in(session: Session, *, start: date, end: date) -> list[int]:
    """Every turn's latency (ms) in the days `start`..`end` (store time), for a histogram."""
    since, until = _window(start, end, ZoneInfo(get_store_facts(session).timezone))
    return [
        int(ms)
        for ms in session.scalars(
            select(TurnLogEntry.latency_ms).where(TurnLogEntry.at >= since, TurnLogEntry.at < until)
        )
    ]


def store_kpis(
    session: Session, *, start: date | None = None, end: date | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The KPIs of the days `start`..`end` (store time, both included); see the module."""
    facts = get_store_facts(session)
    zone = ZoneInfo(facts.timezone)
    today = (now or datetime.now(timezone.utc)).astimezone(zone).date()
    start, end = day_range(start, end, today=today)
    since, until = _window(start, end, zone)

    turns = list(
        session.scalars(
            select(TurnLogEntry).where(TurnLogEntry.at >= since, TurnLogEntry.at < until)
        )
    )
    conversations = conversations_of(turns)
    with_cart = [c for c in conversations if c.had_cart]
    latencies = [t.latency_ms for t in turns]

    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    per_day = {d: [0, 0] for d in days}  # orders, revenue in minor units
    for order in session.scalars(
        select(Order).where(
            Order.placed_at >= since, Order.placed_at < until, Order.status != "cancelled"
        )
    ):
        day = _aware(order.placed_at).astimezone(zone).date()
        if day in per_day:
            per_day[day][0] += 1
            per_day[day][1] += int(order.total_cents)
    revenue = sum(cents for _, cents in per_day.values())

    scores = [
        int(s)
        for s in session.scalars(
            select(CsatResponse.score).where(CsatResponse.at >= since, CsatResponse.at < until)
        )
    ]
    average = (
        float((Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.01"), ROUND_HALF_UP))
        if scores
        else None
    )
    counted = Counter(scores)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "timezone": facts.timezone,
        "currency": facts.currency,
        "turns": len(turns),
        "conversations": len(conversations),
        "conversion": rate(sum(c.placed_order for c in conversations), len(conversations)),
        "cart_abandonment": rate(sum(not c.placed_order for c in with_cart), len(with_cart)),
        "fallback_rate": rate(sum(not t.understood for t in turns), len(turns)),
        "handoff_rate": rate(sum(c.handed_off for c in conversations), len(conversations)),
        "latency_ms": {
            "p50": percentile(latencies, 0.50),
            "p95": percentile(latencies, 0.95),
            "turns": len(latencies),
        },
        "orders": sum(n for n, _ in per_day.values()),
        "revenue_cents": revenue,
        "revenue": format_price(revenue),
        "orders_per_day": [
            {
                "date": day.isoformat(),
                "orders": n,
                "revenue_cents": cents,
                "revenue": format_price(cents),
            }
            for day, (n, cents) in per_day.items()
        ],
        "csat": {
            "count": len(scores),
            "average": average,
            "scores": {str(score): counted.get(score, 0) for score in range(1, 6)},
        },
    }
