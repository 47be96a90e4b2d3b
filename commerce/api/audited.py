"""Audit entries for changes made through the commerce services, from the route that knows
the staff caller.

The services commit their own changes, so a route cannot add an entry after the change and
still be in the same transaction. Instead the route registers the entry before calling the
service, and it is added to the session just before that commit: the change and its entry
land together, and a refused or failed change (an exception, a rollback) leaves no entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from commerce import audit

# A value, or a function giving it, called at commit time to see the state as committed.
State = Any | Callable[[], Any]


def _resolve(state: State) -> Any:
    return state() if callable(state) else state


def record_at_commit(
    session: Session,
    *,
    actor: str,
    action: str,
    target: str,
    before: State = None,
    after: State = None,
) -> None:
    """Writes one audit entry in the session's next commit of the current transaction.
    `before` is usually a snapshot taken now; `after` a function reading the changed rows."""
    transaction = session.get_transaction() or session.begin()

    def write(committing: Session) -> None:
        # A rollback in between (the service refused the change) starts a new transaction;
        # a later, unrelated commit must not log the refused change.
        if committing.get_transaction() is not transaction:
            return
        audit.record(
            committing,
            actor=actor,
            action=action,
            target=target,
            before=_resolve(before),
            after=_resolve(after),
        )

    event.listen(session, "before_commit", write, once=True)
