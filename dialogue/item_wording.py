"""Saying a cart item the way a person would, for any store's option groups.

"an iced mocha with almond milk", "a large red nylon leash", "a latte, with 2% milk, our
default". The catalog only tells us group names and values (the first value of a group is its
default), so the wording is decided from those, never from a list of one store's options:

- Only what the shopper chose, or must know, is said. A value other than the default was
  always chosen; a default that was only assumed is stated once, when the item is added, and
  only when it is substantive ("2% milk", "small") - not "none", "regular", "standard", nor
  the plain form of a group whose other values are all changes made to it (hot vs iced).
- A value reads as an adjective before the name when its group names a property (size,
  temperature, colour, ...) or when it is a clipped form of the group word ("decaf" for
  caffeine, "spicy" for spice); otherwise it goes after "with", as "value group" when the
  group is a thing the value qualifies ("almond milk", "vanilla syrup"), or as the value alone
  when it already says the group ("extra ice") or the group lists additions ("with sprinkles").
- "none"/"no" values are never adjectives: "with no syrup" when the shopper asked for it.
- In a list (cart, read-back, order status), lines of one product that differ in a group say
  it where that tells them apart: "a small latte and a large latte", "a latte and an iced
  latte" (a trivial default stays unsaid there too).
Pure functions: no database, no Rasa.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from commerce.resolver import singular
from dialogue.language import COUNT_SUFFIX, join_words, quantity_phrase

OptionGroups = Mapping[str, Sequence[str]]

# English nouns that name a property of the item rather than a thing in it: their values
# describe the item ("a large iced latte", "a 60 W bulb"). Tiers follow the order English
# stacks adjectives in (size, age, shape, condition, colour, origin, material, type), so
# "a large red leash", never "a red large leash".
PROPERTY_TIERS: tuple[tuple[str, ...], ...] = (
    ("size", "length", "width", "height", "depth", "weight", "capacity", "volume", "wattage",
     "voltage", "power", "strength"),
    ("age",),
    ("shape", "fit", "cut"),
    ("temperature", "temp", "heat"),
    ("colour", "color", "shade", "tone", "finish", "pattern", "texture"),
    ("origin",),
    ("material", "fabric"),
    ("flavour", "flavor", "scent", "style", "type", "kind", "variety", "model", "edition",
     "version"),
)  # fmt: skip
PROPERTY_RANK = {group: rank for rank, tier in enumerate(PROPERTY_TIERS) for group in tier}
# Adjectives not from a property group ("decaf", "regular") stand just before the material
# and type words: "an iced decaf caramel mocha".
OTHER_ADJECTIVE_RANK = PROPERTY_RANK["origin"]
# Groups that list things added to the item: the value alone says it ("with sprinkles").
ADDITION_GROUPS = frozenset(
    ["topping", "toppings", "extra", "extras", "add-on", "add-ons", "addon", "addons", "side",
     "sides", "garnish", "garnishes"]
)  # fmt: skip
# Values that mean "nothing": never an adjective ("a none mocha"), and a default not worth
# saying. "no foam" and "without ice" are caught by their first word.
NONE_WORDS = frozenset(["none", "no", "nothing", "without", "n/a", "na", "nil"])
# Values that mean "the usual one": as a default, not worth saying.
UNMARKED_WORDS = frozenset(
    ["regular", "standard", "normal", "default", "usual", "ordinary", "original", "classic"]
)
# "single", "double shot": one portion of a counted thing, said with an article.
MULTIPLIERS = frozenset(["single", "double", "triple", "quadruple", "quad"])
_WORD_SPLIT = re.compile(r"[\s\-/]+")


@dataclass(frozen=True)
class Said:
    """One option as spoken: an adjective before the name, or a thing after "with"."""

    text: str
    adjective: bool
    rank: int = 0


@dataclass(frozen=True)
class ItemLine:
    """One line to describe: a cart line, an order line."""

    quantity: int
    name: str
    unit: str
    options: Mapping[str, str]
    # The product's option groups, defaults first; empty when the product is gone.
    groups: OptionGroups = field(default_factory=dict)


def is_none_value(value: str) -> bool:
    words = value.split()
    return bool(words) and (value in NONE_WORDS or words[0] in ("no", "without"))


def _words(text: str) -> list[str]:
    return [w for w in _WORD_SPLIT.split(text.lower()) if w]


def _participle(value: str) -> bool:
    """'iced', 'blended', 'toasted': the item with something done to it ('red', 'seed' are not)."""
    return (
        " " not in value and len(value) >= 4 and value.endswith("ed") and not value.endswith("eed")
    )


def _clipped_from(group: str, value: str) -> bool:
    """'decaf' for caffeine, 'spicy' for spice: the value is a form of the group word, so it
    describes the item and "decaf caffeine" would say the group twice."""
    return len(group) >= 4 and " " not in value and value != group and group[:3] in value


def _says_group(group: str, value: str) -> bool:
    """'extra ice' for the group ice, 'double shot' for shots: "extra ice ice" would repeat it."""
    wanted = {singular(w) for w in _words(group)}
    return bool(wanted) and wanted <= {singular(w) for w in _words(value)}


def _with_article(phrase: str) -> str:
    return ("an " if phrase[:1] in "aeiou" else "a ") + phrase


def option_phrase(group: str, value: str) -> Said | None:
    """How one chosen option is said: ('temp', 'iced') -> adjective 'iced'; ('milk', 'almond')
    -> 'almond milk' after "with"; ('shots', 'double') -> 'a double shot'; ('syrup', 'none') ->
    'no syrup'."""
    group, value = group.strip().lower(), " ".join(value.lower().split())
    if not value:
        return None
    if is_none_value(value):
        words = value.split()
        if value in NONE_WORDS:
            return Said(f"no {group}", adjective=False)
        return Said(" ".join(["no", *words[1:]]) if words[0] == "without" else value, False)
    if group in PROPERTY_RANK:
        return Said(value, adjective=True, rank=PROPERTY_RANK[group])
    words = value.split()
    if words[0] in MULTIPLIERS:
        thing = value if len(words) > 1 else f"{value} {singular(group)}"
        return Said(_with_article(thing), adjective=False)
    if value in UNMARKED_WORDS or _clipped_from(group, value):
        return Said(value, adjective=True, rank=OTHER_ADJECTIVE_RANK)
    if group in ADDITION_GROUPS or _says_group(group, value):
        return Said(value, adjective=False)
    return Said(f"{value} {group}", adjective=False)


def default_worth_stating(group: str, values: Sequence[str]) -> bool:
    """Whether a shopper who did not choose this group must hear its default: "2% milk" and
    "small" yes; "none", "regular", "standard" no, nor "hot" when the only other choice is
    "iced" (the plain form is what anyone expects)."""
    if not values:
        return False
    default = " ".join(values[0].lower().split())
    if not default or is_none_value(default) or default in UNMARKED_WORDS:
        return False
    others = [v.lower().strip() for v in values[1:]]
    return not (others and all(_participle(v) for v in others))


def _is_default(group: str, value: str, groups: OptionGroups) -> bool:
    values = groups.get(group) or ()
    return bool(values) and values[0] == value


def _worth_saying_unprompted(group: str, value: str, groups: OptionGroups) -> bool:
    """A value said without the shopper having asked: any non-default one, or a default
    worth stating. With the product's groups unknown (an old order line), everything but
    "none" and "the usual" is said."""
    if group not in groups:
        return not is_none_value(value) and value not in UNMARKED_WORDS
    if not _is_default(group, value, groups):
        return True
    return default_worth_stating(group, groups[group])


def _phrase(quantity: int, name: str, unit: str, said: Sequence[Said]) -> str:
    name_words = set(_words(COUNT_SUFFIX.sub("", name)))
    # "Oat Milk Latte" with milk=oat: the name already says it.
    said = [s for s in said if not set(_words(s.text)) <= name_words]
    adjectives = [s.text for s in sorted((s for s in said if s.adjective), key=lambda s: s.rank)]
    things = [s.text for s in said if not s.adjective]
    count = COUNT_SUFFIX.search(name)
    base = COUNT_SUFFIX.sub("", name)
    named = " ".join([*adjectives, base]) + (count.group(0) if count else "")
    phrase = quantity_phrase(quantity, named, unit)
    if things:
        phrase += " with " + join_words(things)
    return phrase


def _clause(said: Sequence[Said], joiner: str) -> str:
    """Defaults stated after the item: 'small, with whole milk', 'small and red'; `joiner`
    is "and" when the item already has its "with" ("with a double shot, and 2% milk")."""
    adjectives = [s.text for s in sorted((s for s in said if s.adjective), key=lambda s: s.rank)]
    things = [s.text for s in said if not s.adjective]
    parts = [join_words(adjectives)] if adjectives else []
    if things:
        parts.append(f"{joiner} " + join_words(things))
    return ", ".join(parts)


def describe_item(
    quantity: int,
    name: str,
    unit: str,
    options: Mapping[str, str] | None,
    groups: OptionGroups | None = None,
    *,
    say_defaults: bool = False,
    distinguish: frozenset[str] = frozenset(),
) -> str:
    """A line as it stands: its non-default options; `say_defaults` adds the defaults worth
    stating (a reply about items just added); `distinguish` names groups said whatever their
    value, to tell lines apart. (2, 'Caffe Latte', 'cup', {'size': 'large', 'milk': 'oat'})
    -> 'two large caffe lattes with oat milk'."""
    said = _said_options(options or {}, groups or {}, say_defaults, distinguish)
    return _phrase(quantity, name, unit, said)


def _said_options(
    options: Mapping[str, str],
    groups: OptionGroups,
    say_defaults: bool,
    distinguish: frozenset[str],
) -> list[Said]:
    said = []
    for group, value in options.items():
        if not value:
            continue
        if group in groups and _is_default(group, value, groups):
            # Telling lines apart needs a default only when it says something: "a small
            # latte and a large latte", but "a latte and an iced latte", "a chai latte and a
            # vanilla chai latte" (never "with no flavour" just to be different).
            worth = default_worth_stating(group, groups[group])
            wanted = worth and (say_defaults or group in distinguish)
        else:
            wanted = _worth_saying_unprompted(group, value, groups)
        phrase = option_phrase(group, value) if wanted else None
        if phrase is not None:
            said.append(phrase)
    return said


def describe_added(
    quantity: int,
    name: str,
    unit: str,
    options: Mapping[str, str],
    groups: OptionGroups,
    assumed: Mapping[str, str],
) -> str:
    """An item just added: what the shopper chose, then the assumed defaults worth stating,
    once: 'an iced mocha with almond milk'; 'a latte, with 2% milk, our default'; 'two plain
    bagels, our default'; 'a blue padded collar, small, our default'."""
    chosen = {g: v for g, v in options.items() if g not in assumed}
    # A chosen default is said when it is worth saying ("a small latte"), not "a regular,
    # standard latte with no flavour" when "another one" repeats every option of the last.
    said = _said_options(chosen, groups, True, frozenset())
    stated = [
        phrase
        for group, value in assumed.items()
        if group in groups and default_worth_stating(group, groups[group])
        for phrase in [option_phrase(group, value)]
        if phrase is not None
    ]
    ours = f"our default{'s' if len(stated) > 1 else ''}"
    if not stated:
        return _phrase(quantity, name, unit, said)
    if not said:
        # Nothing chosen: assumed adjectives stand in their place ("a small red leash, our
        # defaults"); things after "with" get their own clause ("a latte, with 2% milk").
        adjectives = [s for s in stated if s.adjective]
        phrase = _phrase(quantity, name, unit, adjectives)
        rest = [s for s in stated if not s.adjective]
        return f"{phrase}, {_clause(rest, 'with')}, {ours}" if rest else f"{phrase}, {ours}"
    # Chosen and assumed mixed: the defaults after the item, so "our default" is clearly
    # about them ("a blue padded collar, small, our default").
    joiner = "and" if any(not s.adjective for s in said) else "with"
    return f"{_phrase(quantity, name, unit, said)}, {_clause(stated, joiner)}, {ours}"


def describe_lines(lines: Sequence[ItemLine], *, say_defaults: bool = False) -> list[str]:
    """Several lines (a cart, an order): each as `describe_item`, with groups in which lines
    of the same product differ said on all of them ('a caffe latte with whole milk and a caffe
    latte with oat milk'). With `say_defaults` (items just added), a default after "with" that
    all lines of a product share is said once, after the last of them ('an iced chai latte
    and an iced vanilla chai latte, with 2% milk, our default')."""
    by_name: dict[str, list[ItemLine]] = {}
    for line in lines:
        by_name.setdefault(line.name, []).append(line)
    described = []
    for line in lines:
        same = by_name[line.name]
        differ = frozenset(
            group
            for group in line.options
            if len({other.options.get(group, "") for other in same}) > 1
        )
        shared = _shared_defaults(line, differ) if say_defaults else {}
        options = {g: v for g, v in line.options.items() if g not in shared}
        said = _said_options(options, line.groups, say_defaults, differ)
        phrase = _phrase(line.quantity, line.name, line.unit, said)
        if shared and line is same[-1]:
            joiner = "and" if any(not s.adjective for s in said) else "with"
            ours = f"our default{'s' if len(shared) > 1 else ''}"
            phrase += f", {_clause(list(shared.values()), joiner)}, {ours}"
        described.append(phrase)
    return described


def _shared_defaults(line: ItemLine, differ: frozenset[str]) -> dict[str, Said]:
    """Defaults worth stating, said after "with", that no line of the product differs in."""
    shared = {}
    for group, value in line.options.items():
        if group in differ or not _is_default(group, value, line.groups):
            continue
        said = option_phrase(group, value)
        if said is not None and not said.adjective:
            if default_worth_stating(group, line.groups[group]):
                shared[group] = said
    return shared


def join_items(phrases: list[str]) -> str:
    """Items said in one breath. When one carries its own commas ('a latte, with 2% milk, our
    default'), a comma before the last "and" keeps the next item from running into it."""
    if len(phrases) < 2 or not any("," in p for p in phrases):
        return join_words(phrases)
    return ", ".join(phrases[:-1]) + ", and " + phrases[-1]


def describe_price_changes(
    changes: Mapping[str, Mapping[str, int]], money: Callable[[int], str]
) -> str:
    """What option values add to the price, said once after the price: 'a medium is 50
    cents more, a large 1 dollar more and oat milk 60 cents more' (negative: 'less')."""
    parts = []
    for group, by_value in changes.items():
        for value, cents in by_value.items():
            said = option_phrase(group, value)
            if said is None or not cents:
                continue
            thing = _with_article(said.text) if said.adjective else said.text
            parts.append((thing, f"{money(abs(cents))} {'more' if cents > 0 else 'less'}"))
    if not parts:
        return ""
    first, *rest = parts
    return join_words([f"{first[0]} is {first[1]}", *(f"{t} {m}" for t, m in rest)])
