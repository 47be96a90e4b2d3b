"""Questions about the store, answered from the store file: opening hours, address, phone,
delivery and returns."""

from __future__ import annotations

import re
from datetime import timedelta

from commerce.store import WEEKDAYS
from dialogue import language as lang
from dialogue.capabilities import korean_reading
from dialogue.capabilities.turns import (
    Turn,
)
from dialogue.replies import tr


def _day_asked(turn: Turn) -> tuple[str, str]:
    """(weekday, how to say it) for 'today', 'tomorrow', 'on saturday'."""
    text = lang.normalise(turn.text)
    local = turn.store.local(turn.now)
    if turn.language == "ko":
        named = korean_reading.day_named(turn.text)
        text = "" if named is None else named
    for day in WEEKDAYS:
        if re.search(rf"\b{day}s?\b", text):
            return day, tr(turn, "On {day}", day=turn.wording.weekday(day))
    if "tomorrow" in text:
        day = WEEKDAYS[(local + timedelta(days=1)).weekday()]
        return day, tr(turn, "Tomorrow, {day},", day=turn.wording.weekday(day))
    day = WEEKDAYS[local.weekday()]
    return day, tr(turn, "Today, {day},", day=turn.wording.weekday(day))


def ask_hours(turn: Turn) -> None:
    text = lang.normalise(turn.text)
    store = turn.store
    holiday = (
        korean_reading.names_a_holiday(turn.text)
        if turn.language == "ko"
        else re.search(
            r"\b(?:christmas|xmas|new year'?s?|easter|thanksgiving|holidays?|"
            r"bank holiday|boxing day|independence day|labou?r day|memorial day)\b",
            text,
        )  # fmt: skip
    )
    if holiday:
        phone = (
            tr(turn, " Please call us on {phone} to check.", phone=store.phone)
            if store.phone
            else ""
        )
        turn.say(tr(turn, "I don't have holiday hours, only our regular week.{phone}", phone=phone))
        return
    if turn.language == "ko":
        _answer_hours(
            turn,
            now=korean_reading.asks_now(turn.text),
            week=korean_reading.asks_week(turn.text),
            closing=korean_reading.asks_closing(turn.text),
            opening=korean_reading.asks_opening(turn.text),
        )
        return
    _answer_hours(
        turn,
        now=bool(
            re.search(r"\b(right now|now|still open|currently)\b", text)
            or re.fullmatch(r"(?:are|r) you open\??", text)
        ),
        week=bool(
            re.search(r"\b(week|hours|every day|weekdays|weekend)\b", text)
            and not re.search(r"\b(today|tomorrow|" + "|".join(WEEKDAYS) + r")", text)
        ),
        closing=bool(re.search(r"\bclose|closing\b", text)),
        opening=bool(
            re.search(r"\bopen(?:ing)?\b", text) and re.search(r"\bwhat time|when\b", text)
        ),
    )


def _answer_hours(turn: Turn, *, now: bool, week: bool, closing: bool, opening: bool) -> None:
    """Whether the store is open now, its week, or one day's hours (the day named, else
    today); `closing`/`opening`: the question is about closing time, about opening time."""
    store = turn.store
    if now:
        local = store.local(turn.now)
        today = WEEKDAYS[local.weekday()]
        hours = store.hours_on(today)
        if store.is_open(turn.now) and hours:
            closes = turn.wording.spoken_time(hours.closes.hour, hours.closes.minute)
            turn.say(tr(turn, "Yes, we're open now, until {closes} today.", closes=closes))
        else:
            nxt = _next_opening(turn)
            turn.say(tr(turn, "No, we're closed right now. {nxt}", nxt=nxt))
        return
    if week:
        turn.say(_week_hours(turn))
        return
    day, said = _day_asked(turn)
    hours = store.hours_on(day)
    if hours is None:
        turn.say(tr(turn, "{said} we're closed.", said=said))
        return
    opens = turn.wording.spoken_time(hours.opens.hour, hours.opens.minute)
    closes = turn.wording.spoken_time(hours.closes.hour, hours.closes.minute)
    if closing:
        turn.say(tr(turn, "{said} we close at {closes}.", said=said, closes=closes))
    elif opening:
        turn.say(
            tr(
                turn,
                "{said} we open at {opens} and close at {closes}.",
                said=said,
                opens=opens,
                closes=closes,
            )
        )
    else:
        turn.say(
            tr(
                turn,
                "{said} we're open from {opens} to {closes}.",
                said=said,
                opens=opens,
                closes=closes,
            )
        )


def _week_hours(turn: Turn) -> str:
    store = turn.store
    parts = []
    for day in WEEKDAYS:
        hours = store.hours_on(day)
        if hours is None:
            parts.append(tr(turn, "{capitalize} closed", capitalize=turn.wording.weekday(day)))
        else:
            opens = turn.wording.spoken_time(hours.opens.hour, hours.opens.minute)
            closes = turn.wording.spoken_time(hours.closes.hour, hours.closes.minute)
            parts.append(
                tr(
                    turn,
                    "{capitalize} {opens} to {closes}",
                    capitalize=turn.wording.weekday(day),
                    opens=opens,
                    closes=closes,
                )
            )
    return tr(turn, "Our hours are: {days}.", days="; ".join(parts))


def _next_opening(turn: Turn) -> str:
    local = turn.store.local(turn.now)
    for offset in range(0, 8):
        day_local = local + timedelta(days=offset)
        day = WEEKDAYS[day_local.weekday()]
        hours = turn.store.hours_on(day)
        if hours is None:
            continue
        if offset == 0 and local.time() >= hours.opens:
            continue
        opens = turn.wording.spoken_time(hours.opens.hour, hours.opens.minute)
        if offset == 0:
            return tr(turn, "We open today at {opens}.", opens=opens)
        if offset == 1:
            return tr(turn, "We open tomorrow at {opens}.", opens=opens)
        return tr(turn, "We open on {day} at {opens}.", day=turn.wording.weekday(day), opens=opens)
    return ""


def ask_address(turn: Turn) -> None:
    store = turn.store
    if store.address:
        turn.say(tr(turn, "{name} is at {address}.", name=store.name, address=store.address))
    else:
        turn.say(tr(turn, "Sorry, I don't have the store's address."))


def ask_phone(turn: Turn) -> None:
    store = turn.store
    if store.phone:
        turn.say(tr(turn, "You can call {name} on {phone}.", name=store.name, phone=store.phone))
    else:
        turn.say(tr(turn, "Sorry, I don't have a phone number for the store."))


def ask_delivery(turn: Turn) -> None:
    rules = turn.store.fulfilment
    if not rules.delivery:
        turn.say(
            tr(
                turn,
                "Sorry, {name} doesn't deliver. You can pick up your order.",
                name=turn.store.name,
            )
        )
        return
    fee = turn.money(rules.delivery_fee_cents)
    parts = [
        tr(turn, "Delivery is {fee}", fee=fee)
        if rules.delivery_fee_cents
        else tr(turn, "Delivery is free")
    ]
    if rules.free_delivery_over_cents is not None:
        parts[0] += tr(
            turn,
            ", and free on orders over {price}",
            price=turn.money(rules.free_delivery_over_cents),
        )
    parts[0] += tr(turn, ".")
    if rules.delivery_area:
        parts.append(tr(turn, "We deliver {delivery_area}.", delivery_area=rules.delivery_area))
    if rules.typical_delivery_minutes:
        parts.append(
            tr(
                turn,
                "It usually takes about {count} minutes.",
                count=turn.wording.minutes_number(rules.typical_delivery_minutes),
            )
        )
    turn.say(" ".join(parts))


def ask_returns(turn: Turn) -> None:
    if turn.store.returns:
        turn.say(turn.store.returns)
    else:
        turn.say(tr(turn, "Please ask the store staff about returns."))
