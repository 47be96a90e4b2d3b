"""Server-sent events for the console: `handoffs` when the open queue or a conversation in it
changes, `orders` when any order is placed or moves. Pages listen with htmx's SSE extension
and fetch the fragment that changed.

Each stream looks at the database once a second (a cheap fingerprint, off the event loop), so
changes made by any server process show up. A stream ends after a few minutes and the browser
reconnects by itself; that keeps a forgotten tab from holding a connection forever."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.responses import StreamingResponse

from commerce.api.deps import SessionDep
from commerce.console.session import Staff, staff_for
from commerce.models import Handoff, Order, OrderStatusChange

router = APIRouter(prefix="/console", include_in_schema=False)
CHECK_EVERY_SECONDS = 1.0
HEARTBEAT_SECONDS = 15.0
STREAM_SECONDS = 300.0


def handoffs_fingerprint(session: Session) -> tuple:
    rows = session.execute(
        select(Handoff.id, Handoff.conversation).where(Handoff.status == "open")
    ).all()
    return tuple((row.id, len(row.conversation or [])) for row in rows)


def orders_fingerprint(session: Session) -> tuple:
    return (
        session.scalar(select(func.max(Order.id))),
        session.scalar(select(func.max(OrderStatusChange.id))),
    )


FINGERPRINTS: dict[str, Callable[[Session], tuple]] = {
    "handoffs": handoffs_fingerprint,
    "orders": orders_fingerprint,
}


def _look(sessions: sessionmaker) -> dict[str, tuple]:
    with sessions() as session:
        return {name: fingerprint(session) for name, fingerprint in FINGERPRINTS.items()}


async def changes(
    request: Request,
    sessions: sessionmaker,
    *,
    every: float = CHECK_EVERY_SECONDS,
    lasts: float | None = None,
) -> AsyncIterator[str]:
    lasts = STREAM_SECONDS if lasts is None else lasts
    seen = await anyio.to_thread.run_sync(_look, sessions)
    yield "retry: 2000\n\n"
    # Something may have changed between rendering the page and connecting (or while the
    # browser reconnected): one refresh of each fragment on connecting closes that gap.
    for name in seen:
        yield f"event: {name}\ndata: connected\n\n"
    started = last_sent = time.monotonic()
    while time.monotonic() - started < lasts:
        await anyio.sleep(every)
        if await request.is_disconnected():
            return
        now = await anyio.to_thread.run_sync(_look, sessions)
        for name, fingerprint in now.items():
            if fingerprint != seen.get(name):
                yield f"event: {name}\ndata: changed\n\n"
                last_sent = time.monotonic()
        seen = now
        if time.monotonic() - last_sent > HEARTBEAT_SECONDS:
            yield ": still here\n\n"  # a comment: keeps proxies from closing a quiet stream
            last_sent = time.monotonic()


@router.get("/events")
def events(
    request: Request, session: SessionDep, staff: Annotated[Staff, Depends(staff_for("orders"))]
) -> StreamingResponse:
    session.close()  # the stream opens its own sessions; this one would sit idle for minutes
    return StreamingResponse(
        changes(request, request.app.state.session_factory),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
