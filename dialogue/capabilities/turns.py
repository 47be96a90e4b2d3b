"""One turn of the shopping conversation: what the shopper said, what Rasa understood, the
slots carried between turns, and what the turn says and changes. Also the few helpers every
capability uses (a product by SKU, an item in words, the cart in words, picking among
candidates)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from commerce import cart as carts
from commerce.catalog import get_product
from commerce.models import Customer, Product
from commerce.resolver import catalog_index, tokens
from commerce.store import StoreFacts, shared_store_facts
from dialogue import item_wording as wording
from dialogue import language as lang
from dialogue.capabilities.pending import Pending, from_slot, to_slot
from dialogue.replies import N_
from dialogue.replies.wording import EnglishWording, wording_for

MAX_CHOICES = 4


CAPABILITIES = N_(
    "I can help with products and prices, your cart, placing, tracking or cancelling orders, "
    "and store questions like opening hours and delivery."
)


@dataclass
class Turn:
    session: Session
    customer_id: str
    text: str
    intent: str
    slots: dict[str, Any]
    now: datetime
    history: list[dict[str, str]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    updates: dict[str, Any] = field(default_factory=dict)
    _store: StoreFacts | None = None
    # Handlers hand a turn to another when the classifier's intent does not fit the words
    # ("I'll have the oat milk" as a question); counted so they can never go round in circles.
    redirects: int = 0
    # The classifier's confidence in `intent` (1.0 when the caller has none).
    confidence: float = 1.0
    # The device heard these words begin while a reply was still playing (a TV, the
    # assistant's own voice): they may correct or ask, but never place an order.
    spoken_over_reply: bool = False
    # What the NLU found against the live catalog (dialogue.nlu.catalog_mentions).
    entities: list[dict[str, Any]] = field(default_factory=list)
    # What the turn led to, for the turn log (commerce.turn_log): the order it placed, whether
    # it handed the conversation to a person, whether it ended in "I didn't catch that".
    placed_order_id: int | None = None
    handed_off: bool = False
    not_understood: bool = False
    # Rows this turn has loaded, held for the turn: the session's identity map holds a row
    # only while something refers to it, and a row it still holds costs no query.
    customer: Customer | None = None
    _products: dict[str, Product] = field(default_factory=dict)

    @property
    def store(self) -> StoreFacts:
        if self._store is None:
            self._store = shared_store_facts(self.session)
        return self._store

    @property
    def language(self) -> str:
        """The store's language: replies are said in it (dialogue.replies)."""
        return self.store.language

    @property
    def wording(self) -> EnglishWording:
        """Items, prices, times and lists as phrases in the store's language."""
        return wording_for(self.language, self.store.currency)

    def say(self, text: str) -> None:
        self.messages.append(text)

    def slot(self, name: str) -> Any:
        return self.updates.get(name, self.slots.get(name))

    def set(self, name: str, value: Any) -> None:
        self.updates[name] = value

    @property
    def pending(self) -> Pending | None:
        """The question asked last, as set this turn or carried in from the last one."""
        return from_slot(self.slot("pending"))

    def set_pending(self, pending: Pending | None) -> None:
        self.set("pending", to_slot(pending))

    def money(self, cents: int) -> str:
        return self.wording.money(cents)


MAX_REDIRECTS = 2


def may_redirect(turn: Turn) -> bool:
    """Whether a handler may pass this turn to another one (at most twice per turn)."""
    if turn.redirects >= MAX_REDIRECTS:
        return False
    turn.redirects += 1
    return True


def product_by_sku(turn: Turn, sku: str) -> Product:
    """The product, looked up once per turn (a turn names the same products again and again:
    candidates, the cart's lines, the read-back)."""
    product = turn._products.get(sku)
    if product is None:
        product = turn._products[sku] = get_product(turn.session, sku=sku)
    return product


def describe_item(
    turn: Turn, product: Product, quantity: int, options: dict[str, str] | None = None
) -> str:
    return turn.wording.describe_item(
        quantity, product.name, product.unit, options, product.option_groups()
    )


def item_lines(turn: Turn, items: list[tuple[str, int, dict[str, str]]]) -> list[str]:
    """(sku, quantity, options) lines said together, so lines of one product stay apart."""
    lines = []
    for sku, quantity, options in items:
        product = product_by_sku(turn, sku)
        lines.append(wording.ItemLine(quantity, product.name, product.unit, options,
                                      product.option_groups()))  # fmt: skip
    return turn.wording.describe_lines(lines)


def cart_summary(turn: Turn) -> tuple[str, int]:
    cart = carts.get_cart(turn.session, customer_id=turn.customer_id)
    parts = item_lines(turn, [(i.sku, i.quantity, i.options) for i in cart.items])
    return turn.wording.join_words(parts), cart.subtotal_cents


def candidates_text(turn: Turn, skus: list[str]) -> str:
    names = [turn.wording.spoken_name(product_by_sku(turn, sku).name) for sku in skus]
    return turn.wording.join_words(names, "or")


def resolve_among(turn: Turn, mention: str, skus: list[str]) -> str | None:
    """Which of `skus` the shopper means ("the oat one", "the second", "cat ones")."""
    ordinal = lang.find_ordinal(mention)
    if ordinal is not None and -len(skus) <= ordinal < len(skus):
        return skus[ordinal]
    if not tokens(mention):
        return None
    scores = catalog_index(turn.session).scores_for(mention, skus)
    best = max(scores.values(), default=0.0)
    if best <= 0:
        return None
    winners = [sku for sku, score in scores.items() if score == best]
    return winners[0] if len(winners) == 1 else None


def cart_state(turn: Turn) -> list[tuple[str, int, str]]:
    cart = carts.get_cart(turn.session, customer_id=turn.customer_id)
    return [(i.sku, i.quantity, carts.options_key(i.options)) for i in cart.items]
