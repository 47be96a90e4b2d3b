"""Item requests from the entities CatalogMentions found (dialogue.nlu.catalog_mentions):
"Hi, I'd like two cappuccinos, one with oat milk, for Rob" is read from where its products,
options and quantities are, not by splitting the words at "and" and commas, so chatter
before, between and after the items ("to go", "since I'm in a rush") does not matter."""

from __future__ import annotations

from typing import Any

from commerce.resolver import tokens
from dialogue.language import ItemRequest


def _gap(a: dict[str, Any], b: dict[str, Any]) -> int:
    """Characters between two entities' spans."""
    return max(b["start"] - a["end"], a["start"] - b["end"], 0)


def _counts(
    quantity: dict[str, Any], product: dict[str, Any], options: list[dict[str, Any]], text: str
) -> bool:
    """Whether a quantity counts the product after it: only option values and filler words
    lie between ("two large iced lattes", "2 of the lattes"; not "two drinks, first a
    cappuccino")."""
    between = list(text[quantity["end"] : product["start"]])
    for option in options:
        for i in range(option["start"], option["end"]):
            if quantity["end"] <= i < product["start"]:
                between[i - quantity["end"]] = " "
    return not tokens("".join(between))


def product_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted((e for e in entities if e.get("entity") == "product"), key=lambda e: e["start"])


def clear_products(entities: list[dict[str, Any]]) -> bool:
    """Whether the message names products, each of them one product (no "which one?")."""
    products = product_entities(entities)
    return bool(products) and not any(e.get("alternatives") for e in products)


def entity_requests(entities: list[dict[str, Any]], text: str) -> list[ItemRequest]:
    """One request per product entity: its quantity is the last one said since the previous
    product; option values belong to the nearest product (ties: the one they come before, as
    in "an iced latte"). The mention is the option values, then the product as said, which
    the resolver reads back into the same product and options."""
    products = product_entities(entities)
    if not products:
        return []
    said_options: list[list[dict[str, Any]]] = [[] for _ in products]
    for option in (e for e in entities if e.get("entity") == "option"):
        owner = min(
            range(len(products)),
            key=lambda i: (_gap(option, products[i]), products[i]["start"] < option["start"]),
        )
        said_options[owner].append(option)
    # "2% milk" is an option value, not two of something.
    quantities = [
        e for e in entities
        if e.get("entity") == "quantity" and not text[e["end"] : e["end"] + 1] == "%"
    ]  # fmt: skip
    requests = []
    previous_end = 0
    for product, options in zip(products, said_options, strict=True):
        before = [
            q for q in quantities
            if previous_end <= q["start"] and q["end"] <= product["start"]
            and _counts(q, product, options, text)
        ]  # fmt: skip
        quantity = int(before[-1]["value"]) if before else None
        # The option's catalog value, not its words: "decaffeinated" is "decaf" to the resolver.
        words = [str(o["value"]) for o in sorted(options, key=lambda o: o["start"])]
        words.append(product["text"])
        requests.append(
            ItemRequest(
                quantity=quantity if quantity and quantity > 0 else 1,
                mention=" ".join(words),
                quantity_said=quantity is not None,
            )
        )
        previous_end = product["end"]
    return requests
