"""The question the assistant waits on survives the slot round trip, and a slot it does not
recognise (stale, malformed or forged by an action-server caller) means no question."""

from __future__ import annotations

from typing import Any

import pytest

from dialogue.capabilities.pending import (
    ChooseProduct,
    ConfirmCancel,
    ConfirmCheckout,
    ConfirmEmpty,
    ConfirmKeepCart,
    ConfirmPin,
    SuggestProduct,
    from_slot,
    to_slot,
)
from dialogue.pin_privacy import PIN_PENDING

EVERY_KIND = [
    SuggestProduct(sku="OAT-MILK", quantity=2),
    ChooseProduct(
        skus=["A", "B"],
        quantity=3,
        options={"size": "large"},
        rest=[{"quantity": 1, "mention": "bread", "quantity_said": False}],
        replace="C",
        resume="checkout",
    ),  # fmt: skip
    ConfirmEmpty(),
    ConfirmCheckout(fulfilment="pickup", total=1250, key="k-1"),
    ConfirmPin(fulfilment="delivery", total=990),
    ConfirmCancel(order_id=7),
    ConfirmKeepCart(),
]


@pytest.mark.parametrize("pending", EVERY_KIND, ids=lambda p: p.kind)
def test_every_kind_round_trips_through_the_slot(pending: Any) -> None:
    slot = to_slot(pending)
    assert slot is not None and slot["kind"] == pending.kind
    assert from_slot(slot) == pending


def test_the_pin_question_keeps_the_kind_the_tracker_store_masks_by() -> None:
    asking = ConfirmCheckout(fulfilment="pickup", total=500).asking_pin()
    assert to_slot(asking)["kind"] == PIN_PENDING  # type: ignore[index]
    assert asking.read_back() == ConfirmCheckout(fulfilment="pickup", total=500)


@pytest.mark.parametrize(
    "slot",
    [
        None,
        {},
        "confirm_checkout",
        {"kind": "launch_rockets"},
        {"kind": "confirm_cancel"},  # no order id
        {"kind": "confirm_cancel", "order_id": "7; drop table"},
        {"kind": "confirm_cancel", "order_id": True},
        {"kind": "confirm_checkout", "fulfilment": "pickup", "total": 12.5},
        {"kind": "choose_product", "skus": "ABC"},
        {"kind": "choose_product", "skus": ["A", 3]},
        {"kind": "choose_product", "skus": ["A"], "options": {"size": 1}},
        {"kind": "suggest", "sku": None},
    ],
)
def test_an_unrecognised_slot_is_no_question(slot: Any) -> None:
    assert from_slot(slot) is None


def test_unknown_keys_of_a_known_kind_are_ignored() -> None:
    slot = {"kind": "suggest", "sku": "X", "quantity": 1, "added_by_an_old_version": True}
    assert from_slot(slot) == SuggestProduct(sku="X", quantity=1)
