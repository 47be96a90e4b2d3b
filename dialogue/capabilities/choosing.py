"""The answer to "which one?": the product the shopper picked takes its place in the cart,
with the quantity and options asked for before the question, then the rest of the request."""

from __future__ import annotations

from commerce import cart as carts
from commerce.models import Product
from commerce.resolver import catalog_index
from dialogue import language as lang

# A module reference, not its names: adding -> cart_edits -> choosing -> adding is a cycle.
from dialogue.capabilities import adding
from dialogue.capabilities.pending import ChooseProduct
from dialogue.capabilities.turns import (
    MAX_CHOICES,
    Turn,
    candidates_text,
    describe_item,
    product_by_sku,
    resolve_among,
)
from dialogue.replies import tr


def choose(turn: Turn) -> None:
    """The answer to "which one?"; anything else is treated as a new request."""
    pending = turn.pending
    if not isinstance(pending, ChooseProduct):
        adding.add_items(turn)
        return
    sku = resolve_among(turn, turn.text, pending.skus)
    if sku is None:
        if lang.is_no(turn.text):
            turn.set_pending(None)
            turn.say(tr(turn, "Okay, I'll leave that out. Anything else?"))
            return
        turn.say(
            tr(turn, "Sorry, which one: {choices}?", choices=candidates_text(turn, pending.skus))
        )
        return
    turn.set_pending(None)
    product = product_by_sku(turn, sku)
    options = dict(pending.options)
    extra = catalog_index(turn.session).search(turn.text, limit=MAX_CHOICES * 2)
    for candidate in extra:
        if candidate.sku == sku:
            options.update(candidate.options)
    replaced = pending.replace
    quantity = pending.quantity
    if replaced:
        # "actually make the pasta ..." answered: the new product takes the old one's place.
        if replaced == sku:
            carts.set_quantity(turn.session, customer_id=turn.customer_id, sku=sku,
                               quantity=quantity)  # fmt: skip
            turn.say(tr(turn, "Okay, {item} now.", item=describe_item(turn, product, quantity)))
            return
        swap_product(turn, product_by_sku(turn, replaced), product, quantity, options)
        return
    added: list[str] = []
    problems: list[str] = []
    adding.add_product(turn, product, quantity, options, added, problems)
    rest = [lang.ItemRequest(**r) for r in pending.rest]
    if rest:
        adding.add_items(turn, rest, added=added, problems=problems)
    else:
        adding.say_added(turn, added, problems)


def swap_product(
    turn: Turn, old: Product, new: Product, quantity: int, options: dict[str, str]
) -> None:
    """Replaces `old` in the cart with `quantity` of `new`; when `new` cannot be added the
    shopper hears why, and that `old` is out."""
    carts.remove_from_cart(turn.session, customer_id=turn.customer_id, sku=old.sku)
    added: list[str] = []
    problems: list[str] = []
    if adding.add_product(turn, new, quantity, options, added, problems):
        turn.say(
            tr(
                turn,
                "Okay, swapped {name} for {value}.",
                name=turn.wording.spoken_name(old.name),
                value=added[0],
            )
        )
    else:
        turn.say(
            " ".join(problems)
            + tr(turn, " I've taken {name} out.", name=turn.wording.spoken_name(old.name))
        )
