"""The dialogue's training data names no product, alias or option value of any catalog in the
repository or in ../shared: intent classification must not depend on which products a store
sells (training examples say "product" and "option"; CatalogMentions puts those words in place
of the live catalog's at run time)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from dialogue.nlu.korean_mentions import PARTICLES
from dialogue.training import PROJECT_DIR

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"

# Option values that are also everyday English words, needed in training examples in their
# everyday sense: "cancel the whole order", "my regular order", "remove everything", "that's
# everything", "actually double it", "none of those", "clear my cart". Sizes are here because
# "a large one" / "the small one" are how shoppers speak of any product. Keep this list short:
# every word here is one a store's catalog could also use.
EVERYDAY_WORDS = frozenset(
    ["small", "medium", "large", "regular", "standard", "hot", "none", "whole", "single",
     "double", "plain", "everything", "clear"]
)  # fmt: skip


def catalog_files() -> list[Path]:
    files = sorted((ROOT / "tests" / "stores").glob("*.csv"))
    files += sorted((ROOT / "commerce" / "demo").glob("*.csv"))
    files += sorted((SHARED / "catalog").glob("*.csv"))
    files += sorted((SHARED / "datasets").rglob("*.csv"))
    return files


def catalog_words(path: Path) -> set[str]:
    """Every product name, alias and option value of one catalog CSV, lower case."""
    words: set[str] = set()
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            words.add(row["name"].strip().lower())
            words.update(a.strip().lower() for a in (row.get("aliases") or "").split(";"))
            for group in (row.get("options") or "").split(";"):
                if "=" not in group:
                    continue
                for value in group.split("=", 1)[1].split("|"):
                    # "medium +0.50": the price change is not part of the value.
                    words.add(re.sub(r"\s*[+-]\d+(?:\.\d+)?$", "", value.strip()).lower())
    return {w for w in words if w and w not in EVERYDAY_WORDS}


def training_lines() -> list[tuple[str, int, str]]:
    lines = []
    # Every language's data: English `data/`, Korean `data-ko/` (a Korean word carries its
    # particles, so a catalog word at the front of an eojeol counts: "우유를").
    for path in sorted(PROJECT_DIR.glob("data*/**/*.yml")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if not line.lstrip().startswith("#"):
                lines.append((str(path.relative_to(PROJECT_DIR)), number, line.lower()))
    return lines


def test_every_catalog_is_checked() -> None:
    files = catalog_files()
    # The demo store, the pet store and the coffee shop at least; a missing ../shared would
    # otherwise make this test pass on nothing.
    assert len(files) >= 3, files
    assert all(catalog_words(f) for f in files)


@pytest.mark.parametrize("catalog", catalog_files(), ids=lambda p: p.name)
def test_training_data_names_nothing_from_the_catalog(catalog: Path) -> None:
    words = catalog_words(catalog)
    # A Korean word counts at the front of an eojeol when the rest is particles ("우유를"),
    # not when it is the start of another word ("물" in "물론이죠"). What follows an
    # apostrophe is part of the word before it: the "s" of "what's" is no size S.
    particles = "|".join(PARTICLES)
    pattern = re.compile(
        r"(?<![a-z0-9\uac00-\ud7a3'’])(?:"
        + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        + rf")(?:{particles})*(?![a-z0-9\uac00-\ud7a3])"
    )
    found = [
        f"{name}:{number}: {match.group(0)!r} in {line.strip()!r}"
        for name, number, line in training_lines()
        for match in [pattern.search(line)]
        if match
    ]
    assert not found, "training data names catalog words:\n" + "\n".join(found)


def test_the_check_finds_a_catalog_word(tmp_path: Path) -> None:
    catalog = tmp_path / "shop.csv"
    catalog.write_text(
        "sku,name,aliases,category,unit,price,stock,options,description\n"
        "W1,Blue Widget,widget;gizmo,tools,each,1.00,5,finish=matte|glossy +0.50;size=large,x\n"
    )
    assert catalog_words(catalog) == {"blue widget", "widget", "gizmo", "matte", "glossy"}
