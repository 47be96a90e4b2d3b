"""Speech out: pyttsx3 (espeak-ng on Linux) synthesising into audio buffers.

pyttsx3 hangs when its run loop is re-entered or driven from several threads, so one engine
lives in one dedicated worker thread for the whole process, with one voice setting, and
every request goes through its queue. Replies are synthesised sentence by sentence, so the
first sound can play while the rest is still being made.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import re
import tempfile
import threading
from collections.abc import AsyncIterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from voice.audio import AudioBuffer, read_wav

log = logging.getLogger(__name__)

# How long one synthesis may take before the worker is considered stuck.
SYNTHESIS_TIMEOUT_S = 20.0


class TtsError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class TtsSettings:
    voice: str | None = None  # a pyttsx3 voice id or name fragment ("english", "en-us")
    rate_wpm: int | None = None  # words per minute; espeak's default is 200
    volume: float | None = None  # 0.0 - 1.0


# The espeak-ng voice that speaks a store's language when no voice is configured.
VOICE_FOR_LANGUAGE = {"ko": "Korean"}


def voice_for_language(language: str) -> str | None:
    """The voice for a language; None (the engine's default, English) for English."""
    return VOICE_FOR_LANGUAGE.get(language)


def split_sentences(text: str) -> list[str]:
    # A new sentence starts with a capital, a digit or a Hangul syllable (Korean has no case).
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\uac00-\ud7a3])", text.strip())
    return [p.strip() for p in parts if p.strip()]


class _Worker:
    """The process's one pyttsx3 engine, in its one thread. pyttsx3 caches engines per
    driver, so two engines would really be one driven from two threads: every Synthesizer
    shares this worker. Its voice, rate and volume are set once: espeak applies property
    changes asynchronously, so switching them per request is unreliable."""

    def __init__(self, settings: TtsSettings) -> None:
        self.settings = settings
        self._requests: queue.Queue[tuple[str, Future]] = queue.Queue()
        self._ready: Future = Future()
        self._workdir = Path(tempfile.mkdtemp(prefix="voxcart-tts-"))
        self._thread = threading.Thread(target=self._work, name="pyttsx3-worker", daemon=True)
        self._thread.start()
        self._ready.result(timeout=SYNTHESIS_TIMEOUT_S)  # raises TtsError if init failed

    @staticmethod
    def _init_engine():  # type: ignore[no-untyped-def]
        import pyttsx3

        try:
            from pyttsx3.drivers import espeak

            # The espeak driver prints "Audio saved to ..." for every file.
            espeak.print = lambda *args, **kwargs: None  # type: ignore[attr-defined]
        except ImportError:  # other platforms' drivers
            pass
        try:
            return pyttsx3.init()
        except Exception as exc:
            raise TtsError(
                "engine_unavailable",
                f"text-to-speech could not start ({exc}); on Debian install espeak-ng: "
                "sudo apt-get install espeak-ng",
            ) from None

    def _configure(self, engine) -> None:  # type: ignore[no-untyped-def]
        if self.settings.voice:
            engine.setProperty("voice", find_voice(engine, self.settings.voice))
        if self.settings.rate_wpm:
            engine.setProperty("rate", self.settings.rate_wpm)
        if self.settings.volume is not None:
            engine.setProperty("volume", max(0.0, min(1.0, self.settings.volume)))
        # espeak applies property changes only after the next utterance: make one now.
        engine.save_to_file(".", str(self._workdir / "settle.wav"))
        engine.runAndWait()

    def _work(self) -> None:
        try:
            engine = self._init_engine()
            self._configure(engine)
        except TtsError as exc:
            self._ready.set_exception(exc)
            return
        self._ready.set_result(True)
        target = self._workdir / "reply.wav"
        while True:
            text, future = self._requests.get()
            try:
                # espeak's asynchronous callbacks now and then end an utterance early with no
                # audio; a retry makes it again.
                for _attempt in range(3):
                    target.unlink(missing_ok=True)
                    engine.save_to_file(text, str(target))
                    engine.runAndWait()
                    self._synchronize()
                    audio = read_wav(target) if target.is_file() else None
                    if audio is not None and (audio.duration_s > 0.1 or not text.strip()):
                        break
                else:
                    raise TtsError("no_audio", "text-to-speech produced no audio")
                future.set_result(audio)
            except Exception as exc:  # hand every failure to the caller, keep the worker alive
                future.set_exception(exc)

    @staticmethod
    def _synchronize() -> None:
        """pyttsx3 returns at espeak's end-of-message callback while espeak's own thread may
        still be busy; a property set then lands after the *next* utterance. Wait for it."""
        try:
            from pyttsx3.drivers import _espeak

            _espeak.Synchronize()
        except (ImportError, AttributeError, OSError):  # not the espeak driver
            pass

    def submit(self, text: str) -> AudioBuffer:
        if not self._thread.is_alive():
            raise TtsError("worker_stopped", "the text-to-speech worker is not running")
        future: Future = Future()
        self._requests.put((text, future))
        try:
            return future.result(timeout=SYNTHESIS_TIMEOUT_S)
        except TimeoutError:
            raise TtsError("timeout", "text-to-speech did not answer in time") from None


def find_voice(engine, wanted: str) -> str:  # type: ignore[no-untyped-def]
    """The voice id `wanted` names. espeak-ng also takes a voice with a variant, "ko+edward"
    (a variant changes the speaker's sound, not the language); the variant is kept as given
    after checking that espeak-ng has it."""
    base, _, variant = wanted.partition("+")
    for voice in engine.getProperty("voices"):
        if base.lower() in (voice.id or "").lower() or base.lower() in (voice.name or "").lower():
            if not variant:
                return voice.id
            known = espeak_variants()
            if known and variant not in known:  # no data folder found: let espeak-ng decide
                raise TtsError(
                    "unknown_voice",
                    f"espeak-ng has no voice variant {variant!r}; list them with: "
                    "espeak-ng --voices=variant",
                )
            return f"{voice.id}+{variant}"
    raise TtsError("unknown_voice", f"no text-to-speech voice matches {base!r}")


def espeak_variants() -> set[str]:
    """The voice variants espeak-ng has (the files in its data folder's voices/!v)."""
    found: set[str] = set()
    for data in Path("/usr/lib").glob("*/espeak-ng-data/voices/!v"):
        found.update(p.name for p in data.iterdir())
    for data in Path("/usr/share").glob("espeak-ng-data/voices/!v"):
        found.update(p.name for p in data.iterdir())
    return found


_worker: _Worker | None = None
_worker_lock = threading.Lock()


def _shared_worker(settings: TtsSettings) -> _Worker:
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = _Worker(settings)
        elif _worker.settings != settings:
            raise TtsError(
                "settings_conflict",
                f"text-to-speech already runs with {_worker.settings}; pyttsx3 cannot switch "
                "voice, rate or volume reliably within one process",
            )
        return _worker


class Synthesizer:
    """Text -> pipeline audio (16 kHz mono int16) with these settings."""

    def __init__(self, settings: TtsSettings | None = None) -> None:
        self.settings = settings or TtsSettings()
        self._worker = _shared_worker(self.settings)
        self.count = 0

    def synthesize(self, text: str) -> AudioBuffer:
        """Blocking: the whole text as pipeline audio."""
        audio = self._worker.submit(text)
        self.count += 1
        return audio

    async def synthesize_async(self, text: str) -> AudioBuffer:
        return await asyncio.to_thread(self.synthesize, text)

    async def stream(self, text: str) -> AsyncIterator[AudioBuffer]:
        """Sentence by sentence: the first sentence's audio comes before the rest is made."""
        for sentence in split_sentences(text) or [text]:
            yield await self.synthesize_async(sentence)

    def close(self) -> None:
        """Nothing to release: the shared worker lives as long as the process."""
