"""Conversations handed to a person: staff see what was said and the cart, then release them
so the assistant takes over again. Orders staff (and admins) handle handoffs."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from commerce.api.audited import record_at_commit
from commerce.api.deps import OrdersStaffDep, SessionDep, current_staff
from commerce.api.schemas import HandoffPublic, StaffReplyIn
from commerce.audit import actor_of
from commerce.handoffs import add_staff_reply, list_handoffs, release_handoff
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


@router.post("/{handoff_id}/messages", response_model=HandoffPublic)
def reply(
    session: SessionDep,
    staff: OrdersStaffDep,
    handoff_id: Annotated[int, Path(ge=1, le=MAX_DB_INTEGER)],
    body: StaffReplyIn,
) -> HandoffPublic:
    """A staff reply: added to the conversation and delivered to the shopper through their
    channel (the REST channel returns it on their next turn; the device speaks it)."""
    # Logged without the words (they are the shopper's conversation, kept on the handoff).
    record_at_commit(
        session,
        actor=actor_of(staff),
        action="handoff.reply",
        target=f"handoff:{handoff_id}",
        after={"characters": len(body.text.strip())},
    )
    handoff = add_staff_reply(
        session, handoff_id=handoff_id, text=body.text, by=f"staff:{staff.label or staff.id}"
    )
    return HandoffPublic.of(handoff)
