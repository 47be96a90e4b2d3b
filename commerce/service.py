"""Opening a store: engine, migrations, and the demo store on first start."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from commerce import migrate
from commerce.catalog import catalog_is_empty, import_catalog_file
from commerce.db import make_engine, make_session_factory
from commerce.store import parse_store_file, save_store_facts

log = logging.getLogger(__name__)


@dataclass
class Store:
    engine: Engine
    sessions: sessionmaker

    def close(self) -> None:
        self.engine.dispose()


def open_store(database_url: str) -> Store:
    engine = make_engine(database_url)
    return Store(engine, make_session_factory(engine))


def schema_is_current(engine: Engine) -> bool:
    script = ScriptDirectory.from_config(migrate.alembic_config(str(engine.url)))
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return current == script.get_current_head()


def import_store_files(
    store: Store, *, catalog: Path | None, facts: Path | None, actor: str | None = None
) -> int:
    """Store facts first (validated), then the catalog; each all-or-nothing. With `actor`
    (staff at the command line) each import is in the audit log, committed with it."""
    from commerce.api.audited import record_at_commit

    parsed = parse_store_file(facts) if facts else None
    imported = 0
    with store.sessions() as session:
        if catalog is not None:
            if actor is not None:
                record_at_commit(
                    session, actor=actor, action="catalog.import", target=str(catalog),
                    after={"file": catalog.name},
                )  # fmt: skip
            imported = import_catalog_file(session, path=catalog)
        if parsed is not None:
            if actor is not None:
                record_at_commit(
                    session, actor=actor, action="store.facts", target=str(facts),
                    after={"file": facts.name if facts else "", "name": parsed.name},
                )  # fmt: skip
            save_store_facts(session, facts=parsed)
    return imported


def seed_if_empty(store: Store, *, catalog: Path, facts: Path) -> bool:
    """Imports the demo store when the database has no products; returns whether it did."""
    with store.sessions() as session:
        if not catalog_is_empty(session):
            return False
    count = import_store_files(store, catalog=catalog, facts=facts)
    log.info("imported the demo store: %d products from %s", count, catalog)
    return True
