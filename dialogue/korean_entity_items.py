"""Item requests from CatalogMentions' entities in Korean (dialogue.entity_items reads
English). Korean counts after the noun: "우유 두 팩이랑 바나나 한 송이", "아메리카노 아이스로
2잔하고 크루아상 세 개": a product's quantity is the first one said after it, before the next
product; a quantity before any product counts the product after it ("두 잔 라떼").

Option values: a bare value right before a product modifies it ("라지 라떼", "귀리 우유 라떼"); a
value after a product's quantity with another product still to come belongs to that next
product ("라떼 하나랑 귀리 우유로 카푸치노 하나"); any other value belongs to the nearest product,
the one before it on a tie ("라떼 라지로", "녹차 라떼도 하나 벤티로")."""

from __future__ import annotations

import re
from typing import Any

from dialogue.entity_items import _request, product_entities
from dialogue.language import ItemRequest


def _bare(option: dict[str, Any], text: str) -> bool:
    """Whether the value is said as written, with no particle after it ("아이스", not
    "아이스로"): a modifier of what follows."""
    said = text[option["start"] : option["end"]].replace(" ", "")
    return said == str(option["value"]).replace(" ", "")


def _between(entities: list[dict[str, Any]], kind: str, start: int, end: int) -> bool:
    return any(e.get("entity") == kind for e in _spans_in(entities, start, end))


def _owner(
    option: dict[str, Any],
    products: list[dict[str, Any]],
    entities: list[dict[str, Any]],
    text: str,
) -> int:
    before = [i for i, p in enumerate(products) if p["end"] <= option["start"]]
    after = [i for i, p in enumerate(products) if p["start"] >= option["end"]]
    if after:
        nxt = products[after[0]]
        no_count_between = not _between(entities, "quantity", option["end"], nxt["start"])
        directly_before = (
            not text[option["end"] : nxt["start"]].strip(" ,")
            or all(
                e.get("entity") == "option"
                for e in _spans_in(entities, option["end"], nxt["start"])
            )
            and not _leftover(text, entities, option["end"], nxt["start"])
        )
        if not before:
            return after[0]
        if directly_before and _bare(option, text):
            return after[0]
        previous_end = products[before[-1]]["end"]
        counted_before = _between(entities, "quantity", previous_end, option["start"])
        if counted_before and no_count_between:
            return after[0]
    if before:
        return before[-1]
    return after[0]


def _spans_in(entities: list[dict[str, Any]], start: int, end: int) -> list[dict[str, Any]]:
    return [e for e in entities if start <= e["start"] and e["end"] <= end]


def _leftover(text: str, entities: list[dict[str, Any]], start: int, end: int) -> bool:
    """Whether words other than the entities' own lie between `start` and `end`."""
    chars = list(text[start:end])
    for e in _spans_in(entities, start, end):
        for i in range(e["start"], e["end"]):
            chars[i - start] = " "
    return bool("".join(chars).strip(" ,"))


def korean_entity_requests(entities: list[dict[str, Any]], text: str) -> list[ItemRequest]:
    """Requests from the entities of a Korean utterance, one per product mention."""
    products = product_entities(entities)
    if not products:
        return []
    said_options: list[list[dict[str, Any]]] = [[] for _ in products]
    for option in (e for e in entities if e.get("entity") == "option"):
        said_options[_owner(option, products, entities, text)].append(option)
    quantities = sorted(
        (e for e in entities if e.get("entity") == "quantity"), key=lambda e: e["start"]
    )
    claimed: set[int] = set()
    requests = []
    for n, (product, options) in enumerate(zip(products, said_options, strict=True)):
        next_start = products[n + 1]["start"] if n + 1 < len(products) else len(text)
        previous_end = products[n - 1]["end"] if n else 0
        after = [
            i for i, q in enumerate(quantities)
            if product["end"] <= q["start"] and q["end"] <= next_start
        ]  # fmt: skip
        before = [
            i for i, q in enumerate(quantities)
            if previous_end <= q["start"] and q["end"] <= product["start"] and i not in claimed
        ]  # fmt: skip
        chosen = after[0] if after else (before[-1] if before else None)
        if chosen is not None:
            claimed.add(chosen)
        quantity = int(quantities[chosen]["value"]) if chosen is not None else None
        total = quantity if quantity and quantity > 0 else 1
        said = quantities[chosen]["text"] if chosen is not None else ""
        requests.append(
            _request(total, options, product, quantity_said=quantity is not None, said=said)
        )
    return requests


# "하나 더 주세요", "두 개 더", "더 주세요": more of the item just added.
MORE = "더"
# "그거 다섯 개 주세요": the product just talked about, with a quantity. Demonstratives with
# their particles (그걸 = 그것을, 그걸로 = 그것으로).
THAT_ONE = frozenset(
    "그거 그것 그걸 그걸로 그거로 그거요 이거 이것 이걸 이걸로 저거 저걸 저걸로".split()
)


def korean_more_requests(entities: list[dict[str, Any]], text: str) -> list[ItemRequest]:
    """The last item again, when no product is named: more asked for ("하나 더요"), or a
    quantity of "that one" ("그거 다섯 개 주세요", after a question about it)."""
    words = re.findall(r"\w+", text)
    if product_entities(entities):
        return []
    more = any(w in (MORE, MORE + "요") for w in words)
    counted = any(e.get("entity") == "quantity" for e in entities)
    if not more and not (counted and any(w in THAT_ONE for w in words)):
        return []
    said = sorted((e for e in entities if e.get("entity") == "quantity"), key=lambda e: e["start"])
    quantity = int(said[0]["value"]) if said else 1
    return [ItemRequest(quantity=quantity, mention="", quantity_said=bool(said), more=True)]
