"""Money is integer minor units (cents) inside, a decimal string at the edges, words in speech."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# At most 9999999.99: the cents must fit the database's 32-bit INTEGER columns.
_PRICE = re.compile(r"^\d{1,7}(\.\d{1,2})?$")


def parse_price(text: str) -> int:
    """'4.20' -> 420. Raises ValueError with a message fit for a person."""
    cleaned = text.strip()
    if not _PRICE.match(cleaned):
        raise ValueError(f"price must be a decimal like 4.20 (below 10000000), got {text!r}")
    try:
        return int((Decimal(cleaned) * 100).to_integral_exact())
    except InvalidOperation as exc:  # pragma: no cover - the regex already rules this out
        raise ValueError(f"price must be a decimal like 4.20, got {text!r}") from exc


_PRICE_CHANGE = re.compile(r"^[+-]\d{1,7}(\.\d{1,2})?$")


def parse_price_change(text: str) -> int:
    """'+0.50' -> 50, '-0.30' -> -30: an option value's change to the price. The sign is
    required, so a change never reads as a price. Raises ValueError fit for a person."""
    cleaned = "".join(text.split())
    if not _PRICE_CHANGE.match(cleaned):
        raise ValueError(
            f"a price change must be a sign and a decimal like +0.50 or -0.30, got {text!r}"
        )
    cents = parse_price(cleaned[1:])
    return -cents if cleaned[0] == "-" else cents


def format_price(cents: int) -> str:
    """420 -> '4.20' (the API's decimal string)."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()  # fmt: skip
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()  # fmt: skip


def number_words(n: int) -> str:
    """12 -> 'twelve', 1042 -> 'one thousand forty two' (what a speaker says)."""
    if n < 0:
        return "minus " + number_words(-n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (" " + _ONES[ones] if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return _ONES[hundreds] + " hundred" + (" " + number_words(rest) if rest else "")
    thousands, rest = divmod(n, 1000)
    return number_words(thousands) + " thousand" + (" " + number_words(rest) if rest else "")


def spoken_price(cents: int, currency: str = "USD") -> str:
    """420 -> '4 dollars 20': digits, which TTS engines read naturally."""
    major_name, minor_name = {
        "USD": ("dollar", "cent"),
        "CAD": ("dollar", "cent"),
        "AUD": ("dollar", "cent"),
        "EUR": ("euro", "cent"),
        "GBP": ("pound", "pence"),
    }.get(currency.upper(), (currency.upper(), ""))
    if not minor_name:  # a currency we have no words for: say the amount and its code
        return f"{format_price(abs(cents))} {currency.upper()}"
    major, minor = divmod(abs(cents), 100)
    if major == 0:
        unit = minor_name if minor_name == "pence" or minor == 1 else minor_name + "s"
        return f"{minor} {unit}"
    major_word = major_name if major == 1 or major_name == currency.upper() else major_name + "s"
    if minor == 0:
        return f"{major} {major_word}"
    return f"{major} {major_word} {minor:02d}"
