"""Shopping carts: add, change and remove lines, with option validation and defaults."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from commerce.catalog import get_product
from commerce.errors import InvalidOption, InvalidRequest, NotFound, OutOfStock
from commerce.models import CartLine, Customer, Product

MAX_LINE_QUANTITY = 999


@dataclass(frozen=True)
class CartItem:
    sku: str
    name: str
    quantity: int
    options: dict[str, str]
    unit_price_cents: int
    # Options the shopper did not say, filled with defaults: the reply mentions them.
    assumed_options: dict[str, str]

    @property
    def line_total_cents(self) -> int:
        return self.unit_price_cents * self.quantity


@dataclass(frozen=True)
class CartView:
    customer_id: str
    items: list[CartItem]

    @property
    def subtotal_cents(self) -> int:
        return sum(item.line_total_cents for item in self.items)

    @property
    def quantities(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for item in self.items:
            totals[item.sku] = totals.get(item.sku, 0) + item.quantity
        return totals


def options_key(options: dict[str, str]) -> str:
    return json.dumps(options, sort_keys=True, separators=(",", ":"))


def complete_options(
    product: Product, given: dict[str, str] | None
) -> tuple[dict[str, str], dict[str, str]]:
    """Validates chosen options and fills defaults. Returns (all options, the assumed ones)."""
    groups = product.option_groups()
    chosen: dict[str, str] = {}
    for name, value in (given or {}).items():
        key = str(name).strip().lower()
        val = str(value).strip().lower()
        if key not in groups:
            offered = ", ".join(groups) or "no options"
            raise InvalidOption(
                f"{product.name} has no option {key!r} (it has {offered})",
                product=product.name,
                group=key,
                value=val,
            )
        if val not in groups[key]:
            raise InvalidOption(
                f"{product.name} {key} must be one of {', '.join(groups[key])}; got {val!r}",
                product=product.name,
                group=key,
                value=val,
                choices=tuple(groups[key]),
            )
        chosen[key] = val
    assumed = {name: values[0] for name, values in groups.items() if name not in chosen}
    # Keep the catalog's group order so read-backs sound the same every time.
    complete = {name: chosen.get(name, assumed.get(name, "")) for name in groups}
    return complete, assumed


def _require_customer(session: Session, customer_id: str) -> None:
    if session.get(Customer, customer_id) is None:
        raise NotFound(f"no customer {customer_id}")


def _validate_quantity(quantity: int) -> None:
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        raise InvalidRequest("quantity must be a whole number")
    if quantity < 1 or quantity > MAX_LINE_QUANTITY:
        raise InvalidRequest(f"quantity must be between 1 and {MAX_LINE_QUANTITY}")


def _line_query(customer_id: str):  # type: ignore[no-untyped-def]
    return (
        select(CartLine)
        .where(CartLine.customer_id == customer_id)
        .order_by(CartLine.added_at, CartLine.id)
    )


def get_cart(session: Session, *, customer_id: str) -> CartView:
    items = []
    for line in session.scalars(_line_query(customer_id)):
        product = line.product
        groups = product.option_groups()
        options = {k: v for k, v in line.options.items() if k in groups}
        items.append(
            CartItem(
                sku=product.sku,
                name=product.name,
                quantity=line.quantity,
                options=options,
                unit_price_cents=product.unit_price_for(options),
                assumed_options={},
            )
        )
    return CartView(customer_id, items)


def add_to_cart(
    session: Session,
    *,
    customer_id: str,
    sku: str,
    quantity: int = 1,
    options: dict[str, str] | None = None,
) -> CartItem:
    """Adds (or tops up) a line. Refuses inactive and out-of-stock products: the cart never
    holds more than the store has right now."""
    _validate_quantity(quantity)
    _require_customer(session, customer_id)
    product = get_product(session, sku=sku)
    if not product.active:
        raise NotFound(f"{product.name} is no longer sold")
    complete, assumed = complete_options(product, options)
    key = options_key(complete)
    line = session.scalar(
        select(CartLine).where(
            CartLine.customer_id == customer_id,
            CartLine.product_id == product.id,
            CartLine.options_key == key,
        )
    )
    in_cart = sum(
        existing.quantity
        for existing in session.scalars(
            select(CartLine).where(
                CartLine.customer_id == customer_id, CartLine.product_id == product.id
            )
        )
    )
    if in_cart + quantity > product.stock:
        session.rollback()
        raise OutOfStock(
            sku=product.sku,
            name=product.name,
            requested=in_cart + quantity,
            available=product.stock,
            unit=product.unit,
        )
    if line is None:
        line = CartLine(
            customer_id=customer_id,
            product_id=product.id,
            quantity=quantity,
            options=complete,
            options_key=key,
        )
        session.add(line)
    else:
        _validate_quantity(line.quantity + quantity)
        line.quantity = line.quantity + quantity
    session.commit()
    return CartItem(
        sku=product.sku,
        name=product.name,
        quantity=line.quantity,
        options=complete,
        unit_price_cents=product.unit_price_for(complete),
        assumed_options=assumed,
    )


def _lines_for(
    session: Session, customer_id: str, sku: str, options: dict[str, str] | None
) -> list[CartLine]:
    product = get_product(session, sku=sku)
    query = select(CartLine).where(
        CartLine.customer_id == customer_id, CartLine.product_id == product.id
    )
    if options:
        complete, _ = complete_options(product, options)
        query = query.where(CartLine.options_key == options_key(complete))
    lines = list(session.scalars(query))
    if not lines:
        raise NotFound(f"{product.name} is not in the cart")
    return lines


def set_quantity(
    session: Session,
    *,
    customer_id: str,
    sku: str,
    quantity: int,
    options: dict[str, str] | None = None,
) -> CartView:
    """Sets the quantity of a line (0 removes it). With several lines of one product and no
    options given, the most recently added line changes."""
    if quantity == 0:
        return remove_from_cart(session, customer_id=customer_id, sku=sku, options=options)
    _validate_quantity(quantity)
    lines = _lines_for(session, customer_id, sku, options)
    target = max(lines, key=lambda line: (line.added_at, line.id))
    others = sum(line.quantity for line in lines if line is not target)
    product = target.product
    if others + quantity > product.stock:
        session.rollback()
        raise OutOfStock(
            sku=product.sku,
            name=product.name,
            requested=others + quantity,
            available=product.stock,
            unit=product.unit,
        )
    target.quantity = quantity
    session.commit()
    return get_cart(session, customer_id=customer_id)


def change_options(
    session: Session,
    *,
    customer_id: str,
    sku: str,
    options: dict[str, str],
) -> CartItem:
    """ "Sorry, I meant the large": changes the options of the latest line of a product."""
    lines = _lines_for(session, customer_id, sku, None)
    target = max(lines, key=lambda line: (line.added_at, line.id))
    product = target.product
    merged = {**target.options, **options}
    complete, _ = complete_options(product, merged)
    key = options_key(complete)
    twin = next((line for line in lines if line.options_key == key and line is not target), None)
    if twin is not None:
        twin.quantity += target.quantity
        session.delete(target)
        target = twin
    else:
        target.options, target.options_key = complete, key
    session.commit()
    return CartItem(
        product.sku,
        product.name,
        target.quantity,
        complete,
        product.unit_price_for(complete),
        {},
    )


def remove_from_cart(
    session: Session, *, customer_id: str, sku: str, options: dict[str, str] | None = None
) -> CartView:
    for line in _lines_for(session, customer_id, sku, options):
        session.delete(line)
    session.commit()
    return get_cart(session, customer_id=customer_id)


def clear_cart(session: Session, *, customer_id: str) -> None:
    session.execute(delete(CartLine).where(CartLine.customer_id == customer_id))
    session.commit()
