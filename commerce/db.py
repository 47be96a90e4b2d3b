"""Engines and sessions. SQLAlchemy 1.4 used in 2.0 style (`future=True`, `select()`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

# SQLite allows one writer; waiting beats failing when two checkouts meet.
SQLITE_BUSY_TIMEOUT_MS = 30_000
# SQLAlchemy 1.4 opens and closes a new connection per session on a SQLite file (NullPool).
# Each open repeats the pragmas below and each close of the last connection checkpoints the
# WAL: together about a fifth of a dialogue turn (several sessions per turn). Pooled
# connections keep the file open; the pool is bounded and SQLite still serialises writers.
SQLITE_POOL_SIZE = 10
SQLITE_POOL_OVERFLOW = 30
READ_ONLY_OPTION = "voxcart_read_only"


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs = {
                "poolclass": QueuePool,
                "pool_size": SQLITE_POOL_SIZE,
                "max_overflow": SQLITE_POOL_OVERFLOW,
                **kwargs,
            }
        engine = create_engine(
            url,
            future=True,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see "begin" below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY_OPTION):
            connection.exec_driver_sql("BEGIN")  # reads a snapshot; never waits for a writer
            return
        # Take the write lock up front: a deferred transaction that later writes can fail with
        # SQLITE_BUSY at once instead of waiting, which loses checkouts under contention.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def read_only(session: Session) -> Session:
    """Marks a fresh session as one that only reads (call before its first query). On SQLite
    its transaction then takes no write lock: code that must not wait for writers, like the
    understanding step on the event loop, uses it (a writer's session may be waiting for the
    event loop to go on). Such a session must not write: on SQLite a write there fails when
    another writer is busy. Elsewhere the mark changes nothing.

    The session connects at its first query, not here: a caller that finds what it needs
    elsewhere (commerce.live_index's up-to-date index) costs no transaction."""
    if session.in_transaction():
        session.connection(execution_options={READ_ONLY_OPTION: True})
    else:
        session.bind = session.get_bind().execution_options(**{READ_ONLY_OPTION: True})
    return session


def make_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)
