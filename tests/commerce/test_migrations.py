"""The Alembic migrations build exactly the schema the models describe, and undo it."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from commerce import migrate
from commerce.db import make_engine
from commerce.models import Base
from commerce.service import open_store, schema_is_current

MODEL_TABLES = set(Base.metadata.tables)


def head_revision(url: str) -> str:
    head = ScriptDirectory.from_config(migrate.alembic_config(url)).get_current_head()
    assert head is not None
    return head


def current_revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def schema_differences(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def test_upgrade_from_empty_matches_the_models(database_url: str) -> None:
    # The fixture upgraded an empty database to head with the real migrations.
    assert current_revision(database_url) == head_revision(database_url)
    assert tables(database_url) == MODEL_TABLES | {"alembic_version"}
    assert schema_differences(database_url) == []


def test_downgrade_to_base_removes_every_table(database_url: str) -> None:
    migrate.downgrade(database_url, "base")
    assert tables(database_url) <= {"alembic_version"}
    assert current_revision(database_url) is None
    migrate.upgrade(database_url)
    assert schema_differences(database_url) == []


def test_upgrade_is_idempotent(database_url: str) -> None:
    migrate.upgrade(database_url)
    migrate.upgrade(database_url)
    assert current_revision(database_url) == head_revision(database_url)
    assert schema_differences(database_url) == []


def test_each_revision_downgrades_and_upgrades_step_by_step(database_url: str) -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config(database_url))
    revisions = [r.revision for r in script.walk_revisions("base", "heads")]  # newest first
    for revision in revisions:
        migrate.downgrade(database_url, "-1")
        assert current_revision(database_url) != revision
    assert tables(database_url) <= {"alembic_version"}
    for revision in reversed(revisions):
        migrate.upgrade(database_url, revision)
        assert current_revision(database_url) == revision
    assert schema_differences(database_url) == []


def test_schema_is_current_tells_migrated_from_not(database_url: str) -> None:
    store = open_store(database_url)
    try:
        assert schema_is_current(store.engine)
        migrate.downgrade(database_url, "base")
        assert not schema_is_current(store.engine)
    finally:
        store.close()
