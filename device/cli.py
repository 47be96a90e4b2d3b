"""`voxcart`: the one command. Subcommands import what they need lazily, so `--help` and the
store commands start fast and never wait for TensorFlow."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter


class CliError(Exception):
    """A one-line message for the user; the command exits non-zero."""


def _settings(args: argparse.Namespace) -> Any:
    from commerce.settings import Settings

    settings = Settings()
    if getattr(args, "database_url", None):
        settings.database_url = args.database_url
    return settings


def _open(args: argparse.Namespace, *, require_schema: bool = True) -> Any:
    from commerce.service import open_store, schema_is_current

    settings = _settings(args)
    store = open_store(settings.effective_database_url)
    if require_schema and not schema_is_current(store.engine):
        raise CliError(
            "the database schema is missing or out of date; run: voxcart db upgrade"
            + (f" --database-url {args.database_url}" if args.database_url else "")
        )
    return store


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from commerce import migrate

    url = _settings(args).effective_database_url
    from commerce.db import make_engine

    make_engine(url).dispose()  # creates the SQLite folder if needed
    migrate.upgrade(url)
    print("database is up to date")
    return 0


def cmd_catalog_import(args: argparse.Namespace) -> int:
    from commerce.service import import_store_files

    store = _open(args)
    count = import_store_files(
        store, catalog=Path(args.file), facts=args.store and Path(args.store), actor="cli"
    )
    print(
        f"imported {count} products"
        + (f" and the store facts from {args.store}" if args.store else "")
    )
    return 0


def cmd_catalog_list(args: argparse.Namespace) -> int:
    from commerce.catalog import list_products
    from commerce.money import format_price

    store = _open(args)
    with store.sessions() as session:
        products = list_products(session, include_inactive=args.all)
    if not products:
        print("the catalog is empty; import one with: voxcart catalog import FILE.csv")
        return 0
    width = max(len(p.sku) for p in products)
    for p in products:
        flag = "" if p.active else "  (inactive)"
        price = format_price(p.price_cents)
        print(f"{p.sku:<{width}}  {price:>8}  stock {p.stock:>4}  {p.name}{flag}")
    return 0


def _day(text: str) -> Any:
    """A --from/--to value: YYYY-MM-DD, or argparse's own error saying so."""
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day like 2026-11-30") from None


def cmd_report(args: argparse.Namespace) -> int:
    from commerce.kpi_report import write_report

    store = _open(args)
    with store.sessions() as session:
        report = write_report(session, Path(args.out), start=args.start, end=args.end)
    print(f"wrote {report.html} and {len(report.plots)} plots "
          f"({report.kpis['from']} to {report.kpis['to']})")  # fmt: skip
    return 0


def cmd_staff_create_key(args: argparse.Namespace) -> int:
    from commerce.accounts import create_staff_key

    store = _open(args)
    with store.sessions() as session:
        key = create_staff_key(session, label=args.label, role=args.role, actor="cli")
    print(key)
    print("keep it safe: it is stored hashed and cannot be shown again", file=sys.stderr)
    return 0


def cmd_staff_list(args: argparse.Namespace) -> int:
    from commerce.accounts import list_staff_keys

    store = _open(args)
    with store.sessions() as session:
        keys = list_staff_keys(session)
    if not keys:
        print("no staff keys; create one with: voxcart staff create-key")
        return 0
    for staff in keys:
        state = f"revoked {staff.revoked_at:%Y-%m-%d %H:%M}" if staff.revoked_at else "active"
        created = f"{staff.created_at:%Y-%m-%d %H:%M}"
        print(f"{staff.id:>4}  {staff.role:<7}  {state:<24}  created {created}  {staff.label}")
    return 0


def cmd_staff_revoke(args: argparse.Namespace) -> int:
    from commerce.accounts import revoke_staff_key

    store = _open(args)
    with store.sessions() as session:
        staff = revoke_staff_key(session, key_id=args.id, actor="cli")
    print(f"revoked staff key {staff.id}" + (f" ({staff.label})" if staff.label else ""))
    return 0


def cmd_staff_rotate(args: argparse.Namespace) -> int:
    from commerce.accounts import rotate_staff_key

    store = _open(args)
    with store.sessions() as session:
        new, key = rotate_staff_key(session, key_id=args.id, actor="cli")
    print(key)
    print(
        f"staff key {args.id} is revoked; this replaces it as key {new.id} ({new.role}). "
        "Keep it safe: it cannot be shown again",
        file=sys.stderr,
    )
    return 0


def cmd_customer_create(args: argparse.Namespace) -> int:
    from commerce.accounts import create_customer

    store = _open(args)
    with store.sessions() as session:
        customer, token = create_customer(session, name=args.name, customer_id=args.id, actor="cli")
    print(f"customer {customer.id}: token {token}")
    return 0


def assistant_routers(settings: Any, assistant: Any) -> list[Any]:
    """The assistant's HTTP routes: the text channel always; Rasa's action server protocol
    only when its shared secret is configured."""
    from dialogue.channels import text_channel_router

    routers = [text_channel_router(assistant)]
    if settings.action_server_token:
        from dialogue.action_server import action_server_router
        from dialogue.runtime import action_executor

        try:
            routers.append(
                action_server_router(action_executor(), token=settings.action_server_token)
            )
        except ValueError as exc:
            raise CliError(str(exc)) from None
    return routers


def _serve(
    settings: Any,
    store: Any,
    host: str,
    port: int,
    *,
    assistant: bool = True,
    voice_customer: str | None = None,
) -> None:
    """Serves the store API (and the assistant's routers); with `voice_customer`, also runs
    the device loop in the same process when a speech model and audio devices are there."""
    import asyncio

    import uvicorn

    from commerce.api.app import create_app

    routers = []
    loaded = None
    if assistant:
        print("loading the assistant...", file=sys.stderr, flush=True)
        loaded = _open_assistant(settings, store)
        routers = assistant_routers(settings, loaded)
    try:
        app = create_app(store.sessions, extra_routers=routers)
    except ValueError as exc:  # a setting that is not what it must be, named in the message
        raise CliError(str(exc)) from None
    voice_loop, parts = None, None
    if voice_customer and loaded is not None:
        voice_loop, parts = _try_voice_loop(settings, store, loaded, voice_customer)
    # rasa pins websockets 10.4, which uvicorn's default websocket support cannot import.
    # The console's live streams never finish by themselves: a stop waits this long for them.
    config = uvicorn.Config(
        app, host=host, port=port, ws="none", log_level="warning", timeout_graceful_shutdown=3
    )
    server = uvicorn.Server(config)
    print(
        f"voxcart store API on http://{host}:{port} (docs at http://{host}:{port}/docs)", flush=True
    )

    async def main() -> None:
        if voice_loop is None or parts is None:
            await server.serve()
            return
        stop = asyncio.Event()
        voice = asyncio.create_task(voice_loop.run(stop))
        refresher = asyncio.create_task(parts.keep_vocabulary_fresh())
        try:
            await server.serve()
        finally:
            stop.set()
            refresher.cancel()
            voice.cancel()

    asyncio.run(main())


def _try_voice_loop(settings: Any, store: Any, assistant: Any, customer: str) -> Any:
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
    dialogue = InProcessDialogue(assistant, customer)
    mode = settings.listen_mode
    print(f"voice loop on ({mode} mode, say {parts.wake_phrase!r})", file=sys.stderr, flush=True)
    return _voice_loop(settings, store, dialogue, parts, mode), parts


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    store = _open(args)
    if args.workers != 1:
        from device.workers import NotShareable, serve_workers

        store.close()
        model = None if args.no_assistant else lambda: _model(settings)
        host, port = args.host or settings.host, args.port or settings.port
        try:
            serve_workers(settings, host=host, port=port, workers=args.workers, model=model)
        except NotShareable as exc:
            raise CliError(str(exc)) from None
        return 0
    _serve(
        settings,
        store,
        args.host or settings.host,
        args.port or settings.port,
        assistant=not args.no_assistant,
    )
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """The embedded default: migrate, seed the demo store when empty, serve."""
    from commerce import migrate
    from commerce.service import open_store, seed_if_empty

    settings = _settings(args)
    url = settings.effective_database_url
    store = open_store(url)
    migrate.upgrade(url)
    catalog, facts = settings.demo_store_files()
    if seed_if_empty(store, catalog=catalog, facts=facts):
        print(f"new store: imported {catalog.name} and {facts.name}")
    _serve(
        settings,
        store,
        args.host or settings.host,
        args.port or settings.port,
        voice_customer=None if args.no_voice else args.customer,
    )
    return 0


def _model(settings: Any, *, train_if_needed: bool = True) -> Path:
    from dialogue import training

    if train_if_needed:
        return training.train(settings.models_dir, quiet=True)
    model = training.latest_model(settings.models_dir)
    if model is None:
        raise CliError("no trained dialogue model in models/rasa; run: voxcart train")
    return model


def cmd_train(args: argparse.Namespace) -> int:
    from dialogue import training

    training.train(_settings(args).models_dir, force=args.force, quiet=args.quiet)
    return 0


def cmd_transcripts_run(args: argparse.Namespace) -> int:
    import asyncio

    from dialogue.runtime import Assistant
    from dialogue.transcripts import (
        Result,
        Runner,
        TranscriptError,
        collect,
        load_transcript,
        report_json,
    )

    settings = _settings(args)
    try:
        files = collect([Path(p) for p in args.paths])
    except TranscriptError as exc:
        raise CliError(str(exc)) from None
    if not files:
        raise CliError("no transcript files (*.yaml) found in " + " ".join(args.paths))
    model = _model(settings)
    print(f"loading the assistant ({model.name})...", file=sys.stderr, flush=True)
    assistant = Assistant.load(model)
    catalog, store_file = settings.demo_store_files()
    speech = None
    if args.audio:
        from device.spoken import SpokenTurns
        from voice.stt import SttError, VoskEngine, find_model
        from voice.tts import Synthesizer, TtsSettings

        try:
            engine = VoskEngine(find_model(settings.vosk_model, settings.models_dir))
        except SttError as exc:
            raise CliError(exc.message) from None
        tts = Synthesizer(TtsSettings(settings.tts_voice, settings.tts_rate, settings.tts_volume))
        speech = SpokenTurns(engine, tts)
    runner = Runner(assistant, default_catalog=catalog, default_store=store_file, speech=speech)
    results: list[Result] = []

    async def run_all() -> None:
        for path in files:
            try:
                transcript = load_transcript(path)
            except TranscriptError as exc:
                results.append(Result(path.stem, str(path), False, failure=str(exc)))
            else:
                results.append(await runner.run(transcript))
            result = results[-1]
            if result.passed:
                print(f"PASS {result.name} ({path})", flush=True)
            else:
                print(f"FAIL {result.name} ({path}): {result.failure}", flush=True)
                for line in result.conversation:
                    print(line)

    try:
        asyncio.run(run_all())
    finally:
        runner.close()
    if args.json:
        report_json(results, Path(args.json))
    passed = sum(r.passed for r in results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


def _open_assistant(settings: Any, store: Any) -> Any:
    from dialogue import context
    from dialogue.runtime import Assistant, tracker_store_for

    context.configure(store.sessions)
    model = _model(settings)
    from dialogue.conversation_locks import lock_store_for

    tracker_store = tracker_store_for(settings.effective_database_url, settings.data_dir)
    return Assistant.load(
        model, tracker_store=tracker_store, lock_store=lock_store_for(settings.redis_url)
    )


def cmd_chat(args: argparse.Namespace) -> int:
    """A terminal conversation as one shopper (conversation kept in the tracker store)."""
    import asyncio

    from commerce.accounts import ensure_customer

    settings = _settings(args)
    store = _open(args)
    with store.sessions() as session:
        ensure_customer(session, customer_id=args.customer, name=args.name)
    print("loading the assistant...", file=sys.stderr, flush=True)
    assistant = _open_assistant(settings, store)
    print(f"chatting as {args.customer}; an empty line or Ctrl-D ends.", file=sys.stderr)

    async def loop() -> None:
        while True:
            try:
                text = await asyncio.to_thread(input, "you> ")
            except EOFError:
                return
            if not text.strip():
                return
            for reply in await assistant.respond(args.customer, text):
                print(f"bot> {reply}", flush=True)

    asyncio.run(loop())
    return 0


# ------------------------------------------------------------------------------- voice


class VoiceParts:
    """The speech engines, loaded once: Vosk with the store's vocabulary, and pyttsx3."""

    def __init__(self, settings: Any, store: Any) -> None:
        from voice.stt import SttError, VoskEngine, find_model
        from voice.tts import Synthesizer, TtsSettings

        try:
            model_dir = find_model(settings.vosk_model, settings.models_dir)
            self.engine = VoskEngine(model_dir, endpoint_silence_ms=settings.endpoint_silence_ms)
        except SttError as exc:
            raise CliError(exc.message) from None
        self.store = store
        self.wake_phrase = settings.wake_phrase
        self.catalog_version = -1
        self.report = self.refresh_vocabulary()
        self.tts = Synthesizer(
            TtsSettings(settings.tts_voice, settings.tts_rate, settings.tts_volume)
        )

    def refresh_vocabulary(self) -> Any:
        """Rebuilds the recognition vocabulary when the catalog changed; None otherwise."""
        from commerce.store import get_store_facts
        from dialogue.vocabulary import catalog_version, store_vocabulary

        with self.store.sessions() as session:
            version = catalog_version(session)
            if version == self.catalog_version:
                return None
            if not self.wake_phrase:
                self.wake_phrase = f"hey {get_store_facts(session).assistant_name.lower()}"
            phrases = store_vocabulary(session, wake_phrase=self.wake_phrase)
        self.catalog_version = version
        return self.engine.set_vocabulary(phrases)

    async def keep_vocabulary_fresh(self, every_s: float = 5.0) -> None:
        import asyncio

        while True:
            await asyncio.sleep(every_s)
            await asyncio.to_thread(self.refresh_vocabulary)


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
    from device.dialogue_clients import HttpDialogue, InProcessDialogue

    if args.server:
        return HttpDialogue(args.server, args.token or "")
    with store.sessions() as session:
        ensure_customer(session, customer_id=args.customer)
    return InProcessDialogue(_open_assistant(settings, store), args.customer)


def cmd_listen(args: argparse.Namespace) -> int:
    """One spoken turn from a file: IN.wav -> recognition -> assistant -> OUT.wav."""
    import asyncio

    from device.loop import DIDNT_CATCH
    from voice.audio import AudioBuffer, float_to_pcm16, write_wav

    settings = _settings(args)
    store = _open(args)
    parts = VoiceParts(settings, store)
    dialogue = _dialogue_client(args, settings, store)

    async def turn() -> list[str]:
        heard = await _hear_file(parts, Path(args.input))
        print(f"heard: {heard.text!r} (confidence {heard.confidence:.2f})", file=sys.stderr)
        if not heard.understood:
            return [DIDNT_CATCH]
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


def cmd_models_pull(args: argparse.Namespace) -> int:
    from voice.models import ModelDownloadError, pull

    try:
        pull(args.name, _settings(args).models_dir)
    except ModelDownloadError as exc:
        raise CliError(str(exc)) from None
    return 0


def _voice_loop(settings: Any, store: Any, dialogue: Any, parts: VoiceParts, mode: str) -> Any:
    from device.audio_io import Microphone, Speaker
    from device.loop import LoopSettings, VoiceLoop

    return VoiceLoop(
        parts.engine,
        parts.tts,
        dialogue,
        Microphone(settings.input_device),
        Speaker(settings.output_device),
        LoopSettings(mode=mode, wake_phrase=parts.wake_phrase or "hey"),
    )


def cmd_voice(args: argparse.Namespace) -> int:
    """The device loop alone: in-process dialogue, or a voxcart server's (--server)."""
    import asyncio

    settings = _settings(args)
    for name in ("input_device", "output_device"):
        if getattr(args, name):
            setattr(settings, name, getattr(args, name))
    store = _open(args)
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


def cmd_doctor(args: argparse.Namespace) -> int:
    """Checks every part and says how to fix what is wrong."""
    problems = 0

    def line(ok: bool, what: str, detail: str) -> None:
        nonlocal problems
        problems += not ok
        print(f"{'ok ' if ok else 'FIX'}  {what:<18} {detail}")

    settings = _settings(args)
    line(sys.version_info[:2] == (3, 10), "python", sys.version.split()[0])
    try:
        store = _open(args)
        line(True, "database", settings.effective_database_url)
    except (CliError, Exception) as exc:  # noqa: BLE001 - report, do not crash
        line(False, "database", str(exc))
        return 1
    from dialogue import training

    current = training.model_path(settings.models_dir)
    line(
        current.is_file(),
        "dialogue model",
        current.name if current.is_file() else "missing or stale: run voxcart train",
    )
    try:
        parts = VoiceParts(settings, store)
        report = parts.report
        line(
            True,
            "speech model",
            f"{parts.engine.model_dir} (grammar "
            f"{'on' if report.grammar_supported else 'not supported'})",
        )
        line(
            not report.missing,
            "vocabulary",
            f"{report.words} words"
            + (
                f"; not in the speech model: {', '.join(report.missing[:15])}"
                + (" ..." if len(report.missing) > 15 else "")
                if report.missing
                else ""
            ),
        )
        audio = parts.tts.synthesize("Testing.")
        line(audio.duration_s > 0.2, "text to speech", f"{audio.duration_s:.2f} s of audio")
        parts.tts.close()
    except CliError as exc:
        line(False, "speech", str(exc))
    from device.audio_io import DeviceError, list_devices

    try:
        devices = list_devices()
        inputs = [d.name for d in devices if d.inputs]
        outputs = [d.name for d in devices if d.outputs]
        line(bool(inputs), "microphone", inputs[0] if inputs else "none found")
        line(bool(outputs), "speaker", outputs[0] if outputs else "none found")
    except DeviceError as exc:
        line(False, "audio devices", exc.message)
    return 1 if problems else 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--database-url",
        metavar="URL",
        help="SQLAlchemy database URL (default: $VOXCART_DATABASE_URL, else SQLite under data/)",
    )
    parser = argparse.ArgumentParser(
        prog="voxcart", description="voxcart: an offline voice shopping assistant."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = sub.add_parser("run", parents=[common], help="migrate, load the demo store, serve")
    run.add_argument("--host")
    run.add_argument("--port", type=int)
    run.add_argument("--no-voice", action="store_true", help="no microphone/speaker loop")
    run.add_argument("--customer", default="device", help="the shopper the device speaks for")
    run.set_defaults(func=cmd_run)

    serve = sub.add_parser("serve", parents=[common], help="serve the store HTTP API")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8000)")
    serve.add_argument(
        "--no-assistant",
        action="store_true",
        help="serve only the store API (no dialogue model loaded)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes on this port (more than 1 needs PostgreSQL and VOXCART_REDIS_URL)",
    )
    serve.set_defaults(func=cmd_serve)

    catalog = sub.add_parser("catalog", help="import or list the catalog")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)
    imp = catalog_sub.add_parser(
        "import", parents=[common], help="import a catalog CSV (all rows or none)"
    )
    imp.add_argument("file", metavar="FILE", help="catalog CSV (see shared/catalog/README.md)")
    imp.add_argument("--store", metavar="FILE", help="store facts YAML to import as well")
    imp.set_defaults(func=cmd_catalog_import)
    lst = catalog_sub.add_parser("list", parents=[common], help="list the products")
    lst.add_argument("--all", action="store_true", help="include inactive products")
    lst.set_defaults(func=cmd_catalog_list)

    staff = sub.add_parser("staff", help="staff API keys")
    staff_sub = staff.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    key = staff_sub.add_parser("create-key", parents=[common], help="print a new staff API key")
    key.add_argument("--label", default="", help="whose key this is")
    key.add_argument(
        "--role",
        choices=["admin", "catalog", "orders"],
        default="admin",
        help="admin: everything; catalog: products and imports; orders: orders, handoffs, "
        "customers (default: admin)",
    )
    key.set_defaults(func=cmd_staff_create_key)
    list_keys = staff_sub.add_parser("list", parents=[common], help="list staff keys and roles")
    list_keys.set_defaults(func=cmd_staff_list)
    revoke = staff_sub.add_parser("revoke", parents=[common], help="revoke a staff key at once")
    revoke.add_argument("id", type=int, metavar="ID", help="the key's id (voxcart staff list)")
    revoke.set_defaults(func=cmd_staff_revoke)
    rotate = staff_sub.add_parser(
        "rotate", parents=[common], help="revoke a key and print its replacement"
    )
    rotate.add_argument("id", type=int, metavar="ID", help="the key's id (voxcart staff list)")
    rotate.set_defaults(func=cmd_staff_rotate)

    customer = sub.add_parser("customer", help="shopper accounts")
    customer_sub = customer.add_subparsers(dest="customer_command", metavar="ACTION", required=True)
    new_customer = customer_sub.add_parser(
        "create", parents=[common], help="create a shopper and print their token"
    )
    new_customer.add_argument("name")
    new_customer.add_argument("--id", help="customer id (default: generated)")
    new_customer.set_defaults(func=cmd_customer_create)

    train = sub.add_parser("train", parents=[common], help="train the dialogue model if needed")
    train.add_argument("--force", action="store_true", help="train even if up to date")
    train.add_argument("--quiet", action="store_true", help="say nothing when up to date")
    train.set_defaults(func=cmd_train)

    chat = sub.add_parser("chat", parents=[common], help="talk to the assistant in the terminal")
    chat.add_argument("--customer", default="terminal", help="shopper id (default: terminal)")
    chat.add_argument("--name", default=None, help="shopper name for a new shopper")
    chat.set_defaults(func=cmd_chat)

    transcripts = sub.add_parser("transcripts", help="dialogue transcripts")
    transcripts_sub = transcripts.add_subparsers(
        dest="transcripts_command", metavar="ACTION", required=True
    )
    run_transcripts = transcripts_sub.add_parser(
        "run", parents=[common], help="run transcript files or folders (text mode)"
    )
    run_transcripts.add_argument("paths", nargs="+", metavar="FILE_OR_DIR")
    run_transcripts.add_argument("--json", metavar="REPORT", help="write results and timings")
    run_transcripts.add_argument("--audio", action="store_true", help="spoken mode")
    run_transcripts.set_defaults(func=cmd_transcripts_run)

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

    doctor = sub.add_parser("doctor", parents=[common], help="check every part, say what to fix")
    doctor.set_defaults(func=cmd_doctor)

    models = sub.add_parser("models", help="speech models")
    models_sub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    pull_model = models_sub.add_parser("pull", parents=[common], help="download a Vosk model")
    pull_model.add_argument("name", help="small-en-us")
    pull_model.set_defaults(func=cmd_models_pull)

    report = sub.add_parser(
        "report", parents=[common], help="KPIs as report.html and PNG plots in a folder"
    )
    report.add_argument("--out", required=True, metavar="DIR", help="folder to write into")
    report.add_argument("--from", dest="start", type=_day, metavar="YYYY-MM-DD",
                        help="first day (store time); default 30 days before --to")  # fmt: skip
    report.add_argument("--to", dest="end", type=_day, metavar="YYYY-MM-DD",
                        help="last day, included; default today")  # fmt: skip
    report.set_defaults(func=cmd_report)

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_sub.add_parser("upgrade", parents=[common], help="apply migrations")
    upgrade.set_defaults(func=cmd_db_upgrade)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    from sqlalchemy.exc import OperationalError

    from commerce.errors import CatalogImportError, CommerceError

    try:
        return int(args.func(args) or 0)
    except CatalogImportError as exc:
        print(f"voxcart: {exc.message}", file=sys.stderr)
        for error in exc.errors:
            print(
                f"  {args.file if hasattr(args, 'file') else 'catalog'}: {error}", file=sys.stderr
            )
        return 1
    except (CommerceError, CliError) as exc:
        print(f"voxcart: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 1
    except OperationalError as exc:
        print(f"voxcart: database error: {exc.orig}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `voxcart catalog list | head`
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silences the flush at exit
        return 0


if __name__ == "__main__":
    sys.exit(main())
