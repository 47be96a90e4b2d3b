"""Request and response bodies. Money is a decimal string here, integer cents inside."""

import re
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, Field, root_validator, validator

from commerce.cart import CartItem, CartView
from commerce.catalog import MAX_STOCK, option_value_text, validate_options
from commerce.models import Handoff, Order, Product, StaffAuditEntry, StaffKey
from commerce.money import format_price, parse_price


def _price(value: str) -> str:
    parse_price(str(value))
    return str(value).strip()


def _options(value: dict[str, list[str]]) -> dict[str, list[str]]:
    """Checked as the CSV is; values keep their price change ("medium +0.50") until the
    route turns them into option groups (`option_groups_of`)."""
    groups = validate_options([{"name": k, "values": v} for k, v in value.items()])
    return {g["name"]: option_values_text(g) for g in groups}


def option_values_text(group: dict) -> list[str]:
    changes = group.get("price_changes") or {}
    return [option_value_text(v, changes.get(v, 0)) for v in group["values"]]


def option_groups_of(options: dict[str, list[str]]) -> list[dict]:
    """{"size": ["small", "large +1.00"]} -> the stored groups, price changes in cents."""
    return validate_options([{"name": k, "values": v} for k, v in options.items()])


def option_prices_of(product: Product) -> dict[str, dict[str, str]]:
    """{"size": {"large": "1.00"}}: what each option value adds (or, negative, takes off)."""
    return {
        group: {value: format_price(cents) for value, cents in changes.items()}
        for group, changes in product.option_price_changes().items()
    }


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class RequestBody(BaseModel):
    """A request body: unknown fields refused, and no NUL characters, which PostgreSQL
    cannot store (a 500 otherwise)."""

    @root_validator(pre=True)
    def _no_nul(cls, values: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        if _has_nul(values):
            raise ValueError("text must not contain NUL characters")
        return values

    class Config:
        extra = "forbid"


class ProductPublic(BaseModel):
    sku: str
    name: str
    price: str
    stock: int
    options: dict[str, list[str]]
    # What a value adds to `price` ({"size": {"large": "1.00"}}); values not listed add nothing.
    option_prices: dict[str, dict[str, str]]
    category: str
    unit: str
    aliases: list[str]
    description: str
    active: bool

    @classmethod
    def of(cls, product: Product) -> "ProductPublic":
        return cls(
            sku=product.sku,
            name=product.name,
            price=format_price(product.price_cents),
            stock=product.stock,
            options=product.option_groups(),
            option_prices=option_prices_of(product),
            category=product.category,
            unit=product.unit,
            aliases=list(product.aliases or []),
            description=product.description,
            active=product.active,
        )


class ProductCreate(RequestBody):
    sku: str = Field(..., regex=r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")
    name: str = Field(..., min_length=1, max_length=200)
    price: str = Field(..., description="decimal string, e.g. 4.20")
    stock: int = Field(0, ge=0, le=MAX_STOCK)
    aliases: list[str] = []
    category: str = ""
    unit: str = "each"
    options: dict[str, list[str]] = Field({}, description="group -> values; first is default")
    description: str = ""
    active: bool = True

    _check_price = validator("price", allow_reuse=True)(_price)
    _check_options = validator("options", allow_reuse=True)(_options)

    class Config:
        extra = "forbid"


class ProductUpdate(RequestBody):
    name: str | None = Field(None, min_length=1, max_length=200)
    price: str | None = None
    stock: int | None = Field(None, ge=0, le=MAX_STOCK)
    aliases: list[str] | None = None
    category: str | None = None
    unit: str | None = None
    options: dict[str, list[str]] | None = None
    description: str | None = None
    active: bool | None = None

    _check_price = validator("price", allow_reuse=True)(lambda v: v if v is None else _price(v))
    _check_options = validator("options", allow_reuse=True)(
        lambda v: v if v is None else _options(v)
    )

    class Config:
        extra = "forbid"


class StockUpdate(RequestBody):
    stock: int | None = Field(None, ge=0, le=MAX_STOCK, description="the new count")
    delta: int | None = Field(
        None,
        ge=-MAX_STOCK,
        le=MAX_STOCK,
        description="or a change, e.g. 24 when a delivery arrives",
    )

    class Config:
        extra = "forbid"


class PriceUpdate(RequestBody):
    price: str

    _check_price = validator("price", allow_reuse=True)(_price)

    class Config:
        extra = "forbid"


class ImportResult(BaseModel):
    imported: int


class CustomerCreate(RequestBody):
    name: str = Field(..., min_length=1, max_length=200)
    id: str | None = Field(None, regex=r"^[A-Za-z0-9_.@-]{1,64}$")

    class Config:
        extra = "forbid"


class CustomerCreated(BaseModel):
    id: str
    name: str
    token: str


class CartItemIn(RequestBody):
    sku: str = Field(..., min_length=1, max_length=64)
    qty: int = Field(1, ge=1, le=999)
    options: dict[str, str] = {}

    class Config:
        extra = "forbid"


class CartItemPublic(BaseModel):
    sku: str
    name: str
    qty: int
    options: dict[str, str]
    unit_price: str
    line_total: str

    @classmethod
    def of(cls, item: CartItem) -> "CartItemPublic":
        return cls(
            sku=item.sku,
            name=item.name,
            qty=item.quantity,
            options=item.options,
            unit_price=format_price(item.unit_price_cents),
            line_total=format_price(item.line_total_cents),
        )


class CartPublic(BaseModel):
    items: list[CartItemPublic]
    subtotal: str

    @classmethod
    def of(cls, cart: CartView) -> "CartPublic":
        return cls(
            items=[CartItemPublic.of(i) for i in cart.items],
            subtotal=format_price(cart.subtotal_cents),
        )


class CheckoutIn(RequestBody):
    fulfilment: Literal["pickup", "delivery"] = "pickup"
    expected_total: str | None = Field(
        None, description="the total the shopper agreed to; 409 if it changed"
    )

    _check_total = validator("expected_total", allow_reuse=True)(
        lambda v: v if v is None else _price(v)
    )

    class Config:
        extra = "forbid"


class OrderLinePublic(BaseModel):
    sku: str
    name: str
    qty: int
    options: dict[str, str]
    unit_price: str
    line_total: str


class StatusChangePublic(BaseModel):
    from_status: str | None
    to_status: str
    changed_at: datetime
    changed_by: str


class OrderPublic(BaseModel):
    id: int
    customer_id: str
    status: str
    fulfilment: str
    items: list[OrderLinePublic]
    subtotal: str
    delivery_fee: str
    total: str
    currency: str
    placed_at: datetime
    history: list[StatusChangePublic]

    @classmethod
    def of(cls, order: Order) -> "OrderPublic":
        return cls(
            id=order.id,
            customer_id=order.customer_id,
            status=order.status,
            fulfilment=order.fulfilment,
            items=[
                OrderLinePublic(
                    sku=line.sku,
                    name=line.name,
                    qty=line.quantity,
                    options=line.options,
                    unit_price=format_price(line.unit_price_cents),
                    line_total=format_price(line.line_total_cents),
                )
                for line in order.lines
            ],
            subtotal=format_price(order.subtotal_cents),
            delivery_fee=format_price(order.delivery_fee_cents),
            total=format_price(order.total_cents),
            currency=order.currency,
            placed_at=order.placed_at,
            history=[
                StatusChangePublic(
                    from_status=h.from_status,
                    to_status=h.to_status,
                    changed_at=h.changed_at,
                    changed_by=h.changed_by,
                )
                for h in order.history
            ],
        )


class OrderStatusIn(RequestBody):
    status: Literal["placed", "preparing", "ready", "out_for_delivery", "delivered", "cancelled"]

    class Config:
        extra = "forbid"


class StaffReplyIn(RequestBody):
    text: str = Field(..., min_length=1, max_length=1000, description="what the shopper is told")

    class Config:
        extra = "forbid"


class HandoffPublic(BaseModel):
    id: int
    customer_id: str
    reason: str
    status: str
    created_at: datetime
    released_at: datetime | None
    released_by: str | None
    conversation: list[dict[str, str]]
    cart: list[dict]

    @classmethod
    def of(cls, handoff: Handoff) -> "HandoffPublic":
        return cls(
            id=handoff.id,
            customer_id=handoff.customer_id,
            reason=handoff.reason,
            status=handoff.status,
            created_at=handoff.created_at,
            released_at=handoff.released_at,
            released_by=handoff.released_by,
            conversation=list(handoff.conversation or []),
            cart=list(handoff.cart or []),
        )


# --------------------------------------------------------------------------- purchase controls


def _pin(value: str | None) -> str | None:
    # The message never repeats what was sent: it may be someone's real PIN.
    if value is not None and not re.fullmatch(r"[0-9]{4,8}", value):
        raise ValueError("a voice PIN is 4 to 8 digits, like 4821")
    return value


class PinIn(RequestBody):
    pin: str = Field(..., description="4 to 8 digits")
    current_pin: str | None = Field(
        None, description="the PIN now set; required to change an existing one"
    )

    _check_pin = validator("pin", "current_pin", allow_reuse=True)(_pin)

    class Config:
        extra = "forbid"


class PinRemoveIn(RequestBody):
    current_pin: str | None = Field(None, description="the PIN now set; required to remove it")

    _check_pin = validator("current_pin", allow_reuse=True)(_pin)

    class Config:
        extra = "forbid"


class StaffPinIn(RequestBody):
    pin: str = Field(..., description="4 to 8 digits")

    _check_pin = validator("pin", allow_reuse=True)(_pin)

    class Config:
        extra = "forbid"


class PinStatus(BaseModel):
    """Whether a PIN is set; never the PIN or its hash."""

    pin_set: bool
    locked_until: datetime | None = None


class SpendingLimitsIn(RequestBody):
    order_limit: str | None = Field(
        None, description="decimal string; null: the store's default per order"
    )
    daily_limit: str | None = Field(
        None, description="decimal string; null: the store's default per day"
    )

    _check_limits = validator("order_limit", "daily_limit", allow_reuse=True)(
        lambda v: v if v is None else _price(v)
    )

    class Config:
        extra = "forbid"


class SpendingLimitsPublic(BaseModel):
    customer_id: str
    order_limit: str | None = Field(None, description="this shopper's own limit, if set")
    daily_limit: str | None = Field(None, description="this shopper's own limit, if set")
    effective_order_limit: str | None = Field(None, description="what applies; null: none")
    effective_daily_limit: str | None = Field(None, description="what applies; null: none")


# --------------------------------------------------------------------- staff keys and audit log


def _utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


class StaffKeyCreate(RequestBody):
    label: str = Field("", max_length=200, description="whose key this is, e.g. 'till 2'")
    role: Literal["admin", "catalog", "orders"] = Field(
        ..., description="catalog: products and imports; orders: orders, handoffs, customers"
    )

    class Config:
        extra = "forbid"


class StaffKeyPublic(BaseModel):
    """A staff key as listed: never the key or its hash."""

    id: int
    label: str
    role: str
    created_at: datetime
    revoked_at: datetime | None
    active: bool

    @classmethod
    def of(cls, staff: StaffKey) -> "StaffKeyPublic":
        created_at = _utc(staff.created_at)
        assert created_at is not None
        return cls(
            id=staff.id,
            label=staff.label,
            role=staff.role,
            created_at=created_at,
            revoked_at=_utc(staff.revoked_at),
            active=staff.revoked_at is None,
        )


class StaffKeyIssued(StaffKeyPublic):
    key: str = Field(..., description="shown this once; only its hash is stored")

    @classmethod
    def issued(cls, staff: StaffKey, key: str) -> "StaffKeyIssued":
        return cls(**StaffKeyPublic.of(staff).dict(), key=key)


class AuditEntryPublic(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    before: Any
    after: Any

    @classmethod
    def of(cls, entry: StaffAuditEntry) -> "AuditEntryPublic":
        at = _utc(entry.at)
        assert at is not None
        return cls(
            id=entry.id,
            at=at,
            actor=entry.actor,
            action=entry.action,
            target=entry.target,
            before=entry.before,
            after=entry.after,
        )
