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
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, validator
from rasa.core.lock_store import LockError
from sqlalchemy.orm import Session

from commerce.api.deps import CustomerDep, SessionDep
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


def text_channel_router(assistant: Any) -> APIRouter:
    router = APIRouter(tags=["assistant"])

    @router.post("/webhooks/rest/webhook", responses=UNAVAILABLE_RESPONSES)
    async def rest_webhook(body: RestMessage, customer: CustomerDep, session: SessionDep) -> Any:
        """One shopper turn; the replies to speak or show, in order."""
        customer_id = customer.id
        notices = await asyncio.to_thread(_take, session, customer_id)
        # End the request's transaction before the turn: on SQLite it holds the write lock
        # the actions need.
        session.close()
        recipient = body.sender or customer_id
        try:
            # Told before the turn, so the history reads in the order the shopper hears it.
            await assistant.record_notices(customer_id, _said(notices))
        except LockError as exc:
            return await _unavailable(session, notices, exc)
        try:
            replies = await assistant.respond(customer_id, body.message, metadata=body.metadata)
        except LockError as exc:
            # The notices are in the history now: the next turn must not repeat them.
            return await _unavailable(session, [], exc)
        said = [text for text, _ in _said(notices)] + replies
        return [{"recipient_id": recipient, "text": text} for text in said]

    @router.get("/webhooks/rest/notices", responses=UNAVAILABLE_RESPONSES)
    async def rest_notices(
        customer: CustomerDep,
        session: SessionDep,
        sender: str = Query("", max_length=200, description="echoed as recipient_id"),
    ) -> Any:
        """The shopper's waiting notices, oldest first; empty when there are none."""
        customer_id = customer.id
        notices = await asyncio.to_thread(_take, session, customer_id)
        session.close()
        try:
            await assistant.record_notices(customer_id, _said(notices))
        except LockError as exc:
            return await _unavailable(session, notices, exc)
        return [{"recipient_id": sender or customer_id, "text": t} for t, _ in _said(notices)]

    return router


Taken = list[tuple[int, str, str]]  # (notice id, text, kind)


def _take(session: Session, customer_id: str) -> Taken:
    """The shopper's waiting notices, now marked delivered."""
    return [(n.id, n.text, n.kind) for n in take_notices(session, customer_id=customer_id)]


def _said(notices: Taken) -> list[tuple[str, str]]:
    return [(text, kind) for _, text, kind in notices]


async def _unavailable(session: Session, taken: Taken, exc: LockError) -> JSONResponse:
    """The 503 for a turn whose conversation could not be locked; the notices taken for it go
    back to the outbox, as nobody heard them."""
    if taken:
        await asyncio.to_thread(give_back_notices, session, [id_ for id_, _, _ in taken])
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
