"""Normalising catalog text and spoken mentions into comparable tokens: lower case, no
accents or punctuation, singular, without filler words or unit sizes ("2 Oat Milks 1 L" ->
["oat", "milk"]). The resolver indexes and searches these tokens.
"""

from __future__ import annotations

import re
import unicodedata

# Words that carry no product meaning in a mention.
STOP_WORDS = frozenset(
    "a an the some of for please me my with and or any few couple lot lots pack packs".split()
)  # fmt: skip
# Size and unit tokens in names like "Oat Milk 1 L" or "Greek Yogurt 500 g".
UNIT_TOKENS = frozenset("g kg mg ml l cl oz lb lbs x pcs ct".split())  # fmt: skip


def singular(token: str) -> str:
    if len(token) <= 3 or token.endswith(("ss", "us", "is")):
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith(("ches", "shes", "xes", "sses", "zes")):
        return token[:-2]
    if token.endswith("oes"):
        return token[:-2]
    if token.endswith("s"):
        return token[:-1]
    return token


# Hangul syllables are words of their own: Korean catalog text keeps them (ASCII folding
# would drop them), everything else is folded to ASCII as before.
_HANGUL_RUN = re.compile(r"([\uac00-\ud7a3]+)")
_NON_WORD = re.compile(r"[^a-z0-9\uac00-\ud7a3]+")


def _ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def folded(text: str) -> str:
    """Lower case without accents; Hangul syllables kept as they are (NFC)."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFC", text)
    if not _HANGUL_RUN.search(text):
        return _ascii_fold(text).lower()
    parts = _HANGUL_RUN.split(text)  # odd positions are the Hangul runs
    return "".join(p if i % 2 else _ascii_fold(p) for i, p in enumerate(parts)).lower()


# Option values count in these: "8 pack", "2% milk" ("2 percent"), "9v" ("9 v").
COUNTED = frozenset({"pack", "packs"})
_NUMBER_UNIT = re.compile(r"(\d+)([a-z]+)")


def tokens(text: str, *, keep_numbers: bool = False) -> list[str]:
    """Normalised tokens: lower case, accents and punctuation gone, singular, no filler.
    Numbers (and "%" as "percent", "9v" as "9 v") are kept only with `keep_numbers`, for
    option values: in a product name they are mostly sizes."""
    text = folded(text)
    text = text.replace("&", " and ").replace("'", "")
    if keep_numbers:
        text = _NUMBER_UNIT.sub(r"\1 \2", text.replace("%", " percent "))
    out = []
    for raw in _NON_WORD.split(text):
        if keep_numbers and raw and (raw.isdigit() or raw in COUNTED):
            out.append(singular(raw))
            continue
        if not raw or raw in STOP_WORDS or raw in UNIT_TOKENS or raw.isdigit():
            continue
        # "500g", "1l", "330ml": a size, not a word ("2m" of a cable option stays).
        size = re.fullmatch(r"\d+(?:\.\d+)?([a-z]{1,3})", raw)
        if size and size.group(1) in UNIT_TOKENS:
            continue
        out.append(singular(raw))
    return out
