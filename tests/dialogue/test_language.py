from __future__ import annotations

import pytest

from dialogue import language as lang


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "I'd like two croissants and a sourdough loaf",
            [(2, "croissants", True), (1, "sourdough loaf", False)],
        ),
        ("can I get a large oat latte", [(1, "large oat latte", False)]),
        ("a couple of bagels, and 3 lemons please", [(2, "bagels", True), (3, "lemons", True)]),
        ("half a dozen eggs", [(6, "eggs", True)]),
        ("two dozen eggs", [(24, "eggs", True)]),
        ("twenty five bananas", [(25, "bananas", True)]),
        ("add strawberries to my cart", [(1, "strawberries", False)]),
        ("another one", [(1, "", True)]),
        ("two more", [(2, "", True)]),
        ("another one of those", [(1, "", True)]),
        ("one of the lattes", [(1, "the lattes", True)]),
        ("three pairs", [(3, "", True)]),
    ],
)
def test_split_items(text: str, expected: list[tuple[int, str, bool]]) -> None:
    got = [(r.quantity, r.mention, r.quantity_said) for r in lang.split_items(text)]
    assert got == expected


def test_another_means_more_of_the_same() -> None:
    (request,) = lang.split_items("one more latte")
    assert request.more and request.mention == "latte" and request.quantity == 1


@pytest.mark.parametrize(
    ("quantity", "name", "unit", "spoken"),
    [
        (2, "Butter Croissant", "each", "two butter croissants"),
        (1, "Butter Croissant", "each", "a butter croissant"),
        (2, "Oat Milk 1 L", "carton", "two cartons of oat milk"),
        (1, "Avocado", "each", "an avocado"),
        (3, "Free-Range Eggs (12)", "box", "three boxes of free-range eggs, pack of twelve"),
        (2, "Strawberries 400 g", "punnet", "two punnets of strawberries"),
    ],
)
def test_quantity_phrase_is_spoken_english(
    quantity: int, name: str, unit: str, spoken: str
) -> None:
    assert lang.quantity_phrase(quantity, name, unit) == spoken


def test_numbers_and_ordinals() -> None:
    assert lang.find_number("no, three") == 3
    assert lang.find_number("make it 4 please") == 4
    assert lang.find_number("the oat one") == 1  # "one" is a number word; callers strip it
    assert lang.find_ordinal("the second one") == 1
    assert lang.find_ordinal("the last") == -1
    assert lang.find_ordinal("the oat one") is None


def test_yes_and_no() -> None:
    assert lang.is_yes("Yes, place it") and lang.is_yes("sure") and not lang.is_yes("no")
    assert lang.is_no("no thanks") and lang.is_no("nope") and not lang.is_no("yes")


def test_spoken_time_and_lists() -> None:
    assert lang.spoken_time(17, 0) == "5 pm"
    assert lang.spoken_time(9, 30) == "9:30 am"
    assert lang.spoken_time(0, 0) == "midnight"
    assert lang.spoken_time(23, 59) == "midnight"  # open until 24:00
    assert lang.join_words(["a", "b", "c"], "or") == "a, b or c"


@pytest.mark.parametrize(
    ("quantity", "said", "unit", "expected"),
    [
        (2, "a pair of work gloves", "pair", 1),  # sold by the pair: one pair
        (2, "a pair of socks", "each", 2),  # sold singly: two socks
        (3, "three pairs of gloves", "pair", 3),
        (12, "a dozen eggs", "dozen", 1),
        (6, "half a dozen eggs", "dozen", 6),
        (24, "two dozen eggs", "dozen", 2),
        (24, "two dozen eggs", "each", 24),
    ],
)
def test_a_counting_phrase_naming_the_products_unit_counts_that_unit(
    quantity: int, said: str, unit: str, expected: int
) -> None:
    assert lang.quantity_in_unit(quantity, said, unit) == expected
