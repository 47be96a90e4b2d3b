"""A cart left for more than a day is mentioned once, when the shopper next talks: "You still
have two croissants in your cart; shall I keep them?". A yes keeps it, a no empties it.

Once per cart: the slot `cart_reminded` holds when the cart mentioned was last added to, so
the same left-over cart is never brought up twice, and a cart added to since is a new one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from commerce import cart as carts
from commerce.models import CartLine
from dialogue.capabilities.pending import ConfirmKeepCart
from dialogue.capabilities.turns import Turn, cart_summary
from dialogue.replies import tr

LEFT_FOR = timedelta(days=1)

# Turns about the cart or an answer to a question: the shopper is dealing with the cart (or
# with something else the assistant asked) already; no reminder on top.
CART_TURNS = (
    "add_item", "choose", "change_item", "remove_item", "view_cart", "empty_cart", "checkout",
    "choose_fulfilment", "affirm", "deny", "handoff", "reorder",
)  # fmt: skip


@dataclass(frozen=True)
class LeftCart:
    last_added: str  # ISO time of the cart's newest line


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def left_cart(turn: Turn) -> LeftCart | None:
    """The cart as the shopper left it, before this turn changes anything, when it has not
    been added to for more than a day and was not mentioned yet."""
    newest = turn.session.scalar(
        select(func.max(CartLine.added_at)).where(CartLine.customer_id == turn.customer_id)
    )
    if newest is None or turn.now - _aware(newest) <= LEFT_FOR:
        return None
    stamp = _aware(newest).isoformat()
    if turn.slot("cart_reminded") == stamp:
        return None
    return LeftCart(stamp)


def mention(turn: Turn, left: LeftCart | None, handler_name: str) -> None:
    """After the turn's own answer: the reminder, unless the turn dealt with the cart, asked
    a question of its own, or the cart changed meanwhile."""
    if left is None:
        return
    if handler_name in CART_TURNS:
        turn.set("cart_reminded", left.last_added)  # they know what is in it
        return
    if turn.pending is not None:
        return  # their question first; the reminder waits for a turn without one
    items, _ = cart_summary(turn)
    if not items:
        return
    cart = carts.get_cart(turn.session, customer_id=turn.customer_id)
    them = tr(turn, "them") if sum(item.quantity for item in cart.items) > 1 else tr(turn, "it")
    turn.say(
        tr(
            turn,
            "You still have {items} in your cart; shall I keep {them}?",
            items=items,
            them=them,
        )
    )
    turn.set("cart_reminded", left.last_added)
    turn.set_pending(ConfirmKeepCart())


def keep(turn: Turn) -> None:
    turn.set_pending(None)
    turn.say(tr(turn, "Okay, your cart stays as it is. What else can I get you?"))


def empty(turn: Turn) -> None:
    turn.set_pending(None)
    carts.clear_cart(turn.session, customer_id=turn.customer_id)
    turn.set("last_item", None)
    turn.say(tr(turn, "Okay, I've emptied your cart. What can I get you?"))
