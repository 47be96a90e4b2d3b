"""The device's commands: `voxcart voice`, `listen` and `devices`.

Also what `voxcart run` and `doctor` need of the device: the speech engines (`VoiceParts`),
the voice loop beside a server, and the spoken mode of transcript runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commerce.cli import CliError, settings_for, store_for
from dialogue.cli import open_assistant

if TYPE_CHECKING:
    from device.spoken import SpokenTurns


class VoiceParts:
    """The speech engines, loaded once: Vosk with the store's vocabulary, and pyttsx3."""

    def __init__(self, settings: Any, store: Any) -> None:
        from dialogue.utterance_end import utterance_completeness
        from dialogue.vocabulary import store_language
        from voice.stt import SttError, VoskEngine, find_model
        from voice.tts import Synthesizer, TtsSettings, voice_for_language

        with store.sessions() as session:
            self.language = store_language(session)
        try:
            model_dir = find_model(settings.vosk_model, settings.models_dir, self.language)
            # A complete request ends after a short pause; "I'd like a..." keeps listening.
            self.engine = VoskEngine(
                model_dir,
                endpoint_silence_ms=settings.endpoint_silence_ms,
                utterance_end=utterance_completeness,
            )
        except SttError as exc:
            raise CliError(exc.message) from None
        self.store = store
        self.wake_phrase = settings.wake_phrase
        self.catalog_version = -1
        self.unknown_catalog_words: list[str] = []
        self.report = self.refresh_vocabulary()
        voice = settings.tts_voice or voice_for_language(self.language)
        self.tts = Synthesizer(TtsSettings(voice, settings.tts_rate, settings.tts_volume))

    def refresh_vocabulary(self) -> Any:
        """Rebuilds the recognition vocabulary when the catalog changed; None otherwise."""
        from commerce.store import get_store_facts
        from dialogue.vocabulary import (
            catalog_phrases,
            catalog_version,
            splits_words,
            store_vocabulary,
        )
        from voice.stt import vocabulary_words

        with self.store.sessions() as session:
            version = catalog_version(session)
            if version == self.catalog_version:
                return None
            if not self.wake_phrase:
                self.wake_phrase = f"hey {get_store_facts(session).assistant_name.lower()}"
            phrases = store_vocabulary(session, wake_phrase=self.wake_phrase)
            catalog_words = vocabulary_words(catalog_phrases(session))
        self.catalog_version = version
        report = self.engine.set_vocabulary(phrases, split_unknown=splits_words(self.language))
        # What staff can fix: catalog words the model lacks, whole (`voxcart doctor` lists them).
        self.unknown_catalog_words = [w for w in catalog_words if not self.engine.knows(w)]
        return report

    async def keep_vocabulary_fresh(self, every_s: float = 5.0) -> None:
        import asyncio

        while True:
            await asyncio.sleep(every_s)
            await asyncio.to_thread(self.refresh_vocabulary)


def spoken_turns(settings: Any, language: str = "en") -> SpokenTurns:
    """The speech ends of `voxcart transcripts run --audio` for stores speaking `language`:
    Vosk with that language's model, pyttsx3 with its voice."""
    from device.spoken import SpokenTurns
    from dialogue.utterance_end import utterance_completeness
    from voice.stt import SttError, VoskEngine, find_model
    from voice.tts import Synthesizer, TtsSettings, voice_for_language

    try:
        engine = VoskEngine(
            find_model(settings.vosk_model, settings.models_dir, language),
            endpoint_silence_ms=settings.endpoint_silence_ms,
            utterance_end=utterance_completeness,
        )
    except SttError as exc:
        raise CliError(exc.message) from None
    voice = settings.tts_voice or voice_for_language(language)
    tts = Synthesizer(TtsSettings(voice, settings.tts_rate, settings.tts_volume))
    return SpokenTurns(engine, tts)


async def _hear_file(parts: VoiceParts, path: Path) -> Any:
    from voice.audio import chunks, read_wav, silence
    from voice.stt import transcribe

    try:
        audio = read_wav(path)
    except (ValueError, FileNotFoundError) as exc:
        raise CliError(str(exc)) from None

    async def stream():  # type: ignore[no-untyped-def]
        for chunk in chunks(audio.pcm + silence(800)):
            yield chunk

    return await transcribe(parts.engine, stream())


def _dialogue_client(args: argparse.Namespace, settings: Any, store: Any) -> Any:
    """A voxcart server's assistant (--server), or the assistant in this process."""
    from commerce.accounts import ensure_customer
    from commerce.store import get_store_facts
    from device.dialogue_clients import HttpDialogue, InProcessDialogue

    with store.sessions() as session:
        language = get_store_facts(session).language
    if args.server:
        return HttpDialogue(args.server, args.token or "", language=language)
    with store.sessions() as session:
        ensure_customer(session, customer_id=args.customer)
    return InProcessDialogue(open_assistant(settings, store), args.customer, language)


def _voice_loop(settings: Any, store: Any, dialogue: Any, parts: VoiceParts, mode: str) -> Any:
    from device.audio_io import Microphone, Speaker
    from device.loop import LoopSettings, VoiceLoop

    return VoiceLoop(
        parts.engine,
        parts.tts,
        dialogue,
        Microphone(settings.input_device),
        Speaker(settings.output_device),
        LoopSettings(mode=mode, wake_phrase=parts.wake_phrase or "hey", language=parts.language),
    )


def try_voice_loop(settings: Any, store: Any, assistant: Any, customer: str) -> Any:
    """The voice loop for a server's in-process assistant, and its `VoiceParts`; (None, None),
    said on stderr, when there is no speech model or audio device."""
    from commerce.accounts import ensure_customer
    from device.audio_io import DeviceError, resolve_device
    from device.dialogue_clients import InProcessDialogue

    try:
        resolve_device(settings.input_device, kind="input")
        resolve_device(settings.output_device, kind="output")
        parts = VoiceParts(settings, store)
    except (DeviceError, CliError) as exc:
        print(f"voice loop is off: {getattr(exc, 'message', exc)}", file=sys.stderr)
        print("the HTTP API and text channel keep running", file=sys.stderr, flush=True)
        return None, None
    with store.sessions() as session:
        ensure_customer(session, customer_id=customer, name="In-store device")
    dialogue = InProcessDialogue(assistant, customer, parts.language)
    mode = settings.listen_mode
    print(f"voice loop on ({mode} mode, say {parts.wake_phrase!r})", file=sys.stderr, flush=True)
    return _voice_loop(settings, store, dialogue, parts, mode), parts


def cmd_listen(args: argparse.Namespace) -> int:
    """One spoken turn from a file: IN.wav -> recognition -> assistant -> OUT.wav."""
    import asyncio

    from device.loop import DIDNT_CATCH
    from dialogue.replies import render
    from voice.audio import AudioBuffer, float_to_pcm16, write_wav

    settings = settings_for(args)
    store = store_for(args)
    parts = VoiceParts(settings, store)
    dialogue = _dialogue_client(args, settings, store)

    async def turn() -> list[str]:
        heard = await _hear_file(parts, Path(args.input))
        print(f"heard: {heard.text!r} (confidence {heard.confidence:.2f})", file=sys.stderr)
        if not heard.understood:
            return [render(parts.language, DIDNT_CATCH)]
        return await dialogue.respond(heard.text)

    replies = asyncio.run(turn())
    print("\n".join(replies))
    if args.reply:
        import numpy as np

        pcm = b"".join(
            parts.tts.synthesize(text).pcm + float_to_pcm16(np.zeros(4000)) for text in replies
        )
        write_wav(args.reply, AudioBuffer(pcm))
        print(f"reply audio: {args.reply}", file=sys.stderr)
    parts.tts.close()
    return 0


def cmd_devices(args: argparse.Namespace) -> int:
    from device.audio_io import DeviceError, list_devices

    try:
        devices = list_devices()
    except DeviceError as exc:
        raise CliError(exc.message) from None
    if not devices:
        print("no audio devices")
        return 0
    for d in devices:
        marks = ("<- default input " if d.is_default_input else "") + (
            "<- default output" if d.is_default_output else ""
        )
        print(
            f"{d.index:>3}  {d.name:<40} in {d.inputs:>2}  out {d.outputs:>2}  "
            f"{d.default_rate} Hz  {marks}"
        )
    return 0


def cmd_voice(args: argparse.Namespace) -> int:
    """The device loop alone: in-process dialogue, or a voxcart server's (--server)."""
    import asyncio

    settings = settings_for(args)
    for name in ("input_device", "output_device"):
        if getattr(args, name):
            setattr(settings, name, getattr(args, name))
    store = store_for(args)
    parts = VoiceParts(settings, store)
    dialogue = _dialogue_client(args, settings, store)
    loop = _voice_loop(settings, store, dialogue, parts, args.mode or settings.listen_mode)

    async def main() -> None:
        refresher = asyncio.create_task(parts.keep_vocabulary_fresh())
        try:
            await loop.run()
        finally:
            refresher.cancel()

    asyncio.run(main())
    return 0


def add_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Adds the device's commands; `common` carries the options every command takes."""
    listen = sub.add_parser("listen", parents=[common], help="one spoken turn from a WAV file")
    listen.add_argument("input", metavar="IN.wav")
    listen.add_argument("--reply", metavar="OUT.wav", help="write the spoken reply here")
    listen.add_argument("--customer", default="listener", help="shopper id (in-process)")
    listen.add_argument("--server", metavar="URL", help="a voxcart server instead of in-process")
    listen.add_argument("--token", help="the shopper's token for --server")
    listen.set_defaults(func=cmd_listen)

    voice = sub.add_parser("voice", parents=[common], help="the microphone/speaker loop")
    voice.add_argument("--mode", choices=["wake", "push", "always"], help="default: wake")
    voice.add_argument("--input", dest="input_device", help="input device (see voxcart devices)")
    voice.add_argument("--output", dest="output_device", help="output device")
    voice.add_argument("--customer", default="device", help="shopper id (in-process)")
    voice.add_argument("--server", metavar="URL", help="use a voxcart server's assistant")
    voice.add_argument("--token", help="the shopper's token for --server")
    voice.set_defaults(func=cmd_voice)

    devices = sub.add_parser("devices", help="list audio input and output devices")
    devices.set_defaults(func=cmd_devices)
