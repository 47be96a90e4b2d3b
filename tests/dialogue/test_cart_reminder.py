"""A cart left for more than a day is mentioned once when the shopper next talks, and the
yes or no to "shall I keep them?" keeps or empties it. Real assistant, over the REST channel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from commerce.cart import add_to_cart
from commerce.models import CartLine
from commerce.service import Store

from .test_rest_channel import chat_client, say  # noqa: F401 - chat_client is a fixture

REMINDER = "You still have two butter croissants in your cart; shall I keep them?"


def leave_cart(store: Store, customer_id: str, *, hours_ago: float) -> None:
    """Two croissants put in the cart `hours_ago`, by the clock the dialogue uses."""
    with store.sessions() as session:
        add_to_cart(session, customer_id=customer_id, sku="CROISSANT", quantity=2)
        then = datetime.now(timezone.utc) - timedelta(hours=hours_ago)
        session.execute(
            update(CartLine).where(CartLine.customer_id == customer_id).values(added_at=then)
        )
        session.commit()


def texts(client: TestClient, headers: dict[str, str], text: str) -> list[str]:
    return [r["text"] for r in say(client, headers, text)]


def cart_skus(client: TestClient, headers: dict[str, str]) -> list[tuple[str, int]]:
    items = client.get("/cart", headers=headers).json()["items"]
    return [(i["sku"], i["qty"]) for i in items]


@pytest.mark.parametrize(
    ("answer", "cart", "said"),
    [("yes please", [("CROISSANT", 2)], "stays"), ("no", [], "emptied")],
)
def test_a_cart_left_a_day_is_mentioned_once_and_the_answer_is_acted_on(
    chat_client: TestClient,  # noqa: F811 - the imported fixture
    make_shopper: Callable,
    store: Store,
    answer: str,
    cart: list,
    said: str,
) -> None:
    ann = make_shopper("Ann")
    leave_cart(store, ann.id, hours_ago=30)
    first = texts(chat_client, ann.headers, "what time do you close today")
    assert first[-1] == REMINDER and len(first) >= 2, first  # their question answered first
    assert said in " ".join(texts(chat_client, ann.headers, answer)).lower()
    assert cart_skus(chat_client, ann.headers) == cart
    later = " ".join(texts(chat_client, ann.headers, "what time do you open tomorrow"))
    assert "still have" not in later


def test_a_fresh_cart_is_not_mentioned(
    chat_client: TestClient,  # noqa: F811
    make_shopper: Callable,
    store: Store,
) -> None:
    ann = make_shopper("Ann")
    leave_cart(store, ann.id, hours_ago=20)
    assert "still have" not in " ".join(texts(chat_client, ann.headers, "hi"))


def test_a_shopper_dealing_with_the_cart_is_not_reminded_of_it(
    chat_client: TestClient,  # noqa: F811
    make_shopper: Callable,
    store: Store,
) -> None:
    ann = make_shopper("Ann")
    leave_cart(store, ann.id, hours_ago=48)
    assert "still have" not in " ".join(texts(chat_client, ann.headers, "what's in my cart"))
    assert "still have" not in " ".join(texts(chat_client, ann.headers, "hi"))
    assert cart_skus(chat_client, ann.headers) == [("CROISSANT", 2)]
