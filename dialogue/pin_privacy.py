"""The voice PIN is never kept in clear in conversation events.

A user message that answers the PIN prompt (sent while the `pending` slot says `confirm_pin`)
is stored as "****", text and parse data alike: `MaskingTrackerStore` masks a copy of the
tracker before any tracker store saves it, and `mask_event_dicts` does the same for the event
dicts an action sees (the conversation a handoff records). The action answering the prompt
still reads the digits from the turn's own message, which is never saved unmasked.
"""

from __future__ import annotations

import copy
from collections import deque
from typing import Any

MASK = "****"
PIN_PENDING = "confirm_pin"
PENDING_SLOT = "pending"


def _asks_for_pin(value: Any) -> bool:
    return isinstance(value, dict) and value.get("kind") == PIN_PENDING


def mask_event_dicts(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Event dicts (Rasa's JSON form) with every PIN answer masked; others unchanged."""
    masked: list[dict[str, Any]] = []
    asking = False
    for event in events:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == PENDING_SLOT:
            asking = _asks_for_pin(event.get("value"))
        elif kind in ("session_started", "restart"):
            asking = False
        elif kind == "user" and asking:
            event = {**event, "text": MASK}
            parse_data = event.get("parse_data")
            if isinstance(parse_data, dict):
                event["parse_data"] = {**parse_data, "text": MASK, "entities": []}
        masked.append(event)
    return masked


def _masked_events(events: Any) -> tuple[list[Any], bool]:
    from rasa.shared.core.events import Restarted, SessionStarted, SlotSet, UserUttered

    out: list[Any] = []
    asking = changed = False
    for event in events:
        if isinstance(event, SlotSet) and event.key == PENDING_SLOT:
            asking = _asks_for_pin(event.value)
        elif isinstance(event, (SessionStarted, Restarted)):
            asking = False
        elif isinstance(event, UserUttered) and asking and event.text != MASK:
            event = copy.copy(event)
            event.text = MASK
            event.entities = []
            event.parse_data = {**event.parse_data, "text": MASK, "entities": []}  # type: ignore[typeddict-item]
            changed = True
        out.append(event)
    return out, changed


def masked_tracker(tracker: Any) -> Any:
    """The tracker to save: the same object when nothing needs masking, else a shallow copy
    whose events have the PIN answers masked (the live tracker is left as it is)."""
    events, changed = _masked_events(tracker.events)
    if not changed:
        return tracker
    clone = copy.copy(tracker)
    clone.events = deque(events, maxlen=tracker.events.maxlen)
    return clone


def masking_tracker_store(inner: Any) -> Any:
    """Wraps a Rasa tracker store so PIN answers are masked before they are saved (a store
    that already masks is returned as it is). Other attributes (`engine`, `store`) are the
    wrapped store's."""
    if getattr(inner, "masks_pin_answers", False):
        return inner
    from rasa.core.tracker_store import FailSafeTrackerStore

    class MaskingTrackerStore(FailSafeTrackerStore):
        masks_pin_answers = True

        async def save(self, tracker: Any) -> None:
            await super().save(masked_tracker(tracker))

        def __getattr__(self, name: str) -> Any:
            if name.startswith("__") or name == "_tracker_store":
                raise AttributeError(name)
            return getattr(self._tracker_store, name)

    return MaskingTrackerStore(inner)
