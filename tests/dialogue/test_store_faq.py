"""Store-file answers (dialogue.store_faq): the staff's faq entries and the store's facts,
matched in words unlike the file's without retraining, and never taking over a shopping,
order or out-of-domain sentence."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.orm import Session

from commerce.store import FaqEntry, get_store_facts, parse_store_file, save_store_facts
from dialogue.capabilities.dispatch import run_turn
from dialogue.capabilities.store_faq import content_words, index_for, word_key
from dialogue.capabilities.turns import Turn

TESTS = Path(__file__).resolve().parents[1]
SHARED = TESTS.parent / ".." / "shared"
PET_STORE = parse_store_file(TESTS / "stores" / "paws-and-claws.store.yaml")
PET_INDEX = index_for(PET_STORE)


def answer(text: str) -> str | None:
    match = PET_INDEX.best(text)
    return None if match is None else match.answer


@pytest.mark.parametrize(
    "word, same",
    [("parking", "park"), ("allowed", "allow"), ("dogs", "dog"), ("used", "use"),
     ("shopping", "shop"), ("carried", "carry"), ("clipping", "clip"), ("taking", "take")],
)  # fmt: skip
def test_inflections_share_a_key(word: str, same: str) -> None:
    assert word_key(word) == word_key(same)


def test_stop_words_and_spellings() -> None:
    assert content_words("is there wi-fi here?").keys == ("wifi",)
    assert content_words("what's the name of this shop").said == {"name", "store"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("can I bring my dog inside?", "on a lead"),
        ("is my dog allowed in the store", "on a lead"),
        ("do you allow dogs", "on a lead"),
        ("do you have wifi", "PawsGuest"),
        ("is there wi fi here", "PawsGuest"),  # as speech recognition writes it
        ("what's the wifi password", "PawsGuest"),
        ("is there parking nearby?", "behind the shop"),
        ("where do I park", "behind the shop"),
        ("is there anywhere to park my car", "behind the shop"),
        ("can you clip my dog's nails", "Saturday"),
        ("how much is nail trimming", "Saturday"),
        ("can I pay by card", "contactless"),
    ],
)
def test_faq_answers_paraphrases(text: str, expected: str) -> None:
    assert expected in (answer(text) or "")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("what's the store called", "This is Paws and Claws."),
        ("what is the name of this shop", "This is Paws and Claws."),
        ("who am I talking to", "I'm Biscuit, the voice assistant at Paws and Claws."),
        ("what's your name", "I'm Biscuit"),
        ("what currency do you use", "Our prices are in GBP, for example 2 pounds 50."),
    ],
)
def test_store_facts_answer_without_a_faq_entry(text: str, expected: str) -> None:
    assert expected in (answer(text) or "")


@pytest.mark.parametrize(
    "text",
    [
        "two croissants please",
        "dog food please",
        "I want a dog bed",
        "two bags of cat litter",
        "do you have dog shampoo",
        "how much are the nail clippers",
        "do you sell wifi extenders",
        "where is my order",
        "what time do you open",
        "are you open on sunday",
        "do you deliver",
        "can I talk to someone",
        "I'd like to talk to a person",
        "can I call the store",
        "what is the name of the music playing now",
        "the large one please",
        "yes please",
        "who sung this",
    ],
)
def test_other_sentences_are_not_faq_questions(text: str) -> None:
    assert PET_INDEX.best(text) is None


def _user_lines(paths: list[Path]) -> list[str]:
    lines = []
    for path in paths:
        data = json.loads(path.read_text()) if path.suffix == ".json" else None
        data = data or yaml.safe_load(path.read_text())
        lines += [str(s["user"]) for s in data.get("steps") or [] if "user" in s]
    return lines


def test_no_transcript_or_out_of_domain_sentence_hits_the_faq() -> None:
    """Every shopper line of the other transcripts (shopping, orders, store questions) and of
    the SLURP out-of-domain set, against the pet shop's faq and the store-fact questions."""
    files = [p for p in (TESTS / "transcripts").rglob("*.yaml") if not p.name.startswith("faq_")]
    files += list((SHARED / "transcripts" / "examples").rglob("*.yaml"))
    out_of_domain = list((SHARED / "datasets" / "slurp-out-of-domain" / "transcripts").iterdir())
    assert len(out_of_domain) == 300
    lines = _user_lines(files + out_of_domain)
    assert len(lines) > 600
    assert [(line, answer(line)) for line in lines if answer(line)] == []


# --------------------------------------------------------------------------- in run_turn


NOW = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)


@pytest.fixture
def faq_session(session: Session) -> Session:
    """The demo store with one faq entry of its own."""
    facts = get_store_facts(session).copy(
        update={"faq": [FaqEntry(q=["Do you deliver on Sundays?"], a="Not on Sundays, sorry.")]}
    )
    save_store_facts(session, facts=facts)
    return session


def run(session: Session, text: str, handler: str, confidence: float, **extra: Any) -> Turn:
    slots = {"pending": extra.pop("pending", None), "misunderstood": 1.0}
    turn = Turn(session=session, customer_id="faq-shopper", text=text, intent=handler,
                     slots=slots, now=NOW, confidence=confidence, **extra)  # fmt: skip
    return run_turn(turn, handler)


def test_a_faq_question_the_classifier_missed_is_answered(faq_session: Session) -> None:
    pending = {"kind": "confirm_checkout", "fulfilment": "pickup", "total": 1250}
    turn = run(faq_session, "what's the store called", "add_item", 0.4, pending=pending)
    assert turn.messages == ["This is Corner Market."]
    # As after any store question, a later "yes" places nothing it did not read back.
    assert turn.updates["pending"] is None
    assert turn.updates["misunderstood"] == 0.0


def test_the_staff_answer_beats_a_confident_store_question(faq_session: Session) -> None:
    turn = run(faq_session, "will you deliver on a sunday", "ask_delivery", 0.95)
    assert turn.messages == ["Not on Sundays, sorry."]
    turn = run(faq_session, "do you deliver", "ask_delivery", 0.95)
    assert "2 dollars 99" in turn.messages[0]


def test_confident_intents_and_product_mentions_are_left_alone(faq_session: Session) -> None:
    # A store-fact question is not forced on a turn the classifier is sure about...
    turn = run(faq_session, "what's your name", "ask_phone", 0.95)
    assert "555 0142" in turn.messages[0]
    # ...nor on a turn that names a product, however low the classifier's confidence.
    product = {"entity": "product", "value": "LATTE", "start": 0, "end": 5, "text": "latte"}
    turn = run(faq_session, "latte deliver on sundays", "not_understood", 0.3, entities=[product])
    assert "Not on Sundays" not in " ".join(turn.messages)
