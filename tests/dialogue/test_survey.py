"""The satisfaction survey's reading of an answer: a score from one to five, in words or
digits, with the words people wrap it in; anything else is not a rating."""

from __future__ import annotations

import pytest

from dialogue.capabilities.survey import rating_in


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("four", 4),
        ("5", 5),
        ("I'd say a four", 4),
        ("5 out of 5, thanks!", 5),
        ("um, three", 3),
        ("I'd give you a two", 2),
        ("one star", 1),
        ("Solid five.", 5),
        ("4/5", 4),
    ],
)
def test_a_score_is_read(text: str, score: int) -> None:
    assert rating_in(text) == score


@pytest.mark.parametrize(
    "text",
    [
        "two lattes please",
        "six",
        "0",
        "what time do you close",
        "yes",
        "no thanks",
        "four bananas",
        "",
    ],
)
def test_anything_else_is_not_a_rating(text: str) -> None:
    assert rating_in(text) is None
