"""The last resort: an exception no handler knew becomes a logged 500 with a generic body.

Nothing a client sends should ever get here (tests/api check that hostile requests do not);
this only makes sure a bug answers in the usual error shape and never shows a traceback.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from commerce.api.error_shape import send_error

log = logging.getLogger(__name__)


class LastResortMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception:
            log.exception("unexpected error answering %s %s", scope["method"], scope["path"])
            if started:
                raise  # half a response is out: only the server can end the connection now
            await send_error(
                scope,
                receive,
                send,
                status=500,
                code="internal_error",
                detail="the server failed to answer this request; it has been logged",
            )
