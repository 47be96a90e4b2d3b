"""Reading what a shopper said (quantities, item lists, ordinals, yes/no) and saying things
back the way a person would (lists, plurals, prices). Pure functions: no database, no Rasa."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from commerce.money import number_words, spoken_price

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50,
}  # fmt: skip
# Multi-word quantities first: the longest phrase wins.
QUANTITY_PHRASES: list[tuple[str, int]] = sorted(
    [
        ("half a dozen", 6), ("half dozen", 6), ("a dozen", 12), ("dozen", 12),
        ("a couple of", 2), ("a couple", 2), ("couple of", 2), ("a pair of", 2), ("pair of", 2),
        ("a few", 3), ("a single", 1), ("single", 1), ("a", 1), ("an", 1), ("some", 1),
        ("another", 1), ("one more", 1), ("a bottle of", 1), ("a pack of", 1), ("a box of", 1),
        ("a bag of", 1), ("a jar of", 1), ("a cup of", 1), ("a carton of", 1),
        ("a loaf of", 1), ("a tub of", 1), ("a can of", 1),
    ],
    key=lambda p: -len(p[0]),
)  # fmt: skip
ORDINALS = {
    "first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3,
    "fifth": 4, "5th": 4, "last": -1, "top": 0,
}  # fmt: skip

LEAD_INS = re.compile(
    r"^(?:(?:hi|hello|hey|ok|okay|so|um|uh|yes|yeah|and|also|plus|oh|then|now|great|"
    r"please|actually|sorry|no|nope)\b[\s,]*)*"
    r"(?:(?:i(?:'d| would) like|i(?:'ll| will) (?:have|take|get)|i want|i need|we need|"
    r"i(?:'d| would) love|can i (?:get|have|order)|could i (?:get|have)|may i (?:get|have)|"
    r"can you (?:add|get me|give me)|could you (?:add|get me)|give me|get me|"
    r"let me (?:get|have)|let's (?:get|have|add)|put|add|order|buy|grab|throw in|"
    r"i(?:'m| am) (?:after|looking for)|do you have|have you got)\b[\s,]*)?",
)
TRAILERS = re.compile(
    r"(?:[\s,]*\b(?:(?:to|in|into|on) (?:my|the) (?:cart|basket|order|list)|please|thanks|"
    r"thank you|as well|too|for me|for now|if you can|if possible|in there|in|then|also))+"
    r"[\s.!?]*$"
)
SPLITTER = re.compile(r"\s*(?:,|;|\band also\b|\band then\b|\bplus\b|\band\b|&)\s*")


@dataclass(frozen=True)
class ItemRequest:
    """One thing the shopper asked for: 'two large lattes' -> quantity 2, mention 'large lattes'.
    `mention` is empty for 'another one' / 'two more' (the last item again)."""

    quantity: int
    mention: str
    quantity_said: bool
    more: bool = False  # "another", "one more": add to what is there
    said: str = ""  # the words as said, quantity included: "half a dozen eggs"
    # Read from the NLU's entities: the product and option values it named; no need to find
    # them again in `mention`.
    sku: str = ""
    options: dict[str, str] = field(default_factory=dict)
    # "I only need one bucket": the quantity is how many in all, not how many more.
    in_all: bool = False


def normalise(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"[!?.]+(\s|$)", " ", text)
    return " ".join(text.split())


def strip_request_words(text: str) -> str:
    text = normalise(text)
    text = LEAD_INS.sub("", text, count=1)
    text = TRAILERS.sub("", text)
    return text.strip(" ,")


# Quantities said in more than one word; the longest phrase at a position wins.
COUNTING_PHRASES: list[tuple[tuple[str, ...], int]] = sorted(
    [
        (("half", "a", "dozen"), 6), (("half", "dozen"), 6), (("a", "dozen"), 12),
        (("a", "couple", "of"), 2), (("a", "couple"), 2), (("couple", "of"), 2),
        (("a", "pair", "of"), 2), (("pair", "of"), 2), (("a", "few"), 3),
    ],
    key=lambda p: -len(p[0]),
)  # fmt: skip


def counted_phrases(words: list[str]) -> list[tuple[int, int, int]]:
    """(start, end, value) of each quantity that takes several words: "half a dozen",
    "a couple of", "two dozen", "twenty five". Words are one utterance's tokens."""
    lower = [w.lower() for w in words]
    found: list[tuple[int, int, int]] = []
    i = 0
    while i < len(lower):
        for phrase, value in COUNTING_PHRASES:
            if tuple(lower[i : i + len(phrase)]) == phrase:
                found.append((i, i + len(phrase), value))
                i += len(phrase)
                break
        else:
            first = NUMBER_WORDS.get(lower[i])
            second = lower[i + 1] if i + 1 < len(lower) else ""
            if first is not None and second in ("dozen", "dozens"):
                found.append((i, i + 2, first * 12))
                i += 2
                continue
            if first is not None and first >= 20 and NUMBER_WORDS.get(second, 10) < 10:
                found.append((i, i + 2, first + NUMBER_WORDS[second]))
                i += 2
                continue
            i += 1
    return found


def parse_quantity(chunk: str) -> tuple[int | None, str, bool]:
    """'two croissants' -> (2, 'croissants', False); 'another latte' -> (1, 'latte', True)."""
    words = chunk.strip()
    more = False
    if re.match(r"^(another|one more)\b", words):
        more = True
    m = re.match(r"^(\d{1,3})\s*(?:x\s+)?(.*)$", words)
    if m:
        return int(m.group(1)), m.group(2).strip(), more
    first = words.split(" ", 1)
    if first and first[0] in NUMBER_WORDS:
        number = NUMBER_WORDS[first[0]]
        rest = first[1] if len(first) > 1 else ""
        # "twenty five", "two dozen"
        second = rest.split(" ", 1)
        if second and second[0] in NUMBER_WORDS and number >= 20 and NUMBER_WORDS[second[0]] < 10:
            number += NUMBER_WORDS[second[0]]
            rest = second[1] if len(second) > 1 else ""
        elif second and second[0] in ("dozen", "dozens"):
            number *= 12
            rest = second[1] if len(second) > 1 else ""
        if re.match(r"^more\b", rest):
            more = True
            rest = re.sub(r"^more\b\s*", "", rest)
        return number, rest.strip(), more
    for phrase, number in QUANTITY_PHRASES:
        if words == phrase or words.startswith(phrase + " "):
            rest = re.sub(r"^more\b\s*", "", words[len(phrase) :].strip())
            if phrase in ("a", "an", "some"):
                return None, rest, more
            return number, rest, more
    return None, words, more


def split_items(text: str) -> list[ItemRequest]:
    """'i'd like two croissants and a sourdough loaf please' -> two ItemRequests."""
    body = strip_request_words(text)
    if not body:
        return []
    requests = []
    for chunk in SPLITTER.split(body):
        # "hi, can I get a latte": each part may start with its own "can I get".
        chunk = strip_request_words(chunk)
        if not chunk:
            continue
        quantity, mention, more = parse_quantity(chunk)
        # "another one of those": "one" is the pronoun, what follows says which.
        mention = re.sub(r"^(?:(?:one|ones)\s+(?=of\b))?(?:of|more)\s+", "", mention)
        # "two bags of rice", "a couple of packs of pasta": the container is not the product.
        if quantity is not None or re.match(r"^(?:some|a|an)\b", chunk):
            mention = CONTAINER.sub("", mention)
        mention = re.sub(r"^(?:of|more)\s+", "", mention).strip()
        if mention in REFERENCES or BARE_CONTAINER.fullmatch(mention):
            mention = ""  # "two of those", "I'll take a bag": the product just talked about
        requests.append(
            ItemRequest(
                quantity=quantity or 1,
                mention=mention,
                quantity_said=quantity is not None,
                more=more,
                said=chunk,
            )
        )
    return requests


# Words that point back at the product just talked about: "two of those", "one more of it".
REFERENCES = frozenset(
    [
        "one", "ones", "it", "that", "this", "those", "them", "these", "more", "same",
        "of those", "of them", "of that", "of it", "of these", "of this", "those ones",
        "that one", "this one", "the same", "the same one", "same again", "of the same",
        "more of those", "more of that", "more of them",
    ]
)  # fmt: skip
# What a quantity can count besides the product itself: "two bags of rice", "three boxes of
# screws", "a pair of gloves". Generic English containers and measures, singular and plural.
MEASURE_WORDS = frozenset(
    """bag bags pack packs packet packets box boxes bottle bottles can cans tin tins jar jars
    carton cartons cup cups tub tubs punnet punnets loaf loaves pouch pouches roll rolls bunch
    bunches piece pieces sack sacks tube tubes pair pairs set sets kit kits gallon gallons litre
    litres liter liters kilo kilos pound pounds sheet sheets case cases crate crates bundle
    bundles unit units item items dozen dozens slice slices bar bars stick sticks""".split()
)
_MEASURES = "|".join(sorted(MEASURE_WORDS, key=len, reverse=True))
# A measure said alone or about what was just named: "three pairs", "two bags of those".
BARE_CONTAINER = re.compile(rf"(?:{_MEASURES})(?: of (?:those|them|that|it|these|this))?")
# A measure before what it measures: "bags of rice" -> "rice".
CONTAINER = re.compile(rf"^(?:{_MEASURES})\s+of\s+")


def quantity_in_unit(quantity: int, said: str, unit: str) -> int:
    """A counting phrase that names what the product is sold by counts that unit: "a pair of
    gloves" is one pair of gloves sold by the pair (two of socks sold singly), "a dozen eggs"
    one box of eggs sold by the dozen, "two dozen eggs" two boxes."""
    words = normalise(said).split()
    unit = unit.lower()
    for start, end, _ in counted_phrases(words):
        phrase = words[start:end]
        if unit in phrase and phrase[0] != "half":
            count = phrase[: phrase.index(unit)]
            return NUMBER_WORDS.get(count[0], 1) if count else 1
    return quantity


def find_number(text: str) -> int | None:
    """The first quantity in a short answer: 'no, three' -> 3, 'make it 4' -> 4."""
    for word in normalise(text).replace(",", " ").split():
        if word.isdigit():
            return int(word)
        if word in NUMBER_WORDS:
            return NUMBER_WORDS[word]
    return None


def find_ordinal(text: str) -> int | None:
    for word in normalise(text).replace(",", " ").split():
        if word in ORDINALS:
            return ORDINALS[word]
    return None


def join_words(items: list[str], last: str = "and") -> str:
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


_SIZE_SUFFIX = re.compile(
    r"\s+(\d+\s*x\s*)?\d+(\.\d+)?\s*(g|kg|ml|l|cl|oz|lb|lbs)\b\.?$", flags=re.IGNORECASE
)
COUNT_SUFFIX = re.compile(r"\s*\((\d+)(?:\s+([a-z]+))?\)$", flags=re.IGNORECASE)
# "Toilet Paper 12 Rolls" -> "toilet paper, twelve rolls"
_COUNTED_WORDS = re.compile(
    r"\s+(\d+)\s+(rolls|pieces|bags|sheets|sticks|pods|tablets|capsules|cans|bottles|pack|"
    r"count|ct|sachets|pouches|tins)$",
    flags=re.IGNORECASE,
)
_UNIT_WORDS = {"g": "grams", "kg": "kilos", "ml": "millilitres", "l": "litre", "oz": "ounces"}


def spoken_name(name: str) -> str:
    """'Oat Milk 1 L' -> 'oat milk', 'Free-Range Eggs (12)' -> 'free-range eggs, pack of 12'."""
    count = COUNT_SUFFIX.search(name)
    base = COUNT_SUFFIX.sub("", name)
    counted = _COUNTED_WORDS.search(base)
    base = _COUNTED_WORDS.sub("", base)
    base = _SIZE_SUFFIX.sub("", base).strip()
    spoken = base.lower()
    if counted:
        spoken += f", {number_words(int(counted.group(1)))} {counted.group(2).lower()}"
    if count and count.group(2):
        spoken += f", {number_words(int(count.group(1)))} {count.group(2).lower()}"
    elif count:
        spoken += f", pack of {number_words(int(count.group(1)))}"
    return spoken


def is_are(spoken: str) -> str:
    """'strawberries' -> 'are', 'oat milk' -> 'is' (for "... is out of stock")."""
    last = spoken.split(",")[0].split()[-1] if spoken.split() else ""
    return "are" if last.endswith("s") and not last.endswith(("ss", "us", "is")) else "is"


def plural(word: str) -> str:
    if word.endswith("loaf"):
        return word[:-1] + "ves"
    if word.endswith("s") and not word.endswith("ss"):
        return word  # already plural: "eggs", "strawberries"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    return word + "s"


def quantity_phrase(quantity: int, name: str, unit: str = "each") -> str:
    """(2, 'Butter Croissant', 'each') -> 'two butter croissants'; (2, 'Oat Milk 1 L', 'carton')
    -> 'two cartons of oat milk'."""
    spoken = spoken_name(name)
    # "Sourdough Loaf" sold by the loaf is "a sourdough loaf", not "a loaf of sourdough loaf".
    counted = unit in ("each", "", "cup", "piece", "item") or spoken.split(" ")[-1] == unit
    if quantity == 1:
        thing = spoken if counted else f"{unit} of {spoken}"
        return ("an " if thing[:1] in "aeiou" else "a ") + thing
    words = number_words(quantity)
    if counted:
        return f"{words} {plural(spoken)}"
    return f"{words} {plural(unit)} of {spoken}"


def money(cents: int, currency: str) -> str:
    return spoken_price(cents, currency)


def spoken_time(hour: int, minute: int) -> str:
    if (hour, minute) == (23, 59):
        return "midnight"  # a store "open until 24:00" closes at the day's last minute
    if (hour, minute) == (0, 0):
        return "midnight"
    suffix = "am" if hour < 12 else "pm"
    h = hour % 12 or 12
    return f"{h} {suffix}" if minute == 0 else f"{h}:{minute:02d} {suffix}"


YES = re.compile(
    r"^(yes|yeah|yep|yup|sure|ok|okay|correct|right|please do|go ahead|do it|confirm|"
    r"that's right|sounds good|absolutely|of course|definitely|place it|y)\b"
)
NO = re.compile(r"^(no|nope|nah|not|don't|do not|cancel that|stop|wait|never ?mind|n)\b")


def is_yes(text: str) -> bool:
    return bool(YES.match(normalise(text)))


def is_no(text: str) -> bool:
    return bool(NO.match(normalise(text)))
