"""RequestShape: the request's shape decides only where the classifier is unsure, and only the
two ways it is meant to (a product question is not an order; products with an ordering verb
are not an order question)."""

from __future__ import annotations

import re

import pytest

from dialogue.nlu.request_shape import reshaped_intent

# The product each test sentence names: its last word among these.
PRODUCT_WORDS = ("hose", "ones", "collar", "milk", "latte", "those", "ice", "croissants",
                 "lattes", "macchiato", "mocha", "grey", "cappuccino", "americanos",
                 "cortado", "filter")  # fmt: skip


def _spans(text: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in re.finditer(r"\w+", text) if m.group(0).lower() in PRODUCT_WORDS]
    return spans[-1:]


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        # A question about a product never adds it.
        ("what would a fifty foot garden hose run me", "add_item", "product_info"),
        ("and how much are the large ones?", "add_item", "product_info"),
        ("do you have the red collar in small", "nlu_fallback", "product_info"),
        ("is the oat milk any good?", "add_item", "product_info"),
        # Requests phrased as questions stay orders.
        ("can I get a latte?", "add_item", None),
        ("could you add two more of those?", "add_item", None),
        ("um could we have a bag of ice", "add_item", None),
        ("two croissants please", "add_item", None),
        # Products with an ordering verb are an order, not an order question.
        ("I would like to order 2 lattes", "order_status", "add_item"),
        ("I'd like a decaf macchiato", "reorder", "add_item"),
        ("i want two of the oat milk", "nlu_fallback", "add_item"),
        ("How are you today? Think I'll have a nice mocha, thanks.", "product_info", "add_item"),
        ("I think I'd like to try the earl grey.", "remove_item", "add_item"),
        ("What's up I need a cappuccino to go please.", "product_info", "add_item"),
        ("Do you guys do chocolate americanos? I'd like that.", "add_item", None),
        ("I'm in the mood for a cortado. Can I get that to go?", "product_info", "add_item"),
        ("I'd like you to remove the mocha", "remove_item", None),
        ("do you have a red collar? I'd like to know", "add_item", "product_info"),
        ("I'd like to know what the mocha costs", "add_item", "product_info"),
        ("i was wondering how much the hose is", "nlu_fallback", "product_info"),
        ("I'd like to see the red collar in small", "nlu_fallback", "add_item"),
        ("and a filter for the tank, the big one", "change_item", "add_item"),
        ("actually make it a large latte", "change_item", None),
        # More of something is an addition, with or without a product named.
        ("actually, two more lattes", "change_item", "add_item"),
        # An order number is still about an order.
        ("I'd like to order number 4 again", "reorder", None),
        ("where is my order", "order_status", None),
    ],
)
def test_the_shape_decides_only_against_an_unsure_classifier(
    text: str, intent: str, expected: str | None
) -> None:
    assert reshaped_intent(text, intent, 0.5, _spans(text)) == expected


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("actually, another one of those", "change_item", "add_item"),
        ("one more please", "change_item", "add_item"),
        ("no, make it three", "change_item", None),
        ("actually, another one of those", "remove_item", None),
    ],
)
def test_more_of_something_without_a_product_is_an_addition(
    text: str, intent: str, expected: str | None
) -> None:
    assert reshaped_intent(text, intent, 0.7, []) == expected


@pytest.mark.parametrize("text", ["what would a hose run me", "I'd like to order 2 lattes"])
def test_a_sure_classifier_or_no_product_keeps_the_intent(text: str) -> None:
    for intent in ("add_item", "order_status"):
        assert reshaped_intent(text, intent, 0.95, _spans(text)) is None
        assert reshaped_intent(text, intent, 0.5, []) is None


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("피자 있어요?", "nlu_fallback", "product_info"),
        ("혹시 피자는 팔아요?", "category_info", "product_info"),
        ("케이크 있나요", "nlu_fallback", "product_info"),
        ("고양이 사료 있어요?", "nlu_fallback", "product_info"),
        # What there is, not a thing: the classifier's to place.
        ("뭐 있어요?", "category_info", None),
        ("다른 거 있어요?", "nlu_fallback", None),
        ("장바구니에 뭐 있어요?", "nlu_fallback", None),
        # Not asking whether the store has it.
        ("하늘이 파랗네요", "nlu_fallback", None),
        ("피자 주세요", "nlu_fallback", None),
        ("피자 있어요?", "greet", None),
    ],
)
def test_a_korean_question_about_a_thing_the_catalog_lacks_is_a_product_question(
    text: str, intent: str, expected: str | None
) -> None:
    assert reshaped_intent(text, intent, 0.3, []) == expected
    assert reshaped_intent(text, intent, 0.95, []) is None  # a sure classifier keeps its say
