"""`voxcart train`: trains the Rasa project of each language into its own folder (English
models/rasa/, Korean models/rasa-ko/), skipping training when that language's dialogue data
has not changed since its last model (a fingerprint of every input file).

A language's project is its config (config.yml for English, config-<code>.yml otherwise) and
NLU examples (data/nlu, data-<code>/nlu); the domain, rules and stories are shared, so every
language has the same intents and actions."""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent / "project"
MODEL_PREFIX = "voxcart-"
DEFAULT_LANGUAGE = "en"


def config_file(language: str = DEFAULT_LANGUAGE) -> Path:
    name = "config.yml" if language == DEFAULT_LANGUAGE else f"config-{language}.yml"
    return PROJECT_DIR / name


def languages() -> list[str]:
    """Every language that has a project: English, and each config-<code>.yml."""
    found = [DEFAULT_LANGUAGE]
    found += sorted(p.stem.removeprefix("config-") for p in PROJECT_DIR.glob("config-*.yml"))
    return found


def training_dirs(language: str = DEFAULT_LANGUAGE) -> list[Path]:
    """The data folders a language trains on: its own NLU, the shared rules and stories."""
    shared = PROJECT_DIR / "data"
    if language == DEFAULT_LANGUAGE:
        return [shared]
    return [PROJECT_DIR / f"data-{language}" / "nlu", shared / "rules", shared / "stories"]


def project_files(language: str = DEFAULT_LANGUAGE) -> list[Path]:
    files = [config_file(language), PROJECT_DIR / "domain.yml"]
    for folder in training_dirs(language):
        files += sorted(folder.rglob("*.yml"))
    return files


# The NLU components in the pipeline shape what the classifier is trained on.
COMPONENTS_DIR = Path(__file__).resolve().parent / "nlu"


def fingerprint(language: str = DEFAULT_LANGUAGE) -> str:
    digest = hashlib.sha256()
    for path in project_files(language):
        digest.update(str(path.relative_to(PROJECT_DIR)).encode())
        digest.update(path.read_bytes())
    for path in sorted(COMPONENTS_DIR.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def models_folder(models_dir: Path, language: str = DEFAULT_LANGUAGE) -> Path:
    return models_dir / ("rasa" if language == DEFAULT_LANGUAGE else f"rasa-{language}")


def model_path(models_dir: Path, language: str = DEFAULT_LANGUAGE) -> Path:
    return models_folder(models_dir, language) / f"{MODEL_PREFIX}{fingerprint(language)}.tar.gz"


def latest_model(models_dir: Path, language: str = DEFAULT_LANGUAGE) -> Path | None:
    current = model_path(models_dir, language)
    if current.is_file():
        return current
    candidates = sorted(
        models_folder(models_dir, language).glob(f"{MODEL_PREFIX}*.tar.gz"),
        key=lambda p: p.stat().st_mtime,
    )
    return candidates[-1] if candidates else None


def check_language(language: str) -> None:
    if language not in languages():
        raise ValueError(
            f"no dialogue project for language {language!r} "
            f"(projects: {', '.join(languages())}; add {config_file(language).name})"
        )


def train(
    models_dir: Path,
    *,
    language: str = DEFAULT_LANGUAGE,
    force: bool = False,
    quiet: bool = False,
) -> Path:
    """Returns the language's model for the current dialogue data, training it first if
    needed."""
    check_language(language)
    target = model_path(models_dir, language)
    if target.is_file() and not force:
        if not quiet:
            print(f"dialogue model ({language}) is up to date: {target}")
        return target
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    target.parent.mkdir(parents=True, exist_ok=True)
    files = len(project_files(language))
    print(f"training the dialogue model ({language}, {files} files)...", flush=True)
    started = time.monotonic()
    from rasa.model_training import train as rasa_train
    from rasa.utils.log_utils import configure_structlog

    # Unconfigured, structlog prints every rule-policy debug event while training.
    configure_structlog(logging.WARNING)
    logging.getLogger("rasa").setLevel(logging.WARNING)

    result = rasa_train(
        domain=str(PROJECT_DIR / "domain.yml"),
        config=str(config_file(language)),
        training_files=[str(folder) for folder in training_dirs(language)],
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


def train_all(models_dir: Path, *, force: bool = False, quiet: bool = False) -> list[Path]:
    """Every language's model, each trained if its data changed."""
    return [
        train(models_dir, language=language, force=force, quiet=quiet) for language in languages()
    ]
