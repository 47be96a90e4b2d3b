"""The sentences a Korean store's recogniser is given: the assistant's patterns filled with
the catalog's words, particles in the form each word takes, quantities in its counter."""

from __future__ import annotations

import tempfile
from pathlib import Path

from commerce import migrate
from commerce.service import import_store_files, open_store
from dialogue.speech_grammar import GrammarProduct, counted_phrases, grammar_phrases, with_particle
from dialogue.vocabulary import store_vocabulary

# Made-up products: the mechanism must not depend on any store's words.
MILK = GrammarProduct(("우유", "흰 우유"), "팩")
BREAD = GrammarProduct(("식빵",), "봉지")
COFFEE = GrammarProduct(("커피",), "잔", ("아이스", "따뜻한"))
STORE = Path(__file__).resolve().parents[1] / "stores" / "hangang-mart"


def test_a_particle_takes_the_form_its_word_needs() -> None:
    assert with_particle("우유", "을") == "우유를"
    assert with_particle("식빵", "를") == "식빵을"
    assert with_particle("우유", "으로요") == "우유로요"
    assert with_particle("식빵", "랑") == "식빵이랑"
    assert with_particle("귤", "으로") == "귤로"  # ㄹ takes 로
    assert with_particle("우유", "도") == "우유도"
    assert with_particle("우유", "") == "우유"


def test_each_product_fills_the_patterns_counted_in_its_own_counter() -> None:
    phrases = grammar_phrases(["product를 두 개 주세요", "product 2잔 주세요"], [MILK, BREAD])
    assert "우유를 두 팩 주세요" in phrases
    assert "흰 우유를 두 팩 주세요" in phrases
    assert "식빵을 두 봉지 주세요" in phrases
    assert "식빵 두 봉지 주세요" in phrases  # digits said as a native number
    assert not any("product" in p or "2" in p for p in phrases)


def test_options_fill_a_pattern_only_beside_a_product_that_has_them() -> None:
    phrases = grammar_phrases(["option product 주세요", "option으로 바꿔 주세요"], [MILK, COFFEE])
    assert "아이스 커피 주세요" in phrases
    assert not {"아이스 우유 주세요", "따뜻한 흰 우유 주세요"} & set(phrases)
    assert "아이스로 바꿔 주세요" in phrases and "따뜻한으로 바꿔 주세요" in phrases


def test_patterns_without_slots_and_catalog_words_stay_whole() -> None:
    phrases = grammar_phrases(["장바구니 보여 주세요", "네"], [MILK])
    assert {"장바구니 보여 주세요", "네", "우유", "흰 우유", "두 팩", "두 팩이요"} <= set(phrases)


def test_counted_quantities_for_each_counter() -> None:
    phrases = counted_phrases(["송이", "잔", "each"])
    assert {"한 송이", "세 잔", "열 개", "두 잔이요", "다섯 개요"} <= set(phrases)
    assert "열한 잔" not in phrases


def test_a_large_catalog_stays_bounded_and_every_name_is_still_in_a_sentence() -> None:
    products = [GrammarProduct((f"상품{n}",), "개") for n in range(300)]
    patterns = [f"product {word} 주세요" for word in ("하나", "두 개", "좀", "더", "빨리")]
    phrases = grammar_phrases(patterns, products, max_phrases=600)
    sentences = [p for p in phrases if p.endswith("주세요")]
    assert len(sentences) == 600
    named = {w for s in sentences for w in s.split() if w.startswith("상품")}
    assert len(named) == 300


def test_korean_store_vocabulary_is_sentences_with_its_catalog_words() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="voxcart-grammar-"))
    url = f"sqlite:///{workdir / 'store.db'}"
    migrate.upgrade(url)
    store = open_store(url)
    import_store_files(
        store, catalog=STORE.with_suffix(".csv"), facts=STORE.with_suffix(".store.yaml")
    )
    with store.sessions() as session:
        phrases = store_vocabulary(session)
    assert "콜라 두 캔 주세요" in phrases  # "product 두 개 주세요" with the store's cola
    assert "네" in phrases and "장바구니" in phrases
    assert not any("product" in p or "option" in p for p in phrases)
