"""How catalog-aware understanding generalises to another shop's menu words: the Taskmaster-4
coffee dev set (../shared/datasets/taskmaster4-coffee) run against VARIANT catalogs of
bean-and-leaf.csv that keep the same products (same SKUs) but name option groups and spell
option values (and a few product names) the way another coffee shop's menu could, as the
hidden checks do with the held-out part of the corpus. The original catalog is the baseline.

Each variant's catalog, store file and transcripts (expected carts mapped through the
variant's renames) are written to a temp dir and run in-process by dialogue.transcripts'
Runner, the model loaded once. Prints passed/total per variant and failures by rough kind.

    PYTHONPATH=. .venv/bin/python benchmarks/understanding_variants.py \
        [--variant NAME] [--limit N] [--show-failures] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import logging
import os
import re
import shutil
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from commerce.resolver import clear_cache  # noqa: E402
from dialogue.training import train  # noqa: E402
from dialogue.transcripts import Result, Runner, load_transcript  # noqa: E402

DATASET = ROOT.parent / "shared" / "datasets" / "taskmaster4-coffee"
CATALOG, STORE = "bean-and-leaf.csv", "bean-and-leaf.store.yaml"


@dataclass(frozen=True)
class Variant:
    name: str
    groups: dict[str, str]  # original group -> this menu's group name
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # group -> value -> value
    products: dict[str, tuple[str, str]] = field(default_factory=dict)  # SKU -> name, aliases


# Product names as a chain's menu writes them; every generic name stays an alias.
CHAIN_NAMES = {
    "LATTE": ("Caffe Latte", "latte;cafe latte"),
    "MOCHA": ("Caffe Mocha", "mocha;cafe mocha"),
    "AMERICANO": ("Caffe Americano", "americano"),
    "CHAI-LATTE": ("Chai Tea Latte", "chai latte;chai"),
    "MATCHA-LATTE": ("Matcha Tea Latte", "matcha latte;matcha"),
    "COLD-BREW": ("Cold Brew Coffee", "cold brew"),
    "HOT-CHOCOLATE": ("Hot Cocoa", "hot chocolate;cocoa"),
    "ENGLISH-BREAKFAST": ("English Breakfast Black Tea", "english breakfast;black tea"),
}
INDIE_NAMES = {
    "LATTE": ("Cafe Latte", "latte"),
    "MOCHA": ("Mocha Latte", "mocha"),
    "MACCHIATO": ("Latte Macchiato", "macchiato"),
    "STEAMER": ("Milk Steamer", "steamer;steamed milk"),
    "JIN-XUAN": ("Jin Xuan Oolong Tea", "oolong;jin xuan"),
}

VARIANTS = [
    Variant(
        "renamed-groups",  # group names only: what depends on the words "milk", "shots"...
        {"temp": "temperature", "milk": "milk type", "shots": "espresso", "caffeine": "caff",
         "flavour": "flavor"},
        products=CHAIN_NAMES,
    ),
    Variant(
        "menu-words",
        {"temp": "temperature", "milk": "milk", "shots": "espresso", "caffeine": "decaf",
         "flavour": "syrup"},
        {
            "milk": {"2%": "reduced fat", "whole": "whole milk", "oat": "oat milk",
                     "almond": "almond milk", "non-fat": "nonfat", "lactose-free": "lactose free"},
            "shots": {"standard": "regular", "single": "single shot", "double": "double shot",
                      "triple": "triple shot", "quadruple": "quad shot"},
            "caffeine": {"regular": "caffeinated"},
            "flavour": {"none": "no syrup", "sugar-free vanilla": "sugar free vanilla",
                        "chocolate": "chocolate sauce"},
        },
        CHAIN_NAMES,
    ),
    Variant(
        "dairy-serve",
        {"temp": "serve", "milk": "dairy", "shots": "shots", "caffeine": "caffeine",
         "flavour": "flavor"},
        {
            "temp": {"iced": "over ice"},
            "milk": {"2%": "2 percent", "non-fat": "skim", "lactose-free": "lactose free"},
            "shots": {"standard": "house", "single": "1 shot", "double": "2 shots",
                      "triple": "3 shots", "quadruple": "4 shots"},
            "caffeine": {"regular": "full caff", "decaf": "decaffeinated"},
            "flavour": {"caramel": "caramel syrup", "vanilla": "vanilla syrup",
                        "sugar-free vanilla": "sugar free vanilla syrup",
                        "hazelnut": "hazelnut syrup", "chocolate": "chocolate syrup"},
        },
    ),
    Variant(
        "yes-no-decaf",
        {"temp": "temperature", "milk": "milk choice", "shots": "espresso shots",
         "caffeine": "decaf", "flavour": "sweetener"},
        {
            "milk": {"2%": "2% milk", "whole": "whole milk", "oat": "oatmilk",
                     "almond": "almondmilk", "non-fat": "non fat",
                     "lactose-free": "lactose-free milk"},
            "shots": {"standard": "regular", "quadruple": "quad"},
            "caffeine": {"regular": "no", "decaf": "yes"},
            "flavour": {"sugar-free vanilla": "sf vanilla"},
        },
        INDIE_NAMES,
    ),
]  # fmt: skip


def _map_options(variant: Variant, options: dict[str, str]) -> dict[str, str]:
    return {
        variant.groups.get(g, g): variant.values.get(g, {}).get(str(v), str(v))
        for g, v in options.items()
    }


def _map_items(variant: Variant, items: dict) -> dict:
    mapped: dict = {}
    for sku, spec in items.items():
        lines = spec if isinstance(spec, list) else [spec]
        out = [
            {**line, "options": _map_options(variant, line["options"])}
            if isinstance(line, dict) and line.get("options")
            else line
            for line in lines
        ]
        mapped[sku] = out if isinstance(spec, list) else out[0]
    return mapped


def build_variant(variant: Variant, files: list[Path], out: Path) -> list[Path]:
    """Writes the variant's catalog, store file and mapped transcripts under `out`."""
    (out / "transcripts").mkdir(parents=True)
    with (DATASET / CATALOG).open(newline="", encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    for row in rows:
        groups = []
        for chunk in filter(None, row["options"].split(";")):
            group, _, values = chunk.partition("=")
            renamed = [variant.values.get(group, {}).get(v, v) for v in values.split("|")]
            groups.append(f"{variant.groups.get(group, group)}={'|'.join(renamed)}")
        row["options"] = ";".join(groups)
        row["name"], row["aliases"] = variant.products.get(
            row["sku"], (row["name"], row["aliases"])
        )
    with (out / CATALOG).open("w", newline="", encoding="utf-8") as target:
        writer = csv.DictWriter(target, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    shutil.copyfile(DATASET / STORE, out / STORE)
    written = []
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["catalog"], data["store"] = f"../{CATALOG}", f"../{STORE}"
        data["expect"]["cart"] = _map_items(variant, data["expect"]["cart"])
        target_path = out / "transcripts" / path.name
        target_path.write_text(json.dumps(data, indent=1), encoding="utf-8")
        written.append(target_path)
    return written


# "1 LATTE (milk=oat, temp=hot)" as dialogue.transcript_items.describe writes a line.
_LINE = re.compile(r"(\d+) ([A-Z0-9][A-Z0-9-]*)(?: \(([^)]*)\))?")
_CART = re.compile(r"cart has (.*?), expected (.*?)(?:; |$)")
Line = tuple[str, int, tuple[tuple[str, str], ...]]


def _lines(text: str) -> list[Line]:
    if text == "nothing":
        return []
    lines: list[Line] = []
    for qty, sku, opts in _LINE.findall(text):
        pairs = [o.partition("=") for o in opts.split(", ")] if opts else []
        lines.append((sku, int(qty), tuple((name, value) for name, _, value in pairs)))
    return lines


def classify(result: Result, variant: Variant) -> tuple[list[str], str, str]:
    """Rough kinds of one failure (option kinds name the ORIGINAL group), expected, actual."""
    match = _CART.search(result.failure)
    if not match:
        return ["not a cart failure (error or step)"], "", result.failure
    got_text, want_text = match.groups()
    got, want = _lines(got_text), _lines(want_text)
    if not got:
        replies = [line.strip() for line in result.conversation if "assistant:" in line]
        return ["nothing added"], want_text, f"nothing ({' '.join(replies)[:160]})"
    got_skus, want_skus = Counter(s for s, _, _ in got), Counter(s for s, _, _ in want)
    if got_skus != want_skus:
        if not want_skus - got_skus:
            return ["extra item"], want_text, got_text
        kind = "missing product" if not got_skus - want_skus else "wrong product"
        return [kind], want_text, got_text
    if Counter((s, q) for s, q, _ in got) != Counter((s, q) for s, q, _ in want):
        return ["wrong quantity"], want_text, got_text
    original = {new: old for old, new in variant.groups.items()}
    defaults = _defaults(variant)
    kinds: set[str] = set()
    remaining = list(got)
    for sku, qty, options in want:
        same = [g for g in remaining if g[:2] == (sku, qty)]
        best = max(same, key=lambda g: len(set(g[2]) & set(options)))
        remaining.remove(best)
        have = dict(best[2])
        for group, value in options:
            if have.get(group) == value:
                continue
            name = original.get(group, group)
            if have.get(group) == defaults.get(group):
                kinds.add(f"option missed: {name}")
            elif value == defaults.get(group):
                kinds.add(f"option spurious: {name}")
            else:
                kinds.add(f"option wrong value: {name}")
    return sorted(kinds) or ["same lines in another split"], want_text, got_text


def _defaults(variant: Variant) -> dict[str, str]:
    """Each (renamed) group's default: its first value in the variant's catalog."""
    first = {"temp": "hot", "milk": "2%", "shots": "standard", "caffeine": "regular",
             "flavour": "none"}  # fmt: skip
    return {variant.groups.get(g, g): variant.values.get(g, {}).get(v, v) for g, v in first.items()}


BASELINE = Variant("original", {})


async def run_all(assistant: object, variants: list[Variant], files: list[Path], keep: Path | None,
                  show: bool) -> None:  # fmt: skip
    summary = []
    for variant in variants:
        out = (keep or Path(tempfile.mkdtemp(prefix="voxcart-variants-"))) / variant.name
        if out.exists():
            shutil.rmtree(out)
        paths = files if variant is BASELINE else build_variant(variant, files, out)
        clear_cache()  # one index per transcript store otherwise piles up across variants
        runner = Runner(assistant, default_catalog=DATASET / CATALOG, default_store=DATASET / STORE)
        failures: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        passed = 0
        try:
            for path in paths:
                transcript = load_transcript(path)
                result = await runner.run(transcript)
                if result.passed:
                    passed += 1
                    continue
                said = " / ".join(str(s["user"]) for s in transcript.data["steps"] if "user" in s)
                kinds, want, got = classify(result, variant)
                for kind in kinds:
                    failures[kind].append((said, want, got))
        finally:
            runner.close()
            if keep is None:
                shutil.rmtree(out.parent, ignore_errors=True)
        summary.append((variant.name, passed, len(paths)))
        print(f"\n== {variant.name}: {passed}/{len(paths)} passed", flush=True)
        for kind, cases in sorted(failures.items(), key=lambda kv: -len(kv[1])):
            print(f"  {len(cases):4d}  {kind}")
            if show:
                for said, want, got in cases:
                    print(f"        {said!r}\n          expected {want}\n          got      {got}")
    print("\nvariant            passed")
    for name, passed, total in summary:
        print(f"{name:18s} {passed}/{total} ({100 * passed / max(total, 1):.1f}%)")


def main() -> int:
    names = [BASELINE.name, *(v.name for v in VARIANTS)]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variant", choices=names, action="append",
                        help="run only this variant (repeatable); default: all")  # fmt: skip
    parser.add_argument("--limit", type=int, help="only the first N transcripts")
    parser.add_argument("--show-failures", action="store_true", help="list failing utterances")
    parser.add_argument("--keep", type=Path, help="write the variants here and keep them")
    args = parser.parse_args()
    files = sorted((DATASET / "transcripts").glob("*.yaml"))[: args.limit]
    if not files:
        parser.error(f"no transcripts in {DATASET / 'transcripts'}")
    chosen = [v for v in (BASELINE, *VARIANTS) if not args.variant or v.name in args.variant]
    logging.getLogger("rasa").setLevel(logging.WARNING)
    from dialogue.runtime import Assistant

    print("loading the assistant...", file=sys.stderr, flush=True)
    assistant = Assistant.load(train(ROOT / "models", quiet=True))
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    asyncio.run(run_all(assistant, chosen, files, args.keep, args.show_failures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
