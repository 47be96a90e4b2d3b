"""The turn log: one row per assistant turn (commerce.kpis reads it).

A commit on SQLite waits for the disk (about 20 ms here), so the assistant does not write the
row itself: `submit` hands it to one background thread that writes whatever has queued up in
a single transaction, and the turn's replies go out meanwhile. `flush` waits for the queue
(tests, and the end of the process). A row that cannot be written is logged and dropped:
the log never fails a turn.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from commerce.models import MAX_DB_INTEGER, CartLine, TurnLogEntry

log = logging.getLogger(__name__)

# Rows written per transaction at most, when turns arrive faster than the disk.
MAX_BATCH = 200


@dataclass(frozen=True)
class TurnRecord:
    customer_id: str
    at: datetime
    intent: str
    handler: str
    understood: bool
    latency_ms: int
    handoff: bool = False
    order_id: int | None = None
    # Units in the shopper's cart after the turn; None: read when the row is written (by the
    # background writer, milliseconds later: the next turn cannot have started yet).
    cart_quantity: int | None = None

    def row(self, cart_quantity: int) -> TurnLogEntry:
        return TurnLogEntry(
            at=self.at,
            customer_id=self.customer_id[:64],
            intent=self.intent[:64],
            handler=self.handler[:64],
            understood=self.understood,
            latency_ms=max(0, min(self.latency_ms, MAX_DB_INTEGER)),
            handoff=self.handoff,
            order_id=self.order_id,
            cart_quantity=cart_quantity,
        )


def cart_quantity(session: Session, *, customer_id: str) -> int:
    """Units in the shopper's cart now."""
    total = session.scalar(
        select(func.coalesce(func.sum(CartLine.quantity), 0)).where(
            CartLine.customer_id == customer_id
        )
    )
    return int(total or 0)


def record_turn(session: Session, record: TurnRecord) -> None:
    """Writes one row now, in the caller's session (imports, tests)."""
    session.add(_row(session, record))
    session.commit()


def _row(session: Session, record: TurnRecord) -> TurnLogEntry:
    quantity = record.cart_quantity
    if quantity is None:
        quantity = cart_quantity(session, customer_id=record.customer_id)
    return record.row(quantity)


_queue: queue.Queue[tuple[sessionmaker, TurnRecord]] = queue.Queue()
_worker: threading.Thread | None = None
_worker_lock = threading.Lock()


def submit(sessions: sessionmaker, record: TurnRecord) -> None:
    """Queues the row for the background writer; returns at once."""
    global _worker
    with _worker_lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_write_forever, name="turn-log", daemon=True)
            _worker.start()
    _queue.put((sessions, record))


def flush() -> None:
    """Waits until every submitted row is written (or dropped after a logged error)."""
    with _worker_lock:
        running = _worker is not None and _worker.is_alive()
    if running:
        _queue.join()


def _write_forever() -> None:
    while True:
        batch = [_queue.get()]
        while len(batch) < MAX_BATCH:
            try:
                batch.append(_queue.get_nowait())
            except queue.Empty:
                break
        try:
            _write(batch)
        finally:
            for _ in batch:
                _queue.task_done()


def _write(batch: list[tuple[sessionmaker, TurnRecord]]) -> None:
    by_store: dict[sessionmaker, list[TurnRecord]] = {}
    for sessions, record in batch:
        by_store.setdefault(sessions, []).append(record)
    for sessions, records in by_store.items():
        try:
            with sessions() as session:
                session.add_all([_row(session, r) for r in records])
                session.commit()
        except SQLAlchemyError:
            log.warning("could not write %d turn log row(s)", len(records), exc_info=True)


atexit.register(flush)
