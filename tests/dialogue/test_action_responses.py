"""The keyed check of custom actions' responses accepts only what Rasa's schema accepts, refuses
with Rasa's own error, and takes the fast path for every response our actions give."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from benchmarks.dialogue_turns import CONVERSATION
from commerce.service import Store
from dialogue import action_responses, context, rasa_hot_paths
from dialogue.action_responses import KeyedResponseCheck

SPEC = RemoteAction.action_response_format_spec()


def rasa_accepts(response: Any) -> bool:
    """Rasa's own check, as stock Rasa runs it."""
    try:
        jsonschema.validate(response, SPEC)
    except ValidationError:
        return False
    return True


@pytest.fixture(scope="module")
def keyed() -> KeyedResponseCheck:
    return KeyedResponseCheck(SPEC)


def event_of_every_type() -> list[dict[str, Any]]:
    """One event per Rasa event class, as Rasa itself writes it."""
    from rasa.shared.core.events import (
        ActionExecuted,
        ActiveLoop,
        BotUttered,
        EntitiesAdded,
        FollowupAction,
        SlotSet,
        UserUttered,
    )

    samples = [
        UserUttered("two croissants", {"name": "add_item", "confidence": 0.9}),
        ActionExecuted("action_add_item"),
        SlotSet("pending", {"kind": "choose", "skus": ["A", "B"]}),
        SlotSet("misunderstood", 0.0),
        SlotSet("last_item", None),
        EntitiesAdded([{"entity": "product", "value": "milk", "start": 0, "end": 4}]),
        FollowupAction("action_view_cart"),
        ActiveLoop(None),
        BotUttered("Your cart is empty."),
    ]
    return [event.as_dict() for event in samples]


VALID = [
    {"events": [], "responses": []},
    {},
    {"events": event_of_every_type(), "responses": [{"text": "Okay."}]},
    {"events": [{"event": "restart"}, {"event": "session_started", "timestamp": 1.5}]},
    {"events": [{"event": "slot", "name": "pending", "value": None, "metadata": None}]},
    {"events": [], "responses": [{"text": 5}]},  # the protocol leaves a response's keys open
]
INVALID = [
    "not a response",
    {"events": "not a list", "responses": []},
    {"events": [{"name": "pending", "value": 1}]},  # no type
    {"events": [{"event": "no-such-event"}]},
    {"events": [{"event": 3}]},
    {"events": [{"event": ["slot"]}]},
    {"events": [{"event": "slot", "name": "pending"}]},  # no value
    {"events": [{"event": "slot", "name": 7, "value": 1}]},
    {"events": [{"event": "slot", "name": "a", "value": 1, "timestamp": "now"}]},
    {"events": [{"event": "slot", "name": "a", "value": 1, "metadata": []}]},
    {"events": [{"event": "entities", "entities": [{"value": "milk"}]}]},  # no entity
    {"events": ["slot"]},
    {"events": [], "responses": "hello"},
    {"events": [], "responses": ["hello"]},
]


@pytest.mark.parametrize("response", VALID)
def test_what_rasa_accepts_takes_the_fast_path(keyed: KeyedResponseCheck, response: Any) -> None:
    assert rasa_accepts(response)
    assert keyed.accepts(response)


@pytest.mark.parametrize("response", INVALID)
def test_what_rasa_refuses_the_fast_path_refuses(keyed: KeyedResponseCheck, response: Any) -> None:
    assert not rasa_accepts(response)
    assert not keyed.accepts(response)


def test_every_event_type_of_rasa_is_keyed(keyed: KeyedResponseCheck) -> None:
    """Rasa's schema names each event type once; the check knows each of them."""
    alternatives = SPEC["properties"]["events"]["items"]["oneOf"]
    schema_types = {alternative["properties"]["event"]["const"] for alternative in alternatives}
    assert set(keyed.by_type) == schema_types
    assert {"slot", "user", "action", "bot", "followup"} <= schema_types
    assert {cls.type_name for cls in all_subclasses(Event)} & schema_types == schema_types


@pytest.mark.parametrize("response", INVALID[1:])
def test_a_refused_response_raises_rasas_error(response: Any) -> None:
    rasa_hot_paths.install()
    action_responses.install()
    action = RemoteAction("action_view_cart", EndpointConfig("http://localhost"))
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(response)


def test_our_actions_responses_match_the_protocol(
    store: Store, assistant, loop, monkeypatch
) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    """Every response of a conversation that uses the catalog, a choice, the cart, a store
    question and checkout: valid for Rasa's own check, and accepted by the fast path."""
    context.configure(store.sessions)
    keyed = KeyedResponseCheck(SPEC)
    installed = RemoteAction._validate_action_result
    seen: list[dict[str, Any]] = []

    def recording(self: Any, result: dict[str, Any]) -> bool:
        seen.append(result)
        return installed(self, result)  # type: ignore[no-any-return]

    monkeypatch.setattr(RemoteAction, "_validate_action_result", recording)
    for text in CONVERSATION:  # the dialogue benchmark's conversation
        loop.run_until_complete(assistant.respond("protocol-check", text))
    assert len(seen) == len(CONVERSATION)
    assert any(response["events"] for response in seen)
    assert all(response["responses"] for response in seen)
    for response in seen:
        assert rasa_accepts(response), response
        assert keyed.accepts(response), response
