"""The assistant over HTTP, added to the store server by `voxcart serve`:

- `POST /webhooks/rest/webhook`: a text channel compatible with Rasa's REST channel
  (`{"sender", "message"}` -> `[{"recipient_id", "text"}]`); the shopper is the one whose token
  is in `Authorization: Bearer <token>`, whatever `sender` says.
- `POST /webhook`: Rasa's action server protocol, so a stock `rasa run` can use voxcart as its
  action server (endpoints.yml `action_endpoint: http://HOST:8000/webhook`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
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


def action_server_router(executor: Any) -> APIRouter:
    from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

    router = APIRouter(tags=["assistant"])

    @router.post("/webhook")
    async def webhook(request: Request) -> Any:
        """Runs one custom action for a Rasa server (the action server protocol)."""
        try:
            action_call = await request.json()
        except ValueError:
            return JSONResponse({"error": "the body must be JSON"}, status_code=400)
        if not isinstance(action_call, dict) or "next_action" not in action_call:
            return JSONResponse({"error": "not an action call"}, status_code=400)
        try:
            return await executor.run(action_call)
        except ActionNotFoundException as exc:
            return JSONResponse(
                {"error": exc.message, "action_name": exc.action_name}, status_code=404
            )
        except ActionExecutionRejection as exc:
            return JSONResponse(
                {"error": exc.message, "action_name": exc.action_name}, status_code=400
            )

    @router.get("/actions")
    async def actions() -> list[dict[str, str]]:
        return [{"name": name} for name in sorted(executor.actions)]

    return router
