"""Checkout, order history, reorders, status changes and cancellation.

Checkout is one transaction: each product's stock is taken with a single conditional
`UPDATE ... SET stock = stock - :q WHERE stock >= :q`, so concurrent checkouts can never
oversell (read-check-write loses updates on both SQLite and PostgreSQL; see shared/FACTS.md).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from commerce.cart import complete_options, get_cart
from commerce.catalog import get_product
from commerce.errors import (
    EmptyCart,
    IllegalTransition,
    InvalidRequest,
    NotFound,
    OutOfStock,
    PriceChanged,
)
from commerce.models import (
    FULFILMENTS,
    MAX_DB_INTEGER,
    ORDER_STATUSES,
    CartLine,
    Order,
    OrderLine,
    OrderStatusChange,
    Product,
)
from commerce.notices import notify_order_status
from commerce.purchase_guard import spending_problem
from commerce.store import get_store_facts

# Which status may follow which. Pickup orders go ready -> delivered (collected).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "placed": ("preparing", "cancelled"),
    "preparing": ("ready", "cancelled"),
    "ready": ("out_for_delivery", "delivered"),
    "out_for_delivery": ("delivered",),
    "delivered": (),
    "cancelled": (),
}
CANCELLABLE = ("placed", "preparing")


@dataclass(frozen=True)
class ItemSpec:
    """A product and quantity outside any cart: a past order's line, a usual item."""

    sku: str
    name: str
    quantity: int
    options: dict[str, str]


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _record_status(order: Order, to_status: str, by: str, at: datetime | None = None) -> None:
    order.history.append(
        OrderStatusChange(
            from_status=order.status if order.history else None,
            to_status=to_status,
            changed_by=by,
            changed_at=at or datetime.now(timezone.utc),
        )
    )
    order.status = to_status


def quote(session: Session, *, customer_id: str, fulfilment: str = "pickup") -> dict[str, int]:
    """What checkout would charge now: subtotal, delivery fee, total (cents)."""
    cart = get_cart(session, customer_id=customer_id)
    store = get_store_facts(session)
    subtotal = cart.subtotal_cents
    fee = store.delivery_fee_cents(subtotal) if fulfilment == "delivery" else 0
    return {"subtotal": subtotal, "delivery_fee": fee, "total": subtotal + fee}


def checkout(
    session: Session,
    *,
    customer_id: str,
    fulfilment: str = "pickup",
    idempotency_key: str | None = None,
    expected_total_cents: int | None = None,
    placed_by: str = "shopper",
    now: datetime | None = None,
) -> Order:
    """Places the cart as an order. A retried call with the same idempotency key returns the
    order the first call placed. `expected_total_cents` is the total the shopper heard; if the
    catalog moved since, nothing is placed (PriceChanged) so the assistant can read back again.
    An order over the shopper's spending limits is refused (SpendingLimitExceeded); `now` is
    the clock for the daily limit."""
    if idempotency_key is not None:
        if not 1 <= len(idempotency_key) <= 200:
            raise InvalidRequest("an idempotency key is 1 to 200 characters")
        existing = _order_by_key(session, customer_id, idempotency_key)
        if existing is not None:
            return existing
    if fulfilment not in FULFILMENTS:
        raise InvalidRequest(f"fulfilment must be one of {', '.join(FULFILMENTS)}")
    store = get_store_facts(session)
    if fulfilment == "delivery" and not store.fulfilment.delivery:
        raise InvalidRequest(f"{store.name} does not deliver; choose pickup")
    if fulfilment == "pickup" and not store.fulfilment.pickup:
        raise InvalidRequest(f"{store.name} does not offer pickup; choose delivery")

    # Lock the cart (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises): a second
    # checkout of the same cart waits here, then finds it empty instead of placing it again.
    lines = list(
        session.scalars(
            select(CartLine)
            .where(CartLine.customer_id == customer_id)
            .order_by(CartLine.added_at, CartLine.id)
            .with_for_update(of=CartLine)
        )
    )
    if not lines:
        session.rollback()
        if idempotency_key is not None:
            # A concurrent request with this key placed the cart while we waited for it.
            existing = _order_by_key(session, customer_id, idempotency_key)
            if existing is not None:
                return existing
        raise EmptyCart("the cart is empty")

    try:
        needed: dict[int, int] = defaultdict(int)
        for line in lines:
            needed[line.product_id] += line.quantity
        for product_id, quantity in sorted(needed.items()):  # fixed order: no lock cycles on PG
            taken = session.execute(
                update(Product)
                .where(
                    Product.id == product_id,
                    Product.active.is_(True),
                    Product.stock >= quantity,
                )
                .values(stock=Product.stock - quantity)
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount != 1:
                # Re-read: the copy loaded with the cart may predate the checkouts that won.
                product = session.get(Product, product_id, populate_existing=True)
                assert product is not None
                name, sku, unit = product.name, product.sku, product.unit
                available = product.stock if product.active else 0
                session.rollback()
                raise OutOfStock(
                    sku=sku, name=name, requested=quantity, available=available, unit=unit
                )

        order = Order(
            customer_id=customer_id,
            fulfilment=fulfilment,
            currency=store.currency,
            idempotency_key=idempotency_key,
            subtotal_cents=0,
            total_cents=0,
        )
        subtotal = 0
        for line in lines:
            product = line.product
            # The price with the options chosen, kept on the line: later catalog changes do
            # not move what this order cost.
            unit_price = product.unit_price_for(line.options)
            line_total = unit_price * line.quantity
            subtotal += line_total
            order.lines.append(
                OrderLine(
                    product_id=product.id,
                    sku=product.sku,
                    name=product.name,
                    unit_price_cents=unit_price,
                    quantity=line.quantity,
                    options=dict(line.options),
                    line_total_cents=line_total,
                )
            )
        fee = store.delivery_fee_cents(subtotal) if fulfilment == "delivery" else 0
        order.subtotal_cents, order.delivery_fee_cents = subtotal, fee
        order.total_cents = subtotal + fee
        if expected_total_cents is not None and expected_total_cents != order.total_cents:
            session.rollback()
            raise PriceChanged(
                f"the total is now {order.total_cents} cents, not {expected_total_cents}"
            )
        # Checked inside the transaction that places the order: no second order slips past.
        over_limit = spending_problem(
            session,
            customer_id=customer_id,
            total_cents=order.total_cents,
            now=now or datetime.now(timezone.utc),
        )
        if over_limit is not None:
            session.rollback()
            raise over_limit
        _record_status(order, "placed", placed_by)
        session.add(order)
        for line in lines:
            session.delete(line)
        session.commit()
    except IntegrityError:
        # Another request with the same idempotency key won the race: return its order.
        session.rollback()
        if idempotency_key is not None:
            existing = _order_by_key(session, customer_id, idempotency_key)
            if existing is not None:
                return existing
        raise
    return order


def _order_by_key(session: Session, customer_id: str, key: str) -> Order | None:
    return session.scalar(
        select(Order).where(Order.customer_id == customer_id, Order.idempotency_key == key)
    )


def get_order(
    session: Session, *, order_id: int, customer_id: str | None = None, for_update: bool = False
) -> Order:
    """An order; with customer_id, only that shopper's (others look like they do not exist).
    `for_update` locks the row (PostgreSQL) and re-reads it, for a status change that must
    see the status as it is now."""
    if not 1 <= order_id <= MAX_DB_INTEGER:  # 10**30 would overflow the driver, not miss
        raise NotFound(f"no order {order_id}")
    order = session.get(Order, order_id, with_for_update=for_update, populate_existing=for_update)
    if order is None or (customer_id is not None and order.customer_id != customer_id):
        raise NotFound(f"no order {order_id}")
    return order


def list_orders(
    session: Session,
    *,
    customer_id: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Order]:
    query = select(Order).order_by(Order.placed_at.desc(), Order.id.desc())
    if customer_id is not None:
        query = query.where(Order.customer_id == customer_id)
    if status is not None:
        if status not in ORDER_STATUSES:
            raise InvalidRequest(f"status must be one of {', '.join(ORDER_STATUSES)}")
        query = query.where(Order.status == status)
    if since is not None:
        query = query.where(Order.placed_at >= since)
    return list(session.scalars(query.limit(limit).offset(offset)))


def latest_order(
    session: Session, *, customer_id: str, include_cancelled: bool = True
) -> Order | None:
    query = (
        select(Order)
        .where(Order.customer_id == customer_id)
        .order_by(Order.placed_at.desc(), Order.id.desc())
        .limit(1)
    )
    if not include_cancelled:
        query = query.where(Order.status != "cancelled")
    return session.scalar(query)


def last_order_items(session: Session, *, customer_id: str) -> list[ItemSpec]:
    """The lines of the shopper's last order that was not cancelled ("what I got last time")."""
    order = latest_order(session, customer_id=customer_id, include_cancelled=False)
    if order is None:
        return []
    return [
        ItemSpec(line.sku, line.name, line.quantity, dict(line.options)) for line in order.lines
    ]


def usual_items(session: Session, *, customer_id: str, limit: int = 5) -> list[ItemSpec]:
    """ "My usual": the products in at least half of the shopper's orders (at least the single
    most frequent one), each with the quantity bought most often."""
    orders = list_orders(session, customer_id=customer_id, limit=20)
    orders = [o for o in orders if o.status != "cancelled"]
    if not orders:
        return []
    in_orders: Counter[str] = Counter()
    quantities: dict[str, Counter[int]] = defaultdict(Counter)
    details: dict[str, tuple[str, dict]] = {}
    for order in orders:
        for sku in {line.sku for line in order.lines}:
            in_orders[sku] += 1
        for line in order.lines:
            quantities[line.sku][line.quantity] += 1
            details.setdefault(line.sku, (line.name, dict(line.options)))
    ranked = sorted(in_orders.items(), key=lambda kv: (-kv[1], details[kv[0]][0]))
    threshold = max(1, (len(orders) + 1) // 2)
    chosen = [sku for sku, count in ranked if count >= threshold][:limit] or [ranked[0][0]]
    return [
        ItemSpec(sku, details[sku][0], quantities[sku].most_common(1)[0][0], details[sku][1])
        for sku in chosen
    ]


def set_order_status(session: Session, *, order_id: int, status: str, changed_by: str) -> Order:
    if status not in ORDER_STATUSES:
        raise InvalidRequest(f"status must be one of {', '.join(ORDER_STATUSES)}")
    if status == "cancelled":
        order = cancel_order(session, order_id=order_id, changed_by=changed_by)
        notify_order_status(session, order)  # the store cancelled it: the shopper must know
        return order
    order = get_order(session, order_id=order_id, for_update=True)
    if status not in TRANSITIONS[order.status]:
        raise IllegalTransition(_transition_message(order.status, status))
    if status == "out_for_delivery" and order.fulfilment != "delivery":
        raise IllegalTransition(f"order {order.id} is for pickup; it cannot go out for delivery")
    _record_status(order, status, changed_by)
    # The shopper is told (order ready, out for delivery) in the status change's transaction.
    notify_order_status(session, order)
    session.commit()
    return order


def _transition_message(current: str, wanted: str) -> str:
    allowed = TRANSITIONS[current]
    then = f"; from {current} it can go to {', '.join(allowed)}" if allowed else ""
    return f"an order that is {current.replace('_', ' ')} cannot become {wanted}{then}"


def cancel_order(
    session: Session, *, order_id: int, changed_by: str, customer_id: str | None = None
) -> Order:
    """Cancels an order that is placed or preparing and puts its items back on the shelf."""
    # Locked: two cancels at once must not both put the items back.
    order = get_order(session, order_id=order_id, customer_id=customer_id, for_update=True)
    if order.status not in CANCELLABLE:
        raise IllegalTransition(
            f"order {order.id} is {order.status.replace('_', ' ')} and can no longer be cancelled"
        )
    # Products in id order, as checkout takes them: no lock cycles on PostgreSQL.
    for line in sorted(order.lines, key=lambda line: line.product_id or 0):
        if line.product_id is not None:
            session.execute(
                update(Product)
                .where(Product.id == line.product_id)
                .values(stock=Product.stock + line.quantity)
                .execution_options(synchronize_session=False)
            )
    _record_status(order, "cancelled", changed_by)
    session.commit()
    return order


def record_past_order(
    session: Session,
    *,
    customer_id: str,
    items: dict[str, int | dict | list[dict]],
    status: str = "delivered",
    placed_at: datetime | None = None,
    fulfilment: str = "pickup",
) -> Order:
    """Writes an order as history (seeding a store, importing from another system, transcript
    `given:` state) without touching stock or the cart. An item is a quantity, `{qty,
    options}`, or a list of those when one product is in several lines."""
    if status not in ORDER_STATUSES:
        raise InvalidRequest(f"status must be one of {', '.join(ORDER_STATUSES)}")
    if fulfilment not in FULFILMENTS:
        raise InvalidRequest(f"fulfilment must be one of {', '.join(FULFILMENTS)}")
    store = get_store_facts(session)
    at = aware(placed_at) if placed_at else datetime.now(timezone.utc)
    order = Order(
        customer_id=customer_id,
        fulfilment=fulfilment,
        currency=store.currency,
        placed_at=at,
        subtotal_cents=0,
        total_cents=0,
        status="placed",
    )
    subtotal = 0
    lines = [(sku, spec) for sku, specs in items.items() for spec in _as_list(specs)]
    for sku, spec in lines:
        quantity = spec if isinstance(spec, int) else int(spec.get("qty", 1))
        options = {} if isinstance(spec, int) else dict(spec.get("options") or {})
        product = get_product(session, sku=sku)
        complete, _ = complete_options(product, options)
        unit_price = product.unit_price_for(complete)
        subtotal += unit_price * quantity
        order.lines.append(
            OrderLine(
                product_id=product.id,
                sku=product.sku,
                name=product.name,
                unit_price_cents=unit_price,
                quantity=quantity,
                options=complete,
                line_total_cents=unit_price * quantity,
            )
        )
    fee = store.delivery_fee_cents(subtotal) if fulfilment == "delivery" else 0
    order.subtotal_cents, order.delivery_fee_cents, order.total_cents = (
        subtotal,
        fee,
        subtotal + fee,
    )
    _record_status(order, "placed", "import", at)
    if status != "placed":
        _record_status(order, status, "import", at)
    session.add(order)
    session.commit()
    return order


def _as_list(specs: int | dict | list[dict]) -> list[int | dict]:
    return list(specs) if isinstance(specs, list) else [specs]


def count_orders(session: Session, *, customer_id: str | None = None) -> int:
    query = select(func.count(Order.id))
    if customer_id is not None:
        query = query.where(Order.customer_id == customer_id)
    return session.scalar(query) or 0
