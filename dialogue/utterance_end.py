"""Whether the words a shopper has said so far are a whole request, judged from grammar alone,
so the device can answer after a short pause or keep listening through one.

Rule-based on closed lists of grammatical words (never products or options): a request ends
on an answer word ("yes", "네"), a Korean sentence-final ending ("주세요", "있어요", "합니다"),
or in English on a content word ("two croissants"); it goes on after a word that promises
more ("I'd like a", "and", "um", "그리고", a particle left hanging: "우유를"). Anything else
("두 개", "two") is `unsure`: the usual silence decides.

The language is told by the last word's script (Hangul: Korean; otherwise English), so one
judge serves both models. Used as `voice.stt.VoskEngine(utterance_end=...)`.
"""

from __future__ import annotations

import re
from typing import Literal

Completeness = Literal["complete", "incomplete", "unsure"]

# English words after which a request cannot have ended: articles, determiners, conjunctions,
# prepositions, fillers, auxiliaries and subjects still waiting for their verb or object.
EN_CONTINUATIONS = frozenset(
    "a an the some any another more my your our this these those "
    "and or but plus also then so because if with without of for to in on at from about "
    "than as um uh er erm hmm mm is are was were do does did can could would will shall may "
    "might should i i'd i'll i'm we we'd we'll let let's".split()
)
# Verbs waiting for their object ("I'd like", "can I get") - but some are nouns too ("my
# order"), so only after a subject, a modal or "to", or said alone.
EN_WANTING = frozenset("like want need get have take add order buy grab give".split())
EN_WANTING_AFTER = frozenset(
    "i i'd i'll we we'd we'll you to can could would will may please let's just also".split()
)
# Pronoun objects complete a request ("add it") except after these verbs ("give me ...").
EN_GIVING = frozenset("give get bring show tell send make find let".split())
EN_ANSWERS = frozenset(
    "yes yeah yep yup no nope nah okay ok sure please thanks correct right done fine".split()
)
EN_NUMBERS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty dozen couple few "
    "half".split()
)

KO_ANSWERS = frozenset("네 예 응 아니 아뇨 아니요 아니오".split())
KO_CONTINUATIONS = frozenset(
    "그리고 하고 랑 이랑 또 또는 혹은 및 와 과 음 어 저 그 그러니까 그런데 근데 그럼 아 에".split()
)
# Particles that leave a phrase waiting for its verb ("우유를", "빵하고", "커피랑").
KO_PARTICLES = (
    "에서 으로 에게 한테 하고 이랑 까지 부터 처럼 보다 이나 "
    "을 를 은 는 이 가 와 과 도 의 에 로 랑 만"
).split()
# Sentence-final endings that close a request or a question whatever comes before them.
KO_FINAL_ENDINGS = ("요", "줘", "죠", "니다", "니까")

HANGUL_FIRST, HANGUL_LAST = 0xAC00, 0xD7A3
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def utterance_completeness(text: str) -> Completeness:
    """`complete` when the words so far end a request, `incomplete` when they promise more."""
    words = WORD.findall(text.lower())
    if not words:
        return "unsure"
    if _is_hangul(words[-1][-1]):
        return _korean(words[-1])
    return _english(words)


def _english(words: list[str]) -> Completeness:
    last = words[-1]
    if last in EN_ANSWERS:
        return "complete"
    if last in EN_CONTINUATIONS:
        return "incomplete"
    before = words[-2] if len(words) > 1 else ""
    if last in EN_WANTING and (not before or before in EN_WANTING_AFTER):
        return "incomplete"
    if last in {"me", "us"} and before in EN_GIVING:
        return "incomplete"
    if last in EN_NUMBERS:  # "two" may be an answer to "how many?" or the start of an item
        return "unsure"
    return "complete"


def _korean(last: str) -> Completeness:
    if last in KO_ANSWERS:
        return "complete"
    if last in KO_CONTINUATIONS:
        return "incomplete"
    if last.endswith(KO_FINAL_ENDINGS) or _plain_final(last):
        return "complete"
    if any(last.endswith(p) and len(last) > len(p) for p in KO_PARTICLES):
        return "incomplete"
    return "unsure"


def _plain_final(word: str) -> bool:
    """'있다', '좋다', '한다', '했다', '할까': 다/까 after a syllable closed by a consonant.
    A noun that merely ends in 다 or 까 ('바다', '아까') has an open syllable before it."""
    if len(word) < 2 or word[-1] not in "다까":
        return False
    before = word[-2]
    return _is_hangul(before) and (ord(before) - HANGUL_FIRST) % 28 != 0


def _is_hangul(char: str) -> bool:
    return HANGUL_FIRST <= ord(char) <= HANGUL_LAST
