"""Resolve a spoken product mention ("oat milks", "a dozen eggs", "large oat latte", "coke")
against the live catalog.

Matching is on names and aliases after normalising (case, punctuation, plurals, unit sizes),
with fuzzy token matching for misspellings and misrecognitions, and option values ("large",
"oat") counted towards the product that offers them. Results are ranked candidates with scores
in [0, 1]; `pick` says whether one is a clear winner or the caller should ask "which one?".

The index is built in memory from the catalog (commerce.index_tables) and kept current by
commerce.live_index, which patches in the products whose names, aliases, options or active
flag changed, so a product added through the API is orderable on the next turn without
retraining anything and without a turn waiting for a whole rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from sqlalchemy.orm import Session

from commerce.index_tables import IndexTables, _Entry

# Normalisation lives in commerce.normalise; re-exported for the callers that import it here.
from commerce.normalise import singular as singular
from commerce.normalise import tokens as tokens
from commerce.option_words import option_tokens, options_in, same_word

MIN_SCORE = 0.45
# A candidate this close to the best one makes the mention ambiguous.
AMBIGUITY_MARGIN = 0.08
FUZZY_CUTOFF = 80  # rapidfuzz ratio, 0-100
# Edits (insert, delete, substitute, swap two neighbours) a misheard or misspelt word may be
# from a catalog word: one for short words, two from this length on. A ratio alone lets short
# everyday words reach catalog words two edits away ("fine" -> "finder", "lumber" -> "lube").
FUZZY_TWO_EDITS_FROM_LENGTH = 7
MAX_SCORED = 300  # products scored in full per query, after a cheap first pass
GC_PAUSE_MIN_PRODUCTS = 10_000  # catalogs this large are indexed with garbage collection paused


@dataclass(frozen=True)
class Candidate:
    sku: str
    name: str
    score: float
    # Option values the mention named: {"size": "large", "milk": "oat"}.
    options: dict[str, str] = field(default_factory=dict)
    matched: str = ""  # the name or alias that matched best


@dataclass(frozen=True)
class Pick:
    """The outcome for a caller: one product, several to choose from, or nothing."""

    best: Candidate | None
    alternatives: list[Candidate]

    @property
    def ambiguous(self) -> bool:
        return self.best is None and len(self.alternatives) > 1


def pick(candidates: list[Candidate]) -> Pick:
    if not candidates:
        return Pick(None, [])
    top = candidates[0]
    close = [c for c in candidates if c.score >= top.score - AMBIGUITY_MARGIN]
    if len(close) == 1:
        return Pick(top, [])
    return Pick(None, close)


class CatalogIndex(IndexTables):
    """A catalog's tables (commerce.index_tables) and how a mention is scored against them."""

    def _expand(self, query: list[str]) -> dict[str, dict[str, float]]:
        """For each query token, the catalog tokens it may stand for, with a similarity."""
        expanded: dict[str, dict[str, float]] = {}
        for i, tok in enumerate(query):
            options: dict[str, float] = {}
            if tok in self.postings:
                options[tok] = 1.0
            elif len(tok) >= 4 and tok not in self.option_vocabulary:
                edits = 2 if len(tok) >= FUZZY_TWO_EDITS_FROM_LENGTH else 1
                for match, score, _ in process.extract(
                    tok, self.vocabulary, scorer=fuzz.ratio, limit=3, score_cutoff=FUZZY_CUTOFF
                ):
                    if OSA.distance(tok, match, score_cutoff=edits) <= edits:
                        options[match] = score / 100.0
            # "sour dough" heard for "sourdough", "ice cream" written "icecream".
            if i + 1 < len(query):
                joined = tok + query[i + 1]
                if joined in self.postings:
                    options[joined] = 1.0
            expanded[tok] = options
        return expanded

    def search(self, mention: str, limit: int = 5) -> list[Candidate]:
        query = tokens(mention)
        if not query or not self.entries:
            return []
        words = option_tokens(mention)
        expanded = self._expand(query)
        # Cheap first pass: idf-weighted votes from every catalog token a query token hits.
        votes: dict[int, float] = {}
        for matches in expanded.values():
            for tok, sim in matches.items():
                weight = self.idf[tok] * sim
                if not votes:  # the first token's votes in one C call: often thousands
                    votes = dict.fromkeys(self.postings[tok], weight)
                    continue
                get = votes.get
                for idx in self.postings[tok]:
                    votes[idx] = get(idx, 0.0) + weight
        if not votes:
            return []
        # The MAX_SCORED best, ties in first-seen order: what heapq.nlargest returns, but
        # sorted in C rather than heaped in Python (the vote counts run to tens of thousands).
        shortlist = sorted(votes, key=votes.__getitem__, reverse=True)[:MAX_SCORED]
        exact_ids = self.exact.get(tuple(query), frozenset())
        scored = []
        prepared: dict[tuple[str, ...], _Prepared] = {}  # most candidates share one `rest`
        named: dict[int, tuple[dict[str, str], dict[int, str]]] = {}  # ... and one Groups
        for idx in shortlist:
            score, options, matched = self._score_parts(
                idx, query, words, expanded, idx in exact_ids, prepared, named
            )
            if score >= MIN_SCORE:
                scored.append((score, self.entries[idx].name, idx, options, matched))
        scored.sort(key=lambda s: (-s[0], s[1]))
        # Candidates are built for the few returned only, not for the hundreds scored.
        return [
            Candidate(self.entries[idx].sku, name, score, options, matched)
            for score, name, idx, options, matched in scored[:limit]
        ]

    def _score_parts(
        self,
        idx: int,
        query: list[str],
        words: list[str],
        expanded: dict[str, dict[str, float]],
        exact: bool,
        prepared: dict[tuple[str, ...], _Prepared] | None = None,
        named_by_groups: dict[int, tuple[dict[str, str], dict[int, str]]] | None = None,
    ) -> tuple[float, dict[str, str], str]:
        """A candidate's score, the options the mention named and the phrase that matched
        best (a Candidate is built only for the few a search returns). `words` are the
        mention's option tokens (numbers kept), `query` its tokens."""
        entry = self.entries[idx]
        # "hot chocolate" said whole is the name, though "chocolate" is also one of its options.
        if exact or not entry.groups.forms and not entry.groups.boolean:
            options: dict[str, str] = {}
            rest = tuple(query)
        else:
            found = None if named_by_groups is None else named_by_groups.get(id(entry.groups))
            if found is None:
                found = self._options_in(entry, words)
                if named_by_groups is not None:
                    named_by_groups[id(entry.groups)] = found
            options, used = found
            # Numbers and "%" count only as option words: the rest is what names the product.
            named = set(query)
            rest = tuple(tok for i, tok in enumerate(words) if i not in used and tok in named)
        cache = {} if prepared is None else prepared
        ready = cache.get(rest)
        if ready is None:
            ready = cache[rest] = self._prepare(rest, expanded)
        best_score, best_text = 0.0, entry.name
        # A phrase's score depends on its tokens and the mention alone, and a large catalog
        # repeats phrases across the shortlist ("butter", "garden butter"): each is scored once.
        phrase_scores = ready.phrase_scores
        for text, phrase, weight, phrase_set in self.phrase_meta[idx]:
            score = phrase_scores.get(phrase)
            if score is None:
                score = self._phrase_score(phrase, weight, phrase_set, ready)
                phrase_scores[phrase] = score
            if score > best_score:
                best_score, best_text = score, text
        if exact:
            best_score = 1.0
        return round(best_score, 4), options, best_text

    def scores_for(self, mention: str, skus: list[str]) -> dict[str, float]:
        """Scores of the given products for a mention, however weak ("the oat one" among
        three milks); used to understand a shopper's answer to "which one?"."""
        query = tokens(mention)
        if not query:
            return {sku: 0.0 for sku in skus}
        words = option_tokens(mention)
        expanded = self._expand(query)
        wanted = {sku.upper() for sku in skus}
        scores = {sku: 0.0 for sku in skus}
        by_upper = {sku.upper(): sku for sku in skus}
        for idx, entry in enumerate(self.entries):
            if entry.sku.upper() in wanted:
                exact = idx in self.exact.get(tuple(query), frozenset())
                score, _, _ = self._score_parts(idx, query, words, expanded, exact)
                named = {t for _, phrase in entry.phrases for t in phrase}
                overlap = sum(1 for q in query if q in named) / len(query)
                scores[by_upper[entry.sku.upper()]] = max(score, overlap * 0.5)
        return scores

    def options_named(
        self, position: int, words: list[str]
    ) -> tuple[dict[str, str], dict[int, str]]:
        """The option values of the product at `position` in `entries` that `words` (option
        tokens) name ({"milk": "oat"}), and the group each word that named one names."""
        return self._options_in(self.entries[position], words)

    def _options_in(self, entry: _Entry, words: list[str]) -> tuple[dict[str, str], dict[int, str]]:
        chosen, used = options_in(entry.groups, words)
        if used and len(used) == len(words):
            # "a double espresso" where the shots group is called "espresso": a group's word
            # after a value is the product's name when nothing else would name it.
            for i in list(used):
                if i > 0 and (words[i],) in self.exact and used.get(i - 1) == used[i]:
                    if not any(
                        same_word(words[i], w)
                        for form in entry.groups.forms
                        if form.group == used[i]
                        for w, own in zip(form.words, form.distinctive, strict=True)
                        if own
                    ):
                        del used[i]
        return chosen, used

    def _prepare(self, rest: tuple[str, ...], expanded: dict[str, dict[str, float]]) -> _Prepared:
        """What scoring needs from the mention alone, computed once per search rather than
        once per phrase: the best similarity any mention word has to each catalog token, and
        each mention word's weight."""
        best_sim: dict[str, float] = {}
        for q in set(rest):
            for tok, sim in expanded.get(q, {}).items():
                if sim > best_sim.get(tok, 0.0):
                    best_sim[tok] = sim
        words = []
        for q in rest:
            opts = expanded.get(q, {})
            weight = max((self.idf.get(t, 1.0) for t in opts), default=self.unknown_weight)
            words.append((weight, opts))
        return _Prepared(bool(rest), best_sim, words, sum(w for w, _ in words))

    def _phrase_score(
        self,
        phrase: tuple[str, ...],
        phrase_weight: float,
        phrase_set: frozenset[str],
        ready: _Prepared,
    ) -> float:
        """F-measure of idf-weighted coverage: how much of the phrase the mention says, and
        how much of the mention (not counting option words) the phrase explains."""
        if not ready.any_words:
            return 0.0
        # Terms with no similarity add exactly nothing, so they are skipped.
        best_sim, idf = ready.best_sim, self.idf
        covered_phrase = 0.0
        for tok in phrase:
            sim = best_sim.get(tok)
            if sim:
                covered_phrase += idf.get(tok, 1.0) * sim
        covered_query = 0.0
        for weight, opts in ready.words:
            best = 0.0
            for t, s in opts.items():
                if s > best and t in phrase_set:
                    best = s
            if best:
                covered_query += weight * best
        if covered_phrase == 0 or covered_query == 0:
            return 0.0
        precision = covered_query / ready.weight
        recall = covered_phrase / phrase_weight
        # A mention that only names an option or two plus the product is still that product.
        return 2 * precision * recall / (precision + recall)


@dataclass(frozen=True)
class _Prepared:
    any_words: bool
    best_sim: dict[str, float]  # catalog token -> best similarity of any mention word
    words: list[tuple[float, dict[str, float]]]  # per mention word: weight, catalog matches
    weight: float  # the words' total weight
    # Phrase tokens -> score against these words, filled while one search scores candidates.
    phrase_scores: dict[tuple[str, ...], float] = field(default_factory=dict)


def catalog_index(session: Session) -> CatalogIndex:
    """The live catalog's index (kept current by commerce.live_index)."""
    from commerce.live_index import default_live_index

    return default_live_index.index(session)


def clear_cache() -> None:
    """Forgets every cached index (tests that reuse one database URL for new catalogs)."""
    from commerce.live_index import default_live_index

    default_live_index.clear()


def resolve_mention(session: Session, *, mention: str, limit: int = 5) -> list[Candidate]:
    """Ranked candidates for a product mention, best first, against the live catalog."""
    return catalog_index(session).search(mention, limit=limit)
