"""The console's rendering: Jinja2 templates, the page-or-fragment answer htmx expects, and
refusals as pages (a full page to a browser, a message in the flash area to htmx)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import RedirectResponse, Response

from commerce.console.session import ROLE_NAMES, ConsoleRefusal, SignInNeeded, Staff, end_session
from commerce.money import format_price

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
STATUS_LABELS = {
    "placed": "New",
    "preparing": "Preparing",
    "ready": "Ready",
    "out_for_delivery": "Out for delivery",
    "delivered": "Done",
    "cancelled": "Cancelled",
}


def _money(cents: int | None) -> str:
    return "" if cents is None else format_price(int(cents))


def _when(moment: datetime | str | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone().strftime("%H:%M")


def _options(options: dict[str, str] | None) -> str:
    return ", ".join(str(v) for v in (options or {}).values())


templates.env.filters["money"] = _money
templates.env.filters["when"] = _when
templates.env.filters["options"] = _options
templates.env.globals["STATUS_LABELS"] = STATUS_LABELS
templates.env.globals["ROLE_NAMES"] = ROLE_NAMES


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(
    request: Request,
    name: str,
    staff: Staff | None,
    status: int = 200,
    **context: Any,
) -> Response:
    return templates.TemplateResponse(
        request, name, {"staff": staff, "page": name.split(".")[0], **context}, status_code=status
    )


def back_to(request: Request, url: str) -> Response:
    """After a form post: htmx is sent on with HX-Redirect, a plain form with a 303."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def refusal_response(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ConsoleRefusal)
    if isinstance(exc, SignInNeeded):
        target = "/console/sign-in"
        if request.method == "GET" and not is_htmx(request):
            target += "?next=" + quote(request.url.path)
            if not exc.expired:
                return RedirectResponse(target, status_code=303)
        if is_htmx(request):
            response: Response = Response(status_code=401, headers={"HX-Redirect": target})
        else:
            from commerce.console.sign_in import sign_in_page

            response = sign_in_page(request, error=exc.message, status=401)
        if exc.expired:
            end_session(response)
        return response
    if is_htmx(request):
        response = render(request, "flash.html", None, status=exc.status, message=exc.message)
        response.headers["HX-Retarget"] = "#flash"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "refused.html", None, status=exc.status, message=exc.message)
