"""Rasa's SQL tracker store with the conversations' SQLite file kept open.

Rasa's `SQLTrackerStore` builds a SQLAlchemy 1.4 engine, which on a SQLite file opens and
closes a connection per session (NullPool) in SQLite's default rollback-journal mode: every
turn's load and save reconnect, and each save's commit syncs both a journal and the database
file. Here the file is in WAL mode (one sync per commit, readers never wait for the writer)
with a small bounded pool. Every query, every event written and every transaction stays
Rasa's own; only how the file is opened differs. Other databases keep Rasa's engine.
"""

from __future__ import annotations

from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy import create_engine, event, orm
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

BUSY_TIMEOUT_S = 30
POOL_SIZE = 5
POOL_OVERFLOW = 10


class ConversationStore(SQLTrackerStore):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
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


def _use_wal(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()
