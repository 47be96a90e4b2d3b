"""Purchase controls: a shopper's voice PIN (set by the shopper or by staff) and per-shopper
spending limits (admins). Responses say whether a PIN is set, never the PIN or its hash;
every staff change is in the audit log."""

from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Body, Path

from commerce import audit
from commerce.accounts import CUSTOMER_ID_PATTERN
from commerce.api.deps import AdminStaffDep, CustomerDep, OrdersStaffDep, SessionDep
from commerce.api.schemas import (
    PinIn,
    PinRemoveIn,
    PinStatus,
    SpendingLimitsIn,
    SpendingLimitsPublic,
    StaffPinIn,
)
from commerce.models import Customer
from commerce.money import format_price, parse_price
from commerce.purchase_guard import (
    change_own_pin,
    get_customer,
    locked_until,
    set_pin,
    set_spending_limits,
    spending_limits,
)

router = APIRouter(tags=["purchase controls"])

CustomerIdPath = Annotated[str, Path(pattern=CUSTOMER_ID_PATTERN.pattern)]
PIN_ERRORS: dict[int | str, dict] = {
    403: {"description": "the current PIN is missing or wrong"},
    423: {"description": "too many wrong PINs: locked for 15 minutes"},
}


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _status(session: SessionDep, customer: Customer) -> PinStatus:
    return PinStatus(
        pin_set=customer.pin_hash is not None,
        locked_until=locked_until(session, customer_id=customer.id, now=_now()),
    )


def _pin_state(customer: Customer) -> dict[str, str]:
    return {"pin": "set" if customer.pin_hash is not None else "none"}


@router.get("/account/pin", response_model=PinStatus)
def read_my_pin(session: SessionDep, customer: CustomerDep) -> PinStatus:
    return _status(session, customer)


@router.put("/account/pin", response_model=PinStatus, responses=PIN_ERRORS)
def set_my_pin(session: SessionDep, customer: CustomerDep, body: PinIn) -> PinStatus:
    """Sets the voice PIN checkout asks for; changing an existing one needs `current_pin`."""
    changed = change_own_pin(
        session,
        customer_id=customer.id,
        pin=body.pin,
        current_pin=body.current_pin,
        now=_now(),
    )
    return _status(session, changed)


@router.delete("/account/pin", response_model=PinStatus, responses=PIN_ERRORS)
def remove_my_pin(
    session: SessionDep,
    customer: CustomerDep,
    body: Annotated[PinRemoveIn | None, Body()] = None,
) -> PinStatus:
    """Removes the voice PIN; the body `{"current_pin": "..."}` is required when one is set."""
    changed = change_own_pin(
        session,
        customer_id=customer.id,
        pin=None,
        current_pin=body.current_pin if body else None,
        now=_now(),
    )
    return _status(session, changed)


def _staff_set_pin(
    session: SessionDep, staff: OrdersStaffDep, customer_id: str, pin: str | None
) -> PinStatus:
    before = _pin_state(get_customer(session, customer_id=customer_id))
    customer = set_pin(session, customer_id=customer_id, pin=pin)
    audit.record(
        session,
        actor=audit.actor_of(staff),
        action="customer.pin_set",
        target=f"customer:{customer_id}",
        before=before,
        after=_pin_state(customer),
    )
    session.commit()
    return _status(session, customer)


@router.put("/admin/customers/{customer_id}/pin", response_model=PinStatus, tags=["staff"])
def staff_set_pin(
    session: SessionDep, staff: OrdersStaffDep, customer_id: CustomerIdPath, body: StaffPinIn
) -> PinStatus:
    """Sets a shopper's voice PIN (and lifts a lock); roles orders or admin."""
    return _staff_set_pin(session, staff, customer_id, body.pin)


@router.delete("/admin/customers/{customer_id}/pin", response_model=PinStatus, tags=["staff"])
def staff_remove_pin(
    session: SessionDep, staff: OrdersStaffDep, customer_id: CustomerIdPath
) -> PinStatus:
    """Removes a shopper's voice PIN; roles orders or admin."""
    return _staff_set_pin(session, staff, customer_id, None)


def _limits_public(session: SessionDep, customer: Customer) -> SpendingLimitsPublic:
    effective = spending_limits(session, customer_id=customer.id)

    def money(cents: int | None) -> str | None:
        return None if cents is None else format_price(cents)

    return SpendingLimitsPublic(
        customer_id=customer.id,
        order_limit=money(customer.order_limit_cents),
        daily_limit=money(customer.daily_limit_cents),
        effective_order_limit=money(effective.order_limit_cents),
        effective_daily_limit=money(effective.daily_limit_cents),
    )


def _limits_state(customer: Customer) -> dict[str, str | None]:
    return {
        "order_limit": None
        if customer.order_limit_cents is None
        else format_price(customer.order_limit_cents),
        "daily_limit": None
        if customer.daily_limit_cents is None
        else format_price(customer.daily_limit_cents),
    }


@router.get(
    "/admin/customers/{customer_id}/spending-limits",
    response_model=SpendingLimitsPublic,
    tags=["staff"],
)
def staff_read_spending_limits(
    session: SessionDep, staff: AdminStaffDep, customer_id: CustomerIdPath
) -> SpendingLimitsPublic:
    return _limits_public(session, get_customer(session, customer_id=customer_id))


@router.put(
    "/admin/customers/{customer_id}/spending-limits",
    response_model=SpendingLimitsPublic,
    tags=["staff"],
)
def staff_set_spending_limits(
    session: SessionDep, staff: AdminStaffDep, customer_id: CustomerIdPath, body: SpendingLimitsIn
) -> SpendingLimitsPublic:
    """A shopper's own per-order and daily limits; null returns to the store's default."""
    before = _limits_state(get_customer(session, customer_id=customer_id))
    customer = set_spending_limits(
        session,
        customer_id=customer_id,
        order_limit_cents=parse_price(body.order_limit) if body.order_limit else None,
        daily_limit_cents=parse_price(body.daily_limit) if body.daily_limit else None,
    )
    audit.record(
        session,
        actor=audit.actor_of(staff),
        action="customer.spending_limits_set",
        target=f"customer:{customer_id}",
        before=before,
        after=_limits_state(customer),
    )
    session.commit()
    return _limits_public(session, customer)
