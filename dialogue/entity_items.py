"""Item requests from the entities CatalogMentions found (dialogue.nlu.catalog_mentions):
"Hi, I'd like two cappuccinos, one with oat milk, for Rob" is read from where its products,
options and quantities are, not by splitting the words at "and" and commas, so chatter
before, between and after the items ("to go", "since I'm in a rush") does not matter."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from dialogue.language import MEASURE_WORDS, NUMBER_WORDS, ItemRequest


def _gap(a: dict[str, Any], b: dict[str, Any]) -> int:
    """Characters between two entities' spans."""
    return max(b["start"] - a["end"], a["start"] - b["end"], 0)


# "I only need one bucket", "only two of the lattes": a quantity in all, not more of it.
IN_ALL = re.compile(r"\bonly(?:\s+(?:need|want|needs|wanted|needed))?\s*$")
# "almond milk instead of whole milk": the value after these is the one not wanted.
REPLACED = re.compile(r"\b(?:instead of|rather than|not)\s+(?:the\s+|a\s+|an\s+)?$", re.IGNORECASE)
# Words that may stand between a quantity and what it counts: "two of the lattes".
COUNT_FILLERS = frozenset({"of", "the", "a", "an"})


def _counts(
    quantity: dict[str, Any], product: dict[str, Any], options: list[dict[str, Any]], text: str
) -> bool:
    """Whether a quantity counts the product after it: only option values, containers or
    measures and filler words lie between ("two large iced lattes", "2 of the lattes", "two
    gallons of interior paint"; not "two drinks, first a cappuccino")."""
    between = list(text[quantity["end"] : product["start"]])
    for option in options:
        for i in range(option["start"], option["end"]):
            if quantity["end"] <= i < product["start"]:
                between[i - quantity["end"]] = " "
    words = "".join(between).lower().split()
    return all(w.strip(",") in COUNT_FILLERS or w.strip(",") in MEASURE_WORDS for w in words)


def product_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted((e for e in entities if e.get("entity") == "product"), key=lambda e: e["start"])


def clear_products(entities: list[dict[str, Any]]) -> bool:
    """Whether the message names products, each of them one product (no "which one?")."""
    products = product_entities(entities)
    return bool(products) and not any(e.get("alternatives") for e in products)


# "and a plain one", "plus two large ones": more of the product just named, another way.
MORE_OF_IT = re.compile(
    r"\b(?:and|plus|also|with)\s+(?:(?P<count>a|an|another|two|three|four|five)\s+)"
    r"(?:[\w%'-]+\s+){1,3}ones?\b"
)
# Words that end one item and start the next: "two lattes and a medium hot chocolate".
# ("a red leash, large and a blue collar": large is still the leash's.)
ITEM_BREAKS = re.compile(
    r"(?:,|;|\band\b|\bplus\b|\balso\b|\bthen\b)\s*(?:a|an|some|the|another|one)\b"
)


def _owner(
    option: dict[str, Any],
    products: list[dict[str, Any]],
    entities: list[dict[str, Any]],
    text: str,
) -> int:
    """The product an option value belongs to: the nearest one, except that a value after
    a break ("and", a comma) or a quantity belongs to the product it comes before ("two
    lattes and a medium hot chocolate": medium is the hot chocolate's)."""
    before = [i for i, p in enumerate(products) if p["end"] <= option["start"]]
    after = [i for i, p in enumerate(products) if p["start"] >= option["end"]]
    if before and after:
        between = text[products[before[-1]]["end"] : option["start"]]
        counted = any(
            e.get("entity") == "quantity"
            and products[before[-1]]["end"] <= e["start"]
            and e["end"] <= option["start"]
            for e in entities
        )
        if ITEM_BREAKS.search(between) or counted:
            return after[0]
    return min(
        range(len(products)),
        key=lambda i: (_gap(option, products[i]), products[i]["start"] < option["start"]),
    )


def entity_requests(entities: list[dict[str, Any]], text: str) -> list[ItemRequest]:
    """Requests from the entities: per product, its quantity is the last one said since the
    previous product; option values belong to their product (see `_owner`). Quantities after
    a product, each with its own option values, split it into lines: "two collars, one blue
    and one black", "two lattes, one with oat milk" (the rest keep the product's own options).
    A mention is the option values, then the product as said, which the resolver reads back
    into the same product and options."""
    products = product_entities(entities)
    if not products:
        return []
    said_options: list[list[dict[str, Any]]] = [[] for _ in products]
    for option in (e for e in entities if e.get("entity") == "option"):
        if not REPLACED.search(text[: option["start"]]):
            said_options[_owner(option, products, entities, text)].append(option)
    # "2% milk" is an option value, not two of something.
    quantities = [
        e for e in entities
        if e.get("entity") == "quantity" and not text[e["end"] : e["end"] + 1] == "%"
    ]  # fmt: skip
    requests = []
    previous_end = 0
    for n, (product, options) in enumerate(zip(products, said_options, strict=True)):
        before = [
            q for q in quantities
            if previous_end <= q["start"] and q["end"] <= product["start"]
            and _counts(q, product, options, text)
        ]  # fmt: skip
        quantity = int(before[-1]["value"]) if before else None
        next_start = products[n + 1]["start"] if n + 1 < len(products) else len(text)
        more = _more_after(product, options, text, next_start)
        extra = [o for _, line in more for o in line]
        options = [o for o in options if o not in extra]
        lines = _lines_after(product, options, quantities, next_start)
        base = [o for o in options if o["start"] < product["end"] or not lines]
        total = quantity if quantity and quantity > 0 else 1
        split = sum(q for q, _ in lines)
        if lines and split <= total:
            for count, line_options in lines:
                requests.append(_request(count, line_options, product, quantity_said=True))
            if total > split:
                requests.append(_request(total - split, base, product, quantity_said=True))
        else:
            counted = before[-1]["text"] if before else ""
            request = _request(
                total, options, product, quantity_said=quantity is not None, said=counted
            )
            in_all = bool(before) and IN_ALL.search(text[previous_end : before[-1]["start"]])
            requests.append(dataclasses.replace(request, in_all=bool(in_all)))
        for count, line_options in more:
            requests.append(_request(count, line_options, product, quantity_said=True))
        previous_end = product["end"]
    return requests


def _lines_after(
    product: dict[str, Any],
    options: list[dict[str, Any]],
    quantities: list[dict[str, Any]],
    next_start: int,
) -> list[tuple[int, list[dict[str, Any]]]]:
    """(count, option values) for each quantity after the product that has option values of
    its own before the next quantity or product: "..., one blue and one black"."""
    after = [q for q in quantities if product["end"] <= q["start"] and q["end"] <= next_start]
    lines = []
    for i, quantity in enumerate(after):
        until = after[i + 1]["start"] if i + 1 < len(after) else next_start
        own = [o for o in options if quantity["end"] <= o["start"] and o["end"] <= until]
        if own and int(quantity["value"]) > 0:
            lines.append((int(quantity["value"]), own))
    return lines


def _more_after(
    product: dict[str, Any], options: list[dict[str, Any]], text: str, next_start: int
) -> list[tuple[int, list[dict[str, Any]]]]:
    """Further lines of the product said as "and a plain one", "and two large ones": option
    values between an article or number and "one(s)", after the product."""
    lines = []
    for match in MORE_OF_IT.finditer(text, product["end"], next_start):
        own = [o for o in options if match.start() <= o["start"] and o["end"] <= match.end()]
        if own:
            count = match.group("count")
            lines.append((NUMBER_WORDS.get(count, 1) if count else 1, own))
    return lines


def _request(
    count: int,
    options: list[dict[str, Any]],
    product: dict[str, Any],
    *,
    quantity_said: bool,
    said: str = "",
) -> ItemRequest:
    # The option's catalog value, not its words: "decaffeinated" is "decaf". A value said
    # twice ("sugar-free", "vanilla" both found as "sugar-free vanilla") counts once; of two
    # values of one group, the last said wins.
    chosen = {
        str(o["role"]): str(o["value"])
        for o in sorted(options, key=lambda o: o["start"])
        if o.get("role")
    }
    words = [*dict.fromkeys(chosen.values()), product["text"]]
    return ItemRequest(
        quantity=count,
        mention=" ".join(words),
        quantity_said=quantity_said,
        said=f"{said} {product['text']}".strip(),
        sku=str(product["value"]),
        options=chosen,
    )
