"""Korean understanding: catalog words inside eojeol with particles, quantities after the noun
with counters, options before or after the product, item requests from those entities, the
tokenizer keeping Hangul, and the handlers' Korean readers."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from commerce.normalise import tokens
from commerce.resolver import CatalogIndex
from dialogue import training
from dialogue.capabilities import korean_reading
from dialogue.capabilities.store_faq import Entry, FaqIndex
from dialogue.korean_entity_items import korean_entity_requests
from dialogue.nlu.catalog_mentions import entities_for
from dialogue.nlu.korean_mentions import (
    find_korean_mentions,
    language_mentions,
    native_number,
    sino_number,
)
from dialogue.nlu.korean_tokenizer import KoreanWhitespaceTokenizer

TOKENIZER = KoreanWhitespaceTokenizer(KoreanWhitespaceTokenizer.get_default_config())


def product(sku: str, name: str, aliases: list[str], options: list[dict] | None = None) -> Any:
    return SimpleNamespace(sku=sku, name=name, aliases=aliases, options=options or [])


# A catalog made up for these tests: a product whose name is also an option group's word
# (우유), a two-word product, options said before or after.
SIZE = {"name": "크기", "values": ["작은 컵", "보통", "큰 컵"]}
MILK = {"name": "우유", "values": ["일반 우유", "귀리 우유", "두유"]}
TEMP = {"name": "온도", "values": ["따뜻한", "차가운"]}
INDEX = CatalogIndex(
    [
        product("MOCHA", "모카", ["모카", "카페 모카"], [SIZE, MILK, TEMP]),
        product("DRIP", "드립 커피", ["드립 커피", "드립"], [SIZE, TEMP]),
        product("MILK", "우유", ["우유", "흰 우유"]),
        product("SCONE", "스콘", ["스콘"]),
        product("TULIP", "튤립", ["튤립"], [{"name": "색", "values": ["분홍색", "흰색"]}]),
    ]
)


def words(text: str) -> list[str]:
    return [t.text for t in TOKENIZER.tokenize(Message(data={TEXT: text}), TEXT)]


def found(text: str) -> list[tuple[str, Any, str]]:
    return [(m.kind, m.value, m.group) for m in find_korean_mentions(words(text), INDEX)]


def requests(text: str) -> list[tuple[int, str, dict[str, str]]]:
    toks = TOKENIZER.tokenize(Message(data={TEXT: text}), TEXT)
    mentions = find_korean_mentions([t.text for t in toks], INDEX)
    return [(r.quantity, r.sku, r.options) for r in korean_entity_requests(
        entities_for(mentions, toks, text), text
    )]  # fmt: skip


def test_the_tokenizer_keeps_korean_words() -> None:
    # Rasa's own drops them as emoji and hands the pipeline one token.
    assert words("모카 두 잔 주세요?") == ["모카", "두", "잔", "주세요"]
    assert words("hi 😀 there") == ["hi", "there"]


def test_catalog_tokens_keep_hangul_and_english_is_unchanged() -> None:
    assert tokens("귀리 우유 1L") == ["귀리", "우유"]
    assert tokens("Café Lattes 500g") == ["cafe", "latte"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("모카를 주세요", [("product", "MOCHA", "")]),
        ("스콘 하나", [("product", "SCONE", ""), ("number", 1, "")]),
        ("우유 두 개 주세요", [("product", "MILK", ""), ("number", 2, "")]),
        ("모카 세 잔이요", [("product", "MOCHA", ""), ("number", 3, "")]),
        ("드립 커피 2잔이요", [("product", "DRIP", ""), ("number", 2, "")]),
        ("스콘 열두 개요", [("product", "SCONE", ""), ("number", 12, "")]),
        ("튤립 한 송이", [("product", "TULIP", ""), ("number", 1, "")]),
        ("큰 컵 모카", [("option", "큰 컵", "크기"), ("product", "MOCHA", "")]),
        ("귀리 우유로 모카", [("option", "귀리 우유", "우유"), ("product", "MOCHA", "")]),
        ("모카 차가운 걸로", [("product", "MOCHA", ""), ("option", "차가운", "온도")]),
        ("모카 따뜻하게 주세요", [("product", "MOCHA", ""), ("option", "따뜻한", "온도")]),
        ("두 번째 거요", [("ordinal", 1, "")]),
        ("첫번째요", [("ordinal", 0, "")]),
        ("마지막 거", [("ordinal", -1, "")]),
        # "네" alone is yes, "세" alone is no number: only before a counter.
        ("네 주세요", []),
    ],
)
def test_korean_mentions(text: str, expected: list[tuple[str, Any, str]]) -> None:
    assert found(text) == expected


def test_korean_numbers() -> None:
    assert [native_number(w) for w in ("한", "열두", "스물세", "서른", "하나")] == [
        1,
        12,
        23,
        30,
        1,
    ]
    assert [sino_number(w) for w in ("삼", "십이", "이십오", "백", "천오백")] == [
        3,
        12,
        25,
        100,
        1500,
    ]
    assert native_number("사과") is None and sino_number("사과") is None


def test_training_placeholders_with_particles_read_as_placeholders() -> None:
    said = [(m.kind, m.start, m.end) for m in language_mentions("product를 두 잔 주세요".split())]
    assert said == [("product", 0, 1), ("number", 1, 3)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("우유 두 개랑 스콘 한 개 주세요", [(2, "MILK", {}), (1, "SCONE", {})]),
        (
            "모카 차가운 걸로 2잔하고 스콘 세 개",
            [(2, "MOCHA", {"온도": "차가운"}), (3, "SCONE", {})],
        ),
        ("귀리 우유로 모카 큰 컵 한 잔", [(1, "MOCHA", {"우유": "귀리 우유", "크기": "큰 컵"})]),
        ("모카 하나랑 두유로 드립 커피 두 잔", [(1, "MOCHA", {}), (2, "DRIP", {})]),
        ("모카 두 잔이랑 차가운 드립 커피", [(2, "MOCHA", {}), (1, "DRIP", {"온도": "차가운"})]),
        ("분홍색 튤립 세 송이 줘", [(3, "TULIP", {"색": "분홍색"})]),
    ],
)
def test_korean_item_requests(text: str, expected: list[tuple[int, str, dict[str, str]]]) -> None:
    assert requests(text) == expected


def test_korean_reading_for_handlers() -> None:
    assert korean_reading.wants_delivery("배달로 주문할게요") is True
    assert korean_reading.wants_delivery("제가 가지러 갈게요") is False
    assert korean_reading.wants_delivery("주문할게요") is None
    assert korean_reading.day_named("토요일은 몇 시에 열어요?") == "saturday"
    assert korean_reading.day_named("내일 몇 시에 열어요") == "tomorrow"
    assert korean_reading.asks_now("지금 문 열었어요?")
    assert not korean_reading.asks_now("토요일은 몇 시에 열어요?")
    assert korean_reading.is_yes("응, 그렇게 해 줘") and not korean_reading.is_yes("아니요")
    assert korean_reading.is_no("아니요, 아직이요") and not korean_reading.is_no("네")


def test_store_questions_in_korean_match_on_word_fronts() -> None:
    faq = FaqIndex(
        [
            Entry(("주차할 수 있어요?", "주차장 있어요?"), "parking", built_in=False),
            Entry(("카드 돼요?", "카드로 계산할 수 있어요?"), "cards", built_in=False),
        ]
    )
    assert (faq.best("혹시 주차장 있어요?") or SimpleNamespace(answer="")).answer == "parking"
    assert (faq.best("혹시 카드 되나요?") or SimpleNamespace(answer="")).answer == "cards"
    assert faq.best("모카 있어요?") is None


def test_every_language_with_a_project_trains_into_its_own_folder(tmp_path: Any) -> None:
    assert training.languages() == ["en", "ko"]
    assert training.model_path(tmp_path, "ko").parent == tmp_path / "rasa-ko"
    assert training.model_path(tmp_path).parent == tmp_path / "rasa"
    # Korean reading modules shape the Korean model only.
    assert "korean_mentions.py" not in [p.name for p in training.component_files("en")]
    assert "korean_mentions.py" in [p.name for p in training.component_files("ko")]
    with pytest.raises(ValueError, match="no dialogue project for language 'xx'"):
        training.check_language("xx")


@pytest.mark.parametrize(
    ("said", "score"),
    [("5점", 5), ("다섯 점이요", 5), ("오 점", 5), ("넷", 4), ("4", 4), ("세 점", 3),
     ("삼점이요", 3), ("5점 줄게요", 5), ("네", None), ("두 개 더 주세요", None), ("우유", None)],
)  # fmt: skip
def test_a_korean_rating_is_a_number_said_alone(said: str, score: int | None) -> None:
    assert korean_reading.rating(said) == score


# Another made-up catalog: an option value with a number in it, sizes written as letters,
# colours written as nouns, and a counter (개) that also begins a name (개 사료).
PETS = CatalogIndex(
    [
        product(
            "FOOD",
            "강아지 사료",
            ["강아지 사료", "개 사료"],
            [{"name": "용량", "values": ["2킬로", "6킬로"]}],
        ),  # fmt: skip
        product(
            "LEASH",
            "목줄",
            ["목줄"],
            [
                {"name": "색", "values": ["빨강", "파랑", "검정"]},
                {"name": "사이즈", "values": ["S", "M", "L"]},
            ],
        ),  # fmt: skip
        product("CHEW", "츄르", ["츄르"]),
    ]
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The catalog's 6킬로 is an option, not six of something (alone, an option keeps the
        # words said; the cart edit reads the value from them).
        ("6킬로로 바꿔 주세요", [("option", "6킬로로", "용량")]),
        # Any form of a colour is the catalog's form; a letter size is a size, L included.
        (
            "목줄 파란색 M 사이즈로",
            [("product", "LEASH", ""), ("option", "파랑", "색"), ("option", "M", "사이즈")],
        ),  # fmt: skip
        ("검은색 L로요", [("option", "검정", "색"), ("option", "l", "사이즈")]),
        # 개 in "열 개랑" is the counter, though 개 also begins "개 사료".
        ("츄르 열 개랑 주세요", [("product", "CHEW", ""), ("number", 10, "")]),
    ],
)
def test_korean_mentions_in_another_catalog(text: str, expected: list) -> None:
    got = [(m.kind, m.value, m.group) for m in find_korean_mentions(words(text), PETS)]
    assert got == expected
