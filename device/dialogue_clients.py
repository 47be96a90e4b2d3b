"""How the device loop reaches the dialogue: the assistant in this process, or a voxcart
server's text channel. Both answer a turn and hand over the shopper's waiting notices."""

from __future__ import annotations

from typing import Any, Protocol

import httpx


class DialogueClient(Protocol):
    """One turn; `metadata` goes with the text to the dialogue (`{"spoken_over_reply": bool}`
    from the loop). A client may also have `async notices() -> list[str]`: the shopper's
    waiting notices, delivered once (the loop speaks them at a quiet moment)."""

    async def respond(self, text: str, *, metadata: dict[str, Any] | None = None) -> list[str]: ...


class InProcessDialogue:
    def __init__(self, assistant: Any, customer_id: str) -> None:
        self.assistant, self.customer_id = assistant, customer_id

    async def respond(self, text: str, *, metadata: dict[str, Any] | None = None) -> list[str]:
        return list(await self.assistant.respond(self.customer_id, text, metadata=metadata))

    async def notices(self) -> list[str]:
        return list(await self.assistant.deliver_notices(self.customer_id))


class HttpDialogue:
    """A voxcart server's text channel: many devices share one store server."""

    def __init__(self, server_url: str, token: str, device_name: str = "device") -> None:
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
            return [f"Sorry, I can't reach the store right now ({type(exc).__name__})."]
        if response.status_code == 401:
            return ["Sorry, this device is not signed in to the store."]
        if response.status_code >= 400:
            return ["Sorry, something went wrong at the store."]
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
