"""The staff audit log: every change made with a staff key (or the staff CLI), with who did
it, when, and the state before and after. Written in the same transaction as the change, so
a change and its record land together or not at all."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce.models import StaffAuditEntry, StaffKey


def actor_of(staff: StaffKey | None) -> str:
    """How the log names a caller: the staff key's id and label, or the local CLI."""
    if staff is None:
        return "cli"
    return f"staff:{staff.id}" + (f" ({staff.label})" if staff.label else "")


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    target: str = "",
    before: Any = None,
    after: Any = None,
) -> StaffAuditEntry:
    """Adds an entry to the session; the caller's commit writes it with the change itself."""
    entry = StaffAuditEntry(
        actor=actor[:200], action=action[:64], target=target[:200], before=before, after=after
    )
    session.add(entry)
    return entry


def list_entries(
    session: Session, *, since: datetime | None = None, limit: int = 100, offset: int = 0
) -> list[StaffAuditEntry]:
    query = select(StaffAuditEntry).order_by(StaffAuditEntry.id.desc())
    if since is not None:
        query = query.where(StaffAuditEntry.at >= since)
    return list(session.scalars(query.limit(limit).offset(offset)))
