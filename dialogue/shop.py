"""The shopping conversation's logic: what each action does with the catalog, the cart and
orders, and what it says back. Rasa decides *which* action runs (dialogue/actions); this module
decides what it does. It is plain Python over the commerce services, so it is unit-tested
without Rasa.

State between turns lives in Rasa slots: `pending` (what a yes, no or "the second one" will
answer), `last_item` (what "another one" or "no, three" refers to), `fulfilment` and
`misunderstood` (consecutive turns not understood).
"""

from __future__ import annotations

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
from commerce.resolver import Candidate, _default_resolver, pick, resolve_mention, tokens
from commerce.store import WEEKDAYS, StoreFacts, get_store_facts
from dialogue import language as lang

MAX_CHOICES = 4
NOT_UNDERSTOOD_LIMIT = 2
CAPABILITIES = (
    "I can add products to your cart, tell you prices, read back your cart, place, track or "
    "cancel orders, and answer questions about the store."
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


def _product(turn: Turn, sku: str) -> Product:
    return get_product(turn.session, sku=sku)


def _describe(product: Product, quantity: int, options: dict[str, str] | None = None) -> str:
    phrase = lang.quantity_phrase(quantity, product.name, product.unit)
    if options:
        phrase += f" ({lang.options_phrase(options)})"
    return phrase


def _cart_summary(turn: Turn) -> tuple[str, int]:
    cart = carts.get_cart(turn.session, customer_id=turn.customer_id)
    parts = []
    for item in cart.items:
        product = _product(turn, item.sku)
        parts.append(_describe(product, item.quantity, item.options))
    return lang.join_words(parts), cart.subtotal_cents


def _alternative(turn: Turn, product: Product) -> Product | None:
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
        r"can i get|what kinds? of|what types? of|which)\b\s*",
        "",
        body,
    )
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
    scores = _default_resolver.index(turn.session).scores_for(mention, skus)
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
        message = f"Sorry, {lang.spoken_name(product.name)} is out of stock right now"
        alternative = _alternative(turn, product)
        if alternative is not None:
            message += f". We do have {lang.spoken_name(alternative.name)}; would you like that?"
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
    said = _describe(product, quantity, {k: v for k, v in options.items() if v})
    if item.assumed_options:
        said += f", {lang.options_phrase(item.assumed_options)} as standard"
    added.append(said)
    turn.set(
        "last_item", {"sku": product.sku, "options": item.options, "quantity": item.quantity}
    )
    return True


def _only_options(turn: Turn, mention: str) -> dict[str, str] | None:
    """'large' after 'a red leash': option values for the last item, or None."""
    last = turn.slot("last_item")
    if not last:
        return None
    product = _product(turn, last["sku"])
    groups = product.option_groups()
    words = [w for w in tokens(mention)]
    if not words:
        return None
    chosen: dict[str, str] = {}
    for word in words:
        hit = next(
            ((g, v) for g, values in groups.items() for v in values if tokens(v) == [word]), None
        )
        if hit is None and word in {tok for g in groups for tok in tokens(g)}:
            continue  # "oat milk": the group's name
        if hit is None:
            return None
        chosen[hit[0]] = hit[1]
    return chosen or None


def add_items(turn: Turn, requests: list[lang.ItemRequest] | None = None) -> None:
    requests = lang.split_items(turn.text) if requests is None else requests
    if not requests:
        not_understood(turn)
        return
    added: list[str] = []
    problems: list[str] = []
    for position, request in enumerate(requests):
        if not request.mention:
            last = turn.slot("last_item")
            if not last:
                problems.append("Sorry, which product would you like more of?")
                continue
            _add(turn, _product(turn, last["sku"]), request.quantity, last["options"], added,
                 problems)  # fmt: skip
            continue
        candidates = _candidates_for(turn, request)
        choice = pick(candidates)
        if choice.best is None and not choice.alternatives:
            options = _only_options(turn, request.mention)
            if options:
                last = turn.slot("last_item")
                item = carts.change_options(
                    turn.session, customer_id=turn.customer_id, sku=last["sku"], options=options
                )
                turn.set("last_item", {**last, "options": item.options})
                if added:
                    added[-1] = _describe(_product(turn, last["sku"]), item.quantity, item.options)
                else:
                    added.append(
                        _describe(_product(turn, last["sku"]), item.quantity, item.options)
                    )
                continue
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
            _say_added(turn, added, problems, end="")
            turn.say(f"Which {request.mention} would you like: {_candidates_text(turn, skus)}?")
            return
        best = choice.best
        _add(turn, _product(turn, best.sku), request.quantity, best.options, added, problems)
    _say_added(turn, added, problems)


def _candidates_for(turn: Turn, request: lang.ItemRequest) -> list[Candidate]:
    candidates = resolve_mention(turn.session, mention=request.mention)
    if request.quantity_said:
        # "half a dozen eggs" may be a product's own name rather than six of "eggs".
        whole = resolve_mention(
            turn.session, mention=f"{_quantity_words(request)} {request.mention}"
        )
        if whole and whole[0].score == 1.0 and (not candidates or candidates[0].score < 1.0):
            return whole[:1]
    return candidates


def _quantity_words(request: lang.ItemRequest) -> str:
    for phrase, number in lang.QUANTITY_PHRASES:
        if number == request.quantity and " " in phrase:
            return phrase
    return lang.number_words(request.quantity)


def _say_added(turn: Turn, added: list[str], problems: list[str], end: str = "default") -> None:
    parts = []
    if added:
        parts.append(f"Added {lang.join_words(added)}.")
    parts.extend(problems)
    if end == "default" and added and not turn.slot("pending"):
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
    extra = _default_resolver.index(turn.session).search(turn.text, limit=MAX_CHOICES * 2)
    for candidate in extra:
        if candidate.sku == sku:
            options.update(candidate.options)
    added: list[str] = []
    problems: list[str] = []
    _add(turn, product, int(pending.get("quantity", 1)), options, added, problems)
    rest = [lang.ItemRequest(**r) for r in pending.get("rest", [])]
    if rest:
        _say_added(turn, added, problems, end="")
        add_items(turn, rest)
    else:
        _say_added(turn, added, problems)


# --------------------------------------------------------------------------- corrections


CORRECTION_LEAD = re.compile(
    r"^(?:(?:no|nope|sorry|actually|oops|wait|oh|i mean|i meant|make (?:it|that)|"
    r"change (?:it|that)(?: to)?|can you make (?:it|that)|not|instead|rather|"
    r"switch (?:it|that)(?: to)?)\b[\s,]*)+"
)


def change_item(turn: Turn) -> None:
    """'no, three', 'actually make it oat milk', 'sorry, I meant the large',
    'change the croissants to four'."""
    text = lang.normalise(turn.text)
    body = CORRECTION_LEAD.sub("", text).strip(" ,")
    body = re.sub(r"^(?:the|a|an)\s+", "", body)
    last = turn.slot("last_item")
    cart = carts.get_cart(turn.session, customer_id=turn.customer_id)
    if not cart.items:
        add_items(turn)
        return
    m = re.match(r"^(?:change |make )?(?:the )?(.+?) (?:to|into) (.+)$", body)
    target_sku = last["sku"] if last else cart.items[-1].sku
    if m and _resolve_in(turn, m.group(1), [i.sku for i in cart.items]):
        target_sku = _resolve_in(turn, m.group(1), [i.sku for i in cart.items]) or target_sku
        body = m.group(2)
    number = lang.find_number(body)
    remainder = re.sub(r"\b(\d+|" + "|".join(lang.NUMBER_WORDS) + r")\b", " ", body)
    remainder = re.sub(r"\b(one|ones|please|instead|of (?:those|them))\b", " ", remainder).strip()
    product = _product(turn, target_sku)
    if remainder:
        options = _options_for(product, remainder)
        if options:
            item = carts.change_options(
                turn.session, customer_id=turn.customer_id, sku=product.sku, options=options
            )
            if number:
                carts.set_quantity(
                    turn.session,
                    customer_id=turn.customer_id,
                    sku=product.sku,
                    quantity=number,
                    options=item.options,
                )
            quantity = number or item.quantity
            turn.set("last_item", {"sku": product.sku, "options": item.options,
                                   "quantity": quantity})  # fmt: skip
            turn.say(f"Okay, changed to {_describe(product, quantity, item.options)}.")
            return
        choice = pick(resolve_mention(turn.session, mention=remainder))
        replacement = choice.best
        if replacement is None and choice.alternatives:
            skus = [c.sku for c in choice.alternatives[:MAX_CHOICES]]
            turn.say(f"Which one do you mean: {_candidates_text(turn, skus)}?")
            turn.set("pending", {"kind": "choose_product", "skus": skus,
                                 "quantity": number or (last or {}).get("quantity", 1),
                                 "options": {}, "rest": [], "replace": product.sku})  # fmt: skip
            return
        if replacement is None:
            turn.say(f"Sorry, I couldn't find {remainder}.")
            return
        if replacement.sku != product.sku:
            quantity = number or _quantity_in_cart(cart, product.sku)
            carts.remove_from_cart(turn.session, customer_id=turn.customer_id, sku=product.sku)
            added: list[str] = []
            problems: list[str] = []
            new = _product(turn, replacement.sku)
            if _add(turn, new, quantity, replacement.options, added, problems):
                turn.say(f"Okay, swapped {lang.spoken_name(product.name)} for {added[0]}.")
            else:
                turn.say(" ".join(problems))
            return
    if number:
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
        except NotFound:
            add_items(turn)
            return
        turn.set("last_item", {"sku": product.sku, "options": (last or {}).get("options", {}),
                               "quantity": number})  # fmt: skip
        turn.say(f"Okay, {_describe(product, number)} now.")
        return
    not_understood(turn)


def _quantity_in_cart(cart: carts.CartView, sku: str) -> int:
    return cart.quantities.get(sku, 1)


def _options_for(product: Product, text: str) -> dict[str, str]:
    groups = product.option_groups()
    chosen: dict[str, str] = {}
    words = tokens(text)
    group_words = {tok for g in groups for tok in tokens(g)}
    for word in words:
        for group, values in groups.items():
            if any(tokens(v) == [word] for v in values):
                chosen[group] = next(v for v in values if tokens(v) == [word])
                break
        else:
            if word not in group_words and word not in ("size",):
                return {}
    return chosen


def remove_item(turn: Turn) -> None:
    cart = carts.get_cart(turn.session, customer_id=turn.customer_id)
    if not cart.items:
        turn.say("Your cart is already empty.")
        return
    body = lang.normalise(turn.text)
    body = re.sub(
        r"\b(?:please|can you|could you|i don't want|i do not want|don't want|remove|delete|"
        r"take (?:out|off|away)|drop|get rid of|cancel|from (?:my|the) (?:cart|basket|order)|"
        r"out of (?:my|the) (?:cart|basket)|off (?:my|the) (?:cart|list|order)|the|my|"
        r"actually|no more|any more|anymore|out|off)\b",
        " ",
        body,
    )
    number = lang.find_number(body)
    mention = re.sub(r"\b(\d+|" + "|".join(lang.NUMBER_WORDS) + r"|an?)\b", " ", body)
    mention = " ".join(mention.split()).strip(" ,")
    skus = list(dict.fromkeys(i.sku for i in cart.items))
    if mention in ("", "it", "that", "those", "them", "this", "last one", "last thing"):
        last = turn.slot("last_item")
        sku = last["sku"] if last and last["sku"] in skus else cart.items[-1].sku
    else:
        sku = _resolve_in(turn, mention, skus)
    if sku is None:
        turn.say(f"Sorry, I don't see {mention} in your cart.")
        return
    product = _product(turn, sku)
    have = cart.quantities[sku]
    if number and number < have:
        carts.set_quantity(
            turn.session, customer_id=turn.customer_id, sku=sku, quantity=have - number
        )
        turn.say(f"Okay, {_describe(product, have - number)} left in your cart.")
        return
    carts.remove_from_cart(turn.session, customer_id=turn.customer_id, sku=sku)
    last = turn.slot("last_item")
    if last and last["sku"] == sku:
        turn.set("last_item", None)
    summary, _ = _cart_summary(turn)
    then = f" You still have {summary}." if summary else " Your cart is now empty."
    turn.say(f"Removed {lang.spoken_name(product.name)}.{then}")


def view_cart(turn: Turn) -> None:
    summary, subtotal = _cart_summary(turn)
    if not summary:
        turn.say("Your cart is empty. What would you like?")
        return
    turn.say(f"You have {summary}. That comes to {turn.money(subtotal)}.")


def empty_cart(turn: Turn) -> None:
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


def checkout(turn: Turn, *, intro: str = "") -> None:
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
    parts = [intro] if intro else []
    parts.append(f"Your order is {summary}.")
    if fulfilment == "delivery":
        fee = quote["delivery_fee"]
        fee_text = f"a {turn.money(fee)} delivery fee" if fee else "free delivery"
        parts.append(f"That's {turn.money(quote['total'])} including {fee_text}.")
    else:
        parts.append(f"That's {turn.money(quote['total'])}, for pickup.")
        if turn.store.fulfilment.delivery:
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
        )
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
    else:
        turn.say("Okay. What can I get you?")


def deny(turn: Turn) -> None:
    pending = turn.slot("pending") or {}
    kind = pending.get("kind")
    body = CORRECTION_LEAD.sub("", lang.normalise(turn.text)).strip(" ,")
    if body and (lang.find_number(body) is not None or tokens(body)) and kind != "confirm_cancel":
        # "no, three" / "no, the oat one": a correction, not a refusal.
        if kind == "choose_product":
            choose(turn)
            return
        if kind not in ("confirm_checkout", "confirm_empty") or lang.find_number(body):
            turn.set("pending", None)
            change_item(turn)
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


def product_info(turn: Turn) -> None:
    text = lang.normalise(turn.text)
    mention = _mention_from_question(turn.text)
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
        turn.say(f"We have {lang.join_words(listed)}.")
        return
    product = _product(turn, choice.best.sku)
    name = lang.spoken_name(product.name)
    asks_stock = re.search(r"\b(stock|available|have|any left|sell|got|carry)\b", text)
    asks_what = re.search(r"\b(what is|what's|what are|tell me about|describe|made)\b", text)
    asks_price = re.search(r"\b(how much|price|cost)\b", text)
    parts = []
    if asks_stock and not asks_price:
        if product.stock > 0:
            parts.append(f"Yes, we have {name} in stock, {turn.money(product.price_cents)}.")
        else:
            parts.append(f"Sorry, {name} is out of stock right now.")
            alternative = _alternative(turn, product)
            if alternative is not None:
                parts.append(f"We do have {lang.spoken_name(alternative.name)}.")
    elif asks_what and not asks_price:
        parts.append(f"{product.name}: {product.description.rstrip('.')}.")
        parts.append(f"It's {turn.money(product.price_cents)} per {product.unit}.")
    else:
        unit = "" if product.unit == "each" else f" per {product.unit}"
        price = f"{name.capitalize()} is {turn.money(product.price_cents)}{unit}"
        groups = product.option_groups()
        if groups:
            price += f", in {lang.join_words(list(groups.get('size', [])) or [], 'or')}" if (
                "size" in groups
            ) else ""
        parts.append(price + ".")
        if product.stock <= 0:
            parts.append("It's out of stock right now, though.")
    turn.say(" ".join(parts))


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
    for category in _categories(turn):
        if wanted & set(tokens(category)):
            products = [
                p
                for p in turn.session.scalars(
                    select(Product)
                    .where(Product.category == category, Product.active.is_(True))
                    .order_by(Product.name)
                )
            ]
            names = [lang.spoken_name(p.name) for p in products[:6]]
            more = f", and {lang.number_words(len(products) - 6)} more" if len(products) > 6 else ""
            turn.say(f"In {category} we have {lang.join_words(names)}{more}.")
            return True
    return False


def category_info(turn: Turn) -> None:
    mention = _mention_from_question(turn.text)
    mention = re.sub(r"\b(?:do you have|you have|have|sell|in|the|section|aisle|what|got)\b",
                     " ", mention).strip()  # fmt: skip
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
        return f"on {WEEKDAYS[local.weekday()].capitalize()}"
    return f"on {local.strftime('%B')} {local.day}"


def _order_asked(turn: Turn, *, cancellable_first: bool = False) -> Order | None:
    m = re.search(r"\b(?:order|number|#)\s*(?:number\s*)?(\d+)\b", lang.normalise(turn.text))
    if m:
        try:
            return orders.get_order(
                turn.session, order_id=int(m.group(1)), customer_id=turn.customer_id
            )
        except NotFound:
            turn.say(f"Sorry, I can't find an order number {m.group(1)} for you.")
            return None
    if cancellable_first:
        for order in orders.list_orders(turn.session, customer_id=turn.customer_id, limit=10):
            if order.status in orders.CANCELLABLE:
                return order
    order = orders.latest_order(turn.session, customer_id=turn.customer_id)
    if order is None:
        turn.say("You don't have any orders yet.")
    return order


def _order_items(order: Order) -> str:
    return lang.join_words(
        [lang.quantity_phrase(line.quantity, line.name) for line in order.lines]
    )


def order_status(turn: Turn) -> None:
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
        f"with {_order_items(order)}, {status}."
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
    turn.say(
        f"Order number {order.id} from {_when(turn, order.placed_at)} has {_order_items(order)}, "
        f"{turn.money(order.total_cents)}. Cancel it? Please say yes to confirm."
    )


def reorder(turn: Turn) -> None:
    usual = bool(re.search(r"\b(usual|regular|always get|normal)\b", lang.normalise(turn.text)))
    if usual:
        items = orders.usual_items(turn.session, customer_id=turn.customer_id)
    else:
        items = orders.last_order_items(turn.session, customer_id=turn.customer_id)
    if not items:
        turn.say("You don't have a past order yet, so there's nothing to repeat. What would you "
                 "like?")  # fmt: skip
        return
    added: list[str] = []
    problems: list[str] = []
    for item in items:
        try:
            product = _product(turn, item.sku)
        except NotFound:
            problems.append(f"{lang.spoken_name(item.name)} isn't sold any more.")
            continue
        _add(turn, product, item.quantity, item.options, added, problems)
    turn.set("pending", None)
    which = "Your usual is" if usual else "Last time you got"
    intro = f"{which} {lang.join_words([lang.quantity_phrase(i.quantity, i.name) for i in items])}."
    if problems:
        intro += " " + " ".join(problems)
    if not added:
        turn.say(intro)
        return
    checkout(turn, intro=intro)


# --------------------------------------------------------------------------- the rest


def greet(turn: Turn) -> None:
    customer = ensure_customer(turn.session, customer_id=turn.customer_id)
    name = "" if customer.name == customer.id else f" {customer.name}"
    store = turn.store
    turn.say(f"Hi{name}! I'm {store.assistant_name} at {store.name}. What can I get you?")


def goodbye(turn: Turn) -> None:
    turn.say(f"Thanks for shopping at {turn.store.name}. Bye!")


def thanks(turn: Turn) -> None:
    turn.say("You're welcome! Anything else?")


def recommend(turn: Turn) -> None:
    cart = carts.get_cart(turn.session, customer_id=turn.customer_id)
    in_cart = set(cart.quantities)
    mention = _mention_from_question(re.sub(r"\b(goes|go|good|with|recommend|suggest)\b", " ",
                                            turn.text))  # fmt: skip
    subject: str | None = None
    if mention:
        candidates = resolve_mention(turn.session, mention=mention)
        if candidates and candidates[0].score >= 0.8:
            subject = candidates[0].sku
    if subject is None:
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
        category = _product(turn, subject).category if subject else None
        for sku in best_sellers(turn.session, category=category, limit=6):
            if sku not in in_cart and sku != subject:
                suggestion, reason = _product(turn, sku), "A favourite here is"
                break
    if suggestion is None:
        turn.say("I don't have a suggestion right now. Anything else?")
        return
    with_what = (
        f" with {lang.spoken_name(_product(turn, subject).name)}"
        if subject and reason.startswith("People")
        else ""
    )
    turn.set("pending", {"kind": "suggest", "sku": suggestion.sku, "quantity": 1})
    turn.say(
        f"{reason} {lang.spoken_name(suggestion.name)}{with_what}, "
        f"{turn.money(suggestion.price_cents)}. Would you like one?"
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


def not_understood(turn: Turn) -> None:
    # A bare product mention ("a red leash, large") is an order, whatever the classifier said.
    requests = lang.split_items(turn.text)
    if requests and all(
        (c := resolve_mention(turn.session, mention=r.mention)) and c[0].score >= 0.75
        for r in requests
        if r.mention
    ) and any(r.mention for r in requests):
        turn.set("misunderstood", 0.0)
        add_items(turn, requests)
        return
    count = int(turn.slot("misunderstood") or 0) + 1
    if count >= NOT_UNDERSTOOD_LIMIT:
        turn.set("misunderstood", 0.0)
        handoff(turn, reason="assistant did not understand twice in a row")
        return
    turn.set("misunderstood", float(count))
    turn.say(f"Sorry, I didn't catch that. {CAPABILITIES}")


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


def run_turn(turn: Turn, handler_name: str) -> Turn:
    """Runs one handler. A conversation with an open handoff takes no actions; a pending
    "which one?" is answered first when the reply names one of the choices."""
    ensure_customer(turn.session, customer_id=turn.customer_id)
    if active_handoff(turn.session, customer_id=turn.customer_id) is not None:
        turn.say("A member of our staff has your conversation and will reply shortly.")
        return turn
    pending = turn.slot("pending") or {}
    if (
        pending.get("kind") == "choose_product"
        and handler_name in ("add_item", "product_info", "not_understood", "change_item")
        and _resolve_in(turn, turn.text, pending["skus"])
    ):
        handler_name = "choose"
    elif pending and handler_name not in ("affirm", "deny", "choose", "choose_fulfilment",
                                          "checkout", "view_cart"):  # fmt: skip
        # Moving on to something else drops a question left unanswered.
        turn.set("pending", None)
    if handler_name != "not_understood":
        turn.set("misunderstood", 0.0)
    try:
        HANDLERS[handler_name](turn)
    except CommerceError as exc:
        turn.session.rollback()
        turn.say(f"Sorry, {exc.message}.")
    return turn
