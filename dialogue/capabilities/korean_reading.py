"""The few Korean words handlers read where the model's intent alone does not say enough:
pickup or delivery, which day a question about opening hours is about, yes and no said in
words the model was not trained on. English reads these in each handler with its own
patterns; these are their Korean counterparts, closed lists of everyday words."""

from __future__ import annotations

import re

from commerce.store import WEEKDAYS

_DELIVERY = re.compile(r"배달|배송|집으로|보내")
_PICKUP = re.compile(r"픽업|포장|가지러|찾으러|찾아\s?갈|가져\s?갈|매장에서|가게에서|방문")
_DAYS = dict(zip("월요일 화요일 수요일 목요일 금요일 토요일 일요일".split(), WEEKDAYS, strict=True))
_TOMORROW = re.compile(r"내일")
_NOW = re.compile(r"지금|아직|현재|열었|하나요|해요\??$")
_WEEK = re.compile(r"영업\s?시간|매일|평일|주말|요일별|일주일")
_CLOSING = re.compile(r"닫|마감|까지")
_OPENING = re.compile(r"열어|여나|열어요|오픈|시작")
_YES = re.compile(r"^(?:네|넵|예|응|어|그래|좋아|맞아|오케이|물론)")
_NO = re.compile(r"^(?:아니|아뇨|싫|됐어|괜찮)")


def wants_delivery(text: str) -> bool | None:
    if _DELIVERY.search(text):
        return True
    if _PICKUP.search(text):
        return False
    return None


def day_named(text: str) -> str | None:
    """The weekday a question names ("토요일은 몇 시에 열어요"), "tomorrow" for 내일, or None."""
    for word, day in _DAYS.items():
        if word in text:
            return day
    return "tomorrow" if _TOMORROW.search(text) else None


def asks_now(text: str) -> bool:
    return day_named(text) is None and bool(_NOW.search(text))


def asks_week(text: str) -> bool:
    return day_named(text) is None and bool(_WEEK.search(text)) and not asks_now(text)


def asks_closing(text: str) -> bool:
    return bool(_CLOSING.search(text))


def asks_opening(text: str) -> bool:
    return bool(_OPENING.search(text))


def is_yes(text: str) -> bool:
    return bool(_YES.match(text.strip()))


def is_no(text: str) -> bool:
    return bool(_NO.match(text.strip()))


# A rating said alone: a number, "점" (points) optional, then at most a polite ending. The
# bound native forms (한, 두, 세, 네) count only with 점: "네" alone is "yes".
_RATING = re.compile(
    r"^(?:음+|글쎄요?|그냥)?\s*(?P<number>\d+|[가-힣]+?)\s*(?P<points>점)?\s*"
    r"(?:이요|요|입니다|이에요|예요|줄게요|드릴게요|드려요|이요\.?|만점)?[.!~]*$"
)


def rating(text: str) -> int | None:
    """ "5점", "다섯 점이요", "오 점", "넷", "4" -> the score said; None when the words are
    anything but a number (with 점 and a polite ending at most)."""
    from dialogue.nlu.korean_mentions import BOUND_FORMS, native_number, sino_number

    match = _RATING.match(text.strip())
    if match is None:
        return None
    word = match["number"]
    if word.isdigit():
        return int(word)
    if word in BOUND_FORMS and not match["points"]:
        return None
    native = native_number(word)
    if native is not None:
        return native
    return sino_number(word) if match["points"] or len(word) > 1 else None
