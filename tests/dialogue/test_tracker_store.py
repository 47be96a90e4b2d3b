"""Conversations live in Rasa's SQL tracker store on the configured database, so a restarted
assistant resumes them where they were."""

from __future__ import annotations

import asyncio
from pathlib import Path

from commerce.accounts import ensure_customer
from commerce.orders import list_orders
from commerce.service import Store
from dialogue import context
from dialogue.runtime import tracker_store_for


def test_a_restart_resumes_the_conversation(
    store: Store, database_url: str, assistant, loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    context.configure(store.sessions)
    with store.sessions() as session:
        ensure_customer(session, customer_id="resume", name="Res")
    original = None
    try:
        first = tracker_store_for(database_url, tmp_path)
        original = assistant.use_tracker_store(first)
        loop.run_until_complete(assistant.respond("resume", "two croissants"))
        replies = loop.run_until_complete(assistant.respond("resume", "check out"))
        assert "confirm" in " ".join(replies).lower()
        first.engine.dispose()

        # A new tracker store object on the same database: what a restarted process opens.
        second = tracker_store_for(database_url, tmp_path)
        assistant.use_tracker_store(second)
        confirmed = loop.run_until_complete(assistant.respond("resume", "yes"))
        assert "order number" in " ".join(confirmed).lower(), confirmed
        with store.sessions() as session:
            (order,) = list_orders(session, customer_id="resume")
            assert [(line.sku, line.quantity) for line in order.lines] == [("CROISSANT", 2)]
        second.engine.dispose()
    finally:
        if original is not None:
            assistant.use_tracker_store(original)


def test_the_conversations_file_is_wal_with_sync_at_checkpoints(tmp_path: Path) -> None:
    """A killed process loses no history (WAL); commits do not wait for the disk (NORMAL)."""
    from sqlalchemy import text

    conversations = tracker_store_for(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    with conversations.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    conversations.engine.dispose()


def test_appended_events_are_the_rows_rasas_save_writes(
    store: Store, assistant, loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Turns after the first are saved by appending (ConversationStore._append); the rows
    must be exactly what Rasa's own SQLTrackerStore.save writes for the same events."""
    from rasa.core.tracker_store import SQLTrackerStore

    context.configure(store.sessions)
    with store.sessions() as session:
        ensure_customer(session, customer_id="rows", name="Rows")
    ours = tracker_store_for(f"sqlite:///{tmp_path / 'ours.db'}", tmp_path / "ours")
    original = assistant.use_tracker_store(ours)
    try:
        for text in ("hi", "two croissants", "what's in my cart"):
            loop.run_until_complete(assistant.respond("rows", text))
        tracker = loop.run_until_complete(ours.retrieve("rows"))
    finally:
        assistant.use_tracker_store(original)
    rasas = SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "rasas.db"))
    loop.run_until_complete(rasas.save(tracker))

    def rows(tracker_store) -> list[tuple]:  # type: ignore[no-untyped-def]
        with tracker_store.session_scope() as session:
            table = tracker_store.SQLEvent
            found = session.query(table).filter(table.sender_id == "rows").order_by(table.id)
            return [(r.type_name, r.timestamp, r.intent_name, r.action_name, r.data) for r in found]

    appended, written = rows(ours), rows(rasas)
    assert len(written) > 10
    # The session's events (a retrieved tracker starts at its session_started).
    assert appended[-len(written) :] == written
    assert ours.recent.get("rows") is not None  # the later turns took the append path
    ours.engine.dispose()
    rasas.engine.dispose()
