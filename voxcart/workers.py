"""`voxcart serve --workers N`: N server processes on one port, sharing PostgreSQL and Redis.

uvicorn's supervisor binds the port once and starts N *spawned* processes (never forked: a
loaded Rasa agent and TensorFlow are not fork-safe), each loading the model itself and
accepting connections on the shared socket; a worker that dies is replaced.

Nothing a shopper's next request needs may live in one process's memory, so more than one
worker is refused unless it can all be shared:

- commerce data and conversations (Rasa's SQL tracker store): PostgreSQL, not SQLite, whose
  single writer and local file do not serve several processes (or machines);
- the conversation locks (dialogue.conversation_locks) and the rate limiter's counters:
  Redis (`VOXCART_REDIS_URL`);
- the console's session cookies: signed with `VOXCART_CONSOLE_SECRET`; without one, the
  workers share a secret made at start (staff sign in again after a restart).

Also shared by construction: notices are claimed with a conditional UPDATE, stock with an
atomic UPDATE, the PIN's wrong tries on the customer row, the `pending` question in the
tracker; the catalog index each process caches is rebuilt when the database's catalog
version moves. The turn log's rows wait milliseconds in a process before they are written:
a killed process may lose those rows (never a conversation or an order).
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

# A worker loading the model (TensorFlow, the Rasa graph) may answer the supervisor's
# health check slowly; uvicorn's 5 s default would kill it as hung while it starts.
HEALTHCHECK_TIMEOUT_S = 60


class NotShareable(Exception):
    """Several server processes cannot share this configuration; the message says why and
    what to set."""


@dataclass(frozen=True)
class WorkerOptions:
    """What each spawned worker needs beyond the environment's settings (pickled to it)."""

    database_url: str
    model: Path | None  # None: the store API only, no assistant


def check_shareable(settings: Any) -> None:
    """Raises NotShareable unless every process can share the database, the conversation
    locks and the rate limits."""
    url = settings.effective_database_url
    if make_url(url).get_backend_name() != "postgresql":
        raise NotShareable(
            "several server processes need a PostgreSQL database they all share "
            f"(this is {make_url(url).get_backend_name()}); set VOXCART_DATABASE_URL or "
            "--database-url to postgresql+psycopg2://USER:PASSWORD@HOST:5432/DB"
        )
    if not settings.redis_url:
        raise NotShareable(
            "several server processes need Redis for the conversation locks and rate limits; "
            "set VOXCART_REDIS_URL=redis://HOST:6379/0"
        )
    import redis

    try:
        redis.Redis.from_url(settings.redis_url, socket_timeout=5).ping()
    except (redis.RedisError, ValueError) as exc:
        raise NotShareable(
            f"VOXCART_REDIS_URL={settings.redis_url} does not answer ({exc}); start Redis "
            "or fix the URL"
        ) from None


def serve_workers(
    settings: Any, *, host: str, port: int, workers: int, model: Callable[[], Path] | None
) -> None:
    """Runs `workers` server processes on host:port until interrupted; `model` finds the
    trained model (training it when needed), None serves the store API alone."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    if workers < 1:
        raise NotShareable(f"--workers must be 1 or more, not {workers}")
    check_shareable(settings)
    if not settings.console_secret:
        # Spawned workers inherit the environment: one secret for all of them.
        os.environ["VOXCART_CONSOLE_SECRET"] = secrets.token_urlsafe(32)
    options = WorkerOptions(settings.effective_database_url, model() if model else None)
    config = uvicorn.Config(
        partial(worker_app, options),
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # rasa pins websockets 10.4, which uvicorn's default websocket support cannot import.
        ws="none",
        log_level="warning",
        timeout_graceful_shutdown=3,
        timeout_worker_healthcheck=HEALTHCHECK_TIMEOUT_S,
    )
    socket = config.bind_socket()
    print(
        f"voxcart store API on http://{host}:{port} ({workers} worker processes; "
        f"docs at http://{host}:{port}/docs)",
        flush=True,
    )
    Multiprocess(config, sockets=[socket]).run()


def worker_app(options: WorkerOptions) -> Any:
    """The app one worker serves, built in the worker process."""
    from uvicorn.config import STARTUP_FAILURE

    try:
        return _build_app(options)
    except Exception as exc:  # noqa: BLE001 - said once; the supervisor must not restart it
        print(f"voxcart worker {os.getpid()} could not start: {exc}", file=sys.stderr, flush=True)
        sys.exit(STARTUP_FAILURE)


def _build_app(options: WorkerOptions) -> Any:
    from commerce.api.app import create_app
    from commerce.service import open_store
    from commerce.settings import get_settings
    from voxcart.warm_up import build_catalog_index

    settings = get_settings()
    settings.database_url = options.database_url
    store = open_store(options.database_url)
    routers: list[Any] = []
    if options.model is not None:
        from dialogue import context
        from dialogue.cli import assistant_routers
        from dialogue.conversation_locks import lock_store_for
        from dialogue.runtime import Assistant, tracker_store_for

        context.configure(store.sessions)
        assistant = Assistant.load(
            options.model,
            tracker_store=tracker_store_for(options.database_url, settings.data_dir),
            lock_store=lock_store_for(settings.redis_url),
        )
        routers = assistant_routers(settings, assistant)
    app = create_app(store.sessions, extra_routers=routers)
    build_catalog_index(store.sessions)  # each worker has its own, built before it serves
    return app
