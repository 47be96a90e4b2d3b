"""Transcript store staff (shared/transcripts/FORMAT.md): a `staff:` step moves the shopper's
latest order to a status through the order service, as staff on the store API would; and the
fulfilment a given order gets when the transcript does not say."""

from __future__ import annotations

from typing import Any

# Who the runner's store staff are in order histories (`changed_by`).
STAFF_NAME = "staff:transcript"


def default_fulfilment(status: str) -> str:
    return "delivery" if status in ("out_for_delivery", "delivered") else "pickup"


def _status_path(current: str, wanted: str, fulfilment: str) -> list[str] | None:
    """The statuses staff move an order through to reach `wanted` (the API takes one step at
    a time: placed -> preparing -> ready ...), shortest first; None when it cannot get there."""
    from commerce.orders import TRANSITIONS

    paths: dict[str, list[str]] = {current: []}
    queue = [current]
    while queue:
        status = queue.pop(0)
        if status == wanted and paths[status]:
            return paths[status]
        for following in TRANSITIONS[status]:
            if following == "out_for_delivery" and fulfilment != "delivery":
                continue
            if following not in paths:
                paths[following] = [*paths[status], following]
                queue.append(following)
    return None


def staff_move(sessions: Any, *, customer_id: str, status: str) -> str:
    """A `staff:` step: store staff move the shopper's latest order to `status` through the
    order service, as the staff API does. Returns what happened; raises CommerceError (with
    the service's own reason) when the order cannot get there."""
    from commerce import orders as order_service
    from commerce.errors import NotFound

    with sessions() as session:
        order = order_service.latest_order(session, customer_id=customer_id)
        if order is None:
            raise NotFound("the shopper has no order for staff to move")
        order_id, before = order.id, order.status
        path = _status_path(before, status, order.fulfilment) or [status]
        for step in path:  # the last (or only) step raises the service's reason if illegal
            order_service.set_order_status(
                session, order_id=order_id, status=step, changed_by=STAFF_NAME
            )
    return f"order {order_id}: {' -> '.join([before, *path])}"
