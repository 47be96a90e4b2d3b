"""RequestShape: the request's shape decides only where the classifier is unsure, and only the
two ways it is meant to (a product question is not an order; products with an ordering verb
are not an order question)."""

from __future__ import annotations

import pytest

from dialogue.nlu.request_shape import reshaped_intent


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
        # An order number is still about an order.
        ("I'd like to order number 4 again", "reorder", None),
        ("where is my order", "order_status", None),
    ],
)
def test_the_shape_decides_only_against_an_unsure_classifier(
    text: str, intent: str, expected: str | None
) -> None:
    assert reshaped_intent(text, intent, 0.5, products=True) == expected


@pytest.mark.parametrize("text", ["what would a hose run me", "I'd like to order 2 lattes"])
def test_a_sure_classifier_or_no_product_keeps_the_intent(text: str) -> None:
    for intent in ("add_item", "order_status"):
        assert reshaped_intent(text, intent, 0.95, products=True) is None
        assert reshaped_intent(text, intent, 0.5, products=False) is None
