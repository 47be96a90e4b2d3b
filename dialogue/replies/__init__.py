"""Replies in the store's language, gettext style: the English template is the key.

    turn.say(tr(turn, "Yes, we're open now, until {closes} today.", closes=closes))

English output is the template filled in, exactly as written in the code. Another language
looks the template up in `dialogue/replies/<language>.yaml` and fills in its own template with
the same placeholders; the parameters are phrases the turn's `wording` already rendered in that
language. A template kept in a constant is marked with `N_` so the catalog test finds it.
Korean templates may write a particle after a placeholder as "을(를)", "이(가)", ...: the
form that fits the word before it is chosen once the phrase is filled in.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Protocol

import yaml

from dialogue import korean

CATALOG_DIR = Path(__file__).parent
# Languages a store may speak; each but English has a catalog file here.
LANGUAGES = ("en", "ko")


class HasLanguage(Protocol):
    @property
    def language(self) -> str: ...


def N_(template: str) -> str:  # noqa: N802 - gettext's name for "mark, do not translate yet"
    """Marks a template kept in a constant; `tr` translates it where it is said."""
    return template


@cache
def catalog(language: str) -> dict[str, str]:
    """English template -> template in `language` (empty for English)."""
    if language == "en":
        return {}
    path = CATALOG_DIR / f"{language}.yaml"
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(loaded, dict):
        raise ValueError(f"{path} must map English templates to {language} templates")
    return {str(k): str(v) for k, v in loaded.items()}


def render(language: str, template: str, **params: object) -> str:
    """The template in `language`, filled in. A template with no entry in the language's
    catalog is said in English rather than not at all (the catalog test keeps that from
    shipping)."""
    translated = catalog(language).get(template)
    if translated is None:
        return template.format(**params) if params else template
    text = translated.format(**params) if params else translated
    return korean.attach_particles(text) if language == "ko" else text


def tr(turn: HasLanguage, template: str, **params: object) -> str:
    """`template` said in the turn's language (see the module's doc)."""
    return render(turn.language, template, **params)
