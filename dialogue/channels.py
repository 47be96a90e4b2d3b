"""The assistant over HTTP, added to the store server by `voxcart serve`:

- `POST /webhooks/rest/webhook`: a text channel compatible with Rasa's REST channel
  (`{"sender", "message"}` -> `[{"recipient_id", "text"}]`); the shopper is the one whose token
  is in `Authorization: Bearer <token>`, whatever `sender` says.

Rasa's action server protocol (`POST /webhook`) is in `dialogue.action_server`.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field, validator

from commerce.api.deps import CustomerDep, SessionDep
from commerce.notices import take_notices

MAX_METADATA_KEYS = 20
MAX_METADATA_JSON_CHARS = 2000


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

    @router.post("/webhooks/rest/webhook")
    async def rest_webhook(
        body: RestMessage, customer: CustomerDep, session: SessionDep
    ) -> list[dict[str, str]]:
        """One shopper turn; the replies to speak or show, in order."""
        customer_id = customer.id
        # End the request's transaction before the turn: on SQLite it holds the write lock
        # the actions need.
        session.close()
        recipient = body.sender or customer_id
        replies = await assistant.respond(customer_id, body.message, metadata=body.metadata)
        # What staff (or the store) queued for the shopper came before this turn: said first.
        told = [notice.text for notice in take_notices(session, customer_id=customer_id)]
        return [{"recipient_id": recipient, "text": text} for text in [*told, *replies]]

    return router
