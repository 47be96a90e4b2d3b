"""The question the assistant is waiting on, one dataclass per kind of question.

A yes, a no or "the second one" means something only against the question asked last. It
lives between turns in the Rasa slot `pending` as a plain dict (slots must be JSON); these
types are what the handlers work with. `from_slot` reads a slot value back and answers None
for anything it does not recognise, so a stale or malformed slot means "no question", never
an error.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar, Union

from dialogue.pin_privacy import PIN_PENDING


@dataclass(frozen=True)
class SuggestProduct:
    """ "We do have oat milk. Would you like that?": a yes adds it."""

    kind: ClassVar[str] = "suggest"
    sku: str
    quantity: int = 1


@dataclass(frozen=True)
class ChooseProduct:
    """ "Which milk would you like: ...?": the answer names or numbers one of `skus`."""

    kind: ClassVar[str] = "choose_product"
    skus: list[str]
    quantity: int = 1
    options: dict[str, str] = field(default_factory=dict)
    # Item requests of the same utterance still to add once this one is chosen.
    rest: list[dict[str, Any]] = field(default_factory=list)
    # The cart line this choice replaces ("no, the other milk").
    replace: str | None = None
    # "checkout" when the choice interrupted the read-back, which resumes after it.
    resume: str | None = None


@dataclass(frozen=True)
class ConfirmEmpty:
    kind: ClassVar[str] = "confirm_empty"


@dataclass(frozen=True)
class ConfirmCheckout:
    """The order read back with its total: a yes places it at that total."""

    kind: ClassVar[str] = "confirm_checkout"
    fulfilment: str
    total: int
    key: str | None = None  # idempotency key of the order, when the caller set one

    def asking_pin(self) -> ConfirmPin:
        return ConfirmPin(fulfilment=self.fulfilment, total=self.total, key=self.key)


@dataclass(frozen=True)
class ConfirmPin:
    """The read-back was accepted and the shopper's voice PIN is asked for. Its kind is what
    dialogue.pin_privacy looks for to mask the next message."""

    kind: ClassVar[str] = PIN_PENDING
    fulfilment: str
    total: int
    key: str | None = None

    def read_back(self) -> ConfirmCheckout:
        return ConfirmCheckout(fulfilment=self.fulfilment, total=self.total, key=self.key)


@dataclass(frozen=True)
class ConfirmCancel:
    kind: ClassVar[str] = "confirm_cancel"
    order_id: int


@dataclass(frozen=True)
class ConfirmKeepCart:
    """ "You still have ... in your cart; shall I keep them?": a no empties the cart."""

    kind: ClassVar[str] = "confirm_keep_cart"


@dataclass(frozen=True)
class AskRating:
    """ "How did I do, from one to five?", asked once after an order is placed: a number
    answers it; anything else skips it (dialogue.capabilities.survey)."""

    kind: ClassVar[str] = "ask_rating"
    order_id: int


Pending = (
    SuggestProduct
    | ChooseProduct
    | ConfirmEmpty
    | ConfirmCheckout
    | ConfirmPin
    | ConfirmCancel
    | ConfirmKeepCart
    | AskRating
)

KINDS: dict[str, type[Pending]] = {
    kind.kind: kind
    for kind in (SuggestProduct, ChooseProduct, ConfirmEmpty, ConfirmCheckout, ConfirmPin,
                 ConfirmCancel, ConfirmKeepCart, AskRating)
}  # fmt: skip


def to_slot(pending: Pending | None) -> dict[str, Any] | None:
    if pending is None:
        return None
    return {"kind": pending.kind, **dataclasses.asdict(pending)}


def from_slot(value: Any) -> Pending | None:
    """The slot's dict as its dataclass; None for no question, an unknown kind, a missing
    field or a field of the wrong type (slots can come from a caller of the action server)."""
    if not isinstance(value, dict):
        return None
    kind = KINDS.get(str(value.get("kind")))
    if kind is None:
        return None
    hints = typing.get_type_hints(kind)
    fields = {}
    for item in dataclasses.fields(kind):
        if item.name not in value:
            continue
        if not _has_type(value[item.name], hints[item.name]):
            return None
        fields[item.name] = value[item.name]
    try:
        return kind(**fields)
    except TypeError:  # a required field missing
        return None


def _has_type(value: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        return any(_has_type(value, arg) for arg in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if origin is list:
        (item,) = typing.get_args(hint)
        return isinstance(value, list) and all(_has_type(v, item) for v in value)
    if origin is dict:
        key, item = typing.get_args(hint)
        return isinstance(value, dict) and all(
            _has_type(k, key) and _has_type(v, item) for k, v in value.items()
        )
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is Any:
        return True
    return isinstance(value, hint)
