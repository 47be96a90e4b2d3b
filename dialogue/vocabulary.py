"""The words a shopper is likely to say to this store: the live catalog's names, aliases and
option values, and the assistant's own phrases (its training examples). Speech recognition
is biased towards them; `voice` receives the list and never reads the database itself."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce.models import CatalogState, Product
from commerce.store import get_store_facts
from dialogue.language import NUMBER_WORDS, QUANTITY_PHRASES
from dialogue.speech_grammar import GrammarProduct, grammar_phrases
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


def store_language(session: Session) -> str:
    return get_store_facts(session).language


def splits_words(language: str) -> bool:
    """Whether the recogniser should spell a word it lacks with words it knows: Korean
    eojeol carry particles and endings the Korean model lists as words of their own."""
    return language == "ko"


def nlu_dir(language: str) -> Path:
    return PROJECT_DIR / ("data" if language == "en" else f"data-{language}") / "nlu"


@lru_cache(maxsize=4)
def nlu_examples(language: str = "en") -> tuple[str, ...]:
    """The language's NLU training examples as written, placeholders and all."""
    examples: dict[str, None] = {}
    for path in sorted(nlu_dir(language).glob("*.yml")):
        for block in (yaml.safe_load(path.read_text()) or {}).get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                text = line.strip().removeprefix("- ").strip()
                if text:
                    examples.setdefault(text.lower(), None)
    return tuple(examples)


@lru_cache(maxsize=1)
def assistant_phrases() -> tuple[str, ...]:
    """An English store's assistant phrases: its examples and number words."""
    phrases = dict.fromkeys(nlu_examples("en"))
    phrases.update(dict.fromkeys(NUMBER_WORDS))
    phrases.update(dict.fromkeys(p for p, _ in QUANTITY_PHRASES))
    return tuple(phrases)


def catalog_version(session: Session) -> int:
    return session.scalar(select(CatalogState.version).where(CatalogState.id == 1)) or 0


def store_vocabulary(session: Session, *, wake_phrase: str | None = None) -> list[str]:
    """English: the catalog's words and the assistant's phrases, each a phrase of its own.
    Other languages: whole sentences, the assistant's patterns filled with the catalog's
    words (see dialogue.speech_grammar), then the catalog's and assistant's words alone."""
    store = get_store_facts(session)
    phrases: dict[str, None] = {}
    if store.language != "en":
        examples = nlu_examples(store.language)
        phrases.update(dict.fromkeys(grammar_phrases(examples, grammar_products(session))))
    phrases.update(dict.fromkeys(catalog_phrases(session)))
    phrases.setdefault(store.assistant_name.lower(), None)
    if wake_phrase:
        phrases.setdefault(wake_phrase.lower(), None)
    if store.language == "ko":
        phrases.update(dict.fromkeys(KOREAN_ASSISTANT_PHRASES))
    elif store.language == "en":
        phrases.update(dict.fromkeys(assistant_phrases()))
    return list(phrases)


def grammar_products(session: Session) -> list[GrammarProduct]:
    """The live catalog's products as the phrase grammar sees them."""
    products = []
    for product in session.scalars(select(Product).where(Product.active.is_(True))):
        names = dict.fromkeys([product.name.lower(), *(a.lower() for a in product.aliases or [])])
        values = dict.fromkeys(v for g in product.options or [] for v in g["values"])
        products.append(GrammarProduct(tuple(names), product.unit or "", tuple(values)))
    return products


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
