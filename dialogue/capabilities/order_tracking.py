"""The shopper's orders: status, cancelling and ordering the last order again."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from commerce import cart as carts
from commerce import orders
from commerce.errors import NotFound
from commerce.models import Order, Product
from commerce.store import WEEKDAYS
from dialogue import item_wording as wording
from dialogue import language as lang
from dialogue.capabilities import adding, checkout_flow, korean_reading
from dialogue.capabilities.pending import ConfirmCancel
from dialogue.capabilities.turns import (
    Turn,
    may_redirect,
    product_by_sku,
)
from dialogue.replies import N_, tr

STATUS_WORDS = {
    "placed": N_("has been placed and is waiting to be prepared"),
    "preparing": N_("is being prepared"),
    "ready": N_("is ready"),
    "out_for_delivery": N_("is out for delivery"),
    "delivered": N_("was delivered"),
    "cancelled": N_("was cancelled"),
}
# Why an order can no longer be cancelled, by its status.
NOT_CANCELLABLE_BECAUSE = {
    "out_for_delivery": N_("it's already out for delivery"),
    "delivered": N_("it has already been delivered"),
    "ready": N_("it's already packed and ready"),
    "cancelled": N_("it's already cancelled"),
}


def when_text(turn: Turn, moment: datetime) -> str:
    local_now = turn.store.local(turn.now).date()
    local = turn.store.local(orders.aware(moment)).date()
    if local == local_now:
        return tr(turn, "today")
    if local == local_now - timedelta(days=1):
        return tr(turn, "yesterday")
    if local_now - local < timedelta(days=7):
        return turn.wording.weekday(WEEKDAYS[local.weekday()])
    return turn.wording.month_day(local)


def order_asked(turn: Turn, *, cancellable_first: bool = False) -> Order | None:
    number = order_number_in(turn.text)
    if number is not None:
        try:
            return orders.get_order(turn.session, order_id=number, customer_id=turn.customer_id)
        except NotFound:
            turn.say(
                tr(turn, "Sorry, I can't find an order number {number} for you.", number=number)
            )
            return None
    if cancellable_first:
        for order in orders.list_orders(turn.session, customer_id=turn.customer_id, limit=10):
            if order.status in orders.CANCELLABLE:
                return order
    latest = orders.latest_order(turn.session, customer_id=turn.customer_id)
    if latest is None:
        turn.say(tr(turn, "You don't have any orders yet."))
    return latest


def order_items_text(turn: Turn, order: Order) -> str:
    lines = []
    for line in order.lines:
        product = turn.session.get(Product, line.product_id) if line.product_id else None
        unit = product.unit if product is not None else "each"
        options = dict(line.options or {}) if product is not None else {}
        groups = product.option_groups() if product is not None else {}
        lines.append(wording.ItemLine(line.quantity, line.name, unit, options, groups))
    return turn.wording.join_words(turn.wording.describe_lines(lines))


def order_status(turn: Turn) -> None:
    normal = lang.normalise(turn.text)
    if re.search(r"\b(?:cancel|call off|scrap|stop)\b", normal) and may_redirect(turn):
        cancel_order(turn)  # "what about order 2, cancel that one"
        return
    if re.search(r"\b(?:same again|same as|again|reorder|re order|repeat|redo)\b", normal) and (
        may_redirect(turn)
    ):
        reorder(turn)  # "the same again as order 1"
        return
    order = order_asked(turn)
    if order is None:
        return
    if order.status in STATUS_WORDS:
        status = tr(turn, STATUS_WORDS[order.status])
    else:  # a status added since: its own name
        status = order.status.replace("_", " ")
    if order.status == "ready" and order.fulfilment == "pickup":
        status = tr(turn, "is ready for pickup")
    if order.status == "delivered" and order.fulfilment == "pickup":
        status = tr(turn, "was picked up")
    turn.say(
        tr(
            turn,
            ("Your order number {id} from {when_text}, with {order_items_text}, {status}."),
            id=order.id,
            when_text=when_text(turn, order.placed_at),
            order_items_text=order_items_text(turn, order),
            status=status,
        )
    )


def cancel_order(turn: Turn) -> None:
    order = order_asked(turn, cancellable_first=True)
    if order is None:
        return
    if order.status not in orders.CANCELLABLE:
        if order.status in NOT_CANCELLABLE_BECAUSE:
            reason = tr(turn, NOT_CANCELLABLE_BECAUSE[order.status])
        else:
            reason = tr(turn, "it's {status}", status=order.status.replace("_", " "))
        turn.say(
            tr(
                turn,
                ("Sorry, order number {id} can't be cancelled because {reason}."),
                id=order.id,
                reason=reason,
            )
        )
        return
    turn.set_pending(ConfirmCancel(order_id=order.id))
    when = when_text(turn, order.placed_at)
    turn.say(
        tr(
            turn,
            (
                "Order number {id} from {when} has {order_items_text}, "
                "{price}. Cancel it? Please say yes to confirm."
            ),
            id=order.id,
            when=when,
            order_items_text=order_items_text(turn, order),
            price=turn.money(order.total_cents),
        )
    )


def order_number_in(text: str) -> int | None:
    """'order 2', 'order number two', '#12', '2번 주문' -> the order number said, if any."""
    if re.search(r"[가-힣]", text):
        return korean_reading.order_number(text)
    normal = lang.normalise(text)
    m = re.search(r"(?:\border|\bnumber|#)\s*(?:number\s*)?(\d+)\b", normal)
    if m:
        return int(m.group(1))
    m = re.search(r"\border (?:number )?(" + "|".join(lang.NUMBER_WORDS) + r")\b", normal)
    return lang.NUMBER_WORDS[m.group(1)] if m else None


def reorder(turn: Turn) -> None:
    normal = lang.normalise(turn.text)
    usual = bool(re.search(r"\b(usual|regular|always get|normal)\b", normal))
    number = order_number_in(turn.text)
    if number is not None:
        try:
            order = orders.get_order(turn.session, order_id=number, customer_id=turn.customer_id)
        except NotFound:
            turn.say(
                tr(turn, "Sorry, I can't find an order number {number} for you.", number=number)
            )
            return
        items = [orders.ItemSpec(line.sku, line.name, line.quantity, dict(line.options))
                 for line in order.lines]  # fmt: skip
        which = tr(turn, "Here's order number {number} again.", number=number)
    elif usual:
        items = orders.usual_items(turn.session, customer_id=turn.customer_id)
        which = tr(turn, "Here's your usual.")
    else:
        items = orders.last_order_items(turn.session, customer_id=turn.customer_id)
        which = tr(turn, "Here's what you got last time.")
    if not items:
        turn.say(
            tr(
                turn,
                "You don't have a past order yet, so there's nothing to repeat. "
                "What would you like?",
            )
        )
        return
    had_items = bool(carts.get_cart(turn.session, customer_id=turn.customer_id).items)
    added: list[str] = []
    problems: list[str] = []
    for item in items:
        try:
            product = product_by_sku(turn, item.sku)
        except NotFound:
            problems.append(
                tr(turn, "{name} isn't sold any more.", name=turn.wording.spoken_name(item.name))
            )
            continue
        if not product.active:
            problems.append(
                tr(turn, "{name} isn't sold any more.", name=turn.wording.spoken_name(item.name))
            )
            continue
        if product.stock <= 0:
            name = turn.wording.spoken_name(product.name)
            problems.append(
                tr(
                    turn,
                    "{capitalize} {is_are} out of stock, so I've left it out.",
                    capitalize=name.capitalize(),
                    is_are=turn.wording.is_are(name),
                )
            )
            continue
        adding.add_product(turn, product, item.quantity, item.options, added, problems)
    turn.set_pending(None)
    intro = which
    if had_items and added:
        intro += tr(turn, " I've added it to what was already in your cart.")
    if problems:
        intro += " " + " ".join(problems)
    if not added:
        turn.say(intro)
        return
    checkout_flow.checkout(turn, intro=intro)
