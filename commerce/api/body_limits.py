"""Request body limits, as ASGI middleware in front of every route.

The declared `Content-Length` is checked first; the body is then read up to the route's limit
and no further, so a chunked body without a length cannot get past it either. Bodies are
buffered here (at most the limit) and replayed to the route: no route streams its body.
JSON bodies are also checked here (UTF-8, depth, NUL characters, lone surrogates), once for
every route, before any parser or validator of the route can trip over them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from commerce.api.error_shape import send_error
from commerce.api.json_body import json_body_problem
from commerce.settings import Settings

CATALOG_IMPORT = ("POST", "/admin/catalog/import")
CONSOLE_CATALOG_IMPORT = ("POST", "/console/catalog/import")  # the same CSV, as a file upload
CHAT_TURN = ("POST", "/webhooks/rest/webhook")
ACTION_CALL = ("POST", "/webhook")
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class RouteBodyLimit:
    max_bytes: int
    # Whether the route's body is JSON (checked here) or something else (the CSV import).
    json: bool = True


@dataclass(frozen=True)
class BodyLimits:
    default: RouteBodyLimit = RouteBodyLimit(64 * 1024)
    routes: Mapping[tuple[str, str], RouteBodyLimit] = field(default_factory=dict)
    max_json_depth: int = 32

    @classmethod
    def from_settings(cls, settings: Settings) -> BodyLimits:
        return cls(
            default=RouteBodyLimit(settings.max_body_bytes),
            routes={
                CATALOG_IMPORT: RouteBodyLimit(settings.max_catalog_import_bytes, json=False),
                # The form's own fields and multipart framing come on top of the file.
                CONSOLE_CATALOG_IMPORT: RouteBodyLimit(
                    settings.max_catalog_import_bytes + 16 * 1024, json=False
                ),
                CHAT_TURN: RouteBodyLimit(settings.max_chat_body_bytes),
                ACTION_CALL: RouteBodyLimit(settings.max_action_call_bytes),
            },
            max_json_depth=settings.max_json_depth,
        )

    def for_request(self, method: str, path: str) -> RouteBodyLimit:
        return self.routes.get((method, path.rstrip("/") or "/"), self.default)


class _TooLarge(Exception):
    pass


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _is_json(content_type: str | None) -> bool:
    """FastAPI parses a body as JSON when it says so, or says nothing."""
    if content_type is None:
        return True
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        limit = self.limits.for_request(method, path)
        too_large = f"the request body is over the {limit.max_bytes}-byte limit for {method} {path}"
        declared = _header(scope, b"content-length")
        if declared is not None:
            if not _DIGITS.fullmatch(declared.strip()):
                detail = "Content-Length must be a number of bytes"
                await send_error(
                    scope, receive, send, status=400, code="invalid_request", detail=detail
                )
                return
            digits = declared.strip()
            # (a length of 19 digits or more is over any limit; int() of thousands of digits
            # is refused by Python itself)
            if len(digits) > 18 or int(digits) > limit.max_bytes:
                await send_error(
                    scope, receive, send, status=413, code="payload_too_large", detail=too_large
                )
                return
        try:
            body, disconnected = await _read_body(receive, limit.max_bytes)
        except _TooLarge:
            await send_error(
                scope, receive, send, status=413, code="payload_too_large", detail=too_large
            )
            return
        if disconnected:
            return  # the client left mid-body: nobody to answer
        if limit.json and body and _is_json(_header(scope, b"content-type")):
            problem = json_body_problem(body, max_depth=self.limits.max_json_depth)
            if problem:
                await send_error(
                    scope, receive, send, status=400, code="invalid_body", detail=problem
                )
                return
        await self.app(scope, _replay(body, receive), send)


async def _read_body(receive: Receive, max_bytes: int) -> tuple[bytes, bool]:
    """The whole body, or _TooLarge as soon as it passes `max_bytes`; and whether the
    client disconnected before sending all of it."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"", True
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the buffered body over once, then waits on the client as
    before (for the disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
