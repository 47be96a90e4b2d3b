"""The catalog index's tables: every active product's names, aliases and option groups, and
the word tables matching reads (postings, exact phrases, idf weights), built whole from a
catalog or patched product by product when the catalog changes.

Matching itself (scoring a mention against these tables) is commerce.resolver's CatalogIndex;
keeping the index current against the database is commerce.live_index.
"""

from __future__ import annotations

import copy
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from commerce.normalise import tokens
from commerce.option_words import Groups, groups_of, same_word

# A phrase as scored: its text, tokens, idf weight and tokens as a set.
_PhraseMeta = tuple[str, tuple[str, ...], float, frozenset[str]]


@dataclass
class _Entry:
    sku: str
    name: str
    phrases: list[tuple[str, tuple[str, ...]]]  # (original text, tokens)
    groups: Groups  # its option groups as commerce.option_words matches them

    @property
    def tokens(self) -> set[str]:
        return {tok for _, toks in self.phrases for tok in toks}

    @property
    def distinct_phrases(self) -> set[tuple[str, ...]]:
        return {toks for _, toks in self.phrases}

    @property
    def bridged(self) -> set[tuple[str, ...]]:
        """Names and aliases said with words the resolver drops inside them ("cloud and
        mist"): mention finding lets those words join a name."""
        return {
            toks
            for text, toks in self.phrases
            if len(toks) > 1 and len(_WORDS.findall(text)) > len(toks)
        }


def _entry_of(product: IndexedProduct) -> _Entry:
    phrases = []
    for text in [product.name, *(product.aliases or [])]:
        toks = tuple(tokens(text))
        if toks:
            phrases.append((text, toks))
    return _Entry(product.sku, product.name, phrases, groups_of(product.options))


class IndexedProduct(Protocol):
    """What the index reads of a product: a Product, or a row of these columns."""

    sku: Any
    name: Any
    aliases: Any
    options: Any


_WORDS = re.compile(r"[A-Za-z0-9]+")


class OptionVocabulary:
    """The words option values are written with, containing every spelling of them that
    commerce.option_words accepts ("decaffeinated" when a value is "decaf")."""

    def __init__(self, words: set[str]) -> None:
        self.words = frozenset(words)
        self._known: dict[str, bool] = {}

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        known = self._known.get(word)
        if known is None:
            known = word in self.words or any(same_word(word, w) for w in self.words)
            if len(self._known) < 50_000:  # one entry per distinct word heard
                self._known[word] = known
        return known

    def __iter__(self) -> Iterator[str]:
        return iter(self.words)


_Tables = TypeVar("_Tables", bound="IndexTables")


class IndexTables:
    """Names, aliases and options of the active products, for matching mentions.

    Built whole from a catalog, then kept up to date by `patched`, which returns a new index
    with some products replaced, added or removed and leaves this one untouched (a search
    running on it meanwhile sees one consistent catalog). Term weights (idf) are those of the
    last whole build: a patch gives only new words a weight, so a patched index ranks like a
    fresh build up to the small drift its changed products cause (see `patched_products`)."""

    def __init__(self, products: Iterable[IndexedProduct]) -> None:
        self.entries: list[_Entry] = []
        self.position: dict[str, int] = {}  # SKU -> position in `entries`
        exact: dict[tuple[str, ...], set[int]] = defaultdict(set)
        postings: dict[str, set[int]] = defaultdict(set)
        bridged: dict[tuple[str, ...], int] = defaultdict(int)
        groups: dict[int, tuple[Groups, int]] = {}
        for product in products:
            idx = len(self.entries)
            entry = _entry_of(product)
            for toks in entry.distinct_phrases:
                exact[toks].add(idx)
            for tok in entry.tokens:
                postings[tok].add(idx)
            for toks in entry.bridged:
                bridged[toks] += 1
            key = id(entry.groups)
            groups[key] = (entry.groups, groups.get(key, (entry.groups, 0))[1] + 1)
            self.position[entry.sku] = idx
            self.entries.append(entry)
        # Frozen sets: a patch replaces a set rather than changing it under a running search.
        self.exact = {toks: frozenset(ids) for toks, ids in exact.items()}
        self.postings = {tok: frozenset(ids) for tok, ids in postings.items()}
        # Phrase tokens -> how many names and aliases are bridged (mention finding's view).
        self.bridged = dict(bridged)
        # Distinct option groups (products with the same options share one Groups), with how
        # many products have each.
        self.group_counts = groups
        # The product count the weights were computed with.
        self.document_count = max(len(self.entries), 1)
        n = self.document_count
        self.idf = {tok: math.log(1 + n / len(ids)) for tok, ids in self.postings.items()}
        # Per entry, per phrase: its idf weight and its tokens as a set (fixed for the index).
        self.phrase_meta = [self._phrase_meta(e.phrases) for e in self.entries]
        # A query word the catalog never uses counts like a rare word: "blue widget" should
        # not match every widget perfectly.
        self.unknown_weight = math.log(1 + n)
        self.vocabulary = list(self.postings)
        self.patched_products = 0  # products replaced, added or removed since the build
        self._owned: set[str] = set()  # tables a patch has copied (see `_own`)
        self._option_views()

    def _option_views(self) -> None:
        self.option_groups = [groups for groups, _ in self.group_counts.values()]
        self.numeric_option_groups = [g for g in self.option_groups if g.has_numbers]
        self.option_vocabulary = OptionVocabulary(
            {w for groups in self.option_groups for w in groups.words}
        )

    def __len__(self) -> int:
        return len(self.entries)

    def patched(
        self: _Tables, upserts: Iterable[IndexedProduct] = (), removals: Iterable[str] = ()
    ) -> _Tables:
        """A new index with `upserts` replacing or adding products (by SKU) and the SKUs in
        `removals` gone; this index is not changed. Costs a copy of the top-level tables
        (milliseconds at 50,000 products) plus the changed products' words."""
        new = copy.copy(self)
        new.entries = list(self.entries)
        new.phrase_meta = list(self.phrase_meta)
        new.postings = dict(self.postings)
        new.idf = dict(self.idf)
        new.group_counts = dict(self.group_counts)
        # The large tables a rename may leave alone are copied when first written (`_own`).
        new._owned = set()
        touched: set[str] = set()
        changed: list[int] = []
        # Removals first: they move the last entry into the gap, upserts only append.
        removed = 0
        for sku in removals:
            if sku in new.position:
                touched |= new._remove(sku)
                removed += 1
        for product in upserts:
            idx = new._upsert(product, touched)
            if idx is not None:
                changed.append(idx)
        # Words no product uses any more leave the vocabulary; new words get a weight.
        for tok in touched:
            ids = new.postings.get(tok)
            if not ids:
                new.postings.pop(tok, None)
                new.idf.pop(tok, None)
            elif tok not in new.idf:
                new.idf[tok] = math.log(1 + new.document_count / len(ids))
        if new.postings.keys() != self.postings.keys():
            new.vocabulary = list(new.postings)
        for idx in changed:
            new.phrase_meta[idx] = new._phrase_meta(new.entries[idx].phrases)
        if new.group_counts.keys() != self.group_counts.keys():
            new._option_views()
        new.patched_products = self.patched_products + len(changed) + removed
        return new

    def _own(self, table: str) -> Any:
        """This patched index's own copy of a table it shares with the one it came from."""
        if table not in self._owned:
            setattr(self, table, dict(getattr(self, table)))
            self._owned.add(table)
        return getattr(self, table)

    def _remove(self, sku: str) -> set[str]:
        idx = self._own("position").pop(sku)
        entry = self.entries[idx]
        touched = self._unindex(entry, idx)
        last = len(self.entries) - 1
        if idx != last:
            moved = self.entries[last]
            touched |= self._unindex(moved, last)
            self.entries[idx], self.phrase_meta[idx] = moved, self.phrase_meta[last]
            self._own("position")[moved.sku] = idx
            touched |= self._index(moved, idx)
        self.entries.pop()
        self.phrase_meta.pop()
        return touched

    def _upsert(self, product: IndexedProduct, touched: set[str]) -> int | None:
        """Puts a product's entry in (replacing its old one); its position, or None when
        nothing the index holds of it changed (a category or description edit)."""
        entry = _entry_of(product)
        idx = self.position.get(entry.sku)
        if idx is None:
            idx = self._own("position")[entry.sku] = len(self.entries)
            self.entries.append(entry)
            self.phrase_meta.append([])
        else:
            old = self.entries[idx]
            if (
                old.name == entry.name
                and old.phrases == entry.phrases
                and old.groups is entry.groups
            ):
                return None
            touched |= self._unindex(old, idx)
            self.entries[idx] = entry
        touched |= self._index(entry, idx)
        return idx

    def _index(self, entry: _Entry, idx: int) -> set[str]:
        exact = self._own("exact")
        for toks in entry.distinct_phrases:
            exact[toks] = exact.get(toks, frozenset()) | {idx}
        words = entry.tokens
        for tok in words:
            self.postings[tok] = self.postings.get(tok, frozenset()) | {idx}
        for toks in entry.bridged:
            bridged = self._own("bridged")
            bridged[toks] = bridged.get(toks, 0) + 1
        key = id(entry.groups)
        self.group_counts[key] = (
            entry.groups,
            self.group_counts.get(key, (entry.groups, 0))[1] + 1,
        )
        return words

    def _unindex(self, entry: _Entry, idx: int) -> set[str]:
        exact = self._own("exact")
        for toks in entry.distinct_phrases:
            left = exact[toks] - {idx}
            if left:
                exact[toks] = left
            else:
                del exact[toks]
        words = entry.tokens
        for tok in words:
            self.postings[tok] = self.postings[tok] - {idx}  # emptied ones go after the patch
        for toks in entry.bridged:
            bridged = self._own("bridged")
            if bridged[toks] > 1:
                bridged[toks] -= 1
            else:
                del bridged[toks]
        key = id(entry.groups)
        groups, count = self.group_counts[key]
        if count > 1:
            self.group_counts[key] = (groups, count - 1)
        else:
            del self.group_counts[key]
        return words

    def _phrase_meta(self, phrases: list[tuple[str, tuple[str, ...]]]) -> list[_PhraseMeta]:
        """An entry's phrases as scored: text, tokens, idf weight and token set. A repeat of
        earlier tokens ("butters" after "butter") is left out: it could never score higher."""
        out, seen = [], set()
        for text, toks in phrases:
            if toks not in seen:
                seen.add(toks)
                out.append((text, toks, sum(self.idf.get(t, 1.0) for t in toks), frozenset(toks)))
        return out
