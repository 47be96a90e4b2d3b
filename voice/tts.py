"""Speech out: pyttsx3 (espeak-ng on Linux) synthesising into audio buffers.

pyttsx3 hangs when its run loop is re-entered or driven from several threads, so one engine
lives in one dedicated worker thread for the whole process and every request (with its own
voice, rate and volume) goes through its queue. Replies are synthesised sentence by sentence, so the first sound can play while
the rest is still being made.
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


def split_sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text.strip())
    return [p.strip() for p in parts if p.strip()]


class _Worker:
    """The process's one pyttsx3 engine, in its one thread. pyttsx3 caches engines per
    driver, so two engines would really be one driven from two threads: every Synthesizer
    shares this worker and each request carries its own voice, rate and volume."""

    def __init__(self) -> None:
        self._requests: queue.Queue[tuple[str, TtsSettings, Future]] = queue.Queue()
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

    def _apply(self, engine, settings: TtsSettings) -> None:  # type: ignore[no-untyped-def]
        if settings == self._applied:
            return
        voice_id = self._defaults["voice"]
        if settings.voice:
            voice_id = find_voice(engine, settings.voice)
        engine.setProperty("voice", voice_id)
        engine.setProperty("rate", settings.rate_wpm or self._defaults["rate"])
        volume = self._defaults["volume"] if settings.volume is None else settings.volume
        engine.setProperty("volume", max(0.0, min(1.0, volume)))
        # espeak applies a property change only after the utterance that follows it: a
        # throwaway utterance makes the change take effect before the real one.
        engine.save_to_file(".", str(self._workdir / "settle.wav"))
        engine.runAndWait()
        self._applied = settings

    def _work(self) -> None:
        try:
            engine = self._init_engine()
            self._defaults = {k: engine.getProperty(k) for k in ("voice", "rate", "volume")}
            self._applied = TtsSettings()
            self.voices = [(v.id, v.name) for v in engine.getProperty("voices")]
        except TtsError as exc:
            self._ready.set_exception(exc)
            return
        self._ready.set_result(True)
        target = self._workdir / "reply.wav"
        while True:
            text, settings, future = self._requests.get()
            try:
                self._apply(engine, settings)
                target.unlink(missing_ok=True)
                engine.save_to_file(text, str(target))
                engine.runAndWait()
                if not target.is_file():
                    raise TtsError("no_audio", "text-to-speech produced no audio")
                future.set_result(read_wav(target))
            except Exception as exc:  # hand every failure to the caller, keep the worker alive
                future.set_exception(exc)

    def submit(self, text: str, settings: TtsSettings) -> AudioBuffer:
        if not self._thread.is_alive():
            raise TtsError("worker_stopped", "the text-to-speech worker is not running")
        future: Future = Future()
        self._requests.put((text, settings, future))
        try:
            return future.result(timeout=SYNTHESIS_TIMEOUT_S)
        except TimeoutError:
            raise TtsError("timeout", "text-to-speech did not answer in time") from None


def find_voice(engine, wanted: str) -> str:  # type: ignore[no-untyped-def]
    for voice in engine.getProperty("voices"):
        if wanted.lower() in (voice.id or "").lower() or wanted.lower() in (voice.name or "").lower():
            return voice.id
    raise TtsError("unknown_voice", f"no text-to-speech voice matches {wanted!r}")


_worker: _Worker | None = None
_worker_lock = threading.Lock()


def _shared_worker() -> _Worker:
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = _Worker()
        return _worker


class Synthesizer:
    """Text -> pipeline audio (16 kHz mono int16) with these settings."""

    def __init__(self, settings: TtsSettings | None = None) -> None:
        self.settings = settings or TtsSettings()
        self._worker = _shared_worker()
        if self.settings.voice:
            names = " ".join(f"{vid} {name}".lower() for vid, name in self._worker.voices)
            if self.settings.voice.lower() not in names:
                raise TtsError(
                    "unknown_voice", f"no text-to-speech voice matches {self.settings.voice!r}"
                )
        self.count = 0

    def synthesize(self, text: str) -> AudioBuffer:
        """Blocking: the whole text as pipeline audio."""
        audio = self._worker.submit(text, self.settings)
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
