"""The live catalog's index, one per database, kept current without a turn ever waiting for a
whole rebuild (about 4 s at 50,000 products).

Every lookup reads the catalog version (one row, moved by every change to names, aliases,
options or the active set, whichever process made it). When it moved, the products changed
since are found by their `updated_at` stamps and patched into a copy of the index, which then
replaces the old one (`CatalogIndex.patched`): milliseconds, on the turn that notices. Price
and stock are not in the index (they are read from the database when needed), so they never
touch it.

A whole rebuild happens only on the first lookup (there is nothing to serve before it), when a
change is too large to patch (a catalog import), when patches have drifted the term weights
far enough, or when the active products no longer add up (a row deleted outside the app). It
runs in a background thread; turns meanwhile use the index they had, and the new one is
swapped in whole.

Changed rows are those whose stamp differs from the one the index was built or patched from,
looked for among rows stamped at most `STAMP_WINDOW` before the newest stamp seen. A catalog
change restamps its rows at its very end, while it holds the catalog version's row lock
(commerce.catalog.catalog_changed): changes stamp in commit order, moments before they commit,
so one not yet seen cannot carry a stamp much older than the newest seen, except by the
difference between servers' clocks, which the window covers.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import threading
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine, Row
from sqlalchemy.orm import Session

from commerce.db import READ_ONLY_OPTION
from commerce.models import CatalogState, Product
from commerce.resolver import GC_PAUSE_MIN_PRODUCTS, CatalogIndex

log = logging.getLogger(__name__)

# How far servers' clocks may disagree (NTP keeps them within milliseconds).
STAMP_WINDOW = timedelta(seconds=10)
# More changed products than this (an import) are rebuilt in the background, not patched.
PATCH_LIMIT = 2_000
# Patched products, as a share of the catalog (and at least REBUILD_MIN_PATCHED), after which
# the term weights are refreshed by a background rebuild.
REBUILD_PATCHED_SHARE = 0.05
REBUILD_MIN_PATCHED = 50
_FETCH_CHUNK = 500  # ids per IN (...) list, well inside SQLite's parameter limit

_COLUMNS = (
    Product.id,
    Product.sku,
    Product.name,
    Product.aliases,
    Product.options,
    Product.active,
    Product.updated_at,
)


@dataclasses.dataclass(frozen=True)
class _Live:
    version: int
    index: CatalogIndex
    # Product id -> (updated_at, SKU) as the index last saw it, active or not.
    stamps: dict[int, tuple[Any, str]]
    newest: Any  # the newest updated_at seen, or None for an empty catalog
    # Whether a change too large to patch is waiting for a background rebuild.
    stale: bool = False


# Read on every turn: as text, it skips building and caching a statement each time.
_VERSION_SQL = text(f"SELECT version FROM {CatalogState.__tablename__} WHERE id = 1")


def catalog_version(session: Session) -> int:
    return session.scalar(_VERSION_SQL) or 0


def read_catalog_version(engine: Engine) -> int:
    """The catalog version on a connection of its own, without an ORM session (a third of the
    cost, on every turn); on SQLite a read that never waits for the write lock."""
    with engine.connect().execution_options(**{READ_ONLY_OPTION: True}) as connection:
        return connection.scalar(_VERSION_SQL) or 0


class LiveIndex:
    """One index per database URL, patched when the catalog version moves."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: dict[str, _Live] = {}
        self._builds: dict[str, threading.Thread] = {}
        self._generation = 0  # moved by `clear`, so a build started before is dropped

    def index(self, session: Session) -> CatalogIndex:
        bind = session.get_bind()
        key = str(bind.url)
        live = self._live.get(key)
        if live is not None and isinstance(bind, Engine) and not session.in_transaction():
            # A session that has not started yet (the understanding step's, every turn):
            # the version on a connection of its own; the session starts only if the index
            # has to catch up.
            version = read_catalog_version(bind)
        else:
            version = catalog_version(session)
        live = self._live.get(key)
        if live is not None and live.version == version:
            return live.index
        with self._lock:
            live = self._live.get(key)
            if live is None:
                live = self._live[key] = _built(_catalog_rows(session), version, pause=True)
            elif live.version != version and not (live.stale and key in self._builds):
                live = self._live[key] = self._caught_up(key, live, session, version)
            return live.index

    def _caught_up(self, key: str, live: _Live, session: Session, version: int) -> _Live:
        """`live` with the products changed since it was made patched in (or marked stale,
        with a background rebuild started, when there are too many)."""
        query = select(Product.id, Product.updated_at)
        if live.newest is not None:
            query = query.where(Product.updated_at >= live.newest - STAMP_WINDOW)
        changed = [
            pid
            for pid, stamp in session.execute(query)
            if live.stamps.get(pid, (None,))[0] != stamp
        ]
        if len(changed) > PATCH_LIMIT:
            self._rebuild_in_background(key, session)
            return dataclasses.replace(live, stale=True)
        seen: dict[int, tuple[Any, str]] = {}
        newest = live.newest
        upserts, removals = [], []
        for start in range(0, len(changed), _FETCH_CHUNK):
            chunk = changed[start : start + _FETCH_CHUNK]
            for row in session.execute(select(*_COLUMNS).where(Product.id.in_(chunk))):
                before = live.stamps.get(row.id)
                if before is not None and before[1] != row.sku:
                    removals.append(before[1])
                if row.active:
                    upserts.append(row)
                else:
                    removals.append(row.sku)
                seen[row.id] = (row.updated_at, row.sku)
                newest = row.updated_at if newest is None else max(newest, row.updated_at)
        index = live.index.patched(upserts, removals) if upserts or removals else live.index
        # The stamps are only read and written under the lock; updated in place once the
        # patch is made (copying 50,000 of them would cost the turn milliseconds).
        stamps = live.stamps
        stamps.update(seen)
        drift = index.patched_products > max(
            REBUILD_MIN_PATCHED, REBUILD_PATCHED_SHARE * len(index)
        )
        # The version moved but no row says why: rows deleted or changed outside the app.
        unexplained = not changed and self._active_count(session) != len(index)
        if drift or unexplained:
            self._rebuild_in_background(key, session)
        return _Live(version, index, stamps, newest)

    @staticmethod
    def _active_count(session: Session) -> int:
        return session.scalar(select(func.count(Product.id)).where(Product.active.is_(True))) or 0

    def _rebuild_in_background(self, key: str, session: Session) -> None:
        if key in self._builds:
            return
        bind = session.get_bind()
        engine: Engine = getattr(bind, "engine", bind)
        generation = self._generation
        thread = threading.Thread(
            target=self._rebuild,
            args=(key, engine, generation),
            name=f"catalog-index-rebuild-{len(self._live)}",
            daemon=True,
        )
        self._builds[key] = thread
        thread.start()

    def _rebuild(self, key: str, engine: Engine, generation: int) -> None:
        try:
            with Session(engine, future=True) as session:
                version = catalog_version(session)
                rows = _catalog_rows(session)
                session.rollback()  # end the read (SQLite's lock) before the slow part
            live = _built(rows, version, pause=False)
        except Exception:  # noqa: BLE001 - turns go on with the index they have
            log.exception("catalog index: background rebuild failed; retried on the next lookup")
            with self._lock:
                if self._builds.get(key) is threading.current_thread():
                    del self._builds[key]
                current = self._live.get(key)
                if current is not None and generation == self._generation:
                    # A version no catalog has: the next lookup looks for changes again and,
                    # as what needed the rebuild still does, starts another.
                    self._live[key] = dataclasses.replace(current, version=-1)
            return
        with self._lock:
            if self._builds.get(key) is threading.current_thread():
                del self._builds[key]
            if generation == self._generation:
                # Changes committed after the read have other stamps: the next lookup sees the
                # version differ and patches them in before any turn uses this index.
                self._live[key] = live

    def wait(self, timeout: float | None = None) -> None:
        """Waits for the background rebuilds running now (tests and benchmarks)."""
        for thread in list(self._builds.values()):
            thread.join(timeout)

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._live.clear()
            self._builds.clear()


def _catalog_rows(session: Session) -> Sequence[Row]:
    return session.execute(select(*_COLUMNS)).all()


def _built(rows: Sequence[Row], version: int, *, pause: bool) -> _Live:
    """A whole index of the active rows. A large build only allocates long-lived objects: the
    repeated full collections it would trigger are wasted work (about half the build at 50,000
    products), so collection is paused. On the request path (`pause`, the first build) one
    collection follows inside that stall; in the background it is left to run as usual, not
    in one long pause that would hold up the turns running meanwhile."""
    active = [row for row in rows if row.active]
    pause_gc = len(active) >= GC_PAUSE_MIN_PRODUCTS and gc.isenabled()
    if pause_gc:
        gc.disable()
    try:
        index = CatalogIndex(active)
    finally:
        if pause_gc:
            gc.enable()
            if pause:
                gc.collect()
    stamps = {row.id: (row.updated_at, row.sku) for row in rows}
    newest = max((row.updated_at for row in rows), default=None)
    return _Live(version, index, stamps, newest)


default_live_index = LiveIndex()
