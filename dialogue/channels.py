"""The assistant over HTTP, added to the store server by `voxcart serve`:

- `POST /webhooks/rest/webhook`: a text channel compatible with Rasa's REST channel
  (`{"sender", "message"}` -> `[{"recipient_id", "text"}]`); the shopper is the one whose token
  is in `Authorization: Bearer <token>`, whatever `sender` says.

Rasa's action server protocol (`POST /webhook`) is in `dialogue.action_server`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from commerce.api.deps import CustomerDep, SessionDep


class RestMessage(BaseModel):
    sender: str = Field("", max_length=200)
    message: str = Field(..., max_length=2000)


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
        replies = await assistant.respond(customer_id, body.message)
        return [{"recipient_id": recipient, "text": text} for text in replies]

    return router
