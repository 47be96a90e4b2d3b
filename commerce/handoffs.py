"""Human handoff: a conversation recorded for staff, and released by them."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce.cart import get_cart
from commerce.errors import IllegalTransition, InvalidRequest, NotFound
from commerce.models import MAX_DB_INTEGER, Handoff
from commerce.notices import MAX_NOTICE_CHARS, enqueue_notice


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


def get_handoff(session: Session, *, handoff_id: int, for_update: bool = False) -> Handoff:
    handoff = (
        session.get(Handoff, handoff_id, with_for_update=for_update, populate_existing=for_update)
        if 1 <= handoff_id <= MAX_DB_INTEGER
        else None
    )
    if handoff is None:
        raise NotFound(f"no handoff {handoff_id}")
    return handoff


def _said(handoff: Handoff, speaker: str, text: str, **extra: str) -> None:
    # A new list: the JSON column notices reassignment, not changes inside the list.
    said = {"speaker": speaker, "text": text, "at": datetime.now(timezone.utc).isoformat()}
    handoff.conversation = [*(handoff.conversation or []), {**said, **extra}]


def note_shopper_message(session: Session, *, customer_id: str, text: str) -> Handoff | None:
    """While a person has the conversation, what the shopper says is kept on the handoff for
    staff to read; None when no handoff is open."""
    handoff = active_handoff(session, customer_id=customer_id)
    if handoff is None or not text.strip():
        return handoff
    _said(handoff, "shopper", text.strip())
    session.commit()
    return handoff


def add_staff_reply(session: Session, *, handoff_id: int, text: str, by: str) -> Handoff:
    """A staff member's reply: kept in the conversation and queued for the shopper's channel
    (the REST channel returns it on the next turn, the device speaks it), in one commit."""
    text = " ".join(text.split())
    if not text:
        raise InvalidRequest("type a reply before sending it")
    if len(text) > MAX_NOTICE_CHARS:
        raise InvalidRequest(f"a reply is at most {MAX_NOTICE_CHARS} characters")
    handoff = get_handoff(session, handoff_id=handoff_id, for_update=True)
    if handoff.status != "open":
        raise IllegalTransition(
            f"handoff {handoff_id} was released; the assistant has the conversation again"
        )
    _said(handoff, "staff", text, by=by)
    enqueue_notice(session, customer_id=handoff.customer_id, text=text, kind="staff_reply")
    session.commit()
    return handoff


def release_handoff(session: Session, *, handoff_id: int, released_by: str) -> Handoff:
    handoff = get_handoff(session, handoff_id=handoff_id, for_update=True)
    if handoff.status != "open":
        raise IllegalTransition(f"handoff {handoff_id} was already released")
    handoff.status = "released"
    handoff.released_at = datetime.now(timezone.utc)
    handoff.released_by = released_by
    session.commit()
    return handoff
