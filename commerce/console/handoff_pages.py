"""Handoffs in the console: the live queue, one conversation with the shopper's cart and
recent orders, replies that reach the shopper, and release back to the assistant.

Replies and releases go through the staff API's own route functions, so the console and the
API change the same things and write the same audit entries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from commerce.api.deps import SessionDep
from commerce.api.routes import handoffs as handoff_api
from commerce.api.schemas import StaffReplyIn
from commerce.cart import get_cart
from commerce.console.session import ConsoleRefusal, Staff, form_for, staff_for
from commerce.console.web import back_to, is_htmx, render
from commerce.errors import CommerceError
from commerce.handoffs import get_handoff, list_handoffs
from commerce.models import MAX_DB_INTEGER, Customer, Handoff
from commerce.orders import list_orders

router = APIRouter(prefix="/console/handoffs", include_in_schema=False)
OrdersStaff = Annotated[Staff, Depends(staff_for("orders"))]
OrdersForm = Annotated[tuple[Staff, FormData], Depends(form_for("orders"))]
HandoffId = Annotated[int, Path(ge=1, le=MAX_DB_INTEGER)]
RECENT_ORDERS = 5


def _queue(session: Session) -> list[dict]:
    names = {c.id: c.name for c in session.query(Customer.id, Customer.name)}
    out = []
    for handoff in list_handoffs(session, status="open"):
        said = [m for m in handoff.conversation or [] if m.get("speaker") == "shopper"]
        out.append(
            {
                "handoff": handoff,
                "name": names.get(handoff.customer_id, handoff.customer_id),
                "last": said[-1]["text"] if said else "",
                "waiting": not any(m.get("speaker") == "staff" for m in handoff.conversation or []),
            }
        )
    return out


def _handoff(session: Session, handoff_id: int) -> Handoff:
    try:
        return get_handoff(session, handoff_id=handoff_id)
    except CommerceError as exc:
        raise ConsoleRefusal(exc.status, "There is no such handoff.") from None


@router.get("")
def queue_page(request: Request, session: SessionDep, staff: OrdersStaff) -> Response:
    return render(request, "handoffs.html", staff, queue=_queue(session))


@router.get("/queue")
def queue_fragment(request: Request, session: SessionDep, staff: OrdersStaff) -> Response:
    return render(request, "handoff_queue.html", staff, queue=_queue(session))


@router.get("/{handoff_id}")
def handoff_page(
    request: Request, session: SessionDep, staff: OrdersStaff, handoff_id: HandoffId
) -> Response:
    handoff = _handoff(session, handoff_id)
    customer = session.get(Customer, handoff.customer_id)
    return render(
        request,
        "handoff.html",
        staff,
        handoff=handoff,
        customer=customer,
        cart=get_cart(session, customer_id=handoff.customer_id),
        orders=list_orders(session, customer_id=handoff.customer_id, limit=RECENT_ORDERS),
    )


@router.get("/{handoff_id}/conversation")
def conversation_fragment(
    request: Request, session: SessionDep, staff: OrdersStaff, handoff_id: HandoffId
) -> Response:
    handoff = _handoff(session, handoff_id)
    return render(request, "conversation.html", staff, handoff=handoff)


@router.post("/{handoff_id}/reply")
def reply(
    request: Request, session: SessionDep, signed: OrdersForm, handoff_id: HandoffId
) -> Response:
    staff, form = signed
    text = form.get("text")
    try:
        body = StaffReplyIn(text=text if isinstance(text, str) else "")
    except ValidationError:
        raise ConsoleRefusal(422, "Type a reply of 1 to 1000 characters.") from None
    try:
        handoff_api.reply(session, staff.key, handoff_id, body)
    except CommerceError as exc:
        raise ConsoleRefusal(exc.status, exc.message) from None
    if is_htmx(request):
        handoff = _handoff(session, handoff_id)
        return render(request, "conversation.html", staff, handoff=handoff)
    return back_to(request, f"/console/handoffs/{handoff_id}")


@router.post("/{handoff_id}/release")
def release(
    request: Request, session: SessionDep, signed: OrdersForm, handoff_id: HandoffId
) -> Response:
    staff, _ = signed
    try:
        handoff_api.release(session, staff.key, handoff_id)
    except CommerceError as exc:
        raise ConsoleRefusal(exc.status, exc.message) from None
    return back_to(request, "/console/handoffs")
