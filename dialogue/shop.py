"""The shopping conversation's logic: what each action does with the catalog, the cart and
orders, and what it says back. Rasa decides *which* action runs (dialogue/actions); this module
decides what it does. It is plain Python over the commerce services, so it is unit-tested
without Rasa.

State between turns lives in Rasa slots: `pending` (what a yes, no or "the second one" will
answer), `last_item` (what "another one" or "no, three" refers to), `fulfilment` and
`misunderstood` (consecutive turns not understood).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import distinct, select
from sqlalchemy.orm import Session

from commerce import cart as carts
from commerce import orders
from commerce.accounts import ensure_customer
from commerce.catalog import get_product
from commerce.errors import CommerceError, InvalidOption, NotFound, OutOfStock, PriceChanged
from commerce.handoffs import active_handoff, open_handoff
from commerce.insights import best_sellers, bought_together
from commerce.models import Order, Product
from commerce.purchase_guard import SpendingLimitExceeded
from commerce.resolver import Candidate, catalog_index, pick, resolve_mention, tokens
from commerce.store import WEEKDAYS, StoreFacts, get_store_facts
from dialogue import item_wording as wording
from dialogue import language as lang
from dialogue import purchase
from dialogue.entity_items import clear_products, entity_requests, product_entities

MAX_CHOICES = 4
NOT_UNDERSTOOD_LIMIT = 2
CAPABILITIES = (
    "I can help with products and prices, your cart, placing, tracking or cancelling orders, "
    "and store questions like opening hours and delivery."
)


@dataclass
class Turn:
    session: Session
    customer_id: str
    text: str
    intent: str
    slots: dict[str, Any]
    now: datetime
    history: list[dict[str, str]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    updates: dict[str, Any] = field(default_factory=dict)
    _store: StoreFacts | None = None
    # Handlers hand a turn to another when the classifier's intent does not fit the words
    # ("I'll have the oat milk" as a question); counted so they can never go round in circles.
    redirects: int = 0
    # The classifier's confidence in `intent` (1.0 when the caller has none).
    confidence: float = 1.0
    # The device heard these words begin while a reply was still playing (a TV, the
    # assistant's own voice): they may correct or ask, but never place an order.
    spoken_over_reply: bool = False
    # What the NLU found against the live catalog (dialogue.nlu.catalog_mentions).
    entities: list[dict[str, Any]] = field(default_factory=list)

    @property
    def store(self) -> StoreFacts:
        if self._store is None:
            self._store = get_store_facts(self.session)
        return self._store

    def say(self, text: str) -> None:
        self.messages.append(text)

    def slot(self, name: str) -> Any:
        return self.updates.get(name, self.slots.get(name))

    def set(self, name: str, value: Any) -> None:
        self.updates[name] = value

    def money(self, cents: int) -> str:
        return lang.money(cents, self.store.currency)


# --------------------------------------------------------------------------- helpers


MAX_REDIRECTS = 2


def _redirect(turn: Turn) -> bool:
    """Whether a handler may pass this turn to another one (at most twice per turn)."""
    if turn.redirects >= MAX_REDIRECTS:
        return False
    turn.redirects += 1
    return True


def _product(turn: Turn, sku: str) -> Product:
    return get_product(turn.session, sku=sku)


def _describe(product: Product, quantity: int, options: dict[str, str] | None = None) -> str:
    return wording.describe_item(
        quantity, product.name, product.unit, options, product.option_groups()
    )


def _item_lines(turn: Turn, items: list[tuple[str, int, dict[str, str]]]) -> list[str]:
    """(sku, quantity, options) lines said together, so lines of one product stay apart."""
    lines = []
    for sku, quantity, options in items:
        product = _product(turn, sku)
        lines.append(wording.ItemLine(quantity, product.name, product.unit, options,
                                      product.option_groups()))  # fmt: skip
    return wording.describe_lines(lines)


def _cart_summary(turn: Turn) -> tuple[str, int]:
    cart = carts.get_cart(turn.session, customer_id=turn.customer_id)
    parts = _item_lines(turn, [(i.sku, i.quantity, i.options) for i in cart.items])
    return lang.join_words(parts), cart.subtotal_cents


def _alternative(turn: Turn, product: Product) -> Product | None:
    """An in-stock product from the same category: the most alike by name ("white paint" for
    "grey paint"), else the category's best seller."""
    for candidate in resolve_mention(turn.session, mention=product.name, limit=10):
        other = _product(turn, candidate.sku)
        if (
            other.sku != product.sku
            and other.category == product.category
            and other.active
            and other.stock > 0
        ):
            return other
    for sku in best_sellers(turn.session, category=product.category, limit=4):
        if sku != product.sku:
            return _product(turn, sku)
    return None


def _candidates_text(turn: Turn, skus: list[str]) -> str:
    names = [lang.spoken_name(_product(turn, sku).name) for sku in skus]
    return lang.join_words(names, "or")


def _mention_from_question(text: str) -> str:
    body = lang.normalise(text)
    body = re.sub(
        r"^(?:(?:hi|hey|hello|ok|so|and|also|um)\b[\s,]*)*"
        r"(?:how much (?:is|are|does|do|for)(?: an?| the| your)?|how much|"
        r"what(?:'s| is| are) the (?:price|cost) of(?: an?| the| your)?|price of(?: an?| the)?|"
        r"what(?:'s| is| are)(?: an?| the| your)?|tell me about(?: an?| the| your)?|"
        r"(?:do|does) (?:you|the store) (?:have|sell|stock|carry|got)(?: any| an?| the| some)?|"
        r"(?:is|are) (?:there )?(?:any |the |an? )?|have you got(?: any| an?)?|"
        r"can i get|what kinds? of|what types? of|what sorts? of|what about(?: the| an?)?|"
        r"which)\b\s*",
        "",
        body,
    )
    # "what colours does the collar come in"
    body = re.sub(
        r"^(?:what|which) (?:colou?rs?|sizes?|flavou?rs?|options?|kinds?|types?|sorts?|grinds?)"
        r"(?: of)?(?: (?:does|do|is|are|can i get))?(?: (?:the|a|an|your|it|they))?\b\s*",
        "",
        body,
    )
    body = re.sub(r"\b(?:come|comes|available|sold) (?:in|with)\b.*$", "", body)
    body = re.sub(
        r"\b(?:in stock|available|cost|costs|left|today|right now|now|please|made of|made with|"
        r"exactly|again|do you have|do you sell|have you got|you have|you sell|there)\b",
        " ",
        body,
    )
    return " ".join(body.split()).strip(" ,?")


def _resolve_in(turn: Turn, mention: str, skus: list[str]) -> str | None:
    """Which of `skus` the shopper means ("the oat one", "the second", "cat ones")."""
    ordinal = lang.find_ordinal(mention)
    if ordinal is not None and -len(skus) <= ordinal < len(skus):
        return skus[ordinal]
    if not tokens(mention):
        return None
    scores = catalog_index(turn.session).scores_for(mention, skus)
    best = max(scores.values(), default=0.0)
    if best <= 0:
        return None
    winners = [sku for sku, score in scores.items() if score == best]
    return winners[0] if len(winners) == 1 else None


# --------------------------------------------------------------------------- adding items


def _add(
    turn: Turn,
    product: Product,
    quantity: int,
    options: dict[str, str],
    added: list[str],
    problems: list[str],
) -> bool:
    if not product.active or product.stock <= 0:
        name = lang.spoken_name(product.name)
        message = f"Sorry, {name} {lang.is_are(name)} out of stock right now"
        alternative = _alternative(turn, product)
        if alternative is not None:
            thing = lang.quantity_phrase(1, alternative.name, alternative.unit)
            message += (
                f". We do have {thing}, {turn.money(alternative.price_cents)}. Would you like that?"
            )
            turn.set("pending", {"kind": "suggest", "sku": alternative.sku, "quantity": quantity})
        else:
            message += "."
        problems.append(message)
        return False
    try:
        item = carts.add_to_cart(
            turn.session,
            customer_id=turn.customer_id,
            sku=product.sku,
            quantity=quantity,
            options=options,
        )
    except OutOfStock as exc:
        # "ok then twelve" means twelve of this, not of whatever was added before.
        turn.set("last_item", {"sku": product.sku, "options": options, "quantity": 0})
        left = exc.available - (exc.requested - quantity)
        if left > 0:
            problems.append(
                f"We only have {lang.number_words(exc.available)} "
                f"{lang.spoken_name(product.name)} in stock, so I can add up to "
                f"{lang.number_words(left)} more."
            )
        else:
            problems.append(
                f"Your cart already has all the {lang.spoken_name(product.name)} we have."
            )
        return False
    except InvalidOption as exc:
        problems.append(exc.message + ".")
        return False
    # Options not said take the defaults; the reply states those a shopper must know, once.
    said = wording.describe_added(quantity, product.name, product.unit, item.options,
                                  product.option_groups(), item.assumed_options)  # fmt: skip
    added.append(said)
    turn.set("last_item", {"sku": product.sku, "options": item.options, "quantity": item.quantity})
    return True


def _only_options(turn: Turn, mention: str) -> dict[str, str] | None:
    """'large' after 'a red leash': option values for the last item, or None."""
    last = turn.slot("last_item")
    if not last:
        return None
    product = _product(turn, last["sku"])
    if not tokens(mention) or not product.option_groups():
        return None
    return _options_for(product, mention) or None


def add_items(
    turn: Turn,
    requests: list[lang.ItemRequest] | None = None,
    *,
    added: list[str] | None = None,
    problems: list[str] | None = None,
) -> None:
    """Adds what the shopper asked for; `added`/`problems` carry on a reply already begun
    (the rest of a list after a "which one?")."""
    if (
        requests is None
        and re.match(
            r"^(?:(?:no|nope|sorry|oops|wait|actually|oh|um|uh)\b[\s,]*)*(?:i meant|i mean|i said|"
            r"make (?:it|that|them|those)|change (?:it|that|them|those))\b",
            lang.normalise(turn.text),
        )
        and carts.get_cart(turn.session, customer_id=turn.customer_id).items
        and _redirect(turn)
    ):
        change_item(turn)  # "sorry, I meant a blue one": a correction, not another item
        return
    if (
        requests is None
        and re.match(
            r"^(?:(?:wait|ok|okay|oh|um|uh|actually|sorry|no|and|also|can you|could you|please)\b"
            r"[\s,]*)*(?:remove|delete|take (?:out|off|away)|get rid of|drop)\b",
            lang.normalise(turn.text),
        )
        and _redirect(turn)
    ):
        remove_item(turn)  # "wait, remove one collar first"
        return
    from_words = requests is None
    requests = lang.split_items(_without_name(turn)) if requests is None else requests
    if from_words and _entities_read_better(turn, requests):
        requests = entity_requests(turn.entities, turn.text)
    if not requests:
        not_understood(turn)
        return
    added = [] if added is None else added
    problems = [] if problems is None else problems
    changed: list[str] = []
    base: dict | None = None  # the item just added, which "large" or "one red" refines
    for position, request in enumerate(requests):
        request = dataclasses.replace(request, mention=_with_synonyms(turn, request.mention))
        if base is not None and _extends_base(turn, base, request, added, problems):
            continue
        if not request.mention:
            last = turn.slot("last_item")
            if not last:
                problems.append("Sorry, which product would you like more of?")
                continue
            if _add(turn, _product(turn, last["sku"]), request.quantity, last["options"], added,
                    problems):  # fmt: skip
                base = _base(turn, request.quantity, len(added) - 1)
            continue
        candidates, quantity = _candidates_for(turn, request)
        request = lang.ItemRequest(quantity, request.mention, request.quantity_said,
                                   request.more, request.said)  # fmt: skip
        choice = pick(candidates)
        if choice.best is None and not choice.alternatives:
            options = _only_options(turn, request.mention)
            last = turn.slot("last_item")
            if options and base is not None and base["remaining"] > 0:
                # "a red leash, large", "two collars, one blue and one black"
                wanted = request.quantity if request.quantity_said else base["remaining"]
                _refine(turn, base, options, min(wanted, base["remaining"]))
                added[base["index"]] = _base_description(turn, base)
                continue
            in_cart = carts.get_cart(turn.session, customer_id=turn.customer_id).quantities
            if options and last["sku"] not in in_cart:
                # "how much is a dog bed?" ... "a medium one please"
                if _add(turn, _product(turn, last["sku"]), request.quantity, options, added,
                        problems):  # fmt: skip
                    base = _base(turn, request.quantity, len(added) - 1)
                continue
            if options:
                # "the large one" about what is already in the cart: a change, not an addition.
                item = carts.change_options(
                    turn.session, customer_id=turn.customer_id, sku=last["sku"], options=options
                )
                turn.set("last_item", {**last, "options": item.options})
                changed.append(_describe(_product(turn, last["sku"]), item.quantity, item.options))
                continue
            if (
                len(tokens(request.mention)) > 2
                and not _known_words(turn, request.mention)
                and not added
                and len(requests) == 1
                and _redirect(turn)
            ):
                not_understood(turn)  # "i want to fly to the moon" is not an order
                return
            problems.append(f"Sorry, I couldn't find {request.mention} in our catalog.")
            continue
        if choice.best is None:
            skus = [c.sku for c in choice.alternatives[:MAX_CHOICES]]
            turn.set(
                "pending",
                {
                    "kind": "choose_product",
                    "skus": skus,
                    "quantity": request.quantity,
                    "options": choice.alternatives[0].options,
                    "rest": [r.__dict__ for r in requests[position + 1 :]],
                },
            )
            _say_added(turn, added, problems, end="", changed=changed)
            turn.say(f"Which {request.mention} would you like: {_candidates_text(turn, skus)}?")
            return
        best = choice.best
        if _add(turn, _product(turn, best.sku), request.quantity, best.options, added, problems):
            base = _base(turn, request.quantity, len(added) - 1)
    _say_added(turn, added, problems, changed=changed)


def _entities_read_better(turn: Turn, requests: list[lang.ItemRequest]) -> bool:
    """Whether the NLU's entities read an order the split words do not: a part that names
    nothing in the catalog ("i was looking to order a macchiato", "caramel sauce") or asks
    "which one?", one name split in two ("cloud and mist"), or one product with a quantity
    or options the words lost ("to order two chai lattes", "a single cortado"), while the
    entities name each product clearly."""
    if not clear_products(turn.entities):
        return False
    index = catalog_index(turn.session)
    named: list[tuple[lang.ItemRequest, Candidate]] = []
    for request in requests:
        words = [w for w in tokens(request.mention) if w not in ("one", "ones")]
        if not words or all(w in index.option_vocabulary for w in words):
            continue  # "another one", "large", "a plain one": about the item just added
        choice = pick(resolve_mention(turn.session, mention=request.mention))
        if choice.best is None:
            return True
        named.append((request, choice.best))
    products = product_entities(turn.entities)
    skus = [best.sku for _, best in named]
    if any(skus.count(sku) > [p["value"] for p in products].count(sku) for sku in skus):
        return True
    if len(requests) == len(named) == len(products) == 1 and skus[0] == products[0]["value"]:
        # Several parts ("two collars, one blue and one black") already say how the
        # product's options and quantities divide; one part may have lost them.
        request, best = named[0]
        (read,) = entity_requests(turn.entities, turn.text)
        if read.quantity_said and read.quantity != request.quantity:
            return True
        options = [e for e in turn.entities if e.get("entity") == "option"]
        return any(best.options.get(e.get("role") or "") != e["value"] for e in options)
    return not requests


def _extends_base(
    turn: Turn, base: dict, request: lang.ItemRequest, added: list[str], problems: list[str]
) -> bool:
    """Words about the item just added rather than a new product: 'two lattes, one with oat
    milk' (some of them change), 'two everything bagels and a plain one' (one more, another
    way). Returns whether the request was handled."""
    mention = request.mention
    if not mention:
        return False
    product = _product(turn, base["sku"])
    options = _options_for(product, mention)
    if not options:
        return False
    leading = re.match(r"^(?:with|in)\b", mention) is not None
    if not leading and resolve_mention(turn.session, mention=mention):
        return False  # "a latte and oat milk": a carton of oat milk, not a change
    if re.search(r"\b(?:one|ones)$", mention) and not leading:
        # "and a plain one": another of the same product, with these options.
        if _add(turn, product, request.quantity, {**base["options"], **options}, added, problems):
            base.update(_base(turn, request.quantity, len(added) - 1))
        return True
    if base["remaining"] <= 0:
        return False
    wanted = request.quantity if request.quantity_said else base["remaining"]
    _refine(turn, base, options, min(wanted, base["remaining"]))
    added[base["index"]] = _base_description(turn, base)
    return True


def _with_synonyms(turn: Turn, mention: str) -> str:
    """'a skinny latte' -> 'a skim latte', 'a big hot chocolate' -> 'a large hot chocolate',
    when the catalog offers that option value and does not use the word itself."""
    index = catalog_index(turn.session)
    words = []
    for word in mention.split():
        synonym = lang.OPTION_SYNONYMS.get(word)
        if synonym and word not in index.postings and synonym in index.option_vocabulary:
            word = synonym
        words.append(word)
    return " ".join(words)


def _known_words(turn: Turn, mention: str) -> bool:
    """Whether every word of a mention is a word this catalog uses (names, aliases, options):
    'a coffee' is, 'purple monkey dishwasher' is not."""
    index = catalog_index(turn.session)
    words = tokens(_with_synonyms(turn, mention))
    return bool(words) and all(
        w in index.postings or w in index.option_vocabulary or w in OPTION_FILLER for w in words
    )


def _base(turn: Turn, quantity: int, index: int) -> dict:
    last = turn.slot("last_item")
    return {"sku": last["sku"], "options": dict(last["options"]), "remaining": quantity,
            "index": index, "parts": []}  # fmt: skip


def _refine(turn: Turn, base: dict, options: dict[str, str], quantity: int) -> None:
    """Moves `quantity` of the item just added to other options: 'two collars, one blue ...'."""
    product = _product(turn, base["sku"])
    new, _ = carts.complete_options(product, {**base["options"], **options})
    if new != base["options"]:
        cart = carts.get_cart(turn.session, customer_id=turn.customer_id)
        line = next(
            (i for i in cart.items if i.sku == base["sku"] and i.options == base["options"]), None
        )
        if line is not None:
            carts.set_quantity(
                turn.session,
                customer_id=turn.customer_id,
                sku=base["sku"],
                quantity=line.quantity - quantity,
                options=base["options"],
            )
            carts.add_to_cart(turn.session, customer_id=turn.customer_id, sku=base["sku"],
                              quantity=quantity, options=new)  # fmt: skip
    base["remaining"] -= quantity
    base["parts"].append((quantity, new))
    turn.set("last_item", {"sku": base["sku"], "options": new, "quantity": quantity})


def _base_description(turn: Turn, base: dict) -> str:
    product = _product(turn, base["sku"])
    parts: list[tuple[int, dict]] = []
    if base["remaining"]:
        parts.append((base["remaining"], base["options"]))
    for quantity, options in base["parts"]:
        same = next((i for i, (_, o) in enumerate(parts) if o == options), None)
        if same is None:
            parts.append((quantity, options))
        else:
            parts[same] = (parts[same][0] + quantity, options)
    lines = [wording.ItemLine(q, product.name, product.unit, o, product.option_groups())
             for q, o in parts]  # fmt: skip
    return lang.join_words(wording.describe_lines(lines, say_defaults=True))


def _named_products(turn: Turn) -> bool:
    """Whether the words name catalog products (an order, whatever the classifier said)."""
    named = [r for r in lang.split_items(_without_name(turn)) if r.mention]
    products = [r for r in named if _names_product(turn, r.mention)]
    # "a bed for my dog, big": option words may follow a product.
    rest = [r for r in named if r not in products]
    return bool(products) and all(_known_words(turn, r.mention) for r in rest)


def _names_product(turn: Turn, mention: str) -> bool:
    """A mention that clearly names catalog products (one, or several to choose from)."""
    candidates = resolve_mention(turn.session, mention=_with_synonyms(turn, mention))
    return bool(candidates) and (candidates[0].score >= 0.75 or _known_words(turn, mention))


def _without_name(turn: Turn) -> str:
    """The shopper's words without the assistant's name: "hi rosa, a latte" -> "hi, a latte"."""
    name = turn.store.assistant_name
    if not name or name == "the assistant":
        return turn.text
    return re.sub(rf"\b{re.escape(name)}\b", " ", turn.text, flags=re.IGNORECASE)


def _candidates_for(turn: Turn, request: lang.ItemRequest) -> tuple[list[Candidate], int]:
    """Candidates for a request, and how many to add."""
    candidates = resolve_mention(turn.session, mention=request.mention)
    if request.quantity_said and request.said and tokens(request.said) != tokens(request.mention):
        # "half a dozen eggs", "six eggs": the words may be a product's own name (a box of
        # six) rather than six of "eggs". An exact name match, quantity included, wins.
        whole = resolve_mention(turn.session, mention=request.said)
        if whole and whole[0].score == 1.0 and pick(whole).best is not None:
            return whole[:1], 1
    return candidates, request.quantity


def _say_added(
    turn: Turn,
    added: list[str],
    problems: list[str],
    end: str = "default",
    changed: list[str] | None = None,
) -> None:
    parts = []
    if changed:
        parts.append(f"Okay, changed to {lang.join_words(changed)}.")
    if added:
        parts.append(f"Added {wording.join_items(added)}.")
    parts.extend(problems)
    if end == "default" and (added or changed) and not turn.slot("pending"):
        parts.append("Anything else?")
    if parts:
        turn.say(" ".join(parts))


def choose(turn: Turn) -> None:
    """The answer to "which one?"; anything else is treated as a new request."""
    pending = turn.slot("pending") or {}
    if pending.get("kind") != "choose_product":
        add_items(turn)
        return
    sku = _resolve_in(turn, turn.text, pending["skus"])
    if sku is None:
        if lang.is_no(turn.text):
            turn.set("pending", None)
            turn.say("Okay, I'll leave that out. Anything else?")
            return
        turn.say(f"Sorry, which one: {_candidates_text(turn, pending['skus'])}?")
        return
    turn.set("pending", None)
    product = _product(turn, sku)
    options = dict(pending.get("options") or {})
    extra = catalog_index(turn.session).search(turn.text, limit=MAX_CHOICES * 2)
    for candidate in extra:
        if candidate.sku == sku:
            options.update(candidate.options)
    replaced = pending.get("replace")
    quantity = int(pending.get("quantity", 1))
    if replaced:
        # "actually make the pasta ..." answered: the new product takes the old one's place.
        if replaced == sku:
            carts.set_quantity(turn.session, customer_id=turn.customer_id, sku=sku,
                               quantity=quantity)  # fmt: skip
            turn.say(f"Okay, {_describe(product, quantity)} now.")
            return
        old = _product(turn, replaced)
        carts.remove_from_cart(turn.session, customer_id=turn.customer_id, sku=replaced)
        added: list[str] = []
        problems: list[str] = []
        if _add(turn, product, quantity, options, added, problems):
            turn.say(f"Okay, swapped {lang.spoken_name(old.name)} for {added[0]}.")
        else:
            turn.say(" ".join(problems) + f" I've taken {lang.spoken_name(old.name)} out.")
        return
    added = []
    problems = []
    _add(turn, product, int(pending.get("quantity", 1)), options, added, problems)
    rest = [lang.ItemRequest(**r) for r in pending.get("rest", [])]
    if rest:
        add_items(turn, rest, added=added, problems=problems)
    else:
        _say_added(turn, added, problems)


# --------------------------------------------------------------------------- corrections


CORRECTION_LEAD = re.compile(
    r"^(?:(?:no|nope|sorry|actually|oops|wait|oh|hmm|um|uh|ah|hang on|hold on|ok|okay|so|and|"
    r"also|then|but|"
    r"please|i mean|i meant|i said|i wanted|i want|i'd like|can you|could you|can i|could i|"
    r"let's|just|make (?:it|that|those|them|this)|change (?:it|that|those|them|this)(?: to)?|"
    r"switch (?:it|that|those|them)(?: to)?|instead|rather)\b[\s,]*)+"
)
# "the size of", "the quantity of": the part of an item being changed, not the item.
ASPECT = re.compile(
    r"^(?:the )?(?:size|quantity|number|amount|count|milk|colou?r|flavou?r|grind|option)s?"
    r"(?: of)?(?: (?:the|my))?\b\s*"
)
CHANGE_FILLER = re.compile(
    r"\b(?:instead|please|then|too|in my cart|in the cart|in my basket|for me|of those|of them|"
    r"of that|of it)\b"
)


def _correction_body(text: str) -> str:
    body = CORRECTION_LEAD.sub("", lang.normalise(text)).strip(" ,")
    body = re.sub(r"\b(?:instead|please|then|too|in my cart|in the cart|in my basket|for me)\b",
                  " ", body)  # fmt: skip
    return re.sub(r"\s+", " ", body).strip(" ,")


def _cart_target(turn: Turn, mention: str, skus: list[str], strict: bool) -> str | None:
    """The cart item a shopper names ("the croissants", "the second one"), or None."""
    mention = re.sub(r"^(?:the|my|those|that|these|this|a|an)\s+", "", mention.strip(" ,"))
    if not mention or not tokens(mention) and lang.find_ordinal(mention) is None:
        return None
    if all(w in lang.NUMBER_WORDS or w.isdigit() for w in mention.split()):
        return None  # "6 instead of 4": numbers, not items
    ordinal = lang.find_ordinal(mention)
    ordinal_words = "|".join(lang.ORDINALS)
    if ordinal is not None and re.fullmatch(
        rf"(?:the )?(?:{ordinal_words})(?: one| item| thing| product)?", mention
    ):
        return skus[ordinal] if -len(skus) <= ordinal < len(skus) else None
    if ordinal is not None:
        # "remove one collar first": "first" is not a position here.
        mention = re.sub(rf"\b(?:{ordinal_words})\b", " ", mention).strip()
        if not tokens(mention):
            return None
    # "the whole milk" when only oat milk is in the cart names a product that is not there.
    elsewhere = pick(resolve_mention(turn.session, mention=mention))
    if elsewhere.best is not None and elsewhere.best.score >= 0.8:
        return elsewhere.best.sku if elsewhere.best.sku in skus else None
    scores = catalog_index(turn.session).scores_for(mention, skus)
    best = max(scores.values(), default=0.0)
    if best <= 0 or (strict and best < 0.5):
        return None
    winners = [sku for sku, score in scores.items() if score == best]
    return winners[0] if len(winners) == 1 else None


def _split_correction(turn: Turn, body: str, skus: list[str]) -> tuple[str | None, str]:
    """'tomatoes not spinach' -> (SPINACH, 'tomatoes'); 'make the eggs two' -> (EGGS, 'two');
    'three' -> (None, 'three'): which cart item changes (None: the last one) and to what."""
    patterns = (
        r"^not (?:the )?(?P<old>[^,]+), (?:but |i want |i meant |i mean )?(?P<new>.+)$",
        r"^(?P<new>.+?),? (?:and )?not (?:the )?(?P<old>.+)$",
        r"^(?P<new>.+?) (?:instead of|rather than|in place of) (?:the )?(?P<old>.+)$",
        r"^(?:swap|switch|change|replace|make|update|turn|put) (?:the )?(?P<old>.+?) "
        r"(?:to|into|for|with|as) (?P<new>.+)$",
        r"^(?:the )?(?P<old>.+?) (?:to|into|should be|as) (?P<new>.+)$",
    )
    for pattern in patterns:
        m = re.match(pattern, body)
        if not m:
            continue
        old, new = m.group("old").strip(" ,"), m.group("new").strip(" ,")
        aspect = ASPECT.sub("", old) if ASPECT.match(old) else old
        target = _cart_target(turn, aspect, skus, strict=True)
        if target is not None:
            return target, new
        if not aspect or lang.find_number(old) is not None and not tokens(old):
            return None, new
    # "make the spaghetti penne", "make the eggs two": the first words name a cart item;
    # "make two of the lattes large": some of them.
    m = re.match(r"^(?:make|change|switch|swap|turn|have) (?:the |my )?(?P<rest>.+)$", body)
    if m:
        some = ""
        rest = m.group("rest")
        part = re.match(r"^(\S+) of (?:the |my |those |these |them )?(.+)$", rest)
        if part and lang.find_number(part.group(1)) is not None:
            some, rest = f"{part.group(1)} of them ", part.group(2)
        words = rest.split()
        for k in range(1, len(words)):
            target = _cart_target(turn, " ".join(words[:k]), skus, strict=True)
            if target is not None:
                return target, some + " ".join(words[k:])
        return None, m.group("rest")
    return None, body


def change_item(turn: Turn) -> None:
    """'no, three', 'actually make it oat milk', 'sorry, I meant the large',
    'change the croissants to four', 'I meant tomatoes not spinach'."""
    cart = carts.get_cart(turn.session, customer_id=turn.customer_id)
    if not cart.items:
        add_items(turn)
        return
    skus = list(dict.fromkeys(i.sku for i in cart.items))
    body = _correction_body(turn.text)
    target_sku, new = _split_correction(turn, body, skus)
    last = turn.slot("last_item")
    if target_sku is None:
        target_sku = last["sku"] if last and last["sku"] in skus else cart.items[-1].sku
    _apply_change(turn, cart, target_sku, new)


def _change_quantity(text: str, current: int) -> tuple[int | None, str]:
    """'three of those' -> (3, ''), 'a dozen' -> (12, ''), 'double it' -> (2 x current, ''),
    'the large one' -> (None, 'large')."""
    text = re.sub(r"^(?:just|only|to)\s+", "", text.strip())
    if re.match(r"^(?:double|twice)\b", text):
        return current * 2, ""
    number, rest, _more = lang.parse_quantity(text)
    rest = CHANGE_FILLER.sub(" ", rest)
    rest = re.sub(r"^(?:the|a|an|some)\s+", "", rest.strip())
    rest = re.sub(r"\s*\b(?:one|ones)$", "", rest).strip(" ,")
    if rest in lang.REFERENCES or lang.BARE_CONTAINER.fullmatch(rest):
        rest = ""
    rest = lang.CONTAINER.sub("", rest)
    if rest in ("of", "more"):
        rest = ""
    return number, rest


def _apply_change(turn: Turn, cart: carts.CartView, target_sku: str, new: str) -> None:
    product = _product(turn, target_sku)
    have = _quantity_in_cart(cart, target_sku)
    number, remainder = _change_quantity(new, have)
    line = next(i for i in reversed(cart.items) if i.sku == target_sku)
    if remainder:
        options = _options_for(product, remainder)
        if not options:
            choice = pick(resolve_mention(turn.session, mention=remainder))
            if (
                choice.best is not None
                and choice.best.sku == target_sku
                and not number
                and (not choice.best.options)
            ):
                turn.say(f"You have {_describe(product, have, line.options)}. "
                         "What would you like to change?")  # fmt: skip
                return
            if choice.best is not None and choice.best.sku == target_sku and choice.best.options:
                options = choice.best.options  # "make it a large latte"
            elif choice.best is not None and choice.best.sku != target_sku:
                if number and choice.best.sku in cart.quantities:
                    # "make that three bags of rice": the rice already in the cart changes.
                    _apply_change(turn, cart, choice.best.sku, lang.number_words(number))
                    return
                _swap(turn, product, choice.best, number or have)
                return
            elif choice.alternatives:
                skus = [c.sku for c in choice.alternatives[:MAX_CHOICES]]
                turn.set("pending", {"kind": "choose_product", "skus": skus,
                                     "quantity": number or have, "options": {}, "rest": [],
                                     "replace": product.sku})  # fmt: skip
                turn.say(f"Which one do you mean: {_candidates_text(turn, skus)}?")
                return
            elif choice.best is None:
                turn.say(f"Sorry, I couldn't find {remainder}. You still have "
                         f"{_describe(product, have, line.options)}.")  # fmt: skip
                return
        if (
            options
            and number
            and number < line.quantity
            and re.search(r"\bof (?:them|those|these|the|my)\b", new)
        ):
            # "make one of them oat": that many get the new options, the rest stay.
            carts.set_quantity(turn.session, customer_id=turn.customer_id, sku=product.sku,
                               quantity=line.quantity - number, options=line.options)  # fmt: skip
            try:
                item = carts.add_to_cart(turn.session, customer_id=turn.customer_id,
                                         sku=product.sku, quantity=number,
                                         options={**line.options, **options})  # fmt: skip
            except OutOfStock:
                carts.set_quantity(turn.session, customer_id=turn.customer_id, sku=product.sku,
                                   quantity=line.quantity, options=line.options)  # fmt: skip
                turn.say("Sorry, we don't have enough of those.")
                return
            turn.set("last_item", {"sku": product.sku, "options": item.options,
                                   "quantity": number})  # fmt: skip
            split = [(product.sku, number, item.options),
                     (product.sku, line.quantity - number, line.options)]  # fmt: skip
            turn.say(f"Okay, {lang.join_words(_item_lines(turn, split))}.")
            return
        if options:
            item = carts.change_options(
                turn.session, customer_id=turn.customer_id, sku=product.sku, options=options
            )
            quantity = item.quantity
            if number and number != item.quantity:
                try:
                    carts.set_quantity(
                        turn.session,
                        customer_id=turn.customer_id,
                        sku=product.sku,
                        quantity=number,
                        options=item.options,
                    )
                    quantity = number  # fmt: skip
                except OutOfStock as exc:
                    turn.say(f"Sorry, we only have {lang.number_words(exc.available)} "
                             f"{lang.spoken_name(product.name)}.")  # fmt: skip
            turn.set("last_item", {"sku": product.sku, "options": item.options,
                                   "quantity": quantity})  # fmt: skip
            turn.say(f"Okay, changed to {_describe(product, quantity, item.options)}.")
            return
    if not number:
        not_understood(turn)
        return
    try:
        carts.set_quantity(
            turn.session, customer_id=turn.customer_id, sku=product.sku, quantity=number
        )
    except OutOfStock as exc:
        turn.say(
            f"Sorry, we only have {lang.number_words(exc.available)} "
            f"{lang.spoken_name(product.name)}."
        )
        return
    turn.set("last_item", {"sku": product.sku, "options": line.options, "quantity": number})
    turn.say(f"Okay, {_describe(product, number, line.options)} now.")


def _swap(turn: Turn, old: Product, new: Candidate, quantity: int) -> None:
    """Replaces a cart item with another product, keeping the quantity."""
    carts.remove_from_cart(turn.session, customer_id=turn.customer_id, sku=old.sku)
    added: list[str] = []
    problems: list[str] = []
    if _add(turn, _product(turn, new.sku), quantity, new.options, added, problems):
        turn.say(f"Okay, swapped {lang.spoken_name(old.name)} for {added[0]}.")
    else:
        turn.say(" ".join(problems) + f" I've taken {lang.spoken_name(old.name)} out.")


def _quantity_in_cart(cart: carts.CartView, sku: str) -> int:
    return cart.quantities.get(sku, 1)


OPTION_FILLER = frozenset({"with", "in", "size", "and", "please", "one", "ones", "the", "a", "an"})


def _options_for(product: Product, text: str) -> dict[str, str]:
    """Option values a correction names ("large", "oat milk", "whole bean"), or {} when it
    says anything else."""
    groups = product.option_groups()
    chosen: dict[str, str] = {}
    words = tokens(text)
    for group, values in groups.items():  # multi-word values first: "whole bean"
        for value in values:
            value_words = tokens(value)
            n = len(value_words)
            if n > 1:
                for i in range(len(words) - n + 1):
                    if words[i : i + n] == value_words:
                        chosen[group] = value
                        words = words[:i] + words[i + n :]
                        break
    group_words = {tok for g in groups for tok in tokens(g)}
    for word in words:
        for candidate in (word, lang.OPTION_SYNONYMS.get(word)):
            hit = next(
                (
                    (g, v)
                    for g, values in groups.items()
                    for v in values
                    if tokens(v) == [candidate]
                ),
                None,
            )
            if hit is not None:
                chosen[hit[0]] = hit[1]
                break
        else:
            if word not in group_words and word not in OPTION_FILLER:
                return {}
    return chosen


def remove_item(turn: Turn) -> None:
    cart = carts.get_cart(turn.session, customer_id=turn.customer_id)
    if not cart.items:
        turn.say("Your cart is already empty.")
        return
    body = lang.normalise(turn.text)
    body = re.sub(
        r"\b(?:please|can you|could you|i don't want|i do not want|don't want|i don't need|"
        r"i do not need|don't need|no longer want|remove|delete|take (?:out|off|away)|take|away|"
        r"drop|get rid of|cancel|forget|lose|scratch|i(?:'ve)? changed my mind(?: about)?|"
        r"from (?:my|the) (?:cart|basket|order|list)|out of (?:my|the) (?:cart|basket|order)|"
        r"off (?:my|the) (?:cart|list|order|basket)|the|my|actually|no more|any more|anymore|"
        r"out|off|of|sorry|oh|um|uh|and|also|too|as well|just|i added|added|i|okay|ok|then|"
        r"wait|no)\b",
        " ",
        body,
    )
    number = lang.find_number(body)
    mention = re.sub(r"\b(\d+|" + "|".join(lang.NUMBER_WORDS) + r"|an?)\b", " ", body)
    mention = " ".join(mention.split()).strip(" ,")
    skus = list(dict.fromkeys(i.sku for i in cart.items))
    if mention in ("", "it", "that", "those", "them", "this", "these", "last", "last item",
                   "last thing", "last one", "that one", "this one", "those ones"):  # fmt: skip
        last = turn.slot("last_item")
        sku = last["sku"] if last and last["sku"] in skus else cart.items[-1].sku
    else:
        sku = _cart_target(turn, mention, skus, strict=False)
    if sku is None:
        turn.say(f"Sorry, I don't see {mention} in your cart.")
        return
    product = _product(turn, sku)
    have = cart.quantities[sku]
    if number and number < have:
        # Take them from the most recently added line(s) of that product.
        left = number
        for line in reversed([i for i in cart.items if i.sku == sku]):
            if left <= 0:
                break
            take = min(left, line.quantity)
            carts.set_quantity(turn.session, customer_id=turn.customer_id, sku=sku,
                               quantity=line.quantity - take, options=line.options)  # fmt: skip
            left -= take
        remaining = _item_lines(turn, [
            (i.sku, i.quantity, i.options)
            for i in carts.get_cart(turn.session, customer_id=turn.customer_id).items
            if i.sku == sku
        ])  # fmt: skip
        turn.say(f"Okay, {lang.join_words(remaining)} left in your cart.")
        return
    carts.remove_from_cart(turn.session, customer_id=turn.customer_id, sku=sku)
    last = turn.slot("last_item")
    if last and last["sku"] == sku:
        turn.set("last_item", None)
    summary, _ = _cart_summary(turn)
    then = f" You still have {summary}." if summary else " Your cart is now empty."
    turn.say(f"Removed the {lang.spoken_name(product.name)}.{then}")


CART_CUE = re.compile(
    r"\b(?:cart|basket|total|owe|so far|come to|comes to|altogether|all together|added|ordered|"
    r"what have i|what did i|have i got|read|repeat|list|go over|go through|damage|running|"
    r"everything|my order|the order|how much is it|how much is that|what's in|what is in|"
    r"show me)\b"
)


def view_cart(turn: Turn) -> None:
    if not CART_CUE.search(lang.normalise(turn.text)) and _redirect(turn):
        not_understood(turn)  # "how do i bake bread" is not a question about the cart
        return
    summary, subtotal = _cart_summary(turn)
    if not summary:
        turn.say("Your cart is empty. What would you like?")
        return
    turn.say(f"You have {summary}. That comes to {turn.money(subtotal)}.")


EMPTY_WORDS = re.compile(
    r"\b(?:empty|clear|start|reset|wipe|remove|delete|take|get rid|throw|scrap|cancel|"
    r"drop|out|over|again|scratch|restart|fresh)\b"
)


def empty_cart(turn: Turn) -> None:
    if not EMPTY_WORDS.search(lang.normalise(turn.text)) and _redirect(turn):
        # "an everything bagel" is an order, whatever the classifier made of "everything".
        if _named_products(turn):
            add_items(turn)
            return
    summary, _ = _cart_summary(turn)
    if not summary:
        turn.say("Your cart is already empty.")
        return
    turn.set("pending", {"kind": "confirm_empty"})
    turn.say(f"You have {summary}. Shall I empty your cart? Please say yes or no.")


# --------------------------------------------------------------------------- checkout


def _wants_delivery(text: str) -> bool | None:
    text = lang.normalise(text)
    if re.search(r"\b(deliver|delivered|delivery|bring it|send it|ship)\b", text):
        return True
    if re.search(r"\b(pick ?up|pick it up|collect|collection|come get|in store)\b", text):
        return False
    return None


def _default_fulfilment(turn: Turn) -> str:
    chosen = turn.slot("fulfilment")
    if chosen:
        return chosen
    return "pickup" if turn.store.fulfilment.pickup else "delivery"


def checkout(turn: Turn, *, intro: str = "", again: bool = False) -> None:
    """Reads the order back (items, total, fee) and asks for a yes; `again` after the shopper
    changed the cart while a read-back was waiting for an answer."""
    if (
        not intro
        and not again
        and _order_number(turn.text) is not None
        and not re.search(
            r"\b(?:check ?out|place|pay|done|finish|submit|complete)\b", lang.normalise(turn.text)
        )
        and _redirect(turn)
    ):
        order_status(turn)  # "what about order one?"
        return
    wants = _wants_delivery(turn.text)
    if wants is not None:
        turn.set("fulfilment", "delivery" if wants else "pickup")
    fulfilment = _default_fulfilment(turn)
    if fulfilment == "delivery" and not turn.store.fulfilment.delivery:
        turn.say(f"Sorry, {turn.store.name} doesn't deliver, so this will be for pickup.")
        fulfilment = "pickup"
        turn.set("fulfilment", fulfilment)
    summary, subtotal = _cart_summary(turn)
    if not summary:
        turn.set("pending", None)
        turn.say("Your cart is empty. What would you like to order?")
        return
    quote = orders.quote(turn.session, customer_id=turn.customer_id, fulfilment=fulfilment)
    if purchase.purchasing_locked(turn) or purchase.over_spending_limit(turn, quote["total"]):
        return
    parts = [intro] if intro else []
    parts.append(f"Your order is {'now ' if again else ''}{summary}.")
    if fulfilment == "delivery":
        fee = quote["delivery_fee"]
        fee_text = f"a {turn.money(fee)} delivery fee" if fee else "free delivery"
        parts.append(f"That's {turn.money(quote['total'])} including {fee_text}.")
    else:
        parts.append(f"That's {turn.money(quote['total'])}, for pickup.")
        if turn.store.fulfilment.delivery and not again and not turn.slot("fulfilment"):
            parts.append("Say delivery if you'd like it delivered.")
    parts.append("Shall I place the order? Please confirm.")
    turn.set(
        "pending", {"kind": "confirm_checkout", "fulfilment": fulfilment, "total": quote["total"]}
    )
    turn.say(" ".join(parts))


def choose_fulfilment(turn: Turn) -> None:
    wants = _wants_delivery(turn.text)
    if wants is None:
        turn.say("Would you like pickup or delivery?")
        return
    if wants and not turn.store.fulfilment.delivery:
        turn.say(f"Sorry, {turn.store.name} doesn't deliver; orders are for pickup.")
        return
    turn.set("fulfilment", "delivery" if wants else "pickup")
    cart = carts.get_cart(turn.session, customer_id=turn.customer_id)
    if cart.items:
        checkout(turn)
    else:
        turn.say(f"Okay, {turn.slot('fulfilment')} it is. What would you like?")


def _place(turn: Turn, pending: dict) -> None:
    try:
        order = orders.checkout(
            turn.session,
            customer_id=turn.customer_id,
            fulfilment=pending["fulfilment"],
            expected_total_cents=pending.get("total"),
            idempotency_key=pending.get("key"),
            now=turn.now,
        )
    except SpendingLimitExceeded as exc:
        purchase.hand_off_over_limit(turn, exc)
        return
    except PriceChanged:
        turn.set("pending", None)
        checkout(turn, intro="Prices changed since I read your order back.")
        return
    except OutOfStock as exc:
        turn.set("pending", None)
        turn.say(
            f"Sorry, I couldn't place it: {exc.message.split(';')[0]} "
            "Your cart is unchanged; you could change that item and check out again."
        )
        return
    turn.set("pending", None)
    turn.set("fulfilment", None)
    turn.set("last_item", None)
    when = ""
    minutes = turn.store.fulfilment.typical_delivery_minutes
    if order.fulfilment == "delivery" and minutes:
        when = f" It should arrive in about {lang.number_words(minutes)} minutes."
    elif order.fulfilment == "pickup":
        when = " We'll have it ready for pickup."
    turn.say(
        f"Done! Order number {order.id} is placed, {turn.money(order.total_cents)} in total.{when}"
    )


# --------------------------------------------------------------------------- yes and no


def affirm(turn: Turn) -> None:
    pending = turn.slot("pending") or {}
    kind = pending.get("kind")
    if kind == "confirm_checkout":
        rest = re.sub(
            r"^(?:(?:yes|yeah|yep|yup|sure|ok|okay|please|go ahead|do it|place it|confirm)\b"
            r"[\s,]*)+",
            "",
            lang.normalise(turn.text),
        )
        if re.match(r"^(?:and|but|also|plus|just)\b", rest) and rest.split(" ", 1)[1:]:
            # "yes, and add a lemon": change the cart first, then read the order back again.
            before = _cart_state(turn)
            edit = lang.normalise(rest.split(" ", 1)[1])
            turn.text = edit
            if re.search(r"\b(?:remove|take|drop|delete|without|no)\b", edit):
                remove_item(turn)
            else:
                add_items(turn)
            if _cart_state(turn) != before:
                checkout(turn, again=True)
            else:
                turn.set("pending", None)
            return
        if not purchase.before_placing(turn, pending):  # spoken over, limits, voice PIN
            _place(turn, pending)
    elif kind == "confirm_empty":
        carts.clear_cart(turn.session, customer_id=turn.customer_id)
        turn.set("pending", None)
        turn.set("last_item", None)
        turn.say("Your cart is empty now.")
    elif kind == "confirm_cancel":
        turn.set("pending", None)
        try:
            order = orders.cancel_order(
                turn.session,
                order_id=pending["order_id"],
                customer_id=turn.customer_id,
                changed_by=f"shopper:{turn.customer_id}",
            )
        except CommerceError as exc:
            turn.say(f"Sorry, I couldn't cancel it: {exc.message}.")
            return
        turn.say(f"Order number {order.id} is cancelled.")
    elif kind == "suggest":
        turn.set("pending", None)
        added: list[str] = []
        problems: list[str] = []
        _add(turn, _product(turn, pending["sku"]), int(pending.get("quantity", 1)), {}, added,
             problems)  # fmt: skip
        _say_added(turn, added, problems)
    elif kind == "choose_product":
        choose(turn)
    elif re.search(r"\b(?:place|order|check ?out|buy|pay)\b", lang.normalise(turn.text)) and (
        carts.get_cart(turn.session, customer_id=turn.customer_id).items
    ):
        # "yes, place it" after the read-back was interrupted: read it back again first.
        checkout(turn)
    elif _named_products(turn) and _redirect(turn):
        add_items(turn)  # the classifier's guess for "fifty toothbrush heads please"
    else:
        turn.say("Okay. What can I get you?")


REFUSAL = re.compile(
    r"\b(?:thanks|thank you|cheers|i'm good|i am good|i'm fine|i'm okay|i'm ok|not now|not yet|"
    r"not really|not at all|no way|don't|do not|dont|place it|cancel it|keep it|leave it|"
    r"as it is|that's wrong|that's not right|that's incorrect|i changed my mind|i've changed my "
    r"mind|i don't think so|definitely not|forget it|never ?mind|do that|that's all|that's it|"
    r"it|that|this|those|them|the order|my order|all|please|for now|yet|thing|one|not|no|nope|"
    r"nah)\b"
)
CORRECTION_CUE = re.compile(
    r"\b(?:i meant|i mean|i said|instead|make it|make that|make them|change|swap|switch|rather|"
    r"should be)\b"
)


def _is_correction(turn: Turn, text: str) -> bool:
    """'no, three', 'no, I meant the large', 'no wait, tomatoes not spinach' correct the last
    item; 'no thanks', 'no, keep it', 'not yet' only refuse."""
    normal = lang.normalise(text)
    body = re.sub(r"\s+", " ", REFUSAL.sub(" ", _correction_body(text))).strip(" ,")
    if not body:
        return False
    if lang.find_number(body) is not None or CORRECTION_CUE.search(normal):
        return True
    last = turn.slot("last_item")
    if last and _options_for(_product(turn, last["sku"]), body):
        return True
    candidates = resolve_mention(turn.session, mention=body)
    return bool(candidates) and candidates[0].score >= 0.6


def _in_cart_only(turn: Turn, mention: str) -> bool:
    """Whether the words name exactly a product that is in the cart (and nothing else)."""
    choice = pick(resolve_mention(turn.session, mention=mention))
    cart = carts.get_cart(turn.session, customer_id=turn.customer_id)
    return (
        choice.best is not None
        and choice.best.score >= 0.8
        and not choice.best.options
        and choice.best.sku in cart.quantities
    )


def deny(turn: Turn) -> None:
    pending = turn.slot("pending") or {}
    kind = pending.get("kind")
    if (
        kind not in ("confirm_cancel", "choose_product")
        and re.search(
            r"\b(?:don't|do not|no longer) (?:want|need)\b|\b(?:remove|take out)\b",
            lang.normalise(turn.text),
        )  # fmt: skip
        and _named_products(turn)
        and carts.get_cart(turn.session, customer_id=turn.customer_id).items
        and _redirect(turn)
    ):
        remove_item(turn)  # "I don't need the bowl"
        return
    body = _correction_body(turn.text)
    if (
        kind not in ("confirm_cancel", "choose_product")
        and re.match(
            r"^(?:(?:actually|oh|wait|sorry|um|hmm)[\s,]+)*no (?:more )?\w",
            lang.normalise(turn.text),
        )  # fmt: skip
        and body
        and lang.find_number(body) is None
        and not CORRECTION_CUE.search(lang.normalise(turn.text))
        and _in_cart_only(turn, body)
        and _redirect(turn)
    ):
        remove_item(turn)  # "actually, no filter"
        return
    last = turn.slot("last_item")
    if (
        not kind
        and re.match(
            r"^(?:(?:no|oh|oops|wait|sorry)[\s,]+)*(?:cancel|scratch|undo|remove) "
            r"(?:that|it)$|^undo$",
            lang.normalise(turn.text),
        )  # fmt: skip
        and last
        and last["sku"] in carts.get_cart(turn.session, customer_id=turn.customer_id).quantities
        and _redirect(turn)
    ):
        remove_item(turn)  # "cancel that" right after adding something takes it back out
        return
    if (
        not kind
        and re.match(
            r"^(?:(?:no|oh|ok|okay|then|please|actually)[\s,]+)*cancel (?:it|that|the order)\b",
            lang.normalise(turn.text),
        )
        and _redirect(turn)
    ):
        cancel_order(turn)  # "cancel it" after hearing where an order is: that order
        return
    if kind == "choose_product" and _resolve_in(turn, turn.text, pending["skus"]):
        choose(turn)  # "no, the oat one"
        return
    if kind != "confirm_cancel" and _is_correction(turn, turn.text):
        cart = carts.get_cart(turn.session, customer_id=turn.customer_id)
        if kind not in ("confirm_checkout",):
            turn.set("pending", None)
        if cart.items:
            change_item(turn)
        else:
            add_items(turn)
        return
    turn.set("pending", None)
    if kind == "confirm_checkout":
        turn.say("Okay, I haven't placed the order. Your cart is still there.")
    elif kind == "confirm_empty":
        turn.say("Okay, I'll keep your cart as it is.")
    elif kind == "confirm_cancel":
        turn.say("Okay, your order stays as it is.")
    elif kind == "choose_product":
        turn.say("Okay, I'll leave that out. Anything else?")
    elif kind == "suggest":
        turn.say("No problem. Anything else?")
    else:
        turn.say("Okay. Anything else I can help with?")


# --------------------------------------------------------------------------- questions


QUESTION_CUE = (
    r"\?|\b(?:how|what|what's|whats|which|who|why|when|where|is|are|does|do|did|can you tell|"
    r"tell me|describe|price|cost|stock|available|any left|have you got)\b"
)
CART_WORDS = frozenset(
    "all together altogether total everything so far that it in my the cart basket order "
    "come comes to owe this lot whole".split()
)  # fmt: skip


def product_info(turn: Turn) -> None:
    if _superlative(turn):
        return
    text = lang.normalise(turn.text)
    if (
        not re.search(QUESTION_CUE, text)
        and lang.strip_request_words(text) != text.strip(" ,")
        and _redirect(turn)
    ):
        add_items(turn)  # "I'll have the salmon pouches" is an order, not a question
        return
    mention = _mention_from_question(turn.text)
    if mention in lang.REFERENCES or mention in ("they", "those ones", "the one", "one"):
        mention = ""  # "is it in stock?": the product just talked about
    words = set(re.split(r"[\s,]+", mention)) - {""}
    if (
        words
        and words <= CART_WORDS
        and words
        & {"all", "together", "altogether", "total", "everything", "cart", "basket", "far"}
    ):
        view_cart(turn)  # "how much is that all together"
        return
    if not mention:
        last = turn.slot("last_item")
        if not last:
            turn.say("Which product would you like to know about?")
            return
        candidates = [Candidate(last["sku"], "", 1.0)]
    else:
        candidates = resolve_mention(turn.session, mention=mention)
    if not candidates:
        if _category_answer(turn, mention):
            return
        if set(tokens(mention)) & {"yourself", "you", "your", "yours", "u"} and _redirect(turn):
            not_understood(turn)  # "tell me about yourself"
            return
        turn.say(f"Sorry, we don't seem to have {mention}.")
        return
    choice = pick(candidates)
    if choice.best is None:
        products = [_product(turn, c.sku) for c in choice.alternatives[:MAX_CHOICES]]
        listed = [
            f"{lang.spoken_name(p.name)} at {turn.money(p.price_cents)}"
            + ("" if p.stock > 0 else ", out of stock")
            for p in products
        ]
        # "the second one, please" can follow.
        turn.set("pending", {"kind": "choose_product", "skus": [p.sku for p in products],
                             "quantity": 1, "options": {}, "rest": []})  # fmt: skip
        turn.say(f"We have {lang.join_words(listed)}.")
        return
    product = _product(turn, choice.best.sku)
    # "Great, two of those": what was just asked about is what "those" means next.
    turn.set("last_item", {"sku": product.sku, "options": choice.best.options, "quantity": 0})
    name = lang.spoken_name(product.name)
    price = turn.money(product.price_cents)
    unit = "" if product.unit in ("each", "") else f" per {product.unit}"
    asks_stock = re.search(r"\b(stock|available|have|any left|sell|got|carry)\b", text)
    asks_what = re.search(r"\b(what is|what's|what are|tell me about|describe|made)\b", text)
    asks_price = re.search(r"\b(how much|price|cost)\b", text)
    asks_options = re.search(
        r"\b(colou?rs?|sizes?|flavou?rs?|options?|kinds?|types?|sorts?|grinds?|come in)\b", text
    )
    choices = _options_text(product)
    parts = []
    if asks_options and choices:
        parts.append(f"The {name} comes in {choices}. It's {price}{unit}.")
        if product.stock <= 0:
            parts.append("It's out of stock right now, though.")
    elif asks_stock and not asks_price:
        if product.stock > 0:
            parts.append(f"Yes, the {name} {lang.is_are(name)} in stock, {price}{unit}.")
        else:
            parts.append(f"Sorry, {name} {lang.is_are(name)} out of stock right now.")
            alternative = _alternative(turn, product)
            if alternative is not None:
                thing = lang.quantity_phrase(1, alternative.name, alternative.unit)
                parts.append(f"We do have {thing}, {turn.money(alternative.price_cents)}.")
                turn.set("pending", {"kind": "suggest", "sku": alternative.sku, "quantity": 1})
                parts.append("Would you like that instead?")
    elif asks_what and not asks_price:
        description = product.description.rstrip(".")
        if description[:2].istitle() or description[:1].isupper() and description[1:2].islower():
            description = description[:1].lower() + description[1:]
        parts.append(f"{name.capitalize()}: {description}.")
        parts.append(f"It's {price}{unit}.")
    else:
        parts.append(f"{name.capitalize()} is {price}{unit}.")
        if choices:
            parts.append(f"It comes in {choices}.")
        if product.stock <= 0:
            parts.append("It's out of stock right now, though.")
    turn.say(" ".join(parts))


def _options_text(product: Product) -> str:
    """'red, blue or black, and small, medium or large' for a product's option groups."""
    groups = []
    for group, values in product.option_groups().items():
        listed = lang.join_words(list(values), "or")
        plain = group in ("size", "color", "colour", "flavor", "flavour")
        groups.append(listed if plain else f"{listed} {group}")
    if len(groups) == 2:
        return f"{groups[0]}, and {groups[1]}"
    return ", ".join(groups)


SUPERLATIVE = re.compile(
    r"\b(?:(?P<low>cheapest|least expensive|lowest priced|cheapest priced|most affordable)|"
    r"(?P<high>most expensive|priciest|dearest|highest priced|fanciest))\b"
)


def _superlative(turn: Turn) -> bool:
    """'what's your cheapest dog food': the lowest (or highest) priced match, in stock."""
    text = lang.normalise(turn.text)
    m = SUPERLATIVE.search(text)
    if not m:
        return False
    rest = SUPERLATIVE.sub(" ", text)
    rest = re.sub(r"\b(?:what's|whats|what is|what are|which is|which|what|your|the|you|have|"
                  r"do|sell|got|one|ones|thing|product|item)\b", " ", rest)  # fmt: skip
    wanted = set(tokens(rest))
    products: list[Product] = []
    if wanted:
        for category in _categories(turn):
            if wanted <= set(tokens(category)) | {"food"} and wanted & set(tokens(category)):
                products += list(turn.session.scalars(
                    select(Product).where(Product.category == category,
                                          Product.active.is_(True))))  # fmt: skip
        if not products:
            for c in resolve_mention(turn.session, mention=rest, limit=10):
                if c.score >= 0.5:
                    products.append(_product(turn, c.sku))
    else:
        products = list(turn.session.scalars(select(Product).where(Product.active.is_(True))))
    products = [p for p in products if p.stock > 0]
    if not products:
        return False
    pick_one = min if m.group("low") else max
    product = pick_one(products, key=lambda p: (p.price_cents, p.name))
    word = "cheapest" if m.group("low") else "most expensive"
    unit = "" if product.unit in ("each", "") else f" per {product.unit}"
    turn.set("last_item", {"sku": product.sku, "options": {}, "quantity": 0})
    turn.say(f"Our {word} is {lang.spoken_name(product.name)}, "
             f"{turn.money(product.price_cents)}{unit}.")  # fmt: skip
    return True


def _categories(turn: Turn) -> list[str]:
    return [
        c
        for c in turn.session.scalars(
            select(distinct(Product.category)).where(Product.active.is_(True))
        )
        if c
    ]


def _category_answer(turn: Turn, mention: str) -> bool:
    wanted = set(tokens(mention))
    if not wanted:
        return False
    scored = []
    for category in _categories(turn):
        words = set(tokens(category))
        if wanted & words:
            scored.append((len(wanted & words) / len(wanted | words), category))
    if not scored:
        return False
    best = max(score for score, _ in scored)
    tied = sorted(category for score, category in scored if score == best)
    if len(tied) > 1:
        turn.say(f"We have {lang.join_words(tied)}. Which would you like to hear about?")
        return True
    category = tied[0]
    products = list(
        turn.session.scalars(
            select(Product)
            .where(Product.category == category, Product.active.is_(True))
            .order_by(Product.name)
        )
    )
    names = [lang.spoken_name(p.name) for p in products[:6]]
    more = f", and {lang.number_words(len(products) - 6)} more" if len(products) > 6 else ""
    turn.say(f"In {category} we have {lang.join_words(names)}{more}.")
    return True


def category_info(turn: Turn) -> None:
    if _superlative(turn):
        return
    mention = _mention_from_question(turn.text)
    mention = re.sub(r"\b(?:do you have|you have|have|sell|in|the|section|aisle|what|got)\b",
                     " ", mention).strip()  # fmt: skip
    categories = {" ".join(tokens(c)): c for c in _categories(turn)}
    if mention and " ".join(tokens(mention)) not in categories:
        # "do you have a scratcher for my cat" names a product, not the cat aisle.
        candidates = resolve_mention(turn.session, mention=mention)
        if (
            candidates
            and candidates[0].score >= 0.9
            and pick(candidates).best is not None
            and _redirect(turn)
        ):
            product_info(turn)
            return
    if mention and _category_answer(turn, mention):
        return
    if mention:
        candidates = resolve_mention(turn.session, mention=mention, limit=6)
        if candidates:
            names = [lang.spoken_name(c.name) for c in candidates]
            turn.say(f"We have {lang.join_words(names)}.")
            return
    turn.say(f"We have {lang.join_words(_categories(turn))}. Which would you like to hear about?")


def _day_asked(turn: Turn) -> tuple[str, str]:
    """(weekday, how to say it) for 'today', 'tomorrow', 'on saturday'."""
    text = lang.normalise(turn.text)
    local = turn.store.local(turn.now)
    for day in WEEKDAYS:
        if re.search(rf"\b{day}s?\b", text):
            return day, f"On {day.capitalize()}"
    if "tomorrow" in text:
        day = WEEKDAYS[(local + timedelta(days=1)).weekday()]
        return day, f"Tomorrow, {day.capitalize()},"
    day = WEEKDAYS[local.weekday()]
    return day, f"Today, {day.capitalize()},"


def ask_hours(turn: Turn) -> None:
    text = lang.normalise(turn.text)
    store = turn.store
    if re.search(r"\b(?:christmas|xmas|new year'?s?|easter|thanksgiving|holidays?|bank holiday|"
                 r"boxing day|independence day|labou?r day|memorial day)\b", text):  # fmt: skip
        phone = f" Please call us on {store.phone} to check." if store.phone else ""
        turn.say(f"I don't have holiday hours, only our regular week.{phone}")
        return
    if re.search(r"\b(right now|now|still open|currently)\b", text) or re.fullmatch(
        r"(?:are|r) you open\??", text
    ):
        local = store.local(turn.now)
        today = WEEKDAYS[local.weekday()]
        hours = store.hours_on(today)
        if store.is_open(turn.now) and hours:
            closes = lang.spoken_time(hours.closes.hour, hours.closes.minute)
            turn.say(f"Yes, we're open now, until {closes} today.")
        else:
            nxt = _next_opening(turn)
            turn.say(f"No, we're closed right now. {nxt}")
        return
    if re.search(r"\b(week|hours|every day|weekdays|weekend)\b", text) and not re.search(
        r"\b(today|tomorrow|" + "|".join(WEEKDAYS) + r")", text
    ):
        turn.say(_week_hours(store))
        return
    day, said = _day_asked(turn)
    hours = store.hours_on(day)
    if hours is None:
        turn.say(f"{said} we're closed.")
        return
    opens = lang.spoken_time(hours.opens.hour, hours.opens.minute)
    closes = lang.spoken_time(hours.closes.hour, hours.closes.minute)
    if re.search(r"\bclose|closing\b", text):
        turn.say(f"{said} we close at {closes}.")
    elif re.search(r"\bopen(?:ing)?\b", text) and re.search(r"\bwhat time|when\b", text):
        turn.say(f"{said} we open at {opens} and close at {closes}.")
    else:
        turn.say(f"{said} we're open from {opens} to {closes}.")


def _week_hours(store: StoreFacts) -> str:
    parts = []
    for day in WEEKDAYS:
        hours = store.hours_on(day)
        if hours is None:
            parts.append(f"{day.capitalize()} closed")
        else:
            opens = lang.spoken_time(hours.opens.hour, hours.opens.minute)
            closes = lang.spoken_time(hours.closes.hour, hours.closes.minute)
            parts.append(f"{day.capitalize()} {opens} to {closes}")
    return "Our hours are: " + "; ".join(parts) + "."


def _next_opening(turn: Turn) -> str:
    local = turn.store.local(turn.now)
    for offset in range(0, 8):
        day_local = local + timedelta(days=offset)
        day = WEEKDAYS[day_local.weekday()]
        hours = turn.store.hours_on(day)
        if hours is None:
            continue
        if offset == 0 and local.time() >= hours.opens:
            continue
        opens = lang.spoken_time(hours.opens.hour, hours.opens.minute)
        when = "today" if offset == 0 else "tomorrow" if offset == 1 else f"on {day.capitalize()}"
        return f"We open {when} at {opens}."
    return ""


def ask_address(turn: Turn) -> None:
    store = turn.store
    if store.address:
        turn.say(f"{store.name} is at {store.address}.")
    else:
        turn.say("Sorry, I don't have the store's address.")


def ask_phone(turn: Turn) -> None:
    store = turn.store
    if store.phone:
        turn.say(f"You can call {store.name} on {store.phone}.")
    else:
        turn.say("Sorry, I don't have a phone number for the store.")


def ask_delivery(turn: Turn) -> None:
    rules = turn.store.fulfilment
    if not rules.delivery:
        turn.say(f"Sorry, {turn.store.name} doesn't deliver. You can pick up your order.")
        return
    fee = turn.money(rules.delivery_fee_cents)
    parts = [f"Delivery is {fee}" if rules.delivery_fee_cents else "Delivery is free"]
    if rules.free_delivery_over_cents is not None:
        parts[0] += f", and free on orders over {turn.money(rules.free_delivery_over_cents)}"
    parts[0] += "."
    if rules.delivery_area:
        parts.append(f"We deliver {rules.delivery_area}.")
    if rules.typical_delivery_minutes:
        parts.append(
            f"It usually takes about {lang.number_words(rules.typical_delivery_minutes)} minutes."
        )
    turn.say(" ".join(parts))


def ask_returns(turn: Turn) -> None:
    if turn.store.returns:
        turn.say(turn.store.returns)
    else:
        turn.say("Please ask the store staff about returns.")


# --------------------------------------------------------------------------- orders


STATUS_WORDS = {
    "placed": "has been placed and is waiting to be prepared",
    "preparing": "is being prepared",
    "ready": "is ready",
    "out_for_delivery": "is out for delivery",
    "delivered": "was delivered",
    "cancelled": "was cancelled",
}


def _when(turn: Turn, moment: datetime) -> str:
    local_now = turn.store.local(turn.now).date()
    local = turn.store.local(orders.aware(moment)).date()
    if local == local_now:
        return "today"
    if local == local_now - timedelta(days=1):
        return "yesterday"
    if local_now - local < timedelta(days=7):
        return WEEKDAYS[local.weekday()].capitalize()
    return f"{local.strftime('%B')} {local.day}"


def _order_asked(turn: Turn, *, cancellable_first: bool = False) -> Order | None:
    number = _order_number(turn.text)
    if number is not None:
        try:
            return orders.get_order(turn.session, order_id=number, customer_id=turn.customer_id)
        except NotFound:
            turn.say(f"Sorry, I can't find an order number {number} for you.")
            return None
    if cancellable_first:
        for order in orders.list_orders(turn.session, customer_id=turn.customer_id, limit=10):
            if order.status in orders.CANCELLABLE:
                return order
    latest = orders.latest_order(turn.session, customer_id=turn.customer_id)
    if latest is None:
        turn.say("You don't have any orders yet.")
    return latest


def _order_items(turn: Turn, order: Order) -> str:
    lines = []
    for line in order.lines:
        product = turn.session.get(Product, line.product_id) if line.product_id else None
        unit = product.unit if product is not None else "each"
        options = dict(line.options or {}) if product is not None else {}
        groups = product.option_groups() if product is not None else {}
        lines.append(wording.ItemLine(line.quantity, line.name, unit, options, groups))
    return lang.join_words(wording.describe_lines(lines))


def order_status(turn: Turn) -> None:
    normal = lang.normalise(turn.text)
    if re.search(r"\b(?:cancel|call off|scrap|stop)\b", normal) and _redirect(turn):
        cancel_order(turn)  # "what about order 2, cancel that one"
        return
    if re.search(r"\b(?:same again|same as|again|reorder|re order|repeat|redo)\b", normal) and (
        _redirect(turn)
    ):
        reorder(turn)  # "the same again as order 1"
        return
    order = _order_asked(turn)
    if order is None:
        return
    status = STATUS_WORDS.get(order.status, order.status.replace("_", " "))
    if order.status == "ready" and order.fulfilment == "pickup":
        status = "is ready for pickup"
    if order.status == "delivered" and order.fulfilment == "pickup":
        status = "was picked up"
    turn.say(
        f"Your order number {order.id} from {_when(turn, order.placed_at)}, "
        f"with {_order_items(turn, order)}, {status}."
    )


def cancel_order(turn: Turn) -> None:
    order = _order_asked(turn, cancellable_first=True)
    if order is None:
        return
    if order.status not in orders.CANCELLABLE:
        reason = {
            "out_for_delivery": "it's already out for delivery",
            "delivered": "it has already been delivered",
            "ready": "it's already packed and ready",
            "cancelled": "it's already cancelled",
        }.get(order.status, f"it's {order.status.replace('_', ' ')}")
        turn.say(f"Sorry, order number {order.id} can't be cancelled because {reason}.")
        return
    turn.set("pending", {"kind": "confirm_cancel", "order_id": order.id})
    when = _when(turn, order.placed_at)
    turn.say(
        f"Order number {order.id} from {when} has {_order_items(turn, order)}, "
        f"{turn.money(order.total_cents)}. Cancel it? Please say yes to confirm."
    )


def _order_number(text: str) -> int | None:
    """'order 2', 'order number two', '#12' -> the order number said, if any."""
    normal = lang.normalise(text)
    m = re.search(r"(?:\border|\bnumber|#)\s*(?:number\s*)?(\d+)\b", normal)
    if m:
        return int(m.group(1))
    m = re.search(r"\border (?:number )?(" + "|".join(lang.NUMBER_WORDS) + r")\b", normal)
    return lang.NUMBER_WORDS[m.group(1)] if m else None


def reorder(turn: Turn) -> None:
    normal = lang.normalise(turn.text)
    usual = bool(re.search(r"\b(usual|regular|always get|normal)\b", normal))
    number = _order_number(turn.text)
    if number is not None:
        try:
            order = orders.get_order(turn.session, order_id=number, customer_id=turn.customer_id)
        except NotFound:
            turn.say(f"Sorry, I can't find an order number {number} for you.")
            return
        items = [orders.ItemSpec(line.sku, line.name, line.quantity, dict(line.options))
                 for line in order.lines]  # fmt: skip
        which = f"Here's order number {number} again."
    elif usual:
        items = orders.usual_items(turn.session, customer_id=turn.customer_id)
        which = "Here's your usual."
    else:
        items = orders.last_order_items(turn.session, customer_id=turn.customer_id)
        which = "Here's what you got last time."
    if not items:
        turn.say("You don't have a past order yet, so there's nothing to repeat. What would you "
                 "like?")  # fmt: skip
        return
    had_items = bool(carts.get_cart(turn.session, customer_id=turn.customer_id).items)
    added: list[str] = []
    problems: list[str] = []
    for item in items:
        try:
            product = _product(turn, item.sku)
        except NotFound:
            problems.append(f"{lang.spoken_name(item.name)} isn't sold any more.")
            continue
        if not product.active:
            problems.append(f"{lang.spoken_name(item.name)} isn't sold any more.")
            continue
        if product.stock <= 0:
            name = lang.spoken_name(product.name)
            problems.append(f"{name.capitalize()} {lang.is_are(name)} out of stock, so I've "
                            "left it out.")  # fmt: skip
            continue
        _add(turn, product, item.quantity, item.options, added, problems)
    turn.set("pending", None)
    intro = which
    if had_items and added:
        intro += " I've added it to what was already in your cart."
    if problems:
        intro += " " + " ".join(problems)
    if not added:
        turn.say(intro)
        return
    checkout(turn, intro=intro)


# --------------------------------------------------------------------------- the rest


def greet(turn: Turn) -> None:
    name_said = re.escape(turn.store.assistant_name.lower())
    if not re.search(
        rf"\b(?:hi|hiya|hello|hey|heya|howdy|yo|morning|afternoon|evening|greetings|"
        rf"hallo|good day|{name_said})\b",
        lang.normalise(turn.text),
    ) and _redirect(turn):
        not_understood(turn)  # the classifier's guess for something it has not seen
        return
    customer = ensure_customer(turn.session, customer_id=turn.customer_id)
    name = "" if customer.name == customer.id else f" {customer.name}"
    store = turn.store
    turn.say(f"Hi{name}! I'm {store.assistant_name} at {store.name}. What can I get you?")


def goodbye(turn: Turn) -> None:
    if not re.search(r"\b(?:bye|goodbye|see (?:you|ya)|later|good ?night|take care|cheers|that's "
                     r"all|that is all|have a (?:good|nice|great)|farewell|ciao|done)\b",
                     lang.normalise(turn.text)) and _redirect(turn):  # fmt: skip
        not_understood(turn)  # the classifier's guess for something it has not seen
        return
    turn.say(f"Thanks for shopping at {turn.store.name}. Bye!")


def thanks(turn: Turn) -> None:
    if not re.search(r"\b(?:thanks?|thank you|cheers|ta|appreciated?|grateful|thx)\b",
                     lang.normalise(turn.text)) and _redirect(turn):  # fmt: skip
        not_understood(turn)
        return
    turn.say("You're welcome! Anything else?")


RECOMMEND_WORDS = frozenset(
    "what what's whats would could should goes go going well good with recommend recommendation "
    "recommendations suggest suggestion suggestions pairs pair else do does i we need to get buy "
    "people usually often any anything something you your you'd for the this that it me my "
    "popular best seller sellers here most order orders a an is are there nice ideas idea also "
    "and or else some can tell think other alongside along together match matches "
    "complement".split()
)  # fmt: skip
RECOMMEND_CUE = re.compile(
    r"\b(?:go(?:es)? (?:well )?with|recommend|suggest|pairs?|popular|best ?sellers?|"
    r"goes|along|together|match|complement|what else|anything else|ideas?|good here|with|"
    r"should i (?:get|buy)|people (?:buy|get|order))"
)


def recommend(turn: Turn) -> None:
    if _superlative(turn):
        return
    cart = carts.get_cart(turn.session, customer_id=turn.customer_id)
    in_cart = set(cart.quantities)
    normal = lang.normalise(turn.text)
    mention = " ".join(w for w in re.split(r"[\s,]+", normal) if w not in RECOMMEND_WORDS)
    subject: str | None = None
    category: str | None = None
    if mention and tokens(mention):
        candidates = resolve_mention(turn.session, mention=mention)
        if candidates and candidates[0].score >= 0.6:
            subject = candidates[0].sku
            if (
                not RECOMMEND_CUE.search(normal)
                and pick(candidates).best is not None
                and _redirect(turn)
            ):
                product_info(turn)  # "what about batteries": a question about a product
                return
        elif candidates:
            # "for a new kitten": something from the aisle those words point at.
            category = _product(turn, candidates[0].sku).category
        else:
            wanted = set(tokens(mention))
            category = next((c for c in _categories(turn) if wanted & set(tokens(c))), None)
    elif not mention or not tokens(mention):
        # "what goes with this": the item just talked about, or the last one in the cart.
        last = turn.slot("last_item")
        subject = last["sku"] if last else (cart.items[-1].sku if cart.items else None)
    suggestion: Product | None = None
    reason = ""
    if subject:
        for sku in bought_together(turn.session, sku=subject, limit=5):
            product = _product(turn, sku)
            if sku not in in_cart and product.active and product.stock > 0:
                suggestion, reason = product, "People often get"
                break
    if suggestion is None:
        category = _product(turn, subject).category if subject else category
        for sku in best_sellers(turn.session, category=category, limit=6):
            if sku not in in_cart and sku != subject:
                suggestion, reason = _product(turn, sku), "How about"
                break
    if suggestion is None:
        turn.say("I don't have a suggestion right now. Anything else?")
        return
    with_what = (
        f" with the {lang.spoken_name(_product(turn, subject).name)}"
        if subject and reason.startswith("People")
        else ""
    )
    turn.set("pending", {"kind": "suggest", "sku": suggestion.sku, "quantity": 1})
    thing = lang.quantity_phrase(1, suggestion.name, suggestion.unit)
    if reason == "How about":
        turn.say(f"How about {thing}? It's {turn.money(suggestion.price_cents)}. "
                 "Would you like one?")  # fmt: skip
        return
    turn.say(
        f"{reason} {thing}{with_what}. It's {turn.money(suggestion.price_cents)}. "
        "Would you like one?"
    )


def handoff(turn: Turn, reason: str = "shopper asked for a person") -> None:
    conversation = [*turn.history, {"speaker": "shopper", "text": turn.text}]
    open_handoff(turn.session, customer_id=turn.customer_id, reason=reason,
                 conversation=conversation)  # fmt: skip
    turn.set("pending", None)
    turn.say(
        "I'm passing you to a member of our staff. They can see our conversation and your "
        "cart, and will be with you shortly."
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
    question = _mention_from_question(turn.text)
    if question and question != lang.normalise(turn.text).strip(" ,?"):
        candidates = resolve_mention(turn.session, mention=question)
        asks_stock = re.match(STOCK_QUESTION, lang.normalise(turn.text))
        if (
            (candidates and candidates[0].score >= 0.75)
            or (asks_stock and len(tokens(question)) <= 3)
        ) and _redirect(turn):
            turn.set("misunderstood", 0.0)
            product_info(turn)
            return
    # A bare product mention ("a red leash, large") is an order, whatever the classifier said.
    requests = lang.split_items(_without_name(turn))
    named = [r for r in requests if r.mention]
    if _named_products(turn) and _redirect(turn):
        turn.set("misunderstood", 0.0)
        add_items(turn, requests)
        return
    # Products the NLU found clearly, said in words the classifier has not seen.
    if clear_products(turn.entities) and _redirect(turn):
        turn.set("misunderstood", 0.0)
        add_items(turn)
        return
    # "two of those", "great, three bags of that" after talking about a product.
    if requests and not named and turn.slot("last_item") and all(r.quantity_said for r in requests):
        turn.set("misunderstood", 0.0)
        add_items(turn, requests)
        return
    # Plain keywords for the commonest requests, in words the classifier has not seen.
    normal = lang.normalise(turn.text)
    for pattern, handler in KEYWORD_RESCUE:
        if re.search(pattern, normal) and _redirect(turn):
            turn.set("misunderstood", 0.0)
            handler(turn)
            return
    count = int(turn.slot("misunderstood") or 0) + 1
    if count >= NOT_UNDERSTOOD_LIMIT:
        turn.set("misunderstood", 0.0)
        handoff(turn, reason="assistant did not understand twice in a row")
        return
    turn.set("misunderstood", float(count))
    if turn.intent == "out_of_scope":
        turn.say(f"Sorry, I can't help with that. {CAPABILITIES}")
    else:
        turn.say(f"Sorry, I didn't catch that. {CAPABILITIES}")


KEYWORD_RESCUE: list[tuple[str, Callable[[Turn], None]]] = [
    (r"\b(?:human|real person|a person|someone|somebody|staff|agent|manager|representative)\b",
     handoff),
    (r"\b(?:read|repeat|list|show|tell me|go (?:over|through)|what's in|what is in)\b.*"
     r"\b(?:my|the) (?:cart|basket|order so far)\b|\b(?:cart|basket) total\b", view_cart),
    (r"\b(?:check ?out|place (?:my|the) order|ready to pay)\b", checkout),
    (r"\b(?:opening hours|open(?:ing)? times|what time do you|when do you (?:open|close)|"
     r"are you open|still open)\b", ask_hours),
    (r"\b(?:your address|where are you|where is the (?:store|shop)|located)\b", ask_address),
    (r"\b(?:phone|telephone|number to call|call you|ring you)\b", ask_phone),
    (r"\b(?:deliver|delivery)\b", ask_delivery),
    (r"\b(?:return|returns|refund|exchange)\b", ask_returns),
    (r"\b(?:where(?:'s| is) my|track|status of) (?:my )?(?:order|delivery)\b", order_status),
]  # fmt: skip

HANDLERS: dict[str, Callable[[Turn], None]] = {
    "greet": greet,
    "goodbye": goodbye,
    "thanks": thanks,
    "add_item": add_items,
    "choose": choose,
    "change_item": change_item,
    "remove_item": remove_item,
    "view_cart": view_cart,
    "empty_cart": empty_cart,
    "checkout": checkout,
    "choose_fulfilment": choose_fulfilment,
    "affirm": affirm,
    "deny": deny,
    "product_info": product_info,
    "category_info": category_info,
    "ask_hours": ask_hours,
    "ask_address": ask_address,
    "ask_phone": ask_phone,
    "ask_delivery": ask_delivery,
    "ask_returns": ask_returns,
    "order_status": order_status,
    "cancel_order": cancel_order,
    "reorder": reorder,
    "recommend": recommend,
    "handoff": handoff,
    "not_understood": not_understood,
}


# Handlers that change the cart; during a read-back they lead to a fresh read-back.
CART_EDITS = ("add_item", "remove_item", "change_item", "choose", "deny", "not_understood")
# Handlers that leave a pending question in place.
KEEPS_PENDING = ("affirm", "deny", "choose", "choose_fulfilment", "checkout", "view_cart")


def _answers_choice(turn: Turn, pending: dict) -> bool:
    """Whether the shopper's words pick one of the products offered ("the oat one", "cat
    ones", "the second") rather than asking for something else."""
    if _resolve_in(turn, turn.text, pending["skus"]) is None:
        return False
    if lang.find_ordinal(turn.text) is not None:
        return True
    elsewhere = resolve_mention(turn.session, mention=lang.strip_request_words(turn.text))
    return not (elsewhere and elsewhere[0].score >= 0.8 and elsewhere[0].sku not in pending["skus"])


def _cart_state(turn: Turn) -> list[tuple[str, int, str]]:
    cart = carts.get_cart(turn.session, customer_id=turn.customer_id)
    return [(i.sku, i.quantity, carts.options_key(i.options)) for i in cart.items]


STORE_QUESTIONS = ("ask_hours", "ask_address", "ask_phone", "ask_delivery", "ask_returns")
# Real store questions classify with high confidence; a weak match is something else.
STORE_QUESTION_MIN_CONFIDENCE = 0.6


def run_turn(turn: Turn, handler_name: str) -> Turn:
    """Runs one handler. A conversation with an open handoff takes no actions; a pending
    "which one?" is answered first when the reply names one of the choices; a change to the
    cart while the order is being read back leads to a fresh read-back."""
    ensure_customer(turn.session, customer_id=turn.customer_id)
    if active_handoff(turn.session, customer_id=turn.customer_id) is not None:
        turn.say("A member of our staff has your conversation and will reply shortly.")
        return turn
    if purchase.awaiting_pin(turn) and purchase.pin_turn(turn, handler_name):
        return turn
    if handler_name in STORE_QUESTIONS and turn.confidence < STORE_QUESTION_MIN_CONFIDENCE:
        # "open the pod bay doors" is not a question about opening hours.
        handler_name = "not_understood"
    pending = turn.slot("pending") or {}
    if pending and handler_name == "not_understood":
        # "actually no", "yes go on": an answer to the question asked, in words not trained.
        if lang.is_no(turn.text) or re.match(r"^(?:actually|oh|um|uh|hmm|well),? no\b",
                                             lang.normalise(turn.text)):  # fmt: skip
            handler_name = "deny"
        elif lang.is_yes(turn.text):
            handler_name = "affirm"
    reading_back = pending.get("kind") == "confirm_checkout" or bool(pending.get("resume"))
    if (
        pending.get("kind") == "choose_product"
        and handler_name not in ("choose", "deny", "affirm", "checkout", "view_cart",
                                 "handoff", "cancel_order", "order_status", "empty_cart")
        and not (
            handler_name in ("product_info", "category_info")
            and re.search(QUESTION_CUE, lang.normalise(turn.text))
        )
        and _answers_choice(turn, pending)
    ):  # fmt: skip
        handler_name = "choose"
    elif (
        pending
        and handler_name not in KEEPS_PENDING
        and not (pending.get("kind") == "choose_product" and handler_name == "product_info")
    ):  # "how much is the skimmed one?" while choosing keeps the choice open
        if not (reading_back and handler_name in CART_EDITS):
            # Moving on to something else drops a question left unanswered.
            turn.set("pending", None)
            reading_back = False
    before = _cart_state(turn) if reading_back else None
    try:
        HANDLERS[handler_name](turn)
    except CommerceError as exc:
        turn.session.rollback()
        turn.say(f"Sorry, {exc.message}.")
        return turn
    finally:
        # A turn understood (by whichever handler) ends a run of misunderstandings.
        if "misunderstood" not in turn.updates:
            turn.set("misunderstood", 0.0)
    if reading_back and handler_name in CART_EDITS:
        now_pending = turn.slot("pending") or {}
        if _cart_state(turn) != before and now_pending.get("kind") in (None, "confirm_checkout"):
            checkout(turn, again=True)
        elif "pending" in turn.updates and now_pending.get("kind") == "choose_product":
            turn.set("pending", {**now_pending, "resume": "checkout"})
        elif "pending" not in turn.updates:
            # Nothing changed ("hmm, let me think"): a later yes must not place the order.
            turn.set("pending", None)
    return turn
