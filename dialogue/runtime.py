"""The assistant at run time: the trained Rasa model, loaded once, answering text turns.

Custom actions run in-process: Rasa's RemoteAction posts the action server protocol's JSON to
its endpoint, and `InProcessActionEndpoint` hands that JSON straight to rasa-sdk's executor
instead of sending it over a socket. Same protocol and same action classes as the stock action
server (`rasa run actions --actions dialogue.actions`), without the HTTP hop.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from dialogue.pin_privacy import masking_tracker_store

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

log = logging.getLogger(__name__)


def action_executor() -> Any:
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("dialogue.actions")
    return executor


def make_in_process_endpoint(executor: Any) -> Any:
    from rasa.utils.endpoints import EndpointConfig

    class InProcessActionEndpoint(EndpointConfig):
        def __init__(self) -> None:
            super().__init__(url="in-process://dialogue.actions")

        async def request(
            self,
            method: str = "post",
            subpath: str | None = None,
            content_type: str | None = "application/json",
            compress: bool = False,
            **kwargs: Any,
        ) -> Any:
            return await executor.run(kwargs["json"])

    return InProcessActionEndpoint()


def tracker_store_for(database_url: str, data_dir: Path) -> Any:
    """Rasa's SQL tracker store on the configured database, so a restart resumes every
    conversation. On SQLite it gets its own file: Rasa's engine and the store's engine would
    otherwise contend for SQLite's single writer lock. Voice PIN answers are masked before
    they are saved (dialogue.pin_privacy)."""
    from dialogue.conversation_store import ConversationStore

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = data_dir / "conversations.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        return masking_tracker_store(ConversationStore(dialect="sqlite", db=str(path)))
    sql_store = ConversationStore(
        dialect=url.drivername,
        host=url.host,
        port=url.port,
        db=url.database,
        username=url.username,
        password=url.password,
        query=dict(url.query),
    )
    return masking_tracker_store(sql_store)


# Rasa retries a busy conversation's lock every second; a shopper who talks over the
# assistant (barge-in) would wait that long for their next turn.
LOCK_RETRY_S = 0.01


def fast_lock_store() -> Any:
    from contextlib import asynccontextmanager

    from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore

    class FastRetryLockStore(InMemoryLockStore):
        @asynccontextmanager
        async def lock(  # type: ignore[override]
            self,
            conversation_id: str,
            lock_lifetime: float = LOCK_LIFETIME,
            wait_time_in_seconds: float = LOCK_RETRY_S,
        ):  # type: ignore[no-untyped-def]
            ticket = self.issue_ticket(conversation_id, lock_lifetime)
            try:
                yield await self._acquire_lock(conversation_id, ticket, LOCK_RETRY_S)
            finally:
                self.cleanup(conversation_id, ticket)

    return FastRetryLockStore()


class Assistant:
    """Loads the model once; `respond(sender, text)` runs one turn."""

    def __init__(self, agent: Any) -> None:
        self.agent = agent

    @classmethod
    def load(cls, model: Path, *, tracker_store: Any = None, lock_store: Any = None) -> Assistant:
        """`lock_store`: dialogue.conversation_locks.lock_store_for (default: in memory)."""
        from rasa.core.agent import Agent
        from rasa.utils.log_utils import configure_structlog

        # Unconfigured, structlog prints Rasa's debug events for every turn.
        configure_structlog(logging.WARNING)
        logging.getLogger("rasa").setLevel(logging.WARNING)

        from rasa.core.tracker_store import InMemoryTrackerStore

        from dialogue import action_responses, rasa_hot_paths

        rasa_hot_paths.install()
        action_responses.install()  # after: it falls back to the compiled full check
        endpoint = make_in_process_endpoint(action_executor())
        agent = Agent.load(
            str(model),
            action_endpoint=endpoint,
            tracker_store=masking_tracker_store(
                tracker_store if tracker_store is not None else InMemoryTrackerStore(None)
            ),
            lock_store=lock_store if lock_store is not None else fast_lock_store(),
        )
        return cls(agent)

    async def respond(
        self, sender_id: str, text: str, *, metadata: dict[str, Any] | None = None
    ) -> list[str]:
        """One turn. `metadata` reaches the actions as the user event's metadata (the voice
        loop says there whether the words were spoken over the assistant's reply)."""
        from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

        from dialogue import turn_timing

        turn_timing.mark_received()  # the turn log's latency counts from here
        message = UserMessage(
            text, CollectingOutputChannel(), sender_id, metadata=dict(metadata or {}) or None
        )
        responses = await self.agent.handle_message(message) or []
        return [r["text"] for r in responses if r.get("text")]

    async def record_notices(self, sender_id: str, notices: list[tuple[str, str]]) -> None:
        """Writes delivered notices ((text, kind), taken from commerce.notices) into the
        conversation history as the assistant's words."""
        from dialogue.notices import record_in_history

        await record_in_history(self.agent, sender_id, notices)

    async def deliver_notices(self, customer_id: str) -> list[str]:
        """The shopper's waiting notices from the dialogue's store, delivered once and
        recorded in the conversation: what a device says at a quiet moment."""
        from dialogue.context import get_context
        from dialogue.notices import deliver_notices

        return await deliver_notices(self.agent, get_context().sessions, customer_id)

    def use_tracker_store(self, tracker_store: Any) -> Any:
        """Swaps the tracker store (tests, and a process re-opening its database); returns the
        previous one. The store needs the domain to restore slots from stored events."""
        from rasa.core.tracker_store import FailSafeTrackerStore

        previous = self.agent.tracker_store
        tracker_store.domain = self.agent.domain
        wrapped = (
            tracker_store
            if isinstance(tracker_store, FailSafeTrackerStore)
            else masking_tracker_store(tracker_store)
        )
        self.agent.tracker_store = self.agent.processor.tracker_store = wrapped
        return previous

    def reset_conversations(self) -> None:
        """Forgets every conversation of an in-memory tracker store (transcript runs)."""
        store = getattr(self.agent.tracker_store, "_tracker_store", self.agent.tracker_store)
        if hasattr(store, "store"):
            store.store.clear()
