"""Every reply template in the code has a Korean entry with the same placeholders."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from dialogue import replies

DIALOGUE = Path(replies.__file__).parent.parent


def templates_in_code() -> dict[str, str]:
    """Template -> where it is, for every literal passed to tr(turn, "...") or N_("...")."""
    found: dict[str, str] = {}
    for path in sorted(DIALOGUE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            position = {"tr": 1, "N_": 0}.get(node.func.id)
            if position is None or len(node.args) <= position:
                continue
            arg = node.args[position]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.setdefault(arg.value, f"{path.relative_to(DIALOGUE.parent)}:{node.lineno}")
    return found


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_the_scan_finds_the_replies() -> None:
    found = templates_in_code()
    # A scan that found nothing would pass every check below.
    assert "Your cart is empty. What would you like?" in found
    assert "Yes, we're open now, until {closes} today." in found
    assert len(found) > 100


@pytest.mark.parametrize("language", [lang for lang in replies.LANGUAGES if lang != "en"])
def test_every_template_has_an_entry_with_the_same_placeholders(language: str) -> None:
    entries = replies.catalog(language)
    missing = [f"{where}: {t!r}" for t, where in templates_in_code().items() if t not in entries]
    assert not missing, f"no {language} entry in dialogue/replies/{language}.yaml for:\n" + (
        "\n".join(missing)
    )
    differ = [
        f"{t!r}: {sorted(placeholders(t))} vs {sorted(placeholders(entries[t]))}"
        for t in templates_in_code()
        if placeholders(t) != placeholders(entries[t])
    ]
    assert not differ, "placeholders differ:\n" + "\n".join(differ)


@pytest.mark.parametrize("language", [lang for lang in replies.LANGUAGES if lang != "en"])
def test_no_stale_entries(language: str) -> None:
    stale = set(replies.catalog(language)) - set(templates_in_code())
    assert not stale, f"entries no template uses any more: {sorted(stale)}"
