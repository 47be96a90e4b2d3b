"""The words a shopper is likely to say to this store: the live catalog's names, aliases and
option values, and the assistant's own phrases (its training examples). Speech recognition
is biased towards them; `voice` receives the list and never reads the database itself."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce.models import CatalogState, Product
from commerce.store import get_store_facts
from dialogue.language import NUMBER_WORDS, QUANTITY_PHRASES
from dialogue.training import PROJECT_DIR

# A Korean store's assistant words beyond its NLU examples: answers, commands, numbers and
# counters (closed grammatical lists, no catalog words). Until dialogue/korean.py lands here
# these are listed here; the NLU data (data-ko) adds the phrasings.
KOREAN_ASSISTANT_PHRASES = (
    "네", "예", "응", "아니요", "아뇨", "아니", "좋아요", "그래요", "맞아요", "주세요", "줘",
    "장바구니", "주문", "취소", "계산", "결제", "배달", "포장", "상담원", "직원", "연결",
    "빼", "빼 주세요", "바꿔 주세요", "보여 주세요", "담아 주세요", "넣어 주세요", "추가",
    "하나", "둘", "셋", "넷", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉",
    "열", "스무", "스물", "개", "잔", "병", "송이", "팩", "봉지", "캔", "판", "모", "더",
    "몇 시", "영업", "지난번", "같은 걸로", "다시",
)  # fmt: skip
# Particles a shopper attaches to a catalog word ("우유를", "라떼랑"): with them the
# recogniser can join "우유 를" back into the eojeol the shopper said. (after a final
# consonant, after a vowel); the same form after either.
KOREAN_PARTICLES = (
    ("을", "를"), ("이", "가"), ("은", "는"), ("과", "와"), ("으로", "로"), ("이랑", "랑"),
    ("이요", "요"), ("도", "도"), ("만", "만"), ("하고", "하고"), ("에", "에"), ("의", "의"),
)  # fmt: skip


def with_particles(word: str) -> list[str]:
    """A Hangul word with each particle in the form its last syllable takes."""
    last = ord(word[-1]) - 0xAC00 if word else -1
    if not 0 <= last < 11172:
        return []
    final = last % 28 != 0
    return [word + (consonant if final else vowel) for consonant, vowel in KOREAN_PARTICLES]


# NLU examples write "product", "option" and "number" where catalog words go.
_PLACEHOLDER = re.compile(r"\b(?:product|option|number)", flags=re.IGNORECASE)


def store_language(session: Session) -> str:
    return get_store_facts(session).language


def splits_words(language: str) -> bool:
    """Whether the recogniser should spell a word it lacks with words it knows: Korean
    eojeol carry particles and endings the Korean model lists as words of their own."""
    return language == "ko"


def nlu_dir(language: str) -> Path:
    return PROJECT_DIR / ("data" if language == "en" else f"data-{language}") / "nlu"


@lru_cache(maxsize=4)
def assistant_phrases(language: str = "en") -> tuple[str, ...]:
    phrases: dict[str, None] = {}
    for path in sorted(nlu_dir(language).glob("*.yml")):
        for block in (yaml.safe_load(path.read_text()) or {}).get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                text = line.strip().removeprefix("- ").strip()
                if language != "en":
                    # "product를" -> "를": the catalog word is said there, its particle stays.
                    text = " ".join(_PLACEHOLDER.sub(" ", text).split())
                if text:
                    phrases.setdefault(text.lower(), None)
    if language == "ko":
        phrases.update(dict.fromkeys(KOREAN_ASSISTANT_PHRASES))
        return tuple(phrases)
    phrases.update(dict.fromkeys(NUMBER_WORDS))
    phrases.update(dict.fromkeys(p for p, _ in QUANTITY_PHRASES))
    return tuple(phrases)


def catalog_version(session: Session) -> int:
    return session.scalar(select(CatalogState.version).where(CatalogState.id == 1)) or 0


def store_vocabulary(session: Session, *, wake_phrase: str | None = None) -> list[str]:
    phrases: dict[str, None] = {}
    store = get_store_facts(session)
    for phrase in catalog_phrases(session):
        phrases.setdefault(phrase, None)
        if store.language == "ko":
            # Only the last word of a phrase carries the particle ("귀리 우유로").
            phrases.update(dict.fromkeys(with_particles(phrase)))
    phrases.setdefault(store.assistant_name.lower(), None)
    if wake_phrase:
        phrases.setdefault(wake_phrase.lower(), None)
    phrases.update(dict.fromkeys(assistant_phrases(store.language)))
    return list(phrases)


def catalog_phrases(session: Session) -> list[str]:
    """The live catalog's names, aliases, option names and values, and categories."""
    phrases: dict[str, None] = {}
    for product in session.scalars(select(Product).where(Product.active.is_(True))):
        phrases.setdefault(product.name.lower(), None)
        for alias in product.aliases or []:
            phrases.setdefault(alias.lower(), None)
        for group in product.options or []:
            phrases.setdefault(group["name"], None)
            for value in group["values"]:
                phrases.setdefault(value, None)
        if product.category:
            phrases.setdefault(product.category, None)
    return list(phrases)
