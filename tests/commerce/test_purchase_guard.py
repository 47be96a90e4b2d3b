"""Voice PIN and spending guard services: hashed PINs, the lock kept in the database, limits
from the store file or the shopper, and checkout refusing an order over a limit."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from sqlalchemy.orm import Session

from commerce import purchase_guard as guard
from commerce.accounts import ensure_customer
from commerce.cart import add_to_cart
from commerce.errors import Forbidden, InvalidRequest, StoreFileError
from commerce.models import Customer
from commerce.orders import cancel_order, checkout, list_orders, record_past_order
from commerce.store import Spending, get_store_facts, parse_store_file, save_store_facts
from tests.conftest import DEMO_STORE

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)  # 10:00 in New York


@pytest.fixture
def ann(session: Session) -> str:
    ensure_customer(session, customer_id="ann", name="Ann")
    return "ann"


def test_pin_is_stored_as_a_salted_slow_hash(session: Session, ann: str) -> None:
    guard.set_pin(session, customer_id=ann, pin="4821")
    session.commit()
    first = session.get(Customer, ann).pin_hash
    assert first.startswith("scrypt$") and "4821" not in first
    guard.set_pin(session, customer_id=ann, pin="4821")
    session.commit()
    assert session.get(Customer, ann).pin_hash != first  # a fresh salt each time
    assert guard.check_pin(session, customer_id=ann, pin="4821", now=NOW).status == "ok"


@pytest.mark.parametrize("bad", ["123", "123456789", "12a4", "", " 1234", "١٢٣٤"])
def test_a_pin_is_four_to_eight_digits(session: Session, ann: str, bad: str) -> None:
    with pytest.raises(InvalidRequest, match="4 to 8 digits"):
        guard.set_pin(session, customer_id=ann, pin=bad)


def test_three_wrong_pins_lock_purchasing_for_fifteen_minutes(session: Session, ann: str) -> None:
    guard.set_pin(session, customer_id=ann, pin="4821")
    session.commit()
    first = guard.check_pin(session, customer_id=ann, pin="1111", now=NOW)
    second = guard.check_pin(session, customer_id=ann, pin="2222", now=NOW)
    assert (first.status, first.tries_left) == ("wrong", 2)
    assert (second.status, second.tries_left) == ("wrong", 1)
    # The dialogue's clock may be in the store's zone; the lock is still fifteen minutes.
    local = NOW.astimezone(timezone(timedelta(hours=-5)))
    third = guard.check_pin(session, customer_id=ann, pin="3333", now=local)
    assert third.status == "locked" and third.locked_until == NOW + timedelta(minutes=15)
    # While locked even the right PIN is refused, and the count lives in the database.
    session.expire_all()
    assert session.get(Customer, ann).pin_failures == 3
    later = NOW + timedelta(minutes=14)
    assert guard.check_pin(session, customer_id=ann, pin="4821", now=later).status == "locked"
    assert guard.locked_until(session, customer_id=ann, now=later) is not None
    after = NOW + timedelta(minutes=15, seconds=1)
    assert guard.locked_until(session, customer_id=ann, now=after) is None
    assert guard.check_pin(session, customer_id=ann, pin="4821", now=after).status == "ok"


def test_a_right_pin_resets_the_count(session: Session, ann: str) -> None:
    guard.set_pin(session, customer_id=ann, pin="4821")
    session.commit()
    guard.check_pin(session, customer_id=ann, pin="0000", now=NOW)
    guard.check_pin(session, customer_id=ann, pin="0001", now=NOW)
    assert guard.check_pin(session, customer_id=ann, pin="4821", now=NOW).status == "ok"
    assert guard.check_pin(session, customer_id=ann, pin="0002", now=NOW).tries_left == 2


def test_setting_a_pin_lifts_a_lock_and_none_removes_it(session: Session, ann: str) -> None:
    guard.set_pin(session, customer_id=ann, pin="4821")
    for wrong in ("1", "2", "3"):
        guard.check_pin(session, customer_id=ann, pin=wrong * 4, now=NOW)
    guard.set_pin(session, customer_id=ann, pin="1234")
    session.commit()
    assert guard.check_pin(session, customer_id=ann, pin="1234", now=NOW).status == "ok"
    guard.set_pin(session, customer_id=ann, pin=None)
    session.commit()
    assert not guard.has_pin(session, customer_id=ann)
    assert guard.check_pin(session, customer_id=ann, pin="1234", now=NOW).status == "not_set"


def test_changing_your_own_pin_needs_the_current_one(session: Session, ann: str) -> None:
    guard.change_own_pin(session, customer_id=ann, pin="4821", current_pin=None, now=NOW)
    with pytest.raises(Forbidden, match="current PIN"):
        guard.change_own_pin(session, customer_id=ann, pin="1234", current_pin=None, now=NOW)
    with pytest.raises(Forbidden, match="2 tries left"):
        guard.change_own_pin(session, customer_id=ann, pin="1234", current_pin="0000", now=NOW)
    guard.change_own_pin(session, customer_id=ann, pin="1234", current_pin="4821", now=NOW)
    assert guard.check_pin(session, customer_id=ann, pin="1234", now=NOW).status == "ok"


def test_changing_your_pin_is_no_way_round_the_lock(session: Session, ann: str) -> None:
    guard.set_pin(session, customer_id=ann, pin="4821")
    for wrong in ("1", "2"):
        guard.check_pin(session, customer_id=ann, pin=wrong * 4, now=NOW)
    with pytest.raises(guard.PinLocked):
        guard.change_own_pin(session, customer_id=ann, pin="1234", current_pin="9999", now=NOW)
    with pytest.raises(guard.PinLocked):
        guard.change_own_pin(session, customer_id=ann, pin="1234", current_pin="4821", now=NOW)


# --------------------------------------------------------------------------- spending


def _with_spending(session: Session, order_limit: str | None, daily_limit: str | None) -> None:
    spending = Spending(order_limit=order_limit, daily_limit=daily_limit)
    save_store_facts(session, facts=get_store_facts(session).copy(update={"spending": spending}))


def test_the_store_file_takes_spending_defaults(tmp_path: Path) -> None:
    facts = yaml.safe_load(DEMO_STORE.read_text())
    facts["spending"] = {"order_limit": "150.00", "daily_limit": 300}
    path = tmp_path / "store.yaml"
    path.write_text(yaml.safe_dump(facts))
    parsed = parse_store_file(path)
    assert parsed.spending.order_limit_cents == 15000
    assert parsed.spending.daily_limit_cents == 30000
    facts["spending"] = {"order_limit": "lots"}
    path.write_text(yaml.safe_dump(facts))
    with pytest.raises(StoreFileError, match="spending.order_limit"):
        parse_store_file(path)
    facts["spending"] = {"order_limt": "10.00"}
    path.write_text(yaml.safe_dump(facts))
    with pytest.raises(StoreFileError, match="spending.order_limt"):
        parse_store_file(path)


def test_no_spending_key_means_no_limit(session: Session, ann: str) -> None:
    limits = guard.spending_limits(session, customer_id=ann)
    assert (limits.order_limit_cents, limits.daily_limit_cents) == (None, None)
    assert guard.spending_problem(session, customer_id=ann, total_cents=10**8, now=NOW) is None


def test_a_shoppers_own_limit_overrides_the_store_default(session: Session, ann: str) -> None:
    _with_spending(session, "150.00", "300.00")
    guard.set_spending_limits(
        session, customer_id=ann, order_limit_cents=2000, daily_limit_cents=None
    )
    session.commit()
    limits = guard.spending_limits(session, customer_id=ann)
    assert (limits.order_limit_cents, limits.daily_limit_cents) == (2000, 30000)
    problem = guard.spending_problem(session, customer_id=ann, total_cents=2001, now=NOW)
    assert problem is not None and problem.limit == "order"
    assert guard.spending_problem(session, customer_id=ann, total_cents=2000, now=NOW) is None


def test_the_daily_limit_counts_todays_orders_not_cancelled_ones(
    session: Session, ann: str
) -> None:
    _with_spending(session, None, "20.00")
    # 08:00 New York today, and 23:00 New York yesterday (04:00 UTC today).
    today = record_past_order(
        session, customer_id=ann, items={"BREAD-SOUR": 2}, status="placed",
        placed_at=datetime(2026, 11, 25, 13, 0, tzinfo=timezone.utc),
    )  # fmt: skip
    record_past_order(
        session, customer_id=ann, items={"BREAD-SOUR": 2}, status="delivered",
        placed_at=datetime(2026, 11, 25, 4, 0, tzinfo=timezone.utc),
    )  # fmt: skip
    assert guard.spent_today(session, customer_id=ann, now=NOW) == 1300
    problem = guard.spending_problem(session, customer_id=ann, total_cents=701, now=NOW)
    assert problem is not None and problem.limit == "daily" and "daily" in problem.message
    assert guard.spending_problem(session, customer_id=ann, total_cents=700, now=NOW) is None
    cancel_order(session, order_id=today.id, changed_by="test")
    assert guard.spent_today(session, customer_id=ann, now=NOW) == 0


def test_checkout_refuses_an_order_over_the_limit(session: Session, ann: str) -> None:
    _with_spending(session, "10.00", None)
    add_to_cart(session, customer_id=ann, sku="BREAD-SOUR", quantity=2)  # 13.00
    with pytest.raises(guard.SpendingLimitExceeded, match="per-order spending limit of 10.00"):
        checkout(session, customer_id=ann)
    assert list_orders(session, customer_id=ann) == []
    # Nothing was taken from the shelf, and the cart is still there.
    from commerce.cart import get_cart
    from commerce.catalog import get_product

    assert get_product(session, sku="BREAD-SOUR").stock == 15
    assert get_cart(session, customer_id=ann).quantities == {"BREAD-SOUR": 2}
