"""`voxcart`: the one command. Each package adds its own commands (`commerce.cli`,
`dialogue.cli`, `voice.cli`, `device.cli`); this root adds the ones that use them all (`run`,
`serve`, `doctor`) and handles errors. Subcommands import what they need lazily, so `--help`
and the store commands start fast and never wait for TensorFlow."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter

from commerce import cli as commerce_cli  # noqa: E402 - after the environment above
from commerce.cli import CliError, settings_for, store_for  # noqa: E402
from device import cli as device_cli  # noqa: E402
from dialogue import cli as dialogue_cli  # noqa: E402
from voice import cli as voice_cli  # noqa: E402


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
    from voxcart.warm_up import build_catalog_index

    routers = []
    loaded = None
    if assistant:
        print("loading the assistant...", file=sys.stderr, flush=True)
        loaded = dialogue_cli.open_assistant(settings, store)
        routers = dialogue_cli.assistant_routers(settings, loaded)
    try:
        app = create_app(store.sessions, extra_routers=routers)
    except ValueError as exc:  # a setting that is not what it must be, named in the message
        raise CliError(str(exc)) from None
    # Before the server answers, so that no first turn or search waits for it.
    print("indexing the catalog...", file=sys.stderr, flush=True)
    build_catalog_index(store.sessions)
    voice_loop, parts = None, None
    if voice_customer and loaded is not None:
        voice_loop, parts = device_cli.try_voice_loop(settings, store, loaded, voice_customer)
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


def cmd_serve(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    store = store_for(args)
    if args.workers != 1:
        from voxcart.workers import NotShareable, serve_workers

        language = dialogue_cli.store_language(store)
        store.close()
        model = (
            None
            if args.no_assistant
            else lambda: dialogue_cli.dialogue_model(settings, language=language)
        )
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

    settings = settings_for(args)
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


def cmd_doctor(args: argparse.Namespace) -> int:
    """Checks every part and says how to fix what is wrong."""
    problems = 0

    def line(ok: bool, what: str, detail: str) -> None:
        nonlocal problems
        problems += not ok
        print(f"{'ok ' if ok else 'FIX'}  {what:<18} {detail}")

    settings = settings_for(args)
    line(sys.version_info[:2] == (3, 10), "python", sys.version.split()[0])
    try:
        store = store_for(args)
        line(True, "database", settings.effective_database_url)
    except (CliError, Exception) as exc:  # noqa: BLE001 - report, do not crash
        line(False, "database", str(exc))
        return 1
    from dialogue import training

    language = dialogue_cli.store_language(store)
    current = training.model_path(settings.models_dir, language)
    line(
        current.is_file(),
        "dialogue model",
        f"{current.name} ({language})"
        if current.is_file()
        else f"missing or stale: run voxcart train --language {language}",
    )
    try:
        parts = device_cli.VoiceParts(settings, store)
        report = parts.report
        line(
            True,
            "speech model",
            f"{parts.engine.model_dir} (grammar "
            f"{'on' if report.grammar_supported else 'not supported'})",
        )
        unknown = parts.unknown_catalog_words
        line(
            not unknown,
            "catalog words",
            f"the speech model does not know {len(unknown)} catalog word(s): "
            f"{', '.join(unknown[:15])}{' ...' if len(unknown) > 15 else ''}; "
            "add an alias the model knows"
            if unknown
            else f"every catalog word is in the speech model ({parts.language})",
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

    doctor = sub.add_parser("doctor", parents=[common], help="check every part, say what to fix")
    doctor.set_defaults(func=cmd_doctor)

    commerce_cli.add_commands(sub, common)
    dialogue_cli.add_commands(sub, common, spoken_turns=device_cli.spoken_turns)
    device_cli.add_commands(sub, common)
    voice_cli.add_commands(sub, common, models_dir=lambda args: settings_for(args).models_dir)
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
