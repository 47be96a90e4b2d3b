"""Carts: options with defaults, merging, quantities, stock limits."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from commerce.cart import (
    MAX_LINE_QUANTITY,
    add_to_cart,
    change_options,
    clear_cart,
    get_cart,
    remove_from_cart,
    set_quantity,
)
from commerce.catalog import delete_product, set_stock
from commerce.errors import InvalidOption, InvalidRequest, NotFound, OutOfStock
from tests.conftest import Shopper


@pytest.fixture
def ann(session: Session, shopper: Shopper) -> str:
    return shopper.id


def lines(session: Session, customer_id: str) -> list[tuple[str, int, dict]]:
    return [
        (i.sku, i.quantity, i.options) for i in get_cart(session, customer_id=customer_id).items
    ]


def test_defaults_are_filled_and_reported_as_assumed(session: Session, ann: str) -> None:
    item = add_to_cart(session, customer_id=ann, sku="LATTE")
    assert item.options == {"size": "small", "milk": "whole"}
    assert item.assumed_options == {"size": "small", "milk": "whole"}
    item = add_to_cart(session, customer_id=ann, sku="CAPPUCCINO", options={"Milk": " OAT "})
    assert item.options == {"size": "small", "milk": "oat"}
    assert item.assumed_options == {"size": "small"}
    item = add_to_cart(session, customer_id=ann, sku="BANANA", quantity=3)
    assert (item.options, item.assumed_options, item.quantity) == ({}, {}, 3)
    assert item.line_total_cents == 75


def test_invalid_option_value_is_refused_clearly(session: Session, ann: str) -> None:
    with pytest.raises(InvalidOption) as info:
        add_to_cart(session, customer_id=ann, sku="LATTE", options={"size": "huge"})
    assert info.value.message == (
        "Caffe Latte size must be one of small, medium, large; got 'huge'"
    )
    with pytest.raises(InvalidOption, match="no option 'colour'.*size, milk"):
        add_to_cart(session, customer_id=ann, sku="LATTE", options={"colour": "red"})
    with pytest.raises(InvalidOption, match="no options"):
        add_to_cart(session, customer_id=ann, sku="BANANA", options={"size": "large"})
    assert lines(session, ann) == []


def test_same_product_and_options_merge_into_one_line(session: Session, ann: str) -> None:
    add_to_cart(session, customer_id=ann, sku="BANANA", quantity=2)
    add_to_cart(session, customer_id=ann, sku="BANANA", quantity=3)
    add_to_cart(session, customer_id=ann, sku="LATTE", options={"size": "large", "milk": "oat"})
    merged = add_to_cart(
        session, customer_id=ann, sku="LATTE", options={"milk": "oat", "size": "large"}
    )
    assert merged.quantity == 2
    add_to_cart(session, customer_id=ann, sku="LATTE")  # other options: another line
    assert lines(session, ann) == [
        ("BANANA", 5, {}),
        ("LATTE", 2, {"size": "large", "milk": "oat"}),
        ("LATTE", 1, {"size": "small", "milk": "whole"}),
    ]
    cart = get_cart(session, customer_id=ann)
    assert cart.subtotal_cents == 5 * 25 + 3 * 420
    assert cart.quantities == {"BANANA": 5, "LATTE": 3}


def test_set_quantity_and_zero_removes(session: Session, ann: str) -> None:
    add_to_cart(session, customer_id=ann, sku="BANANA", quantity=2)
    add_to_cart(session, customer_id=ann, sku="BAGEL", options={"flavor": "sesame"})
    set_quantity(session, customer_id=ann, sku="BANANA", quantity=7)
    assert lines(session, ann)[0] == ("BANANA", 7, {})
    set_quantity(session, customer_id=ann, sku="BANANA", quantity=0)
    assert lines(session, ann) == [("BAGEL", 1, {"flavor": "sesame"})]
    with pytest.raises(NotFound, match="not in the cart"):
        set_quantity(session, customer_id=ann, sku="BANANA", quantity=1)


def test_set_quantity_targets_the_named_options(session: Session, ann: str) -> None:
    add_to_cart(session, customer_id=ann, sku="BAGEL", options={"flavor": "sesame"})
    add_to_cart(session, customer_id=ann, sku="BAGEL", options={"flavor": "everything"})
    set_quantity(session, customer_id=ann, sku="BAGEL", quantity=4, options={"flavor": "sesame"})
    assert lines(session, ann) == [
        ("BAGEL", 4, {"flavor": "sesame"}),
        ("BAGEL", 1, {"flavor": "everything"}),
    ]
    set_quantity(session, customer_id=ann, sku="BAGEL", quantity=2)  # the latest line
    assert lines(session, ann)[1] == ("BAGEL", 2, {"flavor": "everything"})


def test_set_quantity_respects_stock(session: Session, ann: str) -> None:
    add_to_cart(session, customer_id=ann, sku="CROISSANT", quantity=1)
    with pytest.raises(OutOfStock) as info:
        set_quantity(session, customer_id=ann, sku="CROISSANT", quantity=41)
    assert (info.value.requested, info.value.available) == (41, 40)
    assert lines(session, ann) == [("CROISSANT", 1, {})]


def test_remove_one_line_or_all_lines_of_a_product(session: Session, ann: str) -> None:
    add_to_cart(session, customer_id=ann, sku="BAGEL", options={"flavor": "sesame"})
    add_to_cart(session, customer_id=ann, sku="BAGEL", options={"flavor": "plain"})
    add_to_cart(session, customer_id=ann, sku="LEMON")
    remove_from_cart(session, customer_id=ann, sku="BAGEL", options={"flavor": "plain"})
    assert [line[2] for line in lines(session, ann)] == [{"flavor": "sesame"}, {}]
    cart = remove_from_cart(session, customer_id=ann, sku="BAGEL")
    assert [i.sku for i in cart.items] == ["LEMON"]
    with pytest.raises(NotFound):
        remove_from_cart(session, customer_id=ann, sku="BAGEL")
    clear_cart(session, customer_id=ann)
    assert lines(session, ann) == []


def test_out_of_stock_add_is_refused(session: Session, ann: str) -> None:
    with pytest.raises(OutOfStock) as info:
        add_to_cart(session, customer_id=ann, sku="STRAWBERRY")
    assert info.value.message == "Strawberries 400 g (STRAWBERRY) is out of stock."
    assert info.value.available == 0
    assert lines(session, ann) == []


def test_cart_never_holds_more_than_the_stock(session: Session, ann: str) -> None:
    add_to_cart(session, customer_id=ann, sku="CROISSANT", quantity=39)
    with pytest.raises(OutOfStock) as info:
        add_to_cart(session, customer_id=ann, sku="CROISSANT", quantity=2)
    assert (info.value.requested, info.value.available) == (41, 40)
    assert "Only 40 of Butter Croissant" in info.value.message
    add_to_cart(session, customer_id=ann, sku="CROISSANT", quantity=1)
    assert lines(session, ann) == [("CROISSANT", 40, {})]


def test_stock_counts_every_line_of_a_product(session: Session, ann: str) -> None:
    set_stock(session, sku="BAGEL", stock=3)
    add_to_cart(session, customer_id=ann, sku="BAGEL", quantity=2, options={"flavor": "plain"})
    with pytest.raises(OutOfStock):
        add_to_cart(session, customer_id=ann, sku="BAGEL", quantity=2, options={"flavor": "sesame"})


@pytest.mark.parametrize("quantity", [0, -1, MAX_LINE_QUANTITY + 1, True, 1.5])
def test_bad_quantities_are_refused(session: Session, ann: str, quantity: object) -> None:
    with pytest.raises(InvalidRequest, match="quantity"):
        add_to_cart(session, customer_id=ann, sku="BANANA", quantity=quantity)  # type: ignore[arg-type]


def test_line_quantity_cannot_pass_the_maximum(session: Session, ann: str) -> None:
    add_to_cart(session, customer_id=ann, sku="LATTE", quantity=MAX_LINE_QUANTITY)
    with pytest.raises((InvalidRequest, OutOfStock)):
        add_to_cart(session, customer_id=ann, sku="LATTE", quantity=1)
    assert lines(session, ann)[0][1] == MAX_LINE_QUANTITY


def test_unknown_product_customer_and_inactive_product(session: Session, ann: str) -> None:
    with pytest.raises(NotFound, match="no product with SKU NOPE"):
        add_to_cart(session, customer_id=ann, sku="NOPE")
    with pytest.raises(NotFound, match="no customer"):
        add_to_cart(session, customer_id="ghost", sku="BANANA")
    delete_product(session, sku="BANANA")
    with pytest.raises(NotFound, match="no longer sold"):
        add_to_cart(session, customer_id=ann, sku="BANANA")


def test_change_options_updates_or_merges(session: Session, ann: str) -> None:
    add_to_cart(session, customer_id=ann, sku="LATTE", options={"size": "large"})
    add_to_cart(session, customer_id=ann, sku="LATTE", quantity=2)
    item = change_options(session, customer_id=ann, sku="LATTE", options={"milk": "oat"})
    assert item.options == {"size": "small", "milk": "oat"}
    assert lines(session, ann) == [
        ("LATTE", 1, {"size": "large", "milk": "whole"}),
        ("LATTE", 2, {"size": "small", "milk": "oat"}),
    ]
    # "I meant large with whole milk": the same as the first line, so the two merge.
    item = change_options(
        session, customer_id=ann, sku="LATTE", options={"size": "large", "milk": "whole"}
    )
    assert item.quantity == 3
    assert lines(session, ann) == [("LATTE", 3, {"size": "large", "milk": "whole"})]
    with pytest.raises(InvalidOption):
        change_options(session, customer_id=ann, sku="LATTE", options={"milk": "goat"})


def test_carts_are_private(session: Session, ann: str, make_shopper) -> None:  # type: ignore[no-untyped-def]
    bob = make_shopper("Bob").id
    add_to_cart(session, customer_id=ann, sku="BANANA")
    assert lines(session, bob) == []
    with pytest.raises(NotFound):
        remove_from_cart(session, customer_id=bob, sku="BANANA")
    assert lines(session, ann) == [("BANANA", 1, {})]


def test_cart_shows_current_prices(session: Session, ann: str) -> None:
    from commerce.catalog import update_product

    add_to_cart(session, customer_id=ann, sku="BANANA", quantity=4)
    update_product(session, sku="BANANA", changes={"price_cents": 30})
    assert get_cart(session, customer_id=ann).subtotal_cents == 120
