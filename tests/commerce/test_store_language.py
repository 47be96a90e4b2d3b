"""The store file's `language` (en default, ko): what the assistant speaks with shoppers."""

from __future__ import annotations

from pathlib import Path

from commerce.store import parse_store_file
from tests.commerce.test_store_file import store_error, write_store


def test_language_defaults_to_english(tmp_path: Path) -> None:
    assert parse_store_file(write_store(tmp_path, {})).language == "en"


def test_korean_store(tmp_path: Path) -> None:
    assert parse_store_file(write_store(tmp_path, {"language": "ko"})).language == "ko"
    assert parse_store_file(write_store(tmp_path, {"language": " KO "})).language == "ko"


def test_another_language_is_a_clear_error(tmp_path: Path) -> None:
    message = store_error(write_store(tmp_path, {"language": "fr"}))
    assert "language" in message
    assert "en, ko" in message
    assert "'fr'" in message
