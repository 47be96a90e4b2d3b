"""Experiment: Korean recognition with a STRICT sentence grammar instead of Vosk's runtime
grammar. Vosk turns a runtime grammar (the JSON phrase list) into a bigram model in which every
state backs off to all words with half its probability (recognizer.cc UpdateGrammarFst, Kaldi's
LanguageModelEstimator with discount 0.5), so short frequent words ("주세요", "요", "가") can be
inserted anywhere. Here the sentences become the model's own graph/Gr.fst instead: a prefix
tree of word ids that accepts those sentences and nothing else (HCLr.fst is the model's own,
linked), written in OpenFst's binary VectorFst format with the words in graph/words.txt.

Said lines come from the Korean transcripts as in benchmarks/korean_recognition.py. Grammars:
  store      the store's phrase grammar (dialogue.vocabulary.store_vocabulary)
  said       exactly the said lines (an upper bound: every line is in the grammar)
  said+N     the said lines and N sentences drawn from the store's grammar (grammar size)
  runtime    the said lines as a Vosk runtime grammar, for comparison

Run: .venv/bin/python benchmarks/korean_strict_grammar.py said|store|said+N|runtime
"""

from __future__ import annotations

import json
import os
import random
import re
import struct
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.korean_recognition import (  # noqa: E402
    DEFAULT_DIRS,
    STORE,
    comparable,
    meaning,
    said_lines,
)
from commerce import migrate  # noqa: E402
from commerce.resolver import catalog_index  # noqa: E402
from commerce.service import import_store_files, open_store  # noqa: E402
from dialogue.vocabulary import store_vocabulary  # noqa: E402
from voice.audio import silence  # noqa: E402
from voice.stt import VoskEngine, find_model, join_pieces  # noqa: E402
from voice.tts import Synthesizer, TtsSettings, voice_for_language  # noqa: E402

FST_MAGIC = 2125659606  # OpenFst's binary header magic number
FST_VERSION = 2  # VectorFst file version
EXPANDED_MUTABLE = 0x3  # known properties: expanded, mutable (the rest unknown)
NOT_FINAL = float("inf")  # tropical Zero


def _string(text: str) -> bytes:
    data = text.encode()
    return struct.pack("<i", len(data)) + data


def write_vector_fst(path: Path, states: list[tuple[bool, dict[int, int]]]) -> None:
    """An unweighted acceptor (state 0 starts) in OpenFst's binary VectorFst format: per
    state its final weight and its arcs (label -> next state), arcs sorted by label."""
    arcs = sum(len(out) for _, out in states)
    data = bytearray(struct.pack("<i", FST_MAGIC))
    data += _string("vector") + _string("standard")
    data += struct.pack("<iiQqqq", FST_VERSION, 0, EXPANDED_MUTABLE, 0, len(states), arcs)
    for final, out in states:
        data += struct.pack("<fq", 0.0 if final else NOT_FINAL, len(out))
        for label in sorted(out):
            data += struct.pack("<iifi", label, label, 0.0, out[label])
    path.write_bytes(bytes(data))


def sentence_tree(sentences: list[list[int]]) -> list[tuple[bool, dict[int, int]]]:
    """A prefix tree accepting exactly these word-id sequences."""
    states: list[tuple[bool, dict[int, int]]] = [(False, {})]
    for sentence in sentences:
        state = 0
        for word in sentence:
            nxt = states[state][1].get(word)
            if nxt is None:
                states.append((False, {}))
                nxt = states[state][1][word] = len(states) - 1
            state = nxt
        states[state] = (True, states[state][1])
    return states


def strict_model(base: Path, sentences: list[list[str]], ids: dict[str, int]) -> Path:
    """A model folder sharing the base model's files, with the sentences as its graph."""
    folder = Path(tempfile.mkdtemp(prefix="voxcart-strict-grammar-"))
    for part in ("am", "conf", "ivector"):
        os.symlink(base / part, folder / part)
    (folder / "graph").mkdir()
    for part in ("HCLr.fst", "disambig_tid.int", "phones", "phones.txt"):
        if (base / "graph" / part).exists():
            os.symlink(base / "graph" / part, folder / "graph" / part)
    write_vector_fst(
        folder / "graph" / "Gr.fst", sentence_tree([[ids[w] for w in s] for s in sentences])
    )
    words = sorted(ids.items(), key=lambda item: item[1])
    (folder / "graph" / "words.txt").write_text(
        "<eps> 0\n" + "".join(f"{w} {i}\n" for w, i in words), encoding="utf-8"
    )
    return folder


def main() -> int:
    import vosk

    choice = sys.argv[1] if len(sys.argv) > 1 else "said"
    lines = said_lines([d for d in DEFAULT_DIRS if d.is_dir()])
    said = [re.sub(r"[^\w\s]", " ", line) for line in lines]
    workdir = Path(tempfile.mkdtemp(prefix="voxcart-strict-"))
    url = f"sqlite:///{workdir / 'store.db'}"
    migrate.upgrade(url)
    store = open_store(url)
    import_store_files(
        store, catalog=STORE.with_suffix(".csv"), facts=STORE.with_suffix(".store.yaml")
    )
    with store.sessions() as session:
        store_phrases = store_vocabulary(session)
        index = catalog_index(session)
    if choice == "store":
        phrases = store_phrases
    elif choice.startswith("said+"):
        phrases = said + random.Random(7).sample(store_phrases, int(choice[5:]))
    else:
        phrases = said
    base = find_model(None, ROOT / "models", "ko")
    engine = VoskEngine(base)
    engine.set_vocabulary(phrases, split_unknown=True)
    sentences = [p.split() for p in json.loads(engine.grammar or "[]") if p != "[unk]"]
    if choice == "runtime":
        model, grammar = engine.model, engine.grammar
    else:
        ids = {w: engine.model.vosk_model_find_word(w) for s in sentences for w in s}
        started = time.perf_counter()
        folder = strict_model(base, sentences, ids)
        built = time.perf_counter() - started
        started = time.perf_counter()
        model, grammar = vosk.Model(str(folder)), None
        print(f"{len(sentences)} sentences: Gr.fst written in {built:.2f}s, model loaded in "
              f"{time.perf_counter() - started:.2f}s")  # fmt: skip
    tts = Synthesizer(TtsSettings(voice=voice_for_language("ko")))
    exact = same = 0
    for line in lines:
        recognizer = (
            vosk.KaldiRecognizer(model, 16000, grammar)
            if grammar
            else vosk.KaldiRecognizer(model, 16000)
        )
        recognizer.AcceptWaveform(tts.synthesize(line).pcm + silence(800))
        heard = join_pieces(json.loads(recognizer.FinalResult())["text"], engine.joins)
        exact += comparable(heard) == comparable(line)
        alike = meaning(heard, index) == meaning(line, index)
        same += alike
        if comparable(heard) != comparable(line):
            print(f"MISS  said {line!r}\n      heard {heard!r}" + ("" if alike else " (meaning)"))
    print(f"{choice}: exact {exact}/{len(lines)}, same meaning {same}/{len(lines)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
