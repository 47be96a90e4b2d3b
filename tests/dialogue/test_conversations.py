"""Rasa's own conversation tests (dialogue/project/tests/test_stories.yml): every user text gets
its intent and entities and every turn the expected action, on the trained model."""

from __future__ import annotations

import asyncio
from pathlib import Path

from commerce.service import Store
from dialogue import context
from dialogue.training import PROJECT_DIR


def test_conversation_stories(assistant, loop: asyncio.AbstractEventLoop, tmp_path: Path,  # type: ignore[no-untyped-def]
                              store: Store) -> None:  # fmt: skip
    from rasa.core.test import test as rasa_test_stories

    # The stories' entities are those of the demo store's catalog.
    context.configure(store.sessions)

    result = loop.run_until_complete(
        rasa_test_stories(
            str(PROJECT_DIR / "tests" / "test_stories.yml"),
            assistant.agent,
            out_directory=str(tmp_path),
            disable_plotting=True,
            e2e=True,
        )
    )
    failed = tmp_path / "failed_test_stories.yml"
    assert result["is_end_to_end_evaluation"] is True
    assert not failed.exists() or "story:" not in failed.read_text(), failed.read_text()
    assert result["report"]["accuracy"] == 1.0, result["report"]
