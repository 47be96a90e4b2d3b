"""`voxcart train`: trains the Rasa project into models/rasa/, skipping training when the
dialogue data has not changed since the last model (a fingerprint of every input file)."""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent / "project"
MODEL_PREFIX = "voxcart-"


def project_files() -> list[Path]:
    files = [PROJECT_DIR / "config.yml", PROJECT_DIR / "domain.yml"]
    files += sorted((PROJECT_DIR / "data").rglob("*.yml"))
    return files


# The NLU components in the pipeline shape what the classifier is trained on.
COMPONENTS_DIR = Path(__file__).resolve().parent / "nlu"


def fingerprint() -> str:
    digest = hashlib.sha256()
    for path in project_files():
        digest.update(str(path.relative_to(PROJECT_DIR)).encode())
        digest.update(path.read_bytes())
    for path in sorted(COMPONENTS_DIR.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path(models_dir: Path) -> Path:
    return models_dir / "rasa" / f"{MODEL_PREFIX}{fingerprint()}.tar.gz"


def latest_model(models_dir: Path) -> Path | None:
    current = model_path(models_dir)
    if current.is_file():
        return current
    candidates = sorted(
        (models_dir / "rasa").glob(f"{MODEL_PREFIX}*.tar.gz"), key=lambda p: p.stat().st_mtime
    )
    return candidates[-1] if candidates else None


def train(models_dir: Path, *, force: bool = False, quiet: bool = False) -> Path:
    """Returns the model for the current dialogue data, training it first if needed."""
    target = model_path(models_dir)
    if target.is_file() and not force:
        if not quiet:
            print(f"dialogue model is up to date: {target}")
        return target
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    target.parent.mkdir(parents=True, exist_ok=True)
    print(f"training the dialogue model ({len(project_files())} files)...", flush=True)
    started = time.monotonic()
    from rasa.model_training import train as rasa_train
    from rasa.utils.log_utils import configure_structlog

    # Unconfigured, structlog prints every rule-policy debug event while training.
    configure_structlog(logging.WARNING)
    logging.getLogger("rasa").setLevel(logging.WARNING)

    result = rasa_train(
        domain=str(PROJECT_DIR / "domain.yml"),
        config=str(PROJECT_DIR / "config.yml"),
        training_files=[str(PROJECT_DIR / "data")],
        output=str(target.parent),
        fixed_model_name=target.name.removesuffix(".tar.gz"),
        force_training=True,
    )
    if result.code != 0 or not target.is_file():
        raise RuntimeError(f"training failed (rasa exit code {result.code}); see the log above")
    for old in target.parent.glob(f"{MODEL_PREFIX}*.tar.gz"):
        if old != target:
            old.unlink()
    print(f"trained in {time.monotonic() - started:.0f} s: {target}", file=sys.stderr)
    return target
