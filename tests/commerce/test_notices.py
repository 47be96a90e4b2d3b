"""The shopper outbox: which order moves queue a notice, and each notice is taken once."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce.errors import InvalidRequest
from commerce.models import Notice
from commerce.notices import enqueue_notice, has_notices, take_notices
from commerce.orders import cancel_order, set_order_status
from commerce.service import Store
from tests.commerce.test_checkout import run_threads
from tests.commerce.test_orders import place
from tests.conftest import Shopper


def taken(session: Session, customer_id: str) -> list[str]:
    return [n.text for n in take_notices(session, customer_id=customer_id)]


def move(session: Session, order_id: int, *statuses: str) -> None:
    for status in statuses:
        set_order_status(session, order_id=order_id, status=status, changed_by="staff:kim")


def test_a_pickup_order_ready_is_told_once(session: Session, shopper: Shopper) -> None:
    order = place(session, shopper.id, {"BANANA": 2})
    move(session, order.id, "preparing")
    assert taken(session, shopper.id) == []  # preparing: nothing for the shopper to do yet
    move(session, order.id, "ready")
    assert has_notices(session, customer_id=shopper.id)
    assert taken(session, shopper.id) == [f"Your order number {order.id} is ready for pickup."]
    assert taken(session, shopper.id) == []
    assert not has_notices(session, customer_id=shopper.id)
    move(session, order.id, "delivered")  # collected at the counter: they know
    assert taken(session, shopper.id) == []


def test_a_delivery_order_is_told_out_for_delivery_then_delivered(
    session: Session, shopper: Shopper
) -> None:
    order = place(session, shopper.id, {"BANANA": 2}, fulfilment="delivery")
    move(session, order.id, "preparing", "ready")
    assert taken(session, shopper.id) == []  # ready for a driver, not for the shopper
    move(session, order.id, "out_for_delivery", "delivered")
    assert taken(session, shopper.id) == [
        f"Your order number {order.id} is out for delivery.",
        f"Your order number {order.id} has been delivered.",
    ]


def test_staff_cancelling_is_told_and_the_shopper_cancelling_is_not(
    session: Session, shopper: Shopper
) -> None:
    by_staff = place(session, shopper.id, {"BANANA": 1})
    move(session, by_staff.id, "cancelled")
    by_shopper = place(session, shopper.id, {"BANANA": 1})
    cancel_order(session, order_id=by_shopper.id, customer_id=shopper.id, changed_by="shopper")
    assert taken(session, shopper.id) == [
        f"Sorry, the store cancelled your order number {by_staff.id}."
    ]


def test_a_refused_move_queues_nothing(session: Session, shopper: Shopper) -> None:
    order = place(session, shopper.id, {"BANANA": 1})
    with pytest.raises(Exception, match="cannot become ready"):
        move(session, order.id, "ready")
    session.rollback()
    assert taken(session, shopper.id) == []


def test_notices_are_each_shoppers_own(session: Session, make_shopper) -> None:  # type: ignore[no-untyped-def]
    ann, bob = make_shopper("Ann"), make_shopper("Bob")
    enqueue_notice(session, customer_id=ann.id, text="For Ann.", kind="staff_reply")
    enqueue_notice(session, customer_id=bob.id, text="For Bob.", kind="staff_reply")
    enqueue_notice(session, customer_id=ann.id, text="Ann again.", kind="order_status")
    assert taken(session, ann.id) == ["For Ann.", "Ann again."]  # oldest first
    assert taken(session, bob.id) == ["For Bob."]


@pytest.mark.parametrize(
    ("text", "kind", "problem"),
    [("  ", "staff_reply", "1 to 2000 characters"), ("Hi.", "shout", "kind must be one of")],
)
def test_a_bad_notice_is_refused(
    session: Session, shopper: Shopper, text: str, kind: str, problem: str
) -> None:
    with pytest.raises(InvalidRequest, match=problem):
        enqueue_notice(session, customer_id=shopper.id, text=text, kind=kind)
    assert session.scalars(select(Notice)).all() == []


def test_two_channels_taking_at_once_get_each_notice_once(store: Store, shopper: Shopper) -> None:
    with store.sessions() as session:
        for number in range(20):
            enqueue_notice(session, customer_id=shopper.id, text=f"n{number}", kind="staff_reply")

    def take(_: int) -> list[str]:
        with store.sessions() as session:
            return taken(session, shopper.id)

    results = run_threads(4, take)
    assert not [r for r in results if isinstance(r, Exception)], results
    got = [text for result in results for text in result]  # type: ignore[attr-defined]
    assert sorted(got) == sorted(f"n{number}" for number in range(20))
