"""Finding what a shopper's words name in the live catalog: products, option values,
quantities and ordinals, anywhere in an utterance ("can I please get a cortado with non-fat
milk" -> product CORTADO, option milk=non-fat). Pure functions over the resolver's index: no
Rasa, no database; `dialogue.nlu.catalog_mentions` runs them inside Rasa's pipeline.

A product mention is a run of consecutive catalog words (names, aliases, option values, or
near-misspellings of them) that the resolver scores as one product; option values attach to
the nearest product that offers them. Words are never matched by a list of phrases: what
counts as a product or an option comes from the catalog alone.
"""

from __future__ import annotations

import re
import weakref
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from commerce.option_words import Groups, initials, option_tokens, options_in, same_word
from commerce.resolver import CatalogIndex, pick, tokens
from dialogue.language import NUMBER_WORDS, ORDINALS, counted_phrases

# The words the featurizers see instead of the catalog's own: intent classification never
# depends on which products a store sells. Training examples use these words directly.
PRODUCT = "product"
OPTION = "option"
NUMBER = "number"
ORDINAL = "ordinal"

# A run of catalog words is a product mention when the resolver scores it this well (the
# threshold dialogue.capabilities uses for "clearly names a product").
PRODUCT_MIN_SCORE = 0.75
# A word the catalog does not use counts as a misspelling of one that it does at this
# rapidfuzz ratio (stricter than the resolver's, which only ranks words already in a mention).
FUZZY_WORD_CUTOFF = 86
FUZZY_MIN_LENGTH = 6  # shorter words have too many neighbours: "began", "bean"
# "one" is a pronoun as often as a number ("the oat one"): it stays a word for the classifier.
KEPT_NUMBER_WORDS = frozenset({"one"})
# "last time", "top shelf": ordinals whose other senses are commoner stay words too.
KEPT_ORDINAL_WORDS = frozenset({"last", "top"})
# What Rasa's whitespace tokenizer leaves of a word after an apostrophe: "plumber's", "I'm".
CLITICS = frozenset({"s", "m", "t", "d", "ll", "re", "ve"})
# "the oat one", "the blue ones": an option value before these picks among products.
ONE_WORDS = frozenset({"one", "ones"})


@dataclass(frozen=True)
class Mention:
    """What a span of words [start, end) (word positions) names."""

    kind: str  # PRODUCT, OPTION, NUMBER or ORDINAL
    start: int
    end: int
    value: str | int  # a SKU, an option value, a quantity, or an ordinal (0-based, -1: last)
    group: str = ""  # an option's group: "milk"
    score: float = 1.0
    alternatives: tuple[str, ...] = ()  # SKUs as close as `value`: "which one?"
    # Whether the featurizers see the placeholder instead of these words.
    replaced: bool = True


@dataclass
class _Catalog:
    """What mention finding needs from one index, computed once per index."""

    position: dict[str, int]  # SKU -> position in index.entries (the index's own table)
    # An option word heard away from any product offering it -> its commonest group.
    value_group: dict[str, str | None]
    groups: list[tuple[Groups, int]]  # each distinct set of option groups, with its products
    # Names and aliases said with words the resolver drops inside them: "cloud and mist".
    bridged: Collection[tuple[str, ...]]
    # Whether a name or alias begins with (a number, the next word's token), looked up as
    # numbers are heard: "a nine volt battery" is one "9 Volt Battery", not nine.
    numbered: dict[tuple[int, str], bool] = field(default_factory=dict)
    fuzzy_cache: dict[str, str | None] = field(default_factory=dict)


_catalogs: weakref.WeakKeyDictionary[CatalogIndex, _Catalog] = weakref.WeakKeyDictionary()


def _catalog(index: CatalogIndex) -> _Catalog:
    # The index keeps these tables current as the catalog changes; only the word caches start
    # empty for each index (a patched catalog may answer them differently).
    found = _catalogs.get(index)
    if found is None:
        found = _Catalog(
            position=index.position,
            value_group={},
            groups=list(index.group_counts.values()),
            bridged=index.bridged.keys(),
        )
        _catalogs[index] = found
    return found


_WORDS = re.compile(r"[A-Za-z0-9]+")
# A number before a word this many products use is not looked up as the start of a name.
MAX_NUMBERED_LOOKUP = 500


def _begins_a_name(index: CatalogIndex, catalog: _Catalog, number: int, word: str) -> bool:
    """Whether some product's name or alias begins with `number` and then `word` (a token)."""
    key = (number, word)
    if key not in catalog.numbered:
        ids = index.postings.get(word, ())
        catalog.numbered[key] = len(ids) <= MAX_NUMBERED_LOOKUP and any(
            len(said) > 1 and _number(said[0]) == number and tokens(said[1])[:1] == [word]
            for idx in ids
            for text, _ in index.entries[idx].phrases
            if (said := _WORDS.findall(text.lower()))
        )
    return catalog.numbered[key]


def _value_group(index: CatalogIndex, catalog: _Catalog, word: str) -> str | None:
    """The group whose values an option word most often names across the catalog, or None."""
    if word not in catalog.value_group:
        groups: Counter[str] = Counter()
        for option_groups, products in catalog.groups:
            for form in option_groups.forms:
                # A word every value of the group has ("pack" of "4 pack") names none of them.
                if any(
                    own and same_word(word, w)
                    for w, own in zip(form.words, form.distinctive, strict=True)
                ):
                    groups[form.group] += products
                    break
            for group, (_, _, name) in option_groups.boolean.items():
                if any(same_word(word, w) for w in name):
                    groups[group] += products
        catalog.value_group[word] = groups.most_common(1)[0][0] if groups else None
    return catalog.value_group[word]


def _catalog_word(index: CatalogIndex, catalog: _Catalog, word: str) -> str | None:
    """The catalog word `word` is (itself, or what it misspells), or None. An option value's
    other spellings ("decaffeinated" for "decaf") are catalog words as they are."""
    if word in index.postings or word in index.option_vocabulary:
        return word
    if len(word) < FUZZY_MIN_LENGTH or not index.vocabulary:
        return catalog.fuzzy_cache.get(word)
    if word not in catalog.fuzzy_cache:
        match = process.extractOne(
            word, index.vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_WORD_CUTOFF
        )
        # "scratch" is not a misspelt "scratcher", nor "prices" "rice": a word inside another
        # is another word.
        if match and (match[0] in word or word in match[0]):
            match = None
        # Bounded: one entry per distinct word heard, and the index is rebuilt on change.
        if len(catalog.fuzzy_cache) < 50_000:
            catalog.fuzzy_cache[word] = match[0] if match else None
        else:
            return match[0] if match else None
    return catalog.fuzzy_cache[word]


def _number(word: str) -> int | None:
    if word.isdigit() and len(word) <= 4:
        return int(word)
    return NUMBER_WORDS.get(word)


def language_mentions(words: list[str]) -> list[Mention]:
    """Quantities and ordinals: the same for every store, so also applied to training data."""
    found = [Mention(NUMBER, start, end, value) for start, end, value in counted_phrases(words)]
    taken = {i for m in found for i in range(m.start, m.end)}
    for i, raw in enumerate(words):
        word = raw.lower()
        if i in taken:
            continue
        number = _number(word)
        if number is not None:
            found.append(Mention(NUMBER, i, i + 1, number, replaced=word not in KEPT_NUMBER_WORDS))
        elif word in ORDINALS:
            found.append(
                Mention(ORDINAL, i, i + 1, ORDINALS[word], replaced=word not in KEPT_ORDINAL_WORDS)
            )
    return sorted(found, key=lambda m: m.start)


def find_mentions(
    words: list[str], index: CatalogIndex | None, *, clitics: bool = True
) -> list[Mention]:
    """Every mention in `words` (an utterance's tokens), in word order. `clitics`: a lone
    "s", "m", "t" after a word is what an apostrophe split off (English); in a language
    without them it is a word of its own (a size "M")."""
    found = language_mentions(words)
    if index is None or not index.entries:
        return found
    catalog = _catalog(index)
    found = _numbers_in_values(found, words, index)
    found = _numbers_in_names(found, words, index, catalog)
    # Single numbers are never catalog words; a phrase like "a dozen" may be part of a name
    # ("a dozen eggs"), and then the name wins.
    numeric = {m.start for m in found if m.kind == NUMBER and m.end - m.start == 1}
    # Per word: its normalised tokens, mapped onto catalog words (None: not a catalog word).
    normal: list[list[str]] = []
    heard: list[list[str]] = []
    for i, raw in enumerate(words):
        # "plumber's" reaches us as "plumber", "s": what an apostrophe split off is a
        # dropped word, so a name said with it is still one run ("plumber's tape").
        clitic = clitics and i > 0 and raw.lower() in CLITICS
        said = [] if i in numeric or clitic else option_tokens(raw)
        heard.append(said)
        normal.append([_catalog_word(index, catalog, tok) or "" for tok in said])
    _drop_group_names_joined_to_values(heard, normal, index)
    _join_split_words(heard, normal, index)
    runs: list[list[int]] = []
    for i, toks in enumerate(normal):
        if toks and all(toks):
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
    runs = _bridge(runs, normal, numeric, catalog)
    products: list[tuple[Mention, int]] = []  # with the entry position
    leftovers: list[list[int]] = []
    for run in runs:
        _products_in(run, normal, index, catalog, products, found, leftovers)
    named = {i for m, _ in products for i in range(m.start, m.end)}
    found = [m for m in found if not named.intersection(range(m.start, m.end))]
    found.extend(m for m, _ in products)
    for run in leftovers:
        picks_one = run[-1] + 1 < len(words) and words[run[-1] + 1].lower() in ONE_WORDS
        found.extend(_loose_options(run, normal, index, catalog, products, picks_one))
    return sorted(found, key=lambda m: (m.start, m.end))


def _drop_group_names_joined_to_values(
    heard: list[list[str]], normal: list[list[str]], index: CatalogIndex
) -> None:
    """A value joined to its group's name is the value: "double-shot" (shots=double)."""
    generic: set[str] | None = None
    for i, toks in enumerate(normal):
        if len(toks) > 1 and any(toks) and not all(toks):
            if generic is None:
                generic = {
                    w
                    for groups in index.option_groups
                    for ws in groups.generic.values()
                    for w in ws
                }
            kept = [k for k, tok in enumerate(toks) if tok or heard[i][k] not in generic]
            if len(kept) < len(toks) and all(toks[k] for k in kept):
                heard[i] = [heard[i][k] for k in kept]
                normal[i] = [toks[k] for k in kept]


def _join_split_words(heard: list[list[str]], normal: list[list[str]], index: CatalogIndex) -> None:
    """Words said apart that the catalog writes as one ("non fat" for "nonfat", "oat milk"
    for "oatmilk", "sugar free" for "sf") are catalog words together."""
    places = [(i, k) for i, said in enumerate(heard) for k in range(len(said))]
    for (i, k), (j, m) in zip(places, places[1:], strict=False):
        if (normal[i][k] and normal[j][m]) or (j != i and j != i + 1):
            continue
        joined = heard[i][k] + heard[j][m]
        abbreviated = initials([heard[i][k], heard[j][m]]).lower()
        if (
            joined in index.option_vocabulary
            or joined in index.postings
            or (len(abbreviated) == 2 and abbreviated in index.option_vocabulary.words)
        ):
            normal[i][k], normal[j][m] = heard[i][k], heard[j][m]


def _numbers_in_values(
    found: list[Mention], words: list[str], index: CatalogIndex
) -> list[Mention]:
    """Numbers that are part of an option value ("two shots", "the hundred foot one", "2%
    milk") are option words, not quantities."""
    out = []
    for mention in found:
        i = mention.end - 1  # the last word of "twenty five" or "a couple of"
        if mention.kind == NUMBER and i + 1 < len(words):
            after = option_tokens(words[i + 1])
            said = [str(mention.value), *after]
            if after and any(
                (used := options_in(groups, said)[1]).get(0) and 1 in used
                for groups in index.numeric_option_groups
            ):
                continue
        out.append(mention)
    return out


def _numbers_in_names(
    found: list[Mention], words: list[str], index: CatalogIndex, catalog: _Catalog
) -> list[Mention]:
    """A number that begins a product's name ("a nine volt battery") is part of the name."""
    out = []
    for mention in found:
        if mention.kind == NUMBER and mention.end - mention.start == 1 and mention.end < len(words):
            after = tokens(words[mention.end])
            if after and _begins_a_name(index, catalog, int(mention.value), after[0]):
                continue
        out.append(mention)
    return out


def _bridge(
    runs: list[list[int]], normal: list[list[str]], numeric: set[int], catalog: _Catalog
) -> list[list[int]]:
    """Joins runs split by dropped words ("and", "of") when they say one name across them."""
    out: list[list[int]] = []
    for run in runs:
        if out:
            previous = out[-1]
            gap = range(previous[-1] + 1, run[0])
            if len(gap) <= 2 and all(not normal[i] and i not in numeric for i in gap):
                left, _ = _flatten(previous, normal)
                right, _ = _flatten(run, normal)
                if any(
                    tuple(left[-k:] + right[:m]) in catalog.bridged
                    for k in range(1, len(left) + 1)
                    for m in range(1, len(right) + 1)
                ):
                    out[-1] = [*previous, *gap, *run]
                    continue
        out.append(run)
    return out


def _flatten(run: list[int], normal: list[list[str]]) -> tuple[list[str], list[int]]:
    query: list[str] = []
    owner: list[int] = []
    for i in run:
        for tok in normal[i]:
            query.append(tok)
            owner.append(i)
    return query, owner


# Runs longer than this are not searched for products inside them word span by word span.
MAX_SPLIT_RUN = 6


def _products_in(
    run: list[int],
    normal: list[list[str]],
    index: CatalogIndex,
    catalog: _Catalog,
    products: list[tuple[Mention, int]],
    found: list[Mention],
    leftovers: list[list[int]],
) -> None:
    """The products in a run of catalog words: the whole run as one product, else the
    longest span inside it that is a name or alias ("a triple mocha coffee": "mocha", with
    the rest of the run looked at again)."""
    mention, options = _product_in(run, normal, index, catalog)
    if mention is not None:
        products.append(mention)
        found.extend(options)
        return
    if 1 < len(run) <= MAX_SPLIT_RUN:
        for length in range(len(run) - 1, 0, -1):
            for first in range(len(run) - length + 1):
                span = run[first : first + length]
                # Only a span that is exactly a name or alias is searched: one search, not one
                # per span (each costs milliseconds on a large catalog).
                if tuple(_flatten(span, normal)[0]) not in index.exact:
                    continue
                mention, options = _product_in(span, normal, index, catalog)
                if mention is None:
                    continue
                products.append(mention)
                found.extend(options)
                for part in (run[:first], run[first + length :]):
                    if part:
                        _products_in(part, normal, index, catalog, products, found, leftovers)
                return
    leftovers.append(run)


def _product_in(
    run: list[int], normal: list[list[str]], index: CatalogIndex, catalog: _Catalog
) -> tuple[tuple[Mention, int] | None, list[Mention]]:
    """The product a run of catalog words names, with the option values said inside it."""
    query, owner = _flatten(run, normal)
    candidates = index.search(" ".join(query))
    if not candidates or candidates[0].score < PRODUCT_MIN_SCORE:
        return None, []
    choice = pick(candidates)
    best = candidates[0]
    position = catalog.position[best.sku]
    chosen, used = index.options_named(position, query)
    if tuple(tokens(" ".join(query))) in index.exact:
        chosen, used = {}, {}  # "hot chocolate" is a name, though "hot" is also an option
    option_words: dict[int, tuple[str, str]] = {}
    for q, group in sorted(used.items()):
        option_words.setdefault(owner[q], (group, chosen[group]))
    name_words = [i for i in run if i not in option_words]
    if not name_words:  # every word is an option value: not a product mention
        return None, []
    named = tuple(q for i, q in zip(owner, query, strict=True) if i not in option_words)
    if len(named) == 1 and named not in index.exact:
        # One word that is only part of a name ("birds" of "bird seed"): too weak to be sure.
        return None, []
    alternatives = tuple(c.sku for c in choice.alternatives) if choice.best is None else ()
    product = Mention(
        PRODUCT, name_words[0], name_words[-1] + 1, best.sku, score=best.score,
        alternatives=alternatives,
    )  # fmt: skip
    return (product, position), _option_spans(option_words)


def _option_spans(option_words: dict[int, tuple[str, str]]) -> list[Mention]:
    """One option mention per run of neighbouring words naming the same value ("oat milk")."""
    out: list[Mention] = []
    for i, (group, value) in sorted(option_words.items()):
        last = out[-1] if out else None
        if last and last.end == i and (last.group, last.value) == (group, value):
            out[-1] = Mention(OPTION, last.start, i + 1, value, group)
        else:
            out.append(Mention(OPTION, i, i + 1, value, group))
    return out


def _loose_options(
    run: list[int],
    normal: list[list[str]],
    index: CatalogIndex,
    catalog: _Catalog,
    products: list[tuple[Mention, int]],
    picks_one: bool,
) -> list[Mention]:
    """Option values outside a product mention ("a cortado with oat milk"): they belong to the
    nearest product offering them. They are replaced for the featurizers only when the
    utterance names a product or they pick one ("the oat one"): "remove everything" stays
    words where a store happens to sell an "everything" bagel."""
    query, owner = _flatten(run, normal)
    after = run[-1] + 1
    nearest = sorted(products, key=lambda p: min(abs(p[0].start - run[0]), abs(p[0].end - after)))
    for _, position in nearest:
        chosen, used = index.options_named(position, query)
        if chosen:
            out = []
            for group, value in chosen.items():
                words = sorted({owner[q] for q, named in used.items() if named == group})
                if words:
                    out.append(Mention(OPTION, words[0], words[-1] + 1, value, group))
            return out
    out = []
    for i in run:
        for tok in normal[i]:
            likely_group = _value_group(index, catalog, tok)
            if likely_group is not None:
                replaced = bool(products) or picks_one
                out.append(Mention(OPTION, i, i + 1, tok, likely_group, replaced=replaced))
                break
    return out
