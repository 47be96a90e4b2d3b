"""The words a shopper is likely to say to this store: the live catalog's names, aliases and
option values, and the assistant's own phrases (its training examples). Speech recognition
is biased towards them; `voice` receives the list and never reads the database itself."""

from __future__ import annotations

from functools import lru_cache

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce.models import CatalogState, Product
from commerce.store import get_store_facts
from dialogue.language import NUMBER_WORDS, QUANTITY_PHRASES
from dialogue.training import PROJECT_DIR


@lru_cache(maxsize=1)
def assistant_phrases() -> tuple[str, ...]:
    phrases: dict[str, None] = {}
    for path in sorted((PROJECT_DIR / "data" / "nlu").glob("*.yml")):
        for block in (yaml.safe_load(path.read_text()) or {}).get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                text = line.strip().removeprefix("- ").strip()
                if text:
                    phrases.setdefault(text.lower(), None)
    phrases.update(dict.fromkeys(NUMBER_WORDS))
    phrases.update(dict.fromkeys(p for p, _ in QUANTITY_PHRASES))
    return tuple(phrases)


def catalog_version(session: Session) -> int:
    return session.scalar(select(CatalogState.version).where(CatalogState.id == 1)) or 0


def store_vocabulary(session: Session, *, wake_phrase: str | None = None) -> list[str]:
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
    store = get_store_facts(session)
    phrases.setdefault(store.assistant_name.lower(), None)
    if wake_phrase:
        phrases.setdefault(wake_phrase.lower(), None)
    phrases.update(dict.fromkeys(assistant_phrases()))
    return list(phrases)
