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
