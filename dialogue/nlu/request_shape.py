"""`RequestShape`: a Rasa NLU component after the intent classifier (and its fallback) that
lets the shape of a request overrule the classifier where the classifier alone cannot know
better, because it never sees which words were products (CatalogMentions replaced them with
placeholders).

Two rules, each only against an unsure classifier or its fallback:
- A question about a product is not an order: "what would a fifty foot hose run me" asked
  with a product and classified `add_item` becomes `product_info`, so asking never changes
  the cart. Requests phrased as questions ("can I get a latte?", "could you add two more?")
  stay orders.
- Products with an ordering verb are an order, not an order question: "I'd like to order two
  lattes" classified `order_status`/`cancel_order`/`reorder` becomes `add_item`.

The intent ranking keeps every score; the overruled intent moves to the top with the
confidence of the classifier's first choice, and the message records why in
`request_shape` (visible in `rasa shell nlu` and in tests).
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

# Below this confidence the classifier is unsure enough for the request's shape to decide.
UNSURE = 0.9

# A question asking about something: wh-words and inverted auxiliaries ("is it", "do you").
QUESTION = re.compile(
    r"^(?:(?:and|so|ok|okay|um|uh|hmm|hey|also|oh)[\s,]+)*"
    r"(?:what|what's|whats|how|which|is|are|does|do you|did|have you|has|any)\b"
)
# Questions that are requests: "can I get", "could you add", "would you get me".
REQUEST = re.compile(
    r"^(?:(?:and|so|ok|okay|um|uh|hey|also|oh)[\s,]+)*"
    r"(?:(?:can|could|may|might) (?:i|we)|(?:can|could|would|will) you)\b"
)
# Verbs of buying: "order", "get", "have", "buy", "take", "want", "like", "need", "add".
ORDERING = re.compile(
    r"\b(?:i'd like|i would like|i want|i'll have|i will have|i'll take|can i (?:get|have)|"
    r"could i (?:get|have)|get me|add|buy|to order|order (?:a|an|some|two|three|\d))\b"
)
ORDER_QUESTIONS = ("order_status", "cancel_order", "reorder")
# What Rasa's FallbackClassifier (before this component) calls a message it could not place.
FALLBACK = "nlu_fallback"


def _products(message: Message) -> list[dict[str, Any]]:
    return [e for e in message.get(ENTITIES) or [] if e.get("entity") == "product"]


def reshaped_intent(text: str, intent: str, confidence: float, products: bool) -> str | None:
    """The intent the request's shape calls for, or None to keep the classifier's."""
    if confidence >= UNSURE or not products:
        return None
    normal = " ".join(text.lower().split())
    if intent in ("add_item", FALLBACK) and (QUESTION.match(normal) or normal.endswith("?")):
        if not REQUEST.match(normal):
            return "product_info"
    about_an_order_number = "number" in normal.split()
    if intent in (*ORDER_QUESTIONS, FALLBACK) and ORDERING.search(normal):
        return None if about_an_order_number else "add_item"
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RequestShape(GraphComponent):
    """The request's shape over an unsure classifier (see the module docstring)."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RequestShape:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            name, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
            if not name:
                continue
            new = reshaped_intent(message.get(TEXT) or "", name, confidence,
                                  bool(_products(message)))  # fmt: skip
            if new is None:
                continue
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != new]
            top = {"name": new, "confidence": confidence}
            message.set(INTENT, top, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [top, *ranking], add_to_output=True)
            message.set("request_shape", f"{name} -> {new}", add_to_output=True)
        return messages
