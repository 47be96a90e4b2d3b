"""Yes and no: answers to the question the assistant asked last (the `pending` slot), a
suggestion, a read-back, a cancellation, a choice or emptying the cart."""

from __future__ import annotations

import re

from commerce import cart as carts
from commerce import orders
from commerce.errors import CommerceError
from commerce.resolver import pick, resolve_mention
from dialogue import language as lang
from dialogue import purchase
from dialogue.capabilities import (
    adding,
    cart_edits,
    cart_reminder,
    checkout_flow,
    choosing,
    order_tracking,
    product_words,
    suggestion_limits,
)
from dialogue.capabilities.pending import (
    ChooseProduct,
    ConfirmCancel,
    ConfirmCheckout,
    ConfirmEmpty,
    ConfirmKeepCart,
    SuggestProduct,
)
from dialogue.capabilities.store_refusals import refusal_clause
from dialogue.capabilities.turns import (
    Turn,
    cart_state,
    may_redirect,
    product_by_sku,
    resolve_among,
)
from dialogue.replies import tr


def affirm(turn: Turn) -> None:
    pending = turn.pending
    if isinstance(pending, ConfirmCheckout):
        rest = re.sub(
            r"^(?:(?:yes|yeah|yep|yup|sure|ok|okay|please|go ahead|do it|place it|confirm)\b"
            r"[\s,]*)+",
            "",
            lang.normalise(turn.text),
        )
        if re.match(r"^(?:and|but|also|plus|just)\b", rest) and rest.split(" ", 1)[1:]:
            # "yes, and add a lemon": change the cart first, then read the order back again.
            before = cart_state(turn)
            edit = lang.normalise(rest.split(" ", 1)[1])
            turn.text = edit
            if re.search(r"\b(?:remove|take|drop|delete|without|no)\b", edit):
                cart_edits.remove_item(turn)
            else:
                adding.add_items(turn)
            if cart_state(turn) != before:
                checkout_flow.checkout(turn, again=True)
            else:
                turn.set_pending(None)
            return
        if not purchase.before_placing(turn, pending):  # spoken over, limits, voice PIN
            checkout_flow.place_order(turn, pending)
    elif isinstance(pending, ConfirmKeepCart):
        cart_reminder.keep(turn)
    elif isinstance(pending, ConfirmEmpty):
        carts.clear_cart(turn.session, customer_id=turn.customer_id)
        turn.set_pending(None)
        turn.set("last_item", None)
        turn.say(tr(turn, "Your cart is empty now."))
    elif isinstance(pending, ConfirmCancel):
        turn.set_pending(None)
        try:
            order = orders.cancel_order(
                turn.session,
                order_id=pending.order_id,
                customer_id=turn.customer_id,
                changed_by=f"shopper:{turn.customer_id}",
            )
        except CommerceError as exc:
            turn.say(
                tr(
                    turn,
                    "Sorry, I couldn't cancel it: {message}.",
                    message=refusal_clause(turn, exc),
                )
            )
            return
        turn.say(tr(turn, "Order number {id} is cancelled.", id=order.id))
    elif isinstance(pending, SuggestProduct):
        turn.set_pending(None)
        added: list[str] = []
        problems: list[str] = []
        suggested = product_by_sku(turn, pending.sku)
        adding.add_product(turn, suggested, pending.quantity, {}, added, problems)
        adding.say_added(turn, added, problems)
    elif isinstance(pending, ChooseProduct):
        choosing.choose(turn)
    elif re.search(r"\b(?:place|order|check ?out|buy|pay)\b", lang.normalise(turn.text)) and (
        carts.get_cart(turn.session, customer_id=turn.customer_id).items
    ):
        # "yes, place it" after the read-back was interrupted: read it back again first.
        checkout_flow.checkout(turn)
    elif product_words.names_products(turn) and may_redirect(turn):
        adding.add_items(turn)  # the classifier's guess for "fifty toothbrush heads please"
    else:
        turn.say(tr(turn, "Okay. What can I get you?"))


REFUSAL = re.compile(
    r"\b(?:thanks|thank you|cheers|i'm good|i am good|i'm fine|i'm okay|i'm ok|not now|not yet|"
    r"not really|not at all|no way|don't|do not|dont|place it|cancel it|keep it|leave it|"
    r"as it is|that's wrong|that's not right|that's incorrect|i changed my mind|i've changed my "
    r"mind|i don't think so|definitely not|forget it|never ?mind|do that|that's all|that's it|"
    r"it|that|this|those|them|the order|my order|all|please|for now|yet|thing|one|not|no|nope|"
    r"nah)\b"
)


CORRECTION_CUE = re.compile(
    r"\b(?:i meant|i mean|i said|instead|make it|make that|make them|change|swap|switch|rather|"
    r"should be)\b"
)


def _is_correction(turn: Turn, text: str) -> bool:
    """'no, three', 'no, I meant the large', 'no wait, tomatoes not spinach' correct the last
    item; 'no thanks', 'no, keep it', 'not yet' only refuse."""
    normal = lang.normalise(text)
    body = re.sub(r"\s+", " ", REFUSAL.sub(" ", cart_edits.correction_body(text))).strip(" ,")
    if not body:
        return False
    if lang.find_number(body) is not None or CORRECTION_CUE.search(normal):
        return True
    last = turn.slot("last_item")
    if last and product_words.options_in_text(product_by_sku(turn, last["sku"]), body):
        return True
    candidates = resolve_mention(turn.session, mention=body)
    return bool(candidates) and candidates[0].score >= 0.6


def _in_cart_only(turn: Turn, mention: str) -> bool:
    """Whether the words name exactly a product that is in the cart (and nothing else)."""
    choice = pick(resolve_mention(turn.session, mention=mention))
    cart = carts.get_cart(turn.session, customer_id=turn.customer_id)
    return (
        choice.best is not None
        and choice.best.score >= 0.8
        and not choice.best.options
        and choice.best.sku in cart.quantities
    )


def deny(turn: Turn) -> None:
    pending = turn.pending
    if isinstance(pending, SuggestProduct):
        suggestion_limits.record_declined(turn, pending.sku)  # never suggested again
    if isinstance(pending, ConfirmKeepCart) and not product_words.names_products(turn):
        cart_reminder.empty(turn)  # "no", "no thanks, start over"
        return
    kind = pending.kind if pending is not None else None
    if (
        kind not in ("confirm_cancel", "choose_product")
        and re.search(
            r"\b(?:don't|do not|no longer) (?:want|need)\b|\b(?:remove|take out)\b",
            lang.normalise(turn.text),
        )  # fmt: skip
        and product_words.names_products(turn)
        and carts.get_cart(turn.session, customer_id=turn.customer_id).items
        and may_redirect(turn)
    ):
        cart_edits.remove_item(turn)  # "I don't need the bowl"
        return
    body = cart_edits.correction_body(turn.text)
    if (
        kind not in ("confirm_cancel", "choose_product")
        and re.match(
            r"^(?:(?:actually|oh|wait|sorry|um|hmm)[\s,]+)*no (?:more )?\w",
            lang.normalise(turn.text),
        )  # fmt: skip
        and body
        and lang.find_number(body) is None
        and not CORRECTION_CUE.search(lang.normalise(turn.text))
        and _in_cart_only(turn, body)
        and may_redirect(turn)
    ):
        cart_edits.remove_item(turn)  # "actually, no filter"
        return
    last = turn.slot("last_item")
    if (
        not kind
        and re.match(
            r"^(?:(?:no|oh|oops|wait|sorry)[\s,]+)*(?:cancel|scratch|undo|remove) "
            r"(?:that|it)$|^undo$",
            lang.normalise(turn.text),
        )  # fmt: skip
        and last
        and last["sku"] in carts.get_cart(turn.session, customer_id=turn.customer_id).quantities
        and may_redirect(turn)
    ):
        cart_edits.remove_item(turn)  # "cancel that" right after adding something takes it back out
        return
    if (
        not kind
        and re.match(
            r"^(?:(?:no|oh|ok|okay|then|please|actually)[\s,]+)*cancel (?:it|that|the order)\b",
            lang.normalise(turn.text),
        )
        and may_redirect(turn)
    ):
        order_tracking.cancel_order(turn)  # "cancel it" after hearing where an order is: that order
        return
    if isinstance(pending, ChooseProduct) and resolve_among(turn, turn.text, pending.skus):
        choosing.choose(turn)  # "no, the oat one"
        return
    if kind != "confirm_cancel" and _is_correction(turn, turn.text):
        cart = carts.get_cart(turn.session, customer_id=turn.customer_id)
        if kind not in ("confirm_checkout",):
            turn.set_pending(None)
        if cart.items:
            cart_edits.change_item(turn)
        else:
            adding.add_items(turn)
        return
    turn.set_pending(None)
    if kind == "confirm_checkout":
        turn.say(tr(turn, "Okay, I haven't placed the order. Your cart is still there."))
    elif kind == "confirm_empty":
        turn.say(tr(turn, "Okay, I'll keep your cart as it is."))
    elif kind == "confirm_cancel":
        turn.say(tr(turn, "Okay, your order stays as it is."))
    elif kind == "choose_product":
        turn.say(tr(turn, "Okay, I'll leave that out. Anything else?"))
    elif kind == "suggest":
        turn.say(tr(turn, "No problem. Anything else?"))
    else:
        turn.say(tr(turn, "Okay. Anything else I can help with?"))
