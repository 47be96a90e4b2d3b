"""Benchmark: how many text turns one `voxcart serve` answers, and how fast, under load.

Starts a real `voxcart serve` (REST channel, SQL tracker store, shopper rate limit off) on a
fresh SQLite store and drives `POST /webhooks/rest/webhook` with shoppers that each hold a
token, every shopper going through the dialogue_turns conversation again and again:

- closed loop: N shoppers, each sending its next turn as soon as the previous one is answered
  (the most the server does);
- open loop: turns offered at a fixed rate from S shoppers whatever the server does, latency
  counted from when each turn was due, so a server that falls behind shows it (a shopper
  with a turn still running waits for it: one conversation never has two turns at once).

Prints p50, p95, p99, errors and turns/s per mode. Bounded: each mode runs for its duration
and at most --max-in-flight turns are outstanding (a turn that would exceed it is counted as
an error, not queued). Only the loopback address is used; the server is stopped at the end.

Run: .venv/bin/python benchmarks/load_turns.py [--shoppers 200] [--rate 50] [--seconds 20]
Several worker processes (PostgreSQL and Redis, as `serve --workers` needs): add
  --workers 2 --database-url postgresql+psycopg2://... --redis-url redis://127.0.0.1:6390/0
(the run uses a schema of its own in that database and drops it at the end).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.dialogue_turns import BIN, CONVERSATION, stop, wait_ready  # noqa: E402
from benchmarks.stats import free_port, percentile  # noqa: E402
from commerce import migrate  # noqa: E402
from commerce.accounts import create_customer  # noqa: E402
from commerce.catalog import set_stock  # noqa: E402
from commerce.service import import_store_files, open_store  # noqa: E402
from commerce.settings import get_settings  # noqa: E402
from dialogue.training import train  # noqa: E402

# Every conversation adds two croissants per round: enough for any run here.
STOCK = 10_000_000
TURN_TIMEOUT_S = 30.0


@dataclass
class Shopper:
    headers: dict[str, str]
    turn: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def next_text(self) -> str:
        text = CONVERSATION[self.turn % len(CONVERSATION)]
        self.turn += 1
        return text


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    elapsed_s: float = 0.0  # from the first turn to the last answer

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def line(self, mode: str) -> str:
        done = self.latencies_ms
        errors = sum(self.errors.values())
        if not done:
            return f"{mode:<34} no turn answered; errors {errors} {self.errors}"
        p50, p95, p99 = (percentile(done, q) for q in (50, 95, 99))
        said = ", ".join(f"{kind} {n}" for kind, n in sorted(self.errors.items()))
        return (
            f"{mode:<34} {len(done):>6} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f} {errors:>6}"
            f" {len(done) / self.elapsed_s:>8.1f}" + (f"  ({said})" if said else "")
        )


async def one_turn(
    client: httpx.AsyncClient, url: str, shopper: Shopper, due: float, tally: Tally
) -> None:
    """One turn of `shopper`, timed from `due` (when it was meant to start)."""
    async with shopper.lock:
        try:
            response = await client.post(
                url, json={"sender": "", "message": shopper.next_text()}, headers=shopper.headers
            )
        except httpx.HTTPError as exc:
            tally.error(type(exc).__name__)
            return
        if response.status_code != 200:
            tally.error(f"HTTP {response.status_code}")
            return
        tally.latencies_ms.append((time.perf_counter() - due) * 1000)


async def closed_loop(url: str, shoppers: list[Shopper], seconds: float) -> Tally:
    tally = Tally()
    started = time.perf_counter()
    deadline = started + seconds
    limits = httpx.Limits(max_connections=len(shoppers))
    async with httpx.AsyncClient(timeout=TURN_TIMEOUT_S, limits=limits) as client:

        async def shop(shopper: Shopper) -> None:
            while time.perf_counter() < deadline:
                await one_turn(client, url, shopper, time.perf_counter(), tally)

        await asyncio.gather(*(shop(s) for s in shoppers))
    tally.elapsed_s = time.perf_counter() - started
    return tally


async def open_loop(
    url: str, shoppers: list[Shopper], rate: float, seconds: float, max_in_flight: int
) -> Tally:
    tally = Tally()
    total = int(rate * seconds)
    limits = httpx.Limits(max_connections=max_in_flight)
    async with httpx.AsyncClient(timeout=TURN_TIMEOUT_S, limits=limits) as client:
        started = time.perf_counter()
        running: set[asyncio.Task] = set()
        for i in range(total):
            due = started + i / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            if len(running) >= max_in_flight:
                tally.error("over max in flight")
                continue
            task = asyncio.create_task(
                one_turn(client, url, shoppers[i % len(shoppers)], due, tally)
            )
            running.add(task)
            task.add_done_callback(running.discard)
        await asyncio.gather(*running)
    tally.elapsed_s = time.perf_counter() - started
    return tally


def _fresh_schema(database_url: str, schema: str) -> str:
    """A URL to `schema`, created empty in the given PostgreSQL database."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(database_url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    url = make_url(database_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def _drop_schema(database_url: str, schema: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(database_url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--closed-shoppers", type=int, default=32, help="closed loop shoppers")
    parser.add_argument("--shoppers", type=int, default=200, help="open loop shoppers")
    parser.add_argument("--rate", type=float, default=50, help="open loop turns per second")
    parser.add_argument("--seconds", type=float, default=20, help="per mode")
    parser.add_argument("--max-in-flight", type=int, default=400)
    parser.add_argument("--workers", type=int, default=1, help="serve --workers")
    parser.add_argument("--database-url", default="", help="PostgreSQL (default: SQLite)")
    parser.add_argument("--redis-url", default="", help="Redis (needed for --workers > 1)")
    args = parser.parse_args()
    if args.workers > 1 and not (args.database_url and args.redis_url):
        parser.error("--workers > 1 needs --database-url (PostgreSQL) and --redis-url")
    if not (0 < args.seconds <= 300 and 0 < args.rate <= 1000):
        parser.error("--seconds must be in (0, 300] and --rate in (0, 1000]")
    settings = get_settings()
    model = train(settings.models_dir, quiet=True)
    catalog, store_file = settings.demo_store_files()
    workdir = Path(tempfile.mkdtemp(prefix="voxcart-load-"))
    serve = None
    schema = f"voxcart_load_{os.getpid()}"
    try:
        url = (
            _fresh_schema(args.database_url, schema)
            if args.database_url
            else f"sqlite:///{workdir / 'store.db'}"
        )
        migrate.upgrade(url)
        store = open_store(url)
        import_store_files(store, catalog=catalog, facts=store_file)
        shoppers = []
        with store.sessions() as session:
            set_stock(session, sku="CROISSANT", stock=STOCK)
            for i in range(max(args.shoppers, args.closed_shoppers) + 1):
                _, token = create_customer(session, name=f"Load {i}")
                shoppers.append(Shopper({"Authorization": f"Bearer {token}"}))
        port = free_port()
        env = {
            **os.environ,
            "VOXCART_DATA_DIR": str(workdir / "serve"),
            "VOXCART_RATE_LIMIT_SHOPPER": "",
            "VOXCART_REDIS_URL": args.redis_url,
        }
        serve = subprocess.Popen(
            [
                *(str(BIN / "voxcart"), "serve", "--database-url", url, "--port", str(port)),
                *("--workers", str(args.workers)),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_ready(f"http://127.0.0.1:{port}/docs", serve)
        webhook = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
        warmup = asyncio.run(closed_loop(webhook, shoppers[-1:], 2))
        print(f"model {model.name}; warm-up {len(warmup.latencies_ms)} turns")
        closed_shoppers = shoppers[: args.closed_shoppers]
        open_shoppers = shoppers[: args.shoppers]
        closed = asyncio.run(closed_loop(webhook, closed_shoppers, args.seconds))
        opened = asyncio.run(
            open_loop(webhook, open_shoppers, args.rate, args.seconds, args.max_in_flight)
        )
    finally:
        if serve is not None:
            stop(serve)
        if args.database_url:
            _drop_schema(args.database_url, schema)
        shutil.rmtree(workdir, ignore_errors=True)
    header = f"{'mode':<34} {'turns':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}"
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\nserver: {args.workers} worker(s) on {database}")
    print(f"{header} {'turns/s':>8}")
    print(closed.line(f"closed loop, {len(closed_shoppers)} shoppers"))
    mode = f"open loop, {args.rate:g}/s from {len(open_shoppers)}"
    print(opened.line(mode))


if __name__ == "__main__":
    main()
