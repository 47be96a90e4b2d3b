"""Rasa behaves the same with the hot-path fixes: action responses are still validated against
the action server protocol (valid pass, invalid raise as Rasa's own check does), and events
read back resolve to the classes Rasa's own lookup finds; graph runs give what dask's give."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import (
    ActionExecuted,
    Event,
    SlotSet,
    UserUttered,
    deserialise_events,
)
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from dialogue import rasa_hot_paths

VALID = {
    "events": [{"event": "slot", "name": "pending", "value": None}],
    "responses": [{"text": "Your cart is empty."}],
}


@pytest.fixture
def remote_action() -> RemoteAction:
    rasa_hot_paths.install()
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
    # dialogue.action_responses checks first and hands what it does not accept to this one.
    full_check = RemoteAction._validate_action_result.full_check  # type: ignore[attr-defined]
    assert full_check.__module__ == "dialogue.rasa_hot_paths"
    assert Event.resolve_by_type.__module__ == "dialogue.rasa_hot_paths"


def test_event_types_resolve_as_rasa_resolves_them() -> None:
    rasa_hot_paths.install()
    for event_class in all_subclasses(Event):
        name = event_class.type_name
        rasas = next(c for c in all_subclasses(Event) if c.type_name == name)
        assert Event.resolve_by_type(name) is rasas
    assert Event.resolve_by_type("topic") is None  # Rasa's own fallbacks stay
    assert Event.resolve_by_type("no-such-event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no-such-event")
    # A whole tracker round trip gives the same events.
    events = [
        UserUttered("hi", {"name": "greet"}),
        SlotSet("pending", {"kind": "x"}),
        ActionExecuted("action_listen"),
    ]
    assert deserialise_events([e.as_dict() for e in events]) == events


def test_graph_runs_give_what_dask_gives(assistant, runner, loop) -> None:  # type: ignore[no-untyped-def]
    """Parses and predictions through the planned order equal Rasa's dask runs, turn by turn
    of a conversation that uses the catalog, a choice and the cart."""
    from rasa.core.channels.channel import UserMessage
    from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
    from rasa.engine.runner.dask import DaskGraphRunner

    assert DaskGraphRunner.run.__module__ == "dialogue.rasa_hot_paths"
    processor = assistant.agent.processor
    graph = processor.graph_runner
    nlu, core = processor.model_metadata.nlu_target, processor.model_metadata.core_target
    for text in ("hi", "two croissants and some milk", "the oat one", "what's in my cart"):
        loop.run_until_complete(assistant.respond("graph-runs", text))
        tracker = loop.run_until_complete(
            processor.fetch_tracker_with_initial_session("graph-runs")
        )
        for inputs, target in (
            ({PLACEHOLDER_MESSAGE: [UserMessage(text)], PLACEHOLDER_TRACKER: tracker}, nlu),
            ({PLACEHOLDER_TRACKER: tracker}, core),
        ):
            ours = graph.run(inputs=inputs, targets=[target])
            dasks = rasa_hot_paths.rasas_graph_run(graph, inputs=inputs, targets=[target])
            assert set(ours) == set(dasks) == {target}
            if target == nlu:
                assert ours[nlu][0].as_dict() == dasks[nlu][0].as_dict()
            else:
                assert ours[core].probabilities == dasks[core].probabilities
                assert ours[core].policy_name == dasks[core].policy_name


def test_intent_features_and_memoization_keys_are_rasas(assistant, loop) -> None:  # type: ignore[no-untyped-def]
    """The classifier's input matrix built from sentence features alone equals the one Rasa
    builds from all features, and so do the intent rankings; memoization keys kept for seen
    states equal freshly computed ones."""
    from rasa.core.channels.channel import UserMessage
    from rasa.core.policies.memoization import MemoizationPolicy
    from rasa.engine.constants import PLACEHOLDER_MESSAGE
    from rasa.nlu.classifiers.logistic_regression_classifier import (
        LogisticRegressionClassifier,
    )
    from rasa.shared.nlu.constants import TEXT
    from scipy.sparse import csr_matrix, hstack, vstack

    from dialogue.rasa_prediction_hot_paths import sentence_features_matrix

    def rasas_matrix(messages: list) -> csr_matrix:  # Rasa 3.6's _create_X, verbatim
        rows = []
        for e in messages:
            sparse_feats = e.get_sparse_features(attribute=TEXT)[1]
            dense_feats = e.get_dense_features(attribute=TEXT)[1]
            rows.append(
                hstack(
                    [
                        csr_matrix(sparse_feats.features if sparse_feats else []),
                        csr_matrix(dense_feats.features if dense_feats else []),
                    ]
                )
            )
        return vstack(rows)

    assert LogisticRegressionClassifier._create_X.__module__ == "dialogue.rasa_prediction_hot_paths"
    processor = assistant.agent.processor
    graph = processor.graph_runner
    nodes = processor.graph_runner._instantiated_nodes  # type: ignore[attr-defined]
    classifier_node = next(name for name in nodes if "LogisticRegressionClassifier" in name)
    classifier = nodes[classifier_node]._component  # type: ignore[attr-defined]
    needs = graph._graph_schema.nodes[classifier_node].needs  # type: ignore[attr-defined]
    for text in ("hi", "two croissants and some milk", "where is my order", "no thanks"):
        inputs = {PLACEHOLDER_MESSAGE: [UserMessage(text)]}
        before = graph.run(inputs=inputs, targets=list(needs.values()))
        messages = next(iter(before.values()))
        ours, rasas = sentence_features_matrix(messages), rasas_matrix(messages)
        assert ours.shape == rasas.shape and (ours != rasas).nnz == 0
        assert (classifier.clf.predict_proba(ours) == classifier.clf.predict_proba(rasas)).all()

    policy = MemoizationPolicy.__new__(MemoizationPolicy)
    policy.config = {"enable_feature_string_compression": True}
    states = [{"user": {"intent": "add_item"}, "prev_action": {"action_name": "action_listen"}}]
    first = policy._create_feature_key(states)
    assert policy._create_feature_key([dict(s) for s in states]) == first
    import base64
    import json
    import zlib

    fresh = json.dumps(states, sort_keys=True).replace('"', "")
    assert first == base64.b64encode(zlib.compress(fresh.encode())).decode()
