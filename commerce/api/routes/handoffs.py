"""Conversations handed to a person: staff see what was said and the cart, then release them
so the assistant takes over again."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from commerce.api.deps import SessionDep, StaffDep, current_staff
from commerce.api.schemas import HandoffPublic
from commerce.handoffs import list_handoffs, release_handoff
from commerce.models import MAX_DB_INTEGER

router = APIRouter(prefix="/admin/handoffs", tags=["staff"], dependencies=[Depends(current_staff)])


@router.get("", response_model=list[HandoffPublic])
def read_handoffs(
    session: SessionDep,
    status: Annotated[Literal["open", "released", "all"], Query()] = "open",
) -> list[HandoffPublic]:
    """Open handoffs (by default), oldest first, with the conversation and the cart."""
    handoffs = list_handoffs(session, status=None if status == "all" else status)
    return [HandoffPublic.of(h) for h in handoffs]


@router.post("/{handoff_id}/release", response_model=HandoffPublic)
def release(
    session: SessionDep,
    staff: StaffDep,
    handoff_id: Annotated[int, Path(ge=1, le=MAX_DB_INTEGER)],
) -> HandoffPublic:
    by = f"staff:{staff.label or staff.id}"
    return HandoffPublic.of(release_handoff(session, handoff_id=handoff_id, released_by=by))
