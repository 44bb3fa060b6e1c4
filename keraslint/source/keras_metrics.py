"""Which accuracy Keras 3 computes for a ``compile(metrics=...)`` entry, and when it cannot
measure the model it is given to.

Modelled on Keras 3's ``keras/src/trainers/compile_utils.py`` (``get_metric`` and
``is_binary_or_sparse_categorical``) and ``keras/src/metrics/accuracy_metrics.py``;
tests/source/test_keras_metrics.py compares both with Keras.

The strings ``"accuracy"`` and ``"acc"`` (any case: Keras lower-cases them, so ``"Accuracy"``
too) are resolved from the shapes of the labels and the output, never from the loss: a 1-unit
output gets BinaryAccuracy (prediction > 0.5 equals the label), labels of lower rank than the
output or of width 1 get SparseCategoricalAccuracy, anything else CategoricalAccuracy (argmax
equals argmax). Every other spelling names one metric (``"binary_accuracy"``,
``keras.metrics.Accuracy()``, the exact-match one, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from keraslint.ir.graph import Shape

ACCURACY = "accuracy"
"""Exact match: ``keras.metrics.Accuracy``."""
BINARY = "binary_accuracy"
CATEGORICAL = "categorical_accuracy"
SPARSE = "sparse_categorical_accuracy"
TOP_K = "top_k_categorical_accuracy"
SPARSE_TOP_K = "sparse_top_k_categorical_accuracy"

# Keras's ALL_OBJECTS_DICT: class and function names of the accuracy metrics, case-sensitive.
_BY_NAME = {
    "Accuracy": ACCURACY, "accuracy": ACCURACY,
    "BinaryAccuracy": BINARY, "binary_accuracy": BINARY,
    "CategoricalAccuracy": CATEGORICAL, "categorical_accuracy": CATEGORICAL,
    "SparseCategoricalAccuracy": SPARSE, "sparse_categorical_accuracy": SPARSE,
    "TopKCategoricalAccuracy": TOP_K, "top_k_categorical_accuracy": TOP_K,
    "SparseTopKCategoricalAccuracy": SPARSE_TOP_K, "sparse_top_k_categorical_accuracy": SPARSE_TOP_K,
}
_DEFAULT_K = 5
# Output activations whose values are real numbers that essentially never equal a label exactly.
CONTINUOUS = frozenset({"linear", "sigmoid", "softmax", "tanh", "softplus", "softsign", "elu", "selu", "gelu",
                        "silu", "swish", "log_softmax", "exponential", "mish"})


@dataclass(frozen=True)
class MetricSpec:
    """One entry of ``metrics=`` as the script writes it."""

    name: str
    """The string, or the class/function/instance's class name (``BinaryAccuracy``)."""
    form: Literal["string", "class", "function", "object"]
    k: int | None = None
    """``k=`` of a top-k metric object, when given."""


@dataclass(frozen=True)
class Resolved:
    kind: str
    """Keras's metric function: ``binary_accuracy``, ``categorical_accuracy`` ..."""
    automatic: bool
    """Chosen by Keras from the shapes (the spelling was "accuracy"/"acc")."""
    k: int | None = None


def is_automatic(spec: MetricSpec) -> bool:
    return spec.form == "string" and spec.name.lower() in ("accuracy", "acc")


def resolve(spec: MetricSpec, y_true: Shape | None, y_pred: Shape | None) -> Resolved | None:
    """The accuracy Keras builds for ``spec`` given label and output shapes (batch axis
    included); None for a metric that is not an accuracy, or when the shapes that decide are
    not known."""
    if is_automatic(spec):
        kind = _automatic(y_true, y_pred)
        return Resolved(kind, True) if kind is not None else None
    kind = _BY_NAME.get(spec.name)
    if kind is None:
        return None
    k = (spec.k if spec.k is not None else _DEFAULT_K) if kind in (TOP_K, SPARSE_TOP_K) else None
    return Resolved(kind, False, k)


def _automatic(y_true: Shape | None, y_pred: Shape | None) -> str | None:
    if y_pred is None or not y_pred:
        return None
    if y_pred[-1] == 1:
        return BINARY
    if y_pred[-1] is None or y_true is None:
        return None
    if len(y_true) < len(y_pred):
        return SPARSE
    if not y_true or y_true[-1] is None:
        return None
    return SPARSE if y_true[-1] == 1 else CATEGORICAL


def labels_fit(kind: str, y_true: Shape | None, y_pred: Shape | None) -> bool:
    """Whether Keras can compare labels of this shape with the output at all. A sparse accuracy
    wants one class id per sample, binary, exact and top-k accuracy a label per output unit;
    otherwise the metric
    raises on the first batch (a crash, not a meaningless number). Unknown shapes fit."""
    if y_true is None or y_pred is None or not y_true or not y_pred:
        return True
    if kind in (SPARSE, SPARSE_TOP_K):
        return not (len(y_true) == len(y_pred) and y_true[-1] is not None and y_true[-1] > 1)
    if kind == CATEGORICAL:
        return True  # it takes the argmax of the labels, whatever their shape (KL402 says what that means)
    return not (len(y_true) < len(y_pred) and y_pred[-1] is not None and y_pred[-1] > 1)


@dataclass(frozen=True)
class Meaningless:
    reason: str
    cause: Literal["exact", "one_unit", "top_k", "class_ids", "real"]


def meaningless(metric: Resolved, units: int | None, activation: str | None, real_labels: bool,
                class_ids: bool = False, labels: str = "the labels") -> Meaningless | None:
    """Why ``metric`` cannot measure this model (None when it can, or when that is not known).

    ``units`` is the output's last dimension, ``activation`` the output layer's (None when
    unknown), ``real_labels`` whether the labels are known to be real-valued (regression
    targets), so never exactly 0, 1 or a class index, ``class_ids`` whether they are known to be
    integer class ids (not one-hot); ``labels`` is how the message names them. Each case is a
    metric that gives a good and a bad model the same value, or a good one no credit
    (tests/source/test_keras_metrics.py runs them)."""
    kind = metric.kind
    if kind == ACCURACY and activation in CONTINUOUS:
        return Meaningless(f"it counts predictions exactly equal to the label, and a {activation} output is a real "
                           f"number that practically never is: it stays near 0 however good the model", "exact")
    if kind == CATEGORICAL and units == 1:
        return Meaningless("it compares the argmax of the labels with the argmax of a 1-unit output, which is always "
                           "0: it is the same number whatever the model predicts", "one_unit")
    if kind == SPARSE and units == 1:
        return Meaningless("the argmax of a 1-unit output is always 0, so it only counts the labels that are 0, "
                           "whatever the model predicts", "one_unit")
    if kind in (TOP_K, SPARSE_TOP_K) and units is not None and metric.k is not None and metric.k >= units:
        return Meaningless(f"with k={metric.k} and {units} output units every class is in the top k: it is always "
                           f"1.0", "top_k")
    if class_ids and units is not None and units > 1:
        if kind in (CATEGORICAL, TOP_K):
            return Meaningless(f"it reads the labels as one-hot (their argmax), but {labels} are class ids: it "
                               f"measures how often the model predicts one fixed class", "class_ids")
        if kind == BINARY:
            return Meaningless(f"it compares each of the {units} thresholded units with the label, but {labels} are "
                               f"class ids, not one 0/1 per unit", "class_ids")
    if real_labels and kind == BINARY:
        return Meaningless(f"it counts predictions on the same side of 0.5 as labels that are exactly 0 or 1, and "
                           f"{labels} are real-valued: it stays near 0 however good the model", "real")
    if real_labels and kind in (SPARSE, SPARSE_TOP_K):
        return Meaningless(f"it compares class indices with the labels, and {labels} are real-valued: it stays "
                           f"near 0", "real")
    if real_labels and kind == ACCURACY:
        return Meaningless(f"it counts predictions exactly equal to the label, and {labels} are real-valued: it "
                           f"stays near 0", "real")
    return None
