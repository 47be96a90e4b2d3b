"""Human handoff: a conversation recorded for staff, and released by them."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce.cart import get_cart
from commerce.errors import IllegalTransition, NotFound
from commerce.models import Handoff


def open_handoff(
    session: Session, *, customer_id: str, reason: str, conversation: list[dict]
) -> Handoff:
    existing = active_handoff(session, customer_id=customer_id)
    if existing is not None:
        return existing
    cart = get_cart(session, customer_id=customer_id)
    handoff = Handoff(
        customer_id=customer_id,
        reason=reason,
        conversation=conversation,
        cart=[
            {"sku": i.sku, "name": i.name, "qty": i.quantity, "options": i.options}
            for i in cart.items
        ],
    )
    session.add(handoff)
    session.commit()
    return handoff


def active_handoff(session: Session, *, customer_id: str) -> Handoff | None:
    return session.scalar(
        select(Handoff).where(Handoff.customer_id == customer_id, Handoff.status == "open")
    )


def list_handoffs(session: Session, *, status: str | None = "open") -> list[Handoff]:
    query = select(Handoff).order_by(Handoff.created_at, Handoff.id)
    if status:
        query = query.where(Handoff.status == status)
    return list(session.scalars(query))


def release_handoff(session: Session, *, handoff_id: int, released_by: str) -> Handoff:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise NotFound(f"no handoff {handoff_id}")
    if handoff.status != "open":
        raise IllegalTransition(f"handoff {handoff_id} was already released")
    handoff.status = "released"
    handoff.released_at = datetime.now(timezone.utc)
    handoff.released_by = released_by
    session.commit()
    return handoff
