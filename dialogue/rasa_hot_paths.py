"""Three of Rasa's per-turn costs, found by profiling in-process turns and removed without
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
- Graph runs: every NLU parse and every policy prediction runs a part of the model's graph
  through `DaskGraphRunner`, which rebuilds the part from the schema, has dask order and
  schedule it, and formats all its inputs (the whole tracker) into a debug message whether
  or not debug logging is on (about a tenth of a turn over three runs). Dask's synchronous
  scheduler runs one node after another in the calling thread; so does this, in an order
  worked out once per set of targets: each node after the nodes it needs, each node given
  the same inputs, an input that no node provides passed as its name as dask does, and the
  same errors (a RuntimeError becomes Rasa's GraphRunError).
"""

from __future__ import annotations

from typing import Any

_installed = False
# Rasa's own `DaskGraphRunner.run`, kept so a test can compare the two.
rasas_graph_run: Any = None


def install() -> None:
    """Installs all three (once per process)."""
    global _installed
    if _installed:
        return
    _compile_action_response_validation()
    _index_event_types()
    _run_graphs_in_order()
    # A conversation's policy states kept between predictions (its own module: why there).
    from dialogue import policy_states, rasa_prediction_hot_paths

    policy_states.install()
    # Intent features and memoization keys (their own module: why there).
    rasa_prediction_hot_paths.install()
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


def _run_graphs_in_order() -> None:
    """Replaces `DaskGraphRunner.run` with a run of the needed nodes in a planned order."""
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    def plan(runner: Any, targets: tuple[str, ...]) -> list[tuple[str, Any, tuple[str, ...]]]:
        """(name, node, names of what it needs) in an order where needs come first; kept on
        the runner, whose schema and nodes never change."""
        plans = runner.__dict__.setdefault("_ordered_runs", {})
        if targets not in plans:
            schema_nodes = runner._graph_schema.nodes
            ordered: list[tuple[str, Any, tuple[str, ...]]] = []
            placed: set[str] = set()

            def place(name: str) -> None:
                if name in placed or name not in schema_nodes:
                    return  # done already, or an input rather than a node
                placed.add(name)
                needs = tuple(schema_nodes[name].needs.values())
                for need in needs:
                    place(need)
                ordered.append((name, runner._instantiated_nodes[name], needs))

            for target in targets:
                place(target)
            plans[targets] = ordered
        return plans[targets]

    def run(
        self: Any, inputs: dict[str, Any] | None = None, targets: list[str] | None = None
    ) -> dict[str, Any]:
        run_targets = targets if targets else self._graph_schema.target_names
        steps = plan(self, tuple(run_targets))
        outputs: dict[str, Any] = {}
        for input_name, input_value in (inputs or {}).items():
            if isinstance(input_value, str) and any(input_value == step[0] for step in steps):
                raise GraphRunError(
                    f"Input value '{input_value}' clashes with a node name. Make sure "
                    f"that none of the input names passed to the `run` method are the "
                    f"same as node names in the graph schema."
                )
            outputs[input_name] = (input_name, input_value)
        try:
            for name, node, needs in steps:
                outputs[name] = node(*(outputs.get(need, need) for need in needs))
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e
        return dict(outputs.get(target, target) for target in run_targets)

    global rasas_graph_run
    rasas_graph_run = DaskGraphRunner.run
    DaskGraphRunner.run = run  # type: ignore[method-assign]
