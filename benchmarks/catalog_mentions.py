"""Understanding one utterance at catalog scale: CatalogMentions' mention finding
(dialogue.nlu.mentions) over whole sentences ("hi, could I get two <mention> please, it's for
Sam") against the resolver benchmark's 50,000 generated products, p50/p95 per utterance.

The catalog is parsed by the real CSV parser and indexed by the resolver in memory (no
database: this times understanding, not loading). Stops by itself; touches no files.

    .venv/bin/python benchmarks/catalog_mentions.py [--products 50000] [--utterances 600]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.resolve_and_search import SEED, mentions_for, synthetic_catalog  # noqa: E402
from benchmarks.stats import percentile  # noqa: E402
from commerce.catalog import parse_catalog_csv  # noqa: E402
from commerce.models import Product  # noqa: E402
from commerce.resolver import CatalogIndex  # noqa: E402

SENTENCES = [
    "hi, could I get two {} please, it's for Sam",
    "{}",
    "um I was looking to order a {} to go since I'm in a rush",
    "do you have any {} left today?",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=50_000)
    parser.add_argument("--utterances", type=int, default=600)
    args = parser.parse_args()
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
    from rasa.shared.nlu.training_data.message import Message

    from dialogue.nlu.mentions import find_mentions

    rng = random.Random(SEED)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load} at start")
    text, rows = synthetic_catalog(args.products, rng)
    products = [
        Product(sku=p.sku, name=p.name, aliases=p.aliases, options=p.options)
        for p in parse_catalog_csv(text)
    ]
    start = time.perf_counter()
    index = CatalogIndex(products)
    print(f"catalog: {len(products)} products, index built in {time.perf_counter() - start:.1f} s")
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    said = [mention for _, mention in mentions_for(rows, args.utterances, rng)]
    utterances = [SENTENCES[i % len(SENTENCES)].format(m) for i, m in enumerate(said)]
    words = [
        [t.text for t in tokenizer.tokenize(Message(data={"text": u}), "text")] for u in utterances
    ]
    for sentence in words[:20]:  # warm up (and the first fuzzy look-ups of common words)
        find_mentions(sentence, index)
    timings, resolved = [], []
    found = 0
    # Interleaved with the resolver alone on the bare mention (what a whole-chunk resolution
    # costs), so both see the same machine load.
    for sentence, mention in zip(words, said, strict=True):
        start = time.perf_counter()
        mentions = find_mentions(sentence, index)
        timings.append((time.perf_counter() - start) * 1000)
        found += any(m.kind == "product" for m in mentions)
        start = time.perf_counter()
        index.search(mention)
        resolved.append((time.perf_counter() - start) * 1000)
    print(
        f"resolver on the bare mentions (reference): p50 {percentile(resolved, 50):.2f} ms, "
        f"p95 {percentile(resolved, 95):.2f} ms"
    )
    print(
        f"find_mentions over {len(timings)} utterances: p50 {percentile(timings, 50):.2f} ms, "
        f"p95 {percentile(timings, 95):.2f} ms, max {max(timings):.2f} ms, "
        f"mean {statistics.mean(timings):.2f} ms; a product found in {found}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
