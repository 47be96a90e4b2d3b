"""The speech commands: `voxcart models`.

`voice` reads no settings of its own: the composition root says where models go.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

# The models folder a command line means (its settings, with any options it gave).
ModelsDirFor = Callable[[argparse.Namespace], Path]


def cmd_models_pull(args: argparse.Namespace, *, models_dir: ModelsDirFor) -> int:
    from voice.models import ModelDownloadError, pull

    try:
        pull(args.name, models_dir(args))
    except ModelDownloadError as exc:
        # The same one-line message and exit code as every other command's refusal.
        print(f"voxcart: {exc}", file=sys.stderr)
        return 1
    return 0


def add_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    *,
    models_dir: ModelsDirFor,
) -> None:
    """Adds the speech commands; `common` carries the options every command takes."""
    models = sub.add_parser("models", help="speech models")
    models_sub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    pull_model = models_sub.add_parser("pull", parents=[common], help="download a Vosk model")
    pull_model.add_argument("name", help="small-en-us")
    pull_model.set_defaults(func=partial(cmd_models_pull, models_dir=models_dir))
