"""Action responses are still validated against the action server protocol after the schema
is compiled once: valid responses pass, invalid ones raise as Rasa's own check does."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from dialogue.action_validation import install_compiled_validation

VALID = {
    "events": [{"event": "slot", "name": "pending", "value": None}],
    "responses": [{"text": "Your cart is empty."}],
}


@pytest.fixture
def remote_action() -> RemoteAction:
    install_compiled_validation()
    return RemoteAction("action_view_cart", EndpointConfig("http://localhost"))


def test_a_valid_response_passes(remote_action: RemoteAction) -> None:
    assert remote_action._validate_action_result(VALID) is True
    assert remote_action._validate_action_result({"events": [], "responses": []}) is True


@pytest.mark.parametrize(
    "response",
    [
        {"events": "not a list", "responses": []},
        {"events": [{"name": "pending"}], "responses": []},  # an event without its type
        {"events": [], "responses": "hello"},
    ],
)
def test_an_invalid_response_is_refused(remote_action: RemoteAction, response: dict) -> None:
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        remote_action._validate_action_result(response)


def test_the_assistant_validates_with_the_compiled_schema(assistant) -> None:  # type: ignore[no-untyped-def]
    """Loading the assistant installs it (the stock path re-checks the schema on every call)."""
    assert RemoteAction._validate_action_result.__module__ == "dialogue.action_validation"
