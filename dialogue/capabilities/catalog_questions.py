"""Questions about the catalog: prices, stock, options, categories, "what's your cheapest..."
and one-sentence recommendations."""

from __future__ import annotations

import re

from sqlalchemy import distinct, select

from commerce import cart as carts
from commerce.insights import best_sellers, bought_together
from commerce.models import Product
from commerce.resolver import Candidate, pick, resolve_mention, tokens
from dialogue import language as lang
from dialogue.capabilities import (
    adding,
    cart_edits,
    conversation,
    korean_reading,
    product_words,
    suggestion_limits,
)
from dialogue.capabilities.pending import ChooseProduct, SuggestProduct
from dialogue.capabilities.turns import (
    MAX_CHOICES,
    Turn,
    may_redirect,
    product_by_sku,
)
from dialogue.entity_items import product_entities
from dialogue.replies import tr

# Why a product is suggested (which sentence suggests it).
PEOPLE_OFTEN_GET = "bought together"
HOW_ABOUT = "best seller"

QUESTION_CUE = (
    r"\?|\b(?:how|what|what's|whats|which|who|why|when|where|is|are|does|do|did|can you tell|"
    r"tell me|describe|price|cost|stock|available|any left|have you got)\b"
)


CART_WORDS = frozenset(
    "all together altogether total everything so far that it in my the cart basket order "
    "come comes to owe this lot whole".split()
)  # fmt: skip


def product_info(turn: Turn) -> None:
    if answer_superlative(turn):
        return
    text = lang.normalise(turn.text)
    if (
        not re.search(QUESTION_CUE, text)
        and lang.strip_request_words(text) != text.strip(" ,")
        and may_redirect(turn)
    ):
        adding.add_items(turn)  # "I'll have the salmon pouches" is an order, not a question
        return
    if turn.language == "ko":
        mention = korean_reading.question_subject(turn.text)
    else:
        mention = product_words.mention_from_question(turn.text)
    if mention in lang.REFERENCES or mention in ("they", "those ones", "the one", "one"):
        mention = ""  # "is it in stock?": the product just talked about
    words = set(re.split(r"[\s,]+", mention)) - {""}
    if (
        words
        and words <= CART_WORDS
        and words
        & {"all", "together", "altogether", "total", "everything", "cart", "basket", "far"}
    ):
        cart_edits.view_cart(turn)  # "how much is that all together"
        return
    asked = product_entities(turn.entities)
    if len(asked) == 1 and not asked[0].get("alternatives"):
        # The NLU named the product ("what would a fifty foot hose run me"): no need to find it
        # again in the words around it.
        options = {
            str(e.get("role")): str(e["value"])
            for e in turn.entities
            if e.get("entity") == "option" and e.get("role")
        }
        candidates = [Candidate(str(asked[0]["value"]), "", 1.0, options)]
    elif not mention:
        last = turn.slot("last_item")
        if not last:
            turn.say(tr(turn, "Which product would you like to know about?"))
            return
        candidates = [Candidate(last["sku"], "", 1.0)]
    else:
        candidates = resolve_mention(turn.session, mention=mention)
    if not candidates:
        if answer_category(turn, mention):
            return
        if set(tokens(mention)) & {"yourself", "you", "your", "yours", "u"} and may_redirect(turn):
            conversation.not_understood(turn)  # "tell me about yourself"
            return
        turn.say(tr(turn, "Sorry, we don't seem to have {mention}.", mention=mention))
        return
    choice = pick(candidates)
    if choice.best is None:
        products = [product_by_sku(turn, c.sku) for c in choice.alternatives[:MAX_CHOICES]]
        listed = [
            tr(
                turn,
                "{name} at {price}",
                name=turn.wording.spoken_name(p.name),
                price=turn.money(p.price_cents),
            )
            + ("" if p.stock > 0 else tr(turn, ", out of stock"))
            for p in products
        ]
        # "the second one, please" can follow.
        turn.set_pending(ChooseProduct(skus=[p.sku for p in products]))
        turn.say(tr(turn, "We have {items}.", items=turn.wording.join_words(listed)))
        return
    product = product_by_sku(turn, choice.best.sku)
    # "Great, two of those": what was just asked about is what "those" means next.
    turn.set("last_item", {"sku": product.sku, "options": choice.best.options, "quantity": 0})
    name = turn.wording.spoken_name(product.name)
    chosen = _valid_options(product, choice.best.options)
    price = turn.money(product.unit_price_for(carts.complete_options(product, chosen)[0]))
    unit = turn.wording.per_unit(product.unit)
    cues = (korean_reading if turn.language == "ko" else product_words).question_cues(text)
    asks_stock, asks_what, asks_price, asks_options = cues
    choices = options_text(turn, product)
    parts = []
    if asks_options and choices:
        parts.append(
            tr(
                turn,
                "The {name} comes in {choices}. It's {price}{unit}.",
                name=name,
                choices=choices,
                price=price,
                unit=unit,
            )
        )
        parts.append(_price_changes(turn, product, chosen))
        if product.stock <= 0:
            parts.append(tr(turn, "It's out of stock right now, though."))
    elif asks_stock and not asks_price:
        if product.stock > 0:
            parts.append(
                tr(
                    turn,
                    "Yes, the {name} {is_are} in stock, {price}{unit}.",
                    name=name,
                    is_are=turn.wording.is_are(name),
                    price=price,
                    unit=unit,
                )
            )
        else:
            parts.append(
                tr(
                    turn,
                    "Sorry, {name} {is_are} out of stock right now.",
                    name=name,
                    is_are=turn.wording.is_are(name),
                )
            )
            alternative = adding.alternative_to(turn, product)
            if alternative is not None:
                thing = turn.wording.quantity_phrase(1, alternative.name, alternative.unit)
                parts.append(
                    tr(
                        turn,
                        "We do have {thing}, {price}.",
                        thing=thing,
                        price=turn.money(alternative.price_cents),
                    )
                )
                turn.set_pending(SuggestProduct(sku=alternative.sku))
                parts.append(tr(turn, "Would you like that instead?"))
    elif asks_what and not asks_price:
        description = product.description.rstrip(".")
        if description[:2].istitle() or description[:1].isupper() and description[1:2].islower():
            description = description[:1].lower() + description[1:]
        parts.append(
            tr(
                turn,
                "{capitalize}: {description}.",
                capitalize=name.capitalize(),
                description=description,
            )
        )
        parts.append(tr(turn, "It's {price}{unit}.", price=price, unit=unit))
    elif product.option_price_changes():
        # "How much is a large latte?": the price with the options said (or the defaults of
        # the groups that change it), then what the other choices add.
        priced = {g: product.default_options()[g] for g in product.option_price_changes()}
        thing = turn.wording.describe_item(
            1, product.name, product.unit, chosen or priced, product.option_groups(),
            say_defaults=True,
        )  # fmt: skip
        parts.append(
            tr(
                turn,
                "{upper}{value} is {price}.",
                upper=thing[:1].upper(),
                value=thing[1:],
                price=price,
            )
        )
        parts.append(_price_changes(turn, product, chosen))
    else:
        parts.append(
            tr(
                turn,
                "{capitalize} is {price}{unit}.",
                capitalize=name.capitalize(),
                price=price,
                unit=unit,
            )
        )
        if choices:
            parts.append(tr(turn, "It comes in {choices}.", choices=choices))
        if product.stock <= 0:
            parts.append(tr(turn, "It's out of stock right now, though."))
    turn.say(" ".join(part for part in parts if part))


def _valid_options(product: Product, options: dict[str, str] | None) -> dict[str, str]:
    """The options a question named, those the product has (a resolver guess may not fit)."""
    groups = product.option_groups()
    return {g: v for g, v in (options or {}).items() if v in groups.get(g, ())}


def _price_changes(turn: Turn, product: Product, chosen: dict[str, str]) -> str:
    """'A medium is 50 cents more and a large 1 dollar more.' for groups not already chosen."""
    changes = {g: c for g, c in product.option_price_changes().items() if g not in chosen}
    sentence = turn.wording.describe_price_changes(changes, turn.money)
    return tr(turn, "{sentence}.", sentence=sentence[:1].upper() + sentence[1:]) if sentence else ""


def options_text(turn: Turn, product: Product) -> str:
    """'red, blue or black, and small, medium or large' for a product's option groups."""
    groups = []
    for group, values in product.option_groups().items():
        listed = turn.wording.join_words(list(values), "or")
        plain = group in ("size", "color", "colour", "flavor", "flavour")
        groups.append(listed if plain else tr(turn, "{listed} {group}", listed=listed, group=group))
    if len(groups) == 2:
        return tr(turn, "{first}, and {second}", first=groups[0], second=groups[1])
    return ", ".join(groups)


SUPERLATIVE = re.compile(
    r"\b(?:(?P<low>cheapest|least expensive|lowest priced|cheapest priced|most affordable)|"
    r"(?P<high>most expensive|priciest|dearest|highest priced|fanciest))\b"
)


def answer_superlative(turn: Turn) -> bool:
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
        for category in category_names(turn):
            if wanted <= set(tokens(category)) | {"food"} and wanted & set(tokens(category)):
                products += list(turn.session.scalars(
                    select(Product).where(Product.category == category,
                                          Product.active.is_(True))))  # fmt: skip
        if not products:
            for c in resolve_mention(turn.session, mention=rest, limit=10):
                if c.score >= 0.5:
                    products.append(product_by_sku(turn, c.sku))
    else:
        products = list(turn.session.scalars(select(Product).where(Product.active.is_(True))))
    products = [p for p in products if p.stock > 0]
    if not products:
        return False
    pick_one = min if m.group("low") else max
    product = pick_one(products, key=lambda p: (p.price_cents, p.name))
    word = tr(turn, "cheapest") if m.group("low") else tr(turn, "most expensive")
    unit = turn.wording.per_unit(product.unit)
    turn.set("last_item", {"sku": product.sku, "options": {}, "quantity": 0})
    turn.say(
        tr(
            turn,
            "Our {word} is {name}, {price}{unit}.",
            word=word,
            name=turn.wording.spoken_name(product.name),
            price=turn.money(product.price_cents),
            unit=unit,
        )
    )
    return True


def category_names(turn: Turn) -> list[str]:
    return [
        c
        for c in turn.session.scalars(
            select(distinct(Product.category)).where(Product.active.is_(True))
        )
        if c
    ]


def answer_category(turn: Turn, mention: str) -> bool:
    wanted = set(tokens(mention))
    if not wanted:
        return False
    scored = []
    for category in category_names(turn):
        words = set(tokens(category))
        if wanted & words:
            scored.append((len(wanted & words) / len(wanted | words), category))
    if not scored:
        return False
    best = max(score for score, _ in scored)
    tied = sorted(category for score, category in scored if score == best)
    if len(tied) > 1:
        turn.say(
            tr(
                turn,
                "We have {items}. Which would you like to hear about?",
                items=turn.wording.join_words(tied),
            )
        )
        return True
    category = tied[0]
    products = list(
        turn.session.scalars(
            select(Product)
            .where(Product.category == category, Product.active.is_(True))
            .order_by(Product.name)
        )
    )
    names = [turn.wording.spoken_name(p.name) for p in products[:6]]
    more = (
        tr(turn, ", and {count} more", count=turn.wording.number_words(len(products) - 6))
        if len(products) > 6
        else ""
    )
    turn.say(
        tr(
            turn,
            "In {category} we have {items}{more}.",
            category=category,
            items=turn.wording.join_words(names),
            more=more,
        )
    )
    return True


def category_info(turn: Turn) -> None:
    if answer_superlative(turn):
        return
    if turn.language == "ko":
        mention = korean_reading.question_subject(turn.text)
    else:
        mention = product_words.mention_from_question(turn.text)
    mention = re.sub(r"\b(?:do you have|you have|have|sell|in|the|section|aisle|what|got)\b",
                     " ", mention).strip()  # fmt: skip
    categories = {" ".join(tokens(c)): c for c in category_names(turn)}
    if mention and " ".join(tokens(mention)) not in categories:
        # "do you have a scratcher for my cat" names a product, not the cat aisle.
        candidates = resolve_mention(turn.session, mention=mention)
        if (
            candidates
            and candidates[0].score >= 0.9
            and pick(candidates).best is not None
            and may_redirect(turn)
        ):
            product_info(turn)
            return
    if mention and answer_category(turn, mention):
        return
    if mention:
        candidates = resolve_mention(turn.session, mention=mention, limit=6)
        if candidates:
            names = [turn.wording.spoken_name(c.name) for c in candidates]
            turn.say(tr(turn, "We have {items}.", items=turn.wording.join_words(names)))
            return
    turn.say(
        tr(
            turn,
            "We have {items}. Which would you like to hear about?",
            items=turn.wording.join_words(category_names(turn)),
        )
    )


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
    if answer_superlative(turn):
        return
    cart = carts.get_cart(turn.session, customer_id=turn.customer_id)
    # Never suggested: what is in the cart already, and what the shopper said no to.
    in_cart = set(cart.quantities) | suggestion_limits.declined(turn)
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
                and may_redirect(turn)
            ):
                product_info(turn)  # "what about batteries": a question about a product
                return
        elif candidates:
            # "for a new kitten": something from the aisle those words point at.
            category = product_by_sku(turn, candidates[0].sku).category
        else:
            wanted = set(tokens(mention))
            category = next((c for c in category_names(turn) if wanted & set(tokens(c))), None)
    elif not mention or not tokens(mention):
        # "what goes with this": the item just talked about, or the last one in the cart.
        last = turn.slot("last_item")
        subject = last["sku"] if last else (cart.items[-1].sku if cart.items else None)
    if not suggestion_limits.may_recommend(turn):
        # One recommendation a conversation: a vague turn does not get a second one.
        turn.say(tr(turn, "Is there something in particular you're looking for?"))
        return
    suggestion: Product | None = None
    reason = ""
    if subject:
        for sku in bought_together(turn.session, sku=subject, limit=5):
            product = product_by_sku(turn, sku)
            if sku not in in_cart and product.active and product.stock > 0:
                suggestion, reason = product, PEOPLE_OFTEN_GET
                break
    if suggestion is None:
        category = product_by_sku(turn, subject).category if subject else category
        for sku in best_sellers(turn.session, category=category, limit=6):
            if sku not in in_cart and sku != subject:
                suggestion, reason = product_by_sku(turn, sku), HOW_ABOUT
                break
    if suggestion is None:
        turn.say(tr(turn, "I don't have a suggestion right now. Anything else?"))
        return
    with_what = (
        tr(
            turn,
            " with the {name}",
            name=turn.wording.spoken_name(product_by_sku(turn, subject).name),
        )
        if subject and reason == PEOPLE_OFTEN_GET
        else ""
    )
    turn.set_pending(SuggestProduct(sku=suggestion.sku))
    suggestion_limits.count_recommendation(turn)
    thing = turn.wording.quantity_phrase(1, suggestion.name, suggestion.unit)
    price = turn.money(suggestion.price_cents)
    # One sentence: a suggestion, not a sales pitch.
    if reason == HOW_ABOUT:
        turn.say(tr(turn, "How about {thing}, for {price}?", thing=thing, price=price))
        return
    turn.say(
        tr(
            turn,
            "People often get {thing}{with_what}: would you like one, for {price}?",
            thing=thing,
            with_what=with_what,
            price=price,
        )
    )
