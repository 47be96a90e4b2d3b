"""Conversations handed to a person: staff see what was said and the cart, then release them
so the assistant takes over again. Orders staff (and admins) handle handoffs."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from commerce.api.audited import record_at_commit
from commerce.api.deps import OrdersStaffDep, SessionDep, current_staff
from commerce.api.schemas import HandoffPublic
from commerce.audit import actor_of
from commerce.handoffs import list_handoffs, release_handoff
from commerce.models import MAX_DB_INTEGER

router = APIRouter(prefix="/admin/handoffs", tags=["staff"], dependencies=[Depends(current_staff)])


@router.get("", response_model=list[HandoffPublic])
def read_handoffs(
    session: SessionDep,
    staff: OrdersStaffDep,
    status: Annotated[Literal["open", "released", "all"], Query()] = "open",
) -> list[HandoffPublic]:
    """Open handoffs (by default), oldest first, with the conversation and the cart."""
    handoffs = list_handoffs(session, status=None if status == "all" else status)
    return [HandoffPublic.of(h) for h in handoffs]


@router.post("/{handoff_id}/release", response_model=HandoffPublic)
def release(
    session: SessionDep,
    staff: OrdersStaffDep,
    handoff_id: Annotated[int, Path(ge=1, le=MAX_DB_INTEGER)],
) -> HandoffPublic:
    by = f"staff:{staff.label or staff.id}"
    # Only an open handoff is released; anything else is refused before the commit.
    record_at_commit(
        session,
        actor=actor_of(staff),
        action="handoff.release",
        target=f"handoff:{handoff_id}",
        before={"status": "open"},
        after={"status": "released"},
    )
    return HandoffPublic.of(release_handoff(session, handoff_id=handoff_id, released_by=by))
