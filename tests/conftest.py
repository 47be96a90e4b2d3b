"""Shared fixtures: a migrated database (SQLite always, PostgreSQL when
VOXCART_TEST_DATABASE_URL is set), the demo store imported from shared/catalog, an API client,
a staff key and shoppers with tokens."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from commerce import migrate, resolver
from commerce.accounts import create_customer, create_staff_key
from commerce.api.app import create_app
from commerce.db import make_engine
from commerce.service import Store, import_store_files, open_store

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_CATALOG = REPO_ROOT / ".." / "shared" / "catalog"
DEMO_CSV = SHARED_CATALOG / "corner-market.csv"
DEMO_STORE = SHARED_CATALOG / "corner-market.store.yaml"
# Our Korean store (language: ko), for the Korean assistant and the spoken tests.
KOREAN_CSV = Path(__file__).parent / "stores" / "hangang-mart.csv"
KOREAN_STORE = Path(__file__).parent / "stores" / "hangang-mart.store.yaml"
POSTGRES_ENV = "VOXCART_TEST_DATABASE_URL"
POSTGRES_SKIP_REASON = f"set {POSTGRES_ENV} to run on PostgreSQL"


@dataclass
class PostgresSchema:
    """This test process's own schema in the PostgreSQL test database: test runs sharing the
    database (two developers, or a developer and CI on one machine) never see each other."""

    admin: Engine
    name: str
    url: str

    def reset(self) -> None:
        """An empty schema, so each test starts from the migrations alone."""
        with self.admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {self.name} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {self.name}"))

    def drop(self) -> None:
        with self.admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {self.name} CASCADE"))
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[PostgresSchema | None]:
    base = os.environ.get(POSTGRES_ENV, "")
    if not base:
        yield None
        return
    url = make_url(base)
    if url.get_backend_name() != "postgresql":
        pytest.fail(f"{POSTGRES_ENV} must be a postgresql:// URL, got {base!r}")
    name = f"voxcart_test_{os.getpid()}"
    schema_url = url.update_query_dict({"options": f"-csearch_path={name}"})
    schema = PostgresSchema(
        make_engine(base), name, schema_url.render_as_string(hide_password=False)
    )
    yield schema
    schema.drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_schema: PostgresSchema | None
) -> Iterator[str]:
    """A database migrated to head by the real Alembic migrations, empty otherwise."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'voxcart.db'}"
    else:
        if postgres_schema is None:
            pytest.skip(POSTGRES_SKIP_REASON)
        postgres_schema.reset()
        url = postgres_schema.url
    # The resolver caches one index per URL and catalog version; PostgreSQL tests reuse one URL
    # and restart the version at every reset, so a cached index could belong to another test.
    resolver.clear_cache()
    migrate.upgrade(url)
    yield url
    resolver.clear_cache()


@pytest.fixture
def sqlite_database_url(tmp_path: Path) -> Iterator[str]:
    """A migrated SQLite database only, for tests whose subject is not the database (a
    module overrides `database_url` with it)."""
    url = f"sqlite:///{tmp_path / 'voxcart.db'}"
    resolver.clear_cache()
    migrate.upgrade(url)
    yield url
    resolver.clear_cache()


@pytest.fixture
def empty_store(database_url: str) -> Iterator[Store]:
    """A migrated store with no products and no store facts."""
    store = open_store(database_url)
    yield store
    store.close()


@pytest.fixture
def store(empty_store: Store) -> Store:
    """The demo store (Corner Market), imported through the real importer."""
    import_store_files(empty_store, catalog=DEMO_CSV, facts=DEMO_STORE)
    return empty_store


@pytest.fixture
def session(store: Store) -> Iterator[Session]:
    with store.sessions() as session:
        yield session


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(store.sessions)) as client:
        yield client


@pytest.fixture
def staff_key(store: Store) -> str:
    with store.sessions() as session:
        return create_staff_key(session, label="test-staff")


@pytest.fixture
def admin_headers(staff_key: str) -> dict[str, str]:
    return {"X-API-Key": staff_key}


@dataclass(frozen=True)
class Shopper:
    id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_shopper(store: Store) -> Callable[..., Shopper]:
    """Creates shoppers with bearer tokens: make_shopper("Ann") -> Shopper(id, token)."""

    def make(name: str = "Test Shopper", customer_id: str | None = None) -> Shopper:
        with store.sessions() as session:
            customer, token = create_customer(session, name=name, customer_id=customer_id)
        assert token is not None
        return Shopper(customer.id, token)

    return make


@pytest.fixture
def shopper(make_shopper: Callable[..., Shopper]) -> Shopper:
    return make_shopper("Ann", "ann")


# The trained assistant, loaded once per test session (dialogue tests, and API tests of the
# routes `voxcart serve` adds for it).
@pytest.fixture(scope="session")
def model_path() -> Path:
    from commerce.settings import get_settings
    from dialogue.training import train

    # `make test` trains first; this only trains when run on its own with stale data.
    return train(get_settings().models_dir, quiet=True)


@pytest.fixture(scope="session")
def assistant(model_path: Path):  # type: ignore[no-untyped-def]
    from dialogue.runtime import Assistant

    return Assistant.load(model_path)


@pytest.fixture(scope="session")
def korean_assistant():  # type: ignore[no-untyped-def]
    """The Korean model's assistant (a store whose file says `language: ko`)."""
    from commerce.settings import get_settings
    from dialogue.runtime import Assistant
    from dialogue.training import train

    return Assistant.load(train(get_settings().models_dir, language="ko", quiet=True))
