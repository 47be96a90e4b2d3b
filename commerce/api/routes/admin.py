"""Staff routes, authenticated by `X-API-Key` (created with `voxcart staff create-key`)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from commerce.accounts import CUSTOMER_ID_PATTERN, create_customer
from commerce.api.deps import SessionDep, StaffDep, current_staff
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
)
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
from commerce.models import MAX_DB_INTEGER
from commerce.money import parse_price
from commerce.orders import get_order, list_orders, set_order_status

router = APIRouter(prefix="/admin", tags=["staff"], dependencies=[Depends(current_staff)])


def _groups(options: dict[str, list[str]]) -> list[dict]:
    return [{"name": name, "values": values} for name, values in options.items()]


@router.get("/products", response_model=list[ProductPublic])
def admin_list_products(
    session: SessionDep,
    category: Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")] = None,
    include_inactive: bool = True,
) -> list[ProductPublic]:
    products = list_products(session, category=category, include_inactive=include_inactive)
    return [ProductPublic.of(p) for p in products]


@router.post("/products", response_model=ProductPublic, status_code=status.HTTP_201_CREATED)
def admin_create_product(session: SessionDep, body: ProductCreate) -> ProductPublic:
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
    return ProductPublic.of(create_product(session, data=data))


@router.patch("/products/{sku}", response_model=ProductPublic)
def admin_update_product(session: SessionDep, sku: str, body: ProductUpdate) -> ProductPublic:
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
    return ProductPublic.of(update_product(session, sku=sku, changes=changes))


@router.delete("/products/{sku}", status_code=status.HTTP_204_NO_CONTENT)
def admin_delete_product(session: SessionDep, sku: str) -> None:
    """Stops selling the product; past orders keep their lines."""
    delete_product(session, sku=sku)


@router.put("/products/{sku}/stock", response_model=ProductPublic)
def admin_set_stock(session: SessionDep, sku: str, body: StockUpdate) -> ProductPublic:
    return ProductPublic.of(set_stock(session, sku=sku, stock=body.stock, delta=body.delta))


@router.put("/products/{sku}/price", response_model=ProductPublic)
def admin_set_price(session: SessionDep, sku: str, body: PriceUpdate) -> ProductPublic:
    get_product(session, sku=sku)
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
async def admin_import_catalog(request: Request, session: SessionDep) -> ImportResult:
    """Body: the catalog CSV (`Content-Type: text/csv`). All rows or none are imported."""
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequest("the catalog must be UTF-8 text") from None
    products = parse_catalog_csv(text)
    return ImportResult(imported=import_products(session, products=products))


@router.post("/customers", response_model=CustomerCreated, status_code=status.HTTP_201_CREATED)
def admin_create_customer(session: SessionDep, body: CustomerCreate) -> CustomerCreated:
    customer, token = create_customer(session, name=body.name, customer_id=body.id)
    assert token is not None
    return CustomerCreated(id=customer.id, name=customer.name, token=token)


@router.get("/orders", response_model=list[OrderPublic])
def admin_list_orders(
    session: SessionDep,
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
def admin_read_order(session: SessionDep, order_id: int) -> OrderPublic:
    return OrderPublic.of(get_order(session, order_id=order_id))


@router.patch("/orders/{order_id}", response_model=OrderPublic)
def admin_update_order(
    session: SessionDep, staff: StaffDep, order_id: int, body: OrderStatusIn
) -> OrderPublic:
    by = f"staff:{staff.label or staff.id}"
    return OrderPublic.of(
        set_order_status(session, order_id=order_id, status=body.status, changed_by=by)
    )
