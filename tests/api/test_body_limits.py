"""Request bodies over a route's limit are refused with 413, whether the client declares the
length or streams the body without one (in process and over a real socket)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from commerce.api.app import create_app
from commerce.api.body_limits import BodyLimits
from commerce.service import Store
from commerce.settings import Settings
from tests.api.live_server import served
from tests.conftest import Shopper
from tests.helpers import catalog_csv

KB = 1024
MB = 1024 * 1024


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    """The app with the default limits (64 KB JSON, 4 KB chat turn, 5 MB catalog import)."""
    limits = BodyLimits.from_settings(Settings())
    with TestClient(create_app(store.sessions, body_limits=limits)) as client:
        yield client


def assert_too_large(response, limit: int) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 413, response.text
    body = response.json()
    assert body["error"] == "payload_too_large"
    assert f"{limit}-byte limit" in body["detail"]


def test_default_limits_are_the_documented_ones() -> None:
    limits = BodyLimits.from_settings(Settings())
    assert limits.for_request("POST", "/admin/customers").max_bytes == 64 * KB
    assert limits.for_request("POST", "/webhooks/rest/webhook").max_bytes == 4 * KB
    assert limits.for_request("POST", "/admin/catalog/import").max_bytes == 5 * MB
    assert not limits.for_request("POST", "/admin/catalog/import").json


def test_json_route_refuses_a_body_over_64_kb(client: TestClient, admin_headers: dict) -> None:
    name = "x" * (64 * KB)
    response = client.post("/admin/customers", json={"name": name}, headers=admin_headers)
    assert_too_large(response, 64 * KB)
    # just under the limit, the route answers (here: the name is too long, a 422)
    small = client.post("/admin/customers", json={"name": "x" * 60_000}, headers=admin_headers)
    assert small.status_code == 422


def test_streamed_body_without_length_is_refused(client: TestClient, shopper: Shopper) -> None:
    """A generator body goes out chunked, with no Content-Length: the limit is found while
    reading. (The test client hands the app the body at once; the real-socket test below
    shows the server stops reading.)"""

    def chunks() -> Iterator[bytes]:
        yield b'{"sku": "'
        for _ in range(100):
            yield b"A" * (8 * KB)
        yield b'"}'

    response = client.post(
        "/cart/items",
        content=chunks(),
        headers={**shopper.headers, "Content-Type": "application/json"},
    )
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert_too_large(response, 64 * KB)


def test_chat_turn_limit_is_4_kb(client: TestClient, shopper: Shopper) -> None:
    """Checked before routing, so it holds whether or not the assistant's routes are served
    (this app has none: under the limit the answer is 404)."""
    turn = {"sender": "ann", "message": "two croissants " * 300}
    response = client.post("/webhooks/rest/webhook", json=turn, headers=shopper.headers)
    assert_too_large(response, 4 * KB)
    ok_size = {"sender": "ann", "message": "two croissants"}
    assert (
        client.post("/webhooks/rest/webhook", json=ok_size, headers=shopper.headers).status_code
        == 404
    )


def test_catalog_import_takes_large_csv_up_to_5_mb(client: TestClient, admin_headers: dict) -> None:
    rows = [f"BULK-{i},Bulk Item {i},,bulk,each,1.00,5,,{'d' * 80}" for i in range(1500)]
    csv = catalog_csv(*rows).encode()
    assert 64 * KB < len(csv) < 5 * MB
    headers = {**admin_headers, "Content-Type": "text/csv"}
    response = client.post("/admin/catalog/import", content=csv, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["imported"] == 1500
    too_big = csv + b"#" * (5 * MB)
    assert_too_large(client.post("/admin/catalog/import", content=too_big, headers=headers), 5 * MB)


def test_limits_are_settings(store: Store, admin_headers: dict) -> None:
    limits = BodyLimits.from_settings(Settings(max_body_bytes=100))
    with TestClient(create_app(store.sessions, body_limits=limits)) as client:
        response = client.post("/admin/customers", json={"name": "a" * 100}, headers=admin_headers)
        assert_too_large(response, 100)
        assert (
            client.post("/admin/customers", json={"name": "Al"}, headers=admin_headers).status_code
            == 201
        )


def test_bad_content_length_is_400(client: TestClient, admin_headers: dict) -> None:
    response = client.post(
        "/admin/customers",
        content=b'{"name": "Al"}',
        headers={**admin_headers, "Content-Type": "application/json", "Content-Length": "1e3"},
    )
    assert response.status_code == 400
    assert "Content-Length" in response.json()["detail"]


def _raw_http(base_url: str, request: bytes) -> bytes:
    """Sends `request` as is over a socket; the raw answer (up to the server closing or 64 KB).
    Stops sending when the server closes the connection (it may answer before reading all)."""
    parts = urlsplit(base_url)
    with socket.create_connection(
        (parts.hostname or "127.0.0.1", parts.port or 80), timeout=10
    ) as sock:
        try:
            sock.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer) < 200:
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            answer += data
    return answer


def test_chunked_body_over_a_real_socket_is_refused(store: Store, shopper: Shopper) -> None:
    """No Content-Length, `Transfer-Encoding: chunked`, 2 MB of chunks: uvicorn passes the
    chunks on as they come, and the answer is 413."""
    limits = BodyLimits.from_settings(Settings())
    payload = json.dumps({"sku": "A" * (2 * MB)}).encode()
    chunk_size = 16 * KB
    body = b"".join(
        b"%x\r\n%s\r\n" % (len(payload[i : i + chunk_size]), payload[i : i + chunk_size])
        for i in range(0, len(payload), chunk_size)
    )
    with served(create_app(store.sessions, body_limits=limits)) as base_url:
        head = (
            "POST /cart/items HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {shopper.token}\r\nTransfer-Encoding: chunked\r\n\r\n"
        ).encode()
        answer = _raw_http(base_url, head + body + b"0\r\n\r\n")
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 413"), answer[:300]
    assert b"payload_too_large" in rest
