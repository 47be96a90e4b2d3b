"""The shopper's outbox: things to tell a shopper without being asked (an order is ready,
a staff reply). A notice waits here until a channel takes it: the REST channel with the reply
to the shopper's next message or on a poll, the device at its next quiet moment. Taking marks
it delivered, so it is said exactly once whichever channel asks first."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from commerce.errors import InvalidRequest
from commerce.models import NOTICE_KINDS, Notice, Order, utcnow

MAX_NOTICE_CHARS = 2000


def order_status_text(order: Order) -> str | None:
    """What the shopper hears when staff move their order, or None for a status they need
    not be told about (preparing: nothing for them to do yet)."""
    number = f"Your order number {order.id}"
    if order.status == "ready" and order.fulfilment == "pickup":
        return f"{number} is ready for pickup."
    if order.status == "out_for_delivery":
        return f"{number} is out for delivery."
    if order.status == "delivered" and order.fulfilment == "delivery":
        return f"{number} has been delivered."
    if order.status == "cancelled":
        return f"Sorry, the store cancelled {number[0].lower()}{number[1:]}."
    return None


def enqueue_notice(session: Session, *, customer_id: str, text: str, kind: str) -> Notice:
    """Queues a notice for the shopper and commits (with whatever else the session holds, so
    a status change and its notice are one transaction)."""
    if kind not in NOTICE_KINDS:
        raise InvalidRequest(f"notice kind must be one of {', '.join(NOTICE_KINDS)}")
    text = text.strip()
    if not text or len(text) > MAX_NOTICE_CHARS:
        raise InvalidRequest(f"a notice needs 1 to {MAX_NOTICE_CHARS} characters of text")
    notice = Notice(customer_id=customer_id, kind=kind, text=text)
    session.add(notice)
    session.commit()
    return notice


def notify_order_status(session: Session, order: Order) -> Notice | None:
    """Queues the notice for the order's new status, if that status is one to tell."""
    text = order_status_text(order)
    if text is None:
        return None
    return enqueue_notice(session, customer_id=order.customer_id, text=text, kind="order_status")


def take_notices(session: Session, *, customer_id: str) -> list[Notice]:
    """The shopper's undelivered notices, oldest first, now marked delivered. Each is claimed
    with a conditional UPDATE, so two channels asking at once never both get one."""
    waiting = list(
        session.scalars(
            select(Notice)
            .where(Notice.customer_id == customer_id, Notice.delivered_at.is_(None))
            .order_by(Notice.created_at, Notice.id)
        )
    )
    taken: list[Notice] = []
    for notice in waiting:
        claimed = session.execute(
            update(Notice)
            .where(Notice.id == notice.id, Notice.delivered_at.is_(None))
            .values(delivered_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            taken.append(notice)
    session.commit()
    return taken


def give_back_notices(session: Session, notice_ids: list[int]) -> None:
    """Marks taken notices undelivered again and commits: the channel that took them could not
    say them (the conversation was unavailable), so the next channel to ask gets them."""
    if notice_ids:
        session.execute(
            update(Notice)
            .where(Notice.id.in_(notice_ids))
            .values(delivered_at=None)
            .execution_options(synchronize_session=False)
        )
    session.commit()


def has_notices(session: Session, *, customer_id: str) -> bool:
    return (
        session.scalar(
            select(Notice.id)
            .where(Notice.customer_id == customer_id, Notice.delivered_at.is_(None))
            .limit(1)
        )
        is not None
    )
