"""How often the assistant suggests things: at most one recommendation per conversation
unless the shopper explicitly asks again, and never a product the shopper has said no to
(slots `recommended` and `declined`, carried between turns)."""

from __future__ import annotations

import re

from dialogue import language as lang
from dialogue.capabilities.turns import Turn

# Words that ask for a suggestion in so many words ("what else would you recommend", "any
# other ideas", "what goes with it"), as opposed to a turn the classifier only guessed at.
EXPLICIT_ASK = re.compile(
    r"\b(?:recommend\w*|suggest\w*|ideas?|go(?:es)? (?:well )?with|pairs? with|popular|"
    r"best ?sellers?|should i (?:get|buy|try)|what else (?:would|could|should|do|goes|is good))\b"
)
MAX_DECLINED = 50  # slots stay small; the oldest refusals are forgotten first


def declined(turn: Turn) -> set[str]:
    value = turn.slot("declined")
    return {sku for sku in value if isinstance(sku, str)} if isinstance(value, list) else set()


def record_declined(turn: Turn, sku: str) -> None:
    value = turn.slot("declined")
    skus = [s for s in value if isinstance(s, str) and s != sku] if isinstance(value, list) else []
    turn.set("declined", [*skus, sku][-MAX_DECLINED:])


def may_recommend(turn: Turn) -> bool:
    """The first recommendation of the conversation, or one asked for in so many words."""
    made = turn.slot("recommended")
    if not isinstance(made, (int, float)) or made < 1:
        return True
    return bool(EXPLICIT_ASK.search(lang.normalise(turn.text)))


def count_recommendation(turn: Turn) -> None:
    made = turn.slot("recommended")
    turn.set("recommended", (made if isinstance(made, (int, float)) else 0) + 1)
