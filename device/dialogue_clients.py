"""How the device loop reaches the dialogue: the assistant in this process, or a voxcart
server's text channel. Both answer a turn and hand over the shopper's waiting notices."""

from __future__ import annotations

from typing import Any, Protocol

import httpx
from rasa.core.lock_store import LockError

from dialogue.replies import N_, render

# What the device says itself when the store cannot answer a turn (in the store's language).
CANNOT_REACH = N_("Sorry, I can't reach the store right now ({problem}).")
NOT_SIGNED_IN = N_("Sorry, this device is not signed in to the store.")
# The shopper's conversation is locked elsewhere or its lock store does not answer (HTTP 503):
# nothing was done, and saying it again shortly works.
BUSY = N_("Sorry, the store can't take that right now. Please say it again in a moment.")
STORE_ERROR = N_("Sorry, something went wrong at the store.")


class DialogueClient(Protocol):
    """One turn; `metadata` goes with the text to the dialogue (`{"spoken_over_reply": bool}`
    from the loop). A client may also have `async notices() -> list[str]`: the shopper's
    waiting notices, delivered once (the loop speaks them at a quiet moment)."""

    async def respond(self, text: str, *, metadata: dict[str, Any] | None = None) -> list[str]: ...


class InProcessDialogue:
    def __init__(self, assistant: Any, customer_id: str, language: str = "en") -> None:
        self.assistant, self.customer_id, self.language = assistant, customer_id, language

    async def respond(self, text: str, *, metadata: dict[str, Any] | None = None) -> list[str]:
        try:
            return list(await self.assistant.respond(self.customer_id, text, metadata=metadata))
        except LockError:
            # The turn did not run (its conversation could not be locked): say so rather
            # than fall silent, as the HTTP channel's 503 does.
            return [render(self.language, BUSY)]

    async def notices(self) -> list[str]:
        return list(await self.assistant.deliver_notices(self.customer_id))


class HttpDialogue:
    """A voxcart server's text channel: many devices share one store server."""

    def __init__(
        self, server_url: str, token: str, device_name: str = "device", language: str = "en"
    ) -> None:
        self.language = language
        base = server_url.rstrip("/")
        self.url = base + "/webhooks/rest/webhook"
        self.notices_url = base + "/webhooks/rest/notices"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.device_name = device_name
        self.client = httpx.AsyncClient(timeout=30)

    async def respond(self, text: str, *, metadata: dict[str, Any] | None = None) -> list[str]:
        body: dict[str, Any] = {"sender": self.device_name, "message": text}
        if metadata is not None:
            body["metadata"] = metadata
        try:
            response = await self.client.post(self.url, json=body, headers=self.headers)
        except httpx.HTTPError as exc:
            return [render(self.language, CANNOT_REACH, problem=type(exc).__name__)]
        if response.status_code == 401:
            return [render(self.language, NOT_SIGNED_IN)]
        if response.status_code == 503:
            return [render(self.language, BUSY)]
        if response.status_code >= 400:
            return [render(self.language, STORE_ERROR)]
        return [item["text"] for item in response.json() if item.get("text")]

    async def notices(self) -> list[str]:
        """Polled while idle: a store that cannot be reached has nothing to say now (the
        next turn says why), and the notices wait there for the next poll."""
        try:
            response = await self.client.get(
                self.notices_url, params={"sender": self.device_name}, headers=self.headers
            )
        except httpx.HTTPError:
            return []
        if response.status_code != 200:
            return []
        return [item["text"] for item in response.json() if item.get("text")]
