"""The store's KPIs as JSON, for admins (what each figure counts: commerce.kpis)."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from commerce.api.deps import AdminStaffDep, SessionDep, current_staff
from commerce.kpis import store_kpis

router = APIRouter(prefix="/admin", tags=["staff"], dependencies=[Depends(current_staff)])


@router.get("/kpis")
def read_kpis(
    session: SessionDep,
    staff: AdminStaffDep,
    start: Annotated[
        date | None,
        Query(alias="from", description="first day, YYYY-MM-DD (store time); default 30 days"),
    ] = None,
    end: Annotated[
        date | None, Query(alias="to", description="last day, included; default today")
    ] = None,
) -> dict[str, Any]:
    """Conversations, conversion, cart abandonment, fallback and handoff rates, turn latency
    p50/p95, orders and revenue per day and CSAT, for the days `from`..`to` (both included).
    Each figure's exact meaning is in the README's "KPIs" section."""
    return store_kpis(session, start=start, end=end)
