"""Conversation locks in Redis (dialogue.conversation_locks): several store objects stand for
several server processes sharing one Redis."""

from __future__ import annotations

import asyncio
import os
import threading
import time
import uuid

import pytest

from dialogue.conversation_locks import RedisTicketLockStore, lock_store_for

REDIS_ENV = "VOXCART_TEST_REDIS_URL"

pytestmark = pytest.mark.skipif(
    not os.environ.get(REDIS_ENV),
    reason=f"set {REDIS_ENV} (scripts/test-redis.sh starts one) to test Redis locks",
)


def stores(count: int, **kwargs: float) -> list[RedisTicketLockStore]:
    return [RedisTicketLockStore(os.environ[REDIS_ENV], **kwargs) for _ in range(count)]


def conversation() -> str:
    return f"test-{uuid.uuid4().hex}"


def test_the_setting_chooses_redis() -> None:
    assert isinstance(lock_store_for(os.environ[REDIS_ENV]), RedisTicketLockStore)
    assert not isinstance(lock_store_for(""), RedisTicketLockStore)


def test_processes_issuing_tickets_at_once_never_share_a_number() -> None:
    """Rasa's RedisLockStore reads, changes and writes the lock: under this load it hands
    the same ticket number to several callers (two turns running at once)."""
    sender, issued = conversation(), []
    processes = stores(6)

    def issue(store: RedisTicketLockStore) -> None:
        for _ in range(40):
            issued.append(store.issue_ticket(sender, 10))

    threads = [threading.Thread(target=issue, args=(store,)) for store in processes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(issued) == list(range(len(issued)))
    for number in issued:
        processes[0].cleanup(sender, number)
    assert not processes[0].red.exists(processes[0]._key(sender))


def test_cleanup_keeps_a_ticket_issued_meanwhile() -> None:
    first, second = stores(2)
    sender = conversation()
    mine = first.issue_ticket(sender, 10)
    theirs = second.issue_ticket(sender, 10)
    first.cleanup(sender, mine)
    lock = second.get_lock(sender)
    assert lock is not None and not lock.is_locked(theirs)
    second.cleanup(sender, theirs)


def test_a_waiting_turn_starts_as_soon_as_the_running_one_ends() -> None:
    first, second = stores(2)
    sender = conversation()
    order: list[str] = []

    async def turn(store: RedisTicketLockStore, name: str, seconds: float) -> float:
        async with store.lock(sender):
            order.append(name)
            await asyncio.sleep(seconds)
        return time.perf_counter()

    async def both() -> tuple[float, float]:
        running = asyncio.create_task(turn(first, "first", 0.2))
        await asyncio.sleep(0.02)
        waiting = asyncio.create_task(turn(second, "second", 0))
        return await running, await waiting

    first_done, second_done = asyncio.run(both())
    assert order == ["first", "second"]
    assert second_done - first_done < 0.1  # Rasa's own retry: up to a second


def test_a_dead_process_holds_a_conversation_for_one_lease_at_most() -> None:
    """A ticket nobody renews (its process was killed mid-turn) expires after the lease;
    a live turn's ticket is renewed and outlasts it."""
    dead, alive = stores(2, lease_s=0.3)
    sender = conversation()
    dead.issue_ticket(sender, dead.lease_s)  # and never renewed or cleaned up

    async def next_turn() -> float:
        began = time.perf_counter()
        async with alive.lock(sender):
            waited = time.perf_counter() - began
            await asyncio.sleep(0.7)  # longer than a lease: renewed meanwhile
            lock = alive.get_lock(sender)
            assert lock is not None and lock.is_someone_waiting()
        return waited

    waited = asyncio.run(next_turn())
    assert 0.2 < waited < 0.6
    assert not alive.red.exists(alive._key(sender))


def test_a_number_that_expired_at_the_end_of_the_queue_is_never_issued_again() -> None:
    """Its holder may only be stalled: were the number issued again, it would take the new
    ticket for its own and run beside that turn."""
    (store,) = stores(1)
    sender = conversation()
    first = store.issue_ticket(sender, 10)
    stalled = store.issue_ticket(sender, 0.1)
    time.sleep(0.2)
    assert store.issue_ticket(sender, 10) == stalled + 1
    lock = store.get_lock(sender)
    assert lock is not None and [t.number for t in lock.tickets] == [first, stalled + 1]
    store.cleanup(sender, first)
    store.cleanup(sender, stalled + 1)
    assert not store.red.exists(store._key(sender))


def test_a_turn_nobody_waits_for_costs_two_round_trips(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its ticket (served at once, so no poll) and its release: one script each."""
    import redis.asyncio

    (store,) = stores(1)
    sent: list[str] = []
    execute = redis.asyncio.Redis.execute_command

    async def counting(self: redis.asyncio.Redis, *args: object, **options: object) -> object:
        sent.append(str(args[0]))
        return await execute(self, *args, **options)

    monkeypatch.setattr(redis.asyncio.Redis, "execute_command", counting)
    sender = conversation()

    async def turns() -> None:
        for _ in range(2):  # the first also loads the scripts into Redis
            sent.clear()
            async with store.lock(sender):
                pass

    asyncio.run(turns())
    assert sent == ["EVALSHA", "EVALSHA"]
    assert not store.red.exists(store._key(sender))
