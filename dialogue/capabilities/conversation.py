"""The conversation around shopping: greetings, thanks, goodbyes, a person when asked for
one, and what to say when a turn was not understood."""

from __future__ import annotations

import re

from commerce.accounts import ensure_customer
from commerce.handoffs import open_handoff
from commerce.resolver import resolve_mention, tokens
from dialogue import language as lang
from dialogue.capabilities import (
    adding,
    catalog_questions,
    dispatch,
    korean_edits,
    product_words,
)
from dialogue.capabilities.turns import (
    CAPABILITIES,
    Turn,
    may_redirect,
)
from dialogue.entity_items import clear_products
from dialogue.replies import tr

NOT_UNDERSTOOD_LIMIT = 2


def greet(turn: Turn) -> None:
    name_said = re.escape(turn.store.assistant_name.lower())
    # The English word checks catch an unsure English classifier; other languages' models
    # are trusted as they are.
    english = turn.language == "en"
    if (
        english
        and not re.search(
            rf"\b(?:hi|hiya|hello|hey|heya|howdy|yo|morning|afternoon|evening|greetings|"
            rf"hallo|good day|{name_said})\b",
            lang.normalise(turn.text),
        )
        and may_redirect(turn)
    ):
        not_understood(turn)  # the classifier's guess for something it has not seen
        return
    customer = ensure_customer(turn.session, customer_id=turn.customer_id)
    name = "" if customer.name == customer.id else turn.wording.greeting_name(customer.name)
    store = turn.store
    turn.say(
        tr(
            turn,
            ("Hi{name}! I'm {assistant_name} at {name2}. What can I get you?"),
            name=name,
            assistant_name=store.assistant_name,
            name2=store.name,
        )
    )


def goodbye(turn: Turn) -> None:
    english = turn.language == "en"
    if english and not re.search(r"\b(?:bye|goodbye|see (?:you|ya)|later|good ?night|take care|"
                                 r"cheers|that's all|that is all|have a (?:good|nice|great)|"
                                 r"farewell|ciao|done)\b",
                                 lang.normalise(turn.text)) and may_redirect(turn):  # fmt: skip
        not_understood(turn)  # the classifier's guess for something it has not seen
        return
    turn.say(tr(turn, "Thanks for shopping at {name}. Bye!", name=turn.store.name))


def thanks(turn: Turn) -> None:
    english = turn.language == "en"
    if english and not re.search(r"\b(?:thanks?|thank you|cheers|ta|appreciated?|grateful|thx)\b",
                                 lang.normalise(turn.text)) and may_redirect(turn):  # fmt: skip
        not_understood(turn)
        return
    turn.say(tr(turn, "You're welcome! Anything else?"))


def handoff(turn: Turn, reason: str = "shopper asked for a person") -> None:
    conversation = [*turn.history, {"speaker": "shopper", "text": turn.text}]
    open_handoff(turn.session, customer_id=turn.customer_id, reason=reason,
                 conversation=conversation)  # fmt: skip
    turn.set_pending(None)
    turn.handed_off = True
    turn.say(
        tr(
            turn,
            (
                "I'm passing you to a member of our staff. They can see our "
                "conversation and your cart, and will be with you shortly."
            ),
        )
    )


STOCK_QUESTION = (
    r"^(?:(?:hi|hey|hello|ok|so|and|also|um|uh)\b[\s,]*)*(?:do|does) (?:you|the store|the shop) "
    r"(?:have|sell|stock|carry|do|got)\b|^have you got\b|^(?:is|are) there any\b|"
    r"^how much (?:is|are|does|do|for)\b"
)


def not_understood(turn: Turn) -> None:
    """What the classifier could not place. Product questions and bare product mentions are
    still understood from the catalog; otherwise two in a row hand over to staff."""
    # "what's a cuttlebone", "do you sell toothpaste": a product question.
    question = product_words.mention_from_question(turn.text)
    if question and question != lang.normalise(turn.text).strip(" ,?"):
        candidates = resolve_mention(turn.session, mention=question)
        asks_stock = re.match(STOCK_QUESTION, lang.normalise(turn.text))
        if (
            (candidates and candidates[0].score >= 0.75)
            or (asks_stock and len(tokens(question)) <= 3)
        ) and may_redirect(turn):
            turn.set("misunderstood", 0.0)
            catalog_questions.product_info(turn)
            return
    # A bare product mention ("a red leash, large") is an order, whatever the classifier said.
    requests = lang.split_items(product_words.text_without_names(turn))
    named = [r for r in requests if r.mention]
    if product_words.names_products(turn) and may_redirect(turn):
        turn.set("misunderstood", 0.0)
        adding.add_items(turn, requests)
        return
    # Products the NLU found clearly, said in words the classifier has not seen.
    if clear_products(turn.entities) and may_redirect(turn):
        turn.set("misunderstood", 0.0)
        adding.add_items(turn)
        return
    # "two of those", "great, three bags of that" after talking about a product.
    if requests and not named and turn.slot("last_item") and all(r.quantity_said for r in requests):
        turn.set("misunderstood", 0.0)
        adding.add_items(turn, requests)
        return
    if turn.language == "ko" and korean_edits.refines_last_item(turn) and may_redirect(turn):
        turn.set("misunderstood", 0.0)
        dispatch.HANDLERS["change_item"](turn)  # "벤티로요" after adding a drink
        return
    # Plain keywords for the commonest requests, in words the classifier has not seen.
    normal = lang.normalise(turn.text)
    for pattern, handler in KEYWORD_RESCUE:
        if re.search(pattern, normal) and may_redirect(turn):
            turn.set("misunderstood", 0.0)
            dispatch.HANDLERS[handler](turn)
            return
    turn.not_understood = True
    count = int(turn.slot("misunderstood") or 0) + 1
    if count >= NOT_UNDERSTOOD_LIMIT:
        turn.set("misunderstood", 0.0)
        handoff(turn, reason="assistant did not understand twice in a row")
        return
    turn.set("misunderstood", float(count))
    if turn.intent == "out_of_scope":
        turn.say(
            tr(
                turn,
                "Sorry, I can't help with that. {capabilities}",
                capabilities=tr(turn, CAPABILITIES),
            )
        )
    else:
        turn.say(
            tr(
                turn,
                "Sorry, I didn't catch that. {capabilities}",
                capabilities=tr(turn, CAPABILITIES),
            )
        )


# Words that name a request plainly enough to act on when the classifier was unsure; each
# names its handler in dispatch.HANDLERS.
KEYWORD_RESCUE: list[tuple[str, str]] = [
    (r"\b(?:human|real person|a person|someone|somebody|staff|agent|manager|representative)\b",
     "handoff"),
    (r"\b(?:read|repeat|list|show|tell me|go (?:over|through)|what's in|what is in)\b.*"
     r"\b(?:my|the) (?:cart|basket|order so far)\b|\b(?:cart|basket) total\b", "view_cart"),
    (r"\b(?:check ?out|place (?:my|the) order|ready to pay)\b", "checkout"),
    (r"\b(?:opening hours|open(?:ing)? times|what time do you|when do you (?:open|close)|"
     r"are you open|still open)\b", "ask_hours"),
    (r"\b(?:your address|where are you|where is the (?:store|shop)|located)\b", "ask_address"),
    (r"\b(?:phone|telephone|number to call|call you|ring you)\b", "ask_phone"),
    (r"\b(?:deliver|delivery)\b", "ask_delivery"),
    (r"\b(?:return|returns|refund|exchange)\b", "ask_returns"),
    (r"\b(?:where(?:'s| is) my|track|status of) (?:my )?(?:order|delivery)\b", "order_status"),
]  # fmt: skip
