"""Custom actions' responses checked against the action server protocol, cheaply.

Rasa checks every custom action's response against the protocol's schema. Even compiled
(dialogue.rasa_hot_paths), that check costs about 3 ms a turn: every event is tried against
all ~23 event schemas of a `oneOf`. Each of those schemas fixes `event` to its own constant,
so at most one can match an event: the one its `event` names. `KeyedResponseCheck` validates
each event against that one schema (and the schema's common properties) and the rest of the
response against the rest of the schema: exactly what the `oneOf` accepts. Anything it does
not accept goes to the full check, which raises Rasa's own error; so answers and errors are
those of the full check.
"""

from __future__ import annotations

from typing import Any

from jsonschema.protocols import Validator

_installed = False


def _compiled(schema: dict[str, Any]) -> Validator:
    from jsonschema.validators import validator_for

    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)  # type: ignore[no-any-return]


class KeyedResponseCheck:
    """The response schema with its `oneOf` over event types looked up by the `event` key."""

    def __init__(self, response_schema: dict[str, Any]) -> None:
        events_schema = response_schema["properties"]["events"]
        event_schema = events_schema["items"]
        common = {key: value for key, value in event_schema.items() if key != "oneOf"}
        self.by_type: dict[str, Validator] = {}
        for alternative in event_schema["oneOf"]:
            type_name = alternative["properties"]["event"]["const"]
            if type_name in self.by_type:
                raise ValueError(f"two event schemas for {type_name!r}: not keyed by type")
            self.by_type[type_name] = _compiled({"allOf": [common, alternative]})
        rest = dict(response_schema)
        rest["properties"] = {
            **response_schema["properties"],
            "events": {key: value for key, value in events_schema.items() if key != "items"},
        }
        self.rest = _compiled(rest)

    def accepts(self, response: Any) -> bool:
        """True: the full schema accepts it too. False: ask the full schema (it may not)."""
        if not self.rest.is_valid(response):
            return False
        for event in response.get("events") or []:
            type_name = event.get("event") if isinstance(event, dict) else None
            validator = self.by_type.get(type_name) if isinstance(type_name, str) else None
            if validator is None or not validator.is_valid(event):
                return False
        return True


def install() -> None:
    """Puts the keyed check before whatever `RemoteAction._validate_action_result` is now (Rasa's
    own, or dialogue.rasa_hot_paths' compiled one): responses it accepts pass at once, the
    others get the full check and its error. Once per process."""
    global _installed
    if _installed:
        return
    from rasa.core.actions.action import RemoteAction

    keyed = KeyedResponseCheck(RemoteAction.action_response_format_spec())
    full_check = RemoteAction._validate_action_result

    def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        if keyed.accepts(result):
            return True
        return full_check(self, result)  # type: ignore[no-any-return]

    validate_action_result.full_check = full_check  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    _installed = True
