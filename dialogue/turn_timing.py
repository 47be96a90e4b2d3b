"""When the current turn's message arrived, for the turn log's latency.

`Assistant.respond` marks the moment the shopper's words reach the assistant; the action that
ends the turn runs in the same asyncio task chain (and `asyncio.to_thread` copies the context),
so it reads the mark back. Under the stock action server nothing marks it, and the latency
counts from the start of the action instead (documented in commerce.kpis)."""

from __future__ import annotations

import time
from contextvars import ContextVar

_received_at: ContextVar[float | None] = ContextVar("turn_received_at", default=None)


def mark_received() -> None:
    _received_at.set(time.monotonic())


def received_at() -> float | None:
    return _received_at.get()
