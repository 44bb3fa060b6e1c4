"""KL205's messages for the losses that do not compare labels with outputs elementwise-only:
CTC, Circle, Dice/Tversky and CategoricalGeneralizedCrossEntropy.

The outcomes come from ``keraslint.graph.losses.align`` (checked against Keras for every case in
tests/graph/test_loss_alignment.py); this module only words them. The cross-entropies and the
regression losses keep their own advice in ``keraslint.graph.contract``.
"""

from __future__ import annotations

from typing import Any

from keraslint.diagnostics import Severity
from keraslint.graph.layers import fmt_shape
from keraslint.graph.losses import LossSpec, Outcome

#: the kinds whose shape rule is not "broadcast the labels against the output"
OWN_RULES = frozenset({"ctc", "circle"})
#: the kinds that broadcast, and so may also train silently on a broadcast of equal rank
BROADCASTING = frozenset({"overlap", "one_hot"})

_WANTS = {
    "ctc": "ctc takes labels (batch, max_length) of class ids and logits (batch, timesteps, classes)",
    "circle": "circle takes one class id per sample, (batch,) or (batch, 1), and embeddings (batch, dims)",
}


def show_shape(shape: tuple | None) -> str:
    """A shape from ``keraslint.graph.losses`` for a message: its batch marker shown as None."""
    return fmt_shape(tuple(None if d == "N" else d for d in shape)) if shape is not None else "?"


def own_rule_problem(entry: LossSpec, outcome: Outcome, shown: str, output: tuple) -> tuple[str, Any] | None:
    """CTC and Circle: labels and outputs of the shapes the loss is defined for, or Keras stops."""
    if outcome.result != "raises":
        return None
    return (f"The {shown} and the model output {fmt_shape(output)} do not fit {entry.name}: {outcome.stops()}; "
            f"{_WANTS[entry.kind]}", Severity.ERROR)


def same_rank_problem(entry: LossSpec, outcome: Outcome, shown: str, output: tuple) -> tuple[str, Any] | None:
    """Dice, Tversky and CategoricalGeneralizedCrossEntropy with labels of the output's rank that
    are not its shape (other ranks get the shared lower/higher-rank messages)."""
    if entry.kind == "one_hot":
        classes = output[-1]
        if outcome.result == "raises":
            encoded = show_shape((*outcome.labels, classes)) if outcome.labels is not None else "?"
            return (f"{entry.class_name} one-hot encodes the {shown} itself, to {encoded}, which does not broadcast "
                    f"against the output {show_shape(outcome.output)}: {outcome.stops()}; give one "
                    f"class id per sample", Severity.ERROR)
        if outcome.result == "broadcast":
            encoded = show_shape((*outcome.labels, classes))
            return (f"{entry.class_name} one-hot encodes the {shown} itself, to {encoded}, and Keras broadcasts that "
                    f"against the output {show_shape(outcome.output)} silently ({loss_shape(outcome)}): "
                    + ("every output is compared with the label of every sample in the batch"
                       if outcome.mixes_samples else "the labels are repeated across the output")
                    + "; give one class id per sample without the trailing axis", Severity.WARNING)
        return None
    if outcome.result == "raises":
        return (f"The {shown} and the model output {fmt_shape(output)} differ in shape: with {entry.name} "
                f"{outcome.stops()} (they do not broadcast)", Severity.ERROR)
    if outcome.result == "broadcast":
        return (f"The {shown} and the model output {fmt_shape(output)} differ in shape: with {entry.name} Keras "
                f"broadcasts the labels {show_shape(outcome.labels)} against the output {show_shape(outcome.output)} silently "
                f"({loss_shape(outcome)})", Severity.WARNING)
    return None


def loss_shape(outcome: Outcome) -> str:
    """The per-sample loss a broadcast gives, in words (Dice's default sums the whole batch)."""
    return "one loss for the whole batch" if outcome.shape == () else f"a loss of shape {show_shape(outcome.shape)}"
