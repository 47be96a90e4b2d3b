"""Benchmark: milliseconds per text turn, p50/p95, side by side on this machine in one run:

1. in-process: voxcart's Assistant (Rasa agent + in-process actions), in-memory tracker store;
   and the same without dialogue.rasa_hot_paths (Rasa's per-call costs it removes)
2. in-process with the SQL tracker store (what `voxcart run` uses)
3. over HTTP: `voxcart serve`'s REST text channel (real process, real socket)
4. stock Rasa: `rasa run` (REST channel) + `rasa run actions` (action server over HTTP)
5. a long conversation: one shopper, LONG_TURNS turns of the conversation over and over, in
   process on the SQL tracker store; its first ten turns against its last ten

Run: .venv/bin/python benchmarks/dialogue_turns.py [--conversations N]
Only loopback addresses are used; every loop is bounded and the servers are stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.stats import free_port, percentile  # noqa: E402
from commerce import migrate  # noqa: E402
from commerce.accounts import create_customer  # noqa: E402
from commerce.service import import_store_files, open_store  # noqa: E402
from commerce.settings import get_settings  # noqa: E402
from dialogue import context  # noqa: E402
from dialogue.runtime import Assistant, tracker_store_for  # noqa: E402
from dialogue.training import PROJECT_DIR, train  # noqa: E402

CONVERSATION = [
    "hi",
    "two croissants and a large oat latte",
    "how much is the sourdough",
    "and some milk",
    "the oat one",
    "what's in my cart",
    "what time do you close today",
    "remove the milk",
    "check out",
    "no",
]
BIN = Path(sys.executable).parent
LONG_TURNS = 60


def percentiles(samples: list[float]) -> tuple[float, float]:
    return percentile(samples, 50), percentile(samples, 95)


def wait_ready(url: str, process: subprocess.Popen, limit_s: float = 180) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} not ready after {limit_s} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


async def in_process(
    assistant: Assistant, senders: list[str], cpu: list[float] | None = None
) -> list[float]:
    """Wall time per turn; with `cpu`, also the CPU time this process spent on each turn (all
    its threads), which bounds how many turns a core can serve."""
    samples = []
    for sender in senders:
        for text in CONVERSATION:
            started, started_cpu = time.perf_counter(), time.process_time()
            await assistant.respond(sender, text)
            samples.append((time.perf_counter() - started) * 1000)
            if cpu is not None:
                cpu.append((time.process_time() - started_cpu) * 1000)
    return samples


async def graph_only(assistant: Assistant, sender: str) -> list[float]:
    """CPU ms per turn of Rasa's own model graph alone: the NLU parse and two policy
    predictions (a turn makes one before its action and one after), on a tracker that has had
    the benchmark's conversation; no action, database or tracker store work. However fast the
    rest, a core cannot serve more turns per second than 1000 / this."""
    from rasa.core.channels.channel import UserMessage

    processor = assistant.agent.processor
    tracker = await processor.fetch_tracker_with_initial_session(sender)
    samples = []
    for _ in range(5):
        for text in CONVERSATION:
            started = time.process_time()
            await processor.parse_message(UserMessage(text, sender_id=sender), tracker)
            processor._predict_next_with_tracker(tracker)
            processor._predict_next_with_tracker(tracker)
            samples.append((time.process_time() - started) * 1000)
    return samples


async def long_conversation(assistant: Assistant, sender: str) -> list[float]:
    samples = []
    for turn in range(LONG_TURNS):
        started = time.perf_counter()
        await assistant.respond(sender, CONVERSATION[turn % len(CONVERSATION)])
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def over_http(url: str, conversations: list[tuple[str, dict[str, str]]]) -> list[float]:
    samples = []
    with httpx.Client(timeout=30) as client:
        for sender, headers in conversations:
            for text in CONVERSATION:
                started = time.perf_counter()
                response = client.post(
                    url, json={"sender": sender, "message": text}, headers=headers
                )
                response.raise_for_status()
                samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=8, help="per mode (10 turns each)")
    args = parser.parse_args()
    n = args.conversations
    settings = get_settings()
    model = train(settings.models_dir, quiet=True)
    catalog, store_file = settings.demo_store_files()
    workdir = Path(tempfile.mkdtemp(prefix="voxcart-bench-"))
    processes: list[subprocess.Popen] = []
    results: dict[str, list[float]] = {}
    try:
        url = f"sqlite:///{workdir / 'store.db'}"
        migrate.upgrade(url)
        store = open_store(url)
        import_store_files(store, catalog=catalog, facts=store_file)
        context.configure(store.sessions)
        # Enough stock for every conversation's two croissants.
        from commerce.catalog import set_stock

        with store.sessions() as session:
            set_stock(session, sku="CROISSANT", stock=10_000)

        print(f"model {model.name}; {n} conversations x {len(CONVERSATION)} turns per mode")
        from rasa.core.actions.action import RemoteAction
        from rasa.engine.runner.dask import DaskGraphRunner
        from rasa.shared.core.events import Event

        def hot_paths() -> tuple:
            return (
                RemoteAction._validate_action_result,
                Event.__dict__["resolve_by_type"],
                DaskGraphRunner.run,
            )

        def use_hot_paths(paths: tuple) -> None:
            (  # type: ignore
                RemoteAction._validate_action_result,
                Event.resolve_by_type,
                DaskGraphRunner.run,
            ) = paths

        rasas_own = hot_paths()
        started = time.perf_counter()
        assistant = Assistant.load(model)  # installs dialogue.rasa_hot_paths
        print(f"Assistant.load: {time.perf_counter() - started:.1f} s")
        voxcarts = hot_paths()

        loop = asyncio.new_event_loop()
        loop.run_until_complete(in_process(assistant, ["warmup"]))
        results["in-process (memory tracker)"] = loop.run_until_complete(
            in_process(assistant, [f"mem-{i}" for i in range(n)])
        )
        # The same without dialogue.rasa_hot_paths (what stock Rasa pays per turn).
        use_hot_paths(rasas_own)
        results["in-process, without hot-path fixes"] = loop.run_until_complete(
            in_process(assistant, [f"val-{i}" for i in range(n)])
        )
        use_hot_paths(voxcarts)
        assistant.use_tracker_store(tracker_store_for(url, workdir))
        cpu: list[float] = []
        results["in-process (SQL tracker)"] = loop.run_until_complete(
            in_process(assistant, [f"sql-{i}" for i in range(n)], cpu)
        )
        graph_cpu = loop.run_until_complete(graph_only(assistant, f"sql-{n - 1}"))
        long = loop.run_until_complete(long_conversation(assistant, "long-1"))
        results[f"long conversation: turns 1-10 of {LONG_TURNS}"] = long[:10]
        results[f"long conversation: turns {LONG_TURNS - 9}-{LONG_TURNS}"] = long[-10:]
        loop.close()

        # voxcart serve: the REST text channel over a real socket.
        port = free_port()
        tokens = []
        with store.sessions() as session:
            for i in range(n + 1):
                customer, token = create_customer(session, name=f"Http {i}")
                tokens.append((customer.id, {"Authorization": f"Bearer {token}"}))
        # No rate limit: this measures how fast turns are answered, not how many are allowed.
        env = {
            **os.environ,
            "VOXCART_DATA_DIR": str(workdir / "serve"),
            "VOXCART_RATE_LIMIT_SHOPPER": "",
        }
        serve = subprocess.Popen(
            [str(BIN / "voxcart"), "serve", "--database-url", url, "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(serve)
        wait_ready(f"http://127.0.0.1:{port}/docs", serve)
        webhook = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
        over_http(webhook, tokens[:1])
        results["HTTP channel (voxcart serve)"] = over_http(webhook, tokens[1:])
        stop(serve)

        # Stock Rasa: rasa run + the stock action server.
        action_port, rasa_port = free_port(), free_port()
        (workdir / "endpoints.yml").write_text(
            f"action_endpoint:\n  url: http://127.0.0.1:{action_port}/webhook\n"
        )
        (workdir / "credentials.yml").write_text("rest:\n")
        stock_env = {**os.environ, "VOXCART_DATABASE_URL": url}
        actions = subprocess.Popen(
            [
                str(BIN / "rasa"),
                "run",
                "actions",
                "--actions",
                "dialogue.actions",
                "--port",
                str(action_port),
            ],
            env=stock_env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(actions)
        rasa = subprocess.Popen(
            [
                str(BIN / "rasa"),
                "run",
                "--model",
                str(model),
                "--port",
                str(rasa_port),
                "--endpoints",
                str(workdir / "endpoints.yml"),
                "--credentials",
                str(workdir / "credentials.yml"),
                "-i",
                "127.0.0.1",
            ],
            env=stock_env,
            cwd=PROJECT_DIR,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(rasa)
        wait_ready(f"http://127.0.0.1:{action_port}/health", actions)
        wait_ready(f"http://127.0.0.1:{rasa_port}/", rasa)
        stock_webhook = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
        over_http(stock_webhook, [("stock-warmup", {})])
        results["stock Rasa (rasa run + action server)"] = over_http(
            stock_webhook, [(f"stock-{i}", {}) for i in range(n)]
        )
    finally:
        for process in processes:
            stop(process)
        shutil.rmtree(workdir, ignore_errors=True)

    base = percentiles(results["in-process (memory tracker)"])[0]
    print(f"\n{'mode':<40} {'turns':>5} {'p50 ms':>8} {'p95 ms':>8} {'p50 / in-process':>17}")
    for mode, samples in results.items():
        p50, p95 = percentiles(samples)
        print(f"{mode:<40} {len(samples):>5} {p50:>8.1f} {p95:>8.1f} {p50 / base:>16.2f}x")
    ours = percentiles(results["HTTP channel (voxcart serve)"])[0]
    stock = percentiles(results["stock Rasa (rasa run + action server)"])[0]
    print(f"\nvoxcart HTTP vs stock Rasa, p50: {stock / ours:.2f}x faster (goal 3x)")
    cpu_p50, cpu_p95 = percentiles(cpu)
    print(
        f"CPU per in-process turn (SQL tracker): p50 {cpu_p50:.1f} / p95 {cpu_p95:.1f} ms, so one "
        f"core serves at most {1000 / cpu_p50:.0f} turns/s before any HTTP work"
    )
    graph_p50, graph_p95 = percentiles(graph_cpu)
    print(
        f"CPU of Rasa's model graph alone (NLU parse + two predictions): p50 {graph_p50:.1f} / "
        f"p95 {graph_p95:.1f} ms, so one core serves at most {1000 / graph_p50:.0f} turns/s "
        "even if everything else cost nothing"
    )


if __name__ == "__main__":
    main()
