"""The NLU's entities read as items: a product said as another's option values ("two lattes,
one with oat milk") or as what an option value measures ("a cortado with a double shot of
espresso") is that product's option, not another item."""

from __future__ import annotations

import re
from typing import Any

from dialogue.capabilities import product_words
from dialogue.capabilities.turns import Turn, product_by_sku


def options_said_as_products(turn: Turn) -> list[dict[str, Any]]:
    """The entities, with a product said "with" another as that one's option values when it
    reads as them: "two lattes, one with oat milk" is a latte's milk, not a carton of oat
    milk; "a bagel with cream cheese" stays two products when bagels have no such option."""
    entities = sorted(turn.entities, key=lambda e: e["start"])
    out: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    for entity in entities:
        if entity.get("entity") != "product":
            out.append(entity)
            continue
        before = turn.text[previous["end"] : entity["start"]] if previous else ""
        if previous is not None and _measured_by_option(turn, previous, entity, out):
            continue  # "a mocha with a triple shot of espresso": the shots, not an espresso
        if previous is not None and re.search(r"\bwith\s*$", before):
            owner = product_by_sku(turn, str(previous["value"]))
            values = product_words.options_in_text(owner, entity["text"])
            if values:
                out.extend(
                    {**entity, "entity": "option", "value": value, "role": group}
                    for group, value in values.items()
                )
                continue
        out.append(entity)
        previous = entity
    return out


def _measured_by_option(
    turn: Turn, previous: dict[str, Any], entity: dict[str, Any], said: list[dict[str, Any]]
) -> bool:
    """Whether a product is what an option value of the product before it measures: "a
    cortado with a double shot of espresso" (shots=double), said as "with <value> ... of"."""
    between = turn.text[previous["end"] : entity["start"]]
    if not re.search(r"\bwith\b[^,.;!?]*\bof\s*$", between):
        return False
    owner = product_by_sku(turn, str(previous["value"]))
    groups = {g["name"] for g in owner.options or []}
    return any(
        e.get("entity") == "option"
        and e.get("role") in groups
        and previous["end"] <= e["start"]
        and e["end"] <= entity["start"]
        for e in said
    )
