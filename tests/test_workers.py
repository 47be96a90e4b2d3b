"""`voxcart serve --workers N` refuses what several processes cannot share, saying what to
set (the servers themselves are exercised in tests/test_many_servers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from commerce.settings import Settings
from tests.test_cli import sqlite_url, voxcart
from voxcart.workers import NotShareable, check_shareable


def test_sqlite_is_refused_with_the_setting_to_change(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    assert voxcart("db", "upgrade", "--database-url", url, cwd=tmp_path).returncode == 0
    refused = voxcart("serve", "--workers", "2", "--database-url", url, cwd=tmp_path)
    assert refused.returncode == 1
    assert "PostgreSQL" in refused.stderr and "VOXCART_DATABASE_URL" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_postgresql_without_redis_is_refused() -> None:
    settings = Settings(database_url="postgresql+psycopg2://u:p@127.0.0.1:5432/db", redis_url="")
    with pytest.raises(NotShareable, match="VOXCART_REDIS_URL=redis://"):
        check_shareable(settings)


def test_a_redis_that_does_not_answer_is_named() -> None:
    from tests.api.live_server import free_port

    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    settings = Settings(
        database_url="postgresql+psycopg2://u:p@127.0.0.1:5432/db", redis_url=nowhere
    )
    with pytest.raises(NotShareable, match="does not answer"):
        check_shareable(settings)
