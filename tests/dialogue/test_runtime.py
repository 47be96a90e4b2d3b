"""The in-process runtime: turns of one conversation are serialised, in order."""

from __future__ import annotations

import asyncio

from commerce.service import Store
from dialogue import context


def test_overlapping_turns_of_one_shopper_run_in_order(
    store: Store, assistant, loop: asyncio.AbstractEventLoop
) -> None:  # type: ignore[no-untyped-def]
    """A shopper talking over the assistant sends a turn while the last one runs: it waits
    for it (Rasa's conversation lock) and then sees its effect."""
    context.configure(store.sessions)
    assistant.reset_conversations()

    async def both() -> list[list[str]]:
        return list(
            await asyncio.gather(
                assistant.respond("overlap", "two bagels"),
                assistant.respond("overlap", "what's in my cart"),
            )
        )

    added, cart = loop.run_until_complete(both())
    assert "bagel" in " ".join(added).lower()
    assert "two bagels" in " ".join(cart).lower()
