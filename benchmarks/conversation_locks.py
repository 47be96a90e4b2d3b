"""What a turn pays for its conversation lock (issue 9): p50/p95 of taking and releasing a
shopper's lock with nobody else waiting, in this process's memory and in Redis side by side.
Also a hand-over: how long a turn waiting behind another waits once that one releases.

    .venv/bin/python benchmarks/conversation_locks.py [--turns 2000]
        [--redis-url redis://127.0.0.1:6390/0]   (default: VOXCART_TEST_REDIS_URL)

Uses keys voxcart:lock:bench-* in that Redis (each removed as its turn releases it). Stops by
itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.stats import percentile  # noqa: E402
from dialogue.conversation_locks import RedisTicketLockStore  # noqa: E402
from dialogue.runtime import fast_lock_store  # noqa: E402

SHOPPERS = 50  # turns rotate over this many conversations, as a busy store's do


async def lock_and_release(store: Any, turns: int) -> list[float]:
    """Milliseconds per turn for `async with store.lock(sender)`, nothing waiting (wall time:
    with Redis on the same cores, it includes waiting for Redis to be scheduled)."""
    senders = [f"bench-{uuid.uuid4().hex}" for _ in range(SHOPPERS)]
    timings = []
    for turn in range(turns):
        began = time.perf_counter()
        async with store.lock(senders[turn % SHOPPERS]):
            pass
        timings.append((time.perf_counter() - began) * 1000)
    return timings


async def hand_over(store: Any, rounds: int) -> list[float]:
    """Milliseconds from one turn's release to the waiting turn's start."""
    sender = f"bench-{uuid.uuid4().hex}"
    gaps = []
    for _ in range(rounds):
        released = asyncio.Event()
        released_at = 0.0

        async def running(released: asyncio.Event) -> None:
            nonlocal released_at
            async with store.lock(sender):
                await released.wait()
            released_at = time.perf_counter()

        first = asyncio.create_task(running(released))
        await asyncio.sleep(0.005)
        waiting = asyncio.create_task(_started_at(store, sender))
        await asyncio.sleep(0.03)
        released.set()
        await first
        gaps.append((await waiting - released_at) * 1000)
    return gaps


async def _started_at(store: Any, sender: str) -> float:
    async with store.lock(sender):
        return time.perf_counter()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=2000)
    parser.add_argument("--hand-overs", type=int, default=50)
    parser.add_argument("--redis-url", default=os.environ.get("VOXCART_TEST_REDIS_URL", ""))
    args = parser.parse_args()
    if not args.redis_url:
        parser.error("give --redis-url or set VOXCART_TEST_REDIS_URL (scripts/test-redis.sh)")
    stores = {"memory": fast_lock_store(), "redis": RedisTicketLockStore(args.redis_url)}
    for name, store in stores.items():
        asyncio.run(lock_and_release(store, 100))  # warm up connections and scripts
        cpu_began = time.process_time()
        timings = asyncio.run(lock_and_release(store, args.turns))
        # This process's CPU per turn: what the lock takes from the server's own core.
        cpu_ms = (time.process_time() - cpu_began) * 1000 / args.turns
        gaps = asyncio.run(hand_over(store, args.hand_overs))
        print(
            f"{name:6} lock+release p50 {percentile(timings, 50):.3f} ms "
            f"p95 {percentile(timings, 95):.3f} ms, CPU {cpu_ms:.3f} ms ({args.turns} turns); "
            f"hand-over p50 {percentile(gaps, 50):.1f} ms p95 {percentile(gaps, 95):.1f} ms",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
