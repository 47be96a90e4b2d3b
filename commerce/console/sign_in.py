"""Signing in with a staff key, signing out, and the console's front door."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from commerce.accounts import verify_staff_key
from commerce.api.deps import SessionDep
from commerce.console.session import (
    ConsoleRefusal,
    Staff,
    check_sign_in_token,
    end_session,
    form_for,
    keep_sign_in_token,
    sign_in_token,
    staff_for,
    start_session,
)
from commerce.console.web import render
from commerce.errors import Unauthorized

router = APIRouter(prefix="/console", include_in_schema=False)
MAX_KEY_CHARS = 200


def _home(staff: Staff) -> str:
    return "/console/handoffs" if staff.may("orders") else "/console/catalog"


def _safe_next(target: str | None) -> str | None:
    """Only a console path: never another site (an open redirect)."""
    if target and target.startswith("/console/") and "//" not in target and "\\" not in target:
        return target
    return None


def sign_in_page(
    request: Request, *, error: str | None = None, status: int = 200, next_url: str | None = None
) -> Response:
    token, fresh = sign_in_token(request)
    response = render(
        request, "sign_in.html", None, status=status, error=error, next=next_url, csrf=token
    )
    if fresh:
        keep_sign_in_token(request, response, token)
    return response


@router.get("")
def console_home(staff: Annotated[Staff, Depends(staff_for(None))]) -> Response:
    return RedirectResponse(_home(staff), status_code=303)


@router.get("/sign-in")
def show_sign_in(
    request: Request, next: Annotated[str | None, Query(max_length=300)] = None
) -> Response:
    return sign_in_page(request, next_url=_safe_next(next))


@router.post("/sign-in")
async def sign_in(request: Request, session: SessionDep) -> Response:
    try:
        form: FormData = await request.form(max_files=0, max_fields=10)
    except Exception:
        raise ConsoleRefusal(400, "That request was not the sign-in form.") from None
    check_sign_in_token(request, form)
    key = form.get("key")
    next_url = _safe_next(str(form.get("next") or ""))
    if not isinstance(key, str) or not key.strip():
        return sign_in_page(request, error="Type your staff key.", status=422, next_url=next_url)
    if len(key) > MAX_KEY_CHARS or "\x00" in key:
        return sign_in_page(
            request, error="That is not a staff key.", status=401, next_url=next_url
        )
    try:
        staff = verify_staff_key(session, key=key.strip())
    except Unauthorized:
        return sign_in_page(
            request,
            error="That key is unknown or revoked. Check it, or ask an admin for a new one.",
            status=401,
            next_url=next_url,
        )
    target = next_url or _home(Staff(staff, ""))
    response = RedirectResponse(target, status_code=303)
    start_session(request, response, staff)
    return response


@router.post("/sign-out")
def sign_out(signed: Annotated[tuple[Staff, FormData], Depends(form_for(None))]) -> Response:
    response = RedirectResponse("/console/sign-in", status_code=303)
    end_session(response)
    return response
