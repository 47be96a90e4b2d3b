"""Which of a shopper's turns runs now: Rasa's ticket lock, in this process's memory or, with
a Redis URL (`VOXCART_REDIS_URL`), in Redis so that every server process shares it.

Rasa's `RedisLockStore` has gaps this closes, keeping its keys and its `TicketLock` JSON:

- Its ticket changes are read-modify-write (GET, change, SET). Two processes issuing tickets
  for one shopper at once can both get the same number and run their turns side by side,
  and a cleanup can delete a ticket issued meanwhile. Here every change is one Lua script
  (dialogue.lock_scripts) that Redis runs atomically: one round trip, no retries. A turn
  nobody waits for costs two round trips: its ticket (which says it is served at once) and
  its release.
- It talks to Redis synchronously on the event loop; here a turn's lock uses redis-py's
  asyncio client, so a slow or hung Redis stalls that turn, not the whole server.
- A waiting turn retries every second, so a shopper who talks over the assistant (barge-in)
  waits a second or more for a turn of a few tens of milliseconds. Here it looks again every
  `LOCK_RETRY_S`: one read-only script, cheap next to a turn.

A ticket is a lease: it lives `LOCK_LEASE_S` and is renewed while its turn waits or runs, so
a process killed mid-turn holds its shopper's conversation for at most one lease (Rasa's own
lifetime is 60 s), and a live turn never loses its ticket however long it waits.

When Redis does not answer, a turn's lock raises `LockStoreUnavailable` (a Rasa `LockError`):
the channels answer 503 with a code, rather than run the turn unlocked.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LockError, LockStore, RedisLockStore

from dialogue import lock_scripts

log = logging.getLogger(__name__)

# Same as the in-memory store's retry (dialogue.runtime.LOCK_RETRY_S).
LOCK_RETRY_S = 0.01
# How long a ticket outlives a process that stopped renewing it (killed, or its event loop
# stalled for most of a lease).
LOCK_LEASE_S = 10.0
RENEWALS_PER_LEASE = 5
KEY_PREFIX = "voxcart"  # keys are voxcart:lock:<conversation id>
# A lock script takes microseconds; these bound how long a turn waits for a Redis that does
# not answer before it is told the conversation is unavailable.
CONNECT_TIMEOUT_S = 1.0
REPLY_TIMEOUT_S = 3.0


class LockStoreUnavailable(LockError):
    """Redis, which holds the conversation locks, does not answer."""


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


class _Scripts:
    """The lock scripts registered on one client (sync or asyncio); redis-py sends each by
    its SHA and loads it on first use."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.issue = client.register_script(lock_scripts.ISSUE)
        self.poll = client.register_script(lock_scripts.POLL)
        self.renew = client.register_script(lock_scripts.RENEW)
        self.release = client.register_script(lock_scripts.RELEASE)


class RedisTicketLockStore(RedisLockStore):
    """Rasa's Redis lock store with atomic one-round-trip ticket changes, a short retry and
    leased tickets."""

    def __init__(
        self,
        url: str,
        *,
        retry_s: float = LOCK_RETRY_S,
        lease_s: float = LOCK_LEASE_S,
        reply_timeout_s: float = REPLY_TIMEOUT_S,
    ):
        import redis

        # Not RedisLockStore.__init__: it takes host and port, not a URL.
        LockStore.__init__(self)
        self.url = url
        options = {"socket_connect_timeout": CONNECT_TIMEOUT_S, "socket_timeout": reply_timeout_s}
        self.red = redis.Redis.from_url(url, **options)
        self._options = options
        self._sync = _Scripts(self.red)
        # asyncio connections belong to the event loop that opened them: one client per loop.
        self._async: tuple[asyncio.AbstractEventLoop, _Scripts] | None = None
        self.key_prefix = f"{KEY_PREFIX}:lock:"
        self.retry_s = retry_s
        self.lease_s = lease_s

    def _key(self, conversation_id: str) -> str:
        return self.key_prefix + conversation_id

    def _scripts(self) -> _Scripts:
        import redis.asyncio

        loop = asyncio.get_running_loop()
        if self._async is None or self._async[0] is not loop:
            self._async = (loop, _Scripts(redis.asyncio.Redis.from_url(self.url, **self._options)))
        return self._async[1]

    # Rasa's synchronous interface (Rasa's own callers use `lock`; these serve tools and tests).

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LEASE_S) -> int:
        number, _ = self._call(self._sync.issue, conversation_id, conversation_id, lock_lifetime)
        return int(number)

    def renew(self, conversation_id: str, ticket_number: int, lifetime: float) -> bool:
        """Extends a live ticket; False when it has already expired (and is gone)."""
        return bool(
            self._call(self._sync.renew, conversation_id, conversation_id, ticket_number, lifetime)
        )

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._call(self._sync.release, conversation_id, conversation_id, ticket_number)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # Removing the ticket deletes the lock when it was the last one, in the same script:
        # a ticket issued meanwhile by another process is never deleted with it.
        self.finish_serving(conversation_id, ticket_number)

    def update_lock(self, conversation_id: str) -> None:
        """Drops expired tickets (releasing a ticket no one holds)."""
        self.finish_serving(conversation_id, -1)

    def _call(self, script: Any, conversation_id: str, *args: Any) -> Any:
        import redis

        try:
            return script(keys=[self._key(conversation_id)], args=list(args))
        except redis.RedisError as exc:
            raise _unavailable(self.url, exc) from exc

    # The turn's lock, on the event loop.

    @asynccontextmanager
    async def lock(  # type: ignore[override]
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LEASE_S,
        wait_time_in_seconds: float = LOCK_RETRY_S,
    ) -> AsyncIterator[TicketLock]:
        """Rasa's `lock`, with this store's retry and lease whatever the caller asks: Rasa's
        callers pass its 1 s retry and 60 s lifetime. Yields the lock as it was when this
        turn's ticket came up (this ticket alone: the turn needs no other read)."""
        import redis

        scripts = self._scripts()
        key = self._key(conversation_id)
        try:
            number, served = await scripts.issue(keys=[key], args=[conversation_id, self.lease_s])
        except redis.RedisError as exc:
            raise _unavailable(self.url, exc) from exc
        ticket = int(number)
        renewer = asyncio.create_task(self._keep_renewed(scripts, conversation_id, ticket))
        try:
            if not served:
                await self._wait_for_turn(scripts, conversation_id, ticket)
            now_serving = Ticket(ticket, time.time() + self.lease_s)
            yield TicketLock(conversation_id, deque([now_serving]))
        finally:
            renewer.cancel()
            with suppress(asyncio.CancelledError):
                await renewer
            try:
                await scripts.release(keys=[key], args=[conversation_id, ticket])
            except redis.RedisError:
                # The turn is done; its ticket expires with its lease.
                log.warning("could not release conversation %s's lock", conversation_id)

    async def _wait_for_turn(self, scripts: _Scripts, conversation_id: str, ticket: int) -> None:
        import redis

        key = self._key(conversation_id)
        while True:
            await asyncio.sleep(self.retry_s)
            try:
                state = await scripts.poll(keys=[key], args=[ticket])
            except redis.RedisError as exc:
                raise _unavailable(self.url, exc) from exc
            if state == 1:
                return
            if state == -1:
                # Our ticket expired: a lease was not renewed for a whole lease.
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")

    async def _keep_renewed(self, scripts: _Scripts, conversation_id: str, ticket: int) -> None:
        key = self._key(conversation_id)
        while True:
            await asyncio.sleep(self.lease_s / RENEWALS_PER_LEASE)
            try:
                renewed = await scripts.renew(
                    keys=[key], args=[conversation_id, ticket, self.lease_s]
                )
            except Exception:  # noqa: BLE001 - Redis unreachable: the turn itself will say so
                log.warning("could not renew a conversation lock", exc_info=True)
                continue
            if not renewed:
                log.warning("conversation %s: its lock lease expired", conversation_id)
                return


def _unavailable(url: str, exc: Exception) -> LockStoreUnavailable:
    return LockStoreUnavailable(
        f"the conversation locks' Redis ({_without_password(url)}) does not answer: {exc}"
    )


def _without_password(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    return f"{parts.scheme}://{host}:{parts.port or 6379}{parts.path}"
