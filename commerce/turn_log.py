"""The turn log: one row per assistant turn, written as the turn ends (commerce.kpis reads
it). A row is one small INSERT in the session the turn already used, so logging adds a
commit, not a round of queries; a failure to log never fails the turn."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from commerce.models import MAX_DB_INTEGER, CartLine, TurnLogEntry

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TurnRecord:
    customer_id: str
    at: datetime
    intent: str
    handler: str
    understood: bool
    latency_ms: int
    handoff: bool = False
    order_id: int | None = None


def record_turn(session: Session, record: TurnRecord) -> bool:
    """Writes the row (with the cart's units after the turn); False, logged, if it could
    not be written."""
    try:
        quantity = session.scalar(
            select(func.coalesce(func.sum(CartLine.quantity), 0)).where(
                CartLine.customer_id == record.customer_id
            )
        )
        session.add(
            TurnLogEntry(
                at=record.at,
                customer_id=record.customer_id[:64],
                intent=record.intent[:64],
                handler=record.handler[:64],
                understood=record.understood,
                latency_ms=max(0, min(record.latency_ms, MAX_DB_INTEGER)),
                handoff=record.handoff,
                order_id=record.order_id,
                cart_quantity=int(quantity or 0),
            )
        )
        session.commit()
        return True
    except SQLAlchemyError:
        session.rollback()
        log.warning("could not write the turn log row", exc_info=True)
        return False
