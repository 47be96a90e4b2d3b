"""Rasa's SQL tracker store with the conversations' SQLite file kept open, and each
conversation's events read from the database once.

Rasa's `SQLTrackerStore` builds a SQLAlchemy 1.4 engine, which on a SQLite file opens and
closes a connection per session (NullPool) in SQLite's default rollback-journal mode: every
turn's load and save reconnect, and each save's commit syncs both a journal and the database
file. Here the file is in WAL mode (one sync per commit, readers never wait for the writer)
with a small bounded pool. Every event written and every transaction stays Rasa's own; other
databases keep Rasa's engine.

Loading: Rasa re-reads and re-deserialises every event of the conversation on every turn, so
a turn costs more the longer the conversation (about 4 ms at turn 1, 21 ms at turn 60). Here
the events already read for a sender are kept (`RecentConversations`, least recently used
senders dropped), and each load first asks the database for the sender's event count and
highest event id: unchanged, the kept events are used; grown by rows with higher ids only
(this process's last save, or another server's turn), just those rows are read; anything else
(a new conversation session, deleted or rewritten rows) reloads with Rasa's own query. So the
tracker is always the one Rasa would build from the database, also when several servers
share PostgreSQL. Only `retrieve` is cached; `retrieve_full_tracker` stays Rasa's.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import bindparam, create_engine, event, func, insert, orm, select
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

BUSY_TIMEOUT_S = 30
POOL_SIZE = 5
POOL_OVERFLOW = 10
# Conversations whose events are kept in memory (a few hundred KB each at 60 turns).
KEPT_CONVERSATIONS = 256


@dataclass(frozen=True)
class KeptEvents:
    """What the database held for a sender when it was read: the count and highest id of
    all its rows, the timestamp of its latest session start (Rasa's filter), and the events
    of that session (deserialised; never mutated, shared by the trackers built from them)."""

    row_count: int
    max_id: int
    session_start: float | None
    events: tuple[Event, ...]


class RecentConversations:
    """The kept events of the most recently used senders, at most `limit` of them."""

    def __init__(self, limit: int = KEPT_CONVERSATIONS) -> None:
        self.limit = limit
        self._kept: OrderedDict[str, KeptEvents] = OrderedDict()

    def get(self, sender_id: str) -> KeptEvents | None:
        kept = self._kept.get(sender_id)
        if kept is not None:
            self._kept.move_to_end(sender_id)
        return kept

    def put(self, sender_id: str, kept: KeptEvents) -> None:
        self._kept[sender_id] = kept
        self._kept.move_to_end(sender_id)
        while len(self._kept) > self.limit:
            self._kept.popitem(last=False)

    def __len__(self) -> int:
        return len(self._kept)


class ConversationStore(SQLTrackerStore):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.recent = RecentConversations()
        # Built once: the two statements every turn runs (the ORM query and unit of work cost
        # a few times more per turn, measured with cProfile on `voxcart serve`).
        rows = self.SQLEvent.__table__
        self._count_and_max_statement = select(func.count(rows.c.id), func.max(rows.c.id)).where(
            rows.c.sender_id == bindparam("sender_id")
        )
        self._insert_statement = insert(rows)
        rasas: Engine = self.engine  # type: ignore[has-type]
        if rasas.dialect.name != "sqlite" or rasas.url.database in (None, ":memory:"):
            return
        url = rasas.url
        rasas.dispose()
        self.engine = create_engine(
            url,
            poolclass=QueuePool,
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_S},
        )
        event.listen(self.engine, "connect", _use_wal)
        self.sessionmaker = orm.session.sessionmaker(bind=self.engine)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save; then the saved events themselves are kept, so the next turn's tracker
        holds the same event objects (what dialogue.policy_states continues from), when the
        database's session then holds exactly those events. A tracker that only adds events
        to the ones kept is saved by appending them: what Rasa's save writes, without its
        count of the session's rows or a second look afterwards."""
        if self._append(tracker):
            return
        await super().save(tracker)
        with self.session_scope() as session:
            row_count, max_id = self._count_and_max(session, tracker.sender_id)
            in_session = self._event_query(
                session, tracker.sender_id, fetch_events_from_all_sessions=False
            ).count()
        if not row_count or in_session != len(tracker.events):
            return
        starts = [e.timestamp for e in tracker.events if isinstance(e, SessionStarted)]
        self.recent.put(
            tracker.sender_id,
            KeptEvents(row_count, max_id, max(starts) if starts else None, tuple(tracker.events)),
        )

    def _append(self, tracker: DialogueStateTracker) -> bool:
        """Appends the events after the kept ones, if the database still holds exactly those
        (one sender's turns run one at a time under its conversation lock). False: use
        Rasa's save."""
        kept = self.recent.get(tracker.sender_id)
        events = list(tracker.events)
        if (
            kept is None
            or self.event_broker is not None
            or len(events) < len(kept.events)
            or any(a is not b for a, b in zip(kept.events, events, strict=False))
        ):
            return False
        new = events[len(kept.events) :]
        if any(isinstance(e, SessionStarted) for e in new):
            return False
        with self.session_scope() as session:
            row_count, max_id = self._count_and_max(session, tracker.sender_id)
            if (row_count, max_id) != (kept.row_count, kept.max_id):
                return False
            for e in new:
                inserted = session.execute(self._insert_statement, self._row(tracker.sender_id, e))
                max_id = max(max_id, inserted.inserted_primary_key[0])
            session.commit()
        self.recent.put(
            tracker.sender_id,
            KeptEvents(row_count + len(new), max_id, kept.session_start, tuple(events)),
        )
        return True

    def _count_and_max(self, session: Any, sender_id: str) -> tuple[int, int]:
        """How many rows the sender has, and the highest id: what the kept events are checked
        against (rows are only ever added, one turn at a time per sender)."""
        count, max_id = session.execute(
            self._count_and_max_statement, {"sender_id": sender_id}
        ).one()
        return int(count), int(max_id or 0)

    @staticmethod
    def _row(sender_id: str, event: Event) -> dict[str, Any]:
        """The row Rasa's SQLTrackerStore.save writes for an event."""
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        if fetch_events_from_all_sessions:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        with self.session_scope() as session:
            kept = self._read(session, sender_id)
        if kept is None:
            return None
        self.recent.put(sender_id, kept)
        if not self.domain or not kept.events:
            return None  # what Rasa returns for a sender without events
        return DialogueStateTracker.from_events(sender_id, list(kept.events), self.domain.slots)

    def _read(self, session: Any, sender_id: str) -> KeptEvents | None:
        rows = self.SQLEvent
        row_count, max_id = self._count_and_max(session, sender_id)
        if not row_count:
            return None
        kept = self.recent.get(sender_id)
        if kept is not None and (kept.row_count, kept.max_id) == (row_count, max_id):
            return kept
        if kept is not None and max_id > kept.max_id:
            new_rows = (
                session.query(rows)
                .filter(rows.sender_id == sender_id, rows.id > kept.max_id, rows.id <= max_id)
                .order_by(rows.id)
                .all()
            )
            if kept.row_count + len(new_rows) == row_count and not any(
                row.type_name == SessionStarted.type_name for row in new_rows
            ):
                # Rasa's session filter, applied to the new rows.
                in_session = [
                    row
                    for row in new_rows
                    if kept.session_start is None
                    or (row.timestamp is not None and row.timestamp >= kept.session_start)
                ]
                return KeptEvents(
                    row_count, max_id, kept.session_start, kept.events + _events(in_session)
                )
        # Rasa's own query, up to the highest id counted (rows of one sender are written
        # under its conversation lock, one turn at a time).
        loaded = (
            self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
            .filter(rows.id <= max_id)
            .all()
        )
        starts = [row.timestamp for row in loaded if row.type_name == SessionStarted.type_name]
        return KeptEvents(row_count, max_id, max(starts) if starts else None, _events(loaded))


def _events(rows: list[Any]) -> tuple[Event, ...]:
    return tuple(deserialise_events([json.loads(row.data) for row in rows]))


def _use_wal(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode = WAL")
    # In WAL mode, NORMAL syncs at checkpoints rather than at every commit: a killed process
    # loses nothing, a power cut may lose the last turns' history (never the file). Carts and
    # orders live in the commerce database, which keeps its full sync; this file only holds
    # the conversation history, so each turn saves about 5 ms of fsync.
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()
