"""The store file's `faq` list: parsed into entries, kept in the database with the other facts,
and every mistake reported with the entry it is in and what to write instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from commerce.service import Store, import_store_files
from commerce.store import FaqEntry, get_store_facts, parse_store_file
from tests.commerce.test_store_file import store_error, write_store

PET_STORE = Path(__file__).resolve().parents[1] / "stores" / "paws-and-claws.store.yaml"


def test_pet_store_faq_parses() -> None:
    faq = parse_store_file(PET_STORE).faq
    assert faq[0] == FaqEntry(
        q=["Are dogs allowed in the shop?", "Can I bring my dog"],
        a="Dogs on a lead are very welcome in the shop, and there is a water bowl by the door.",
    )
    # One question on its own is a list of one way to ask it.
    assert faq[1].q == ["Is there wifi?"]
    assert len(faq) == 5


def test_no_faq_is_an_empty_list(tmp_path: Path) -> None:
    assert parse_store_file(write_store(tmp_path, {})).faq == []
    assert parse_store_file(write_store(tmp_path, {"faq": None})).faq == []


def test_whitespace_is_tidied(tmp_path: Path) -> None:
    path = write_store(tmp_path, {"faq": [{"q": "  Is there\n wifi? ", "a": "Yes,\n  free."}]})
    assert parse_store_file(path).faq == [FaqEntry(q=["Is there wifi?"], a="Yes, free.")]


def test_faq_is_stored_with_the_facts(store: Store, tmp_path: Path) -> None:
    entry = {"q": ["Is there wifi?", "wifi password"], "a": "Ask at the counter."}
    import_store_files(store, catalog=None, facts=write_store(tmp_path, {"faq": [entry]}))
    with store.sessions() as session:
        assert get_store_facts(session).faq == [FaqEntry(**entry)]


@pytest.mark.parametrize(
    "faq, fragments",
    [
        ({"q": "x", "a": "y"}, ["faq: must be a list", "{q: Are dogs allowed?"]),
        (["Is there wifi?"], ["entry 1 is 'Is there wifi?'", "each entry looks like"]),
        ([{"a": "Yes."}], ["entry 1 has no q"]),
        ([{"q": "Is there wifi?"}], ["entry 1 ('Is there wifi?') has no a"]),
        ([{"q": "", "a": "Yes."}], ["entry 1", "question 1 in q must be non-empty text"]),
        ([{"q": [], "a": "Yes."}], ["entry 1", "q must be a question or a list"]),
        ([{"q": {"text": "wifi?"}, "a": "Yes."}], ["entry 1", "q must be a question or a list"]),
        ([{"q": ["Wifi?", 42], "a": "Yes."}], ["entry 1 ('Wifi?')", "question 2", "not 42"]),
        ([{"q": "Wifi?", "a": "  "}], ["entry 1 ('Wifi?')", "a must be the answer"]),
        ([{"q": "Wifi?", "a": ["Yes"]}], ["entry 1 ('Wifi?')", "a must be the answer"]),
        ([{"q": "Wifi?", "answer": "Yes"}], ["entry 1 ('Wifi?') has unknown keys answer"]),
        (
            [{"q": "Wifi?", "a": "Yes."}, {"q": "Parking?", "a": "No."}, {"q": "wifi", "a": "N"}],
            ["entry 3 ('wifi')", "also in entry 1"],
        ),
    ],
)
def test_mistakes_name_the_entry(tmp_path: Path, faq: object, fragments: list[str]) -> None:
    message = store_error(write_store(tmp_path, {"faq": faq}))
    assert message.startswith(f"store file {tmp_path / 'store.yaml'}: faq:")
    for fragment in fragments:
        assert fragment in message
