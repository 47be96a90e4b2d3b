"""Which of a shopper's turns runs now: Rasa's ticket lock, in this process's memory or, with
a Redis URL (`VOXCART_REDIS_URL`), in Redis so that every server process shares it.

Rasa's `RedisLockStore` has two gaps this closes, keeping its keys and its `TicketLock` JSON:

- Its ticket changes are read-modify-write (GET, change, SET). Two processes issuing tickets
  for one shopper at once can both get the same number and run their turns side by side,
  and a cleanup can delete a ticket issued meanwhile. Here every change is one optimistic
  Redis transaction (WATCH/MULTI), retried when another process changed the lock first.
- A waiting turn retries every second, so a shopper who talks over the assistant (barge-in)
  waits a second or more for a turn of a few tens of milliseconds. Here it looks again every
  `LOCK_RETRY_S`: one GET, cheap next to a turn.

A ticket is a lease: it lives `LOCK_LEASE_S` and is renewed while its turn waits or runs, so
a process killed mid-turn holds its shopper's conversation for at most one lease (Rasa's own
lifetime is 60 s), and a live turn never loses its ticket however long it waits.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any, TypeVar

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LockError, LockStore, RedisLockStore

log = logging.getLogger(__name__)

# Same as the in-memory store's retry (dialogue.runtime.LOCK_RETRY_S).
LOCK_RETRY_S = 0.01
# How long a ticket outlives a process that stopped renewing it (killed, or its event loop
# stalled for most of a lease).
LOCK_LEASE_S = 10.0
RENEWALS_PER_LEASE = 5
KEY_PREFIX = "voxcart"  # keys are voxcart:lock:<conversation id>

T = TypeVar("T")


def lock_store_for(redis_url: str) -> Any:
    """The lock store for this configuration: Redis when a URL is set, else this process's
    memory (one server process only)."""
    if not redis_url:
        from dialogue.runtime import fast_lock_store

        return fast_lock_store()
    return RedisTicketLockStore(redis_url)


def is_shared(lock_store: Any) -> bool:
    """Whether several processes can share this lock store."""
    return isinstance(lock_store, RedisLockStore)


class RedisTicketLockStore(RedisLockStore):
    """Rasa's Redis lock store with atomic ticket changes, a short retry and leased tickets."""

    def __init__(self, url: str, *, retry_s: float = LOCK_RETRY_S, lease_s: float = LOCK_LEASE_S):
        import redis

        # Not RedisLockStore.__init__: it takes host and port, not a URL.
        LockStore.__init__(self)
        self.red = redis.Redis.from_url(url, socket_timeout=10)
        self.key_prefix = f"{KEY_PREFIX}:lock:"
        self.retry_s = retry_s
        self.lease_s = lease_s

    def _key(self, conversation_id: str) -> str:
        return self.key_prefix + conversation_id

    def _change(self, conversation_id: str, change: Callable[[TicketLock], T]) -> T:
        """Applies `change` to the stored lock (a new one when there is none) in one Redis
        transaction; retried from a fresh read when another process changed it first. A lock
        left without tickets is deleted; otherwise the key expires with its last ticket."""
        key = self._key(conversation_id)
        outcome: list[T] = []

        def attempt(pipe: Any) -> None:
            outcome.clear()
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else TicketLock(conversation_id)
            outcome.append(change(lock))
            lock.remove_expired_tickets()
            pipe.multi()
            if lock.tickets:
                last_expiry = max(ticket.expires for ticket in lock.tickets)
                pipe.set(key, lock.dumps(), px=max(1, int((last_expiry - time.time()) * 1000)))
            else:
                pipe.delete(key)

        self.red.transaction(attempt, key)
        return outcome[0]

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LEASE_S) -> int:
        try:
            return self._change(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime))
        except Exception as exc:
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    def renew(self, conversation_id: str, ticket_number: int, lifetime: float) -> bool:
        """Extends a live ticket; False when it has already expired (and is gone)."""

        def extend(lock: TicketLock) -> bool:
            for ticket in lock.tickets:
                if ticket.number == ticket_number and not ticket.has_expired():
                    ticket.expires = time.time() + lifetime
                    return True
            return False

        return self._change(conversation_id, extend)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # Removing the ticket deletes the lock when it was the last one, in the same
        # transaction: a ticket issued meanwhile by another process is never deleted with it.
        self.finish_serving(conversation_id, ticket_number)

    def update_lock(self, conversation_id: str) -> None:
        self._change(conversation_id, lambda lock: None)

    @asynccontextmanager
    async def lock(  # type: ignore[override]
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LEASE_S,
        wait_time_in_seconds: float = LOCK_RETRY_S,
    ) -> AsyncIterator[TicketLock]:
        """Rasa's `lock`, with this store's retry and lease whatever the caller asks: Rasa's
        callers pass its 1 s retry and 60 s lifetime."""
        ticket = self.issue_ticket(conversation_id, self.lease_s)
        renewer = asyncio.create_task(self._keep_renewed(conversation_id, ticket))
        try:
            yield await self._acquire_lock(conversation_id, ticket, self.retry_s)
        finally:
            renewer.cancel()
            with suppress(asyncio.CancelledError):
                await renewer
            self.cleanup(conversation_id, ticket)

    async def _acquire_lock(
        self, conversation_id: str, ticket: int, wait_time_in_seconds: float
    ) -> TicketLock:
        while True:
            lock = self.get_lock(conversation_id)
            if lock is None or all(t.number != ticket for t in _live(lock)):
                # Our ticket expired: a lease was not renewed for a whole lease.
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait_time_in_seconds)

    async def _keep_renewed(self, conversation_id: str, ticket: int) -> None:
        while True:
            await asyncio.sleep(self.lease_s / RENEWALS_PER_LEASE)
            try:
                if not self.renew(conversation_id, ticket, self.lease_s):
                    log.warning("conversation %s: its lock lease expired", conversation_id)
                    return
            except Exception:  # noqa: BLE001 - Redis unreachable: the turn itself will say so
                log.warning("could not renew a conversation lock", exc_info=True)


def _live(lock: TicketLock) -> list[Ticket]:
    lock.remove_expired_tickets()
    return list(lock.tickets)
