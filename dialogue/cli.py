"""The assistant's commands: `voxcart train`, `chat` and `transcripts`.

Also what the other commands need of the assistant: its model, the assistant itself loaded
on the store, and its HTTP routes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commerce.cli import CliError, settings_for, store_for

if TYPE_CHECKING:
    from dialogue.transcripts import SpokenTurns

# Builds the speech engines of `transcripts run --audio` from the settings. Speech is not
# dialogue's: the composition root passes the device's builder in.
SpokenTurnsFactory = Callable[[Any, str], "SpokenTurns"]


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


def store_language(store: Any) -> str:
    """The language the store's assistant speaks (its store file's `language`)."""
    from commerce.store import get_store_facts

    with store.sessions() as session:
        return get_store_facts(session).language


def dialogue_model(settings: Any, *, language: str = "en", train_if_needed: bool = True) -> Path:
    """The trained Rasa model of a language, trained first when its data changed."""
    from dialogue import training

    try:
        training.check_language(language)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if train_if_needed:
        return training.train(settings.models_dir, language=language, quiet=True)
    model = training.latest_model(settings.models_dir, language)
    if model is None:
        folder = training.models_folder(settings.models_dir, language)
        raise CliError(
            f"no trained dialogue model in {folder}; run: voxcart train --language {language}"
        )
    return model


def open_assistant(settings: Any, store: Any) -> Any:
    """The assistant on this store in the store's language, its conversations in the
    configured tracker store."""
    from dialogue import context
    from dialogue.conversation_locks import lock_store_for
    from dialogue.runtime import Assistant, tracker_store_for

    context.configure(store.sessions)
    model = dialogue_model(settings, language=store_language(store))
    tracker_store = tracker_store_for(settings.effective_database_url, settings.data_dir)
    return Assistant.load(
        model, tracker_store=tracker_store, lock_store=lock_store_for(settings.redis_url)
    )


def cmd_train(args: argparse.Namespace) -> int:
    from dialogue import training

    models_dir = settings_for(args).models_dir
    if args.language:
        try:
            training.train(models_dir, language=args.language, force=args.force, quiet=args.quiet)
        except ValueError as exc:
            raise CliError(str(exc)) from None
    else:
        training.train_all(models_dir, force=args.force, quiet=args.quiet)
    return 0


def spoken_language(files: list[Path], default_store: Path) -> str:
    """The one language spoken transcripts run in: pyttsx3 keeps one voice per process, so a
    spoken run takes the transcripts of one store language (a file that does not load is
    reported by the run itself)."""
    from commerce.errors import StoreFileError
    from dialogue.transcripts import TranscriptError, load_transcript, transcript_language

    languages = set()
    for path in files:
        try:
            languages.add(transcript_language(load_transcript(path), default_store))
        except (TranscriptError, StoreFileError):
            continue
    if len(languages) > 1:
        raise CliError(
            "spoken transcripts run in one language at a time (the text-to-speech voice is "
            f"one per process), and these stores speak {', '.join(sorted(languages))}: run "
            "each language's transcripts with --audio separately"
        )
    return languages.pop() if languages else "en"


def cmd_transcripts_run(args: argparse.Namespace, *, spoken_turns: SpokenTurnsFactory) -> int:
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

    settings = settings_for(args)
    try:
        files = collect([Path(p) for p in args.paths])
    except TranscriptError as exc:
        raise CliError(str(exc)) from None
    if not files:
        raise CliError("no transcript files (*.yaml) found in " + " ".join(args.paths))

    def load_assistant(language: str) -> Any:
        model = dialogue_model(settings, language=language)
        print(f"loading the assistant ({language}: {model.name})...", file=sys.stderr, flush=True)
        return Assistant.load(model)

    catalog, store_file = settings.demo_store_files()
    speech = spoken_turns(settings, spoken_language(files, store_file)) if args.audio else None
    # Each language's assistant is loaded when the first store speaking it comes.
    runner = Runner(
        None,
        default_catalog=catalog,
        default_store=store_file,
        speech=speech,
        load_assistant=load_assistant,
    )
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


def cmd_chat(args: argparse.Namespace) -> int:
    """A terminal conversation as one shopper (conversation kept in the tracker store)."""
    import asyncio

    from commerce.accounts import ensure_customer

    settings = settings_for(args)
    store = store_for(args)
    with store.sessions() as session:
        ensure_customer(session, customer_id=args.customer, name=args.name)
    print("loading the assistant...", file=sys.stderr, flush=True)
    assistant = open_assistant(settings, store)
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


def add_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    *,
    spoken_turns: SpokenTurnsFactory,
) -> None:
    """Adds the assistant's commands; `common` carries the options every command takes."""
    train = sub.add_parser("train", parents=[common], help="train the dialogue model if needed")
    train.add_argument("--force", action="store_true", help="train even if up to date")
    train.add_argument("--quiet", action="store_true", help="say nothing when up to date")
    train.add_argument(
        "--language", default=None, help="train only this language's model (default: every one)"
    )
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
    run_transcripts.set_defaults(func=partial(cmd_transcripts_run, spoken_turns=spoken_turns))
