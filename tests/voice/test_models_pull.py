"""`voxcart models pull` against a real HTTP server on loopback (no internet here)."""

from __future__ import annotations

import hashlib
import http.server
import io
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from voice import models


def model_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("vosk-model-tiny/am/final.mdl", b"acoustic model")
        zf.writestr("vosk-model-tiny/conf/model.conf", b"--sample-frequency=16000")
    return out.getvalue()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "www").mkdir()
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(  # noqa: E731
        *a, directory=str(tmp_path / "www"), **k
    )
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture
def tiny_spec(monkeypatch: pytest.MonkeyPatch) -> models.ModelSpec:
    data = model_zip()
    spec = models.ModelSpec("tiny", "tiny.zip", hashlib.sha256(data).hexdigest(), 1, "test")
    monkeypatch.setitem(models.KNOWN_MODELS, "tiny", spec)
    return spec


def test_pull_downloads_verifies_and_unpacks(server: str, tiny_spec, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "www" / "tiny.zip").write_bytes(model_zip())
    target = models.pull("tiny", tmp_path / "models", base_url=server)
    assert target == tmp_path / "models" / "vosk" / "tiny"
    assert (target / "am" / "final.mdl").read_bytes() == b"acoustic model"


def test_a_corrupt_download_installs_nothing(server: str, tiny_spec, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "www" / "tiny.zip").write_bytes(model_zip() + b"tampered")
    with pytest.raises(models.ModelDownloadError, match="failed its checksum"):
        models.pull("tiny", tmp_path / "models", base_url=server)
    assert not (tmp_path / "models" / "vosk" / "tiny").exists()
    assert list((tmp_path / "models" / "vosk").iterdir()) == []  # no half-written folder


def test_unreachable_and_unknown(server: str, tiny_spec, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(models.ModelDownloadError, match="could not download"):
        models.pull("tiny", tmp_path / "models", base_url=server)  # 404
    with pytest.raises(models.ModelDownloadError, match="known models: small-en-us"):
        models.pull("huge", tmp_path / "models")


def test_the_english_model_is_known_with_its_checksum() -> None:
    spec = models.KNOWN_MODELS["small-en-us"]
    assert spec.archive == "vosk-model-small-en-us-0.15.zip" and len(spec.sha256) == 64
