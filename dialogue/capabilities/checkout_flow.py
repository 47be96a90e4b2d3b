"""Checkout: pickup or delivery, the read-back with its total, and placing the order once the
shopper has said yes (and the PIN, see dialogue.purchase)."""

from __future__ import annotations

import re

from commerce import cart as carts
from commerce import orders
from commerce.errors import OutOfStock, PriceChanged
from commerce.purchase_guard import SpendingLimitExceeded
from dialogue import language as lang
from dialogue import purchase
from dialogue.capabilities import korean_reading, order_tracking, survey
from dialogue.capabilities.pending import ConfirmCheckout
from dialogue.capabilities.store_refusals import refusal_sentence
from dialogue.capabilities.turns import (
    Turn,
    cart_summary,
    may_redirect,
)
from dialogue.replies import tr


def wants_delivery(text: str) -> bool | None:
    text = lang.normalise(text)
    if re.search(r"\b(deliver|delivered|delivery|bring it|send it|ship)\b", text):
        return True
    if re.search(r"\b(pick ?up|pick it up|collect|collection|come get|in store)\b", text):
        return False
    return None


def says_fulfilment(turn: Turn) -> bool | None:
    """True for delivery, False for pickup, None when the turn names neither."""
    if turn.language == "ko":
        return korean_reading.wants_delivery(turn.text)
    return wants_delivery(turn.text)


def _default_fulfilment(turn: Turn) -> str:
    chosen = turn.slot("fulfilment")
    if chosen:
        return chosen
    return "pickup" if turn.store.fulfilment.pickup else "delivery"


def checkout(turn: Turn, *, intro: str = "", again: bool = False) -> None:
    """Reads the order back (items, total, fee) and asks for a yes; `again` after the shopper
    changed the cart while a read-back was waiting for an answer."""
    if (
        not intro
        and not again
        and order_tracking.order_number_in(turn.text) is not None
        and not re.search(
            r"\b(?:check ?out|place|pay|done|finish|submit|complete)\b", lang.normalise(turn.text)
        )
        and may_redirect(turn)
    ):
        order_tracking.order_status(turn)  # "what about order one?"
        return
    wants = says_fulfilment(turn)
    if wants is not None:
        turn.set("fulfilment", "delivery" if wants else "pickup")
    fulfilment = _default_fulfilment(turn)
    if fulfilment == "delivery" and not turn.store.fulfilment.delivery:
        turn.say(
            tr(
                turn,
                "Sorry, {name} doesn't deliver, so this will be for pickup.",
                name=turn.store.name,
            )
        )
        fulfilment = "pickup"
        turn.set("fulfilment", fulfilment)
    summary, subtotal = cart_summary(turn)
    if not summary:
        turn.set_pending(None)
        turn.say(tr(turn, "Your cart is empty. What would you like to order?"))
        return
    quote = orders.quote(turn.session, customer_id=turn.customer_id, fulfilment=fulfilment)
    if purchase.purchasing_locked(turn) or purchase.over_spending_limit(turn, quote["total"]):
        return
    parts = [intro] if intro else []
    if again:
        parts.append(tr(turn, "Your order is now {summary}.", summary=summary))
    else:
        parts.append(tr(turn, "Your order is {summary}.", summary=summary))
    if fulfilment == "delivery":
        fee = quote["delivery_fee"]
        fee_text = (
            tr(turn, "a {price} delivery fee", price=turn.money(fee))
            if fee
            else tr(turn, "free delivery")
        )
        parts.append(
            tr(
                turn,
                "That's {price} including {fee_text}.",
                price=turn.money(quote["total"]),
                fee_text=fee_text,
            )
        )
    else:
        parts.append(tr(turn, "That's {price}, for pickup.", price=turn.money(quote["total"])))
        if turn.store.fulfilment.delivery and not again and not turn.slot("fulfilment"):
            parts.append(tr(turn, "Say delivery if you'd like it delivered."))
    parts.append(tr(turn, "Shall I place the order? Please confirm."))
    turn.set_pending(ConfirmCheckout(fulfilment=fulfilment, total=quote["total"]))
    turn.say(" ".join(parts))


def choose_fulfilment(turn: Turn) -> None:
    wants = says_fulfilment(turn)
    if wants is None:
        turn.say(tr(turn, "Would you like pickup or delivery?"))
        return
    if wants and not turn.store.fulfilment.delivery:
        turn.say(
            tr(turn, "Sorry, {name} doesn't deliver; orders are for pickup.", name=turn.store.name)
        )
        return
    turn.set("fulfilment", "delivery" if wants else "pickup")
    cart = carts.get_cart(turn.session, customer_id=turn.customer_id)
    if cart.items:
        checkout(turn)
    else:
        if turn.slot("fulfilment") == "delivery":
            turn.say(tr(turn, "Okay, delivery it is. What would you like?"))
        else:
            turn.say(tr(turn, "Okay, pickup it is. What would you like?"))


def place_order(turn: Turn, pending: ConfirmCheckout) -> None:
    try:
        order = orders.checkout(
            turn.session,
            customer_id=turn.customer_id,
            fulfilment=pending.fulfilment,
            expected_total_cents=pending.total,
            idempotency_key=pending.key,
            now=turn.now,
        )
    except SpendingLimitExceeded as exc:
        purchase.hand_off_over_limit(turn, exc)
        return
    except PriceChanged:
        turn.set_pending(None)
        checkout(turn, intro=tr(turn, "Prices changed since I read your order back."))
        return
    except OutOfStock as exc:
        turn.set_pending(None)
        turn.say(
            tr(
                turn,
                (
                    "Sorry, I couldn't place it: {value} Your cart is unchanged; "
                    "you could change that item and check out again."
                ),
                value=refusal_sentence(turn, exc),
            )
        )
        return
    turn.set_pending(None)
    turn.set("fulfilment", None)
    turn.set("last_item", None)
    when = ""
    minutes = turn.store.fulfilment.typical_delivery_minutes
    if order.fulfilment == "delivery" and minutes:
        when = tr(
            turn,
            " It should arrive in about {count} minutes.",
            count=turn.wording.minutes_number(minutes),
        )
    elif order.fulfilment == "pickup":
        when = tr(turn, " We'll have it ready for pickup.")
    turn.say(
        tr(
            turn,
            "Done! Order number {id} is placed, {price} in total.{when}",
            id=order.id,
            price=turn.money(order.total_cents),
            when=when,
        )
    )
    turn.placed_order_id = order.id
    survey.ask(turn, order.id)
