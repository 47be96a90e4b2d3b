"""Rasa checks every custom action's response against the action server protocol's schema
with `jsonschema.validate`, which first re-validates the schema itself against its meta-schema
on every call: about three quarters of a turn's time here (shared/FACTS.md, profiled).

The schema never changes, so it is checked once and compiled into one validator; each response
is still validated in full, with the same error Rasa raises. Installed by the runtime for the
process that runs the assistant; a stock `rasa run` elsewhere is untouched.
"""

from __future__ import annotations

from typing import Any

_installed = False


def install_compiled_validation() -> None:
    """Replaces `RemoteAction._validate_action_result` with a compiled validator (once)."""
    global _installed
    if _installed:
        return
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
    _installed = True
