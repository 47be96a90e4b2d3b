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


# What the shopper hears when staff move their order, in the store's language (the store
# file's `language`); statuses missing here are not told (preparing: nothing to do yet).
ORDER_STATUS_TEXTS: dict[str, dict[tuple[str, str | None], str]] = {
    "en": {
        ("ready", "pickup"): "Your order number {id} is ready for pickup.",
        ("out_for_delivery", None): "Your order number {id} is out for delivery.",
        ("delivered", "delivery"): "Your order number {id} has been delivered.",
        ("cancelled", None): "Sorry, the store cancelled your order number {id}.",
    },
    "ko": {
        ("ready", "pickup"): "주문하신 {id}번 주문이 준비됐어요. 가져가시면 돼요.",
        ("out_for_delivery", None): "주문하신 {id}번 주문이 배달을 출발했어요.",
        ("delivered", "delivery"): "주문하신 {id}번 주문이 배달됐어요.",
        ("cancelled", None): "죄송해요, 가게에서 {id}번 주문을 취소했어요.",
    },
}


def order_status_text(order: Order, language: str = "en") -> str | None:
    """What the shopper hears when staff move their order, or None for a status they need
    not be told about."""
    texts = ORDER_STATUS_TEXTS.get(language, ORDER_STATUS_TEXTS["en"])
    text = texts.get((order.status, order.fulfilment)) or texts.get((order.status, None))
    return text.format(id=order.id) if text else None


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
    from commerce.store import get_store_facts

    text = order_status_text(order, get_store_facts(session).language)
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
