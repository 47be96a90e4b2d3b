"""Checkout: stock, totals, delivery fees, price changes, idempotency, and races."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commerce.cart import add_to_cart, get_cart
from commerce.catalog import ProductData, create_product, get_product, update_product
from commerce.errors import EmptyCart, InvalidRequest, OutOfStock, PriceChanged
from commerce.models import Order
from commerce.orders import checkout, count_orders, quote
from commerce.service import Store
from commerce.store import get_store_facts, save_store_facts
from tests.conftest import Shopper


def stock(session: Session, sku: str) -> int:
    session.expire_all()
    return get_product(session, sku=sku).stock


def test_checkout_takes_stock_empties_cart_and_snapshots_lines(
    session: Session, shopper: Shopper
) -> None:
    add_to_cart(session, customer_id=shopper.id, sku="CROISSANT", quantity=3)
    add_to_cart(session, customer_id=shopper.id, sku="LATTE", options={"milk": "oat"})
    order = checkout(session, customer_id=shopper.id)
    assert order.status == "placed"
    assert order.fulfilment == "pickup"
    assert order.currency == "USD"
    assert [(ln.sku, ln.quantity, ln.unit_price_cents, ln.options) for ln in order.lines] == [
        ("CROISSANT", 3, 280, {}),
        ("LATTE", 1, 420, {"size": "small", "milk": "oat"}),
    ]
    assert (order.subtotal_cents, order.delivery_fee_cents, order.total_cents) == (
        1260,
        0,
        1260,
    )
    assert [(h.from_status, h.to_status, h.changed_by) for h in order.history] == [
        (None, "placed", "shopper")
    ]
    assert stock(session, "CROISSANT") == 37
    assert stock(session, "LATTE") == 998
    assert get_cart(session, customer_id=shopper.id).items == []
    # The order keeps what the shopper agreed to, whatever the catalog says later.
    update_product(session, sku="CROISSANT", changes={"name": "Croissant", "price_cents": 999})
    session.expire_all()
    line = session.get(Order, order.id).lines[0]
    assert (line.name, line.unit_price_cents, line.line_total_cents) == (
        "Butter Croissant",
        280,
        840,
    )


def test_delivery_fee_below_the_free_threshold(session: Session, shopper: Shopper) -> None:
    add_to_cart(session, customer_id=shopper.id, sku="OLIVE-OIL", quantity=2)  # 15.80
    assert quote(session, customer_id=shopper.id, fulfilment="delivery") == {
        "subtotal": 1580,
        "delivery_fee": 299,
        "total": 1879,
    }
    assert quote(session, customer_id=shopper.id)["delivery_fee"] == 0
    order = checkout(session, customer_id=shopper.id, fulfilment="delivery")
    assert (order.subtotal_cents, order.delivery_fee_cents, order.total_cents) == (
        1580,
        299,
        1879,
    )


def test_free_delivery_over_the_threshold(session: Session, shopper: Shopper) -> None:
    add_to_cart(session, customer_id=shopper.id, sku="EGGS-12", quantity=9)  # 40.50
    order = checkout(session, customer_id=shopper.id, fulfilment="delivery")
    assert (order.subtotal_cents, order.delivery_fee_cents, order.total_cents) == (
        4050,
        0,
        4050,
    )


def test_fees_follow_the_store_file(session: Session, shopper: Shopper) -> None:
    facts = get_store_facts(session)
    facts.fulfilment.delivery_fee = "5.00"
    facts.fulfilment.free_delivery_over = None
    save_store_facts(session, facts=facts)
    add_to_cart(session, customer_id=shopper.id, sku="EGGS-12", quantity=20)
    order = checkout(session, customer_id=shopper.id, fulfilment="delivery")
    assert (order.subtotal_cents, order.delivery_fee_cents) == (9000, 500)


def test_store_that_does_not_deliver(session: Session, shopper: Shopper) -> None:
    facts = get_store_facts(session)
    facts.fulfilment.delivery = False
    save_store_facts(session, facts=facts)
    add_to_cart(session, customer_id=shopper.id, sku="BANANA")
    with pytest.raises(InvalidRequest, match="does not deliver"):
        checkout(session, customer_id=shopper.id, fulfilment="delivery")
    with pytest.raises(InvalidRequest, match="fulfilment must be one of"):
        checkout(session, customer_id=shopper.id, fulfilment="drone")
    assert checkout(session, customer_id=shopper.id).fulfilment == "pickup"


def test_empty_cart(session: Session, shopper: Shopper) -> None:
    with pytest.raises(EmptyCart):
        checkout(session, customer_id=shopper.id)
    assert count_orders(session) == 0


def test_expected_total_mismatch_places_nothing(session: Session, shopper: Shopper) -> None:
    add_to_cart(session, customer_id=shopper.id, sku="HONEY", quantity=2)  # 11.20
    heard = quote(session, customer_id=shopper.id)["total"]
    update_product(session, sku="HONEY", changes={"price_cents": 600})  # while reading back
    with pytest.raises(PriceChanged, match="1200"):
        checkout(session, customer_id=shopper.id, expected_total_cents=heard)
    assert count_orders(session) == 0
    assert stock(session, "HONEY") == 20
    assert get_cart(session, customer_id=shopper.id).quantities == {"HONEY": 2}
    order = checkout(session, customer_id=shopper.id, expected_total_cents=1200)
    assert order.total_cents == 1200


def test_out_of_stock_at_checkout_takes_nothing(session: Session, shopper: Shopper) -> None:
    add_to_cart(session, customer_id=shopper.id, sku="BANANA", quantity=5)
    add_to_cart(session, customer_id=shopper.id, sku="HONEY", quantity=3)
    honey = get_product(session, sku="HONEY")
    honey.stock = 2  # sold in the shop meanwhile
    session.commit()
    with pytest.raises(OutOfStock) as info:
        checkout(session, customer_id=shopper.id)
    assert (info.value.sku, info.value.requested, info.value.available) == ("HONEY", 3, 2)
    assert stock(session, "BANANA") == 200  # taken first, then given back
    assert stock(session, "HONEY") == 2
    assert count_orders(session) == 0
    assert get_cart(session, customer_id=shopper.id).quantities == {"BANANA": 5, "HONEY": 3}


def test_product_withdrawn_after_adding_is_out_of_stock(session: Session, shopper: Shopper) -> None:
    add_to_cart(session, customer_id=shopper.id, sku="LEMON")
    update_product(session, sku="LEMON", changes={"active": False})
    with pytest.raises(OutOfStock, match="out of stock"):
        checkout(session, customer_id=shopper.id)


def test_idempotency_key_returns_the_same_order(session: Session, shopper: Shopper) -> None:
    add_to_cart(session, customer_id=shopper.id, sku="AVOCADO", quantity=2)
    first = checkout(session, customer_id=shopper.id, idempotency_key="turn-17")
    again = checkout(session, customer_id=shopper.id, idempotency_key="turn-17")
    assert again.id == first.id
    assert count_orders(session) == 1
    assert stock(session, "AVOCADO") == 43
    with pytest.raises(EmptyCart):
        checkout(session, customer_id=shopper.id, idempotency_key="turn-18")
    with pytest.raises(InvalidRequest, match="idempotency key"):
        checkout(session, customer_id=shopper.id, idempotency_key="")


def test_idempotency_keys_belong_to_one_shopper(
    session: Session, make_shopper: Callable[..., Shopper]
) -> None:
    ann, bob = make_shopper("Ann"), make_shopper("Bob")
    add_to_cart(session, customer_id=ann.id, sku="LEMON")
    add_to_cart(session, customer_id=bob.id, sku="LEMON")
    a = checkout(session, customer_id=ann.id, idempotency_key="same")
    b = checkout(session, customer_id=bob.id, idempotency_key="same")
    assert a.id != b.id
    assert (a.customer_id, b.customer_id) == (ann.id, bob.id)


def run_threads(count: int, work: Callable[[int], object]) -> list[object]:
    """Runs work(i) in `count` threads released together; returns results or exceptions."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def target(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - the test inspects every outcome
            results[i] = exc

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a checkout thread hung"
    return results


def test_forty_shoppers_race_for_three_units(
    store: Store, make_shopper: Callable[..., Shopper]
) -> None:
    with store.sessions() as session:
        create_product(
            session,
            data=ProductData(sku="LAST-CAKE", name="Last Cake", price_cents=500, stock=3),
        )
        shoppers = [make_shopper(f"Racer {i}", f"racer-{i}") for i in range(40)]
        for s in shoppers:
            add_to_cart(session, customer_id=s.id, sku="LAST-CAKE")

    def buy(i: int) -> int:
        with store.sessions() as session:
            return checkout(session, customer_id=shoppers[i].id).id

    results = run_threads(40, buy)
    kinds = Counter(type(r).__name__ for r in results)
    assert kinds == {"int": 3, "OutOfStock": 37}, [r for r in results if not isinstance(r, int)]
    # The losers hear the stock as it is now, not as it was when their cart was read.
    assert {r.available for r in results if isinstance(r, OutOfStock)} == {0}
    with store.sessions() as session:
        assert get_product(session, sku="LAST-CAKE").stock == 0
        assert count_orders(session) == 3
        winners = set(session.scalars(select(Order.customer_id)))
        assert winners == {shoppers[i].id for i, r in enumerate(results) if isinstance(r, int)}


def test_concurrent_checkouts_with_one_idempotency_key_place_one_order(
    store: Store, shopper: Shopper
) -> None:
    with store.sessions() as session:
        add_to_cart(session, customer_id=shopper.id, sku="CINNAMON-ROLL", quantity=2)

    def place(_: int) -> int:
        with store.sessions() as session:
            return checkout(session, customer_id=shopper.id, idempotency_key="double-tap").id

    results = run_threads(20, place)
    errors = [r for r in results if not isinstance(r, int)]
    assert errors == []
    assert len(set(results)) == 1
    with store.sessions() as session:
        assert session.scalar(select(func.count(Order.id))) == 1
        assert get_product(session, sku="CINNAMON-ROLL").stock == 16
        assert get_cart(session, customer_id=shopper.id).items == []


def test_concurrent_checkouts_of_one_cart_without_a_key_place_it_once(
    store: Store, shopper: Shopper
) -> None:
    """The device and the phone app confirm at the same moment: one order, the rest find the
    cart empty."""
    with store.sessions() as session:
        add_to_cart(session, customer_id=shopper.id, sku="CINNAMON-ROLL", quantity=2)

    def place(_: int) -> int:
        with store.sessions() as session:
            return checkout(session, customer_id=shopper.id).id

    results = run_threads(10, place)
    kinds = Counter(type(r).__name__ for r in results)
    assert kinds == {"int": 1, "EmptyCart": 9}, [r for r in results if not isinstance(r, int)]
    with store.sessions() as session:
        assert count_orders(session) == 1
        assert get_product(session, sku="CINNAMON-ROLL").stock == 16
