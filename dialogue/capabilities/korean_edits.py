"""What a Korean cart edit names, read from the Korean model's entities rather than from
words ("콜라는 빼 주세요", "두 번째 거 하나만 빼 줘", "우유는 두유로 바꿔 주세요",
"아니요, 두 봉지요"): the cart line it is about and the change, handed to the same cart edits
as English."""

from __future__ import annotations

from typing import Any

from commerce import cart as carts
from dialogue.capabilities.turns import Turn, product_by_sku


def _named(turn: Turn, kind: str) -> list[dict[str, Any]]:
    return sorted(
        (e for e in turn.entities if e.get("entity") == kind), key=lambda e: int(e["start"])
    )


def _in_cart(turn: Turn, cart: carts.CartView) -> str | None:
    """The first cart product the words name, by a product or by an ordinal ("두 번째 거")."""
    skus = list(dict.fromkeys(i.sku for i in cart.items))
    for product in _named(turn, "product"):
        for sku in (str(product["value"]), *(str(a) for a in product.get("alternatives", ()))):
            if sku in skus:
                return sku
    for ordinal in _named(turn, "ordinal"):
        position = int(ordinal["value"])
        if -len(skus) <= position < len(skus):
            return skus[position]
    return None


def _last(turn: Turn, cart: carts.CartView) -> str:
    last = turn.slot("last_item")
    skus = {i.sku for i in cart.items}
    return str(last["sku"]) if last and last["sku"] in skus else cart.items[-1].sku


def _quantity(turn: Turn) -> int | None:
    said = _named(turn, "quantity")
    return int(said[0]["value"]) if said else None


def removal(turn: Turn, cart: carts.CartView) -> tuple[str | None, int | None]:
    """(the cart product to take out, how many: None for all). A product named that is not
    in the cart is None; nothing named ("그거 빼 주세요") is the last item added."""
    sku = _in_cart(turn, cart)
    if sku is None and not _named(turn, "product"):
        sku = _last(turn, cart)
    return sku, _quantity(turn)


def correction(turn: Turn, cart: carts.CartView) -> tuple[str | None, int | None, str]:
    """(the cart product being changed, or None for the last one; the quantity said, if any;
    the rest of the change as the cart edits read it: option values, or another product to
    swap in)."""
    target = _in_cart(turn, cart)
    options = [str(o["value"]) for o in _named(turn, "option")]
    change = list(options)
    if not options:
        # "아니 라떼 말고 카푸치노요": a product not in the cart is the one wanted instead.
        wanted = [p for p in _named(turn, "product") if str(p["value"]) not in cart.quantities]
        if wanted:
            change.append(product_by_sku(turn, str(wanted[0]["value"])).name)
    return target, _quantity(turn), " ".join(change)


def refines_last_item(turn: Turn) -> bool:
    """Option values alone ("벤티로요", "아이스로 해 줘") right after an item was added: they
    change that item, whatever the classifier made of so few words."""
    last = turn.slot("last_item")
    return bool(last) and bool(_named(turn, "option")) and not _named(turn, "product")
