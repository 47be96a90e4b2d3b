"""Understanding one utterance right after a catalog change, at catalog scale (issue 9): p50/p95
of a turn's catalog work (the version check, patching in what changed, mention finding) after
a price change, a rename and a stock change, beside the same with no change, on a real
database holding the resolver benchmark's 50,000 generated products. Also prints a whole
index build, which is what every name change cost a turn before the index was patched.

Each change is made as the staff API makes it (commerce.catalog, its own session and
commit); the next utterance is then understood in a new session, as the next turn is.

    .venv/bin/python benchmarks/catalog_changes.py [--products 50000] [--changes 40]
        [--database-url postgresql://...]   (default: a temporary SQLite file)

The database given must be empty and migrated (or absent for the SQLite default); the
benchmark writes its catalog there. Stops by itself.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from sqlalchemy import insert  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from benchmarks.catalog_mentions import SENTENCES  # noqa: E402
from benchmarks.resolve_and_search import SEED, mentions_for, synthetic_catalog  # noqa: E402
from benchmarks.stats import percentile  # noqa: E402
from commerce import migrate  # noqa: E402
from commerce.catalog import (  # noqa: E402
    bump_catalog_version,
    parse_catalog_csv,
    set_stock,
    update_product,
)
from commerce.db import make_engine, make_session_factory  # noqa: E402
from commerce.live_index import default_live_index  # noqa: E402
from commerce.models import Product, utcnow  # noqa: E402
from commerce.resolver import catalog_index  # noqa: E402

KINDS = ("no change", "price change", "rename", "stock change")
AGAIN = "rename, then the same words again"


def load_catalog(sessions: Callable[[], Session], count: int, rng: random.Random) -> list[dict]:
    text, rows = synthetic_catalog(count, rng)
    products = parse_catalog_csv(text)
    yesterday = utcnow() - timedelta(days=1)
    with sessions() as session:
        session.execute(
            insert(Product),
            [
                {
                    "sku": p.sku,
                    "name": p.name,
                    "aliases": p.aliases,
                    "category": p.category,
                    "unit": p.unit,
                    "price_cents": p.price_cents,
                    "stock": p.stock,
                    "options": p.options,
                    "description": p.description,
                    "active": True,
                    # Imported yesterday, as a live store's catalog was: a change within
                    # seconds of a whole import pays once for comparing all its stamps.
                    "updated_at": yesterday,
                }
                for p in products
            ],
        )
        bump_catalog_version(session)
        session.commit()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=50_000)
    parser.add_argument("--changes", type=int, default=40, help="samples per kind of change")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
    from rasa.shared.nlu.training_data.message import Message

    from dialogue.nlu.mentions import find_mentions

    rng = random.Random(SEED)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load} at start")
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/catalog-changes.db"
        if not args.database_url:
            migrate.upgrade(url)
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        start = time.perf_counter()
        rows = load_catalog(sessions, args.products, rng)
        print(f"catalog: {len(rows)} products written in {time.perf_counter() - start:.1f} s")

        start = time.perf_counter()
        with sessions() as session:
            catalog_index(session)
        build = time.perf_counter() - start
        print(f"whole index build (the first turn; before: every name change): {build:.2f} s")

        tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
        said = [m for _, m in mentions_for(rows, 4 * args.changes + 20, rng)]

        def words_of(text: str) -> list[str]:
            return [t.text for t in tokenizer.tokenize(Message(data={"text": text}), "text")]

        def understand(utterance: str) -> tuple[float, set[str]]:
            """One turn's catalog work: a new session, the live index, mention finding; its
            time and the SKUs found."""
            words = words_of(utterance)
            started = time.perf_counter()
            with sessions() as session:
                found = find_mentions(words, catalog_index(session))
            elapsed = (time.perf_counter() - started) * 1000
            return elapsed, {str(m.value) for m in found if m.kind == "product"}

        for i in range(20):  # warm up
            understand(SENTENCES[i % len(SENTENCES)].format(said[i]))
        timings: dict[str, list[float]] = {kind: [] for kind in (*KINDS, AGAIN)}
        renames_found = 0
        for n in range(args.changes):
            for k, kind in enumerate(KINDS):
                row = rng.choice(rows)
                mention = said[20 + 4 * n + k]
                with sessions() as session:
                    if kind == "price change":
                        update_product(
                            session, sku=row["sku"], changes={"price_cents": rng.randint(50, 9999)}
                        )
                    elif kind == "stock change":
                        set_stock(session, sku=row["sku"], stock=rng.randint(0, 50))
                    elif kind == "rename":
                        # A new first word; the next utterance names the product by it.
                        mention = f"{rng.choice(rows)['name'].split()[0]} {row['name']}"
                        update_product(session, sku=row["sku"], changes={"name": mention})
                utterance = SENTENCES[n % len(SENTENCES)].format(mention)
                elapsed, skus = understand(utterance)
                timings[kind].append(elapsed)
                if kind == "rename":
                    renames_found += row["sku"] in skus
                    # The same words again, the change already patched in.
                    timings[AGAIN].append(understand(utterance)[0])
        with sessions() as session:
            index = catalog_index(session)
        print(
            f"index after the changes: {len(index)} products, {index.patched_products} patched "
            f"in since the whole build; renamed product understood after {renames_found} of "
            f"{args.changes} renames"
        )
        default_live_index.wait(timeout=120)
        print(f"understanding one utterance right after a change ({args.changes} each, ms):")
        for kind in (*KINDS, AGAIN):
            values = timings[kind]
            print(
                f"  {kind:<13} p50 {percentile(values, 50):7.2f}  p95 {percentile(values, 95):7.2f}"
                f"  max {max(values):7.2f}"
            )
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
