"""Checkout's purchase controls in the conversation: the voice PIN, the spending guard, and
"a yes heard while the assistant was still talking never places an order".

After the read-back and the shopper's yes, a shopper with a PIN is asked for it; only the right
PIN places the order. Wrong tries and the lock live in the database (commerce.purchase_guard),
never only in slots, which a caller of Rasa's action-server protocol could send as it likes.
The PIN is never said back, and the words that answered the prompt are masked in the
conversation (here, and in the tracker store: dialogue.pin_privacy).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from text_to_num import alpha2digit

from commerce.errors import CommerceError
from commerce.purchase_guard import (
    MAX_PIN_FAILURES,
    PIN_LOCK,
    SpendingLimitExceeded,
    check_pin,
    has_pin,
    locked_until,
    spending_problem,
)
from dialogue import language as lang
from dialogue.capabilities import korean_reading
from dialogue.capabilities.pending import ConfirmCheckout, ConfirmPin
from dialogue.capabilities.store_refusals import refusal_clause
from dialogue.pin_privacy import MASK
from dialogue.replies import N_, tr

if TYPE_CHECKING:
    from dialogue.capabilities.turns import Turn

PIN_PROMPT = N_("Please say your voice PIN.")
SPOKEN_OVER_YES = N_("I'll need your yes after I've finished reading the order. Shall I place it?")
SPOKEN_OVER_PIN = N_("I'll need your PIN after I've finished speaking. Please say your voice PIN.")
# Words that may come with the digits: "my pin is four eight two one please".
PIN_FILLER = frozenset(
    "my the pin code number voice it's its it is um uh er erm ok okay so please thanks thank "
    "you and yes yeah sure right here go".split()
)
_ZERO_WORDS = {"oh": "0", "o": "0", "zero": "0", "nought": "0"}


def pin_digits(text: str) -> str | None:
    """The digits of a PIN answer ("four eight two one", "4 8 2 1", "my pin is 4821 please"),
    or None when the words are not just a number (a request, a yes, a no)."""
    words = lang.normalise(text).replace("-", " ").replace(",", " ")
    if not words:
        return None
    # "oh four one two": a spoken zero, which the number parser leaves as a word.
    words = " ".join(_ZERO_WORDS.get(w, w) for w in words.split())
    converted = alpha2digit(words, "en")
    digits = ""
    for word in converted.split():
        if word.isdigit() and word.isascii():
            digits += word
        elif word not in PIN_FILLER:
            return None
    return digits or None


def _minutes_until(turn: Turn, until: datetime) -> int:
    seconds = (until - turn.now).total_seconds()
    return max(1, int(-(-seconds // 60)))  # rounded up: "locked for 1 more minute", never 0


def _say_locked(turn: Turn, until: datetime) -> None:
    minutes = _minutes_until(turn, until)
    unit = tr(turn, "minute") if minutes == 1 else tr(turn, "minutes")
    turn.say(
        tr(
            turn,
            (
                "Purchasing is locked after three wrong PINs. You can try "
                "again in {count} {unit}. Your cart is still there."
            ),
            count=turn.wording.minutes_number(minutes),
            unit=unit,
        )
    )


def purchasing_locked(turn: Turn) -> bool:
    """Says so and returns True while the shopper's purchasing is locked (nothing is read back
    or placed)."""
    until = locked_until(turn.session, customer_id=turn.customer_id, now=turn.now)
    if until is None:
        return False
    turn.set_pending(None)
    _say_locked(turn, until)
    return True


def hand_off_over_limit(turn: Turn, problem: SpendingLimitExceeded) -> None:
    """An order over a spending limit: a member of staff takes over instead of ordering."""
    from dialogue.capabilities.conversation import handoff

    which = tr(turn, "per order") if problem.limit == "order" else tr(turn, "per day")
    turn.say(
        tr(
            turn,
            (
                "That order is {price}, over your spending limit of {price2} "
                "{which}, so I can't place it myself."
            ),
            price=turn.money(problem.total_cents),
            price2=turn.money(problem.limit_cents),
            which=which,
        )
    )
    handoff(turn, reason=f"order over the {'per-order' if problem.limit == 'order' else 'daily'} "
            "spending limit")  # fmt: skip


def over_spending_limit(turn: Turn, total_cents: int) -> bool:
    """Hands off and returns True when an order of `total_cents` may not be placed now."""
    problem = spending_problem(
        turn.session, customer_id=turn.customer_id, total_cents=total_cents, now=turn.now
    )
    if problem is None:
        return False
    hand_off_over_limit(turn, problem)
    return True


def before_placing(turn: Turn, pending: ConfirmCheckout) -> bool:
    """Runs at the shopper's yes to the read-back. Returns True when the order is not placed
    now: the yes was heard over the reply, the order is over a limit, purchasing is locked, or
    the PIN has been asked for."""
    if turn.spoken_over_reply:
        turn.say(
            tr(turn, SPOKEN_OVER_YES)
        )  # the read-back stays pending: a later clear yes places it
        return True
    if over_spending_limit(turn, pending.total):
        return True
    if purchasing_locked(turn):
        return True
    if has_pin(turn.session, customer_id=turn.customer_id):
        turn.set_pending(pending.asking_pin())
        turn.say(tr(turn, PIN_PROMPT))
        return True
    return False


def answer_pin(turn: Turn, handler_name: str) -> bool:
    """A turn while the PIN prompt waits. Returns True when handled here; False when the
    shopper moved on to something else (the read-back is pending again, and the turn's own
    handler runs)."""
    from dialogue.capabilities.checkout_flow import place_order as _place

    pending = turn.pending
    if not isinstance(pending, ConfirmPin):
        return False
    read_back = pending.read_back()
    digits = (
        korean_reading.pin_digits(turn.text) if turn.language == "ko" else pin_digits(turn.text)
    )
    if digits is None:
        normal = lang.normalise(turn.text)
        if handler_name == "handoff":
            return False
        if handler_name == "deny" or lang.is_no(normal):
            turn.set_pending(None)
            turn.say(tr(turn, "Okay, I haven't placed the order. Your cart is still there."))
            return True
        if handler_name == "affirm" or lang.is_yes(normal):
            # A yes is not a PIN: it must never skip the prompt.
            turn.say(
                tr(
                    turn,
                    "I need your voice PIN to place the order. {pin_prompt}",
                    pin_prompt=tr(turn, PIN_PROMPT),
                )
            )
            return True
        turn.set_pending(read_back)
        return False
    # From here on the words are a PIN: nothing later in this turn may repeat them.
    turn.text = MASK
    if turn.spoken_over_reply:
        turn.say(tr(turn, SPOKEN_OVER_PIN))
        return True
    if not re.fullmatch(r"[0-9]{4,8}", digits):
        turn.say(
            tr(
                turn,
                "A voice PIN is four to eight digits. {pin_prompt}",
                pin_prompt=tr(turn, PIN_PROMPT),
            )
        )
        return True
    result = check_pin(turn.session, customer_id=turn.customer_id, pin=digits, now=turn.now)
    if result.status == "wrong":
        tries = tr(turn, "try") if result.tries_left == 1 else tr(turn, "tries")
        turn.say(
            tr(
                turn,
                ("Sorry, that PIN isn't right. You have {count} {tries} left. {pin_prompt}"),
                count=turn.wording.number_words(result.tries_left),
                tries=tries,
                pin_prompt=tr(turn, PIN_PROMPT),
            )
        )
        return True
    if result.status == "locked":
        turn.set_pending(None)
        minutes = int(PIN_LOCK.total_seconds() // 60)
        if result.locked_until is not None and _minutes_until(turn, result.locked_until) < minutes:
            _say_locked(turn, result.locked_until)  # the lock was already on
        else:
            turn.say(
                tr(
                    turn,
                    (
                        "Sorry, that PIN isn't right either. After {count} wrong "
                        "PINs, purchasing is locked for {count2} minutes. Your cart "
                        "is still there."
                    ),
                    count=turn.wording.number_words(MAX_PIN_FAILURES),
                    count2=turn.wording.minutes_number(minutes),
                )
            )
        return True
    # The right PIN (or none any more): place it, at the total that was read back.
    turn.set_pending(read_back)
    if over_spending_limit(turn, read_back.total):
        return True
    _place(turn, read_back)
    return True


def awaiting_pin(turn: Turn) -> bool:
    return isinstance(turn.pending, ConfirmPin)


def pin_turn(turn: Turn, handler_name: str) -> bool:
    """`answer_pin` with the turn's usual care: a commerce error is said, not raised."""
    try:
        handled = answer_pin(turn, handler_name)
    except CommerceError as exc:
        turn.session.rollback()
        turn.set_pending(None)
        turn.say(tr(turn, "Sorry, {message}.", message=refusal_clause(turn, exc)))
        handled = True
    if handled:
        turn.set("misunderstood", 0.0)
    return handled
