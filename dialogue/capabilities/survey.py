"""The one-question satisfaction survey: asked once, right after an order is placed. A
rating from one to five (words or digits) is recorded; anything else skips it and the turn
is handled as it would have been."""

from __future__ import annotations

import re

from commerce.csat import SCORES, record_rating
from dialogue import language as lang
from dialogue.capabilities.pending import AskRating
from dialogue.capabilities.turns import Turn
from dialogue.replies import N_, tr

QUESTION = N_("How did I do, from one to five?")

# What people wrap a bare score in: "I'd give you a four", "solid 5 out of 5, thanks". The
# score must be all there is besides these, so "two more lattes" is never a rating.
_BEFORE = (
    r"(?:(?:um+|uh+|hmm+|oh|well|ok|okay|yeah|yes|honestly|maybe|probably|definitely|"
    r"easily|easy|solid|a|an|like|about|around|it's|its|it was|that's|that was|you get|"
    r"i'd say|i would say|i'll say|i say|say|i'd give (?:you|it)|i will give (?:you|it)|"
    r"i'll give (?:you|it)|i give (?:you|it)|give (?:you|it)|i rate (?:you|it)|rate (?:you|it))"
    r"[\s,]+)*"
)
_AFTER = (
    r"(?:[\s,]*(?:out of (?:five|5)|of (?:five|5)|/ ?5|stars?|points?|thanks|thank you|"
    r"cheers|please|then))*"
)
_RATING = re.compile(rf"^{_BEFORE}(?P<score>[a-z]+|\d+){_AFTER}$")


def rating_in(text: str) -> int | None:
    """'four' -> 4, "I'd give you a 5 out of 5" -> 5; None when the words are anything but
    a score from one to five."""
    match = _RATING.match(lang.normalise(text).strip(" ,"))
    if match is None:
        return None
    word = match["score"]
    score = int(word) if word.isdigit() else lang.NUMBER_WORDS.get(word)
    return score if score in SCORES else None


def ask(turn: Turn, order_id: int) -> None:
    turn.say(tr(turn, QUESTION))
    turn.set_pending(AskRating(order_id=order_id))


def answer(turn: Turn, pending: AskRating) -> bool:
    """Records the rating when the words are one; True when the turn is done. Otherwise the
    question is dropped (asked once, never again) and the caller handles the turn."""
    turn.set_pending(None)
    score = rating_in(turn.text)
    if score is None:
        return False
    record_rating(turn.session, customer_id=turn.customer_id, score=score,
                  order_id=pending.order_id, at=turn.now)  # fmt: skip
    if score <= 2:
        turn.say(
            tr(turn, ("Thanks for telling me. I'm sorry it wasn't better; I'll pass that on."))
        )
    else:
        turn.say(tr(turn, "Thanks for the rating!"))
    return True
