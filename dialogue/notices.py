"""Delivering the shopper's notices (commerce.notices): taken from the outbox once, and
written into the conversation history as the assistant's own words, so a handoff, `rasa`
tools and the next turn's history all see what the shopper was told."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.orm import sessionmaker

# Marks a bot event in the tracker as a notice rather than a reply to a turn.
NOTICE_METADATA_KEY = "voxcart_notice"


def _take(sessions: sessionmaker, customer_id: str) -> list[tuple[str, str]]:
    from commerce.notices import take_notices

    with sessions() as session:
        return [(n.text, n.kind) for n in take_notices(session, customer_id=customer_id)]


async def record_in_history(agent: Any, sender_id: str, notices: list[tuple[str, str]]) -> None:
    """Appends each notice to the conversation as a BotUttered event, under the
    conversation's lock so it never interleaves with a turn being handled."""
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.shared.core.events import BotUttered

    if not notices:
        return
    async with agent.lock_store.lock(sender_id):
        tracker = await agent.processor.fetch_tracker_and_update_session(
            sender_id, CollectingOutputChannel()
        )
        for text, kind in notices:
            tracker.update(BotUttered(text, metadata={NOTICE_METADATA_KEY: kind}))
        await agent.processor.save_tracker(tracker)


async def deliver_notices(agent: Any, sessions: sessionmaker, customer_id: str) -> list[str]:
    """The shopper's waiting notices, oldest first, each delivered once and now part of the
    conversation history. The sender is the customer id, as in every channel."""
    notices = await asyncio.to_thread(_take, sessions, customer_id)
    await record_in_history(agent, customer_id, notices)
    return [text for text, _ in notices]
