"""Store facts YAML: the demo file parses, mistakes give errors that say where."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from sqlalchemy.orm import Session

from commerce.catalog import get_product, list_products
from commerce.errors import StoreFileError
from commerce.service import Store, import_store_files
from commerce.store import get_store_facts, parse_store_file, save_store_facts, shared_store_facts
from tests.conftest import DEMO_STORE
from tests.helpers import catalog_csv


def write_store(
    tmp_path: Path, changes: dict, drop: tuple[str, ...] = (), *, merge: bool = True
) -> Path:
    """The demo store file with some facts changed (mappings merged unless merge=False) and
    some removed."""
    facts = yaml.safe_load(DEMO_STORE.read_text())
    for key in drop:
        facts.pop(key)
    for key, value in changes.items():
        if merge and isinstance(value, dict) and isinstance(facts.get(key), dict):
            facts[key] = {**facts[key], **value}
        else:
            facts[key] = value
    path = tmp_path / "store.yaml"
    path.write_text(yaml.safe_dump(facts))
    return path


def store_error(path: Path) -> str:
    with pytest.raises(StoreFileError) as info:
        parse_store_file(path)
    return info.value.message


def test_demo_store_file_parses() -> None:
    facts = parse_store_file(DEMO_STORE)
    assert facts.name == "Corner Market"
    assert facts.assistant_name == "Rosa"
    assert facts.currency == "USD"
    assert facts.timezone == "America/New_York"
    assert facts.fulfilment.pickup and facts.fulfilment.delivery
    assert facts.fulfilment.delivery_fee_cents == 299
    assert facts.fulfilment.free_delivery_over_cents == 4000
    sunday = facts.hours_on("Sunday")
    assert sunday is not None
    assert (sunday.opens.hour, sunday.closes.hour) == (9, 17)


def test_delivery_fee_and_free_threshold() -> None:
    facts = parse_store_file(DEMO_STORE)
    assert facts.delivery_fee_cents(3999) == 299
    assert facts.delivery_fee_cents(4000) == 0
    assert facts.delivery_fee_cents(12000) == 0


def test_is_open_uses_the_store_time_zone() -> None:
    facts = parse_store_file(DEMO_STORE)
    # Monday 2026-11-23, 12:00 UTC is 07:00 in New York: just opened (07:00-20:00).
    assert facts.is_open(datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc))
    assert not facts.is_open(datetime(2026, 11, 23, 11, 59, tzinfo=timezone.utc))
    # Tuesday 01:00 UTC is Monday 20:00 in New York: just closed.
    assert not facts.is_open(datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc))


def test_facts_are_stored_in_the_database(store: Store) -> None:
    with store.sessions() as session:
        facts = get_store_facts(session)
    assert facts == parse_store_file(DEMO_STORE)


def test_no_store_file_gives_a_placeholder(empty_store: Store) -> None:
    with empty_store.sessions() as session:
        facts = get_store_facts(session)
    assert facts.name == "the store"
    assert facts.fulfilment.pickup


def test_closed_days_and_missing_days(tmp_path: Path) -> None:
    facts = parse_store_file(write_store(tmp_path, {"hours": {"sunday": "closed"}}))
    assert facts.hours_on("sunday") is None
    facts = parse_store_file(
        write_store(tmp_path, {"hours": {"Monday": "09:00 - 17:00"}}, merge=False)
    )
    assert facts.hours_on("monday") is not None
    assert facts.hours_on("tuesday") is None


@pytest.mark.parametrize(
    "changes, drop, fragments",
    [
        ({}, ("name",), ["name", "field required"]),
        ({"timezone": "Mars/Olympus"}, (), ["timezone", "Mars/Olympus"]),
        ({"currency": "dollars"}, (), ["currency", "three-letter"]),
        ({"hours": {"monday": "7am to 8pm"}}, (), ["hours", "monday", "07:00-20:00"]),
        ({"hours": {"caturday": "09:00-17:00"}}, (), ["hours", "caturday"]),
        ({"hours": {"monday": "07:75-20:00"}}, (), ["hours", "monday"]),
        ({"hours": {"monday": "07:00-31:00"}}, (), ["hours", "monday"]),
        ({"fulfilment": {"delivery_fee": "two dollars"}}, (), ["fulfilment.delivery_fee"]),
        ({"fulfilment": {"free_delivery_over": "-5"}}, (), ["fulfilment.free_delivery_over"]),
        ({"fulfilment": {"delivery_fe": "1.00"}}, (), ["fulfilment.delivery_fe"]),
        ({"opening_hours": "always"}, (), ["opening_hours", "not permitted"]),
    ],
)
def test_mistakes_name_the_field(
    tmp_path: Path, changes: dict, drop: tuple[str, ...], fragments: list[str]
) -> None:
    message = store_error(write_store(tmp_path, changes, drop))
    assert message.startswith(f"store file {tmp_path / 'store.yaml'}")
    for fragment in fragments:
        assert fragment in message


def test_unreadable_files(tmp_path: Path) -> None:
    assert "does not exist" in store_error(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n")
    assert "not valid YAML" in store_error(broken)
    listing = tmp_path / "list.yaml"
    listing.write_text("- name: Corner Market\n")
    assert "must be a mapping" in store_error(listing)


def test_bad_store_file_imports_nothing(empty_store: Store, tmp_path: Path) -> None:
    """Store facts are checked before the catalog is touched."""
    csv_path = tmp_path / "catalog.csv"
    csv_path.write_text(catalog_csv("X1,Thing,,x,each,1.00,1,,"))
    bad = write_store(tmp_path, {"currency": "dollars"})
    with pytest.raises(StoreFileError):
        import_store_files(empty_store, catalog=csv_path, facts=bad)
    with empty_store.sessions() as session:
        assert list_products(session) == []
        assert get_store_facts(session).name == "the store"


def test_new_store_file_replaces_the_facts(store: Store, tmp_path: Path) -> None:
    path = write_store(tmp_path, {"name": "Night Market", "fulfilment": {"delivery": False}})
    import_store_files(store, catalog=None, facts=path)
    with store.sessions() as session:
        facts = get_store_facts(session)
        assert facts.name == "Night Market"
        assert facts.fulfilment.delivery is False
        assert get_product(session, sku="LATTE").price_cents == 420


def test_session_fixture_sees_demo_facts(session: Session) -> None:
    assert get_store_facts(session).assistant_name == "Rosa"


def test_open_until_midnight() -> None:
    from datetime import datetime, time, timezone

    from commerce.store import StoreFacts

    facts = StoreFacts(name="Late Shop", timezone="UTC", hours={"friday": "09:00-24:00"})
    assert facts.hours_on("friday").closes == time.max
    assert facts.is_open(datetime(2026, 11, 27, 23, 30, tzinfo=timezone.utc))  # a Friday
    assert not facts.is_open(datetime(2026, 11, 27, 8, 30, tzinfo=timezone.utc))


def test_shared_facts_are_parsed_once_and_follow_every_change(store: Store) -> None:
    """The assistant's turns read the facts through one parsed instance; a saved change (from
    any session) is what the next read gives."""
    with store.sessions() as session:
        first = shared_store_facts(session)
        assert first == get_store_facts(session)
    with store.sessions() as session:
        assert shared_store_facts(session) is first
        edited = get_store_facts(session)
        edited.phone = "555-0199"
        save_store_facts(session, facts=edited)
    with store.sessions() as session:
        changed = shared_store_facts(session)
        assert changed.phone == "555-0199"
        assert changed is not first and first.phone != "555-0199"
        assert shared_store_facts(session) is changed
