"""`CatalogMentions`: a Rasa NLU component, placed right after the tokenizer, that finds
products, option values, quantities and ordinals in a message against the LIVE catalog
(dialogue.nlu.mentions), emits them as entities, and replaces their words with placeholder
tokens ("product", "option", "number", "ordinal") before any featurizer sees them.

Entities: `product` (value: the SKU; `alternatives`: SKUs as close, when the mention is
ambiguous), `option` (value: the option value; role: its group), `quantity` (value: an
integer) and `ordinal` (value: 0-based, -1 for "last").

At training time there is no catalog: training examples say "product" and "option" themselves,
and only quantities and ordinals are replaced, exactly as at run time. The catalog is read
through dialogue.context's sessions on every message; the live index (commerce.live_index)
patches in what changed whenever the catalog version moves, so a product added or renamed
through the API is understood on the next turn, without retraining and without the turn
waiting for a whole index rebuild.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from commerce.resolver import CatalogIndex, catalog_index
from dialogue.nlu.korean_mentions import find_korean_mentions
from dialogue.nlu.korean_mentions import language_mentions as korean_language_mentions
from dialogue.nlu.mentions import (
    NUMBER,
    OPTION,
    ORDINAL,
    PRODUCT,
    Mention,
    find_mentions,
    language_mentions,
)

log = logging.getLogger(__name__)

ENTITY_NAMES = {PRODUCT: "product", OPTION: "option", NUMBER: "quantity", ORDINAL: "ordinal"}
EXTRACTOR = "CatalogMentions"


def live_index() -> CatalogIndex | None:
    """The live catalog's index, or None where there is no store (a stock `rasa shell`
    without a database): the message is then understood without catalog words."""
    from commerce.db import read_only
    from dialogue.context import get_context

    try:
        # Read-only: this runs on the event loop, where waiting for SQLite's write lock
        # would stall every request, including the one holding the lock.
        with get_context().sessions() as session:
            return catalog_index(read_only(session))
    except Exception as exc:  # noqa: BLE001 - understanding goes on without the catalog
        log.warning("catalog mentions: no catalog (%s)", exc)
        return None


def entities_for(mentions: list[Mention], tokens: list[Token], text: str) -> list[dict[str, Any]]:
    entities = []
    for mention in mentions:
        start, end = tokens[mention.start].start, tokens[mention.end - 1].end
        entity: dict[str, Any] = {
            "entity": ENTITY_NAMES[mention.kind],
            "start": start,
            "end": end,
            "value": mention.value,
            "text": text[start:end],
            "confidence_entity": mention.score,
            "extractor": EXTRACTOR,
        }
        if mention.group:
            entity["role"] = mention.group
        if mention.alternatives:
            entity["alternatives"] = list(mention.alternatives)
        entities.append(entity)
    return entities


def replace_tokens(tokens: list[Token], mentions: list[Mention]) -> list[Token]:
    """The tokens with each replaced mention as one placeholder token spanning its words."""
    by_start = {m.start: m for m in mentions if m.replaced}
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        mention = by_start.get(i)
        if mention is None:
            out.append(tokens[i])
            i += 1
            continue
        first, last = tokens[mention.start], tokens[mention.end - 1]
        out.append(Token(mention.kind, first.start, last.end, lemma=mention.kind))
        i = mention.end
    return out


# A copy keeps at least this many words besides the placeholders it drops.
MIN_FRAME_TOKENS = 3
# An option-only request is short ("make it oat milk", "두유로 바꿔 주세요"): its frame is
# the two words around the value.
MIN_OPTION_FRAME_TOKENS = 2


def without_products(
    message: Message, tokens: list[Token], *, loose_options: bool = False
) -> Message | None:
    """A training example as it reads when the product is one the catalog does not know:
    "add a unicorn to my cart" reaches the featurizers without a "product" placeholder, so
    the classifier must learn the request's frame ("add ... to my cart"), not the placeholder.
    `loose_options`: an example naming option values and no product gets the same copy
    without them, since at run time such values stay words (`mentions._loose_options`).
    Korean needs it: "두유로 바꿔 주세요" is the value and two words, and without the copy
    the classifier met it only as "option으로 바꿔 주세요" (0.28 change_item, 0.66 with it).
    English frames carry the request themselves ("make it ...", "actually the ... one"),
    and the copy there taught "actually the one" to mean an addition.
    None when the example names neither or too little is left."""
    if not loose_options and not any(t.text == PRODUCT for t in tokens):
        return None
    if any(t.text == PRODUCT for t in tokens):
        kept, least = [t for t in tokens if t.text != PRODUCT], MIN_FRAME_TOKENS
    else:
        kept, least = [t for t in tokens if t.text != OPTION], MIN_OPTION_FRAME_TOKENS
    if len(kept) == len(tokens) or len(kept) < least or not message.get(INTENT):
        return None
    copy = Message(data={TEXT: " ".join(t.text for t in kept), INTENT: message.get(INTENT)})
    copy.set(TOKENS_NAMES[TEXT], kept)
    return copy


@DefaultV1Recipe.register(
    [
        DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER,
        DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR,
    ],
    is_trainable=False,
)
class CatalogMentions(GraphComponent):
    """Catalog words become entities and placeholders (see the module docstring). The
    `language` setting (config-ko.yml: ko) picks how words are read: Korean words carry
    particles and count with counters (dialogue.nlu.korean_mentions)."""

    def __init__(self, language: str = "en") -> None:
        korean = language == "ko"
        self.korean = korean
        self.language_mentions = korean_language_mentions if korean else language_mentions
        self.find_mentions = find_korean_mentions if korean else find_mentions

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"language": "en"}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CatalogMentions:
        return cls(str(config.get("language", "en")))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        unnamed: list[Message] = []
        for message in training_data.training_examples:
            tokens = message.get(TOKENS_NAMES[TEXT])
            if tokens:
                mentions = self.language_mentions([t.text for t in tokens])
                tokens = replace_tokens(tokens, mentions)
                message.set(TOKENS_NAMES[TEXT], tokens)
                copy = without_products(message, tokens, loose_options=self.korean)
                if copy is not None:
                    unnamed.append(copy)
        if not unnamed:
            return training_data
        return training_data.merge(TrainingData(training_examples=unnamed))

    def process(self, messages: list[Message]) -> list[Message]:
        index = live_index() if any(m.get(TOKENS_NAMES[TEXT]) for m in messages) else None
        for message in messages:
            tokens = message.get(TOKENS_NAMES[TEXT])
            if not tokens:
                continue
            mentions = self.find_mentions([t.text for t in tokens], index)
            entities = entities_for(mentions, tokens, message.get(TEXT) or "")
            message.set(ENTITIES, [*message.get(ENTITIES, []), *entities], add_to_output=True)
            message.set(TOKENS_NAMES[TEXT], replace_tokens(tokens, mentions))
        return messages
