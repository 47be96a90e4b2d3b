"""Staff key management and the audit log: admins only (`AdminStaffDep` on every route)."""

from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status

from commerce.accounts import issue_staff_key, list_staff_keys, revoke_staff_key, rotate_staff_key
from commerce.api.deps import AdminStaffDep, SessionDep, current_staff
from commerce.api.schemas import AuditEntryPublic, StaffKeyCreate, StaffKeyIssued, StaffKeyPublic
from commerce.audit import actor_of, list_entries
from commerce.errors import InvalidRequest
from commerce.models import MAX_DB_INTEGER

router = APIRouter(prefix="/admin", tags=["staff"], dependencies=[Depends(current_staff)])

KeyId = Annotated[int, Path(ge=1, le=MAX_DB_INTEGER)]


@router.get("/staff-keys", response_model=list[StaffKeyPublic])
def read_staff_keys(session: SessionDep, staff: AdminStaffDep) -> list[StaffKeyPublic]:
    """Every key, active and revoked, oldest first; never the keys themselves."""
    return [StaffKeyPublic.of(k) for k in list_staff_keys(session)]


@router.post("/staff-keys", response_model=StaffKeyIssued, status_code=status.HTTP_201_CREATED)
def create_staff_key(
    session: SessionDep, staff: AdminStaffDep, body: StaffKeyCreate
) -> StaffKeyIssued:
    """A new key with a role; the key is in this response only."""
    created, key = issue_staff_key(session, label=body.label, role=body.role, actor=actor_of(staff))
    return StaffKeyIssued.issued(created, key)


@router.post(
    "/staff-keys/{key_id}/revoke",
    response_model=StaffKeyPublic,
    responses={409: {"description": "already revoked, or the last active admin key"}},
)
def revoke_key(session: SessionDep, staff: AdminStaffDep, key_id: KeyId) -> StaffKeyPublic:
    """The key stops working at once."""
    return StaffKeyPublic.of(revoke_staff_key(session, key_id=key_id, actor=actor_of(staff)))


@router.post(
    "/staff-keys/{key_id}/rotate",
    response_model=StaffKeyIssued,
    responses={409: {"description": "the key is already revoked"}},
)
def rotate_key(session: SessionDep, staff: AdminStaffDep, key_id: KeyId) -> StaffKeyIssued:
    """Revokes the key and issues a new one with the same label and role (shown once)."""
    new, key = rotate_staff_key(session, key_id=key_id, actor=actor_of(staff))
    return StaffKeyIssued.issued(new, key)


@router.get("/audit", response_model=list[AuditEntryPublic])
def read_audit_log(
    session: SessionDep,
    staff: AdminStaffDep,
    since: Annotated[
        datetime | None, Query(description="entries at or after (UTC if no zone)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_DB_INTEGER)] = 0,
) -> list[AuditEntryPublic]:
    """Staff changes, newest first."""
    if since is not None:
        # Stored times are UTC; compare like with like whatever zone the caller wrote.
        try:
            since = (
                since.astimezone(timezone.utc)
                if since.tzinfo
                else since.replace(tzinfo=timezone.utc)
            )
        except OverflowError:  # 9999-12-31T23:00-05:00 is past the last datetime in UTC
            raise InvalidRequest("since: that moment is outside the supported dates") from None
    entries = list_entries(session, since=since, limit=limit, offset=offset)
    return [AuditEntryPublic.of(e) for e in entries]
