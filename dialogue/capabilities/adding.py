"""Adding to the cart: items built from the NLU's catalog entities (or the text when they read
worse), quantities and options, out-of-stock alternatives, and "which one?" questions (their
answers are choosing.py's)."""

from __future__ import annotations

import dataclasses
import re

from commerce import cart as carts
from commerce.errors import InvalidOption, OutOfStock
from commerce.insights import best_sellers
from commerce.models import Product
from commerce.resolver import pick, resolve_mention, tokens
from dialogue import item_wording as wording
from dialogue import language as lang
from dialogue.capabilities import (
    cart_edits,
    conversation,
    item_choice,
    item_entities,
    korean_edits,
    product_words,
)
from dialogue.capabilities.pending import ChooseProduct, SuggestProduct
from dialogue.capabilities.store_refusals import refusal_clause
from dialogue.capabilities.turns import (
    MAX_CHOICES,
    Turn,
    candidates_text,
    describe_item,
    may_redirect,
    product_by_sku,
)
from dialogue.entity_items import clear_products, entity_requests
from dialogue.korean_entity_items import korean_entity_requests, korean_more_requests
from dialogue.replies import tr


def alternative_to(turn: Turn, product: Product) -> Product | None:
    """An in-stock product from the same category: the most alike by name ("white paint" for
    "grey paint"), else the category's best seller."""
    for candidate in resolve_mention(turn.session, mention=product.name, limit=10):
        other = product_by_sku(turn, candidate.sku)
        if (
            other.sku != product.sku
            and other.category == product.category
            and other.active
            and other.stock > 0
        ):
            return other
    for sku in best_sellers(turn.session, category=product.category, limit=4):
        if sku != product.sku:
            return product_by_sku(turn, sku)
    return None


def add_product(
    turn: Turn,
    product: Product,
    quantity: int,
    options: dict[str, str],
    added: list[str],
    problems: list[str],
) -> bool:
    if not product.active or product.stock <= 0:
        name = turn.wording.spoken_name(product.name)
        message = tr(
            turn,
            "Sorry, {name} {is_are} out of stock right now",
            name=name,
            is_are=turn.wording.is_are(name),
        )
        alternative = alternative_to(turn, product)
        if alternative is not None:
            thing = turn.wording.quantity_phrase(1, alternative.name, alternative.unit)
            message += tr(
                turn,
                ". We do have {thing}, {price}. Would you like that?",
                thing=thing,
                price=turn.money(alternative.price_cents),
            )
            turn.set_pending(SuggestProduct(sku=alternative.sku, quantity=quantity))
        else:
            message += tr(turn, ".")
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
                tr(
                    turn,
                    ("We only have {count} {name} in stock, so I can add up to {count2} more."),
                    count=turn.wording.stock_count(exc.available, product.unit),
                    name=turn.wording.spoken_name(product.name),
                    count2=turn.wording.stock_count(left, product.unit),
                )
            )
        else:
            problems.append(
                tr(
                    turn,
                    "Your cart already has all the {name} we have.",
                    name=turn.wording.spoken_name(product.name),
                )
            )
        return False
    except InvalidOption as exc:
        problems.append(tr(turn, "Sorry, {message}.", message=refusal_clause(turn, exc)))
        return False
    # Options not said take the defaults; the reply states those a shopper must know, once.
    said = turn.wording.describe_added(quantity, product.name, product.unit, item.options,
                                  product.option_groups(), item.assumed_options)  # fmt: skip
    added.append(said)
    turn.set("last_item", {"sku": product.sku, "options": item.options, "quantity": item.quantity})
    return True


def _only_options(turn: Turn, mention: str) -> dict[str, str] | None:
    """'large' after 'a red leash': option values for the last item, or None."""
    last = turn.slot("last_item")
    if not last:
        return None
    product = product_by_sku(turn, last["sku"])
    if not tokens(mention) or not product.option_groups():
        return None
    return product_words.options_in_text(product, mention) or None


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
        and may_redirect(turn)
    ):
        cart_edits.change_item(turn)  # "sorry, I meant a blue one": a correction, not another item
        return
    if (
        requests is None
        and re.match(
            r"^(?:(?:wait|ok|okay|oh|um|uh|actually|sorry|no|and|also|can you|could you|please)\b"
            r"[\s,]*)*(?:remove|delete|take (?:out|off|away)|get rid of|drop)\b",
            lang.normalise(turn.text),
        )
        and may_redirect(turn)
    ):
        cart_edits.remove_item(turn)  # "wait, remove one collar first"
        return
    from_words = requests is None
    if from_words and turn.language == "ko":
        if korean_edits.refines_last_item(turn) and may_redirect(turn):
            cart_edits.change_item(turn)  # "벤티로요": the item just added, larger
            return
        # Korean is read from the entities only; English word splitting does not apply.
        requests = korean_more_requests(turn.entities, turn.text)
    requests = (
        lang.split_items(product_words.text_without_names(turn)) if requests is None else requests
    )
    if from_words and clear_products(turn.entities):
        # Products the NLU named, each clearly: the items are read from where the products,
        # options and quantities are, not from the words split at "and" and commas.
        read = korean_entity_requests if turn.language == "ko" else entity_requests
        requests = read(item_entities.options_said_as_products(turn), turn.text)
    if not requests:
        conversation.not_understood(turn)
        return
    cart = carts.get_cart(turn.session, customer_id=turn.customer_id)
    if all(r.in_all and r.sku in cart.quantities for r in requests):
        # "and I only need one bucket": how many of what is in the cart, in all.
        for request in requests:
            cart_edits.apply_change(turn, cart, request.sku, lang.number_words(request.quantity))
            cart = carts.get_cart(turn.session, customer_id=turn.customer_id)
        return
    added = [] if added is None else added
    problems = [] if problems is None else problems
    changed: list[str] = []
    base: dict | None = None  # the item just added, which "large" or "one red" refines
    consumed: set[int] = set()  # requests already read as options of an earlier one
    for position, request in enumerate(requests):
        if position in consumed:
            continue
        # Lines read from entities are already whole; words may still refine the last one.
        if base is not None and not request.sku and _extends_base(turn, base, request, added,
                                                                   problems):  # fmt: skip
            continue
        if not request.mention:
            last = turn.slot("last_item")
            if not last:
                problems.append(tr(turn, "Sorry, which product would you like more of?"))
                continue
            product = product_by_sku(turn, last["sku"])
            if add_product(turn, product, request.quantity, last["options"], added, problems):
                base = base_line(turn, request.quantity, len(added) - 1)
            continue
        candidates, quantity = item_choice.candidates_for(turn, request)
        request = dataclasses.replace(request, quantity=quantity)
        choice = pick(candidates)
        if choice.best is None and not choice.alternatives:
            options = _only_options(turn, request.mention)
            last = turn.slot("last_item")
            if options and base is not None and base["remaining"] > 0:
                # "a red leash, large", "two collars, one blue and one black"
                wanted = request.quantity if request.quantity_said else base["remaining"]
                refine_line(turn, base, options, min(wanted, base["remaining"]))
                added[base["index"]] = base_description(turn, base)
                continue
            in_cart = carts.get_cart(turn.session, customer_id=turn.customer_id).quantities
            if options and last["sku"] not in in_cart:
                # "how much is a dog bed?" ... "a medium one please"
                product = product_by_sku(turn, last["sku"])
                if add_product(turn, product, request.quantity, options, added, problems):
                    base = base_line(turn, request.quantity, len(added) - 1)
                continue
            if options:
                # "the large one" about what is already in the cart: a change, not an addition.
                item = carts.change_options(
                    turn.session, customer_id=turn.customer_id, sku=last["sku"], options=options
                )
                turn.set("last_item", {**last, "options": item.options})
                changed.append(
                    describe_item(
                        turn, product_by_sku(turn, last["sku"]), item.quantity, item.options
                    )
                )
                continue
            if (
                len(tokens(request.mention)) > 2
                and not product_words.known_words(turn, request.mention)
                and not added
                and len(requests) == 1
                and may_redirect(turn)
            ):
                conversation.not_understood(turn)  # "i want to fly to the moon" is not an order
                return
            problems.append(
                tr(
                    turn,
                    "Sorry, I couldn't find {mention} in our catalog.",
                    mention=request.mention,
                )
            )
            continue
        following = requests[position + 1] if position + 1 < len(requests) else None
        narrowed = (
            None
            if choice.best
            else item_choice.narrowed_by_options(turn, choice, request, following)
        )
        if narrowed is not None:
            choice = dataclasses.replace(choice, best=narrowed[0], alternatives=[])
            if narrowed[1]:
                consumed.add(position + 1)
        if choice.best is None:
            skus = [c.sku for c in choice.alternatives[:MAX_CHOICES]]
            turn.set_pending(
                ChooseProduct(
                    skus=skus,
                    quantity=request.quantity,
                    options=choice.alternatives[0].options,
                    rest=[dataclasses.asdict(r) for r in requests[position + 1 :]],
                )
            )
            say_added(turn, added, problems, end="", changed=changed)
            turn.say(
                tr(
                    turn,
                    "Which {mention} would you like: {choices}?",
                    mention=request.mention,
                    choices=candidates_text(turn, skus),
                )
            )
            return
        best = choice.best
        product = product_by_sku(turn, best.sku)
        quantity = lang.quantity_in_unit(request.quantity, request.said, product.unit)
        if add_product(turn, product, quantity, best.options, added, problems):
            base = base_line(turn, quantity, len(added) - 1)
    say_added(turn, added, problems, changed=changed)


def _extends_base(
    turn: Turn, base: dict, request: lang.ItemRequest, added: list[str], problems: list[str]
) -> bool:
    """Words about the item just added rather than a new product: 'two lattes, one with oat
    milk' (some of them change), 'two everything bagels and a plain one' (one more, another
    way). Returns whether the request was handled."""
    mention = request.mention
    if not mention:
        return False
    product = product_by_sku(turn, base["sku"])
    options = product_words.options_in_text(product, mention)
    if not options:
        return False
    leading = re.match(r"^(?:with|in)\b", mention) is not None
    if not leading and resolve_mention(turn.session, mention=mention):
        return False  # "a latte and oat milk": a carton of oat milk, not a change
    if re.search(r"\b(?:one|ones)$", mention) and not leading:
        # "and a plain one": another of the same product, with these options.
        if add_product(
            turn, product, request.quantity, {**base["options"], **options}, added, problems
        ):
            base.update(base_line(turn, request.quantity, len(added) - 1))
        return True
    if base["remaining"] <= 0:
        return False
    wanted = request.quantity if request.quantity_said else base["remaining"]
    refine_line(turn, base, options, min(wanted, base["remaining"]))
    added[base["index"]] = base_description(turn, base)
    return True


def base_line(turn: Turn, quantity: int, index: int) -> dict:
    last = turn.slot("last_item")
    return {"sku": last["sku"], "options": dict(last["options"]), "remaining": quantity,
            "index": index, "parts": []}  # fmt: skip


def refine_line(turn: Turn, base: dict, options: dict[str, str], quantity: int) -> None:
    """Moves `quantity` of the item just added to other options: 'two collars, one blue ...'."""
    product = product_by_sku(turn, base["sku"])
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


def base_description(turn: Turn, base: dict) -> str:
    product = product_by_sku(turn, base["sku"])
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
    return turn.wording.join_words(turn.wording.describe_lines(lines, say_defaults=True))


def say_added(
    turn: Turn,
    added: list[str],
    problems: list[str],
    end: str = "default",
    changed: list[str] | None = None,
) -> None:
    parts = []
    if changed:
        parts.append(tr(turn, "Okay, changed to {items}.", items=turn.wording.join_words(changed)))
    if added:
        parts.append(tr(turn, "Added {join_items}.", join_items=turn.wording.join_items(added)))
    parts.extend(problems)
    if end == "default" and (added or changed) and turn.pending is None:
        parts.append(tr(turn, "Anything else?"))
    if parts:
        turn.say(" ".join(parts))
