"""Changing the cart: corrections ("make that three", "I meant the large one"), removals,
reading the cart back and emptying it."""

from __future__ import annotations

import re

from commerce import cart as carts
from commerce.errors import OutOfStock
from commerce.models import Product
from commerce.resolver import Candidate, catalog_index, pick, resolve_mention, tokens
from dialogue import language as lang
from dialogue.capabilities import adding, choosing, conversation, korean_edits, product_words
from dialogue.capabilities.pending import ChooseProduct, ConfirmEmpty
from dialogue.capabilities.turns import (
    MAX_CHOICES,
    Turn,
    candidates_text,
    cart_summary,
    describe_item,
    item_lines,
    may_redirect,
    product_by_sku,
)
from dialogue.replies import tr

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


def correction_body(text: str) -> str:
    body = CORRECTION_LEAD.sub("", lang.normalise(text)).strip(" ,")
    body = re.sub(r"\b(?:instead|please|then|too|in my cart|in the cart|in my basket|for me)\b",
                  " ", body)  # fmt: skip
    return re.sub(r"\s+", " ", body).strip(" ,")


def cart_target(turn: Turn, mention: str, skus: list[str], strict: bool) -> str | None:
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
        target = cart_target(turn, aspect, skus, strict=True)
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
            target = cart_target(turn, " ".join(words[:k]), skus, strict=True)
            if target is not None:
                return target, some + " ".join(words[k:])
        return None, m.group("rest")
    return None, body


def change_item(turn: Turn) -> None:
    """'no, three', 'actually make it oat milk', 'sorry, I meant the large',
    'change the croissants to four', 'I meant tomatoes not spinach'."""
    cart = carts.get_cart(turn.session, customer_id=turn.customer_id)
    if not cart.items:
        adding.add_items(turn)
        return
    skus = list(dict.fromkeys(i.sku for i in cart.items))
    read: tuple[int | None, str] | None = None
    if turn.language == "ko":
        # Read from entities already: "6킬로로" is an option value, not six of something.
        target_sku, number, change = korean_edits.correction(turn, cart)
        new, read = change, (number, change)
    else:
        target_sku, new = _split_correction(turn, correction_body(turn.text), skus)
    last = turn.slot("last_item")
    if target_sku is None:
        target_sku = last["sku"] if last and last["sku"] in skus else cart.items[-1].sku
    apply_change(turn, cart, target_sku, new, read=read)


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


def apply_change(
    turn: Turn,
    cart: carts.CartView,
    target_sku: str,
    new: str,
    *,
    read: tuple[int | None, str] | None = None,
) -> None:
    """Changes `target_sku` as `new` says (a quantity, option values or another product), or
    as `read` says when the words were read already: (quantity, the rest)."""
    product = product_by_sku(turn, target_sku)
    have = _quantity_in_cart(cart, target_sku)
    number, remainder = read if read is not None else _change_quantity(new, have)
    line = next(i for i in reversed(cart.items) if i.sku == target_sku)
    if remainder:
        options = product_words.options_in_text(product, remainder)
        if not options:
            choice = pick(resolve_mention(turn.session, mention=remainder))
            if (
                choice.best is not None
                and choice.best.sku == target_sku
                and not number
                and (not choice.best.options)
            ):
                turn.say(
                    tr(
                        turn,
                        "You have {item}. What would you like to change?",
                        item=describe_item(turn, product, have, line.options),
                    )
                )
                return
            if choice.best is not None and choice.best.sku == target_sku and choice.best.options:
                options = choice.best.options  # "make it a large latte"
            elif choice.best is not None and choice.best.sku != target_sku:
                if number and choice.best.sku in cart.quantities:
                    # "make that three bags of rice": the rice already in the cart changes.
                    apply_change(turn, cart, choice.best.sku, lang.number_words(number))
                    return
                _swap(turn, product, choice.best, number or have)
                return
            elif choice.alternatives:
                skus = [c.sku for c in choice.alternatives[:MAX_CHOICES]]
                turn.set_pending(
                    ChooseProduct(skus=skus, quantity=number or have, replace=product.sku)
                )
                turn.say(
                    tr(
                        turn,
                        "Which one do you mean: {choices}?",
                        choices=candidates_text(turn, skus),
                    )
                )
                return
            elif choice.best is None:
                turn.say(
                    tr(
                        turn,
                        "Sorry, I couldn't find {remainder}. You still have {item}.",
                        remainder=remainder,
                        item=describe_item(turn, product, have, line.options),
                    )
                )
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
                turn.say(tr(turn, "Sorry, we don't have enough of those."))
                return
            turn.set("last_item", {"sku": product.sku, "options": item.options,
                                   "quantity": number})  # fmt: skip
            split = [(product.sku, number, item.options),
                     (product.sku, line.quantity - number, line.options)]  # fmt: skip
            turn.say(
                tr(turn, "Okay, {items}.", items=turn.wording.join_words(item_lines(turn, split)))
            )
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
                    _say_only_have(turn, product, exc.available)
            turn.set("last_item", {"sku": product.sku, "options": item.options,
                                   "quantity": quantity})  # fmt: skip
            turn.say(
                tr(
                    turn,
                    "Okay, changed to {item}.",
                    # Every option, defaults too: "red" when red was the default is heard.
                    item=turn.wording.describe_item(
                        quantity,
                        product.name,
                        product.unit,
                        item.options,
                        product.option_groups(),
                        say_defaults=True,
                    ),  # fmt: skip
                )
            )
            return
    if not number:
        conversation.not_understood(turn)
        return
    try:
        carts.set_quantity(
            turn.session, customer_id=turn.customer_id, sku=product.sku, quantity=number
        )
    except OutOfStock as exc:
        _say_only_have(turn, product, exc.available)
        return
    turn.set("last_item", {"sku": product.sku, "options": line.options, "quantity": number})
    turn.say(tr(turn, "Okay, {item} now.", item=describe_item(turn, product, number, line.options)))


def _say_only_have(turn: Turn, product: Product, available: int) -> None:
    turn.say(
        tr(
            turn,
            "Sorry, we only have {count} {name}.",
            count=turn.wording.stock_count(available, product.unit),
            name=turn.wording.spoken_name(product.name),
        )
    )


def _swap(turn: Turn, old: Product, new: Candidate, quantity: int) -> None:
    """Replaces a cart item with another product, keeping the quantity."""
    choosing.swap_product(turn, old, product_by_sku(turn, new.sku), quantity, new.options)


def _quantity_in_cart(cart: carts.CartView, sku: str) -> int:
    return cart.quantities.get(sku, 1)


def remove_item(turn: Turn) -> None:
    cart = carts.get_cart(turn.session, customer_id=turn.customer_id)
    if not cart.items:
        turn.say(tr(turn, "Your cart is already empty."))
        return
    if turn.language == "ko":
        sku, number = korean_edits.removal(turn, cart)
        remove_from(turn, cart, sku, number, mention=turn.text)
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
        sku = cart_target(turn, mention, skus, strict=False)
    remove_from(turn, cart, sku, number, mention=mention)


def remove_from(
    turn: Turn, cart: carts.CartView, sku: str | None, number: int | None, *, mention: str
) -> None:
    """Takes `number` (None or more than there are: all) of the cart's `sku` out."""
    if sku is None:
        turn.say(tr(turn, "Sorry, I don't see {mention} in your cart.", mention=mention))
        return
    product = product_by_sku(turn, sku)
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
        remaining = item_lines(turn, [
            (i.sku, i.quantity, i.options)
            for i in carts.get_cart(turn.session, customer_id=turn.customer_id).items
            if i.sku == sku
        ])  # fmt: skip
        turn.say(
            tr(turn, "Okay, {items} left in your cart.", items=turn.wording.join_words(remaining))
        )
        return
    carts.remove_from_cart(turn.session, customer_id=turn.customer_id, sku=sku)
    last = turn.slot("last_item")
    if last and last["sku"] == sku:
        turn.set("last_item", None)
    summary, _ = cart_summary(turn)
    then = (
        tr(turn, " You still have {summary}.", summary=summary)
        if summary
        else tr(turn, " Your cart is now empty.")
    )
    turn.say(
        tr(
            turn,
            "Removed the {name}.{then}",
            name=turn.wording.spoken_name(product.name),
            then=then,
        )
    )


CART_CUE = re.compile(
    r"\b(?:cart|basket|total|owe|so far|come to|comes to|altogether|all together|added|ordered|"
    r"what have i|what did i|have i got|read|repeat|list|go over|go through|damage|running|"
    r"everything|my order|the order|how much is it|how much is that|what's in|what is in|"
    r"show me)\b"
)


def view_cart(turn: Turn) -> None:
    # The English cue checks a classifier unsure of English words; other languages' models
    # are trusted as they are.
    english = turn.language == "en"
    if english and not CART_CUE.search(lang.normalise(turn.text)) and may_redirect(turn):
        conversation.not_understood(turn)  # "how do i bake bread" is not a question about the cart
        return
    summary, subtotal = cart_summary(turn)
    if not summary:
        turn.say(tr(turn, "Your cart is empty. What would you like?"))
        return
    turn.say(
        tr(
            turn,
            "You have {summary}. That comes to {price}.",
            summary=summary,
            price=turn.money(subtotal),
        )
    )


EMPTY_WORDS = re.compile(
    r"\b(?:empty|clear|start|reset|wipe|remove|delete|take|get rid|throw|scrap|cancel|"
    r"drop|out|over|again|scratch|restart|fresh)\b"
)


def empty_cart(turn: Turn) -> None:
    english = turn.language == "en"
    if english and not EMPTY_WORDS.search(lang.normalise(turn.text)) and may_redirect(turn):
        # "an everything bagel" is an order, whatever the classifier made of "everything".
        if product_words.names_products(turn):
            adding.add_items(turn)
            return
    summary, _ = cart_summary(turn)
    if not summary:
        turn.say(tr(turn, "Your cart is already empty."))
        return
    turn.set_pending(ConfirmEmpty())
    turn.say(
        tr(
            turn,
            ("You have {summary}. Shall I empty your cart? Please say yes or no."),
            summary=summary,
        )
    )
