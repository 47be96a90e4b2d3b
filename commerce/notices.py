"""Notices for a shopper, told without being asked: queued here, taken by the shopper's
channel on their next turn (oldest first, each once).

A minimal copy of the contract shared with the notices work (issue 10): the same signatures,
so the console's staff replies reach the shopper before that work is merged."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce.errors import InvalidRequest
from commerce.models import Notice

MAX_NOTICE_CHARS = 1000


def enqueue_notice(session: Session, *, customer_id: str, text: str, kind: str) -> Notice:
    """Queues `text` for the shopper; the caller commits (with the change it tells about)."""
    text = " ".join(text.split())
    if not text:
        raise InvalidRequest("a notice needs some text")
    if len(text) > MAX_NOTICE_CHARS:
        raise InvalidRequest(f"a notice is at most {MAX_NOTICE_CHARS} characters")
    notice = Notice(customer_id=customer_id, text=text, kind=kind)
    session.add(notice)
    return notice


def take_notices(session: Session, *, customer_id: str) -> list[Notice]:
    """The shopper's undelivered notices, oldest first, marked delivered (committed)."""
    notices = list(
        session.scalars(
            select(Notice)
            .where(Notice.customer_id == customer_id, Notice.delivered_at.is_(None))
            .order_by(Notice.created_at, Notice.id)
            .with_for_update()
        )
    )
    if notices:
        now = datetime.now(timezone.utc)
        for notice in notices:
            notice.delivered_at = now
        session.commit()
    return notices
