"""The staff console at `/console`: server-rendered pages (Jinja2) with htmx, for orders
staff (handoffs, the orders board) and catalog staff (the catalog), admins everything."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from commerce.console import catalog_pages, events, handoff_pages, kpi_pages, order_pages, sign_in
from commerce.console.session import ConsoleRefusal, Signer
from commerce.console.web import HERE, refusal_response, render
from commerce.settings import Settings

CONSOLE_PREFIX = "/console"


def is_console(request: Request) -> bool:
    return request.url.path == CONSOLE_PREFIX or request.url.path.startswith("/console/")


def error_page(request: Request, status: int, message: str) -> Response:
    """A console request that failed before any console code ran (a bad URL)."""
    return render(request, "refused.html", None, status=status, message=message)


def mount_console(app: FastAPI, settings: Settings) -> None:
    app.state.console_signer = Signer.create(
        settings.console_secret, settings.console_session_hours
    )
    for module in (sign_in, handoff_pages, order_pages, catalog_pages, kpi_pages, events):
        app.include_router(module.router)
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")
    app.add_exception_handler(ConsoleRefusal, refusal_response)
