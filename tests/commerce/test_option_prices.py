"""Option values that change the price (`size=small|medium +0.50|large +1.00`): parsed on
import, added in carts, quotes and orders, kept on an order line, shown by the API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from commerce.cart import add_to_cart, change_options, get_cart
from commerce.catalog import (
    get_product,
    import_products,
    options_text,
    parse_catalog_csv,
    parse_options,
    update_product,
    validate_options,
)
from commerce.errors import CatalogImportError, InvalidRequest
from commerce.orders import checkout, quote
from commerce.service import Store
from tests.conftest import Shopper
from tests.helpers import catalog_csv

PRICED_LATTE = (
    "LATTE,Caffe Latte,latte,cafe,cup,4.20,999,"
    "size=small|medium +0.50|large +1.00;milk=whole|oat +0.60|no milk -0.30,Latte"
)


def test_values_keep_their_name_and_the_change_is_in_minor_units() -> None:
    assert parse_options("size=small|Medium +0.50|large  + 1.00;milk=whole|oat") == [
        {"name": "size", "values": ["small", "medium", "large"],
         "price_changes": {"medium": 50, "large": 100}},
        {"name": "milk", "values": ["whole", "oat"]},
    ]  # fmt: skip
    assert parse_options("milk=whole|no milk -0.30")[0]["price_changes"] == {"no milk": -30}
    # A zero change is no change; a hyphen inside a value is not a sign.
    assert parse_options("temp=extra-hot|iced +0.00") == [
        {"name": "temp", "values": ["extra-hot", "iced"]}
    ]


def test_text_form_round_trips() -> None:
    groups = parse_options("size=small|medium +0.50|large +1.00;milk=whole|no milk -0.30")
    assert options_text(groups) == "size=small|medium +0.50|large +1.00;milk=whole|no milk -0.30"
    assert validate_options(groups) == groups


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("size=small|medium +0.5x", "'+0.5x'"),
        ("size=small|medium +", "'+'"),
        ("size=small|medium +1.234", "'+1.234'"),
        ("size=small|medium +$1", "'+$1'"),
    ],
)
def test_a_bad_price_change_says_what_is_wrong(text: str, wanted: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_options(text)
    message = str(caught.value)
    assert wanted in message
    assert "size=medium" in message
    assert "+0.50 or -0.30" in message


def test_import_names_the_line_and_column_of_a_bad_change() -> None:
    text = catalog_csv(PRICED_LATTE, "TEA,Tea,tea,cafe,cup,2.00,9,size=small|large +0.5x,Tea")
    with pytest.raises(CatalogImportError) as caught:
        parse_catalog_csv(text)
    [error] = caught.value.errors
    assert (error.line, error.column) == (3, "options")
    assert "+0.5x" in error.message


def test_import_refuses_a_discount_below_zero() -> None:
    text = catalog_csv("TEA,Tea,tea,cafe,cup,0.20,9,milk=whole|none -0.30,Tea")
    with pytest.raises(CatalogImportError) as caught:
        parse_catalog_csv(text)
    assert caught.value.errors[0].column == "options"
    assert "below zero" in caught.value.errors[0].message


@pytest.fixture
def priced(session: Session) -> Session:
    import_products(session, products=parse_catalog_csv(catalog_csv(PRICED_LATTE)))
    return session


def test_cart_quote_and_order_add_the_chosen_options(priced: Session, shopper: Shopper) -> None:
    add_to_cart(priced, customer_id=shopper.id, sku="LATTE", quantity=2,
                options={"size": "large", "milk": "oat"})  # fmt: skip
    add_to_cart(priced, customer_id=shopper.id, sku="LATTE", options={"milk": "no milk"})
    cart = get_cart(priced, customer_id=shopper.id)
    assert [(i.unit_price_cents, i.line_total_cents) for i in cart.items] == [
        (580, 1160),
        (390, 390),
    ]
    assert cart.subtotal_cents == 1550
    assert quote(priced, customer_id=shopper.id)["total"] == 1550
    order = checkout(priced, customer_id=shopper.id, expected_total_cents=1550)
    assert [(ln.unit_price_cents, ln.line_total_cents) for ln in order.lines] == [
        (580, 1160),
        (390, 390),
    ]
    assert order.total_cents == 1550
    # The catalog moves on; the order keeps what it was placed at.
    update_product(priced, sku="LATTE", changes={
        "price_cents": 500, "options": parse_options("size=small|large +2.00;milk=whole|oat"),
    })  # fmt: skip
    priced.expire_all()
    placed = order.lines
    assert [(ln.unit_price_cents, ln.line_total_cents) for ln in placed] == [
        (580, 1160),
        (390, 390),
    ]


def test_changing_an_option_changes_the_price(priced: Session, shopper: Shopper) -> None:
    add_to_cart(priced, customer_id=shopper.id, sku="LATTE")
    item = change_options(priced, customer_id=shopper.id, sku="LATTE", options={"size": "large"})
    assert item.unit_price_cents == 520
    assert get_cart(priced, customer_id=shopper.id).subtotal_cents == 520


def test_an_update_cannot_take_the_price_below_zero(priced: Session) -> None:
    with pytest.raises(InvalidRequest, match="below zero"):
        update_product(priced, sku="LATTE", changes={"price_cents": 10})
    priced.expire_all()
    assert get_product(priced, sku="LATTE").price_cents == 420


def test_api_shows_option_prices_and_priced_lines(
    store: Store, client: TestClient, shopper: Shopper, admin_headers: dict[str, str]
) -> None:
    changed = client.patch(
        "/admin/products/LATTE",
        json={"options": {"size": ["small", "medium +0.50", "large +1.00"], "milk": ["whole"]}},
        headers=admin_headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["options"] == {"size": ["small", "medium", "large"], "milk": ["whole"]}
    assert changed.json()["option_prices"] == {"size": {"medium": "0.50", "large": "1.00"}}
    public = client.get("/products/LATTE").json()
    assert public["option_prices"] == {"size": {"medium": "0.50", "large": "1.00"}}
    added = client.post("/cart/items", json={"sku": "LATTE", "qty": 2,
                        "options": {"size": "large"}}, headers=shopper.headers)  # fmt: skip
    assert added.status_code in (200, 201), added.text
    cart = client.get("/cart", headers=shopper.headers).json()
    assert (cart["items"][0]["unit_price"], cart["items"][0]["line_total"]) == ("5.20", "10.40")
    assert cart["subtotal"] == "10.40"
    placed = client.post("/checkout", json={"expected_total": "10.40"}, headers=shopper.headers)
    assert placed.status_code in (200, 201), placed.text
    assert placed.json()["items"][0]["unit_price"] == "5.20"
    assert placed.json()["total"] == "10.40"
    bad = client.patch("/admin/products/LATTE",
                       json={"options": {"size": ["small", "large +1.0x"]}},
                       headers=admin_headers)  # fmt: skip
    assert bad.status_code == 422
    assert "+1.0x" in bad.text
