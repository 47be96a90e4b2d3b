"""Phrases a reply is filled in with (items and quantities, prices, times, lists), rendered in
the turn's language: `wording_for("en")` is today's English wording, unchanged;
`wording_for("ko")` says the same things in Korean (dialogue.korean)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date

from dialogue import item_wording, korean
from dialogue import language as lang
from dialogue.item_wording import ItemLine, OptionGroups


class EnglishWording:
    language = "en"

    def __init__(self, currency: str) -> None:
        self.currency = currency

    def money(self, cents: int) -> str:
        return lang.money(cents, self.currency)

    def join_words(self, items: list[str], last: str = "and") -> str:
        return lang.join_words(items, last)

    def spoken_name(self, name: str) -> str:
        return lang.spoken_name(name)

    def number_words(self, n: int) -> str:
        return lang.number_words(n)

    def stock_count(self, n: int, unit: str = "each") -> str:
        """How many of a product are left, said before its name ("three")."""
        return lang.number_words(n)

    def greeting_name(self, name: str) -> str:
        """A shopper's name after a greeting word: "Hi Pat!"."""
        return f" {name}"

    def minutes_number(self, n: int) -> str:
        """A number of minutes, said before the word for minutes."""
        return lang.number_words(n)

    def quantity_phrase(self, quantity: int, name: str, unit: str = "each") -> str:
        return lang.quantity_phrase(quantity, name, unit)

    def spoken_time(self, hour: int, minute: int) -> str:
        return lang.spoken_time(hour, minute)

    def is_are(self, spoken: str) -> str:
        return lang.is_are(spoken)

    def weekday(self, day: str) -> str:
        """ "monday" -> "Monday"."""
        return day.capitalize()

    def month_day(self, day: date) -> str:
        return f"{day.strftime('%B')} {day.day}"

    def per_unit(self, unit: str) -> str:
        """What follows a price: " per bottle"; nothing for things sold singly."""
        return "" if unit in ("each", "") else f" per {unit}"

    def describe_item(
        self,
        quantity: int,
        name: str,
        unit: str,
        options: Mapping[str, str] | None,
        groups: OptionGroups | None = None,
        *,
        say_defaults: bool = False,
    ) -> str:
        return item_wording.describe_item(
            quantity, name, unit, options, groups, say_defaults=say_defaults
        )

    def describe_added(
        self,
        quantity: int,
        name: str,
        unit: str,
        options: Mapping[str, str],
        groups: OptionGroups,
        assumed: Mapping[str, str],
    ) -> str:
        return item_wording.describe_added(quantity, name, unit, options, groups, assumed)

    def describe_lines(self, lines: Sequence[ItemLine], *, say_defaults: bool = False) -> list[str]:
        return item_wording.describe_lines(lines, say_defaults=say_defaults)

    def join_items(self, phrases: list[str]) -> str:
        return item_wording.join_items(phrases)

    def describe_price_changes(
        self, changes: Mapping[str, Mapping[str, int]], money: Callable[[int], str]
    ) -> str:
        return item_wording.describe_price_changes(changes, money)


class KoreanWording(EnglishWording):
    """The same phrases in Korean: "라지 라떼 두 잔", "3,800원", "오후 다섯 시"."""

    language = "ko"

    def money(self, cents: int) -> str:
        return korean.written_price(cents, self.currency)

    def join_words(self, items: list[str], last: str = "and") -> str:
        return korean.join_words(items, last)

    def spoken_name(self, name: str) -> str:
        return korean.spoken_name(name)

    def number_words(self, n: int) -> str:
        return korean.native_number(n)

    def stock_count(self, n: int, unit: str = "each") -> str:
        """How many are left, with the product's counter: "두 팩", "세 송이"."""
        return korean.counted(n, unit)

    def greeting_name(self, name: str) -> str:
        """A shopper is greeted by name with 님: "안녕하세요, 민지 님!"."""
        return f", {name} 님"

    def minutes_number(self, n: int) -> str:
        return korean.sino_number(n)  # minutes count in Sino-Korean: 삼십 분

    def quantity_phrase(self, quantity: int, name: str, unit: str = "each") -> str:
        return f"{korean.spoken_name(name)} {korean.counted(quantity, unit)}"

    def spoken_time(self, hour: int, minute: int) -> str:
        return korean.spoken_time(hour, minute)

    def is_are(self, spoken: str) -> str:
        return ""  # Korean verbs do not agree in number

    def weekday(self, day: str) -> str:
        return korean.weekday(day)

    def month_day(self, day: date) -> str:
        return korean.month_day(day.month, day.day)

    def per_unit(self, unit: str) -> str:
        return ""  # a Korean price is said for one of what is counted ("한 병에"): not needed

    def describe_item(
        self,
        quantity: int,
        name: str,
        unit: str,
        options: Mapping[str, str] | None,
        groups: OptionGroups | None = None,
        *,
        say_defaults: bool = False,
    ) -> str:
        said = korean.chosen_options(options or {}, groups or {}, say_defaults=say_defaults)
        return korean.item_phrase(quantity, name, unit, said)

    def describe_added(
        self,
        quantity: int,
        name: str,
        unit: str,
        options: Mapping[str, str],
        groups: OptionGroups,
        assumed: Mapping[str, str],
    ) -> str:
        chosen = {g: v for g, v in options.items() if g not in assumed}
        said = korean.chosen_options(chosen, groups, say_defaults=True)
        defaults = korean.chosen_options(assumed, groups, say_defaults=True)
        phrase = korean.item_phrase(quantity, name, unit, said)
        if not defaults:
            return phrase
        # Why: the shopper did not choose these; saying them once lets them object.
        # In brackets: a particle the template puts after the phrase then follows a noun
        # ("한 잔(기본: 따뜻한)을"), never a stacked "으로를".
        return f"{phrase}(기본: {', '.join(defaults)})"

    def describe_lines(self, lines: Sequence[ItemLine], *, say_defaults: bool = False) -> list[str]:
        return [
            self.describe_item(
                line.quantity, line.name, line.unit, line.options, line.groups,
                say_defaults=say_defaults,
            )
            for line in lines
        ]  # fmt: skip

    def join_items(self, phrases: list[str]) -> str:
        return korean.join_words(phrases)

    def describe_price_changes(
        self, changes: Mapping[str, Mapping[str, int]], money: Callable[[int], str]
    ) -> str:
        parts = [
            f"{value}{'은(는)'} {money(abs(cents))} {'더 비싸요' if cents > 0 else '더 싸요'}"
            for by_value in changes.values()
            for value, cents in by_value.items()
            if cents and not korean.is_unmarked(value)
        ]
        return korean.attach_particles(", ".join(parts) + ("." if parts else ""))


def wording_for(language: str, currency: str) -> EnglishWording:
    return KoreanWording(currency) if language == "ko" else EnglishWording(currency)
