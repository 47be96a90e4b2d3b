"""The Rasa actions: each one hands the turn to its handler in dialogue.capabilities, off the event
loop (the commerce layer is synchronous SQLAlchemy)."""

from __future__ import annotations

import abc
import asyncio
import time
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from commerce import turn_log
from commerce.turn_log import TurnRecord
from dialogue import turn_timing
from dialogue.capabilities import dispatch
from dialogue.capabilities.turns import Turn
from dialogue.context import get_context
from dialogue.pin_privacy import mask_event_dicts

SLOTS = (
    "pending", "last_item", "fulfilment", "misunderstood", "declined", "recommended",
    "cart_reminded",
)  # fmt: skip
HISTORY_TURNS = 40


def _history(tracker: Tracker) -> list[dict[str, str]]:
    lines: list[dict[str, str]] = []
    # Answers to the voice PIN prompt read "****": a handoff records this conversation.
    for event in mask_event_dicts(list(tracker.events or [])):
        if event.get("event") == "user" and event.get("text"):
            lines.append({"speaker": "shopper", "text": event["text"]})
        elif event.get("event") == "bot" and event.get("text"):
            lines.append({"speaker": "assistant", "text": event["text"]})
    # The latest user message is the current turn; the handler adds it itself.
    if lines and lines[-1]["speaker"] == "shopper":
        lines.pop()
    return lines[-HISTORY_TURNS:]


def _spoken_over_reply(tracker: Tracker) -> bool:
    """The device's message metadata: speech that began while a reply was playing. Only ever
    makes a turn more careful, so a caller that sends it falsely gains nothing."""
    metadata = tracker.latest_message.get("metadata") or {}
    return isinstance(metadata, dict) and metadata.get("spoken_over_reply") is True


def run_handler(handler: str, tracker: Tracker) -> Turn:
    started = turn_timing.received_at() or time.monotonic()
    context = get_context()
    with context.sessions() as session:
        turn = Turn(
            session=session,
            customer_id=tracker.sender_id,
            text=tracker.latest_message.get("text") or "",
            intent=(tracker.latest_message.get("intent") or {}).get("name") or "",
            confidence=float((tracker.latest_message.get("intent") or {}).get("confidence") or 1.0),
            slots={name: tracker.get_slot(name) for name in SLOTS},
            now=context.clock(),
            history=_history(tracker),
            spoken_over_reply=_spoken_over_reply(tracker),
            entities=list(tracker.latest_message.get("entities") or []),
        )
        dispatch.run_turn(turn, handler)
        # Written by a background thread: the replies do not wait for the disk.
        turn_log.submit(
            context.sessions,
            TurnRecord(
                customer_id=turn.customer_id,
                at=turn.now,
                intent=turn.intent,
                handler=handler,
                understood=not turn.not_understood,
                latency_ms=round((time.monotonic() - started) * 1000),
                handoff=turn.handed_off,
                order_id=turn.placed_order_id,
            ),
        )
        return turn


class ShopAction(Action, metaclass=abc.ABCMeta):
    """One Rasa action per dialogue.capabilities handler. Abstract, so rasa-sdk's executor registers
    only the concrete actions (not a nameless `action_`)."""

    @property
    @abc.abstractmethod
    def handler(self) -> str:
        """The name of the dialogue.capabilities handler this action runs."""

    def name(self) -> str:
        return f"action_{self.handler}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        turn = await asyncio.to_thread(run_handler, self.handler, tracker)
        for message in turn.messages:
            dispatcher.utter_message(text=message)
        return [SlotSet(name, value) for name, value in turn.updates.items()]


class ActionGreet(ShopAction):
    handler = "greet"


class ActionGoodbye(ShopAction):
    handler = "goodbye"


class ActionThanks(ShopAction):
    handler = "thanks"


class ActionAddItem(ShopAction):
    handler = "add_item"


class ActionChoose(ShopAction):
    handler = "choose"


class ActionChangeItem(ShopAction):
    handler = "change_item"


class ActionRemoveItem(ShopAction):
    handler = "remove_item"


class ActionViewCart(ShopAction):
    handler = "view_cart"


class ActionEmptyCart(ShopAction):
    handler = "empty_cart"


class ActionCheckout(ShopAction):
    handler = "checkout"


class ActionChooseFulfilment(ShopAction):
    handler = "choose_fulfilment"


class ActionAffirm(ShopAction):
    handler = "affirm"


class ActionDeny(ShopAction):
    handler = "deny"


class ActionProductInfo(ShopAction):
    handler = "product_info"


class ActionCategoryInfo(ShopAction):
    handler = "category_info"


class ActionAskHours(ShopAction):
    handler = "ask_hours"


class ActionAskAddress(ShopAction):
    handler = "ask_address"


class ActionAskPhone(ShopAction):
    handler = "ask_phone"


class ActionAskDelivery(ShopAction):
    handler = "ask_delivery"


class ActionAskReturns(ShopAction):
    handler = "ask_returns"


class ActionOrderStatus(ShopAction):
    handler = "order_status"


class ActionCancelOrder(ShopAction):
    handler = "cancel_order"


class ActionReorder(ShopAction):
    handler = "reorder"


class ActionRecommend(ShopAction):
    handler = "recommend"


class ActionHandoff(ShopAction):
    handler = "handoff"


class ActionNotUnderstood(ShopAction):
    handler = "not_understood"


__all__ = [name for name in dir() if name.startswith("Action")]
