"""`voxcart serve` answers over real HTTP on loopback, and stops cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import DEMO_CSV, DEMO_STORE
from tests.servers import wait_until_up
from tests.test_cli import VOXCART, voxcart

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@pytest.fixture
def served_store(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert voxcart("db", "upgrade", "--database-url", url, cwd=tmp_path).returncode == 0
    imported = voxcart(
        "catalog", "import", DEMO_CSV, "--store", DEMO_STORE, "--database-url", url, cwd=tmp_path
    )
    assert imported.returncode == 0, imported.stderr
    port = free_port()
    command = [str(VOXCART), "serve", "--no-assistant", "--host", HOST, "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--database-url", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if not k.startswith("VOXCART_")},
    )
    base = f"http://{HOST}:{port}"
    try:
        wait_until_up(f"{base}/openapi.json", process, "voxcart serve", 60, poll_s=0.1)
        yield base, process
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)


@pytest.mark.skipif(not VOXCART.exists(), reason="the voxcart command is not installed")
def test_serve_answers_over_http_and_stops_cleanly(
    served_store: tuple[str, subprocess.Popen[str]],
) -> None:
    base, process = served_store
    with httpx.Client(base_url=base, timeout=10, trust_env=False) as http:
        search = http.get("/products", params={"q": "oat milk"})
        assert search.status_code == 200
        assert search.headers["content-type"] == "application/json"
        first = search.json()[0]
        assert (first["sku"], first["price"]) == ("MILK-OAT-1L", "2.79")
        docs = http.get("/docs")
        assert docs.status_code == 200
        assert "swagger" in docs.text.lower()
        assert http.get("/admin/products").status_code == 401
    process.send_signal(signal.SIGINT)  # Ctrl-C
    stdout, stderr = process.communicate(timeout=30)
    # uvicorn shuts down gracefully, then hands the interrupt on: 130 is Ctrl-C's usual code.
    assert process.returncode in (0, 130), stderr
    assert "Traceback" not in stderr
    assert f"voxcart store API on {base}" in stdout
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{base}/products", timeout=2, trust_env=False)
