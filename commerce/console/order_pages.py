"""The orders board: today's orders (and older ones still open) in a column per status, each
with buttons for the moves the order service allows from where it is, and no others."""

from __future__ import annotations

from datetime import datetime, time, timezone
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from commerce.api.deps import SessionDep
from commerce.api.routes import admin as admin_api
from commerce.api.schemas import OrderStatusIn
from commerce.console.session import ConsoleRefusal, Staff, form_for, staff_for
from commerce.console.web import back_to, is_htmx, render
from commerce.errors import CommerceError
from commerce.models import MAX_DB_INTEGER, ORDER_STATUSES, Customer, Order
from commerce.orders import TRANSITIONS
from commerce.store import get_store_facts

router = APIRouter(prefix="/console/orders", include_in_schema=False)
OrdersStaff = Annotated[Staff, Depends(staff_for("orders"))]
OrdersForm = Annotated[tuple[Staff, FormData], Depends(form_for("orders"))]
COLUMNS = ("placed", "preparing", "ready", "out_for_delivery", "delivered")
FINISHED = ("delivered", "cancelled")
MAX_ON_BOARD = 300
# What a button says for a move, by the order's fulfilment where that changes the words.
MOVE_LABELS = {
    "preparing": "Start preparing",
    "ready": "Ready",
    "out_for_delivery": "Out for delivery",
    "delivered": "Delivered",
    "cancelled": "Cancel",
}


def legal_moves(order: Order) -> list[tuple[str, str]]:
    """(status, button label) for each move the order service accepts from here."""
    moves = []
    for status in TRANSITIONS[order.status]:
        if status == "out_for_delivery" and order.fulfilment != "delivery":
            continue
        label = MOVE_LABELS[status]
        if status == "delivered" and order.fulfilment == "pickup":
            label = "Collected"
        moves.append((status, label))
    return moves


def _start_of_today(session: Session) -> datetime:
    store = get_store_facts(session)
    local = store.local(datetime.now(timezone.utc))
    return datetime.combine(local.date(), time.min, tzinfo=store.zone).astimezone(timezone.utc)


def board(session: Session) -> dict[str, list[dict]]:
    """Orders placed today, and older ones not finished yet, by status (oldest first)."""
    query = (
        select(Order)
        .where(or_(Order.placed_at >= _start_of_today(session), Order.status.not_in(FINISHED)))
        .order_by(Order.placed_at, Order.id)
        .limit(MAX_ON_BOARD)
    )
    orders = list(session.scalars(query))
    names = {c.id: c.name for c in session.query(Customer.id, Customer.name)}
    columns: dict[str, list[dict]] = {status: [] for status in ORDER_STATUSES}
    for order in orders:
        columns[order.status].append(
            {"order": order, "name": names.get(order.customer_id), "moves": legal_moves(order)}
        )
    return columns


def _context(session: Session) -> dict:
    columns = board(session)
    return {"columns": columns, "shown": COLUMNS, "cancelled": columns["cancelled"]}


@router.get("")
def board_page(request: Request, session: SessionDep, staff: OrdersStaff) -> Response:
    return render(request, "orders.html", staff, **_context(session))


@router.get("/board")
def board_fragment(request: Request, session: SessionDep, staff: OrdersStaff) -> Response:
    return render(request, "order_board.html", staff, **_context(session))


@router.post("/{order_id}/status")
def move_order(
    request: Request,
    session: SessionDep,
    signed: OrdersForm,
    order_id: Annotated[int, Path(ge=1, le=MAX_DB_INTEGER)],
) -> Response:
    staff, form = signed
    status = form.get("status")
    if status not in ORDER_STATUSES:
        raise ConsoleRefusal(422, "Choose one of the buttons on the order.")
    try:
        move = OrderStatusIn.parse_obj({"status": status})
        admin_api.admin_update_order(session, staff.key, order_id, move)
    except CommerceError as exc:
        # Someone else moved it first, or it is gone: say so and show the board as it is.
        session.rollback()
        raise ConsoleRefusal(exc.status, exc.message) from None
    if is_htmx(request):
        return render(request, "order_board.html", staff, **_context(session))
    return back_to(request, "/console/orders")
