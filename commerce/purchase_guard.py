"""Purchase controls: the optional voice PIN and the spending guard.

The PIN is kept as a salted scrypt hash (never the digits). Wrong tries are counted on the
customer row, so the lock holds whatever a client sends as conversation state: three wrong
tries lock purchasing for 15 minutes, and while locked even the right PIN is refused.

The spending guard refuses an order above the per-order limit, or one that would take the
shopper's day (non-cancelled orders since the store's local midnight) above the daily limit.
Limits come from the customer's override, else the store file's `spending:` defaults.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commerce.errors import CommerceError, Forbidden, InvalidRequest, NotFound
from commerce.models import MAX_DB_INTEGER, Customer, Order
from commerce.store import get_store_facts

PIN_PATTERN = re.compile(r"^[0-9]{4,8}$")
MAX_PIN_FAILURES = 3
PIN_LOCK = timedelta(minutes=15)
# scrypt cost: ~16 MB and tens of milliseconds per check; a PIN is short, so make each guess
# against a stolen hash cost something.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


class PinLocked(CommerceError):
    """Too many wrong PINs: purchasing is locked for a while."""

    code = "pin_locked"
    status = 423

    def __init__(self, locked_until: datetime) -> None:
        super().__init__(
            f"too many wrong PINs; purchasing is locked until {locked_until:%H:%M} UTC"
        )
        self.locked_until = locked_until


class SpendingLimitExceeded(CommerceError):
    """The order is above the shopper's per-order or daily spending limit."""

    code = "spending_limit"
    status = 409

    def __init__(self, *, limit: str, limit_cents: int, total_cents: int) -> None:
        what = "per-order" if limit == "order" else "daily"
        super().__init__(
            f"this order would go over the {what} spending limit of "
            f"{limit_cents // 100}.{limit_cents % 100:02d}; a member of staff must place it"
        )
        self.limit, self.limit_cents, self.total_cents = limit, limit_cents, total_cents


@dataclass(frozen=True)
class PinCheck:
    """`ok`: right PIN; `wrong`: `tries_left` more before the lock; `locked`: refused until
    `locked_until`; `not_set`: the shopper has no PIN."""

    status: Literal["ok", "wrong", "locked", "not_set"]
    tries_left: int = 0
    locked_until: datetime | None = None


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def get_customer(session: Session, *, customer_id: str, for_update: bool = False) -> Customer:
    # Locked on PostgreSQL so two guesses at once cannot both read the same failure count
    # (SQLite's BEGIN IMMEDIATE already serialises writers).
    customer = session.get(
        Customer, customer_id, with_for_update=for_update, populate_existing=for_update
    )
    if customer is None:
        raise NotFound(f"no customer {customer_id}")
    return customer


def _hash_pin(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(
        pin.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, maxmem=64 * 2**20, dklen=32
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def hash_pin(pin: str) -> str:
    """'scrypt$n$r$p$salt$hash' with a fresh random salt per PIN."""
    salt = secrets.token_bytes(16)
    digest = _hash_pin(pin, salt)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def _pin_matches(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(
            pin.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=64 * 2**20,
            dklen=32,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


def validate_pin(pin: str) -> str:
    if not isinstance(pin, str) or not PIN_PATTERN.match(pin):
        raise InvalidRequest("a voice PIN is 4 to 8 digits, like 4821")
    return pin


def has_pin(session: Session, *, customer_id: str) -> bool:
    customer = session.get(Customer, customer_id)
    return customer is not None and customer.pin_hash is not None


def set_pin(session: Session, *, customer_id: str, pin: str | None) -> Customer:
    """Sets (or with None removes) the shopper's voice PIN; clears wrong tries and any lock.
    The caller commits (with an audit record when staff do it)."""
    customer = get_customer(session, customer_id=customer_id, for_update=True)
    customer.pin_hash = None if pin is None else hash_pin(validate_pin(pin))
    customer.pin_failures = 0
    customer.pin_locked_until = None
    return customer


def locked_until(session: Session, *, customer_id: str, now: datetime) -> datetime | None:
    """When the shopper's purchasing lock ends, or None when not locked."""
    customer = session.get(Customer, customer_id)
    if customer is None or customer.pin_locked_until is None:
        return None
    until = _aware(customer.pin_locked_until)
    return until if now < until else None


def check_pin(session: Session, *, customer_id: str, pin: str, now: datetime) -> PinCheck:
    """Checks a PIN and records the outcome (commits): a wrong one counts towards the lock,
    the right one clears the count. While locked, even the right PIN is refused."""
    customer = get_customer(session, customer_id=customer_id, for_update=True)
    if customer.pin_hash is None:
        session.rollback()
        return PinCheck("not_set")
    if customer.pin_locked_until is not None:
        until = _aware(customer.pin_locked_until)
        if now < until:
            session.rollback()
            return PinCheck("locked", locked_until=until)
        customer.pin_locked_until = None  # the lock ran out: three fresh tries
        customer.pin_failures = 0
    if _pin_matches(pin, customer.pin_hash):
        customer.pin_failures = 0
        session.commit()
        return PinCheck("ok", tries_left=MAX_PIN_FAILURES)
    customer.pin_failures = (customer.pin_failures or 0) + 1
    if customer.pin_failures >= MAX_PIN_FAILURES:
        # Stored in UTC: SQLite keeps the wall-clock time and drops the offset.
        until = (now + PIN_LOCK).astimezone(timezone.utc)
        customer.pin_locked_until = until
        session.commit()
        return PinCheck("locked", locked_until=until)
    tries_left = MAX_PIN_FAILURES - customer.pin_failures
    session.commit()
    return PinCheck("wrong", tries_left=tries_left)


def change_own_pin(
    session: Session, *, customer_id: str, pin: str | None, current_pin: str | None, now: datetime
) -> Customer:
    """A shopper setting, changing or removing their own PIN: an existing PIN must be given
    (and is checked like any other try, so this is no way round the lock)."""
    if pin is not None:
        validate_pin(pin)
    customer = get_customer(session, customer_id=customer_id)
    if customer.pin_hash is not None:
        if current_pin is None:
            raise Forbidden("give your current PIN (current_pin) to change or remove it")
        result = check_pin(session, customer_id=customer_id, pin=current_pin, now=now)
        if result.status == "locked":
            assert result.locked_until is not None
            raise PinLocked(result.locked_until)
        if result.status == "wrong":
            tries = "try" if result.tries_left == 1 else "tries"
            raise Forbidden(f"the current PIN is wrong; {result.tries_left} {tries} left")
    customer = set_pin(session, customer_id=customer_id, pin=pin)
    session.commit()
    return customer


# --------------------------------------------------------------------------- spending


@dataclass(frozen=True)
class SpendingLimits:
    order_limit_cents: int | None
    daily_limit_cents: int | None


def spending_limits(session: Session, *, customer_id: str) -> SpendingLimits:
    """The shopper's own limits where staff set them, else the store's defaults."""
    spending = get_store_facts(session).spending
    customer = session.get(Customer, customer_id)
    order_limit = customer.order_limit_cents if customer is not None else None
    daily_limit = customer.daily_limit_cents if customer is not None else None
    return SpendingLimits(
        order_limit if order_limit is not None else spending.order_limit_cents,
        daily_limit if daily_limit is not None else spending.daily_limit_cents,
    )


def set_spending_limits(
    session: Session,
    *,
    customer_id: str,
    order_limit_cents: int | None,
    daily_limit_cents: int | None,
) -> Customer:
    """Staff override of a shopper's limits (None: the store's default). The caller commits."""
    for value in (order_limit_cents, daily_limit_cents):
        if value is not None and not 0 <= value <= MAX_DB_INTEGER:
            raise InvalidRequest("a spending limit is an amount from 0.00 up")
    customer = get_customer(session, customer_id=customer_id, for_update=True)
    customer.order_limit_cents = order_limit_cents
    customer.daily_limit_cents = daily_limit_cents
    return customer


def spent_today(session: Session, *, customer_id: str, now: datetime) -> int:
    """The shopper's non-cancelled orders since the store's local midnight, in cents."""
    store = get_store_facts(session)
    local = store.local(now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    total = session.scalar(
        select(func.coalesce(func.sum(Order.total_cents), 0)).where(
            Order.customer_id == customer_id,
            Order.status != "cancelled",
            Order.placed_at >= midnight.astimezone(timezone.utc),
        )
    )
    return int(total or 0)


def spending_problem(
    session: Session, *, customer_id: str, total_cents: int, now: datetime
) -> SpendingLimitExceeded | None:
    """Why an order of `total_cents` may not be placed now, or None when it may."""
    limits = spending_limits(session, customer_id=customer_id)
    if limits.order_limit_cents is not None and total_cents > limits.order_limit_cents:
        return SpendingLimitExceeded(
            limit="order", limit_cents=limits.order_limit_cents, total_cents=total_cents
        )
    if limits.daily_limit_cents is not None:
        today = spent_today(session, customer_id=customer_id, now=now)
        if today + total_cents > limits.daily_limit_cents:
            return SpendingLimitExceeded(
                limit="daily", limit_cents=limits.daily_limit_cents, total_cents=total_cents
            )
    return None


def enforce_spending(
    session: Session, *, customer_id: str, total_cents: int, now: datetime | None = None
) -> None:
    """Raises SpendingLimitExceeded when the order may not be placed (checkout calls this)."""
    problem = spending_problem(
        session,
        customer_id=customer_id,
        total_cents=total_cents,
        now=now or datetime.now(timezone.utc),
    )
    if problem is not None:
        raise problem
