"""Reading a spoken PIN, masking PIN answers in conversation events, and the transcript key
that gives a shopper a PIN."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.capabilities.korean_reading import pin_digits as korean_pin_digits
from dialogue.pin_privacy import MASK, mask_event_dicts
from dialogue.purchase import pin_digits
from dialogue.transcripts import TranscriptError, load_transcript


@pytest.mark.parametrize(
    ("said", "digits"),
    [
        ("four eight two one", "4821"),
        ("4 8 2 1", "4821"),
        ("4821", "4821"),
        ("four eight two one please", "4821"),
        ("my pin is four eight two one", "4821"),
        ("Four, eight, two, one.", "4821"),
        ("oh four one two", "0412"),
        ("zero four one two", "0412"),
        ("forty eight twenty one", "4821"),
        ("seven three five zero nine two", "735092"),
        ("um 1 2 3", "123"),  # a number, though too short: the caller says so
    ],
)
def test_pin_digits_in_words_or_figures(said: str, digits: str) -> None:
    assert pin_digits(said) == digits


@pytest.mark.parametrize(
    "said", ["yes", "yes please", "no", "two croissants", "cancel", "", "what's my pin"]
)
def test_words_that_are_not_a_pin(said: str) -> None:
    assert pin_digits(said) is None


@pytest.mark.parametrize(
    ("said", "digits"),
    [
        ("사 팔 이 일", "4821"),
        ("사팔이일", "4821"),
        ("4821", "4821"),
        ("사 팔 이 일이에요", "4821"),  # 일 ends in a consonant: 이에요
        ("사팔이이요", "4822"),  # 이 (2) ends in a vowel: 요, so the last 이 is a digit
        ("사팔이일이요", "4821"),
        ("제 PIN은 4821이에요", "4821"),
        ("제 비밀번호는 공 사 일 이예요", "0412"),
        ("영 칠 삼 오 구 육입니다", "073596"),
        ("음 일 이 삼", "123"),  # a number, though too short: the caller says so
    ],
)
def test_korean_pin_digits_said_in_sino_korean_or_figures(said: str, digits: str) -> None:
    assert korean_pin_digits(said) == digits


@pytest.mark.parametrize(
    "said", ["네", "네, 주문해 주세요", "아니요", "콜라 두 캔", "취소할게요", "", "PIN이 뭐였지"]
)
def test_korean_words_that_are_not_a_pin(said: str) -> None:
    assert korean_pin_digits(said) is None


def _user(text: str) -> dict:
    return {"event": "user", "text": text, "parse_data": {"text": text, "entities": [{"v": 1}]}}


def _pending(kind: str | None) -> dict:
    return {"event": "slot", "name": "pending", "value": {"kind": kind} if kind else None}


def test_only_answers_to_the_pin_prompt_are_masked() -> None:
    events = [
        _user("check out"),
        _pending("confirm_checkout"),
        _user("yes"),
        _pending("confirm_pin"),
        _user("four eight two one"),
        _pending(None),
        _user("thanks"),
        _pending("confirm_pin"),
        {"event": "session_started"},
        _user("hello again"),
    ]
    masked = mask_event_dicts(events)
    texts = [e["text"] for e in masked if e["event"] == "user"]
    assert texts == ["check out", "yes", MASK, "thanks", "hello again"]
    pin_answer = masked[4]
    assert pin_answer["parse_data"] == {"text": MASK, "entities": []}
    assert events[4]["text"] == "four eight two one"  # the input is left as it was


def _transcript(tmp_path: Path, customer: str) -> Path:
    path = tmp_path / "t.yaml"
    path.write_text(f"given:\n  customer: {customer}\nsteps:\n  - user: hi\n")
    return path


def test_a_transcript_gives_the_shopper_a_quoted_pin(tmp_path: Path) -> None:
    ok = load_transcript(_transcript(tmp_path, '{id: a, pin: "0412"}'))
    assert ok.data["given"]["customer"]["pin"] == "0412"
    for bad in ("{id: a, pin: 4821}", '{id: a, pin: "12"}', '{id: a, pin: "12ab"}'):
        with pytest.raises(TranscriptError, match="4 to 8 digits in quotes"):
            load_transcript(_transcript(tmp_path, bad))
