"""Spoken transcript runs (`voxcart transcripts run --audio`): each user turn is synthesised
with the project's own text-to-speech (or read from its `audio:` file), streamed through
recognition in real-time-sized chunks, and every reply is synthesised, timing each stage."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from device.loop import DIDNT_CATCH
from voice.audio import chunks, read_wav, silence, without_silent_tail
from voice.stt import VoskEngine, transcribe
from voice.tts import Synthesizer, split_sentences

# Vosk needs some silence after speech to detect the end of the utterance.
TRAILING_SILENCE_MS = 800


@dataclass(frozen=True)
class Heard:
    text: str
    understood: bool
    stt_ms: float  # end of the speech audio -> final result


class SpokenTurns:
    not_understood_reply = DIDNT_CATCH

    def __init__(self, engine: VoskEngine, tts: Synthesizer, wake_phrase: str | None = None):
        self.engine, self.tts, self.wake_phrase = engine, tts, wake_phrase

    def prepare(self, sessions: Any) -> None:
        from dialogue.vocabulary import splits_words, store_language, store_vocabulary

        with sessions() as session:
            phrases = store_vocabulary(session, wake_phrase=self.wake_phrase)
            language = store_language(session)
        self.engine.set_vocabulary(phrases, split_unknown=splits_words(language))

    async def hear(self, text: str, audio: Path | None) -> Heard:
        if audio is not None:
            pcm = read_wav(audio).pcm
        else:
            pcm = (await self.tts.synthesize_async(text)).pcm
        speech_end = {"at": 0.0}
        # Up to the last sound: the synthesizer's (or a recording's) own silent tail would
        # otherwise end the utterance before "the end of speech" is timed.
        pieces = list(chunks(without_silent_tail(pcm)))

        async def stream():  # type: ignore[no-untyped-def]
            for piece in pieces:
                # Timed from the last speech handed over: the result may come before the end
                # of the audio (the words so far end a request: "네, ..." ends after "네").
                speech_end["at"] = time.perf_counter()
                yield piece
            for piece in chunks(silence(TRAILING_SILENCE_MS)):
                yield piece

        result = await transcribe(self.engine, stream())
        stt_ms = (time.perf_counter() - (speech_end["at"] or time.perf_counter())) * 1000
        return Heard(result.text, result.understood, stt_ms)

    async def first_audio(self, replies: list[str]) -> float:
        started = time.perf_counter()
        first = next((s for r in replies for s in split_sentences(r)), "")
        if first:
            await self.tts.synthesize_async(first)
        return (time.perf_counter() - started) * 1000
