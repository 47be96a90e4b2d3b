"""The FastAPI application: routes per resource, one error shape for every failure."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from commerce.api.body_limits import BodyLimitMiddleware, BodyLimits
from commerce.api.openapi_schema import complete_openapi
from commerce.api.rate_limits import RateLimitMiddleware, RateLimits
from commerce.api.routes import (
    admin,
    handoffs,
    kpis,
    products,
    purchase_controls,
    shopper,
    staff,
)
from commerce.api.server_errors import LastResortMiddleware
from commerce.console import error_page, is_console, mount_console
from commerce.errors import CatalogImportError, CommerceError
from commerce.settings import get_settings

log = logging.getLogger(__name__)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body",)]
        out.append({"field": ".".join(loc) or "body", "message": err.get("msg", "invalid")})
    return out


def create_app(
    session_factory: sessionmaker,
    *,
    extra_routers: Sequence[APIRouter] = (),
    body_limits: BodyLimits | None = None,
    rate_limits: RateLimits | None = None,
) -> FastAPI:
    """The store API; the CLI adds the assistant's routers (text channel, action server).
    Body and rate limits default to the settings (`VOXCART_MAX_BODY_BYTES`,
    `VOXCART_RATE_LIMIT_*`, `VOXCART_REDIS_URL`, ...)."""
    app = FastAPI(
        title="voxcart store API",
        description="Catalog search, shopper carts and orders, and staff administration.",
        version="0.1.0",
    )
    app.state.session_factory = session_factory
    app.include_router(products.router)
    app.include_router(shopper.router)
    app.include_router(admin.router)
    app.include_router(handoffs.router)
    app.include_router(staff.router)
    app.include_router(purchase_controls.router)
    app.include_router(kpis.router)
    for router in extra_routers:
        app.include_router(router)
    settings = get_settings()
    mount_console(app, settings)

    if body_limits is None or rate_limits is None:
        body_limits = body_limits or BodyLimits.from_settings(settings)
        rate_limits = rate_limits or RateLimits.from_settings(settings)
    # The last one added runs first: the last resort catches whatever the others raise, and
    # rate limits come before the body is read, so a flood of large bodies is refused unread.
    app.add_middleware(BodyLimitMiddleware, limits=body_limits)
    app.add_middleware(RateLimitMiddleware, limits=rate_limits)
    app.add_middleware(LastResortMiddleware)
    complete_openapi(app)

    @app.exception_handler(CatalogImportError)
    async def _catalog_error(_: Request, exc: CatalogImportError) -> JSONResponse:
        errors = [{"line": e.line, "column": e.column, "message": e.message} for e in exc.errors]
        body = {"error": exc.code, "detail": exc.message, "errors": errors}
        return JSONResponse(body, status_code=exc.status)

    @app.exception_handler(CommerceError)
    async def _commerce_error(request: Request, exc: CommerceError) -> Response:
        if is_console(request):
            return error_page(request, exc.status, exc.message)
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        body = {"error": exc.code, "detail": exc.message}
        return JSONResponse(body, status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = _validation_errors(exc)
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        if is_console(request):
            return error_page(request, 422, f"That address is not right ({detail}).")
        return JSONResponse(
            {"error": "invalid_request", "detail": detail, "errors": errors}, status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if is_console(request):
            message = "There is no such page." if exc.status_code == 404 else str(exc.detail)
            return error_page(request, exc.status_code, message)
        return JSONResponse(
            {"error": "http_error", "detail": exc.detail}, status_code=exc.status_code
        )

    return app
