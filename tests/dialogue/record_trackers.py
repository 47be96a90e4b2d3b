"""Records the trackers that tests/dialogue/test_actions.py replays: real conversations with
the trained assistant, saved as Rasa's tracker JSON just before an action runs.

Run again after changing the domain: .venv/bin/python -m tests.dialogue.record_trackers
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from pathlib import Path

from benchmarks.dialogue_turns import CONVERSATION
from commerce import migrate
from commerce.service import import_store_files, open_store
from commerce.settings import get_settings
from dialogue import context
from dialogue.runtime import Assistant
from dialogue.training import train

HERE = Path(__file__).resolve().parent / "trackers"
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "catalog"

CONVERSATIONS = {
    # name: (turns before the recorded one, the recorded user turn)
    "choose_oat_milk": (["and some milk"], "the oat one"),
    "confirm_checkout": (["two croissants", "check out"], "yes"),
    "decline_checkout": (["two croissants", "check out"], "no"),
    "correct_quantity": (["a bagel"], "no, three"),
}


async def record() -> None:
    model = train(get_settings().models_dir, quiet=True)
    assistant = Assistant.load(model)
    workdir = Path(tempfile.mkdtemp())
    try:
        for name, (before, recorded) in CONVERSATIONS.items():
            url = f"sqlite:///{workdir / name}.db"
            migrate.upgrade(url)
            store = open_store(url)
            import_store_files(
                store,
                catalog=SHARED / "corner-market.csv",
                facts=SHARED / "corner-market.store.yaml",
            )
            context.configure(store.sessions)
            assistant.reset_conversations()
            for text in before:
                await assistant.respond("rec", text)
            # Parse the recorded turn and stop before the action runs.
            tracker = await assistant.agent.tracker_store.retrieve("rec")
            message = await assistant.agent.parse_message(recorded)
            from rasa.shared.core.events import UserUttered

            tracker.update(UserUttered(recorded, message["intent"], [], message))
            from rasa.shared.core.trackers import EventVerbosity

            state = tracker.current_state(EventVerbosity.AFTER_RESTART)
            (HERE / f"{name}.json").write_text(json.dumps(state, indent=1, default=str))
            store.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# Long conversations for tests/dialogue/test_policy_states.py: every event of the session,
# replayed there prediction by prediction. On the demo store.
LONG_CONVERSATIONS = {
    "long_shopping": list(CONVERSATION) * 6,  # the dialogue benchmark's, six times
    "long_mixed": [
        "hello",
        "a bagel",
        "no, three",
        "blorp fizz wobble",
        "and some milk",
        "the oat one",
        "check out",
        "yes",
        "thanks",
        "what's in my cart",
        "two croissants",
        "actually make that one",
    ]
    * 5,
}


async def record_long() -> None:
    from rasa.shared.core.trackers import EventVerbosity

    settings = get_settings()
    model = train(settings.models_dir, quiet=True)
    catalog, store_file = settings.demo_store_files()
    assistant = Assistant.load(model)
    workdir = Path(tempfile.mkdtemp())
    try:
        for name, turns in LONG_CONVERSATIONS.items():
            url = f"sqlite:///{workdir / name}.db"
            migrate.upgrade(url)
            store = open_store(url)
            import_store_files(store, catalog=catalog, facts=store_file)
            from commerce.catalog import set_stock

            with store.sessions() as session:
                set_stock(session, sku="CROISSANT", stock=10_000)
            context.configure(store.sessions)
            assistant.reset_conversations()
            for text in turns:
                await assistant.respond("rec", text)
            tracker = await assistant.agent.tracker_store.retrieve("rec")
            state = tracker.current_state(EventVerbosity.ALL)
            (HERE / f"{name}.json").write_text(json.dumps(state["events"], default=str))
            store.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(record())
    asyncio.run(record_long())
