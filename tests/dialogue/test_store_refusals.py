"""What a shopper hears when the store refuses something: in the store's language and in the
shopper's words, never the commerce layer's English staff message with its SKUs."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from commerce.accounts import ensure_customer
from commerce.cart import add_to_cart, get_cart
from commerce.catalog import set_stock
from commerce.errors import InvalidOption, NotFound, OutOfStock
from commerce.orders import list_orders
from commerce.service import Store, import_store_files
from dialogue import context
from dialogue.capabilities.store_refusals import refusal_clause, refusal_sentence
from dialogue.replies.wording import wording_for
from tests.conftest import KOREAN_CSV, KOREAN_STORE
from tests.dialogue.test_pin_checkout import say


def _turn(language: str) -> Any:
    """Only what the wording needs: a language and its wording (no conversation)."""
    return SimpleNamespace(language=language, wording=wording_for(language, "USD"))


@pytest.mark.parametrize(
    ("language", "exc", "expected"),
    [
        (
            "en",
            OutOfStock(sku="HONEY", name="Wildflower Honey", requested=30, available=20),
            "we only have twenty wildflower honey",
        ),
        (
            "ko",
            OutOfStock(sku="BANANA", name="바나나", requested=20, available=15, unit="송이"),
            "바나나는 열다섯 송이밖에 없어요",
        ),
        (
            "ko",
            OutOfStock(sku="MILK", name="우유", requested=2, available=0, unit="팩"),
            "우유는 품절이에요",
        ),
        (
            "en",
            InvalidOption(
                "Latte size must be one of small, medium, large; got 'huge'",
                product="Latte",
                group="size",
                value="huge",
                choices=("small", "medium", "large"),
            ),
            "the latte comes in small, medium or large, not huge",
        ),
        (
            "ko",
            InvalidOption(
                "우유 has no option '우유' (it has no options)",
                product="우유",
                group="우유",
                value="귀리 우유",
            ),  # fmt: skip
            "우유는 귀리 우유 옵션이 없어요",
        ),
        ("ko", NotFound("no order 12"), "찾을 수 없어요"),
        ("en", NotFound("no order 12"), "no order 12"),
    ],
)
def test_refusals_are_said_in_the_shoppers_language_and_words(
    language: str, exc: Exception, expected: str
) -> None:
    said = refusal_clause(_turn(language), exc)  # type: ignore[arg-type]
    assert said == expected
    assert "(" not in said and "requested" not in said and "has no option" not in said


def test_a_refusal_sentence_starts_with_a_capital_and_ends_with_a_stop() -> None:
    exc = OutOfStock(sku="HONEY", name="Wildflower Honey", requested=30, available=20)
    assert refusal_sentence(_turn("en"), exc) == "We only have twenty wildflower honey."


def _yes_after_stock_ran_out(
    store: Store, assistant: Any, loop: asyncio.AbstractEventLoop, *, customer: str, sku: str,
    in_cart: int, left: int, checkout: str, read_back: str, yes: str,
) -> str:  # fmt: skip
    """A shopper checks out with `in_cart` of `sku`; staff set its stock to `left` between
    the read-back and the shopper's yes. Returns the reply to the yes."""
    context.configure(store.sessions)
    assistant.reset_conversations()
    with store.sessions() as session:
        ensure_customer(session, customer_id=customer, name=customer.title())
        add_to_cart(session, customer_id=customer, sku=sku, quantity=in_cart)
    assert read_back in say(assistant, loop, customer, checkout)
    with store.sessions() as session:
        set_stock(session, sku=sku, stock=left)
        session.commit()
    return say(assistant, loop, customer, yes)


def _nothing_placed_and_cart_kept(store: Store, customer: str, cart: dict[str, int]) -> None:
    with store.sessions() as session:
        assert list_orders(session, customer_id=customer) == []
        assert get_cart(session, customer_id=customer).quantities == cart


def test_stock_gone_before_the_yes_is_said_in_words_and_nothing_is_placed(
    store: Store, assistant: Any, loop: asyncio.AbstractEventLoop
) -> None:
    reply = _yes_after_stock_ran_out(
        store, assistant, loop, customer="rae", sku="HONEY", in_cart=5, left=2,
        checkout="check out, pickup please", read_back="confirm", yes="yes",
    )  # fmt: skip
    assert "couldn't place it: We only have two wildflower honey." in reply, reply
    assert "HONEY" not in reply and "requested" not in reply
    _nothing_placed_and_cart_kept(store, "rae", {"HONEY": 5})


def test_a_korean_shopper_hears_the_stock_left_in_korean(
    empty_store: Store, korean_assistant: Any, loop: asyncio.AbstractEventLoop
) -> None:
    import_store_files(empty_store, catalog=KOREAN_CSV, facts=KOREAN_STORE)
    reply = _yes_after_stock_ran_out(
        empty_store, korean_assistant, loop, customer="mina", sku="BANANA", in_cart=3, left=1,
        checkout="픽업으로 계산할게요", read_back="주문할까요", yes="네",
    )  # fmt: skip
    assert "바나나는 한 송이밖에 없어요." in reply, reply
    assert "BANANA" not in reply and "Only" not in reply
    _nothing_placed_and_cart_kept(empty_store, "mina", {"BANANA": 3})
