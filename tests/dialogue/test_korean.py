"""Korean numbers, counters, money, times, lists and particles; Korean replies rendered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from dialogue import korean
from dialogue.item_wording import ItemLine
from dialogue.replies import render, tr
from dialogue.replies.wording import wording_for


@pytest.mark.parametrize(
    ("n", "unit", "said"),
    [
        (2, "each", "두 개"),
        (3, "cup", "세 잔"),
        (1, "bunch", "한 송이"),
        (21, "each", "스물한 개"),
        (20, "bottle", "스무 병"),
        (4, "bag", "네 봉지"),
        (10, "can", "열 캔"),
        (2, "loaf", "두 개"),
        (5, "widget", "다섯 개"),  # a unit with no counter of its own counts as 개
        (100, "each", "백 개"),
    ],
)
def test_counted(n: int, unit: str, said: str) -> None:
    assert korean.counted(n, unit) == said


@pytest.mark.parametrize(
    ("won", "written", "spoken"),
    [
        (3800, "3,800원", "삼천팔백 원"),
        (12500, "12,500원", "만 이천오백 원"),
        (500, "500원", "오백 원"),
        (1000000, "1,000,000원", "백만 원"),
    ],
)
def test_won(won: int, written: str, spoken: str) -> None:
    assert korean.written_won(won) == written
    assert korean.spoken_won(won) == spoken


def test_price_for_a_korean_reply() -> None:
    # Money is hundredths of the main unit for every currency: 3,800 won is 380000.
    assert korean.written_price(380_000, "KRW") == "3,800원"
    assert korean.written_price(-50_000, "KRW") == "-500원"
    assert korean.written_price(420, "USD") == "4.20 USD"


@pytest.mark.parametrize(
    ("hour", "minute", "said"),
    [
        (17, 0, "오후 다섯 시"),
        (9, 30, "오전 아홉 시 삼십 분"),
        (12, 0, "정오"),
        (0, 0, "자정"),
        (23, 59, "자정"),
        (13, 5, "오후 한 시 오 분"),
        (11, 0, "오전 열한 시"),
    ],
)
def test_spoken_time(hour: int, minute: int, said: str) -> None:
    assert korean.spoken_time(hour, minute) == said


def test_month_day() -> None:
    assert korean.month_day(3, 5) == "삼월 오일"
    assert korean.month_day(6, 10) == "유월 십일"
    assert korean.month_day(10, 1) == "시월 일일"


def test_join_words() -> None:
    assert korean.join_words(["라떼"]) == "라떼"
    assert korean.join_words(["라떼", "우유"]) == "라떼하고 우유"
    assert korean.join_words(["라떼", "우유", "빵"]) == "라떼, 우유, 그리고 빵"
    assert korean.join_words(["라떼", "우유"], "or") == "라떼 또는 우유"


@pytest.mark.parametrize(
    ("text", "resolved"),
    [
        ("빵을(를)", "빵을"),
        ("우유을(를)", "우유를"),
        ("라떼이(가)", "라떼가"),
        ("잔이(가)", "잔이"),
        ("사과은(는)", "사과는"),
        ("귤은(는)", "귤은"),
        ("빵과(와)", "빵과"),
        ("우유과(와)", "우유와"),
        ("물으로(로)", "물로"),  # ㄹ takes 로
        ("빵으로(로)", "빵으로"),
        ("우유으로(로)", "우유로"),
        ("3,800원이에요(예요)", "3,800원이에요"),
        ("두 개이에요(예요)", "두 개예요"),
        ("010-1234-5678으로(로)", "010-1234-5678로"),  # 8 is 팔: ends in ㄹ
        ("3번이(가)", "3번이"),
    ],
)
def test_attach_particles(text: str, resolved: str) -> None:
    assert korean.attach_particles(text) == resolved


def test_a_sentence_with_several_particles() -> None:
    assert (
        korean.attach_particles("라떼 두 잔을(를) 담았어요. 우유은(는) 품절이에요.")
        == "라떼 두 잔을 담았어요. 우유는 품절이에요."
    )


@dataclass
class _Speaker:
    language: str


def test_english_replies_are_the_template_filled_in() -> None:
    english = _Speaker("en")
    assert tr(english, "Yes, we're open now, until {closes} today.", closes="8 pm") == (
        "Yes, we're open now, until 8 pm today."
    )
    assert tr(english, "Anything else?") == "Anything else?"


def test_korean_replies_take_the_catalog_entry_and_its_particles() -> None:
    wording = wording_for("ko", "KRW")
    item = wording.describe_item(2, "라떼", "cup", {})
    assert render("ko", "Added {join_items}.", join_items=wording.join_items([item])) == (
        "라떼 두 잔을 담았어요."
    )
    summary = wording.join_words(["라떼 두 잔", "우유 한 병"])
    assert render(
        "ko", "You have {summary}. That comes to {price}.", summary=summary,
        price=wording.money(910_000),
    ) == "장바구니에 라떼 두 잔하고 우유 한 병이 있어요. 모두 9,100원이에요."  # fmt: skip
    assert render("ko", "Yes, we're open now, until {closes} today.", closes=wording.spoken_time(
        21, 0
    )) == "네, 지금 영업 중이에요. 오늘은 오후 아홉 시까지 해요."  # fmt: skip


def test_korean_item_wording() -> None:
    wording = wording_for("ko", "KRW")
    groups = {"사이즈": ["스몰", "미디엄", "라지"], "우유": ["일반 우유", "귀리 우유"]}
    # Only what is not the default is said; options go before the name, the count after.
    assert wording.describe_item(
        1, "라떼", "cup", {"사이즈": "라지", "우유": "일반 우유"}, groups
    ) == ("라지 라떼 한 잔")
    lines = [
        ItemLine(2, "아메리카노", "cup", {"사이즈": "스몰"}, groups),
        ItemLine(1, "장미", "bunch", {}, {}),
    ]
    assert wording.describe_lines(lines) == ["아메리카노 두 잔", "장미 한 송이"]
    # A default the shopper did not choose is said once, when the item is added.
    assert wording.describe_added(
        1, "라떼", "cup", {"사이즈": "스몰"}, groups, {"사이즈": "스몰"}
    ) == ("라떼 한 잔(기본: 스몰)")
    added = render(
        "ko", "Added {join_items}.", join_items=wording.join_items(["라떼 한 잔(기본: 스몰)"])
    )
    assert added == "라떼 한 잔(기본: 스몰)을 담았어요."
    assert wording.weekday("monday") == "월요일"
    assert wording.month_day(date(2026, 10, 3)) == "시월 삼일"
    assert wording.minutes_number(30) == "삼십"
    assert wording.number_words(3) == "세"


def test_english_wording_is_todays() -> None:
    wording = wording_for("en", "USD")
    assert wording.money(420) == "4 dollars 20"
    assert wording.describe_item(2, "Caffe Latte", "cup", {}) == "two caffe lattes"
    assert wording.weekday("monday") == "Monday"
    assert wording.month_day(date(2026, 3, 5)) == "March 5"
    assert wording.per_unit("bottle") == " per bottle"
    assert wording.per_unit("each") == ""


def test_a_unit_written_as_a_korean_counter_is_that_counter() -> None:
    assert korean.counter_for("잔") == "잔"
    assert korean.counted(3, "송이") == "세 송이"
    assert korean.counter_for("cup") == "잔"
    assert korean.counter_for("crate") == "개"


def test_a_korean_product_question_names_its_thing_and_what_it_asks() -> None:
    from dialogue.capabilities.korean_reading import question_cues, question_subject

    assert question_subject("혹시 피자는 팔아요?") == "피자"
    assert question_subject("케이크가 있나요?") == "케이크"
    assert question_subject("우유도 있어요?") == "우유"
    assert question_subject("고양이 있어요?") == "고양이"  # 이 may be the noun's own
    assert question_subject("바나나 재고 있어요?") == "바나나"
    assert question_cues("바나나 재고 있어요?") == (True, False, False, False)
    assert question_cues("아메리카노 얼마예요?") == (False, False, True, False)
    assert question_cues("라떼 사이즈 뭐 있어요?").options
    assert question_cues("이거 뭐예요?").what
    assert not question_cues("크루아상 맛있어요?").stock  # tasty, not in stock


def test_korean_order_numbers_and_holidays_are_read() -> None:
    from dialogue.capabilities.korean_reading import names_a_holiday, order_number

    assert order_number("1번 주문이랑 똑같이 주문해 주세요") == 1
    assert order_number("삼 번 주문 취소해 주세요") == 3
    assert order_number("주문 번호 12번 어떻게 됐어요?") == 12
    assert order_number("두 번째 거 빼 주세요") is None  # a position in the cart
    assert order_number("제 주문 어떻게 됐어요?") is None
    assert names_a_holiday("크리스마스에도 열어요?") and names_a_holiday("추석 연휴에 해요?")
    assert not names_a_holiday("토요일은 몇 시에 열어요?")


def test_a_particle_after_an_aside_in_brackets_follows_the_word_before_it() -> None:
    from dialogue.korean import attach_particles

    assert (
        attach_particles("목줄 두 개(기본: 빨강)을(를) 담았어요")
        == "목줄 두 개(기본: 빨강)를 담았어요"
    )
    assert attach_particles("우유(1L)이(가)") == "우유(1L)가"
    assert attach_particles("라떼 두 잔을(를)") == "라떼 두 잔을"
