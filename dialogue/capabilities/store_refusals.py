"""What a shopper hears when the store refuses something (a commerce error): in the turn's
language and in the shopper's words. The commerce layer's own messages are for staff and the
API ("Only 2 of Latte (LATTE) in stock; 5 requested."): they name SKUs and are English."""

from __future__ import annotations

from commerce.errors import (
    CommerceError,
    EmptyCart,
    IllegalTransition,
    InvalidOption,
    NotFound,
    OutOfStock,
)
from dialogue.capabilities.turns import Turn
from dialogue.replies import tr


def refusal_clause(turn: Turn, exc: CommerceError) -> str:
    """The refusal as a clause to follow "Sorry, ": no capital, no full stop."""
    wording = turn.wording
    if isinstance(exc, OutOfStock):
        name = wording.spoken_name(exc.name)
        if exc.available > 0:
            return tr(
                turn,
                "we only have {count} {name}",
                count=wording.stock_count(exc.available, exc.unit),
                name=name,
            )
        return tr(turn, "{name} {is_are} out of stock", name=name, is_are=wording.is_are(name))
    if isinstance(exc, InvalidOption) and exc.product:
        name = wording.spoken_name(exc.product)
        if exc.choices:
            return tr(
                turn,
                "the {name} comes in {choices}, not {value}",
                name=name,
                choices=wording.join_words(list(exc.choices), "or"),
                value=exc.value,
            )
        return tr(turn, "the {name} doesn't come in {value}", name=name, value=exc.value)
    if turn.language == "en":
        return exc.message
    # Other languages: the kind of refusal, since the commerce message is English.
    if isinstance(exc, NotFound):
        return tr(turn, "I couldn't find that")
    if isinstance(exc, EmptyCart):
        return tr(turn, "your cart is empty")
    if isinstance(exc, IllegalTransition):
        return tr(turn, "that can't be changed now")
    return tr(turn, "the store couldn't do that")


def refusal_sentence(turn: Turn, exc: CommerceError) -> str:
    """The refusal as a sentence of its own: "We only have twenty wildflower honey."."""
    clause = refusal_clause(turn, exc)
    return clause[:1].upper() + clause[1:] + tr(turn, ".")
