"""`voxcart transcripts run`: dialogue transcripts (shared/transcripts/FORMAT.md) against the
real assistant, each on a fresh store, with the model loaded once per run."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

import yaml

from commerce.models import FULFILMENTS, ORDER_STATUSES
from dialogue.transcript_items import actual_lines, check_items, describe, expand, wanted_lines
from dialogue.transcript_staff import default_fulfilment, staff_move

TOP_KEYS = {"name", "catalog", "store", "now", "given", "steps", "expect"}
GIVEN_KEYS = {"customer", "orders", "cart"}
CUSTOMER_KEYS = {"id", "name", "pin"}
GIVEN_ORDER_KEYS = {"ref", "items", "status", "fulfilment", "placed_at"}
STEP_KEYS = {"user", "audio", "bot_contains", "bot_not_contains", "staff"}
STAFF_KEYS = {"status"}
EXPECT_KEYS = {"orders", "cancelled", "cart", "handoff"}
EXPECT_ORDER_KEYS = {"items", "status"}


class TranscriptError(Exception):
    """A transcript file that does not follow the format; names the file and line."""


class _LinedDict(dict):
    lines: dict[str, int]
    line: int


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _LinedDict:
    loader.flatten_mapping(node)
    result = _LinedDict()
    result.lines = {}
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Keep `now:` and `placed_at:` as the text written, parsed below with their offsets intact.
_LineLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class Transcript:
    path: Path
    name: str
    data: dict

    def error(self, message: str, node: Any = None, key: str | None = None) -> TranscriptError:
        line = None
        if isinstance(node, _LinedDict):
            line = node.lines.get(key, node.line) if key is not None else node.line
        where = f"{self.path}:{line}" if line else str(self.path)
        return TranscriptError(f"{where}: {message}")


def _check_keys(transcript: Transcript, node: Any, allowed: set[str], what: str) -> None:
    if not isinstance(node, dict):
        raise transcript.error(f"{what} must be a mapping", node)
    for key in node:
        if key not in allowed:
            raise transcript.error(
                f"unknown key {key!r} in {what} (allowed: {', '.join(sorted(allowed))})", node, key
            )


def _check_items(transcript: Transcript, items: Any, what: str) -> None:
    check_items(transcript, items, what)


def _check_choice(
    transcript: Transcript, node: dict, key: str, allowed: tuple[str, ...], what: str
) -> None:
    if key in node and node[key] not in allowed:
        raise transcript.error(
            f"{what} must be one of {', '.join(allowed)}, not {node[key]!r}", node, key
        )


def transcript_store_file(transcript: Transcript, default_store: Path) -> Path | None:
    """The store file a transcript runs on: its own, or the demo store's when it names no
    catalog either (a catalog of its own without a store file runs with default facts)."""
    data = transcript.data
    if data.get("store"):
        return (transcript.path.parent / data["store"]).resolve()
    return default_store if not data.get("catalog") else None


def transcript_language(transcript: Transcript, default_store: Path) -> str:
    """The language of the store a transcript runs on (its store file's `language`)."""
    from commerce.store import parse_store_file

    store_file = transcript_store_file(transcript, default_store)
    return parse_store_file(store_file).language if store_file is not None else "en"


def load_transcript(path: Path) -> Transcript:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        raise TranscriptError(f"{path}: not valid YAML: {exc}") from None
    transcript = Transcript(path, path.stem, data if isinstance(data, dict) else {})
    _check_keys(transcript, data, TOP_KEYS, "the transcript")
    transcript.name = str(data.get("name") or path.stem)
    given = data.get("given") or _LinedDict()
    if given:
        _check_keys(transcript, given, GIVEN_KEYS, "given")
        if "customer" in given:
            _check_keys(transcript, given["customer"], CUSTOMER_KEYS, "given.customer")
            pin = given["customer"].get("pin")
            # Quoted: unquoted 0412 is a YAML octal number, not the digits written.
            if pin is not None and not (isinstance(pin, str) and re.fullmatch(r"[0-9]{4,8}", pin)):
                raise transcript.error(
                    'given.customer.pin must be 4 to 8 digits in quotes, like "4821"',
                    given["customer"],
                    "pin",
                )
        for order in given.get("orders") or []:
            _check_keys(transcript, order, GIVEN_ORDER_KEYS, "a given order")
            _check_items(transcript, order.get("items"), "given order items")
            _check_choice(transcript, order, "status", ORDER_STATUSES, "a given order's status")
            _check_choice(transcript, order, "fulfilment", FULFILMENTS, "fulfilment")
        if "cart" in given:
            _check_items(transcript, given["cart"], "given.cart")
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        raise transcript.error("steps must be a non-empty list", data, "steps")
    for step in steps:
        _check_keys(transcript, step, STEP_KEYS, "a step")
        if "audio" in step and "user" not in step:
            raise transcript.error("audio goes with a user step", step, "audio")
        if "staff" in step:
            if "user" in step:
                raise transcript.error("a staff step has no user turn", step, "staff")
            if not isinstance(step["staff"], dict):
                raise transcript.error(
                    "a staff step must be a mapping {status: ...}", step, "staff"
                )
            _check_keys(transcript, step["staff"], STAFF_KEYS, "a staff step")
            if "status" not in step["staff"]:
                raise transcript.error("a staff step needs a status", step, "staff")
            _check_choice(transcript, step["staff"], "status", ORDER_STATUSES, "a staff status")
    expect = data.get("expect")
    if expect:
        _check_keys(transcript, expect, EXPECT_KEYS, "expect")
        for order in expect.get("orders") or []:
            _check_keys(transcript, order, EXPECT_ORDER_KEYS, "an expected order")
            _check_items(transcript, order.get("items"), "expected order items")
        if "cart" in expect:
            _check_items(transcript, expect["cart"], "expect.cart")
    return transcript


def collect(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*.y*ml") if p.suffix in (".yaml", ".yml"))
        elif path.is_file():
            files.append(path)
        else:
            raise TranscriptError(f"{path}: no such file or folder")
    return files


def _parse_time(text: Any) -> datetime:
    moment = (
        text
        if isinstance(text, datetime)
        else datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    )
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@dataclass
class TurnTiming:
    user: str
    dialogue_ms: float
    stt_ms: float | None = None
    first_audio_ms: float | None = None


@dataclass
class Result:
    name: str
    path: str
    passed: bool
    failure: str = ""
    conversation: list[str] = field(default_factory=list)
    turns: list[TurnTiming] = field(default_factory=list)


class SpokenTurns(Protocol):
    """The voice ends of a spoken transcript run (implemented in device/, which may import
    voice): user turns become audio and go through recognition; replies are synthesised."""

    not_understood_reply: str

    def prepare(self, sessions: Any) -> None: ...

    async def hear(self, text: str, audio: Path | None) -> Any: ...

    async def first_audio(self, replies: list[str]) -> float: ...


class StoreFactory:
    """A migrated, imported SQLite store per (catalog, store file), copied for each transcript:
    a fresh store costs a file copy, not a migration and an import."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.templates: dict[tuple[Path, Path | None], Path] = {}

    def fresh(self, catalog: Path, store_file: Path | None, name: str) -> str:
        from commerce import migrate
        from commerce.service import import_store_files, open_store

        key = (catalog, store_file)
        if key not in self.templates:
            template = self.workdir / f"template-{len(self.templates)}.db"
            url = f"sqlite:///{template}"
            migrate.upgrade(url)
            store = open_store(url)
            import_store_files(store, catalog=catalog, facts=store_file)
            store.close()
            self.templates[key] = template
        target = self.workdir / f"{name}.db"
        shutil.copyfile(self.templates[key], target)
        return f"sqlite:///{target}"


class Runner:
    """Runs transcripts on fresh stores. One process serves one language, but a run may meet
    stores of several: `assistant` answers English stores, `load_assistant(language)` loads
    the assistant of any other language once, when a store of that language first comes."""

    def __init__(
        self,
        assistant: Any | None,
        *,
        default_catalog: Path,
        default_store: Path,
        speech: SpokenTurns | None = None,
        load_assistant: Callable[[str], Any] | None = None,
    ) -> None:
        self.assistants: dict[str, Any] = {} if assistant is None else {"en": assistant}
        self.load_assistant = load_assistant
        self.assistant = assistant
        self.speech = speech
        self.default_catalog = default_catalog
        self.default_store = default_store
        self.workdir = Path(tempfile.mkdtemp(prefix="voxcart-transcripts-"))
        self.stores = StoreFactory(self.workdir)
        self.counter = 0

    def close(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)

    def assistant_for(self, language: str) -> Any:
        if language not in self.assistants:
            if self.load_assistant is None:
                raise TranscriptError(f"no assistant for the store's language {language!r}")
            self.assistants[language] = self.load_assistant(language)
        return self.assistants[language]

    async def run(self, transcript: Transcript) -> Result:
        from sqlalchemy import select

        from commerce import orders as order_service
        from commerce.accounts import ensure_customer
        from commerce.cart import add_to_cart
        from commerce.errors import CommerceError
        from commerce.handoffs import active_handoff
        from commerce.models import Order, Product
        from commerce.purchase_guard import set_pin
        from commerce.service import open_store
        from commerce.store import get_store_facts
        from dialogue import context

        data = transcript.data
        base = transcript.path.parent
        catalog = (
            (base / data["catalog"]).resolve() if data.get("catalog") else self.default_catalog
        )
        store_file = transcript_store_file(transcript, self.default_store)
        self.counter += 1
        url = self.stores.fresh(catalog, store_file, f"t{self.counter}")
        store = open_store(url)
        result = Result(transcript.name, str(transcript.path), passed=True)
        try:
            now = _parse_time(data["now"]) if data.get("now") else datetime.now(timezone.utc)
            context.configure(store.sessions, clock=lambda: now)
            given = data.get("given") or {}
            customer = given.get("customer") or {"id": "shopper", "name": "Shopper"}
            customer_id = str(customer["id"])
            refs: dict[str, int] = {}
            with store.sessions() as session:
                self.assistant = self.assistant_for(get_store_facts(session).language)
                ensure_customer(
                    session, customer_id=customer_id, name=str(customer.get("name") or customer_id)
                )
                if customer.get("pin"):
                    set_pin(session, customer_id=customer_id, pin=str(customer["pin"]))
                    session.commit()
                for order in given.get("orders") or []:
                    status = order.get("status", "delivered")
                    placed = order_service.record_past_order(
                        session,
                        customer_id=customer_id,
                        items=dict(order["items"]),
                        status=status,
                        fulfilment=order.get("fulfilment") or default_fulfilment(status),
                        placed_at=_parse_time(order["placed_at"])
                        if order.get("placed_at")
                        else None,
                    )
                    if order.get("ref"):
                        refs[str(order["ref"])] = placed.id
                for sku, quantity, chosen in expand(given.get("cart") or {}):
                    add_to_cart(
                        session,
                        customer_id=customer_id,
                        sku=sku,
                        quantity=quantity,
                        options=chosen,
                    )
                first_new_id = (session.scalar(select(Order.id).order_by(Order.id.desc())) or 0) + 1
            self.assistant.reset_conversations()
            if self.speech is not None:
                self.speech.prepare(store.sessions)

            turn_text: list[str] = []
            for number, step in enumerate(data["steps"], start=1):
                if "staff" in step:
                    try:
                        moved = staff_move(
                            store.sessions, customer_id=customer_id, status=step["staff"]["status"]
                        )
                    except CommerceError as exc:
                        result.passed = False
                        result.failure = f"step {number}: staff could not move the order: {exc}"
                        return result
                    result.conversation.append(f"  (staff: {moved})")
                    # What the assistant then says on its own (the device's next quiet
                    # moment): the next bot check applies to these notices.
                    turn_text = await self.assistant.deliver_notices(customer_id)
                    result.conversation += [f"  assistant (notice): {t}" for t in turn_text]
                if "user" in step:
                    text = str(step["user"])
                    result.conversation.append(f"  shopper: {text}")
                    timing = TurnTiming(text, 0.0)
                    said = text
                    if self.speech is not None:
                        audio = step.get("audio")
                        heard = await self.speech.hear(text, base / audio if audio else None)
                        timing.stt_ms = round(heard.stt_ms, 2)
                        said = heard.text if heard.understood else ""
                        result.conversation.append(f"  (recognised: {heard.text!r})")
                    started = time.perf_counter()
                    if said:
                        replies = await self.assistant.respond(customer_id, said)
                    else:
                        replies = [self.speech.not_understood_reply if self.speech else ""]
                    timing.dialogue_ms = round((time.perf_counter() - started) * 1000, 2)
                    if self.speech is not None:
                        first = await self.speech.first_audio(replies)
                        timing.first_audio_ms = round(first, 2)
                    result.turns.append(timing)
                    turn_text = replies
                    for reply in replies:
                        result.conversation.append(f"  assistant: {reply}")
                said = " ".join(turn_text).lower()
                for wanted in step.get("bot_contains") or []:
                    options = wanted if isinstance(wanted, list) else [wanted]
                    if not any(str(o).lower() in said for o in options):
                        result.passed = False
                        shown = " or ".join(repr(str(o)) for o in options)
                        result.failure = f"step {number}: the assistant did not say {shown}"
                        return result
                for unwanted in step.get("bot_not_contains") or []:
                    options = unwanted if isinstance(unwanted, list) else [unwanted]
                    hit = [o for o in options if str(o).lower() in said]
                    if hit:
                        result.passed = False
                        result.failure = f"step {number}: the assistant said {str(hit[0])!r}"
                        return result

            expect = data.get("expect") or {}
            with store.sessions() as session:
                products = {p.sku: p for p in session.scalars(select(Product))}
                problems: list[str] = []
                if "orders" in expect:
                    new_orders = list(
                        session.scalars(
                            select(Order)
                            .where(Order.customer_id == customer_id, Order.id >= first_new_id)
                            .order_by(Order.id)
                        )
                    )
                    wanted_orders = expect.get("orders") or []
                    if len(new_orders) != len(wanted_orders):
                        problems.append(
                            f"expected {len(wanted_orders)} new order(s), found {len(new_orders)}"
                            + "".join(
                                f"; order {o.id}: "
                                + ", ".join(f"{ln.quantity} {ln.sku}" for ln in o.lines)
                                for o in new_orders
                            )
                        )
                    for wanted, order in zip(wanted_orders, new_orders, strict=False):
                        want_items = wanted_lines(wanted.get("items") or {}, products)
                        got_items = actual_lines(
                            (ln.sku, ln.quantity, ln.options) for ln in order.lines
                        )
                        if want_items != got_items:
                            problems.append(
                                f"order {order.id} has {describe(got_items)}, "
                                f"expected {describe(want_items)}"
                            )
                        if wanted.get("status") and wanted["status"] != order.status:
                            problems.append(
                                f"order {order.id} is {order.status}, expected {wanted['status']}"
                            )
                for ref in expect.get("cancelled") or []:
                    order_id = refs.get(str(ref))
                    if order_id is None:
                        problems.append(f"expect.cancelled names unknown order ref {ref!r}")
                        continue
                    status = session.get(Order, order_id).status
                    if status != "cancelled":
                        problems.append(f"order {ref!r} is {status}, expected cancelled")
                if "cart" in expect:
                    from commerce.cart import get_cart

                    cart = get_cart(session, customer_id=customer_id)
                    got = actual_lines((i.sku, i.quantity, i.options) for i in cart.items)
                    want = wanted_lines(expect.get("cart") or {}, products)
                    if got != want:
                        problems.append(f"cart has {describe(got)}, expected {describe(want)}")
                if "handoff" in expect:
                    handed = active_handoff(session, customer_id=customer_id) is not None
                    if handed != bool(expect["handoff"]):
                        problems.append(
                            "the conversation was handed to staff"
                            if handed
                            else "the conversation was not handed to staff"
                        )
                if problems:
                    result.passed = False
                    result.failure = "expect: " + "; ".join(problems)
        except Exception as exc:  # a broken transcript must not stop the run
            result.passed = False
            result.failure = f"error: {type(exc).__name__}: {exc}"
        finally:
            store.close()
        return result


def report_json(results: list[Result], path: Path) -> None:
    payload = {
        "passed": sum(r.passed for r in results),
        "failed": sum(not r.passed for r in results),
        "transcripts": [
            {
                "name": r.name,
                "path": r.path,
                "passed": r.passed,
                "failure": r.failure or None,
                "turns": [
                    {
                        "user": t.user,
                        "stt_ms": t.stt_ms,
                        "dialogue_ms": t.dialogue_ms,
                        "first_audio_ms": t.first_audio_ms,
                    }
                    for t in r.turns
                ],
            }
            for r in results
        ],
    }
    path.write_text(json.dumps(payload, indent=2))
