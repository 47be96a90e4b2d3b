"""Staff routes, authenticated by `X-API-Key` (created with `voxcart staff create-key`).

The role each route needs is in its signature: `CatalogStaffDep` (catalog or admin) for
products and imports, `OrdersStaffDep` (orders or admin) for orders and customers. Every
change is written to the staff audit log in the same commit as the change.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce.accounts import CUSTOMER_ID_PATTERN, create_customer
from commerce.api.audited import record_at_commit
from commerce.api.deps import CatalogStaffDep, OrdersStaffDep, SessionDep, current_staff
from commerce.api.schemas import (
    CustomerCreate,
    CustomerCreated,
    ImportResult,
    OrderPublic,
    OrderStatusIn,
    PriceUpdate,
    ProductCreate,
    ProductPublic,
    ProductUpdate,
    StockUpdate,
    option_groups_of,
    option_values_text,
)
from commerce.audit import actor_of
from commerce.catalog import (
    ProductData,
    create_product,
    delete_product,
    get_product,
    import_products,
    list_products,
    parse_aliases,
    parse_catalog_csv,
    set_stock,
    update_product,
)
from commerce.errors import InvalidRequest
from commerce.models import MAX_DB_INTEGER, Order, Product, StaffKey
from commerce.money import format_price, parse_price
from commerce.orders import get_order, list_orders, set_order_status

router = APIRouter(prefix="/admin", tags=["staff"], dependencies=[Depends(current_staff)])


# Catalog imports log their SKUs, not the file; past this many only the count is complete.
MAX_LOGGED_SKUS = 500


def _groups(options: dict[str, list[str]]) -> list[dict]:
    return option_groups_of(options)


def _product_state(product: Product, fields: Iterable[str]) -> dict:
    """Product fields as the API spells them (price as a decimal string), for the audit log."""
    state: dict = {}
    for name in fields:
        if name == "price_cents":
            state["price"] = format_price(product.price_cents)
        elif name == "options":
            state["options"] = {g["name"]: option_values_text(g) for g in product.options or []}
        elif name == "aliases":
            state["aliases"] = list(product.aliases or [])
        else:
            state[name] = getattr(product, name)
    return state


def _audit_product_change(
    session: Session, staff: StaffKey, action: str, sku: str, fields: Iterable[str]
) -> None:
    """Logs `fields` of the product as they are now and as the coming commit leaves them."""
    product = get_product(session, sku=sku)
    fields = tuple(fields)
    record_at_commit(
        session,
        actor=actor_of(staff),
        action=action,
        target=f"product:{product.sku}",
        before=_product_state(product, fields),
        after=lambda: _product_state(product, fields),
    )


@router.get("/products", response_model=list[ProductPublic])
def admin_list_products(
    session: SessionDep,
    staff: CatalogStaffDep,
    category: Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")] = None,
    include_inactive: bool = True,
) -> list[ProductPublic]:
    products = list_products(session, category=category, include_inactive=include_inactive)
    return [ProductPublic.of(p) for p in products]


@router.post("/products", response_model=ProductPublic, status_code=status.HTTP_201_CREATED)
def admin_create_product(
    session: SessionDep, staff: CatalogStaffDep, body: ProductCreate
) -> ProductPublic:
    data = ProductData(
        sku=body.sku,
        name=" ".join(body.name.split()),
        price_cents=parse_price(body.price),
        stock=body.stock,
        aliases=parse_aliases(";".join(body.aliases)),
        category=body.category.strip().lower(),
        unit=body.unit.strip().lower() or "each",
        options=_groups(body.options),
        description=body.description,
        active=body.active,
    )
    created = {
        "sku": data.sku,
        "name": data.name,
        "price": format_price(data.price_cents),
        "stock": data.stock,
        "category": data.category,
        "active": data.active,
    }
    record_at_commit(
        session,
        actor=actor_of(staff),
        action="product.create",
        target=f"product:{data.sku}",
        after=created,
    )
    return ProductPublic.of(create_product(session, data=data))


@router.patch("/products/{sku}", response_model=ProductPublic)
def admin_update_product(
    session: SessionDep, staff: CatalogStaffDep, sku: str, body: ProductUpdate
) -> ProductPublic:
    changes = body.dict(exclude_unset=True)
    if any(value is None for value in changes.values()):
        raise InvalidRequest("fields sent in an update cannot be null")
    if "price" in changes:
        changes["price_cents"] = parse_price(changes.pop("price"))
    if "options" in changes:
        changes["options"] = _groups(changes["options"])
    if "aliases" in changes:
        changes["aliases"] = parse_aliases(";".join(changes["aliases"]))
    if "category" in changes:
        changes["category"] = changes["category"].strip().lower()
    if changes:  # an empty update changes nothing, so there is nothing to log
        _audit_product_change(session, staff, "product.update", sku, changes)
    return ProductPublic.of(update_product(session, sku=sku, changes=changes))


@router.delete("/products/{sku}", status_code=status.HTTP_204_NO_CONTENT)
def admin_delete_product(session: SessionDep, staff: CatalogStaffDep, sku: str) -> None:
    """Stops selling the product; past orders keep their lines."""
    _audit_product_change(session, staff, "product.delete", sku, ["active"])
    delete_product(session, sku=sku)


@router.put("/products/{sku}/stock", response_model=ProductPublic)
def admin_set_stock(
    session: SessionDep, staff: CatalogStaffDep, sku: str, body: StockUpdate
) -> ProductPublic:
    product = get_product(session, sku=sku)
    counted = product.stock

    def stock_now() -> int:
        # The row as this transaction wrote it: a delta is applied in SQL, not on the object.
        return int(session.scalar(select(Product.stock).where(Product.id == product.id)))

    def before() -> dict:
        # For a delta, what the update itself started from (the row is locked by then), so
        # the entry is exact even if the count moved since it was read above.
        return {"stock": counted if body.delta is None else stock_now() - body.delta}

    def after() -> dict:
        return {"stock": stock_now()} | ({} if body.delta is None else {"delta": body.delta})

    record_at_commit(
        session,
        actor=actor_of(staff),
        action="product.stock",
        target=f"product:{product.sku}",
        before=before,
        after=after,
    )
    return ProductPublic.of(set_stock(session, sku=sku, stock=body.stock, delta=body.delta))


@router.put("/products/{sku}/price", response_model=ProductPublic)
def admin_set_price(
    session: SessionDep, staff: CatalogStaffDep, sku: str, body: PriceUpdate
) -> ProductPublic:
    _audit_product_change(session, staff, "product.price", sku, ["price_cents"])
    product = update_product(session, sku=sku, changes={"price_cents": parse_price(body.price)})
    return ProductPublic.of(product)


@router.post(
    "/catalog/import",
    response_model=ImportResult,
    responses={422: {"description": "every bad line; nothing was imported"}},
    openapi_extra={
        "requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}
    },
)
async def admin_import_catalog(
    request: Request, session: SessionDep, staff: CatalogStaffDep
) -> ImportResult:
    """Body: the catalog CSV (`Content-Type: text/csv`). All rows or none are imported."""
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequest("the catalog must be UTF-8 text") from None
    return ImportResult(imported=import_catalog_text(session, staff, text))


def import_catalog_text(session: Session, staff: StaffKey, text: str) -> int:
    """Imports a catalog CSV (all rows or none; CatalogImportError lists every bad line) and
    logs its SKUs in the same commit. The console's import uses this too."""
    products = parse_catalog_csv(text)
    skus = [p.sku for p in products]
    logged = {"count": len(skus), "skus": skus[:MAX_LOGGED_SKUS]}
    if len(skus) > MAX_LOGGED_SKUS:
        logged["more_skus"] = len(skus) - MAX_LOGGED_SKUS
    record_at_commit(
        session, actor=actor_of(staff), action="catalog.import", target="catalog", after=logged
    )
    return import_products(session, products=products)


@router.post("/customers", response_model=CustomerCreated, status_code=status.HTTP_201_CREATED)
def admin_create_customer(
    session: SessionDep, staff: OrdersStaffDep, body: CustomerCreate
) -> CustomerCreated:
    customer, token = create_customer(
        session, name=body.name, customer_id=body.id, actor=actor_of(staff)
    )
    assert token is not None
    return CustomerCreated(id=customer.id, name=customer.name, token=token)


@router.get("/orders", response_model=list[OrderPublic])
def admin_list_orders(
    session: SessionDep,
    staff: OrdersStaffDep,
    status_filter: Annotated[str | None, Query(alias="status")] = None,
    customer_id: Annotated[str | None, Query(pattern=CUSTOMER_ID_PATTERN.pattern)] = None,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_DB_INTEGER)] = 0,
) -> list[OrderPublic]:
    orders = list_orders(
        session,
        customer_id=customer_id,
        status=status_filter,
        since=since,
        limit=limit,
        offset=offset,
    )
    return [OrderPublic.of(o) for o in orders]


@router.get("/orders/{order_id}", response_model=OrderPublic)
def admin_read_order(session: SessionDep, staff: OrdersStaffDep, order_id: int) -> OrderPublic:
    return OrderPublic.of(get_order(session, order_id=order_id))


@router.patch("/orders/{order_id}", response_model=OrderPublic)
def admin_update_order(
    session: SessionDep, staff: OrdersStaffDep, order_id: int, body: OrderStatusIn
) -> OrderPublic:
    by = f"staff:{staff.label or staff.id}"

    def last_change() -> dict:
        # The status change this commit writes (the order row is locked by the service).
        order = session.get(Order, order_id)
        assert order is not None
        change = order.history[-1]
        return {"before": {"status": change.from_status}, "after": {"status": change.to_status}}

    record_at_commit(
        session,
        actor=actor_of(staff),
        action="order.status",
        target=f"order:{order_id}",
        before=lambda: last_change()["before"],
        after=lambda: last_change()["after"],
    )
    return OrderPublic.of(
        set_order_status(session, order_id=order_id, status=body.status, changed_by=by)
    )
