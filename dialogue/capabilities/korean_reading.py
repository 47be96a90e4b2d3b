"""The few Korean words handlers read where the model's intent alone does not say enough:
pickup or delivery, which day a question about opening hours is about, yes and no said in
words the model was not trained on. English reads these in each handler with its own
patterns; these are their Korean counterparts, closed lists of everyday words."""

from __future__ import annotations

import re

from commerce.store import WEEKDAYS
from dialogue.capabilities.product_words import QuestionCues

_DELIVERY = re.compile(r"배달|배송|집으로|보내")
_PICKUP = re.compile(r"픽업|포장|가지러|찾으러|찾아\s?갈|가져\s?갈|매장에서|가게에서|방문")
_DAYS = dict(zip("월요일 화요일 수요일 목요일 금요일 토요일 일요일".split(), WEEKDAYS, strict=True))
_TOMORROW = re.compile(r"내일")
_NOW = re.compile(r"지금|아직|현재|열었|하나요|해요\??$")
_WEEK = re.compile(r"영업\s?시간|매일|평일|주말|요일별|일주일")
_CLOSING = re.compile(r"닫|마감|까지")
_OPENING = re.compile(r"열어|여나|열어요|오픈|시작")
# Days a store's regular week may not hold: public holidays and festivals.
_HOLIDAY = re.compile(
    r"크리스마스|성탄절|설날|설 연휴|추석|명절|공휴일|빨간 ?날|연휴|새해|신정|어린이날|"
    r"광복절|현충일|한글날|개천절|삼일절|석가탄신일|부처님 ?오신 ?날|휴일"
)
# An order's number: "3번 주문", "삼 번 주문", "주문 번호 12번", "12번 주문이요".
_ORDER_NUMBER = re.compile(
    r"(?P<a>\d+|[일이삼사오육칠팔구십백]+)\s*번(?!\s*째)\s*주문"
    r"|주문\s*번호(?:는|가)?\s*(?P<b>\d+|[일이삼사오육칠팔구십백]+)(?:\s*번)?"
)
_YES = re.compile(r"^(?:네|넵|예|응|어|그래|좋아|맞아|오케이|물론)")
_NO = re.compile(r"^(?:아니|아뇨|싫|됐어|괜찮)")


def wants_delivery(text: str) -> bool | None:
    # "배달 말고 픽업으로": what comes after 말고 (instead of) is what is wanted.
    text = text.rsplit("말고", 1)[-1]
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


# A PIN is said digit by digit in Sino-Korean ("사 팔 이 일", "사팔이일"), zero as 공 or 영.
_PIN_DIGITS = {"공": "0", "영": "0", "일": "1", "이": "2", "삼": "3", "사": "4", "오": "5",
               "육": "6", "륙": "6", "칠": "7", "팔": "8", "구": "9"}  # fmt: skip
# Words that may come with the digits: "제 PIN 번호는 사 팔 이 일이에요".
_PIN_FILLER = frozenset("제 내 저 저의 pin 핀 번호 비밀번호 암호 네 예 음 어 저기 그러니까".split())
_TOPIC_PARTICLES = ("은", "는", "이", "가")
# A polite ending after the last digit, in its (after a consonant, after a vowel) forms:
# "일이요" but "이요" (2), "삼이에요" but "사예요".
_PIN_ENDINGS = (("이에요", "예요"), ("입니다", "입니다"), ("이요", "요"))


def _spelt_digits(word: str) -> str | None:
    if word.isascii() and word.isdigit():
        return word
    if word and all(syllable in _PIN_DIGITS for syllable in word):
        return "".join(_PIN_DIGITS[syllable] for syllable in word)
    return None


def _pin_word(word: str) -> str | None:
    """The digits of one word, with a polite ending after them allowed."""
    from dialogue.korean import particle

    digits = _spelt_digits(word)
    if digits is not None:
        return digits
    for after_consonant, after_vowel in _PIN_ENDINGS:
        # The consonant form first: "일이요" is 1 and 이요, not 1, 2 and 요.
        for ending in dict.fromkeys((after_consonant, after_vowel)):
            stem = word[: -len(ending)]
            if (
                word.endswith(ending)
                and stem
                and particle(stem, after_consonant, after_vowel) == ending
            ):
                found = _spelt_digits(stem)
                if found is not None:
                    return found
    return None


def _pin_filler(word: str) -> bool:
    if word in _PIN_FILLER:
        return True
    return any(word.endswith(p) and word[: -len(p)] in _PIN_FILLER for p in _TOPIC_PARTICLES)


def pin_digits(text: str) -> str | None:
    """The digits of a Korean PIN answer ("사 팔 이 일", "사팔이일이요", "제 PIN은 4821이에요"),
    or None when the words are anything but a number (a request, a yes, a no)."""
    digits = ""
    for word in re.sub(r"[^\w\s]", " ", text.lower()).split():
        found = _pin_word(word)
        if found is not None:
            digits += found
        elif not _pin_filler(word):
            return None
    return digits or None


# What a Korean question about a product asks (the English handler reads its own words).
_ASKS_STOCK = re.compile(
    r"(?:^|\s)(?:재고|있어|있나|있습|있죠|있을까|팔아|파나|파세|팔죠|남았|남아)"
)
_ASKS_PRICE = re.compile(r"얼마|가격|값|비싸|싸요")
_ASKS_OPTIONS = re.compile(
    r"(?:^|\s)(?:사이즈|크기|색깔|색상|색|맛|종류|옵션)(?:은|는|이|가|도|으로|로)?(?=\s|$|\?)"
)
_ASKS_WHAT = re.compile(r"뭐예요|뭔가요|무엇인가요|뭐야|뭐에요|설명|무슨|들어가|들어있")
# Around the thing asked about: words before it, and the predicate after it.
_QUESTION_OPENERS = frozenset("혹시 저기요 저기 그럼 그러면 음 어 아 근데 그리고 또 여기".split())
_QUESTION_PREDICATE = re.compile(
    r"^(?:있어요|있나요|있습니까|있어|있죠|있을까요|팔아요|파나요|파세요|팔아|팔죠|돼요|되나요|"
    r"얼마예요|얼마에요|얼마|재고|재고는|가격|가격이|가격은|값이|값은|없어요|없나요|남았어요|"
    r"남아|있는지|알려|주세요|줘요|궁금해요)$"
)
# A particle the thing may carry, in its (after a consonant, after a vowel) forms. 이 is
# left on (`_KEPT`): it cannot be told from a noun's own last syllable ("고양이").
_SUBJECT_PARTICLES = (("은", "는"), ("을", "를"), ("과", "와"), ("이", "가"), ("도", "도"))
_ANY_SOUND = frozenset({"도"})  # 도 follows any noun
_KEPT = frozenset({"이"})


def question_cues(text: str) -> QuestionCues:
    """The cues of a Korean question about a product."""
    return QuestionCues(
        stock=bool(_ASKS_STOCK.search(text)),
        what=bool(_ASKS_WHAT.search(text)),
        price=bool(_ASKS_PRICE.search(text)),
        options=bool(_ASKS_OPTIONS.search(text)),
    )


def question_subject(text: str) -> str:
    """The thing a Korean product question asks about: "혹시 피자는 팔아요?" -> "피자"."""
    from dialogue.korean import particle

    words = re.sub(r"[^\w\s]", " ", text).split()
    while words and words[0] in _QUESTION_OPENERS:
        words.pop(0)
    while words and _QUESTION_PREDICATE.match(words[-1]):
        words.pop()
    if not words:
        return ""
    last = words[-1]
    for after_consonant, after_vowel in _SUBJECT_PARTICLES:
        for form in (after_consonant, after_vowel):
            stem = last[: -len(form)]
            if form in _KEPT or not (last.endswith(form) and stem):
                continue
            if form in _ANY_SOUND or particle(stem, after_consonant, after_vowel) == form:
                words[-1] = stem
                return " ".join(words)
    return " ".join(words)


def names_a_holiday(text: str) -> bool:
    return bool(_HOLIDAY.search(text))


def order_number(text: str) -> int | None:
    """The order number in "3번 주문 취소해 주세요", "삼 번 주문", "주문 번호 12번"; None when
    none is said ("두 번째 거" is a position, not an order)."""
    from dialogue.nlu.korean_mentions import sino_number

    match = _ORDER_NUMBER.search(text)
    if match is None:
        return None
    said = match["a"] or match["b"]
    return int(said) if said.isdigit() else sino_number(said)
