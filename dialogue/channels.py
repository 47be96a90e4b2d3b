"""The assistant over HTTP, added to the store server by `voxcart serve`:

- `POST /webhooks/rest/webhook`: a text channel compatible with Rasa's REST channel
  (`{"sender", "message"}` -> `[{"recipient_id", "text"}]`); the shopper is the one whose token
  is in `Authorization: Bearer <token>`, whatever `sender` says. The shopper's waiting notices
  (an order ready for pickup, a staff reply) come first, then the replies to the message.
- `GET /webhooks/rest/notices`: the same shopper's waiting notices alone, for a device or app
  that is idle. Each notice is delivered once, by whichever of the two asks first.

Both answer 503 (`{"error", "detail"}`, with `Retry-After`) when the shopper's conversation
cannot be locked: Redis, which holds the locks of a store on several servers, does not answer
(`lock_store_unavailable`), or the turn lost its place in the queue (`conversation_busy`). The
turn is not run, and notices taken for it are given back for the next request.

Rasa's action server protocol (`POST /webhook`) is in `dialogue.action_server`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, validator
from rasa.core.lock_store import LockError
from sqlalchemy.orm import Session, sessionmaker

from commerce.api.deps import AuthorizationHeader, shopper_for_authorization
from commerce.notices import give_back_notices, take_notices
from dialogue.conversation_locks import LockStoreUnavailable

log = logging.getLogger(__name__)

MAX_METADATA_KEYS = 20
MAX_METADATA_JSON_CHARS = 2000
# Seconds a client waits before trying a turn again when its conversation is unavailable.
UNAVAILABLE_RETRY_AFTER_S = 5
UNAVAILABLE_RESPONSES: dict[int | str, dict[str, Any]] = {
    503: {
        "description": "the conversation is unavailable (its lock cannot be taken); retry later",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
}


class RestMessage(BaseModel):
    sender: str = Field("", max_length=200)
    message: str = Field(..., max_length=2000)
    # Rasa's REST channel carries `metadata` to the actions (the voice loop sends
    # `spoken_over_reply`). The client writes it: actions may use it to be more careful,
    # never to allow anything the shopper's token does not.
    metadata: dict[str, Any] | None = Field(
        None, description=f"at most {MAX_METADATA_KEYS} keys, {MAX_METADATA_JSON_CHARS} chars"
    )

    @validator("metadata")
    def metadata_is_bounded(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        if len(value) > MAX_METADATA_KEYS:
            raise ValueError(f"metadata has more than {MAX_METADATA_KEYS} keys")
        if len(json.dumps(value)) > MAX_METADATA_JSON_CHARS:
            raise ValueError(f"metadata is longer than {MAX_METADATA_JSON_CHARS} characters")
        return value


Taken = list[tuple[int, str, str]]  # (notice id, text, kind)


@dataclass(frozen=True)
class ShopperTurn:
    """Who is speaking, and the notices to tell them first (already marked delivered)."""

    customer_id: str
    notices: Taken


async def shopper_turn(request: Request, authorization: AuthorizationHeader = None) -> ShopperTurn:
    """The shopper and their waiting notices in one worker-thread hop and one transaction:
    a turn's route does its database work before the turn in a single trip off the event
    loop (under load every extra hop waits for a free thread), and holds no session or
    SQLite write lock while the turn runs."""
    sessions = request.app.state.session_factory
    return await asyncio.to_thread(_start_turn, sessions, authorization)


ShopperTurnDep = Annotated[ShopperTurn, Depends(shopper_turn)]


def _start_turn(sessions: sessionmaker, authorization: str | None) -> ShopperTurn:
    with sessions() as session:
        customer_id = shopper_for_authorization(session, authorization).id
        return ShopperTurn(customer_id, _take(session, customer_id))


def text_channel_router(assistant: Any) -> APIRouter:
    router = APIRouter(tags=["assistant"])

    @router.post("/webhooks/rest/webhook", responses=UNAVAILABLE_RESPONSES)
    async def rest_webhook(body: RestMessage, request: Request, turn: ShopperTurnDep) -> Any:
        """One shopper turn; the replies to speak or show, in order."""
        customer_id, notices = turn.customer_id, turn.notices
        sessions = request.app.state.session_factory
        recipient = body.sender or customer_id
        try:
            # Told before the turn, so the history reads in the order the shopper hears it.
            await assistant.record_notices(customer_id, _said(notices))
        except LockError as exc:
            return await _unavailable(sessions, notices, exc)
        try:
            replies = await assistant.respond(customer_id, body.message, metadata=body.metadata)
        except LockError as exc:
            # The notices are in the history now: the next turn must not repeat them.
            return await _unavailable(sessions, [], exc)
        said = [text for text, _ in _said(notices)] + replies
        return [{"recipient_id": recipient, "text": text} for text in said]

    @router.get("/webhooks/rest/notices", responses=UNAVAILABLE_RESPONSES)
    async def rest_notices(
        request: Request,
        turn: ShopperTurnDep,
        sender: str = Query("", max_length=200, description="echoed as recipient_id"),
    ) -> Any:
        """The shopper's waiting notices, oldest first; empty when there are none."""
        customer_id, notices = turn.customer_id, turn.notices
        try:
            await assistant.record_notices(customer_id, _said(notices))
        except LockError as exc:
            return await _unavailable(request.app.state.session_factory, notices, exc)
        return [{"recipient_id": sender or customer_id, "text": t} for t, _ in _said(notices)]

    return router


def _take(session: Session, customer_id: str) -> Taken:
    """The shopper's waiting notices, now marked delivered."""
    return [(n.id, n.text, n.kind) for n in take_notices(session, customer_id=customer_id)]


def _said(notices: Taken) -> list[tuple[str, str]]:
    return [(text, kind) for _, text, kind in notices]


async def _unavailable(sessions: sessionmaker, taken: Taken, exc: LockError) -> JSONResponse:
    """The 503 for a turn whose conversation could not be locked; the notices taken for it go
    back to the outbox, as nobody heard them."""
    if taken:
        await asyncio.to_thread(_give_back, sessions, [id_ for id_, _, _ in taken])
    if isinstance(exc, LockStoreUnavailable):
        code = "lock_store_unavailable"
        detail = (
            "this conversation cannot continue right now: the server that holds conversation "
            "locks (Redis) does not answer; try again shortly"
        )
    else:
        code = "conversation_busy"
        detail = "this conversation's earlier turn kept it too long; try again shortly"
    log.warning("turn refused (%s): %s", code, exc)
    return JSONResponse(
        {"error": code, "detail": detail},
        status_code=503,
        headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER_S)},
    )


def _give_back(sessions: sessionmaker, notice_ids: list[int]) -> None:
    with sessions() as session:
        give_back_notices(session, notice_ids)
