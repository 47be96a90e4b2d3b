"""The catalog in the console: search, change a product's price, stock and whether it is on
sale, and import a catalog CSV (all rows or none, with every bad line shown).

Changes go through the staff API's own route functions: the same checks, the same audit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from commerce.api.deps import SessionDep
from commerce.api.routes import admin as admin_api
from commerce.api.schemas import ProductUpdate
from commerce.catalog import get_product, list_products
from commerce.console.session import ConsoleRefusal, Staff, form_for, staff_for
from commerce.console.web import is_htmx, render
from commerce.errors import CatalogImportError, CommerceError
from commerce.models import Product
from commerce.settings import get_settings

router = APIRouter(prefix="/console/catalog", include_in_schema=False)
CatalogStaff = Annotated[Staff, Depends(staff_for("catalog"))]
CatalogForm = Annotated[tuple[Staff, FormData], Depends(form_for("catalog"))]
MAX_SHOWN = 200


def search(session: Session, query: str) -> list[Product]:
    """Products whose SKU, name, category or an alias contains every word of `query`."""
    words = query.casefold().split()
    found = []
    for product in list_products(session, include_inactive=True):
        text = " ".join([product.sku, product.name, product.category, *(product.aliases or [])])
        if all(word in text.casefold() for word in words):
            found.append(product)
    return found


@router.get("")
def catalog_page(
    request: Request,
    session: SessionDep,
    staff: CatalogStaff,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    products = search(session, q)
    return render(
        request,
        "catalog.html",
        staff,
        q=q,
        products=products[:MAX_SHOWN],
        more=max(0, len(products) - MAX_SHOWN),
    )


def _row(request: Request, staff: Staff, product: Product, **extra: object) -> Response:
    status = 422 if extra.get("error") else 200
    return render(request, "product_row.html", staff, status=status, product=product, **extra)


@router.post("/products/{sku}")
def edit_product(request: Request, session: SessionDep, signed: CatalogForm, sku: str) -> Response:
    staff, form = signed
    try:
        product = get_product(session, sku=sku)
    except CommerceError:
        raise ConsoleRefusal(404, f"There is no product {sku!r}.") from None
    changes: dict[str, object] = {}
    active = form.getlist("active")  # "off" from a hidden field, then "on" when ticked
    if active:
        changes["active"] = "on" in active
    price = str(form.get("price") or "").strip()
    stock = str(form.get("stock") or "").strip()
    if price:
        changes["price"] = price.lstrip("$€£")
    if stock:
        changes["stock"] = stock
    try:
        body = ProductUpdate.parse_obj(changes)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'/'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        message = f"Not saved. {problems}. Prices look like 4.20; stock is a whole number."
        return _row(request, staff, product, error=message)
    try:
        product = get_product(session, sku=sku)
        admin_api.admin_update_product(session, staff.key, sku, body)
    except CommerceError as exc:
        session.rollback()
        return _row(request, staff, get_product(session, sku=sku), error=exc.message)
    product = get_product(session, sku=sku)
    if is_htmx(request):
        return _row(request, staff, product, saved=True)
    return render(
        request,
        "catalog.html",
        staff,
        q=sku,
        products=[product],
        more=0,
        notice=f"Saved {product.name}.",
    )


def _lines(bad: list[dict]) -> str:
    count = len({row["line"] for row in bad})
    return "the line" if count == 1 else f"the {count} lines"


@router.get("/import")
def import_page(request: Request, staff: CatalogStaff) -> Response:
    return render(request, "catalog_import.html", staff)


@router.post("/import")
async def import_catalog(request: Request, session: SessionDep, signed: CatalogForm) -> Response:
    staff, form = signed
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return render(
            request,
            "catalog_import.html",
            staff,
            status=422,
            error="Choose a catalog CSV file to import.",
        )
    raw = await upload.read(get_settings().max_catalog_import_bytes + 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return render(
            request,
            "catalog_import.html",
            staff,
            status=422,
            error="The file is not UTF-8 text. Save it as CSV (UTF-8) and try again.",
        )
    try:
        count = admin_api.import_catalog_text(session, staff.key, text)
    except CatalogImportError as exc:
        session.rollback()
        lines = text.splitlines()
        bad = [
            {
                "line": e.line,
                "column": e.column,
                "message": e.message,
                "text": lines[e.line - 1] if e.line and 0 < e.line <= len(lines) else "",
            }
            for e in exc.errors
        ]
        return render(
            request,
            "catalog_import.html",
            staff,
            status=422,
            error=f"Nothing was imported. Fix {_lines(bad)} below and import again.",
            bad=bad,
            filename=upload.filename,
        )
    except CommerceError as exc:
        session.rollback()
        return render(request, "catalog_import.html", staff, status=exc.status, error=exc.message)
    return render(request, "catalog_import.html", staff, imported=count, filename=upload.filename)
