"""Store facts (name, assistant name, hours, address, fulfilment rules) from a YAML file in the
shape of `shared/catalog/corner-market.store.yaml`, kept in the database so every process and
every conversation sees the same store."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ValidationError, validator
from sqlalchemy.orm import Session

from commerce.errors import StoreFileError
from commerce.models import StoreSettings
from commerce.money import parse_price

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class OpeningHours:
    opens: time
    closes: time


def _parse_money_field(value: Any) -> str:
    text = str(value).strip()
    parse_price(text)  # raises ValueError with a clear message
    return text


class Fulfilment(BaseModel):
    pickup: bool = True
    delivery: bool = False
    delivery_fee: str = "0.00"
    free_delivery_over: str | None = None
    delivery_area: str = ""
    typical_delivery_minutes: int | None = None

    class Config:
        extra = "forbid"  # a misspelt key must not silently fall back to a default

    _money = validator("delivery_fee", "free_delivery_over", pre=True, allow_reuse=True)(
        lambda v: None if v is None else _parse_money_field(v)
    )

    @property
    def delivery_fee_cents(self) -> int:
        return parse_price(self.delivery_fee)

    @property
    def free_delivery_over_cents(self) -> int | None:
        return None if self.free_delivery_over is None else parse_price(self.free_delivery_over)


class Spending(BaseModel):
    """Default spending guard for every shopper (staff may override per shopper); a limit left
    out means none. Orders above a limit are handed to staff, not placed."""

    order_limit: str | None = None  # the most one order may total
    daily_limit: str | None = None  # the most a shopper's orders may total in a store-local day

    class Config:
        extra = "forbid"

    _money = validator("order_limit", "daily_limit", pre=True, allow_reuse=True)(
        lambda v: None if v is None else _parse_money_field(v)
    )

    @property
    def order_limit_cents(self) -> int | None:
        return None if self.order_limit is None else parse_price(self.order_limit)

    @property
    def daily_limit_cents(self) -> int | None:
        return None if self.daily_limit is None else parse_price(self.daily_limit)


class FaqEntry(BaseModel):
    """One of the store's own questions: `q` every way staff expect it to be asked, `a` what
    the assistant says back. Built only through `parse_faq`, which checks the raw YAML."""

    q: list[str]
    a: str

    class Config:
        extra = "forbid"


FAQ_SHAPE = 'each entry looks like {q: Are dogs allowed?, a: "Yes, on a lead."}'


def _faq_question_list(raw: Any, where: str) -> list[str]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"{where}: q must be a question or a list of ways to ask it, not {raw!r}")
    questions = []
    for number, question in enumerate(raw, start=1):
        if not isinstance(question, str) or not question.strip():
            raise ValueError(
                f"{where}: question {number} in q must be non-empty text, not {question!r}"
            )
        questions.append(" ".join(question.split()))
    return questions


def parse_faq(raw: Any) -> list[FaqEntry]:
    """The `faq` list, with errors that name the entry (by number and first question) and say
    what to write instead."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValueError(f"must be a list of questions and answers; {FAQ_SHAPE}")
    entries: list[FaqEntry] = []
    asked_in: dict[str, int] = {}
    for number, item in enumerate(raw, start=1):
        if isinstance(item, FaqEntry):
            item = item.dict()
        where = f"entry {number}"
        if not isinstance(item, dict):
            raise ValueError(f"{where} is {item!r}; {FAQ_SHAPE}")
        first = item.get("q")
        first = first[0] if isinstance(first, list) and first else first
        if isinstance(first, str) and first.strip():
            where = f"entry {number} ({first.strip()!r})"
        unknown = sorted(str(key) for key in item if key not in ("q", "a"))
        if unknown:
            raise ValueError(f"{where} has unknown keys {', '.join(unknown)}; {FAQ_SHAPE}")
        if "q" not in item:
            raise ValueError(f"{where} has no q (the question, or a list of ways to ask it)")
        if "a" not in item:
            raise ValueError(f"{where} has no a (the answer the assistant gives)")
        questions = _faq_question_list(item["q"], where)
        answer = item["a"]
        if not isinstance(answer, str) or not answer.strip():
            raise ValueError(f"{where}: a must be the answer as non-empty text, not {answer!r}")
        for question in questions:
            key = question.lower().rstrip("?!. ")
            if key in asked_in and asked_in[key] != number:
                raise ValueError(
                    f"{where}: the question {question!r} is also in entry {asked_in[key]}; "
                    "keep each question in one entry"
                )
            asked_in[key] = number
        entries.append(FaqEntry(q=questions, a=" ".join(answer.split())))
    return entries


# Languages the assistant can speak (replies in dialogue/replies/<language>.yaml).
STORE_LANGUAGES = ("en", "ko")


class StoreFacts(BaseModel):
    name: str
    assistant_name: str = "the assistant"
    address: str = ""
    phone: str = ""
    timezone: str = "UTC"
    currency: str = "USD"
    # The language the assistant speaks with shoppers (dialogue.replies.LANGUAGES).
    language: str = "en"
    hours: dict[str, str] = {}
    fulfilment: Fulfilment = Fulfilment()
    returns: str = ""
    spending: Spending = Spending()
    faq: list[FaqEntry] = []

    class Config:
        extra = "forbid"

    _faq = validator("faq", pre=True, allow_reuse=True)(parse_faq)

    @validator("timezone")
    def _known_timezone(cls, value: str) -> str:  # noqa: N805 - pydantic validators take cls
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use a name like America/New_York)"
            ) from None
        return value

    @validator("currency")
    def _currency_code(cls, value: str) -> str:  # noqa: N805
        if not re.fullmatch(r"[A-Za-z]{3}", value):
            raise ValueError("currency must be a three-letter code like USD")
        return value.upper()

    @validator("language")
    def _known_language(cls, value: str) -> str:  # noqa: N805
        code = value.strip().lower()
        if code not in STORE_LANGUAGES:
            raise ValueError(
                f"language must be one of {', '.join(STORE_LANGUAGES)} (en English, ko Korean), "
                f"got {value!r}"
            )
        return code

    @validator("hours")
    def _valid_hours(cls, value: dict[str, str]) -> dict[str, str]:  # noqa: N805
        normalised: dict[str, str] = {}
        for day, text in value.items():
            day_key = day.strip().lower()
            if day_key not in WEEKDAYS:
                raise ValueError(f"{day!r} is not a weekday name")
            text = str(text).strip().lower()
            match = _HOURS.match(text)
            if text != "closed" and (
                not match
                or any(int(h) > 24 for h in match.group(1, 3))
                or any(int(m) > 59 for m in match.group(2, 4))
            ):
                raise ValueError(f"hours for {day_key} must look like 07:00-20:00 or closed")
            normalised[day_key] = text
        return normalised

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def hours_on(self, weekday: str) -> OpeningHours | None:
        """None when closed that day (or no hours given)."""
        text = self.hours.get(weekday.lower(), "closed")
        match = _HOURS.match(text)
        if not match:
            return None
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        # "09:00-24:00" is open until midnight: the last moment of the day, not 00:00.
        closes = time.max if (h2, m2) == (24, 0) else time(h2 % 24, m2)
        return OpeningHours(time(h1 % 24, m1), closes)

    def local(self, now: datetime) -> datetime:
        return now.astimezone(self.zone)

    def is_open(self, now: datetime) -> bool:
        local = self.local(now)
        hours = self.hours_on(WEEKDAYS[local.weekday()])
        return hours is not None and hours.opens <= local.time() < hours.closes

    def delivery_fee_cents(self, subtotal_cents: int) -> int:
        threshold = self.fulfilment.free_delivery_over_cents
        if threshold is not None and subtotal_cents >= threshold:
            return 0
        return self.fulfilment.delivery_fee_cents


def parse_store_file(path: Path) -> StoreFacts:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreFileError(f"store file {path} does not exist") from None
    except yaml.YAMLError as exc:
        raise StoreFileError(f"store file {path} is not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise StoreFileError(f"store file {path} must be a mapping of store facts")
    try:
        return StoreFacts.parse_obj(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise StoreFileError(f"store file {path}: {problems}") from None


def save_store_facts(session: Session, *, facts: StoreFacts) -> None:
    row = session.get(StoreSettings, 1)
    if row is None:
        session.add(StoreSettings(id=1, facts=facts.dict()))
    else:
        row.facts = facts.dict()
    session.commit()


def get_store_facts(session: Session) -> StoreFacts:
    """The store's facts; a nameless placeholder until a store file is imported."""
    row = session.get(StoreSettings, 1)
    if row is None:
        return StoreFacts(name="the store")
    return StoreFacts.parse_obj(row.facts)


# (the row's facts, parsed): what `shared_store_facts` last parsed.
_last_parsed: tuple[dict[str, Any], StoreFacts] | None = None


def shared_store_facts(session: Session) -> StoreFacts:
    """The store's facts as `get_store_facts` reads them, parsed once per content of the row
    (parsing is most of the cost, and every assistant turn reads them): every caller gets the
    same instance, so callers must not change it (use `get_store_facts` to edit and save)."""
    global _last_parsed
    row = session.get(StoreSettings, 1)
    if row is None:
        return StoreFacts(name="the store")
    last = _last_parsed
    if last is not None and last[0] == row.facts:
        return last[1]
    facts = StoreFacts.parse_obj(row.facts)
    _last_parsed = (copy.deepcopy(row.facts), facts)
    return facts
