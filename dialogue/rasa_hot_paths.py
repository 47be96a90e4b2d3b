"""Two of Rasa's per-turn costs, found by profiling in-process turns and removed without
changing what Rasa does. Installed once by the runtime for the process that runs the
assistant; a stock `rasa run` elsewhere is untouched. `benchmarks/dialogue_turns.py` shows
the turn time with and without them side by side.

- Action responses: Rasa checks every custom action's response against the action server
  protocol's schema with `jsonschema.validate`, which first re-validates the schema itself
  against its meta-schema on every call (about three quarters of a turn, shared/FACTS.md).
  The schema never changes: it is checked once and compiled; each response is still
  validated in full, with the error Rasa raises.
- Event types: every stored event read back (the tracker store loads the conversation each
  turn) looks its class up by walking all of `Event`'s subclasses (~30 per event, about a
  fifth of a turn). The classes are indexed by type name once, in the same order Rasa walks
  them, so the first match is the one Rasa would find; a name not in the index falls back to
  Rasa's own walk.
"""

from __future__ import annotations

from typing import Any

_installed = False


def install() -> None:
    """Installs both (once per process)."""
    global _installed
    if _installed:
        return
    _compile_action_response_validation()
    _index_event_types()
    _installed = True


def _compile_action_response_validation() -> None:
    """Replaces `RemoteAction._validate_action_result` with a compiled validator."""
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    spec = RemoteAction.action_response_format_spec()
    validator_class = validator_for(spec)
    validator_class.check_schema(spec)  # what validate() repeated on every call
    validator = validator_class(spec)

    def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        try:
            validator.validate(result)
        except ValidationError as e:
            # The message Rasa's own validation gives.
            e.message += (
                ". Failed to validate Action server response from API, "
                "make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise
        return True

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


def _index_event_types() -> None:
    """Replaces `Event.resolve_by_type` with a lookup in an index built once."""
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    rasas_lookup = Event.resolve_by_type
    by_name: dict[str, Any] = {}
    for event_class in all_subclasses(Event):
        by_name.setdefault(event_class.type_name, event_class)

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        found = by_name.get(type_name)
        return found if found is not None else rasas_lookup(type_name, default)

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign,assignment]
