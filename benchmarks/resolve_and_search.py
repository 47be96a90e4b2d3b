"""Resolver and search at catalog scale: 50,000 synthetic products in a temporary SQLite store,
imported through the real CSV importer.

Prints the import time, the index build time, p50/p95 of `resolve_mention` over a few hundred
varied mentions (exact names, aliases, plurals, misspellings, ambiguous words, options), and
requests per second of `GET /products?q=` against a real uvicorn server on 127.0.0.1 (two client
threads for a bounded time). Stops by itself; touches nothing outside a temporary folder.

    .venv/bin/python benchmarks/resolve_and_search.py [--products 50000] [--seconds 10]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import select

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.stats import free_port, percentile  # noqa: E402
from commerce import migrate  # noqa: E402
from commerce.catalog import COLUMNS, import_products, parse_catalog_csv  # noqa: E402
from commerce.models import Product  # noqa: E402
from commerce.resolver import catalog_index, clear_cache, pick, resolve_mention  # noqa: E402
from commerce.service import open_store  # noqa: E402

SEED = 20261125
HOST = "127.0.0.1"

# category -> (nouns, units, option groups offered by some products)
CATEGORIES: dict[str, tuple[list[str], list[str], list[str]]] = {
    "dairy": (
        ["milk", "yogurt", "cheese", "butter", "cream", "kefir", "custard", "quark"],
        ["bottle", "tub", "pack"],
        ["fat=whole|semi|skimmed"],
    ),
    "bakery": (
        ["bread", "bagel", "muffin", "croissant", "roll", "bun", "loaf", "scone", "brioche"],
        ["each", "loaf", "pack"],
        ["slicing=whole|sliced"],
    ),
    "produce": (
        ["apple", "pear", "banana", "tomato", "onion", "pepper", "lettuce", "carrot", "grape"],
        ["each", "bag", "punnet"],
        ["ripeness=ripe|firm"],
    ),
    "pantry": (
        ["pasta", "rice", "beans", "lentils", "flour", "sugar", "oats", "noodles", "sauce"],
        ["bag", "jar", "tin"],
        [],
    ),
    "drinks": (
        ["juice", "cola", "water", "lemonade", "tea", "coffee", "smoothie", "kombucha"],
        ["bottle", "can", "carton"],
        ["size=small|medium|large"],
    ),
    "cafe": (
        ["latte", "cappuccino", "mocha", "espresso", "chai", "cocoa", "flat white"],
        ["cup"],
        ["size=small|medium|large;milk=whole|oat|skim|almond|soy"],
    ),
    "hardware": (
        ["hammer", "screwdriver", "drill", "saw", "wrench", "pliers", "screws", "nails"],
        ["each", "box", "set"],
        ["size=s|m|l|xl"],
    ),
    "paint": (
        ["paint", "primer", "varnish", "emulsion", "stain", "brush", "roller"],
        ["tin", "each"],
        ["color=white|grey|blue|green|red|black;finish=matt|satin|gloss"],
    ),
    "pets": (
        ["dog food", "cat food", "kibble", "treats", "litter", "chew toy", "collar", "leash"],
        ["bag", "pack", "each"],
        ["size=small|medium|large", "flavor=chicken|beef|salmon"],
    ),
    "household": (
        ["detergent", "dish soap", "sponge", "bin bags", "toilet paper", "bleach", "cloths"],
        ["bottle", "pack", "roll"],
        ["scent=lemon|lavender|unscented"],
    ),
    "clothing": (
        ["t-shirt", "socks", "hoodie", "jeans", "scarf", "gloves", "cap", "jacket"],
        ["each", "pair"],
        ["size=xs|s|m|l|xl;color=black|white|navy|red|green"],
    ),
    "garden": (
        ["compost", "seeds", "hose", "trowel", "planter", "fertiliser", "bulbs", "mulch"],
        ["bag", "each", "pack"],
        [],
    ),
}
BRANDS = (
    "acme northwind contoso fabrikam tailspin wingtip litware adatum proseware lucerne "
    "fourth coffee alpine margie woodgrove trey humongous blue yonder southridge wideworld "
    "graphic datum nod adventure relecloud vanarsdel bellows fernhill oakridge kestrel"
).split()
ADJECTIVES = (
    "organic classic premium fresh smoked spicy sweet crunchy smooth mild strong light "
    "rustic golden wild heritage artisan family value deluxe original natural garden "
    "hearty tangy zesty creamy roasted toasted salted unsalted extra mini jumbo"
).split()
SIZES = ["100 g", "250 g", "500 g", "1 kg", "330 ml", "500 ml", "1 L", "2 L", "6 x 330 ml", ""]
SLANG = ["the usual", "my favourite", "the good one", "house", "the big one", "value pack"]


def plural(word: str) -> str:
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def misspell(text: str, rng: random.Random) -> str:
    """One typo in the longest word: what a recogniser or a hurried typist gets wrong."""
    words = text.split()
    i = max(range(len(words)), key=lambda k: len(words[k]))
    word = words[i]
    if len(word) < 5:
        return text
    j = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("drop", "swap", "double"))
    if kind == "drop":
        word = word[:j] + word[j + 1 :]
    elif kind == "swap":
        word = word[: j - 1] + word[j] + word[j - 1] + word[j + 1 :]
    else:
        word = word[:j] + word[j] + word[j:]
    words[i] = word
    return " ".join(words)


def synthetic_catalog(count: int, rng: random.Random) -> tuple[str, list[dict]]:
    """A catalog CSV of `count` products, and the rows (for building mentions)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    rows: list[dict] = []
    seen: set[str] = set()
    categories = list(CATEGORIES)
    while len(rows) < count:
        category = rng.choice(categories)
        nouns, units, option_sets = CATEGORIES[category]
        brand, adjective, noun = rng.choice(BRANDS), rng.choice(ADJECTIVES), rng.choice(nouns)
        size = rng.choice(SIZES)
        name = " ".join(
            part for part in (brand.title(), adjective.title(), noun.title(), size) if part
        )
        if name in seen:
            continue
        seen.add(name)
        aliases = [f"{adjective} {noun}", f"{brand} {noun}", noun, plural(noun)]
        if rng.random() < 0.1:
            aliases.append(rng.choice(SLANG) + f" {noun}")
        options = rng.choice(option_sets) if option_sets and rng.random() < 0.4 else ""
        row = {
            "sku": f"P{len(rows):06d}",
            "name": name,
            "aliases": ";".join(aliases),
            "category": category,
            "unit": rng.choice(units),
            "price": f"{rng.randint(50, 9999) / 100:.2f}",
            "stock": str(rng.choice([0, 5, 12, 40, 200, 999])),
            "options": options,
            "description": f"{adjective} {noun} from {brand}",
        }
        writer.writerow([row[c] for c in COLUMNS])
        rows.append(row)
    return out.getvalue(), rows


def mentions_for(rows: list[dict], count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, mention) pairs in even proportions."""
    out: list[tuple[str, str]] = []
    kinds = ["exact name", "alias", "plural", "misspelling", "ambiguous word", "with options"]
    with_options = [r for r in rows if r["options"]]
    while len(out) < count:
        kind = kinds[len(out) % len(kinds)]
        row = rng.choice(with_options if kind == "with options" else rows)
        aliases = row["aliases"].split(";")
        if kind == "exact name":
            mention = row["name"]
        elif kind == "alias":
            mention = aliases[0]
        elif kind == "plural":
            mention = plural(aliases[0])
        elif kind == "misspelling":
            mention = misspell(aliases[0] if rng.random() < 0.5 else row["name"], rng)
        elif kind == "ambiguous word":
            mention = aliases[2]  # the bare noun, shared by thousands of products
        else:
            values = [g.split("=")[1].split("|") for g in row["options"].split(";")]
            chosen = " ".join(rng.choice(v) for v in values)
            mention = f"{chosen} {aliases[1]}"
        out.append((kind, mention))
    return out


# The server runs in its own process, so the client threads do not share its interpreter lock.
SERVER = """
import sys
import uvicorn
from commerce.api.app import create_app
from commerce.api.rate_limits import RateLimits
from commerce.service import open_store
# No rate limit: this measures requests per second, not how many are allowed.
unlimited = RateLimits(staff="", shopper="", anonymous="")
app = create_app(open_store(sys.argv[1]).sessions, rate_limits=unlimited)
uvicorn.run(app, host=sys.argv[2], port=int(sys.argv[3]), ws="none", log_level="warning",
            access_log=False)
"""


def start_server(url: str) -> tuple[subprocess.Popen, int]:
    port = free_port(HOST)
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER, url, HOST, str(port)],
        cwd=REPO_ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise SystemExit(f"the benchmark server exited: {process.communicate()[1]}")
        try:
            httpx.get(f"http://{HOST}:{port}/openapi.json", timeout=1, trust_env=False)
            return process, port
        except httpx.TransportError:
            if time.monotonic() > deadline:
                process.kill()
                raise SystemExit("the benchmark server did not start within 60 s") from None
            time.sleep(0.1)


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def http_load(port: int, queries: list[str], seconds: float, clients: int) -> dict:
    """`clients` threads, each with its own connection, for `seconds`; loopback only."""
    stop_at = time.monotonic() + seconds
    counts = [0] * clients
    errors = [0] * clients
    latencies: list[list[float]] = [[] for _ in range(clients)]

    def worker(i: int) -> None:
        rng = random.Random(SEED + i)
        with httpx.Client(base_url=f"http://{HOST}:{port}", timeout=10, trust_env=False) as http:
            while time.monotonic() < stop_at:
                start = time.perf_counter()
                try:
                    response = http.get("/products", params={"q": rng.choice(queries)})
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies[i].append((time.perf_counter() - start) * 1000)
                counts[i] += ok
                errors[i] += not ok

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    elapsed = time.monotonic() - started
    flat = [x for per in latencies for x in per]
    return {
        "ok": sum(counts),
        "errors": sum(errors),
        "elapsed": elapsed,
        "p50": percentile(flat, 50) if flat else float("nan"),
        "p95": percentile(flat, 95) if flat else float("nan"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=50_000)
    parser.add_argument("--mentions", type=int, default=600)
    parser.add_argument("--seconds", type=float, default=10.0, help="HTTP load duration")
    parser.add_argument("--clients", type=int, default=2, help="HTTP client threads")
    args = parser.parse_args()
    rng = random.Random(SEED)

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load} at start")
    with tempfile.TemporaryDirectory(prefix="voxcart-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate.upgrade(url)
        store = open_store(url)
        try:
            text, rows = synthetic_catalog(args.products, rng)
            with_options = sum(1 for r in rows if r["options"])
            print(f"catalog: {len(rows)} products, {with_options} with option groups, "
                  f"{len(CATEGORIES)} categories")  # fmt: skip

            start = time.perf_counter()
            parsed = parse_catalog_csv(text)
            parse_s = time.perf_counter() - start
            with store.sessions() as session:
                start = time.perf_counter()
                imported = import_products(session, products=parsed)
                write_s = time.perf_counter() - start
            print(f"import: {imported} products, parse {parse_s:.2f} s + write {write_s:.2f} s")

            with store.sessions() as session:
                start = time.perf_counter()
                products = list(session.scalars(select(Product).where(Product.active.is_(True))))
                load_s = time.perf_counter() - start
            del products
            clear_cache()
            with store.sessions() as session:  # a fresh session: nothing cached anywhere
                start = time.perf_counter()
                catalog_index(session)
                cold_s = time.perf_counter() - start
            print(f"index build: {(cold_s - load_s) * 1000:.0f} ms "
                  f"(+ {load_s * 1000:.0f} ms loading the rows = {cold_s * 1000:.0f} ms "
                  f"for the first resolve after a catalog change)")  # fmt: skip

            mentions = mentions_for(rows, args.mentions, rng)
            timings: dict[str, list[float]] = {}
            outcomes: dict[str, dict[str, int]] = {}
            with store.sessions() as session:
                for _kind, mention in mentions[:20]:  # warm up
                    resolve_mention(session, mention=mention)
                for kind, mention in mentions:
                    start = time.perf_counter()
                    found = resolve_mention(session, mention=mention)
                    timings.setdefault(kind, []).append((time.perf_counter() - start) * 1000)
                    chosen = pick(found)
                    outcome = "one" if chosen.best else "ambiguous" if chosen.ambiguous else "none"
                    outcomes.setdefault(kind, {}).setdefault(outcome, 0)
                    outcomes[kind][outcome] += 1
            every = [t for per in timings.values() for t in per]
            print(f"resolve_mention over {len(every)} mentions: "
                  f"p50 {percentile(every, 50):.2f} ms, p95 {percentile(every, 95):.2f} ms, "
                  f"max {max(every):.2f} ms, mean {statistics.mean(every):.2f} ms")  # fmt: skip
            for kind, per in timings.items():
                found = ", ".join(f"{k} {v}" for k, v in sorted(outcomes[kind].items()))
                print(f"  {kind:<15} p50 {percentile(per, 50):6.2f} ms  "
                      f"p95 {percentile(per, 95):6.2f} ms  ({found})")  # fmt: skip

            process, port = start_server(url)
            try:
                # The server builds its own index on the first search: not part of the load.
                start = time.perf_counter()
                httpx.get(f"http://{HOST}:{port}/products", params={"q": "milk"}, timeout=120,
                          trust_env=False)  # fmt: skip
                warm_s = time.perf_counter() - start
                queries = [m for _, m in mentions]
                result = http_load(port, queries, args.seconds, args.clients)
            finally:
                stop_server(process)
            print(f"server's first search (index build in the server): {warm_s * 1000:.0f} ms")
            print(f"GET /products?q= on http://{HOST}:{port} (uvicorn process, 1 worker, SQLite), "
                  f"{args.clients} client threads for {result['elapsed']:.1f} s: "
                  f"{result['ok'] / result['elapsed']:.0f} requests/s, "
                  f"p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms, "
                  f"{result['ok']} ok, {result['errors']} errors")  # fmt: skip
        finally:
            store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
