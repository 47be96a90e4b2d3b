"""Answers from the store file without retraining: the staff's own `faq` entries, and the facts
every store file has (the store's name, the assistant's name, the currency).

A question matches when its content words (stop words dropped, inflections folded: "parking"
is "park", "dogs allowed" is "dog allow") overlap one way of asking an entry closely enough,
each word weighted by how rare it is among the store's entries (IDF), so a word every entry
shares proves little and a word only one entry has proves a lot. Two bounds keep ordinary
shopping sentences out: most of the entry's question must be said (recall), and most of what
the shopper said must be about it (precision), so "dog food please" does not answer "are
dogs allowed?" and "do you sell wifi extenders" does not answer "is there wifi?". The
store-fact questions use everyday words ("name", "talk", "called") and must be said as written.
English only: words outside a-z are dropped, so other languages never match.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from commerce.normalise import folded
from commerce.resolver import singular
from commerce.store import StoreFacts
from dialogue import language as lang
from dialogue.entity_items import clear_products

if TYPE_CHECKING:
    from dialogue.capabilities.turns import Turn

# Share of an entry's question (by weight) the shopper must say (two of three equally rare
# words), and share of the shopper's words (by weight) that must belong to the entry.
MIN_RECALL = 0.66
MIN_PRECISION = 0.6
# Weight of a shopper's word no entry uses: below any word the entries use (IDF >= 1).
UNKNOWN_WORD_WEIGHT = 1.0
# A classifier this sure of another intent is not overruled ("where is my order").
CONFIDENT = 0.9

# Function words, question frames and fillers: how a question is asked, not what about.
STOP_WORDS = frozenset(
    "a an the this that these those it its i me my mine we us our ours you your yours he she "
    "him her his they them their is am are was were be been being do does did doing done have "
    "has had having will would shall should can could may might must what whats which who whom "
    "whose where wheres when why how hows there theres here to of in on at by for with from "
    "into onto about as up down out over under off and or but if so then than also too very "
    "just really only not no dont cant wont isnt arent doesnt didnt please thanks thank hi "
    "hello hey um uh er erm hmm ok okay oh well yes yeah any some anything something all every "
    "each get got know tell let like want wondering wonder ask question im ive youre youve id "
    "ill lets one ones sure maybe actually quick quickly again".split()
)  # fmt: skip

# Words for the store itself, which shoppers use interchangeably.
SAME_WORD = {"shop": "store", "shops": "store", "stores": "store"}

_WORD = re.compile(r"[a-z0-9]+|[\uac00-\ud7a3]+")
_DOUBLED = re.compile(r"([b-df-hj-np-tv-z])\1$")
# Korean words (eojeol) carry particles and endings: "주차장" "주차할" "주차" and "카드로"
# "카드" share their first two syllables, the common length of a Korean noun. Fronts that
# only ask ("있어요", "돼요", "혹시") are not what a question is about.
KOREAN_KEY_SYLLABLES = 2
KOREAN_STOP_KEYS = frozenset(
    "혹시 있어 있나 있습 있을 있는 돼요 되나 되요 되는 될까 되죠 뭐예 뭐에 뭐야 뭐 어떻 어디 "
    "언제 알려 주세 줘요 해요 하나 해도 할까 해 할 수 좀 저 제 저기 그럼 그리 이거 그거 가능 "
    "안녕 네 아니 요".split()
)  # fmt: skip


def _ascii_words(text: str) -> list[str]:
    text = folded(text)
    # "what's" is "whats", "wi-fi" is "wifi": one word either way.
    text = re.sub(r"(?<=[a-z])['\u2019-](?=[a-z])", "", text)
    words = [SAME_WORD.get(word, word) for word in _WORD.findall(text)]
    return [_korean_key(w) if not w.isascii() else w for w in words]


def _korean_key(word: str) -> str:
    key = word[:KOREAN_KEY_SYLLABLES]
    return "" if key in KOREAN_STOP_KEYS else key


def _undouble(stem: str) -> str:
    """Drops a doubled last consonant: "shopp" (of "shopping") is "shop"; "fill" stays."""
    return stem[:-1] if _DOUBLED.search(stem) and not stem.endswith("ll") else stem


def word_key(word: str) -> str:
    """One key for a word's inflections ("parking", "parked", "park"; "allowed", "allow";
    "dogs", "dog"); not a full stemmer (none is installed), only what questions need."""
    word = singular(word)
    if word.endswith("ied") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("ing") and len(word) >= 6:
        word = _undouble(word[:-3])
    elif word.endswith("ed") and not word.endswith("eed"):  # not "need", "feed"
        if len(word) >= 5:
            word = _undouble(word[:-2])
        elif len(word) == 4:
            word = word[:-1]  # "used" is "use"
    # "use" and "used", "take" and "taking": a silent e never tells words apart here.
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


@dataclass(frozen=True)
class Words:
    """What a sentence is about: its content words' keys, the keys of adjacent words run
    together ("wi fi" as heard is "wifi"), and the words as said (only made singular)."""

    keys: tuple[str, ...]
    pairs: tuple[tuple[int, str], ...]  # (index of the first word in keys, joined key)
    said: frozenset[str]


def content_words(text: str) -> Words:
    words = [w for w in _ascii_words(text) if w and w not in STOP_WORDS and not w.isdigit()]
    keys = tuple(word_key(w) for w in words)
    pairs = tuple((i, word_key(words[i] + words[i + 1])) for i in range(len(words) - 1))
    return Words(keys, pairs, frozenset(singular(w) for w in words))


@dataclass(frozen=True)
class FaqMatch:
    answer: str
    question: str  # the way of asking that matched best
    recall: float
    precision: float
    built_in: bool  # from the store's facts rather than its faq list


@dataclass(frozen=True)
class Entry:
    questions: tuple[str, ...]
    answer: str
    built_in: bool


class FaqIndex:
    """The store's questions, weighted by rarity among its entries."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = tuple(entries)
        self.asked = [
            [(question, content_words(question)) for question in entry.questions]
            for entry in self.entries
        ]
        frequency: dict[str, int] = {}
        for ways in self.asked:
            for key in set().union(*(words.keys for _, words in ways)):
                frequency[key] = frequency.get(key, 0) + 1
        count = len(self.entries)
        # Smoothed IDF (as scikit-learn's): a word every entry has still weighs 1.
        self.weight = {
            key: math.log((count + 1) / (seen + 1)) + 1 for key, seen in frequency.items()
        }

    def _weigh(self, key: str) -> float:
        return self.weight.get(key, UNKNOWN_WORD_WEIGHT)

    def best(self, text: str) -> FaqMatch | None:
        said = content_words(text)
        if not said.keys:
            return None
        found: FaqMatch | None = None
        for entry, ways in zip(self.entries, self.asked, strict=True):
            for question, words in ways:
                keys = set(words.keys)
                if not keys:
                    continue
                if entry.built_in:
                    # Everyday words ("name", "talk", "called"): said exactly as written and
                    # nothing else, so "can I call the store" or "I'd like to talk to someone"
                    # is not taken for "what is the store called" or "who am I talking to".
                    # The staff's entries come first; one that matched is the better answer.
                    if said.said == words.said:
                        return found or FaqMatch(entry.answer, question, 1.0, 1.0, built_in=True)
                    continue
                matched_words = {i for i, key in enumerate(said.keys) if key in keys}
                matched_keys = {said.keys[i] for i in matched_words}
                for i, joined in said.pairs:
                    if joined in keys:
                        matched_words |= {i, i + 1}
                        matched_keys.add(joined)
                recall = sum(map(self._weigh, matched_keys)) / sum(map(self._weigh, keys))
                precision = sum(self._weigh(said.keys[i]) for i in matched_words) / sum(
                    map(self._weigh, said.keys)
                )
                if recall < MIN_RECALL or precision < MIN_PRECISION:
                    continue
                match = FaqMatch(entry.answer, question, recall, precision, built_in=False)
                if found is None or _f1(match) > _f1(found):
                    found = match
        return found


def _f1(match: FaqMatch) -> float:
    return 2 * match.recall * match.precision / (match.recall + match.precision)


def built_in_entries(store: StoreFacts) -> list[Entry]:
    """Questions every store file answers, beside the ones with their own intents (hours,
    address, phone, delivery, returns)."""
    example = lang.money(250, store.currency)
    return [
        Entry(
            ("what is the name of the store", "what is the store called", "which store is this"),
            f"This is {store.name}.",
            built_in=True,
        ),
        Entry(
            ("who am I talking to", "what is your name"),
            f"I'm {store.assistant_name}, the voice assistant at {store.name}.",
            built_in=True,
        ),
        Entry(
            ("what currency do you use", "what currency are the prices in"),
            f"Our prices are in {store.currency}, for example {example}.",
            built_in=True,
        ),
    ]


@lru_cache(maxsize=16)
def _index_for(facts_json: str) -> FaqIndex:
    store = StoreFacts.parse_raw(facts_json)
    staff = [Entry(tuple(item.q), item.a, built_in=False) for item in store.faq]
    # The staff's entries first: on equal scores, the store's own answer wins.
    return FaqIndex([*staff, *built_in_entries(store)])


def index_for(store: StoreFacts) -> FaqIndex:
    return _index_for(store.json())


def faq_answer(turn: Turn, handler: str, *, store_question: bool) -> str | None:
    """The store file's answer to this turn, or None to let `handler` run. A turn that names a
    product is about the product; one the classifier placed confidently elsewhere is left
    alone, except that a store question (`store_question`: hours, delivery...) may get the
    staff's more specific answer."""
    if clear_products(turn.entities):
        return None
    confident = turn.confidence >= CONFIDENT and handler != "not_understood"
    if confident and not store_question:
        return None
    match = index_for(turn.store).best(turn.text)
    if match is None or (confident and match.built_in):
        return None
    return match.answer
