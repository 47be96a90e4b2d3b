"""The KPIs page, for admins: the figures of `GET /admin/kpis` (commerce.kpis, where each one
is defined) for a range of days, as tiles and a table of orders and revenue per day."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from commerce.api.deps import SessionDep
from commerce.console.session import Staff, staff_for
from commerce.console.web import render
from commerce.errors import CommerceError
from commerce.kpis import store_kpis

router = APIRouter(prefix="/console/kpis", include_in_schema=False)
AdminStaff = Annotated[Staff, Depends(staff_for("admin"))]


def percent(figure: dict[str, Any]) -> str:
    """{"rate": 0.125, "count": 1, "of": 8} -> "12.5%"; "no data" when there is nothing."""
    if figure.get("rate") is None:
        return "no data"
    return f"{figure['rate'] * 100:.1f}%".replace(".0%", "%")


@router.get("")
def kpis_page(
    request: Request,
    session: SessionDep,
    staff: AdminStaff,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Response:
    try:
        figures = store_kpis(session, start=start, end=end)
    except CommerceError as exc:
        return render(request, "kpis.html", staff, status=422, problem=exc.message, k=None)
    return render(request, "kpis.html", staff, k=figures, percent=percent, problem=None)
