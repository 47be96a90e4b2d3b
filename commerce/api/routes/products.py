"""Public product search: no key needed, what a shopper's app or a shelf screen would use."""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from commerce.api.deps import SessionDep
from commerce.api.schemas import ProductPublic
from commerce.catalog import get_product, list_products
from commerce.errors import NotFound
from commerce.models import Product
from commerce.resolver import resolve_mention

router = APIRouter(tags=["products"])


@router.get("/products", response_model=list[ProductPublic])
def search_products(
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=200, description="what the shopper said")] = None,
    category: Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> list[ProductPublic]:
    """Products best match first for `q`, or the whole catalog (by category and name)."""
    if q is None or not q.strip():
        return [ProductPublic.of(p) for p in list_products(session, category=category)[:limit]]
    candidates = resolve_mention(session, mention=q, limit=limit)
    by_sku = {
        p.sku: p
        for p in session.scalars(
            select(Product).where(Product.sku.in_([c.sku for c in candidates]))
        )
    }
    products = [by_sku[c.sku] for c in candidates if c.sku in by_sku]
    if category:
        products = [p for p in products if p.category == category.lower()]
    return [ProductPublic.of(p) for p in products]


@router.get("/products/{sku}", response_model=ProductPublic)
def read_product(session: SessionDep, sku: str) -> ProductPublic:
    product = get_product(session, sku=sku)
    if not product.active:
        raise NotFound(f"no product with SKU {sku}")
    return ProductPublic.of(product)
