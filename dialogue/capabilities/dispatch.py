"""Runs one turn: the intent-to-handler table in one place, and the rules that hold across
handlers (a handed-off conversation takes no actions, a pending question is answered first,
a cart change during the read-back leads to a fresh read-back)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from commerce.accounts import ensure_customer
from commerce.errors import CommerceError
from commerce.handoffs import active_handoff, note_shopper_message
from commerce.resolver import resolve_mention
from dialogue import language as lang
from dialogue import purchase
from dialogue.capabilities import (
    adding,
    answers,
    cart_edits,
    cart_reminder,
    catalog_questions,
    checkout_flow,
    choosing,
    conversation,
    korean_reading,
    order_tracking,
    store_faq,
    store_questions,
    survey,
)
from dialogue.capabilities.pending import AskRating, ChooseProduct, ConfirmCheckout
from dialogue.capabilities.store_refusals import refusal_clause
from dialogue.capabilities.turns import (
    Turn,
    cart_state,
    product_by_sku,
    resolve_among,
)
from dialogue.replies import tr

HANDLERS: dict[str, Callable[[Turn], None]] = {
    "greet": conversation.greet,
    "goodbye": conversation.goodbye,
    "thanks": conversation.thanks,
    "add_item": adding.add_items,
    "choose": choosing.choose,
    "change_item": cart_edits.change_item,
    "remove_item": cart_edits.remove_item,
    "view_cart": cart_edits.view_cart,
    "empty_cart": cart_edits.empty_cart,
    "checkout": checkout_flow.checkout,
    "choose_fulfilment": checkout_flow.choose_fulfilment,
    "affirm": answers.affirm,
    "deny": answers.deny,
    "product_info": catalog_questions.product_info,
    "category_info": catalog_questions.category_info,
    "ask_hours": store_questions.ask_hours,
    "ask_address": store_questions.ask_address,
    "ask_phone": store_questions.ask_phone,
    "ask_delivery": store_questions.ask_delivery,
    "ask_returns": store_questions.ask_returns,
    "order_status": order_tracking.order_status,
    "cancel_order": order_tracking.cancel_order,
    "reorder": order_tracking.reorder,
    "recommend": catalog_questions.recommend,
    "handoff": conversation.handoff,
    "not_understood": conversation.not_understood,
}


# Handlers that change the cart; during a read-back they lead to a fresh read-back.
CART_EDITS = ("add_item", "remove_item", "change_item", "choose", "deny", "not_understood")


# Handlers that leave a pending question in place.
KEEPS_PENDING = ("affirm", "deny", "choose", "choose_fulfilment", "checkout", "view_cart")


# What a classifier makes of an option value said alone ("red", "large", "빨강").
OPTION_ANSWER_INTENTS = ("affirm", "not_understood", "greet", "thanks")
# An option answer is a word or two ("large", "the red", "빨간색으로요").
MAX_OPTION_ANSWER_WORDS = 3


def _names_options_of_last_item(turn: Turn) -> bool:
    """Whether the turn is only option values of the item just added, with no question open:
    the shopper choosing what the defaults left out."""
    last = turn.slot("last_item")
    if not last or turn.pending is not None or len(turn.text.split()) > MAX_OPTION_ANSWER_WORDS:
        return False
    if any(e.get("entity") == "product" for e in turn.entities):
        return False
    options = [e for e in turn.entities if e.get("entity") == "option"]
    if not options:
        return False
    try:
        groups = product_by_sku(turn, last["sku"]).option_groups()
    except CommerceError:  # the product was taken off the catalog since
        return False
    return all(str(e.get("role")) in groups for e in options)


def _answers_choice(turn: Turn, pending: ChooseProduct) -> bool:
    """Whether the shopper's words pick one of the products offered ("the oat one", "cat
    ones", "the second") rather than asking for something else."""
    if resolve_among(turn, turn.text, pending.skus) is None:
        return False
    if lang.find_ordinal(turn.text) is not None:
        return True
    elsewhere = resolve_mention(turn.session, mention=lang.strip_request_words(turn.text))
    return not (elsewhere and elsewhere[0].score >= 0.8 and elsewhere[0].sku not in pending.skus)


STORE_QUESTIONS = ("ask_hours", "ask_address", "ask_phone", "ask_delivery", "ask_returns")


# Real store questions classify with high confidence; a weak match is something else.
STORE_QUESTION_MIN_CONFIDENCE = 0.6


def run_turn(turn: Turn, handler_name: str) -> Turn:
    """Runs one handler. A conversation with an open handoff takes no actions; a pending
    "which one?" is answered first when the reply names one of the choices; a change to the
    cart while the order is being read back leads to a fresh read-back."""
    # Held for the turn: the session keeps loaded rows only while something refers to them,
    # and the cart and checkout look the shopper up again.
    turn.customer = ensure_customer(turn.session, customer_id=turn.customer_id)
    if active_handoff(turn.session, customer_id=turn.customer_id) is not None:
        # Staff read it in the console and answer through the shopper's notices.
        note_shopper_message(turn.session, customer_id=turn.customer_id, text=turn.text)
        turn.say(tr(turn, ("A member of our staff has your conversation and will reply shortly.")))
        return turn
    if purchase.awaiting_pin(turn) and purchase.pin_turn(turn, handler_name):
        return turn
    asked = turn.pending
    if isinstance(asked, AskRating) and survey.answer(turn, asked):
        return turn  # a rating; anything else skipped the survey and is handled below
    if handler_name in STORE_QUESTIONS and turn.confidence < STORE_QUESTION_MIN_CONFIDENCE:
        # "open the pod bay doors" is not a question about opening hours.
        handler_name = "not_understood"
    faq = store_faq.faq_answer(turn, handler_name, store_question=handler_name in STORE_QUESTIONS)
    if faq is not None:
        # The store file's own answer ("can I bring my dog?"): like any store question, it
        # leaves an open question behind, so a later "yes" places nothing unheard.
        turn.say(faq)
        turn.set_pending(None)
        turn.set("misunderstood", 0.0)
        return turn
    pending = turn.pending
    if pending is not None and handler_name == "not_understood":
        # "actually no", "yes go on": an answer to the question asked, in words not trained.
        if turn.language == "ko":
            if korean_reading.is_no(turn.text):
                handler_name = "deny"
            elif korean_reading.is_yes(turn.text):
                handler_name = "affirm"
        elif lang.is_no(turn.text) or re.match(r"^(?:actually|oh|um|uh|hmm|well),? no\b",
                                               lang.normalise(turn.text)):  # fmt: skip
            handler_name = "deny"
        elif lang.is_yes(turn.text):
            handler_name = "affirm"
    option_answer = handler_name in OPTION_ANSWER_INTENTS or (
        # "검은색으로요" sounds like "배달로요" to the classifier.
        handler_name == "choose_fulfilment" and checkout_flow.says_fulfilment(turn) is None
    )
    if option_answer and _names_options_of_last_item(turn):
        handler_name = "change_item"  # "red", "빨강" right after "one dog collar"
    elif (
        isinstance(pending, ConfirmCheckout)
        and handler_name in ("change_item", "not_understood")
        and not any(e.get("entity") in ("product", "option") for e in turn.entities)
        and checkout_flow.says_fulfilment(turn) is not None
    ):
        # "배달 말고 픽업으로 해 주세요" while the order is read back: no item changes.
        handler_name = "choose_fulfilment"
    reading_back = isinstance(pending, ConfirmCheckout) or (
        isinstance(pending, ChooseProduct) and pending.resume == "checkout"
    )
    if (
        isinstance(pending, ChooseProduct)
        and handler_name not in ("choose", "deny", "affirm", "checkout", "view_cart",
                                 "handoff", "cancel_order", "order_status", "empty_cart")
        and not (
            handler_name in ("product_info", "category_info")
            and re.search(catalog_questions.QUESTION_CUE, lang.normalise(turn.text))
        )
        and _answers_choice(turn, pending)
    ):  # fmt: skip
        handler_name = "choose"
    elif (
        pending is not None
        and handler_name not in KEEPS_PENDING
        and not (isinstance(pending, ChooseProduct) and handler_name == "product_info")
    ):  # "how much is the skimmed one?" while choosing keeps the choice open
        if not (reading_back and handler_name in CART_EDITS):
            # Moving on to something else drops a question left unanswered.
            turn.set_pending(None)
            reading_back = False
    before = cart_state(turn) if reading_back else None
    left = cart_reminder.left_cart(turn)  # as the shopper left it, before this turn
    try:
        HANDLERS[handler_name](turn)
    except CommerceError as exc:
        turn.session.rollback()
        turn.say(tr(turn, "Sorry, {message}.", message=refusal_clause(turn, exc)))
        return turn
    finally:
        # A turn understood (by whichever handler) ends a run of misunderstandings.
        if "misunderstood" not in turn.updates:
            turn.set("misunderstood", 0.0)
    if reading_back and handler_name in CART_EDITS:
        now_pending = turn.pending
        if cart_state(turn) != before and (
            now_pending is None or isinstance(now_pending, ConfirmCheckout)
        ):
            checkout_flow.checkout(turn, again=True)
        elif "pending" in turn.updates and isinstance(now_pending, ChooseProduct):
            turn.set_pending(dataclasses.replace(now_pending, resume="checkout"))
        elif "pending" not in turn.updates:
            # Nothing changed ("hmm, let me think"): a later yes must not place the order.
            turn.set_pending(None)
    elif not reading_back:
        cart_reminder.mention(turn, left, handler_name)
    return turn
