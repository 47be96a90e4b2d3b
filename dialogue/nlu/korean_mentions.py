"""Finding catalog mentions in Korean: what `dialogue.nlu.mentions` does for English, read
through Korean word shapes.

A Korean word (eojeol, the text between spaces) carries its particles and endings: "우유를",
"라떼랑", "아메리카노로요". Each eojeol whose front is a catalog word and whose rest is a closed
list of grammatical particles and endings is read as that catalog word, so the English
mention finder (runs of catalog words, options attached to products) works on the stems,
word position for word position.

Quantities follow the noun with a counter: "우유 두 개", "라떼 세 잔", "아메리카노 2잔",
"크루아상 하나", "열두 개요". Native numbers (한 두 세 네 ... 열 스물) count with counters, and
the free forms (하나 둘 셋 ...) alone; digits count with or without a counter; Sino-Korean
numbers (일 이 삼 ...) only with a counter, since alone they are commoner as other words ("이
라떼": this latte). Ordinals: "첫 번째", "두번째", "마지막". Counters, particles and number
words are closed grammatical lists, never catalog words.
"""

from __future__ import annotations

from collections.abc import Container
from functools import lru_cache

from commerce.resolver import CatalogIndex
from dialogue import korean
from dialogue.nlu.mentions import NUMBER, OPTION, ORDINAL, PRODUCT, Mention, find_mentions

# Particles and endings that follow a noun inside its eojeol, longest first where one is the
# end of another ("이랑" before "랑"). Several may follow each other: "라떼도요", "우유로만요".
PARTICLES = (
    "이에요", "입니다", "이랑", "하고", "으로", "에서", "까지", "부터", "한테", "에게",
    "이요", "예요", "에요", "이나", "이든", "처럼", "보다", "인데", "이고", "만요",
    "을", "를", "이", "가", "은", "는", "도", "만", "랑", "와", "과", "로", "요", "의", "에",
    "나", "든", "께", "고", "들", "좀", "씩",
)  # fmt: skip
MAX_PARTICLES = 3

# Native Korean numbers: the forms said before a counter ("두 잔") and the free forms
# ("둘이요"); compounds are written as one word ("열두", "스물세").
NATIVE_UNITS = {
    "한": 1, "하나": 1, "두": 2, "둘": 2, "세": 3, "셋": 3, "석": 3, "서": 3, "네": 4, "넷": 4,
    "넉": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9,
}  # fmt: skip
# The tens as dialogue.korean says them before a counter (열, 스무, 서른 ... 아흔), and 스물.
NATIVE_TENS = {korean.native_number(tens): tens for tens in range(10, 100, 10)} | {"스물": 20}
# Forms that are numbers only before a counter: "네" alone is "yes", "세" alone is not three.
BOUND_FORMS = frozenset({"한", "두", "세", "석", "서", "네", "넉", "스무"})
SINO_DIGITS = {"일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "칠": 7, "팔": 8, "구": 9}
SINO_POWERS = {"십": 10, "백": 100, "천": 1000}
# Counters a quantity of goods is said with (a closed grammatical list of Korean).
COUNTERS = frozenset(
    "개 잔 병 송이 봉지 봉 팩 통 캔 장 마리 묶음 줄 박스 상자 판 인분 컵 조각 덩이 포기 단 "
    "세트 알 포 그릇 접시 포대 다발 권 켤레 벌 쪽 바구니 근 모".split()
) | frozenset(korean.COUNTERS.values())  # every counter the assistant itself says
ORDINAL_COUNTER = "번째"
FIRST = {"첫": 0, "첫째": 0, "둘째": 1, "셋째": 2, "넷째": 3}
LAST_WORDS = frozenset({"마지막", "맨끝"})


@lru_cache(maxsize=4096)
def _particles_only(rest: str) -> bool:
    """Whether `rest` is up to MAX_PARTICLES particles or endings one after another."""
    if not rest:
        return True

    def split(text: str, left: int) -> bool:
        if not text:
            return True
        if left == 0:
            return False
        return any(text.startswith(p) and split(text[len(p) :], left - 1) for p in PARTICLES)

    return split(rest, MAX_PARTICLES)


# A descriptive verb's adverb form names the same value as its noun-modifying form: an option
# written "따뜻한" is said "따뜻하게 주세요" (the -하게 / -한 forms of every 하다 adjective).
ADVERB_ENDING, MODIFIER_ENDING = "하게", "한"


# A Korean colour is said as a noun (빨강), a modifier (빨간) or with 색 (빨간색): one value,
# whichever form a catalog writes. A closed list of the language's colour words.
COLOUR_FORMS = (
    ("빨강", "빨간", "빨간색", "빨강색", "붉은", "붉은색"),
    ("파랑", "파란", "파란색", "파랑색", "푸른", "푸른색"),
    ("노랑", "노란", "노란색", "노랑색"),
    ("검정", "검은", "검은색", "검정색", "까만", "까만색"),
    ("하양", "하얀", "하얀색", "흰", "흰색", "하양색"),
    ("초록", "초록색", "녹색"),
    ("보라", "보라색"),
    ("분홍", "분홍색", "핑크", "핑크색"),
    ("주황", "주황색"),
    ("회색", "회색빛"),
    ("갈색", "밤색"),
    ("남색", "곤색"),
)
_COLOUR_FAMILY = {form: family for family in COLOUR_FORMS for form in family}


def _catalog_colour(word: str, known: Container[str]) -> str | None:
    """The catalog's own form of a colour said another way ("빨간색" for a catalog's "빨강")."""
    return next((form for form in _COLOUR_FAMILY.get(word, ()) if form in known), None)


def stem(word: str, known: Container[str] | None) -> str:
    """The eojeol without its particles when what is left is a known word (the longest such
    front); the eojeol itself otherwise. `known` None: any front followed by particles."""
    if known is not None and word in known:
        return word
    for cut in range(len(word), 0, -1):
        front = word[:cut]
        if not _particles_only(word[cut:]):
            continue
        if known is None or front in known:
            return front
        colour = _catalog_colour(front, known)
        if colour is not None:
            return colour
        if front.endswith(ADVERB_ENDING):
            modifier = front.removesuffix(ADVERB_ENDING) + MODIFIER_ENDING
            if modifier in known:
                return modifier
    return word


def native_number(word: str) -> int | None:
    """A native Korean number written as one word: "두", "열두", "스물세", "하나", "열"."""
    if word in NATIVE_UNITS:
        return NATIVE_UNITS[word]
    for tens, value in NATIVE_TENS.items():
        if word == tens:
            return value
        if word.startswith(tens) and word[len(tens) :] in NATIVE_UNITS:
            return value + NATIVE_UNITS[word[len(tens) :]]
    return None


def sino_number(word: str) -> int | None:
    """A Sino-Korean number up to 9999 written as one word: "삼", "십이", "이십오", "백"."""
    if not word:
        return None
    total, digit = 0, None
    for char in word:
        if char in SINO_DIGITS:
            if digit is not None:
                return None
            digit = SINO_DIGITS[char]
        elif char in SINO_POWERS:
            total += (digit if digit is not None else 1) * SINO_POWERS[char]
            digit = None
        else:
            return None
    return total + (digit or 0)


def _digits(word: str) -> int | None:
    return int(word) if word.isdigit() and word.isascii() and len(word) <= 4 else None


def _counted(word: str) -> tuple[str, str] | None:
    """(number part, counter) of one eojeol like "두잔", "2잔이요", "열두개요", "세번째"."""
    for cut in range(1, len(word)):
        head, rest = word[:cut], word[cut:]
        for counter in (ORDINAL_COUNTER, *COUNTERS):
            if rest.startswith(counter) and _particles_only(rest[len(counter) :]):
                return head, counter
    return None


def _counter_word(word: str) -> str | None:
    """The counter an eojeol is ("잔", "개요", "번째로"), or None."""
    for counter in (ORDINAL_COUNTER, *COUNTERS):
        if word.startswith(counter) and _particles_only(word[len(counter) :]):
            return counter
    return None


def _value_before_counter(word: str) -> int | None:
    return _digits(word) or native_number(word) or sino_number(word)


def _free_number(word: str) -> int | None:
    """A number said without a counter: digits, or a free native form ("하나", "둘이요",
    "하나랑")."""
    for cut in range(len(word), 0, -1):
        said = word[:cut]
        if not _particles_only(word[cut:]):
            continue
        value = _digits(said)
        if value is None and said not in BOUND_FORMS:
            value = native_number(said)
        if value is not None:
            return value
    return None


def number_mentions(words: list[str]) -> list[Mention]:
    """Quantities and ordinals in Korean words (the same for every store: also applied to
    training data)."""
    found: list[Mention] = []
    i = 0
    while i < len(words):
        word = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else ""
        counter = _counter_word(nxt) if nxt else None
        value = _value_before_counter(word) if counter else None
        if word in FIRST and nxt and _counter_word(nxt) == ORDINAL_COUNTER:
            found.append(Mention(ORDINAL, i, i + 2, FIRST[word]))
            i += 2
            continue
        if counter and value is not None:
            kind = ORDINAL if counter == ORDINAL_COUNTER else NUMBER
            found.append(Mention(kind, i, i + 2, value - 1 if kind == ORDINAL else value))
            i += 2
            continue
        joined = _counted(word)
        if joined is not None:
            head, counter = joined
            if counter == ORDINAL_COUNTER and head in FIRST:
                found.append(Mention(ORDINAL, i, i + 1, FIRST[head]))
                i += 1
                continue
            value = _value_before_counter(head)
            if value is not None:
                kind = ORDINAL if counter == ORDINAL_COUNTER else NUMBER
                found.append(Mention(kind, i, i + 1, value - 1 if kind == ORDINAL else value))
                i += 1
                continue
        if stem(word, LAST_WORDS) in LAST_WORDS:
            found.append(Mention(ORDINAL, i, i + 1, -1))
        elif stem(word, FIRST) in FIRST:
            found.append(Mention(ORDINAL, i, i + 1, FIRST[stem(word, FIRST)]))
        else:
            value = _free_number(word)
            if value is not None:
                found.append(Mention(NUMBER, i, i + 1, value))
        i += 1
    return found


# Training examples say the placeholders themselves, with particles: "product를 두 잔".
PLACEHOLDERS = frozenset({PRODUCT, OPTION})


def language_mentions(words: list[str]) -> list[Mention]:
    """What training data and every store share: quantities, ordinals, and the placeholder
    words of training examples with their particles ("product를" reads as "product")."""
    found = number_mentions(words)
    taken = {i for m in found for i in range(m.start, m.end)}
    for i, word in enumerate(words):
        if i not in taken and word not in PLACEHOLDERS:
            front = stem(word, PLACEHOLDERS)
            if front in PLACEHOLDERS:
                found.append(Mention(front, i, i + 1, ""))
    return sorted(found, key=lambda m: m.start)


def _catalog_word(word: str, known: Container[str]) -> bool:
    """A catalog word that is more than a number ("6킬로", not "6" or "두")."""
    return word in known and _digits(word) is None and native_number(word) is None


class _Known(Container[str]):
    """A catalog word test over the index's tables (names, aliases and option words)."""

    def __init__(self, index: CatalogIndex) -> None:
        self.index = index

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and (
            word in self.index.postings or word in self.index.option_vocabulary
        )


def find_korean_mentions(words: list[str], index: CatalogIndex | None) -> list[Mention]:
    """Every mention in Korean `words` (an utterance's tokens), in word order; positions are
    the tokens' own, so a mention spans whole eojeol with their particles."""
    numbers = number_mentions(words)
    if index is None or not index.entries:
        return numbers
    known = _Known(index)
    stems = [stem(w.lower(), known) for w in words]
    # A catalog word with a number in it is the catalog's: "6킬로로" is the option 6킬로, not
    # six of something. Only a number that is one word: in "열 개랑" the counter 개 may also
    # begin a catalog name ("개 사료") and is still a counter.
    numbers = [
        m for m in numbers if not (m.end - m.start == 1 and _catalog_word(stems[m.start], known))
    ]
    taken = {i for m in numbers for i in range(m.start, m.end)}
    # Quantities are ours: the English finder sees an empty word where they are.
    stems = ["" if i in taken else word for i, word in enumerate(stems)]
    found = find_mentions(stems, index, clitics=False)
    catalog = [m for m in found if m.kind in (PRODUCT, OPTION)]
    named = {i for m in catalog for i in range(m.start, m.end)}
    kept = [m for m in numbers if not named.intersection(range(m.start, m.end))]
    return sorted([*kept, *catalog], key=lambda m: (m.start, m.end))
