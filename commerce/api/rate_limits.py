"""Rate limits on the whole HTTP API, as ASGI middleware, with the `limits` library's moving
window: per staff key (`X-API-Key`), per shopper token (`Authorization: Bearer`), and per
client address for requests without credentials.

Callers are told apart by a hash of the credential they send, never by a database lookup, so
a flood costs no queries. Sending made-up credentials does not escape the address's budget:
every request that ends 401 counts against the address, and an address over that budget is
refused before its credentials are looked at.

Counters live in this process's memory, or in Redis (`VOXCART_REDIS_URL`) so that several
server processes share them.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from commerce.api.error_shape import send_error
from commerce.settings import Settings

log = logging.getLogger(__name__)

# Rasa's action server protocol: the caller is the store's own Rasa server, holding the shared
# secret and calling for every shopper at once; a per-caller budget would throttle the store.
UNLIMITED_PATHS = frozenset({"/webhook", "/actions"})
CONSOLE_COOKIE = "voxcart_console"  # commerce.console.session.SESSION_COOKIE
_WHO = {"staff": "staff key", "shopper": "shopper token", "anonymous": "address"}


def _limits(notation: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(notation)) if notation.strip() else ()


@dataclass(frozen=True)
class RateLimits:
    """Limits in the `limits` notation ("120/minute", several joined by ";"); empty: none."""

    staff: str = "600/minute"
    shopper: str = "120/minute"
    anonymous: str = "60/minute"
    storage_url: str = "memory://"
    unlimited_paths: frozenset[str] = UNLIMITED_PATHS
    # A Redis that accepts connections but never answers would otherwise hold every request
    # forever; after this the check fails open like a Redis that refuses connections.
    storage_timeout_s: float = 1.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimits:
        return cls(
            staff=settings.rate_limit_staff,
            shopper=settings.rate_limit_shopper,
            anonymous=settings.rate_limit_anonymous,
            storage_url=settings.redis_url or "memory://",
        )

    def __post_init__(self) -> None:
        """Raises ValueError naming the setting that is not a rate limit."""
        for name in ("staff", "shopper", "anonymous"):
            try:
                _limits(getattr(self, name))
            except ValueError as exc:
                raise ValueError(f"VOXCART_RATE_LIMIT_{name.upper()}: {exc}") from None


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _caller(scope: Scope) -> tuple[str, str]:
    """(kind, identity): the credential's hash for staff and shoppers, else the address."""
    headers = {key: value for key, value in scope["headers"]}
    api_key = headers.get(b"x-api-key", b"").strip()
    if api_key:
        return "staff", _digest(api_key.decode("latin-1"))
    authorization = headers.get(b"authorization", b"").strip()
    if authorization:
        return "shopper", _digest(authorization.decode("latin-1"))
    session = _console_session(headers.get(b"cookie", b""))
    if session:
        # A console session is a staff credential; a forged cookie ends 401 like a bad key.
        return "staff", _digest(session)
    return "anonymous", _address(scope)


def _console_session(cookie_header: bytes) -> str | None:
    for part in cookie_header.decode("latin-1").split(";"):
        name, _, value = part.strip().partition("=")
        if name == CONSOLE_COOKIE and value:
            return value
    return None


def _address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, *, limits: RateLimits) -> None:
        self.app = app
        self.unlimited_paths = limits.unlimited_paths
        self.by_kind = {
            "staff": _limits(limits.staff),
            "shopper": _limits(limits.shopper),
            "anonymous": _limits(limits.anonymous),
        }
        # The limiter holds its storage weakly: this reference keeps it alive.
        # In memory a check takes microseconds; a Redis round trip runs off the event loop.
        self.in_memory = limits.storage_url.startswith("memory://")
        timeouts = {
            "socket_timeout": limits.storage_timeout_s,
            "socket_connect_timeout": limits.storage_timeout_s,
        }
        self.storage: Storage = storage_from_string(
            limits.storage_url, **({} if self.in_memory else timeouts)
        )
        self.limiter = MovingWindowRateLimiter(self.storage)
        self._storage_failed_at: float | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kind, identity = _caller(scope)
        address = _address(scope)
        anonymous = self.by_kind["anonymous"]
        unlimited = scope["path"] in self.unlimited_paths
        if unlimited:
            # The store's own Rasa server calls these for every shopper: no budget of its own,
            # but an address that keeps sending the wrong secret is refused like any other.
            kind = "anonymous"
            wait = await self._exhausted(anonymous, "failed", address)
        elif kind == "anonymous":
            wait = await self._hit(anonymous, "anonymous", identity)
        else:
            # An address whose credentials keep failing is refused before they are checked.
            wait = await self._exhausted(anonymous, "failed", address)
            if wait is None:
                wait = await self._hit(self.by_kind[kind], kind, identity)
        if wait is not None:
            await send_error(
                scope,
                receive,
                send,
                status=429,
                code="rate_limited",
                detail=f"too many requests from this {_WHO[kind]}; retry in {wait} s",
                headers={"Retry-After": str(wait)},
            )
            return
        if (kind == "anonymous" and not unlimited) or not anonymous:
            await self.app(scope, receive, send)
            return

        async def send_counting_failures(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                await self._hit(anonymous, "failed", address)
            await send(message)

        await self.app(scope, receive, send_counting_failures)

    async def _hit(self, items: Sequence[RateLimitItem], kind: str, identity: str) -> int | None:
        """Counts one request; the seconds to wait when over a limit, else None."""
        return await self._run(self._hit_now, items, kind, identity)

    async def _exhausted(
        self, items: Sequence[RateLimitItem], kind: str, identity: str
    ) -> int | None:
        """Like _hit, without counting."""
        return await self._run(self._test_now, items, kind, identity)

    def _hit_now(self, items: Sequence[RateLimitItem], kind: str, identity: str) -> int | None:
        over = [item for item in items if not self.limiter.hit(item, "voxcart", kind, identity)]
        return self._retry_after(over, kind, identity)

    def _test_now(self, items: Sequence[RateLimitItem], kind: str, identity: str) -> int | None:
        over = [item for item in items if not self.limiter.test(item, "voxcart", kind, identity)]
        return self._retry_after(over, kind, identity)

    def _retry_after(self, over: list[RateLimitItem], kind: str, identity: str) -> int | None:
        if not over:
            return None
        now = time.time()
        waits = []
        for item in over:
            reset, _ = self.limiter.get_window_stats(item, "voxcart", kind, identity)
            # `limits` truncates the window's timestamp to whole seconds: the +1 makes sure the
            # window really has room when the caller comes back.
            waits.append(math.ceil(reset + 1 - now))
        return max(1, *waits)

    async def _run(self, check: Callable[..., int | None], *args: Any) -> int | None:
        if not args[0]:
            return None
        try:
            if self.in_memory:
                return check(*args)
            return await anyio.to_thread.run_sync(check, *args)
        except Exception:
            # The rate-limit store is down: keep serving (a store must not stop selling because
            # its counters are unreachable), and say so at most once a minute.
            last = self._storage_failed_at
            if last is None or time.monotonic() - last > 60:
                self._storage_failed_at = time.monotonic()
                log.exception("rate limits are not enforced: their storage failed")
            return None
