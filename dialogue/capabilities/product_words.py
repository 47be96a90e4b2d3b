"""Which words of an utterance name products or option values of the live catalog, and what
is left when they are taken out. Used to tell an order from a question or a correction."""

from __future__ import annotations

import re
from typing import NamedTuple

from commerce.models import Product
from commerce.option_words import groups_of, option_tokens, options_in
from commerce.resolver import catalog_index, resolve_mention, tokens
from dialogue import language as lang
from dialogue.capabilities.turns import (
    Turn,
)


class QuestionCues(NamedTuple):
    """What a question about a product asks: whether it is in stock, what it is, its price,
    its options."""

    stock: bool
    what: bool
    price: bool
    options: bool


def question_cues(text: str) -> QuestionCues:
    """The cues of an English question (normalised text)."""
    return QuestionCues(
        stock=bool(re.search(r"\b(stock|available|have|any left|sell|got|carry)\b", text)),
        what=bool(re.search(r"\b(what is|what's|what are|tell me about|describe|made)\b", text)),
        price=bool(re.search(r"\b(how much|price|cost)\b", text)),
        options=bool(
            re.search(
                r"\b(colou?rs?|sizes?|flavou?rs?|options?|kinds?|types?|sorts?|grinds?|come in)\b",
                text,
            )
        ),
    )


def mention_from_question(text: str) -> str:
    body = lang.normalise(text)
    body = re.sub(
        r"^(?:(?:hi|hey|hello|ok|so|and|also|um)\b[\s,]*)*"
        r"(?:how much (?:is|are|does|do|for)(?: an?| the| your)?|how much|"
        r"what(?:'s| is| are) the (?:price|cost) of(?: an?| the| your)?|price of(?: an?| the)?|"
        r"what(?:'s| is| are)(?: an?| the| your)?|tell me about(?: an?| the| your)?|"
        r"(?:do|does) (?:you|the store) (?:have|sell|stock|carry|got)(?: any| an?| the| some)?|"
        r"(?:is|are) (?:there )?(?:any |the |an? )?|have you got(?: any| an?)?|"
        r"can i get|what kinds? of|what types? of|what sorts? of|what about(?: the| an?)?|"
        r"which)\b\s*",
        "",
        body,
    )
    # "what colours does the collar come in"
    body = re.sub(
        r"^(?:what|which) (?:colou?rs?|sizes?|flavou?rs?|options?|kinds?|types?|sorts?|grinds?)"
        r"(?: of)?(?: (?:does|do|is|are|can i get))?(?: (?:the|a|an|your|it|they))?\b\s*",
        "",
        body,
    )
    body = re.sub(r"\b(?:come|comes|available|sold) (?:in|with)\b.*$", "", body)
    body = re.sub(
        r"\b(?:in stock|available|cost|costs|left|today|right now|now|please|made of|made with|"
        r"exactly|again|do you have|do you sell|have you got|you have|you sell|there)\b",
        " ",
        body,
    )
    return " ".join(body.split()).strip(" ,?")


def known_words(turn: Turn, mention: str) -> bool:
    """Whether every word of a mention is a word this catalog uses (names, aliases, options):
    'a coffee' is, 'purple monkey dishwasher' is not."""
    index = catalog_index(turn.session)
    words = tokens(mention)
    return bool(words) and all(
        w in index.postings or w in index.option_vocabulary or w in OPTION_FILLER for w in words
    )


def names_products(turn: Turn) -> bool:
    """Whether the words name catalog products (an order, whatever the classifier said)."""
    named = [r for r in lang.split_items(text_without_names(turn)) if r.mention]
    products = [r for r in named if names_product(turn, r.mention)]
    # "a bed for my dog, big": option words may follow a product.
    rest = [r for r in named if r not in products]
    return bool(products) and all(known_words(turn, r.mention) for r in rest)


def names_product(turn: Turn, mention: str) -> bool:
    """A mention that clearly names catalog products (one, or several to choose from)."""
    candidates = resolve_mention(turn.session, mention=mention)
    return bool(candidates) and (candidates[0].score >= 0.75 or known_words(turn, mention))


def text_without_names(turn: Turn) -> str:
    """The shopper's words without the assistant's name: "hi rosa, a latte" -> "hi, a latte"."""
    name = turn.store.assistant_name
    if not name or name == "the assistant":
        return turn.text
    return re.sub(rf"\b{re.escape(name)}\b", " ", turn.text, flags=re.IGNORECASE)


OPTION_FILLER = frozenset({"with", "in", "size", "and", "please", "one", "ones", "the", "a", "an"})


def options_in_text(product: Product, text: str) -> dict[str, str]:
    """Option values a correction names ("large", "oat milk", "whole bean"), or {} when it
    says anything else."""
    groups = groups_of(product.options)
    words = option_tokens(text)
    chosen, used = options_in(groups, words)
    # Other words of the product's option values may go with those named: "caramel sauce"
    # where "chocolate sauce" is a value.
    value_words = groups.words
    for i, word in enumerate(words):
        if i not in used and word not in value_words and word not in OPTION_FILLER:
            return {}
    return chosen
