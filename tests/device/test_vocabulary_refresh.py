"""The recognition vocabulary follows the live catalog: rebuilt when the catalog changes,
and the words the speech model lacks are reported."""

from __future__ import annotations

from pathlib import Path

from commerce.catalog import ProductData, create_product
from commerce.service import Store
from commerce.settings import Settings
from device.cli import VoiceParts


def test_vocabulary_is_rebuilt_when_the_catalog_changes(
    sqlite_store: Store, korean_model_dir: Path
) -> None:
    settings = Settings(vosk_model=korean_model_dir)
    parts = VoiceParts(settings, sqlite_store)
    first = parts.report
    assert first is not None and first.grammar_supported
    assert "croissant" in first.missing  # English catalog words: the Korean model lacks them
    assert parts.refresh_vocabulary() is None  # nothing changed: nothing rebuilt
    with sqlite_store.sessions() as session:
        create_product(
            session,
            data=ProductData(sku="MILK-KO", name="우유", price_cents=250, stock=5),
        )
    report = parts.refresh_vocabulary()
    assert report is not None and report.words == first.words + 1
    assert "우유" in (parts.engine.grammar or "")  # a word this model knows is now in the grammar
    assert parts.wake_phrase == "hey rosa"
