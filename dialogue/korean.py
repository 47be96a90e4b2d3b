"""Korean numbers, money, times, lists and particles: the closed grammatical word lists a
Korean store's replies (and understanding) need. No catalog words here.

- Things are counted with native numbers and a counter taken from the product's unit
  (라떼 두 잔, 우유 한 병, 장미 한 송이); a hundred and more is counted in Sino-Korean (백 개).
- Money and minutes are Sino-Korean (삼천팔백 원, 삼십 분), written with digits in replies
  ("3,800원"), which espeak-ng's Korean voice reads as 삼천팔백 원: the same choice English
  makes ("4 dollars 20").
- Hours are native (다섯 시), with 오전/오후 before them.
- A particle after a word depends on whether the word's last syllable ends in a consonant
  (우유를, 라떼를 vs 빵을); `attach_particles` picks the form in a filled-in reply.
Pure functions: no database, no Rasa.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from num2words import num2words

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_RIEUL = 8  # index of ㄹ among the final consonants

# Native Korean numbers 1-9 and tens 10-90, in the form used before a counter (한 개, 스무 개).
_NATIVE_ONES = ("", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉")
_NATIVE_TENS = ("", "열", "스물", "서른", "마흔", "쉰", "예순", "일흔", "여든", "아흔")

# The counter for a product's unit (the catalog's `unit` column is English: each, cup, ...).
COUNTERS = {
    "each": "개", "piece": "개", "item": "개", "loaf": "개", "": "개", "box": "상자",
    "cup": "잔", "glass": "잔", "shot": "잔",
    "bottle": "병", "jar": "병",
    "bunch": "송이", "flower": "송이", "stem": "송이",
    "pack": "팩", "packet": "팩", "carton": "팩", "tray": "팩",
    "bag": "봉지", "pouch": "봉지", "sack": "포대",
    "can": "캔", "tin": "캔",
    "roll": "롤", "sheet": "장", "slice": "조각", "bar": "개", "dozen": "판",
    "kg": "킬로", "kilo": "킬로", "g": "그램", "l": "리터", "litre": "리터", "liter": "리터",
    "portion": "인분", "serving": "인분", "set": "세트", "pair": "켤레", "bowl": "그릇",
    "plate": "접시", "head": "포기", "tub": "통", "block": "모",
}  # fmt: skip
DEFAULT_COUNTER = "개"


def counter_for(unit: str) -> str:
    """The counter for a unit: "cup" -> "잔"; a unit a Korean catalog already writes as a
    counter ("잔", "송이") is that counter; any other unit counts as 개."""
    unit = unit.strip()
    if unit and all(is_hangul(ch) for ch in unit):
        return unit
    return COUNTERS.get(unit.lower(), DEFAULT_COUNTER)


def is_hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


def sino_number(n: int) -> str:
    """3800 -> "삼천팔백", 12500 -> "만 이천오백" (for money, minutes, order numbers)."""
    if n < 0:
        return "마이너스 " + sino_number(-n)
    return str(num2words(n, lang="ko"))


def native_number(n: int) -> str:
    """The native number said before a counter: 1 -> "한", 21 -> "스물한", 20 -> "스무".
    From a hundred on Koreans count in Sino-Korean (백 개)."""
    if n <= 0 or n >= 100:
        return sino_number(n)
    tens, ones = divmod(n, 10)
    if n == 20:
        return "스무"
    return _NATIVE_TENS[tens] + _NATIVE_ONES[ones]


def counted(n: int, unit: str = "each") -> str:
    """(2, "cup") -> "두 잔", (21, "each") -> "스물한 개", (1, "bunch") -> "한 송이"."""
    return f"{native_number(n)} {counter_for(unit)}"


def written_won(amount: int) -> str:
    """3800 -> "3,800원" (KRW has no minor unit: the amount is whole won)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,}원"


def spoken_won(amount: int) -> str:
    """3800 -> "삼천팔백 원": what a speaker says for "3,800원"."""
    return f"{sino_number(amount)} 원"


def written_price(minor_units: int, currency: str) -> str:
    """A price for a Korean reply: won as "3,800원"; another currency as its decimal amount and
    code ("4.20 USD"), which has no Korean name to say."""
    if currency.upper() == "KRW":
        # Money is kept in hundredths of the main unit for every currency (commerce.money).
        won, hundredths = divmod(abs(minor_units), 100)
        if not hundredths:
            return written_won(won if minor_units >= 0 else -won)
    sign = "-" if minor_units < 0 else ""
    major, minor = divmod(abs(minor_units), 100)
    return f"{sign}{major}.{minor:02d} {currency.upper()}"


def spoken_time(hour: int, minute: int) -> str:
    """(17, 0) -> "오후 다섯 시", (9, 30) -> "오전 아홉 시 삼십 분", midnight -> "자정"."""
    if (hour, minute) in ((0, 0), (23, 59), (24, 0)):
        return "자정"  # a store "open until 24:00" closes at the day's last minute
    if (hour, minute) == (12, 0):
        return "정오"
    half = "오전" if hour < 12 else "오후"
    h = hour % 12 or 12
    said = f"{half} {native_number(h)} 시"
    return said if minute == 0 else f"{said} {sino_number(minute)} 분"


_WEEKDAYS = {
    "monday": "월요일", "tuesday": "화요일", "wednesday": "수요일", "thursday": "목요일",
    "friday": "금요일", "saturday": "토요일", "sunday": "일요일",
}  # fmt: skip


def weekday(day: str) -> str:
    """ "monday" (the store file's key) -> "월요일"."""
    return _WEEKDAYS.get(day.lower(), day)


def month_day(month: int, day: int) -> str:
    """(3, 5) -> "삼월 오일"; June and October drop a consonant: 유월, 시월."""
    said_month = {6: "유", 10: "시"}.get(month) or sino_number(month)
    return f"{said_month}월 {sino_number(day)}일"


def join_words(items: list[str], last: str = "and") -> str:
    """["라떼", "우유"] -> "라떼하고 우유"; three or more -> "A, B, 그리고 C"; "or" -> 또는."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    if last == "or":
        return ", ".join(items[:-1]) + " 또는 " + items[-1]
    if len(items) == 2:
        return f"{items[0]}하고 {items[1]}"
    return ", ".join(items[:-1]) + ", 그리고 " + items[-1]


# A digit's Sino-Korean reading decides the particle after it: 3 is 삼 (consonant), 2 is 이.
# 0 ends a number read as 십, 백, 천, 만 ...: all end in a consonant.
_DIGIT_FINAL = {"0": "c", "1": "l", "2": "", "3": "c", "4": "", "5": "", "6": "c", "7": "l",
                "8": "l", "9": ""}  # fmt: skip


def final_sound(word: str) -> str:
    """How the word's last syllable ends: "" (a vowel), "l" (ㄹ) or "c" (another consonant)."""
    for char in reversed(word):
        code = ord(char)
        if _HANGUL_FIRST <= code <= _HANGUL_LAST:
            final = (code - _HANGUL_FIRST) % 28
            return "" if final == 0 else "l" if final == _RIEUL else "c"
        if char.isdigit():
            return _DIGIT_FINAL[char]
        if char.isalpha():  # a Latin letter, read the English way: "milk" ends in ㄹ
            lower = char.lower()
            return "l" if lower in "lr" else "c" if lower in "mnkpbtdg" else ""
    return ""


def has_final_consonant(word: str) -> bool:
    return final_sound(word) != ""


# (after a consonant, after a vowel); 으로/로 also takes 로 after ㄹ.
PARTICLES = (
    ("을", "를"), ("이", "가"), ("은", "는"), ("과", "와"), ("으로", "로"), ("이랑", "랑"),
    ("이에요", "예요"), ("이나", "나"), ("아", "야"),
)  # fmt: skip
_PARTICLE_MARK = re.compile(
    r"(?P<word>[^\s(]*)(?P<mark>" + "|".join(re.escape(f"{c}({v})") for c, v in PARTICLES) + ")"
)


def particle(word: str, after_consonant: str, after_vowel: str) -> str:
    """The form of a particle that follows `word`: particle("빵", "을", "를") -> "을"."""
    sound = final_sound(word)
    if after_consonant == "으로" and sound == "l":
        return after_vowel
    return after_consonant if sound else after_vowel


# A word, an aside in brackets, then a particle mark: the particle follows the word, as if
# the aside were not there ("목줄 두 개(기본: 빨강)를").
_PARTICLE_AFTER_ASIDE = re.compile(
    r"(?P<word>[^\s(]+)(?P<aside>\([^()]*\))(?P<mark>"
    + "|".join(re.escape(f"{c}({v})") for c, v in PARTICLES)
    + ")"
)


def attach_particles(text: str) -> str:
    """Resolves "을(를)"-style marks after a word: "라떼 두 잔을(를)" -> "라떼 두 잔을"."""

    def chosen(match: re.Match[str]) -> str:
        after_consonant, rest = match.group("mark").split("(", 1)
        return particle(match.group("word"), after_consonant, rest[:-1])

    text = _PARTICLE_AFTER_ASIDE.sub(lambda m: m["word"] + m["aside"] + chosen(m), text)
    return _PARTICLE_MARK.sub(lambda m: m["word"] + chosen(m), text)


# Option values that mean "the usual one" or "none": not worth saying about an item.
UNMARKED_VALUES = frozenset(["기본", "보통", "일반", "레귤러", "오리지널", "없음", "안 함"])
_SIZE_SUFFIX = re.compile(r"\s*\(?\d+(?:\.\d+)?\s*(?:g|kg|ml|l|L|mL|개입|구)\)?$")


def is_unmarked(value: str) -> bool:
    words = value.split()
    return not words or value in UNMARKED_VALUES or words[0] in UNMARKED_VALUES


def spoken_name(name: str) -> str:
    """A product's name as said: its pack size dropped ("서울 우유 1L" -> "서울 우유")."""
    return _SIZE_SUFFIX.sub("", name).strip() or name


def chosen_options(
    options: Mapping[str, str], groups: Mapping[str, Sequence[str]], *, say_defaults: bool
) -> list[str]:
    """The option values worth saying: those not the product's default (its group's first
    value), and with `say_defaults` the defaults too, never "기본"/"없음"-like values."""
    said = []
    for group, value in options.items():
        values = groups.get(group, ())
        default = bool(values) and values[0] == value
        if value and not is_unmarked(value) and (say_defaults or not default):
            said.append(value)
    return said


def item_phrase(quantity: int, name: str, unit: str, options: Sequence[str]) -> str:
    """Options go before the name, the count after: "라지 귀리 우유 라떼 두 잔"."""
    return " ".join([*options, spoken_name(name), counted(quantity, unit)])
