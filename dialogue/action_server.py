"""Rasa's action server protocol (`POST /webhook`, `GET /actions`) on the store server, for a
stock `rasa run` that uses voxcart as its action server.

Off unless `VOXCART_ACTION_SERVER_TOKEN` is set: the protocol lets the caller name any
conversation and send its slots, so only a Rasa server holding the shared secret may call it.
Rasa's `endpoints.yml` sends the secret as `?token=` (its `token:` key) or as a header
(`headers: {Authorization: "Bearer ..."}`); both are accepted. Even then the caller is trusted
only for the conversation it names: the actions act for that sender alone, and a call whose
tracker names another sender than the call itself is refused.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse

from commerce.accounts import CUSTOMER_ID_PATTERN
from commerce.errors import InvalidRequest, Unauthorized

log = logging.getLogger(__name__)

# A secret short enough to guess is refused at start rather than trusted.
MIN_TOKEN_LENGTH = 16


def check_token_strength(token: str) -> None:
    if len(token) < MIN_TOKEN_LENGTH:
        raise ValueError(
            f"VOXCART_ACTION_SERVER_TOKEN must be at least {MIN_TOKEN_LENGTH} characters "
            "(make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )


def _require_token(expected: str):  # type: ignore[no-untyped-def]
    def check(
        token: Annotated[str | None, Query(description="the shared action server secret")] = None,
        authorization: Annotated[str | None, Header(description="Bearer <secret>")] = None,
    ) -> None:
        offered = token
        if offered is None and authorization:
            scheme, _, value = authorization.partition(" ")
            offered = value.strip() if scheme.lower() == "bearer" else None
        if not offered:
            raise Unauthorized(
                "the action server needs the shared secret: '?token=' or 'Authorization: Bearer'"
            )
        if not hmac.compare_digest(offered.encode(), expected.encode()):
            raise Unauthorized("wrong action server secret")

    return check


def _action_call(raw: bytes) -> dict[str, Any]:
    """The call, checked before any action sees it."""
    try:
        call = json.loads(raw)
    except (ValueError, RecursionError):
        raise InvalidRequest("the body must be a JSON action call") from None
    if not isinstance(call, dict) or not isinstance(call.get("next_action"), str):
        raise InvalidRequest("not an action call: 'next_action' is missing")
    tracker = call.get("tracker")
    if not isinstance(tracker, dict):
        raise InvalidRequest("not an action call: 'tracker' is missing")
    sender = call.get("sender_id", tracker.get("sender_id"))
    if not isinstance(sender, str) or not CUSTOMER_ID_PATTERN.match(sender):
        raise InvalidRequest("'sender_id' must name a conversation (1-64 letters, digits, ._@-)")
    for key, kind in (("slots", dict), ("latest_message", dict), ("events", list)):
        if not isinstance(tracker.get(key, kind()), kind):
            raise InvalidRequest(f"the tracker's {key!r} must be a JSON {kind.__name__}")
    if tracker.get("sender_id", sender) != sender:
        raise InvalidRequest("the tracker belongs to another conversation than 'sender_id'")
    tracker["sender_id"] = sender
    return call


def action_server_router(executor: Any, *, token: str) -> APIRouter:
    """The protocol's routes, every one behind the shared secret."""
    from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

    check_token_strength(token)
    router = APIRouter(tags=["assistant"], dependencies=[Depends(_require_token(token))])

    @router.post("/webhook")
    async def webhook(request: Request) -> Any:
        """Runs one custom action for a Rasa server (the action server protocol)."""
        call = _action_call(await request.body())
        try:
            return await executor.run(call)
        except ActionNotFoundException as exc:
            return JSONResponse(
                {"error": "not_found", "detail": exc.message, "action_name": exc.action_name},
                status_code=404,
            )
        except ActionExecutionRejection as exc:
            return JSONResponse(
                {"error": "rejected", "detail": exc.message, "action_name": exc.action_name},
                status_code=400,
            )
        except (AttributeError, KeyError, TypeError, ValueError):
            # A tracker our own Rasa would never send (a slot of the wrong shape): the caller's
            # fault, said as such; logged, since it may also be our bug.
            log.warning("action call %s failed on its tracker", call["next_action"], exc_info=True)
            return JSONResponse(
                {"error": "invalid_request", "detail": "the action cannot run on this tracker"},
                status_code=422,
            )

    @router.get("/actions")
    async def actions() -> list[dict[str, str]]:
        return [{"name": name} for name in sorted(executor.actions)]

    return router
