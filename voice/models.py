"""`voxcart models pull NAME`: download a Vosk model into models/vosk/NAME, verified by its
SHA-256, with a progress bar; unpacked into a temporary folder and moved into place only when
complete, so an interrupted download never leaves half a model behind."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

# Mirrors (or a test server) can stand in for alphacephei.com.
BASE_URL_ENV = "VOXCART_VOSK_MODEL_BASE_URL"
DEFAULT_BASE_URL = "https://alphacephei.com/vosk/models"


@dataclass(frozen=True)
class ModelSpec:
    name: str
    archive: str  # file name under the base URL
    sha256: str
    size_mb: int
    description: str


KNOWN_MODELS = {
    spec.name: spec
    for spec in [
        ModelSpec(
            "small-en-us",
            "vosk-model-small-en-us-0.15.zip",
            "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498",
            40,
            "small US English (WER 9.85 on LibriSpeech clean), runtime grammar support",
        ),
    ]
}


class ModelDownloadError(Exception):
    pass


def _progress(done: int, total: int | None) -> None:
    if not sys.stderr.isatty() and total and done < total:
        return
    if total:
        width = 30
        filled = int(width * done / total)
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done / 1e6:6.1f} / {total / 1e6:.1f} MB"
        )
    else:
        sys.stderr.write(f"\r{done / 1e6:6.1f} MB")
    sys.stderr.flush()


def pull(name: str, models_dir: Path, *, base_url: str | None = None) -> Path:
    spec = KNOWN_MODELS.get(name)
    if spec is None:
        known = ", ".join(sorted(KNOWN_MODELS))
        raise ModelDownloadError(f"unknown model {name!r}; known models: {known}")
    target = models_dir / "vosk" / name
    if (target / "am").is_dir() or (target / "conf").is_dir():
        print(f"{name} is already in {target}", file=sys.stderr)
        return target
    base = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    url = f"{base.rstrip('/')}/{spec.archive}"
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{name}-") as tmp:
        archive = Path(tmp) / spec.archive
        digest = hashlib.sha256()
        print(f"downloading {url} (about {spec.size_mb} MB)", file=sys.stderr)
        try:
            with urllib.request.urlopen(url, timeout=60) as response, archive.open("wb") as out:
                total = int(response.headers.get("Content-Length") or 0) or None
                done = 0
                while block := response.read(1 << 16):
                    out.write(block)
                    digest.update(block)
                    done += len(block)
                    _progress(done, total)
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise ModelDownloadError(
                f"could not download {url}: {exc}. Check the network, or download the archive "
                f"elsewhere, unzip it and set VOXCART_VOSK_MODEL to the folder"
            ) from None
        sys.stderr.write("\n")
        if digest.hexdigest() != spec.sha256:
            raise ModelDownloadError(
                f"{spec.archive} failed its checksum (got {digest.hexdigest()[:12]}..., "
                f"expected {spec.sha256[:12]}...); nothing was installed"
            )
        unpacked = Path(tmp) / "unpacked"
        try:
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(unpacked)
        except zipfile.BadZipFile:
            raise ModelDownloadError(f"{spec.archive} is not a zip archive") from None
        roots = [p for p in unpacked.iterdir() if p.is_dir()]
        model_root = roots[0] if len(roots) == 1 else unpacked
        if not ((model_root / "am").is_dir() or (model_root / "conf").is_dir()):
            raise ModelDownloadError(f"{spec.archive} does not contain a Vosk model")
        shutil.move(str(model_root), str(target))
    print(f"installed {name} in {target}", file=sys.stderr)
    return target
