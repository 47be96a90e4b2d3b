"""A stock `rasa run` with the project's own endpoints.yml uses `voxcart serve` as its action
server when both sides hold the shared secret: over real HTTP, two real processes."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from commerce.cart import get_cart
from commerce.service import open_store
from tests.conftest import DEMO_CSV, DEMO_STORE
from tests.servers import wait_until_up
from tests.test_cli import VOXCART, voxcart
from tests.test_http_server import HOST, free_port

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dialogue" / "project"
RASA = VOXCART.parent / "rasa"
SECRET = "stock-rasa-shared-secret-0123456789"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not RASA.exists(), reason="the rasa command is not installed"),
]


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()
        process.communicate(timeout=10)


@pytest.fixture
def running(tmp_path: Path, model_path: Path) -> Iterator[tuple[str, str]]:
    """`voxcart serve` with the secret, and `rasa run` pointed at it by endpoints.yml."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert voxcart("db", "upgrade", "--database-url", url, cwd=tmp_path).returncode == 0
    imported = voxcart(
        "catalog", "import", DEMO_CSV, "--store", DEMO_STORE, "--database-url", url, cwd=tmp_path
    )
    assert imported.returncode == 0, imported.stderr
    clean = {k: v for k, v in os.environ.items() if not k.startswith("VOXCART_")}
    serve_port, rasa_port = free_port(), free_port()
    serve = subprocess.Popen(
        [str(VOXCART), "serve", "--host", HOST, "--port", str(serve_port), "--database-url", url],
        env={**clean, "VOXCART_ACTION_SERVER_TOKEN": SECRET, "VOXCART_DATA_DIR": str(tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    (tmp_path / "credentials.yml").write_text("rest:\n")
    rasa = subprocess.Popen(
        [
            str(RASA),
            "run",
            "--model",
            str(model_path),
            "-i",
            HOST,
            "-p",
            str(rasa_port),
            "--endpoints",
            str(PROJECT_DIR / "endpoints.yml"),
            "--credentials",
            str(tmp_path / "credentials.yml"),
        ],  # fmt: skip
        env={
            **clean,
            "VOXCART_ACTION_SERVER_URL": f"http://{HOST}:{serve_port}/webhook",
            "VOXCART_ACTION_SERVER_TOKEN": SECRET,
            "RASA_TELEMETRY_ENABLED": "false",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        wait_until_up(f"http://{HOST}:{serve_port}/openapi.json", serve, "voxcart serve", 120)
        wait_until_up(f"http://{HOST}:{rasa_port}/", rasa, "rasa run", 180)
        yield url, f"http://{HOST}:{rasa_port}/webhooks/rest/webhook"
    finally:
        stop(rasa)
        stop(serve)


def test_stock_rasa_runs_voxcart_actions_with_the_secret(running: tuple[str, str]) -> None:
    url, webhook = running
    with httpx.Client(timeout=60, trust_env=False) as http:
        replies = http.post(webhook, json={"sender": "ann", "message": "two croissants please"})
    assert replies.status_code == 200, replies.text
    said = " ".join(r.get("text", "") for r in replies.json()).lower()
    assert "croissant" in said, said
    store = open_store(url)
    try:
        with store.sessions() as session:
            cart = get_cart(session, customer_id="ann")
            assert [(i.sku, i.quantity) for i in cart.items] == [("CROISSANT", 2)]
    finally:
        store.engine.dispose()
