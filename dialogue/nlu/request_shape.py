"""`RequestShape`: a Rasa NLU component after the intent classifier (and its fallback) that
lets the shape of a request overrule the classifier where the classifier alone cannot know
better, because it never sees which words were products (CatalogMentions replaced them with
placeholders).

The rules, each only against an unsure classifier or its fallback:
- A question about a product is not an order: "what would a fifty foot hose run me" asked
  with a product and classified `add_item` becomes `product_info`, so asking never changes
  the cart. Requests phrased as questions ("can I get a latte?", "could you add two more?")
  stay orders, and so does a question followed by an order ("Do you do chocolate
  americanos? I'd like that.").
- Products with buying said in the first person are an order, not a question about orders
  or products, a greeting or a removal: "I'd like to order two lattes" classified
  `order_status`, "think I'll have a nice mocha" classified `product_info`, "I'd like to try
  the earl grey" classified `remove_item` become `add_item`; so does a list going on ("and a
  filter for the tank, the big one") classified as a correction or a choice.
- More of something is not a correction: "actually, another one of those" classified
  `change_item` becomes `add_item`, with or without a product named.
- Wanting to know is asking: "I'd like to know what the mocha costs" is a question.
- In Korean, asking whether the store has a thing the catalog does not know ("피자 있어요?")
  is a question about a product, not a message the classifier could not place; a product
  named with a word for its options ("목줄 색깔 뭐 있어요?") asks about that product.

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
# Buying said in the first person or as a request: "I'd like", "think I'll have", "I need",
# "can I get", "get me", "let me try".
ORDERING = re.compile(
    r"\b(?:i|i'd|i'll|i'm|we|we'd|we'll|let me|let's|me)\b[^.?!]*?"
    r"\b(?:like|love|want|need|have|get|take|order|buy|try|grab|go for|do)\b"
    r"|^(?:(?:and|so|ok|okay|um|uh|hey|also|oh|please)[\s,]+)*"
    r"(?:get|give|grab|add|order|bring|gimme)\b"
)
# Wanting to know is asking, whatever verb of wanting comes first: "I'd like to know what the
# mocha costs", "I was wondering if the hose is in stock".
KNOWING = re.compile(
    r"\b(?:to (?:know|ask|find out|check|hear|see if|see whether)|wonder|wondering)\b"
)
# "another one of those", "two more": more of something, never a replacement of it.
MORE_OF = re.compile(r"\b(?:another|(?:one|two|three|four|five|\d+) more)\b")
# "and a filter for the tank", "plus two more bags": a list going on, never a correction.
ADDING_ON = re.compile(r"^(?:and|also|plus|oh and)\b[\s,]*(?:a|an|some|another|\d+|two|three)\b")
# Asking to take something out is not buying it, whatever verb comes with it.
REMOVING = re.compile(
    r"\b(?:remove|take (?:off|out|away)|delete|drop|don't want|no more|without)\b"
)
ORDER_QUESTIONS = ("order_status", "cancel_order", "reorder")
# What Rasa's FallbackClassifier (before this component) calls a message it could not place.
FALLBACK = "nlu_fallback"
# Intents an order can be mistaken for; corrections, answers and cart edits are not here.
NOT_AN_ORDER = (*ORDER_QUESTIONS, FALLBACK, "product_info", "category_info", "recommend",
                "greet", "goodbye", "thanks", "out_of_scope", "remove_item")  # fmt: skip


# Korean: "피자 있어요?", "혹시 케이크 팔아요?": whether the store has or sells a thing. Said of
# a word the catalog does not know the classifier falls back (the placeholder it learned from
# is missing); the shape says it is a question about a product all the same.
KO_HAS_A_THING = re.compile(
    r"^(?:(?:혹시|저기요|저기|그럼|그러면|음|어|근데)\s+)*(?P<thing>[가-힣][가-힣\s]*?)"
    r"(?:은|는|이|가|도)?\s+(?:있어요|있나요|있습니까|있어|있죠|팔아요|파나요|파세요|팔아|팔죠)"
    r"\s*[?？.]?$"
)
# Not a thing: "뭐 있어요?", "다른 거 있어요?" ask what there is (the classifier's to place).
KO_NOT_A_THING = frozenset(
    "뭐 무엇 뭔가 다른 거 것 그거 이거 저거 어떤 아무거나 여기 거기 장바구니에".split()
)


# Korean: a product named with a word for its options ("목줄 색깔 뭐 있어요?") asks about
# that product's choices, not what the store sells.
KO_OPTION_WORDS = re.compile(
    r"(?:^|\s)(?:사이즈|크기|색깔|색상|색|맛|옵션|용량|종류별)(?:은|는|이|가|도)?(?=\s|$)"
)


def _asks_for_a_korean_thing(text: str) -> bool:
    match = KO_HAS_A_THING.match(" ".join(text.split()))
    return match is not None and not set(match["thing"].split()) & KO_NOT_A_THING


def _products(message: Message) -> list[dict[str, Any]]:
    return [e for e in message.get(ENTITIES) or [] if e.get("entity") == "product"]


# Greetings that sound like questions but ask nothing: "what's up, I need a latte".
GREETING = re.compile(
    r"^(?:(?:hi|hello|hey|yo|good (?:morning|afternoon|evening))\b[\s,!]*)*"
    r"(?:what's up|whats up|how's it going|hows it going|how are you(?: doing)?(?: today)?)?"
    r"[\s,!]*"
)


def _sentences(text: str) -> list[tuple[int, int, str]]:
    """(start, end, lower-case words) of each sentence, the end mark kept and a greeting
    dropped: "is it hot?", "hey what's up, two lattes" -> "two lattes"."""
    found = []
    for match in re.finditer(r"[^.?!]+[.?!]*", text):
        said = " ".join(match.group(0).lower().split())
        said = GREETING.sub("", said, count=1)
        if said.strip(" .?!"):
            found.append((match.start(), match.end(), said))
    return found


def _asks(sentence: str) -> bool:
    asked = QUESTION.match(sentence) or sentence.endswith("?") or KNOWING.search(sentence)
    return bool(asked) and not REQUEST.match(sentence)


def reshaped_intent(
    text: str, intent: str, confidence: float, products: list[tuple[int, int]]
) -> str | None:
    """The intent the request's shape calls for, or None to keep the classifier's. `products`
    are the character spans of the product mentions."""
    if confidence >= UNSURE:
        return None
    normal = " ".join(text.lower().split())
    if intent == "change_item" and MORE_OF.search(normal):
        return "add_item"
    if not products:
        # "혹시 피자는 팔아요?" can also read as asking what the store sells (category_info);
        # the product question's handler still answers with a category the thing names.
        if intent in (FALLBACK, "category_info") and _asks_for_a_korean_thing(text):
            return "product_info"
        return None
    if intent in ("category_info", FALLBACK) and KO_OPTION_WORDS.search(text):
        return "product_info"
    sentences = _sentences(text)
    naming = [s for s in sentences if any(s[0] <= a < s[1] for a, _ in products)]
    # "Do you do chocolate americanos? I'd like that.": the order may follow the question.
    ordering = [s for s in sentences if ORDERING.search(s[2]) and not _asks(s[2])]
    if intent in ("add_item", FALLBACK) and any(_asks(s[2]) for s in naming) and not ordering:
        return "product_info"
    if intent in ("change_item", "choose") and ADDING_ON.match(normal):
        return "add_item"
    about_an_order_number = "number" in normal.split()
    if (
        intent in NOT_AN_ORDER
        and ordering
        and not about_an_order_number
        and not (intent == "remove_item" and REMOVING.search(normal))
    ):
        return "add_item"
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
            spans = [(int(e["start"]), int(e["end"])) for e in _products(message)]
            new = reshaped_intent(message.get(TEXT) or "", name, confidence, spans)
            if new is None:
                continue
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != new]
            top = {"name": new, "confidence": confidence}
            message.set(INTENT, top, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [top, *ranking], add_to_output=True)
            message.set("request_shape", f"{name} -> {new}", add_to_output=True)
        return messages
