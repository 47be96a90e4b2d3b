"""Whether the words so far are a whole request (dialogue/utterance_end.py), English and
Korean, from grammar alone."""

from __future__ import annotations

import pytest

from dialogue.utterance_end import utterance_completeness


@pytest.mark.parametrize(
    "said",
    [
        "yes", "no", "okay", "two croissants", "check out", "where is my order",
        "how much is the sourdough", "what time do you close today", "add it",
        "네", "아니요", "우유 두 개 주세요", "내 주문 어디 있어요", "주문해 줘", "감사합니다",
        "뭐가 있습니까", "그걸로 할까", "이거 좋다", "우유요",
    ],
)  # fmt: skip
def test_complete_requests(said: str) -> None:
    assert utterance_completeness(said) == "complete"


@pytest.mark.parametrize(
    "said",
    [
        "i'd like a", "i would like", "can i get", "i want to order", "two croissants and",
        "a latte with", "um", "give me", "could i have some", "and the",
        "그리고", "우유 그리고", "우유하고", "우유랑", "빵이랑", "우유를", "음", "또",
        "우유 두 개에서",
    ],
)  # fmt: skip
def test_requests_that_promise_more(said: str) -> None:
    assert utterance_completeness(said) == "incomplete"


@pytest.mark.parametrize("said", ["", "  ", "two", "우유 두 개", "바다", "아까", "123"])
def test_words_that_do_not_say(said: str) -> None:
    # A noun that merely ends like a verb ending ("바다", "아까") is not a finished sentence.
    assert utterance_completeness(said) == "unsure"
