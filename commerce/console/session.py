"""Who is using the console: a signed session cookie naming a staff key, and a CSRF token
that every form and htmx request sends back.

The cookie holds the key's id and the CSRF token, signed with `itsdangerous` (never the key
itself); the key is looked up on every request, so revoking it ends its sessions at once.
Cookies are HttpOnly and SameSite=Strict (Secure over HTTPS). The sign-in form has its own
short-lived cookie for its CSRF token, so opening the sign-in page never ends a session.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from commerce.api.deps import SessionDep
from commerce.models import StaffKey

SESSION_COOKIE = "voxcart_console"
SIGN_IN_COOKIE = "voxcart_console_sign_in"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SIGN_IN_MINUTES = 30
ROLE_NAMES = {"admin": "admin", "orders": "orders staff", "catalog": "catalog staff"}


class ConsoleRefusal(Exception):
    """Answered as a page (or, to htmx, a message in the page's flash area)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class SignInNeeded(ConsoleRefusal):
    def __init__(self, message: str = "Sign in with your staff key.", *, expired: bool = False):
        super().__init__(401, message)
        self.expired = expired


@dataclass(frozen=True)
class Signer:
    serializer: URLSafeTimedSerializer
    max_age: int

    @classmethod
    def create(cls, secret: str, hours: int) -> Signer:
        key = secret or secrets.token_urlsafe(32)
        return cls(URLSafeTimedSerializer(key, salt="voxcart-console"), hours * 3600)

    def dump(self, value: dict[str, Any]) -> str:
        return self.serializer.dumps(value)

    def load(self, text: str, max_age: int | None = None) -> dict[str, Any] | None:
        try:
            value = self.serializer.loads(text, max_age=max_age or self.max_age)
        except BadSignature:  # also an expired one
            return None
        return value if isinstance(value, dict) else None


@dataclass(frozen=True)
class Staff:
    """The signed-in staff member and their session's CSRF token."""

    key: StaffKey
    csrf: str

    @property
    def role(self) -> str:
        return str(self.key.role)

    @property
    def name(self) -> str:
        return str(self.key.label or f"staff key {self.key.id}")

    def may(self, area: str) -> bool:
        """`area`: "orders" (orders and handoffs) or "catalog"; admins may everything."""
        return self.role in ("admin", area)


def signer(request: Request) -> Signer:
    return request.app.state.console_signer  # type: ignore[no-any-return]


def _cookie_options(request: Request, max_age: int) -> dict[str, Any]:
    return {
        "max_age": max_age,
        "httponly": True,
        "samesite": "strict",
        "secure": request.url.scheme == "https",
        "path": "/console",
    }


def start_session(request: Request, response: Response, key: StaffKey) -> None:
    value = {"staff": key.id, "csrf": secrets.token_urlsafe(24)}
    options = _cookie_options(request, signer(request).max_age)
    response.set_cookie(SESSION_COOKIE, signer(request).dump(value), **options)
    response.delete_cookie(SIGN_IN_COOKIE, path="/console")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/console")


def sign_in_token(request: Request) -> tuple[str, bool]:
    """The sign-in form's CSRF token: the one in its cookie, or a new one (True: set it with
    `keep_sign_in_token` on the response)."""
    found = signer(request).load(request.cookies.get(SIGN_IN_COOKIE, ""), SIGN_IN_MINUTES * 60)
    if found and isinstance(found.get("csrf"), str):
        return str(found["csrf"]), False
    return secrets.token_urlsafe(24), True


def keep_sign_in_token(request: Request, response: Response, token: str) -> None:
    options = _cookie_options(request, SIGN_IN_MINUTES * 60)
    response.set_cookie(SIGN_IN_COOKIE, signer(request).dump({"csrf": token}), **options)


def check_sign_in_token(request: Request, form: FormData) -> None:
    found = signer(request).load(request.cookies.get(SIGN_IN_COOKIE, ""), SIGN_IN_MINUTES * 60)
    _compare(found.get("csrf") if found else None, form.get(CSRF_FIELD))


def _compare(expected: object, sent: object) -> None:
    if not isinstance(expected, str) or not isinstance(sent, str) or not sent:
        raise ConsoleRefusal(403, "This form has expired. Reload the page and try again.")
    if not hmac.compare_digest(expected.encode(), sent.encode()):
        raise ConsoleRefusal(403, "This form has expired. Reload the page and try again.")


def _signed_in(request: Request, session: Session) -> Staff:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie is None:
        raise SignInNeeded()
    value = signer(request).load(cookie)
    staff_id, csrf = (value or {}).get("staff"), (value or {}).get("csrf")
    if not isinstance(staff_id, int) or not isinstance(csrf, str):
        raise SignInNeeded("Your session has ended. Sign in again.", expired=True)
    key = session.get(StaffKey, staff_id)
    if key is None or key.revoked_at is not None:
        raise SignInNeeded("Your staff key was revoked. Sign in with a current key.", expired=True)
    return Staff(key, csrf)


def current_staff(request: Request, session: SessionDep) -> Staff:
    return _signed_in(request, session)


def staff_for(area: str | None) -> Callable[..., Staff]:
    """A dependency: the signed-in staff member, allowed into `area` (None: any role)."""

    def check(request: Request, session: SessionDep) -> Staff:
        staff = _signed_in(request, session)
        if area is not None and not staff.may(area):
            raise ConsoleRefusal(
                403,
                f"This page is for {area} staff. You are signed in as {ROLE_NAMES[staff.role]}.",
            )
        return staff

    return check


def form_for(area: str | None) -> Callable[..., Awaitable[tuple[Staff, FormData]]]:
    """A dependency for a form post: the staff member allowed into `area`, and the form,
    refused (403) unless it carries the session's CSRF token (field or htmx header)."""
    allowed = staff_for(area)

    async def check(request: Request, staff: Staff = Depends(allowed)) -> tuple[Staff, FormData]:
        try:
            form = await request.form(max_files=1, max_fields=50)
        except Exception:  # a body that is not a form at all: refused like a bad token
            raise ConsoleRefusal(400, "That request was not a form this page sends.") from None
        sent = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
        _compare(staff.csrf, sent)
        return staff, form

    return check
