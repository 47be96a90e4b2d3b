"""What the device says itself when the store cannot answer a turn: a refused turn (its
conversation could not be locked) is said, not swallowed, in the store's language."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from device.dialogue_clients import BUSY, HttpDialogue, InProcessDialogue
from dialogue.conversation_locks import LockStoreUnavailable
from dialogue.replies import render


class LockedOut:
    """An assistant whose lock store does not answer (a unit stand-in: Redis down is tested
    end to end in tests/dialogue/test_lock_store_down.py)."""

    async def respond(self, *args: object, **kwargs: object) -> list[str]:
        raise LockStoreUnavailable("redis is down")


@pytest.mark.parametrize("language", ["en", "ko"])
def test_an_in_process_turn_that_cannot_be_locked_is_said(language: str) -> None:
    replies = asyncio.run(InProcessDialogue(LockedOut(), "ann", language).respond("two milks"))
    assert replies == [render(language, BUSY)]
    assert ("say it again" in replies[0]) if language == "en" else ("다시" in replies[0])


@pytest.mark.parametrize(
    ("status", "expected"),
    [(503, "say it again in a moment"), (401, "not signed in"), (500, "went wrong")],
)
def test_an_http_refusal_is_said_for_what_it_is(status: int, expected: str) -> None:
    dialogue = HttpDialogue("http://store.test", "token")
    dialogue.client = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda request: httpx.Response(status, json={}))
    )
    assert expected in asyncio.run(dialogue.respond("two milks"))[0]


def test_http_refusals_are_said_in_the_stores_language() -> None:
    dialogue = HttpDialogue("http://store.test", "token", language="ko")
    dialogue.client = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda request: httpx.Response(503, json={}))
    )
    assert asyncio.run(dialogue.respond("우유 두 개")) == [render("ko", BUSY)]
