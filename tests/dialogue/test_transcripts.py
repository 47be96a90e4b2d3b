"""Every transcript, shared and ours, against the real trained assistant (text mode)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from dialogue.transcripts import Runner, TranscriptError, collect, load_transcript

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_EXAMPLES = REPO_ROOT / ".." / "shared" / "transcripts" / "examples"
OURS = REPO_ROOT / "tests" / "transcripts"
FILES = collect([p for p in (SHARED_EXAMPLES, OURS) if p.is_dir()])


def test_there_are_enough_transcripts() -> None:
    ours = [f for f in FILES if OURS in f.parents]
    assert len([f for f in FILES if SHARED_EXAMPLES.resolve() in f.resolve().parents]) >= 8
    assert len(ours) >= 50, f"only {len(ours)} transcripts under tests/transcripts"


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_transcript(path: Path, runner: Runner, loop: asyncio.AbstractEventLoop) -> None:
    result = loop.run_until_complete(runner.run(load_transcript(path)))
    assert result.passed, result.failure + "\n" + "\n".join(result.conversation)


def test_unknown_keys_are_reported_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps:\n  - user: hi\n    bot_says: [hello]\n")
    with pytest.raises(TranscriptError, match=r"bad\.yaml:3: unknown key 'bot_says'"):
        load_transcript(bad)


def test_a_failing_check_fails(tmp_path: Path, runner: Runner, loop) -> None:  # type: ignore[no-untyped-def]
    """The runner itself can fail: a reply that lacks the expected words, an order that
    was not placed."""
    transcript = tmp_path / "fails.yaml"
    transcript.write_text('steps:\n  - user: hi\n  - bot_contains: ["a phrase nobody says"]\n')
    result = loop.run_until_complete(runner.run(load_transcript(transcript)))
    assert not result.passed and "a phrase nobody says" in result.failure
    transcript.write_text(
        "steps:\n  - user: two croissants\nexpect:\n  orders:\n    - items: {CROISSANT: 2}\n"
    )
    result = loop.run_until_complete(runner.run(load_transcript(transcript)))
    assert not result.passed and "expected 1 new order" in result.failure
