"""A Korean store's recognition vocabulary: the model's pieces for words it lacks whole (the
sentences themselves: tests/dialogue/test_speech_grammar.py)."""

from __future__ import annotations

from pathlib import Path

from voice.stt import VoskEngine, join_pieces, known_pieces


def test_a_word_the_model_lacks_is_spelt_with_words_it_knows() -> None:
    known = {"우유", "를", "담아", "주세요"}
    assert known_pieces("우유를", known.__contains__) == ["우유", "를"]
    assert known_pieces("담아주세요", known.__contains__) == ["담아", "주세요"]
    assert known_pieces("라지", known.__contains__) is None


def test_recognised_pieces_are_joined_into_the_word() -> None:
    joins = {("우유", "를"): "우유를"}
    assert join_pieces("우유 를 두 개 주세요", joins) == "우유를 두 개 주세요"
    assert join_pieces("우유 두 개", joins) == "우유 두 개"


def test_korean_engine_spells_unknown_eojeol_and_reports_the_rest(
    korean_engine: VoskEngine,
) -> None:
    report = korean_engine.set_vocabulary(["우유를 주세요", "qqxz"], split_unknown=True)
    assert report.pieces == {"우유를": ["우유", "를"]}
    assert report.missing == ["qqxz"]
    assert korean_engine.grammar is not None and '"우유 를 주세요"' in korean_engine.grammar
    english_way = korean_engine.set_vocabulary(["우유를 주세요"])
    assert english_way.missing == ["우유를"] and english_way.pieces == {}


def test_korean_store_finds_the_korean_model(korean_model_dir: Path, tmp_path: Path) -> None:
    from voice.stt import find_model

    assert find_model(None, tmp_path, "ko") == korean_model_dir
