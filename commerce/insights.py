"""What shoppers buy: bought-together pairs and best sellers, for recommendations."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from commerce.models import Order, OrderLine, Product


def bought_together(session: Session, *, sku: str, limit: int = 3) -> list[str]:
    """SKUs most often in the same (not cancelled) order as `sku`, most frequent first."""
    other = aliased(OrderLine)
    query = (
        select(other.sku, func.count(func.distinct(other.order_id)).label("n"))
        .select_from(OrderLine)
        .join(other, other.order_id == OrderLine.order_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.sku == sku, other.sku != sku, Order.status != "cancelled")
        .group_by(other.sku)
        .order_by(func.count(func.distinct(other.order_id)).desc(), other.sku)
        .limit(limit)
    )
    return [row[0] for row in session.execute(query)]


def best_sellers(session: Session, *, category: str | None = None, limit: int = 3) -> list[str]:
    """Active SKUs by units sold (not cancelled), optionally in one category."""
    query = (
        select(Product.sku, func.coalesce(func.sum(OrderLine.quantity), 0).label("units"))
        .select_from(Product)
        .outerjoin(OrderLine, OrderLine.product_id == Product.id)
        .outerjoin(Order, Order.id == OrderLine.order_id)
        .where(Product.active.is_(True), Product.stock > 0)
        .where((Order.id.is_(None)) | (Order.status != "cancelled"))
        .group_by(Product.sku, Product.name)
        .order_by(func.coalesce(func.sum(OrderLine.quantity), 0).desc(), Product.name)
        .limit(limit)
    )
    if category:
        query = query.where(Product.category == category)
    return [row[0] for row in session.execute(query)]
