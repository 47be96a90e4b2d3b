"""Customer satisfaction: answers to the one-question survey after an order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from commerce.errors import InvalidRequest
from commerce.models import CsatResponse

SCORES = range(1, 6)


def record_rating(
    session: Session,
    *,
    customer_id: str,
    score: int,
    order_id: int | None = None,
    at: datetime | None = None,
) -> CsatResponse:
    if score not in SCORES:
        raise InvalidRequest("a rating is a whole number from 1 to 5")
    response = CsatResponse(customer_id=customer_id, order_id=order_id, score=score)
    if at is not None:
        response.at = at
    session.add(response)
    session.commit()
    return response
