"""The store's tables. Alembic migrations in `commerce/migrations` create and change them."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

Base: Any = declarative_base()

# Integer columns are 32-bit on PostgreSQL; ids and counts from outside stay within this.
MAX_DB_INTEGER = 2**31 - 1
STAFF_ROLES = ("admin", "catalog", "orders")
ORDER_STATUSES = ("placed", "preparing", "ready", "out_for_delivery", "delivered", "cancelled")
FULFILMENTS = ("pickup", "delivery")
NOTICE_KINDS = ("order_status", "staff_reply")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Product(Base):
    __tablename__ = "products"

    id = Column(Integer, primary_key=True)
    sku = Column(String(64), nullable=False, unique=True)
    name = Column(String(200), nullable=False)
    aliases = Column(JSON, nullable=False, default=list)  # list[str]
    category = Column(String(100), nullable=False, default="", index=True)
    unit = Column(String(40), nullable=False, default="each")
    price_cents = Column(Integer, nullable=False)
    stock = Column(Integer, nullable=False, default=0)
    # [{"name": "size", "values": ["small", "medium", "large"]}]; the first value is the default.
    # A group whose values change the price also holds "price_changes": {"large": 100} (minor
    # units, values without a change left out).
    options = Column(JSON, nullable=False, default=list)
    description = Column(Text, nullable=False, default="")
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # Indexed: the live catalog index looks for changed products by a window of these stamps
    # on every catalog change (commerce.live_index).
    updated_at = Column(
        DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow, index=True
    )

    def option_groups(self) -> dict[str, list[str]]:
        return {group["name"]: list(group["values"]) for group in self.options or []}

    def default_options(self) -> dict[str, str]:
        return {group["name"]: group["values"][0] for group in self.options or []}

    def option_price_changes(self) -> dict[str, dict[str, int]]:
        """{"size": {"medium": 50, "large": 100}}: only groups and values that change it."""
        return {
            group["name"]: dict(group["price_changes"])
            for group in self.options or []
            if group.get("price_changes")
        }

    def unit_price_for(self, options: dict[str, str] | None) -> int:
        """The price of one unit with these options chosen (minor units)."""
        changes = self.option_price_changes()
        return int(self.price_cents) + sum(
            changes.get(group, {}).get(value, 0) for group, value in (options or {}).items()
        )


class CatalogState(Base):
    """One row; `version` moves whenever names, aliases, options or the active set change,
    so the resolver knows when to rebuild its index (stock and price changes do not)."""

    __tablename__ = "catalog_state"

    id = Column(Integer, primary_key=True)
    version = Column(Integer, nullable=False, default=0)


class StoreSettings(Base):
    """One row: the store facts (hours, address, fulfilment) from the store YAML file."""

    __tablename__ = "store_settings"

    id = Column(Integer, primary_key=True)
    facts = Column(JSON, nullable=False)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


class Customer(Base):
    __tablename__ = "customers"

    id = Column(String(64), primary_key=True)
    name = Column(String(200), nullable=False)
    token_hash = Column(String(64), unique=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # Voice purchasing PIN: a salted slow hash, never the digits. Wrong tries are counted here
    # (not in conversation state a client could supply) and lock purchasing for a while.
    pin_hash = Column(String(200))
    pin_failures = Column(Integer, nullable=False, default=0)
    pin_locked_until = Column(DateTime(timezone=True))
    # Spending guard overrides in minor units; null means the store file's default.
    order_limit_cents = Column(Integer)
    daily_limit_cents = Column(Integer)


class StaffKey(Base):
    __tablename__ = "staff_keys"

    id = Column(Integer, primary_key=True)
    label = Column(String(200), nullable=False, default="")
    key_hash = Column(String(64), nullable=False, unique=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    role = Column(String(16), nullable=False, default="admin")  # one of STAFF_ROLES
    revoked_at = Column(DateTime(timezone=True))


class StaffAuditEntry(Base):
    """Every change made with a staff key: who, when, what, and the state before and after."""

    __tablename__ = "staff_audit"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    actor = Column(String(200), nullable=False)  # "staff:<id>" or "cli"
    action = Column(String(64), nullable=False)  # e.g. "product.update", "staff_key.revoke"
    target = Column(String(200), nullable=False, default="")
    before = Column(JSON)
    after = Column(JSON)


class CartLine(Base):
    __tablename__ = "cart_lines"
    __table_args__ = (UniqueConstraint("customer_id", "product_id", "options_key"),)

    id = Column(Integer, primary_key=True)
    customer_id = Column(String(64), ForeignKey("customers.id"), nullable=False, index=True)
    product_id = Column(Integer, ForeignKey("products.id", ondelete="CASCADE"), nullable=False)
    quantity = Column(Integer, nullable=False)
    options = Column(JSON, nullable=False, default=dict)  # {"size": "large"}, defaults filled in
    # The options in a canonical text form, so one product with other options is another line.
    options_key = Column(String(500), nullable=False, default="")
    added_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    product = relationship(Product, lazy="joined")


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("customer_id", "idempotency_key"),)

    id = Column(Integer, primary_key=True)
    customer_id = Column(String(64), ForeignKey("customers.id"), nullable=False, index=True)
    status = Column(String(32), nullable=False, default="placed", index=True)
    fulfilment = Column(String(16), nullable=False, default="pickup")
    subtotal_cents = Column(Integer, nullable=False)
    delivery_fee_cents = Column(Integer, nullable=False, default=0)
    total_cents = Column(Integer, nullable=False)
    currency = Column(String(3), nullable=False, default="USD")
    idempotency_key = Column(String(200))
    placed_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)

    lines = relationship(
        "OrderLine", lazy="selectin", order_by="OrderLine.id", cascade="all, delete-orphan"
    )
    history = relationship(
        "OrderStatusChange",
        lazy="selectin",
        order_by="OrderStatusChange.id",
        cascade="all, delete-orphan",
    )


class OrderLine(Base):
    """A snapshot: the price, name and options the shopper agreed to, whatever the catalog
    says later."""

    __tablename__ = "order_lines"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False)
    product_id = Column(Integer, ForeignKey("products.id", ondelete="SET NULL"))
    sku = Column(String(64), nullable=False)
    name = Column(String(200), nullable=False)
    unit_price_cents = Column(Integer, nullable=False)
    quantity = Column(Integer, nullable=False)
    options = Column(JSON, nullable=False, default=dict)
    line_total_cents = Column(Integer, nullable=False)


class OrderStatusChange(Base):
    __tablename__ = "order_status_changes"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False)
    from_status = Column(String(32))
    to_status = Column(String(32), nullable=False)
    changed_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    changed_by = Column(String(200), nullable=False)


class Handoff(Base):
    """A conversation handed to a person: what was said and the cart at that moment. While it
    is open the assistant takes no actions in that conversation."""

    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True)
    customer_id = Column(String(64), ForeignKey("customers.id"), nullable=False, index=True)
    reason = Column(String(200), nullable=False)
    conversation = Column(JSON, nullable=False, default=list)  # [{"speaker", "text"}]
    cart = Column(JSON, nullable=False, default=list)  # [{"sku", "name", "qty", "options"}]
    status = Column(String(16), nullable=False, default="open", index=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    released_at = Column(DateTime(timezone=True))
    released_by = Column(String(200))


class Notice(Base):
    """Something to tell a shopper without being asked (an order is ready, a staff reply):
    kept until a channel delivers it, so it is said exactly once, whichever device asks."""

    __tablename__ = "notices"

    id = Column(Integer, primary_key=True)
    customer_id = Column(String(64), ForeignKey("customers.id"), nullable=False, index=True)
    kind = Column(String(32), nullable=False)  # one of NOTICE_KINDS
    text = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    delivered_at = Column(DateTime(timezone=True), index=True)


class TurnLogEntry(Base):
    """One assistant turn, for the KPIs (commerce.kpis): who, when, what was understood, how
    long it took, and what it led to. No words are kept, only what the turn was."""

    __tablename__ = "turn_log"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    customer_id = Column(String(64), nullable=False, index=True)  # the conversation's shopper
    intent = Column(String(64), nullable=False, default="")  # what the classifier said
    handler = Column(String(64), nullable=False, default="")  # the action that ran
    # False when the turn ended in "Sorry, I didn't catch that" (or the handoff it leads to).
    understood = Column(Boolean, nullable=False)
    latency_ms = Column(Integer, nullable=False)  # message received -> replies ready
    handoff = Column(Boolean, nullable=False, default=False)  # this turn passed it to a person
    order_id = Column(Integer)  # the order this turn placed, if any
    cart_quantity = Column(Integer, nullable=False, default=0)  # units in the cart after it


class CsatResponse(Base):
    """An answer to "How did I do, from one to five?", asked once after an order."""

    __tablename__ = "csat_responses"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    customer_id = Column(String(64), nullable=False, index=True)
    order_id = Column(Integer)
    score = Column(Integer, nullable=False)  # 1..5
