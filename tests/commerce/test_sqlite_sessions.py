"""SQLite sessions: pooled connections, and read-only sessions that never wait for a writer
(the understanding step reads the catalog version on the event loop while a request's
session may hold the write lock)."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.pool import QueuePool

from commerce.db import make_engine, make_session_factory, read_only


def test_a_sqlite_file_keeps_its_connections(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    assert isinstance(engine.pool, QueuePool)
    sessions = make_session_factory(engine)
    with sessions() as session:
        first = session.connection().connection.dbapi_connection
    with sessions() as session:
        assert session.connection().connection.dbapi_connection is first
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_a_read_only_session_reads_while_a_writer_holds_the_lock(tmp_path: Path) -> None:
    sessions = make_session_factory(make_engine(f"sqlite:///{tmp_path / 'b.db'}"))
    with sessions() as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
        session.execute(text("INSERT INTO t VALUES (1)"))
        session.commit()
    writer = sessions()
    writer.execute(text("INSERT INTO t VALUES (2)"))  # holds the write lock, not committed
    try:
        started = time.monotonic()
        with sessions() as reader:
            assert read_only(reader).execute(text("SELECT count(*) FROM t")).scalar() == 1
        assert time.monotonic() - started < 1.0
    finally:
        writer.rollback()
        writer.close()
