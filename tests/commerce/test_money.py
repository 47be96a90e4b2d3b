from __future__ import annotations

import pytest

from commerce.money import format_price, number_words, parse_price, spoken_price


@pytest.mark.parametrize(
    ("text", "cents"), [("4.20", 420), ("0.05", 5), ("12", 1200), ("3.5", 350)]
)
def test_parse_price_is_exact(text: str, cents: int) -> None:
    assert parse_price(text) == cents
    assert isinstance(parse_price(text), int)


@pytest.mark.parametrize("bad", ["4.2.0", "-1", "abc", "", "1e3", "0.001"])
def test_bad_prices_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="price"):
        parse_price(bad)


def test_prices_are_said_like_a_person_would() -> None:
    assert format_price(1210) == "12.10"
    assert spoken_price(1210, "USD") == "12 dollars 10"
    assert spoken_price(100, "USD") == "1 dollar"
    assert spoken_price(5, "GBP") == "5 pence"
    assert spoken_price(350, "GBP") == "3 pounds 50"
    assert spoken_price(1234, "CHF") == "12.34 CHF"
    assert number_words(45) == "forty five" and number_words(1042) == "one thousand forty two"
