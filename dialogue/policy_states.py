"""Rasa's policies given a conversation's states without re-deriving its whole history.

MemoizationPolicy and RulePolicy predict from `Domain.states_for_tracker_history`, which
replays every event of the conversation session into a fresh tracker and builds a state
before each action, on every prediction (two or three per turn, each policy asking once or
twice): about 6 ms of a turn at turn 1, 30 ms at turn 60. The states before an action never
change once that action is in the history, so here they are kept per sender and only the
events added since are replayed. It is Rasa's own computation, step by step (the same
replay, the same per-state rules for hiding rule-only turns): kept progress is used only
when the events it was computed from are the very same event objects, in the same order, at
the start of the tracker's applied events (the conversation store hands every turn the same
event objects, `dialogue.conversation_store`); otherwise it is recomputed from the start.
Callers edit the states they get back (Rasa deletes the user text or intent of states in
place), so each call gets its own copies of the user parts, shared where Rasa shares them.
`tests/dialogue/test_policy_states.py` replays recorded long conversations through both.
"""

from __future__ import annotations

import json
import operator
from collections import OrderedDict
from typing import Any

# Senders whose states are kept (least recently used dropped).
KEPT_CONVERSATIONS = 256

# Rasa's own `Domain.states_for_tracker_history`, kept so tests can compare the two.
rasas_states_for_tracker_history: Any = None


class StatesSoFar:
    """Rasa's loop in `states_for_tracker_history`, one prior tracker at a time."""

    def __init__(self, domain: Any, tracker: Any, options: tuple[bool, bool, Any]) -> None:
        self.domain = domain
        self.omit_unset_slots, self.ignore_rule_only_turns, self.rule_only_data = options
        self.replayed = tracker.init_copy()  # the prior tracker, advanced event by event
        self.applied: list[Any] = []  # the events replayed so far
        self.states: list[Any] = []
        self.last_ml_action_sub_state: Any = None
        self.turn_was_hidden = False

    def advance(self, events: list[Any]) -> None:
        from rasa.shared.core.events import ActionExecuted

        for event in events:
            if isinstance(event, ActionExecuted):
                state = self._state(self.replayed, event.hide_rule_turn, commit=True)
                if state is not None:
                    self.states.append(state)
            self.replayed.update(event)
            self.applied.append(event)

    def states_now(self) -> list[Any]:
        """The states with the final one (the tracker after every event), as Rasa yields
        it last; the kept progress is not changed by it."""
        final = self._state(self.replayed, False, commit=False)
        return self.states + [final] if final is not None else list(self.states)

    def _state(self, tr: Any, hide_rule_turn: bool, *, commit: bool) -> Any:
        domain = self.domain
        last_ml_action_sub_state = self.last_ml_action_sub_state
        turn_was_hidden = self.turn_was_hidden
        if self.ignore_rule_only_turns:
            if not turn_was_hidden:
                last_ml_action_sub_state = domain._get_prev_action_sub_state(tr)
            if not tr.followup_action and not tr.latest_action_name == tr.active_loop_name:
                turn_was_hidden = hide_rule_turn
        if commit:
            self.last_ml_action_sub_state = last_ml_action_sub_state
            self.turn_was_hidden = turn_was_hidden
        if self.ignore_rule_only_turns and turn_was_hidden:
            return None
        state = domain.get_active_state(tr, omit_unset_slots=self.omit_unset_slots)
        if self.ignore_rule_only_turns:
            from rasa.shared.core.constants import PREVIOUS_ACTION

            domain._remove_rule_only_features(state, self.rule_only_data)
            if self.states:
                domain._substitute_rule_only_user_input(state, self.states[-1])
            if last_ml_action_sub_state:
                state[PREVIOUS_ACTION] = last_ml_action_sub_state
        return domain._clean_state(state)


class KeptStates:
    """Per sender, per set of options: the progress over its applied events."""

    def __init__(self, limit: int = KEPT_CONVERSATIONS) -> None:
        self.limit = limit
        self._by_sender: OrderedDict[Any, dict[Any, StatesSoFar]] = OrderedDict()

    def states(self, domain: Any, tracker: Any, options: tuple[bool, bool, Any]) -> list[Any]:
        applied = tracker.applied_events()
        sender = (tracker.sender_id, tracker.is_rule_tracker)
        by_options = self._by_sender.setdefault(sender, {})
        self._by_sender.move_to_end(sender)
        while len(self._by_sender) > self.limit:
            self._by_sender.popitem(last=False)
        key = json.dumps(options, sort_keys=True, default=repr)
        progress = by_options.get(key)
        if progress is None or not _continues(progress, domain, applied):
            progress = by_options[key] = StatesSoFar(domain, tracker, options)
        progress.advance(applied[len(progress.applied) :])
        return _own_copies(progress.states_now())


def _continues(progress: StatesSoFar, domain: Any, applied: list[Any]) -> bool:
    done = progress.applied
    return (
        progress.domain is domain
        and len(done) <= len(applied)
        and all(map(operator.is_, done, applied))
    )


def _own_copies(states: list[Any]) -> list[Any]:
    """The states with their user parts copied (the parts Rasa's callers edit), a part shared
    by two states still shared by their copies."""
    from rasa.shared.core.constants import USER

    copies: dict[int, Any] = {}
    out = []
    for state in states:
        user = state.get(USER)
        if user is None:
            out.append(dict(state))
            continue
        if id(user) not in copies:
            copies[id(user)] = dict(user)
        out.append({**state, USER: copies[id(user)]})
    return out


def install() -> None:
    """Replaces `Domain.states_for_tracker_history` with the kept states (once)."""
    global rasas_states_for_tracker_history
    from rasa.shared.core.domain import Domain

    if rasas_states_for_tracker_history is not None:
        return
    kept = KeptStates()

    def states_for_tracker_history(
        self: Any,
        tracker: Any,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: dict[str, Any] | None = None,
    ) -> list[Any]:
        return kept.states(
            self, tracker, (omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        )

    rasas_states_for_tracker_history = Domain.states_for_tracker_history
    Domain.states_for_tracker_history = states_for_tracker_history  # type: ignore[method-assign]
