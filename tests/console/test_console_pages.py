"""What the console's pages do once signed in, and that bad input always gets a clear page
(4xx), never a server error."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient

from commerce.accounts import create_staff_key, ensure_customer
from commerce.api.app import create_app
from commerce.cart import add_to_cart
from commerce.catalog import get_product
from commerce.console.events import changes
from commerce.console.order_pages import legal_moves
from commerce.handoffs import get_handoff, open_handoff
from commerce.notices import take_notices
from commerce.orders import checkout, get_order
from commerce.service import Store
from tests.console.test_console_access import csrf_of, sign_in

HX = {"HX-Request": "true"}


@pytest.fixture
def admin(store: Store) -> Iterator[tuple[TestClient, str]]:
    with store.sessions() as session:
        key = create_staff_key(session, label="Dana", role="admin")
    with TestClient(create_app(store.sessions), follow_redirects=False) as client:
        yield client, sign_in(client, key)


def _handoff(store: Store) -> int:
    with store.sessions() as session:
        ensure_customer(session, customer_id="ann", name="Ann Lee")
        add_to_cart(session, customer_id="ann", sku="CROISSANT", quantity=2)
        said = [{"speaker": "shopper", "text": "can I talk to someone"}]
        return open_handoff(session, customer_id="ann", reason="asked", conversation=said).id


def _order(store: Store, fulfilment: str = "pickup") -> int:
    with store.sessions() as session:
        ensure_customer(session, customer_id="ann", name="Ann Lee")
        add_to_cart(session, customer_id="ann", sku="CROISSANT", quantity=1)
        return checkout(session, customer_id="ann", fulfilment=fulfilment).id


def test_reply_is_kept_in_the_conversation_and_queued_for_the_shopper(
    store: Store, admin: tuple[TestClient, str]
) -> None:
    client, csrf = admin
    handoff_id = _handoff(store)
    page = client.get(f"/console/handoffs/{handoff_id}")
    assert page.status_code == 200
    assert "can I talk to someone" in page.text and "Butter Croissant" in page.text
    sent = client.post(
        f"/console/handoffs/{handoff_id}/reply",
        data={"csrf_token": csrf, "text": "  Coming   right over! "},
        headers=HX,
    )
    assert sent.status_code == 200 and "Coming right over!" in sent.text
    with store.sessions() as session:
        told = take_notices(session, customer_id="ann")
        assert [(n.kind, n.text) for n in told] == [("staff_reply", "Coming right over!")]
        assert take_notices(session, customer_id="ann") == []  # delivered once
        said = get_handoff(session, handoff_id=handoff_id).conversation[-1]
    assert (said["speaker"], said["text"], said["by"]) == (
        "staff",
        "Coming right over!",
        "staff:Dana",
    )

    released = client.post(f"/console/handoffs/{handoff_id}/release", data={"csrf_token": csrf})
    assert released.status_code == 303
    late = client.post(
        f"/console/handoffs/{handoff_id}/reply", data={"csrf_token": csrf, "text": "hello?"}
    )
    assert late.status_code == 409 and "released" in late.text
    again = client.post(f"/console/handoffs/{handoff_id}/release", data={"csrf_token": csrf})
    assert again.status_code == 409


def test_staff_reply_over_the_json_api(store: Store, admin_headers: dict[str, str]) -> None:
    handoff_id = _handoff(store)
    with TestClient(create_app(store.sessions)) as client:
        url = f"/admin/handoffs/{handoff_id}/messages"
        for bad in ({"text": "   "}, {"text": "x" * 1001}, {}, {"text": "hi", "more": 1}):
            assert client.post(url, json=bad, headers=admin_headers).status_code == 422
        sent = client.post(url, json={"text": "On my way"}, headers=admin_headers)
        assert sent.status_code == 200, sent.text
        assert sent.json()["conversation"][-1]["text"] == "On my way"
        missing = client.post(
            "/admin/handoffs/999/messages", json={"text": "hi"}, headers=admin_headers
        )
        assert missing.status_code == 404
    with store.sessions() as session:
        assert [n.text for n in take_notices(session, customer_id="ann")] == ["On my way"]


def test_orders_board_offers_only_legal_moves(store: Store, admin: tuple[TestClient, str]) -> None:
    client, csrf = admin
    pickup, delivery = _order(store), _order(store, "delivery")
    with store.sessions() as session:
        assert [m for m, _ in legal_moves(get_order(session, order_id=pickup))] == [
            "preparing",
            "cancelled",
        ]
    for status in ("preparing", "ready"):
        for order_id in (pickup, delivery):
            moved = client.post(
                f"/console/orders/{order_id}/status",
                data={"csrf_token": csrf, "status": status},
                headers=HX,
            )
            assert moved.status_code == 200, moved.text
    board = client.get("/console/orders/board").text
    ticket = board[board.index(f'id="order-{pickup}"') :].split("</article>")[0]
    assert re.findall(r'data-move="(\w+)"', ticket) == ["delivered"]  # collected, no delivery
    ticket = board[board.index(f'id="order-{delivery}"') :].split("</article>")[0]
    assert re.findall(r'data-move="(\w+)"', ticket) == ["out_for_delivery", "delivered"]
    skipped = client.post(
        f"/console/orders/{pickup}/status", data={"csrf_token": csrf, "status": "placed"}
    )
    assert skipped.status_code == 409 and "cannot become placed" in skipped.text
    with store.sessions() as session:
        assert get_order(session, order_id=pickup).status == "ready"


def test_catalog_edit_and_import(store: Store, admin: tuple[TestClient, str]) -> None:
    client, csrf = admin
    assert "Butter Croissant" in client.get("/console/catalog", params={"q": "butter crois"}).text
    assert "No products match" in client.get("/console/catalog", params={"q": "zzzz"}).text
    saved = client.post(
        "/console/catalog/products/CROISSANT",
        data={"csrf_token": csrf, "price": "$3.10", "stock": "7", "active": "off"},
        headers=HX,
    )
    assert saved.status_code == 200 and "Saved" in saved.text
    with store.sessions() as session:
        product = get_product(session, sku="CROISSANT")
        assert (product.price_cents, product.stock, product.active) == (310, 7, False)
    good = (
        "sku,name,aliases,category,unit,price,stock,options,description\n"
        "SCONE,Scone,,bakery,each,2.40,12,,\n"
    )
    done = client.post(
        "/console/catalog/import",
        data={"csrf_token": csrf},
        files={"file": ("new.csv", good.encode(), "text/csv")},
    )
    assert done.status_code == 200 and "Imported 1 products" in done.text


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("GET", "/console/handoffs/0", None),
        ("GET", "/console/handoffs/abc", None),
        ("GET", "/console/handoffs/99999999999999999999", None),
        ("GET", "/console/handoffs/12345", None),
        ("GET", "/console/handoffs/12345/conversation", None),
        ("GET", "/console/catalog?q=" + "x" * 300, None),
        ("GET", "/console/no-such-page", None),
        ("POST", "/console/handoffs/12345/reply", {"text": "hi"}),
        ("POST", "/console/handoffs/12345/release", {}),
        ("POST", "/console/orders/12345/status", {"status": "ready"}),
        ("POST", "/console/orders/1/status", {"status": "flying"}),
        ("POST", "/console/orders/1/status", {}),
        ("POST", "/console/catalog/products/NOPE", {"price": "1.00"}),
        ("POST", "/console/catalog/products/CROISSANT", {"price": "1e9"}),
        ("POST", "/console/catalog/products/CROISSANT", {"price": "-2"}),
        ("POST", "/console/catalog/products/CROISSANT", {"price": "NaN"}),
        ("POST", "/console/catalog/products/CROISSANT", {"stock": "lots"}),
        ("POST", "/console/catalog/products/CROISSANT", {"stock": "99999999999999"}),
        ("POST", "/console/catalog/products/CROISSANT", {"stock": "-1"}),
        ("POST", "/console/catalog/products/CROISSANT", {"price": "1.00\x00"}),
        ("POST", "/console/catalog/import", {}),
    ],
)
def test_bad_input_gets_a_clear_page_not_a_server_error(
    store: Store, admin: tuple[TestClient, str], method: str, path: str, data: Any
) -> None:
    client, csrf = admin
    _order(store)
    before = get_price(store)
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, data={"csrf_token": csrf, **data})
    assert 400 <= response.status_code < 500, response.text[:300]
    assert "text/html" in response.headers["content-type"]
    assert get_price(store) == before


def get_price(store: Store) -> tuple[int, int, bool]:
    with store.sessions() as session:
        product = get_product(session, sku="CROISSANT")
        return product.price_cents, product.stock, product.active


@pytest.mark.parametrize(
    "upload",
    [
        ("bad.csv", b"\xff\xfe\x00binary", "text/csv"),
        ("empty.csv", b"", "text/csv"),
        ("bad.csv", b"sku,name\n,\n", "text/csv"),
    ],
)
def test_bad_catalog_files_are_refused_with_reasons(
    store: Store, admin: tuple[TestClient, str], upload: tuple
) -> None:
    client, csrf = admin
    response = client.post(
        "/console/catalog/import", data={"csrf_token": csrf}, files={"file": upload}
    )
    assert response.status_code == 422, response.text[:300]
    assert "flash error" in response.text


def test_sign_in_refusals(store: Store) -> None:
    with TestClient(create_app(store.sessions), follow_redirects=False) as client:
        token = csrf_of(client.get("/console/sign-in").text)
        for key, status in (("", 422), ("vxk_nope", 401), ("x" * 5000, 401), ("a\x00b", 401)):
            response = client.post("/console/sign-in", data={"csrf_token": token, "key": key})
            assert response.status_code == status, response.text[:200]
            assert "voxcart_console=" not in response.headers.get("set-cookie", "")
        # Only console paths are followed after signing in: no open redirect.
        page = client.get("/console/sign-in", params={"next": "//evil.example/console/"})
        assert "evil" not in page.text


def test_live_events_name_what_changed(store: Store) -> None:
    class Connected:
        async def is_disconnected(self) -> bool:
            return False

    async def run() -> list[str]:
        stream = changes(Connected(), store.sessions, every=0.05, lasts=5)  # type: ignore[arg-type]
        seen = [await stream.__anext__() for _ in range(3)]  # retry, then one of each
        _handoff(store)
        seen.append(await stream.__anext__())
        _order(store)
        seen.append(await stream.__anext__())
        await stream.aclose()
        return seen

    assert anyio.run(run) == [
        "retry: 2000\n\n",
        "event: handoffs\ndata: connected\n\n",
        "event: orders\ndata: connected\n\n",
        "event: handoffs\ndata: changed\n\n",
        "event: orders\ndata: changed\n\n",
    ]
