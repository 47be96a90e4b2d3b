"""Catalog CSV import (validated, all-or-nothing, upsert by SKU) and product administration.

The CSV format is the one in `shared/catalog/README.md`:
sku,name,aliases,category,unit,price,stock,options,description
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from commerce.errors import CatalogImportError, InvalidRequest, NotFound, RowError
from commerce.models import CatalogState, Product, utcnow
from commerce.money import format_price, parse_price, parse_price_change

COLUMNS = ("sku", "name", "aliases", "category", "unit", "price", "stock", "options", "description")
REQUIRED_COLUMNS = ("sku", "name", "price", "stock")
SKU_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")
# Any language's letters ("size", "사이즈"); digits, space, "_" and "-" after the first.
OPTION_NAME_PATTERN = re.compile(r"^[^\W\d_][\w -]{0,39}$")
# Stock is a 32-bit INTEGER; this bound keeps `stock + delta` inside it too.
MAX_STOCK = 999_999_999


@dataclass
class ProductData:
    """A validated product, as a CSV row or an API body describes it."""

    sku: str
    name: str
    price_cents: int
    stock: int
    aliases: list[str] = field(default_factory=list)
    category: str = ""
    unit: str = "each"
    options: list[dict] = field(default_factory=list)
    description: str = ""
    active: bool = True


def parse_aliases(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for alias in text.split(";"):
        alias = " ".join(alias.split()).lower()
        if alias:
            seen.setdefault(alias, None)
    return list(seen)


# "medium +0.50", "no milk -0.30", "large + 1.00": the last word, starting with a sign, is a
# change to the price. A sign inside a value ("extra-hot") is not preceded by a space.
_VALUE_WITH_CHANGE = re.compile(r"^(?P<value>.*?\S)\s+(?P<change>[+-](?:\s*[\d.]\S*|\S*))$")


def _split_price_change(group: str, raw: str) -> tuple[str, int]:
    """'medium +0.50' -> ('medium', 50); 'small' -> ('small', 0)."""
    text = " ".join(raw.split()).lower()
    match = _VALUE_WITH_CHANGE.match(text)
    if match is None:
        return text, 0
    try:
        return match["value"], parse_price_change(match["change"])
    except ValueError as exc:
        raise ValueError(
            f"option {group}={match['value']}: {exc} (write the value, a space, then the change)"
        ) from None


def parse_options(text: str) -> list[dict]:
    """'size=small|medium +0.50;milk=whole|oat' -> [{"name": "size", "values": [...],
    "price_changes": {"medium": 50}}, {"name": "milk", "values": [...]}]. "price_changes" is
    there only when a value of the group changes the price."""
    groups: list[dict] = []
    for chunk in filter(None, (part.strip() for part in text.split(";"))):
        name, sep, values_text = chunk.partition("=")
        name = name.strip().lower()
        if not sep or not name:
            raise ValueError(f"option group {chunk!r} must look like name=value|value")
        if not OPTION_NAME_PATTERN.match(name):
            raise ValueError(
                f"option name {name!r} must start with a letter and hold only letters, "
                "digits, spaces, - or _ (at most 40)"
            )
        parsed = [_split_price_change(name, v) for v in values_text.split("|")]
        values = [value for value, _ in parsed]
        if not values or any(not v for v in values):
            raise ValueError(f"option group {name!r} has an empty value")
        if len(set(values)) != len(values):
            raise ValueError(f"option group {name!r} lists a value twice")
        if any(g["name"] == name for g in groups):
            raise ValueError(f"option group {name!r} appears twice")
        group: dict = {"name": name, "values": values}
        changes = {value: cents for value, cents in parsed if cents}
        if changes:
            group["price_changes"] = changes
        groups.append(group)
    return groups


def option_value_text(value: str, change_cents: int) -> str:
    """The CSV form of one value: 'medium +0.50', or 'small' without a change."""
    if not change_cents:
        return value
    return f"{value} {'-' if change_cents < 0 else '+'}{format_price(abs(change_cents))}"


def options_text(groups: Iterable[dict]) -> str:
    """Option groups back in their CSV form (the inverse of `parse_options`)."""
    return ";".join(
        f"{g.get('name', '')}="
        + "|".join(
            option_value_text(str(v), (g.get("price_changes") or {}).get(v, 0))
            for v in g.get("values") or []
        )
        for g in groups
    )


def validate_options(groups: Iterable[dict]) -> list[dict]:
    """Checks option groups that arrive as JSON (the API) the same way as CSV text; a value
    may carry its price change as in the CSV ("medium +0.50")."""
    return parse_options(options_text(groups))


def cheapest_unit_price(price_cents: int, options: list[dict]) -> int:
    """The lowest price any choice of options gives (a discount option can lower it)."""
    return price_cents + sum(min([0, *(g.get("price_changes") or {}).values()]) for g in options)


def parse_catalog_csv(text: str) -> list[ProductData]:
    """Every row validated; raises CatalogImportError listing every bad line and column."""
    errors: list[RowError] = []
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise CatalogImportError(
            [RowError(1, None, "the file is empty; expected a header row")]
        ) from None
    except csv.Error as exc:  # "line contains NUL", in the header itself
        raise CatalogImportError([RowError(1, None, f"unreadable CSV: {exc}")]) from None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        problems = []
        if missing:
            problems.append("missing column(s) " + ", ".join(missing))
        if unknown:
            problems.append("unknown column(s) " + ", ".join(unknown))
        raise CatalogImportError(
            [RowError(1, None, "; ".join(problems) + f". Expected: {','.join(COLUMNS)}")]
        )
    if len(set(header)) != len(header):
        raise CatalogImportError([RowError(1, None, "a column name appears twice in the header")])

    products: list[ProductData] = []
    first_line_of_sku: dict[str, int] = {}
    line = reader.line_num
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:  # "line contains NUL"
            errors.append(RowError(reader.line_num, None, f"unreadable CSV: {exc}"))
            break
        start_line, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue  # blank lines are allowed
        if len(row) != len(header):
            errors.append(
                RowError(start_line, None, f"expected {len(header)} fields, found {len(row)}")
            )
            continue
        cells = {name: value.strip() for name, value in zip(header, row, strict=True)}
        row_errors: list[RowError] = []

        def bad(
            column: str, message: str, line_no: int = start_line, sink: list = row_errors
        ) -> None:
            sink.append(RowError(line_no, column, message))

        sku = cells["sku"]
        if not SKU_PATTERN.match(sku):
            bad("sku", f"SKU {sku!r} must be 1-64 letters, digits and '-'")
        elif sku.upper() in first_line_of_sku:
            bad("sku", f"SKU {sku} already appears on line {first_line_of_sku[sku.upper()]}")
        else:
            first_line_of_sku[sku.upper()] = start_line
        name = " ".join(cells["name"].split())
        if not name:
            bad("name", "name is empty")
        price_cents = 0
        try:
            price_cents = parse_price(cells["price"])
        except ValueError as exc:
            bad("price", str(exc))
        stock = 0
        if not re.fullmatch(r"\d{1,9}", cells["stock"]):
            bad("stock", f"stock must be a whole number of units, got {cells['stock']!r}")
        else:
            stock = int(cells["stock"])
        options: list[dict] = []
        try:
            options = parse_options(cells.get("options", ""))
        except ValueError as exc:
            bad("options", str(exc))
        if not row_errors and cheapest_unit_price(price_cents, options) < 0:
            bad("options", "a price change takes the price below zero; make the discount smaller")
        unit = cells.get("unit", "") or "each"
        if row_errors:
            errors.extend(row_errors)
            continue
        products.append(
            ProductData(
                sku=sku,
                name=name,
                price_cents=price_cents,
                stock=stock,
                aliases=parse_aliases(cells.get("aliases", "")),
                category=" ".join(cells.get("category", "").split()).lower(),
                unit=unit.lower(),
                options=options,
                description=cells.get("description", ""),
            )
        )
    if errors:
        raise CatalogImportError(errors)
    if not products:
        raise CatalogImportError([RowError(2, None, "the file has a header but no products")])
    return products


def catalog_changed(session: Session, *, since: datetime) -> None:
    """Moves the catalog version for changes this transaction made to names, aliases, options
    or the active set since `since` (a `utcnow()` taken before making them), and restamps the
    changed rows now. Call it right before committing: the version's row stays locked by this
    transaction until then, so catalog changes stamp in commit order, moments before they
    commit, which is what lets the live index find them by stamp (commerce.live_index)."""
    bump_catalog_version(session)  # flushes the changes first
    session.execute(
        update(Product)
        .where(Product.updated_at >= since)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def bump_catalog_version(session: Session) -> None:
    state = session.get(CatalogState, 1)
    if state is None:
        session.add(CatalogState(id=1, version=1))
    else:
        session.execute(
            update(CatalogState)
            .where(CatalogState.id == 1)
            .values(version=CatalogState.version + 1)
        )


def _apply(product: Product, data: ProductData) -> None:
    product.name = data.name
    product.aliases = data.aliases
    product.category = data.category
    product.unit = data.unit
    product.price_cents = data.price_cents
    product.stock = data.stock
    product.options = data.options
    product.description = data.description
    product.active = data.active


def import_products(session: Session, *, products: list[ProductData]) -> int:
    """Upserts by SKU in one transaction; returns how many rows were written."""
    since = utcnow()
    # SKUs match whatever their case, as duplicates within a file do.
    wanted = [d.sku.upper() for d in products]
    existing = {
        p.sku.upper(): p
        for p in session.scalars(select(Product).where(func.upper(Product.sku).in_(wanted)))
    }
    for data in products:
        product = existing.get(data.sku.upper())
        if product is None:
            product = Product(sku=data.sku)
            session.add(product)
        _apply(product, data)
    catalog_changed(session, since=since)
    session.commit()
    return len(products)


def import_catalog_file(session: Session, *, path: Path) -> int:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidRequest(f"catalog file {path} does not exist") from None
    except UnicodeDecodeError:
        raise InvalidRequest(f"catalog file {path} is not UTF-8 text") from None
    return import_products(session, products=parse_catalog_csv(text))


def get_product(session: Session, *, sku: str) -> Product:
    # A string no SKU can be (NUL bytes, 2,000 characters) is not sent to the database.
    product = (
        session.scalar(select(Product).where(Product.sku == sku))
        if SKU_PATTERN.match(sku)
        else None
    )
    if product is None:
        raise NotFound(f"no product with SKU {sku}")
    return product


def _refuse_price_below_zero(name: str, price_cents: int, options: list[dict]) -> None:
    if cheapest_unit_price(price_cents, options) < 0:
        raise InvalidRequest(
            f"{name}: an option's price change takes the price below zero; "
            "make the discount smaller or the price higher"
        )


def create_product(session: Session, *, data: ProductData) -> Product:
    _refuse_price_below_zero(data.name, data.price_cents, data.options)
    if session.scalar(select(Product.id).where(Product.sku == data.sku)) is not None:
        raise InvalidRequest(f"a product with SKU {data.sku} already exists")
    since = utcnow()
    product = Product(sku=data.sku)
    _apply(product, data)
    session.add(product)
    catalog_changed(session, since=since)
    session.commit()
    return product


def update_product(session: Session, *, sku: str, changes: dict) -> Product:
    """Applies the given fields (already validated); moves the catalog version when the
    resolver's view (names, aliases, options, active) changes."""
    since = utcnow()
    product = get_product(session, sku=sku)
    for key, value in changes.items():
        setattr(product, key, value)
    try:
        _refuse_price_below_zero(product.name, product.price_cents, product.options or [])
    except InvalidRequest:
        session.rollback()
        raise
    if changes.keys() & {"name", "aliases", "options", "active", "category"}:
        catalog_changed(session, since=since)
    session.commit()
    return product


def set_stock(
    session: Session, *, sku: str, stock: int | None = None, delta: int | None = None
) -> Product:
    """Sets stock to a count, or moves it by a delta atomically (a delivery arrived: +24)."""
    if (stock is None) == (delta is None):
        raise InvalidRequest("give either 'stock' (a new count) or 'delta' (a change)")
    product = get_product(session, sku=sku)
    if stock is not None:
        if not 0 <= stock <= MAX_STOCK:
            raise InvalidRequest(f"stock must be between 0 and {MAX_STOCK}")
        product.stock = stock
    else:
        assert delta is not None
        if abs(delta) > MAX_STOCK:
            raise InvalidRequest(f"a stock change is at most {MAX_STOCK} units")
        moved = session.execute(
            update(Product)
            .where(Product.id == product.id, Product.stock + delta >= 0)
            .where(Product.stock + delta <= MAX_STOCK)
            .values(stock=Product.stock + delta)
        )
        if moved.rowcount != 1:
            session.rollback()
            raise InvalidRequest(f"stock of {sku} would go below zero or above {MAX_STOCK}")
    session.commit()
    session.refresh(product)
    return product


def delete_product(session: Session, *, sku: str) -> None:
    """Deactivates rather than deletes: past orders and carts still point at it."""
    since = utcnow()
    product = get_product(session, sku=sku)
    product.active = False
    catalog_changed(session, since=since)
    session.commit()


def list_products(
    session: Session, *, category: str | None = None, include_inactive: bool = False
) -> list[Product]:
    query = select(Product).order_by(Product.category, Product.name)
    if category:
        query = query.where(Product.category == category.lower())
    if not include_inactive:
        query = query.where(Product.active.is_(True))
    return list(session.scalars(query))


def catalog_is_empty(session: Session) -> bool:
    return session.scalar(select(Product.id).limit(1)) is None
