"""Which option values of a product a shopper's words name, however the store spells them.

Values are matched by what identifies them inside their group, not by their exact text:

- a value's DISTINCTIVE words name it: "oat" is "oat milk" in a group whose values all end in
  "milk" (or whose name is "milk"), "vanilla" is "vanilla syrup"; when several values share
  the words said, the one whose distinctive words are said most fully wins ("sugar free
  vanilla" over "vanilla syrup"), then the shortest;
- spellings: joined and split forms ("nonfat", "non fat", "non-fat"; "oatmilk", "oat milk"),
  longer and clipped forms ("decaffeinated" / "decaf", "quad" / "quadruple", "iced" / "ice"),
  a few generic English synonyms (big/large, skim/skimmed/nonfat), numbers as digits or words
  ("2" / "two"), and multiplicatives ("double" = 2, "single" = 1);
- a number names a value only with its unit ("two shots", "100 ft"; "two" alone is a
  quantity), a multiplicative alone is enough ("a double");
- a yes/no group ("decaf=no|yes") is "yes" when its name is said ("a decaf latte").

Nothing here knows a particular catalog: groups and values come from the product.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from commerce.normalise import UNIT_TOKENS, folded, tokens

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "sixteen": 16,
    "eighteen": 18, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
}  # fmt: skip
# "a double", "a triple shot": a number without its unit.
MULTIPLES = {"single": 1, "double": 2, "triple": 3, "quad": 4, "quadruple": 4}
# Generic English words for the same thing, each group read both ways. Unit abbreviations are
# here too: "100 ft" is "a hundred foot", "9v" "nine volt".
SYNONYMS: tuple[frozenset[str], ...] = tuple(
    frozenset(words.split())
    for words in (
        "large big bigger biggest huge", "small little smaller smallest tiny",
        "medium regular normal mid", "grey gray", "skim skimmed skinny nonfat",
        "percent", "foot feet ft", "inch inche", "watt w", "volt v",
        "gallon gal", "pound lb", "ounce oz",
    )
)  # fmt: skip
_SYNONYM_OF = {word: group for group in SYNONYMS for word in group}
# Words that cannot name a value on their own ("no" of "no syrup", "over" of "over ice").
FUNCTION_WORDS = frozenset(
    "no non not with without over on in extra light less more half no house add".split()
)  # fmt: skip
BOOLEAN_VALUES = (frozenset({"yes", "no"}), frozenset({"true", "false"}))
# A word is a clipped or longer form of another when they share this many first letters.
PREFIX_MIN = 4
SUFFIX_MAX = 2  # ... or when the longer one adds at most this many letters ("ice", "iced")


def option_tokens(text: str) -> list[str]:
    """Tokens as option values compare them: numbers and "%" kept ("2% milk", "1 shot"). A
    value that is one unit letter alone is kept too: the size "L" is not a litre."""
    found = tokens(text, keep_numbers=True)
    if not found:
        alone = folded(text).strip()
        if alone in UNIT_TOKENS:
            return [alone]
    return found


def number(word: str) -> int | None:
    if word.isdigit() and len(word) <= 5:
        return int(word)
    return NUMBER_WORDS.get(word, MULTIPLES.get(word))


@lru_cache(maxsize=200_000)
def same_word(said: str, written: str) -> bool:
    """Whether a word heard names a word of an option value (cached: the same pairs recur
    for every product a search scores)."""
    if said == written:
        return True
    if said.isupper():  # initials: "SF" is "sf" and nothing else
        return said.lower() == written and len(written) == len(said)
    said_number, written_number = number(said), number(written)
    if said_number is not None or written_number is not None:
        return said_number == written_number
    group = _SYNONYM_OF.get(said)
    if group is not None and written in group:
        return True
    short, long = sorted((said, written), key=len)
    if not long.startswith(short):
        return False
    return len(short) >= PREFIX_MIN or (len(short) >= 3 and len(long) - len(short) <= SUFFIX_MAX)


@dataclass(frozen=True)
class _Form:
    """One way a value is written: its words and which of them identify it in its group."""

    group: str
    value: str
    words: tuple[str, ...]
    distinctive: tuple[bool, ...]


@dataclass(frozen=True, eq=False)
class Groups:
    """A product's option groups as matched: each value's forms, each group's generic words
    (its name, and words most of its values share), and its yes/no values if it is one."""

    forms: tuple[_Form, ...]
    generic: dict[str, frozenset[str]]
    boolean: dict[str, tuple[str, str, tuple[str, ...]]]  # group -> (yes, no, name words)

    @property
    def has_numbers(self) -> bool:
        """Whether a value is written with a number ("2 shots", "double", "100 ft")."""
        return any(number(w) is not None for w in self.words)

    @cached_property
    def words(self) -> frozenset[str]:
        """Every word a value or a yes/no group's name is written with (not other groups'
        names: "finish" of "satin finish" may be a product's word)."""
        out = {w for form in self.forms for w in form.words}
        out.update(w for _, _, name in self.boolean.values() for w in name)
        return frozenset(out)


def groups_of(options: Iterable[dict] | None) -> Groups:
    return _groups(tuple((g["name"], tuple(g["values"])) for g in options or []))


@lru_cache(maxsize=4096)
def _groups(options: tuple[tuple[str, tuple[str, ...]], ...]) -> Groups:
    forms: list[_Form] = []
    generic: dict[str, frozenset[str]] = {}
    boolean: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    for name, values in options:
        name_words = tuple(option_tokens(name))
        lowered = {v.lower(): v for v in values}
        truth = next((b for b in BOOLEAN_VALUES if set(lowered) == b), None)
        if truth is not None:
            yes, no = sorted(truth, key=lambda w: w not in ("yes", "true"))
            boolean[name] = (lowered[yes], lowered[no], name_words)
            continue
        written = [(v, option_tokens(v)) for v in values]
        counts: dict[str, int] = {}
        for _, words in written:
            for word in set(words):
                counts[word] = counts.get(word, 0) + 1
        # Shared by every value ("4 ft|6 ft"), or by most of three or more ("syrup").
        shared = {
            w
            for w, n in counts.items()
            if n >= 2 and (n == len(values) or n >= 3 and 2 * n > len(values))
        }
        common = frozenset(name_words) | shared
        generic[name] = common
        group_words = common | {w for _, words in written for w in words}
        for value, words in written:
            if not words:
                continue
            for variant in _spellings(tuple(words), group_words):
                flags = tuple(w not in common for w in variant)
                if not any(flags):  # "milk" among "oat milk", "whole milk": still itself
                    flags = tuple(True for _ in variant)
                forms.append(_Form(name, value, variant, flags))
    return Groups(tuple(forms), generic, boolean)


def _spellings(words: tuple[str, ...], known: frozenset[str]) -> set[tuple[str, ...]]:
    """A value's words, and the same joined ("non fat": "nonfat") or split before a word of
    the group ("oatmilk": "oat milk" where another value is "whole milk")."""
    out = {words}
    if len(words) > 1:
        out.add(("".join(words),))
    split: list[str] = []
    for word in words:
        suffix = next(
            (c for c in known if c != word and word.endswith(c) and len(word) - len(c) >= 2), None
        )
        split.extend([word[: -len(suffix)], suffix] if suffix else [word])
    out.add(tuple(split))
    return out


@dataclass(frozen=True)
class _Hit:
    form: _Form
    start: int
    end: int  # query positions [start, end)
    strength: tuple[int, int, int, int]


def _units(query: Sequence[str]) -> list[tuple[int, int, str]]:
    """Query words, and each pair of neighbours joined ("oat" "milk": "oatmilk")."""
    units = [(i, i + 1, w) for i, w in enumerate(query)]
    units += [(i, i + 2, query[i] + query[i + 1]) for i in range(len(query) - 1)]
    # "sugar free" for "sf": two words by their initials, which match only themselves.
    units += [(i, i + 2, initials(query[i : i + 2])) for i in range(len(query) - 1)]
    return units


def initials(words: Sequence[str]) -> str:
    return "".join(w[0] for w in words if w and not w[0].isdigit()).upper()


def _match_form(form: _Form, query: Sequence[str], generic: frozenset[str]) -> list[_Hit]:
    """Runs of the form's words said in order, each an acceptable naming of the value."""
    hits = []
    by_start: dict[int, list[tuple[int, str]]] = {}
    for start, end, word in _units(query):
        by_start.setdefault(start, []).append((end, word))
    for start in range(len(query)):
        for k in range(len(form.words)):
            # Longest run of form words k, k+1, ... matched from query position `start`.
            pos, j, numbers_only, named, exact = start, k, True, 0, 0
            while j < len(form.words) and pos < len(query):
                step = next(
                    (end for end, w in by_start.get(pos, []) if same_word(w, form.words[j])), None
                )
                if step is None:
                    break
                said = "".join(query[pos:step])
                exact += said == form.words[j]
                if not form.distinctive[j]:
                    numbers_only = False  # a unit said: "two shots"
                elif not (said.isdigit() or said in NUMBER_WORDS) and said not in FUNCTION_WORDS:
                    numbers_only = False
                named += form.distinctive[j]
                pos, j = step, j + 1
            if not named or pos == start:
                continue
            end = pos
            full = k == 0 and j == len(form.words)
            # "oat milk", "two shots": a generic word of the group right after belongs to it.
            if end < len(query) and any(same_word(query[end], g) for g in generic):
                end += 1
                numbers_only = False
            if numbers_only and not (full and len(form.words) > 1):
                continue  # "two" alone is a quantity, "no" alone not "no syrup"
            total = sum(form.distinctive)
            hits.append(_Hit(form, start, end, (named, int(full), -(total - named), exact)))
    return hits


def options_in(groups: Groups, query: Sequence[str]) -> tuple[dict[str, str], dict[int, str]]:
    """The values `query` (option_tokens of the words) names per group, and the group each
    used query position named."""
    hits: list[_Hit] = []
    said = [w for _, _, w in _units(query)]
    # Only values with a word that was said are tried: most of a product's values were not.
    heard = {w for w in groups.words if any(same_word(u, w) for u in said)}
    for form in groups.forms:
        if heard.intersection(form.words):
            hits.extend(_match_form(form, query, groups.generic.get(form.group, frozenset())))
    for group, (yes, _, name) in groups.boolean.items():
        n = len(name)
        for i in range(len(query) - n + 1):
            if n and all(same_word(query[i + k], name[k]) for k in range(n)):
                hits.append(_Hit(_Form(group, yes, name, (True,) * n), i, i + n, (n, 1, 0, n)))
    # Strongest first: the most distinctive words, a whole value, fewest words unsaid, words
    # as written rather than respelt; then the longest span, then the earliest.
    hits.sort(key=lambda h: (h.strength, h.end - h.start, -h.start), reverse=True)
    chosen: dict[str, str] = {}
    used: dict[int, str] = {}
    for hit in hits:
        span = range(hit.start, hit.end)
        if any(i in used for i in span):
            continue
        group = hit.form.group
        if group not in chosen:
            chosen[group] = hit.form.value
        elif chosen[group] != hit.form.value:
            continue
        # The same value said again ("an oat milk mocha, with a dash of oat milk") is its too.
        used.update(dict.fromkeys(span, group))
    return chosen, used


def is_option_word(groups: Groups, word: str) -> bool:
    """Whether `word` may be a word of one of these values (as any spelling above)."""
    if word in FUNCTION_WORDS:
        return any(word in form.words for form in groups.forms)
    return any(same_word(word, w) for w in groups.words)
