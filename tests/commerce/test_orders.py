"""Order status, cancellation with restocking, history, and reorders."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.orm import Session

from commerce.cart import add_to_cart
from commerce.catalog import get_product
from commerce.errors import IllegalTransition, InvalidRequest, NotFound
from commerce.models import Order
from commerce.orders import (
    cancel_order,
    checkout,
    get_order,
    last_order_items,
    latest_order,
    list_orders,
    record_past_order,
    set_order_status,
    usual_items,
)
from commerce.service import Store
from tests.commerce.test_checkout import run_threads
from tests.conftest import Shopper


def place(
    session: Session, customer_id: str, items: dict[str, int], fulfilment: str = "pickup"
) -> Order:
    for sku, quantity in items.items():
        add_to_cart(session, customer_id=customer_id, sku=sku, quantity=quantity)
    return checkout(session, customer_id=customer_id, fulfilment=fulfilment)


def stock(session: Session, sku: str) -> int:
    session.expire_all()
    return get_product(session, sku=sku).stock


def test_delivery_order_goes_through_every_status(session: Session, shopper: Shopper) -> None:
    order = place(session, shopper.id, {"BANANA": 2}, fulfilment="delivery")
    for status in ("preparing", "ready", "out_for_delivery", "delivered"):
        order = set_order_status(session, order_id=order.id, status=status, changed_by="staff:1")
        assert order.status == status
    session.expire_all()
    order = get_order(session, order_id=order.id)
    assert [(h.from_status, h.to_status, h.changed_by) for h in order.history] == [
        (None, "placed", "shopper"),
        ("placed", "preparing", "staff:1"),
        ("preparing", "ready", "staff:1"),
        ("ready", "out_for_delivery", "staff:1"),
        ("out_for_delivery", "delivered", "staff:1"),
    ]
    times = [h.changed_at for h in order.history]
    assert times == sorted(times)


def test_pickup_order_is_collected_from_ready(session: Session, shopper: Shopper) -> None:
    order = place(session, shopper.id, {"BANANA": 1})
    set_order_status(session, order_id=order.id, status="preparing", changed_by="staff:kim")
    set_order_status(session, order_id=order.id, status="ready", changed_by="staff:kim")
    with pytest.raises(IllegalTransition, match="pickup"):
        set_order_status(session, order_id=order.id, status="out_for_delivery", changed_by="k")
    order = set_order_status(session, order_id=order.id, status="delivered", changed_by="k")
    assert order.status == "delivered"


@pytest.mark.parametrize(
    "path, illegal",
    [
        ((), "ready"),
        ((), "delivered"),
        ((), "placed"),
        (("preparing",), "out_for_delivery"),
        (("preparing", "ready"), "preparing"),
        (("preparing", "ready", "out_for_delivery", "delivered"), "preparing"),
        (("preparing", "ready", "out_for_delivery", "delivered"), "cancelled"),
    ],
)
def test_illegal_transitions_are_refused(
    session: Session, shopper: Shopper, path: tuple[str, ...], illegal: str
) -> None:
    order = place(session, shopper.id, {"BANANA": 1}, fulfilment="delivery")
    for status in path:
        set_order_status(session, order_id=order.id, status=status, changed_by="staff")
    with pytest.raises(IllegalTransition):
        set_order_status(session, order_id=order.id, status=illegal, changed_by="staff")
    session.expire_all()
    order = get_order(session, order_id=order.id)
    assert order.status == (path[-1] if path else "placed")
    assert len(order.history) == 1 + len(path)


def test_illegal_transition_message_says_what_is_allowed(
    session: Session, shopper: Shopper
) -> None:
    order = place(session, shopper.id, {"BANANA": 1})
    with pytest.raises(IllegalTransition) as info:
        set_order_status(session, order_id=order.id, status="delivered", changed_by="staff")
    assert info.value.message == (
        "an order that is placed cannot become delivered; "
        "from placed it can go to preparing, cancelled"
    )


def test_unknown_status_and_order(session: Session, shopper: Shopper) -> None:
    order = place(session, shopper.id, {"BANANA": 1})
    with pytest.raises(InvalidRequest, match="status must be one of"):
        set_order_status(session, order_id=order.id, status="lost", changed_by="staff")
    with pytest.raises(NotFound):
        set_order_status(session, order_id=order.id + 1000, status="ready", changed_by="staff")


@pytest.mark.parametrize("before", [(), ("preparing",)])
def test_cancel_from_placed_or_preparing_restocks(
    session: Session, shopper: Shopper, before: tuple[str, ...]
) -> None:
    order = place(session, shopper.id, {"HONEY": 3, "LEMON": 2})
    assert (stock(session, "HONEY"), stock(session, "LEMON")) == (17, 68)
    for status in before:
        set_order_status(session, order_id=order.id, status=status, changed_by="staff")
    order = cancel_order(session, order_id=order.id, changed_by="shopper:ann")
    assert order.status == "cancelled"
    assert (stock(session, "HONEY"), stock(session, "LEMON")) == (20, 70)
    assert order.history[-1].to_status == "cancelled"
    assert order.history[-1].changed_by == "shopper:ann"
    with pytest.raises(IllegalTransition, match="can no longer be cancelled"):
        cancel_order(session, order_id=order.id, changed_by="shopper:ann")
    assert stock(session, "HONEY") == 20


def test_staff_cancel_through_set_status_restocks(session: Session, shopper: Shopper) -> None:
    order = place(session, shopper.id, {"HONEY": 1})
    order = set_order_status(session, order_id=order.id, status="cancelled", changed_by="staff:1")
    assert order.status == "cancelled"
    assert order.history[-1].changed_by == "staff:1"
    assert stock(session, "HONEY") == 20


@pytest.mark.parametrize(
    "path", [("preparing", "ready"), ("preparing", "ready", "out_for_delivery")]
)
def test_cancel_after_preparing_is_refused(
    session: Session, shopper: Shopper, path: tuple[str, ...]
) -> None:
    order = place(session, shopper.id, {"HONEY": 1}, fulfilment="delivery")
    for status in path:
        set_order_status(session, order_id=order.id, status=status, changed_by="staff")
    with pytest.raises(IllegalTransition, match=f"is {path[-1].replace('_', ' ')}"):
        cancel_order(session, order_id=order.id, changed_by="shopper:ann")
    assert stock(session, "HONEY") == 19
    session.expire_all()
    assert get_order(session, order_id=order.id).status == path[-1]


def test_restock_when_the_product_was_deleted_meanwhile(session: Session, shopper: Shopper) -> None:
    from commerce.catalog import delete_product

    order = place(session, shopper.id, {"HONEY": 2})
    delete_product(session, sku="HONEY")
    cancel_order(session, order_id=order.id, changed_by="staff")
    assert stock(session, "HONEY") == 20


def test_shoppers_only_reach_their_own_orders(
    session: Session, make_shopper: Callable[..., Shopper]
) -> None:
    ann, bob = make_shopper("Ann"), make_shopper("Bob")
    order = place(session, ann.id, {"BANANA": 1})
    assert get_order(session, order_id=order.id, customer_id=ann.id).id == order.id
    with pytest.raises(NotFound):
        get_order(session, order_id=order.id, customer_id=bob.id)
    with pytest.raises(NotFound):
        cancel_order(session, order_id=order.id, customer_id=bob.id, changed_by="shopper:bob")
    session.expire_all()
    assert get_order(session, order_id=order.id).status == "placed"
    assert list_orders(session, customer_id=bob.id) == []


def test_list_orders_filters(session: Session, shopper: Shopper) -> None:
    first = place(session, shopper.id, {"BANANA": 1})
    second = place(session, shopper.id, {"LEMON": 1})
    cancel_order(session, order_id=first.id, changed_by="staff")
    assert [o.id for o in list_orders(session, customer_id=shopper.id)] == [second.id, first.id]
    assert [o.id for o in list_orders(session, status="cancelled")] == [first.id]
    assert [o.id for o in list_orders(session, limit=1)] == [second.id]
    assert [o.id for o in list_orders(session, limit=1, offset=1)] == [first.id]
    future = datetime.now(timezone.utc) + timedelta(hours=1)
    assert list_orders(session, since=future) == []
    with pytest.raises(InvalidRequest):
        list_orders(session, status="lost")


def test_last_order_items_skips_cancelled_orders(session: Session, shopper: Shopper) -> None:
    assert last_order_items(session, customer_id=shopper.id) == []
    add_to_cart(session, customer_id=shopper.id, sku="LATTE", options={"size": "large"})
    add_to_cart(session, customer_id=shopper.id, sku="BANANA", quantity=6)
    checkout(session, customer_id=shopper.id)
    latest = place(session, shopper.id, {"HONEY": 1})
    cancel_order(session, order_id=latest.id, changed_by="shopper")
    items = last_order_items(session, customer_id=shopper.id)
    assert [(i.sku, i.quantity, i.options) for i in items] == [
        ("LATTE", 1, {"size": "large", "milk": "whole"}),
        ("BANANA", 6, {}),
    ]
    assert latest_order(session, customer_id=shopper.id).id == latest.id  # type: ignore[union-attr]


def test_usual_items_are_the_regular_purchases(session: Session, shopper: Shopper) -> None:
    now = datetime.now(timezone.utc)
    history = [
        {"MILK-OAT-1L": 2, "BANANA": 6, "HONEY": 1},
        {"MILK-OAT-1L": 2, "BANANA": 5},
        {"MILK-OAT-1L": 1, "BANANA": 6, "CHEDDAR": 1},
        {"MILK-OAT-1L": 2, "LATTE": {"qty": 1, "options": {"milk": "oat"}}},
    ]
    for days_ago, items in enumerate(reversed(history)):
        record_past_order(
            session, customer_id=shopper.id, items=items, placed_at=now - timedelta(days=days_ago)
        )
    cancelled = record_past_order(
        session, customer_id=shopper.id, items={"CHEDDAR": 9}, status="cancelled"
    )
    assert cancelled.status == "cancelled"
    usual = usual_items(session, customer_id=shopper.id)
    assert [(i.sku, i.quantity) for i in usual] == [("MILK-OAT-1L", 2), ("BANANA", 6)]
    assert usual_items(session, customer_id="nobody") == []


def test_usual_items_with_one_order_is_that_order(session: Session, shopper: Shopper) -> None:
    place(session, shopper.id, {"AVOCADO": 2, "LEMON": 1})
    assert [(i.sku, i.quantity) for i in usual_items(session, customer_id=shopper.id)] == [
        ("AVOCADO", 2),
        ("LEMON", 1),
    ]


def test_record_past_order_leaves_stock_and_cart_alone(session: Session, shopper: Shopper) -> None:
    add_to_cart(session, customer_id=shopper.id, sku="LEMON")
    at = datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc)
    order = record_past_order(
        session,
        customer_id=shopper.id,
        items={"HONEY": 2, "LATTE": {"qty": 1, "options": {"size": "large"}}},
        placed_at=at,
        fulfilment="delivery",
    )
    assert (order.subtotal_cents, order.delivery_fee_cents) == (1120 + 420, 299)
    assert order.lines[1].options == {"size": "large", "milk": "whole"}
    assert [(h.from_status, h.to_status, h.changed_by) for h in order.history] == [
        (None, "placed", "import"),
        ("placed", "delivered", "import"),
    ]
    assert stock(session, "HONEY") == 20
    session.expire_all()
    placed_at = get_order(session, order_id=order.id).placed_at
    assert placed_at.replace(tzinfo=placed_at.tzinfo or timezone.utc) == at


def test_concurrent_cancels_restock_once(store: Store, shopper: Shopper) -> None:
    """The shopper cancels by voice while staff cancel at the till."""
    with store.sessions() as session:
        order_id = place(session, shopper.id, {"HONEY": 4}).id
        assert stock(session, "HONEY") == 16

    def cancel(i: int) -> str:
        with store.sessions() as session:
            return cancel_order(session, order_id=order_id, changed_by=f"canceller-{i}").status

    results = run_threads(8, cancel)
    kinds = Counter(type(r).__name__ for r in results)
    assert kinds == {"str": 1, "IllegalTransition": 7}, results
    with store.sessions() as session:
        assert stock(session, "HONEY") == 20
        order = get_order(session, order_id=order_id)
        assert [h.to_status for h in order.history] == ["placed", "cancelled"]


def test_order_ids_out_of_range_are_not_found(session: Session, shopper: Shopper) -> None:
    for order_id in (0, -1, 2**31, 10**30):
        with pytest.raises(NotFound):
            get_order(session, order_id=order_id)
        with pytest.raises(NotFound):
            cancel_order(session, order_id=order_id, changed_by="staff")
