"""The sentences a Korean store's recogniser is given: the assistant's request patterns (its
NLU examples) with their placeholders filled by the live catalog's words.

Why sentences and not a bag of words: Vosk turns its runtime grammar into a bigram language
model estimated from the phrases (recognizer.cc, UpdateGrammarFst: ngram order 2). A list of
single words teaches it no word order, so it strings short particles together ("귀리 가 위치
요"); a pattern filled with each product teaches "아메리카노 -> 두 -> 잔 -> 주세요", the order
shoppers say things in. Words not in any sentence are still reachable through back-off.

Bounded: the product slot of each pattern is filled with every catalog name only while the
total stays under `max_phrases`; past that each pattern takes a rotating share of the names,
so every name still meets several patterns (a bigram model needs each name beside its
neighbouring words, not in every sentence).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from dialogue.korean import counter_for, native_number, particle, sino_number
from dialogue.nlu.korean_mentions import COUNTERS
from dialogue.nlu.korean_mentions import native_number as read_native

# The NLU examples write these where catalog words and numbers go ("product를 두 잔").
PRODUCT, OPTION, NUMBER = "product", "option", "number"
_SLOT = re.compile(rf"^({PRODUCT}|{OPTION}|{NUMBER})(.*)$")
# Particles written after a slot, in (after a consonant, after a vowel) form: the one said
# depends on the word put in the slot ("우유를", "빵을").
_PARTICLE_FORMS = (
    ("이랑", "랑"), ("으로", "로"), ("이에요", "예요"), ("이요", "요"), ("이나", "나"),
    ("을", "를"), ("이", "가"), ("은", "는"), ("과", "와"),
)  # fmt: skip
# How many of each counted quantity the recogniser expects beside a counter (한 잔 .. 열 잔).
COUNTED_UP_TO = 10
# Order numbers said in patterns ("삼 번 주문"): Sino-Korean, like the replies say them.
ORDER_NUMBERS_UP_TO = 20
MAX_PHRASES = 20_000
_DIGITS_COUNTED = re.compile(
    r"\b(\d{1,2})(?=(" + "|".join(sorted(COUNTERS, key=len, reverse=True)) + "))"
)


@dataclass(frozen=True)
class GrammarProduct:
    """What the grammar needs of one product: the words it is called, its counter, and its
    option values (said beside it: "아이스 아메리카노")."""

    names: tuple[str, ...]
    unit: str
    option_values: tuple[str, ...] = field(default_factory=tuple)


def counter(unit: str) -> str:
    """The counter a product is counted with: a Korean unit is one already ("잔")."""
    return unit if unit in COUNTERS else counter_for(unit)


def with_particle(word: str, rest: str) -> str:
    """`word` followed by what the example wrote after its slot, each particle in the form
    the word takes: ("우유", "을요") -> "우유를요"."""
    for after_consonant, after_vowel in _PARTICLE_FORMS:
        for written in (after_consonant, after_vowel):
            if rest.startswith(written):
                chosen = particle(word, after_consonant, after_vowel)
                return word + chosen + rest[len(written) :]
    return word + rest


def _words(example: str) -> list[str]:
    """The example's words; a quantity written in digits ("2잔") as it is said ("두 잔")."""
    text = re.sub(r"[^\w\s]", " ", example).lower()
    return _DIGITS_COUNTED.sub(lambda m: f"{native_number(int(m[1]))} ", text).split()


def _recount(words: list[str], start: int, unit: str) -> list[str]:
    """The words with a quantity said after position `start` counted in `unit`: "product 두
    개 주세요" filled with milk is "우유 두 팩 주세요"."""
    out = list(words)
    for i in range(start + 1, len(out) - 1):
        if read_native(out[i]) is not None:
            head = out[i + 1]
            for known in sorted(COUNTERS, key=len, reverse=True):
                if head.startswith(known):
                    out[i + 1] = unit + head[len(known) :]
                    return out
            return out
        if _SLOT.match(out[i]):
            return out
    return out


class _Filler:
    """Fills one example's slots; `turn` rotates which catalog words a pattern gets."""

    def __init__(self, products: Sequence[GrammarProduct], share: int) -> None:
        self.named = [(name, p) for p in products for name in p.names]
        self.values = sorted({v for p in products for v in p.option_values})
        self.share = share

    def fill(self, words: list[str], turn: int) -> list[str]:
        slots = [(i, m.group(1), m.group(2)) for i, w in enumerate(words) if (m := _SLOT.match(w))]
        if not slots:
            return [" ".join(words)]
        product_slots = [s for s in slots if s[1] == PRODUCT]
        if not product_slots:
            return self._without_product(words, slots)
        count = min(self.share, len(self.named))
        out = []
        for k in range(count):
            filled = list(words)
            values: tuple[str, ...] = ()
            for n, (i, _, rest) in enumerate(product_slots):
                name, product = self.named[(turn * count + k + n * 7) % len(self.named)]
                if n == 0:
                    values = product.option_values
                    filled = _recount(filled, i, counter(product.unit))
                filled[i] = with_particle(name, rest)
            option_slots = [s for s in slots if s[1] == OPTION]
            if option_slots and not values:
                continue  # "아이스 두부": an option the product does not have
            for n, (i, _, rest) in enumerate(option_slots):
                filled[i] = with_particle(values[(k + n) % len(values)], rest)
            for i, _, rest in (s for s in slots if s[1] == NUMBER):
                filled[i] = with_particle(sino_number(1 + (k % ORDER_NUMBERS_UP_TO)), rest)
            out.append(" ".join(filled))
        return out

    def _without_product(self, words: list[str], slots: list[tuple[int, str, str]]) -> list[str]:
        """Patterns like "option으로 바꿔 주세요" or "number번 주문": each option value, or
        order numbers."""
        takes_option = any(kind == OPTION for _, kind, _ in slots)
        count = len(self.values) if takes_option else ORDER_NUMBERS_UP_TO
        out = []
        for k in range(count):
            filled = list(words)
            for n, (i, kind, rest) in enumerate(slots):
                if kind == OPTION:
                    word = self.values[(k + n) % len(self.values)]
                else:
                    word = sino_number(1 + (k + n) % ORDER_NUMBERS_UP_TO)
                filled[i] = with_particle(word, rest)
            out.append(" ".join(filled))
        return out


def counted_phrases(units: Iterable[str]) -> list[str]:
    """Counted quantities ("한 잔", "두 잔이요" ...) for each counter the catalog counts in:
    the answer to "how many?" and the quantity inside a request."""
    phrases = []
    for unit in sorted({counter(u) for u in units}):
        for n in range(1, COUNTED_UP_TO + 1):
            said = f"{native_number(n)} {unit}"
            phrases += [said, said + particle(unit, "이요", "요")]
    return phrases


def grammar_phrases(
    examples: Iterable[str],
    products: Sequence[GrammarProduct],
    *,
    max_phrases: int = MAX_PHRASES,
) -> list[str]:
    """The example patterns filled with the catalog's words, then the counted quantities and
    each catalog word alone (a shopper may answer "which one?" with a name)."""
    patterns = [w for w in (_words(e) for e in examples) if w]
    with_product = sum(1 for w in patterns if any(x.startswith(PRODUCT) for x in w))
    names = sum(len(p.names) for p in products)
    share = max(1, min(names, max_phrases // max(1, with_product)))
    filler = _Filler(products, share)
    phrases: dict[str, None] = {}
    for turn, words in enumerate(patterns):
        phrases.update(dict.fromkeys(filler.fill(words, turn)))
    phrases.update(dict.fromkeys(counted_phrases(p.unit for p in products)))
    for product in products:
        phrases.update(dict.fromkeys(product.names))
        phrases.update(dict.fromkeys(product.option_values))
    return list(phrases)
