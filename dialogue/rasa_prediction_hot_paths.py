"""Two more of Rasa's per-turn costs inside the model's graph, found by profiling `voxcart
serve` and in-process turns (cProfile over 100 turns of `benchmarks/dialogue_turns.py`), and
removed without changing any result. Installed with `dialogue.rasa_hot_paths`.

- Intent features: `LogisticRegressionClassifier` asks the message for its sparse features,
  which combines the sequence features (one row per token, several scipy `hstack`s and a deep
  copy) as well as the sentence features, and then uses only the sentence features. Here only
  the sentence features are combined, in the same order with the same `hstack`, so the
  classifier sees the same matrix (a test compares both matrices and the intent rankings).
- Memoization keys: `MemoizationPolicy` turns the last states into a key by dumping them as
  JSON and compressing that with zlib on every prediction (twice a turn), and deep-copies the
  states for a debug log line whether or not debug logging is on. The compressed key is a pure
  function of the JSON text, so it is kept for recently seen texts; the copy is made only
  when the debug line would be written.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

# Distinct state sequences whose compressed key is kept (a few hundred bytes each).
KEPT_FEATURE_KEYS = 4096


def install() -> None:
    _combine_only_sentence_features()
    _keep_memoization_keys()


def sentence_features_matrix(messages: list[Any]) -> Any:
    """What Rasa's `LogisticRegressionClassifier._create_X` builds, from the sentence features
    alone: per message, its sparse TEXT sentence features joined left to right (Rasa's
    `Features.combine_with_features` order), then its dense ones, stacked by row."""
    from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
    from scipy.sparse import csr_matrix, hstack, vstack

    rows = []
    for message in messages:
        sentence = [
            f for f in message.features if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE
        ]
        sparse = [f.features for f in sentence if f.is_sparse()]
        dense = [f.features for f in sentence if f.is_dense()]
        joined_sparse = sparse[0] if len(sparse) == 1 else hstack(sparse) if sparse else []
        joined_dense = dense[0] if len(dense) == 1 else _concatenate(dense) if dense else []
        rows.append(hstack([csr_matrix(joined_sparse), csr_matrix(joined_dense)]))
    return vstack(rows)


def _concatenate(dense: list[Any]) -> Any:
    import numpy as np

    return np.concatenate(dense, axis=-1)


def _combine_only_sentence_features() -> None:
    from rasa.nlu.classifiers.logistic_regression_classifier import (
        LogisticRegressionClassifier,
    )

    def create_x(self: Any, messages: list[Any]) -> Any:
        return sentence_features_matrix(messages)

    LogisticRegressionClassifier._create_X = create_x  # type: ignore[method-assign]


def _keep_memoization_keys() -> None:
    import copy
    import json

    from rasa.core.policies import memoization
    from rasa.core.policies.memoization import MemoizationPolicy

    rasas_key = MemoizationPolicy._create_feature_key
    kept: OrderedDict[str, str | None] = OrderedDict()

    def create_feature_key(self: Any, states: list[Any]) -> str | None:
        if not states or not self.config["enable_feature_string_compression"]:
            return rasas_key(self, states)
        text = json.dumps(states, sort_keys=True)
        key = kept.get(text)
        if key is None:
            key = rasas_key(self, states)
            kept[text] = key
            if len(kept) > KEPT_FEATURE_KEYS:
                kept.popitem(last=False)
        return key

    def predict_action_probabilities(
        self: Any,
        tracker: Any,
        domain: Any,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        # Rasa's method, with the debug line's deep copy made only when it is written.
        result = self._default_predictions(domain)
        states = self._prediction_states(tracker, domain, rule_only_data=rule_only_data)
        if memoization.logger.isEnabledFor(logging.DEBUG):
            memoization.structlogger.debug(
                "memoization.predict.actions", tracker_states=copy.deepcopy(states)
            )
        predicted = self.recall(states, tracker, domain, rule_only_data=rule_only_data)
        if predicted is not None:
            memoization.logger.debug(f"There is a memorised next action '{predicted}'")
            result = self._prediction_result(predicted, tracker, domain)
        else:
            memoization.logger.debug("There is no memorised next action")
        return self._prediction(result)

    MemoizationPolicy._create_feature_key = create_feature_key  # type: ignore[method-assign]
    MemoizationPolicy.predict_action_probabilities = predict_action_probabilities  # type: ignore[method-assign]
