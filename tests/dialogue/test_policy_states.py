"""The policies predict the same with the kept states (dialogue.policy_states) as with Rasa's
own: recorded 60-turn conversations (tests/dialogue/record_trackers.py) replayed prediction
by prediction, within a turn (one growing tracker) and across turns (a new tracker built
from the same event objects, as the conversation store gives each turn)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker

from dialogue import policy_states, rasa_hot_paths

TRACKERS = Path(__file__).resolve().parent / "trackers"
LONG = ["long_shopping", "long_mixed"]


def policies(assistant) -> list:  # type: ignore[no-untyped-def]
    nodes = assistant.agent.processor.graph_runner._instantiated_nodes
    found = [
        node._component
        for name, node in nodes.items()
        if name.startswith("run_") and name.endswith(("Policy0", "Policy1"))
    ]
    assert sorted(type(p).__name__ for p in found) == ["MemoizationPolicy", "RulePolicy"]
    return found


def predictions(policy_list, tracker, domain) -> list:  # type: ignore[no-untyped-def]
    out = []
    for policy in policy_list:
        rule_only = policy._get_rule_only_data() if hasattr(policy, "_get_rule_only_data") else {}
        p = policy.predict_action_probabilities(tracker, domain, rule_only_data=rule_only)
        out.append(
            (
                p.policy_name,
                p.probabilities,
                [e.as_dict() for e in p.events],
                p.is_end_to_end_prediction,
                p.is_no_user_prediction,
                p.hide_rule_turn,
            )
        )
    return out


@pytest.mark.parametrize("name", LONG)
def test_predictions_are_rasas_along_a_long_conversation(assistant, name: str) -> None:  # type: ignore[no-untyped-def]
    rasa_hot_paths.install()
    domain = assistant.agent.domain
    policy_list = policies(assistant)
    events = deserialise_events(json.loads((TRACKERS / f"{name}.json").read_text()))
    assert sum(isinstance(e, UserUttered) for e in events) == 60
    kept = Domain.states_for_tracker_history
    rasas = policy_states.rasas_states_for_tracker_history
    growing = DialogueStateTracker(name, domain.slots)
    compared = 0
    for index, event in enumerate(events):
        if isinstance(event, ActionExecuted):  # the policies predicted this action
            # Across turns: a new tracker on the same event objects.
            rebuilt = DialogueStateTracker.from_events(name, events[:index], domain.slots)
            try:
                Domain.states_for_tracker_history = rasas  # type: ignore[method-assign]
                expected = predictions(policy_list, growing, domain)
                expected_states = [
                    growing.past_states(domain, ignore_rule_only_turns=flag) for flag in (0, 1)
                ]
            finally:
                Domain.states_for_tracker_history = kept  # type: ignore[method-assign]
            for tracker in (growing, rebuilt):
                assert predictions(policy_list, tracker, domain) == expected, (name, index)
                assert [
                    tracker.past_states(domain, ignore_rule_only_turns=flag) for flag in (0, 1)
                ] == expected_states
            compared += 1
        growing.update(event)
    assert compared >= 120  # two actions or more per turn


def test_an_edited_history_is_recomputed(assistant) -> None:  # type: ignore[no-untyped-def]
    """Kept states are used only for the very same events: other events with the same
    sender get their own states."""
    rasa_hot_paths.install()
    domain = assistant.agent.domain
    events = deserialise_events(json.loads((TRACKERS / "long_mixed.json").read_text()))
    first = DialogueStateTracker.from_events("edited", events[:200], domain.slots)
    first.past_states(domain)
    copies = deserialise_events([e.as_dict() for e in events[:150]])
    second = DialogueStateTracker.from_events("edited", copies, domain.slots)
    rasas = policy_states.rasas_states_for_tracker_history
    assert second.past_states(domain) == rasas(domain, second)
    assert first.past_states(domain) == rasas(domain, first)
