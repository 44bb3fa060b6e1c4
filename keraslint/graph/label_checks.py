"""KL205's checks on what the labels hold (not their shape) and on the compile arguments that
name or count the model's outputs.

Every claim here was run under Keras 3 (tests/test_keras_claims.py, tests/graph/test_label_checks.py):

* a sparse cross-entropy casts its labels to integers (``tf.cast`` in the TensorFlow backend),
  so real-valued labels are truncated without a warning; values in [0, 1) all become class 0;
* binary cross-entropy takes any target: for one above 1 (or below 0) the loss keeps falling,
  below zero, as the prediction nears 1 (or 0), so the model trains on a meaningless loss;
* ``loss_weights`` must have one weight per loss (``compile_utils.CompileLoss.build``), a dict
  of weights next to a dict of losses one per output name; ``metrics`` as a dict for a model of
  several outputs may only name outputs (``CompileMetrics._build_metrics_set``). Keras checks
  all of these when it builds the compiled loss and metrics, at the first batch of ``fit``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from keraslint.diagnostics import Severity
from keraslint.graph.layers import fmt_shape
from keraslint.source.label_values import in_unit_interval, is_real, origin
from keraslint.source.values import VALUE_RANGE, Array, ListValue

#: the losses that compute their loss from the labels as integer class ids
SPARSE = frozenset({"sparse_categorical_crossentropy"})
#: the losses whose targets are probabilities in [0, 1]
BINARY = frozenset({"binary_crossentropy", "binary_focal_crossentropy"})
#: methods that compute the compiled loss (and metrics)
_LOSS_METHODS = frozenset({"fit", "fit_generator", "evaluate", "evaluate_generator", "train_on_batch",
                           "test_on_batch"})


def value_problems(feed: Any, labels: Array, units: Any, loss: str) -> Iterator[tuple[str, Any]]:
    """(message, severity) for labels whose values cannot mean what ``loss`` reads from them.
    Called only when Keras lines up their shape with the output."""
    shown = f"labels {fmt_shape(labels.shape)}" if labels.shape is not None else "labels"
    source = f" from {labels.source}" if labels.source else ""
    if loss in SPARSE and is_real(labels):
        how = origin(labels)
        made = f" ({how})" if how else ""
        if in_unit_interval(labels):
            consequence = ("Keras trains without an error, but it casts them to integer class ids and every "
                           "one of them becomes class 0")
        else:
            consequence = f"{loss} casts them to integer class ids, dropping the fraction"
        advice = "divide the inputs, not the labels" if how and "divided by" in how else \
            "give integer class ids" + (f" in [0, {units})" if isinstance(units, int) else "")
        yield f"The {shown}{source} are real numbers, not class ids{made}: {consequence}; {advice}", Severity.ERROR
        return
    bounds = labels.data.get(VALUE_RANGE)
    if loss in BINARY and isinstance(bounds, tuple) and (bounds[0] < 0 or bounds[1] > 2):
        low, high = bounds
        classes = ""
        if low == 0 and units == 1:
            classes = (f"; for {high} classes use Dense({high}, activation='softmax') with "
                       f"sparse_categorical_crossentropy")
        message = (f"The {shown}{source} are integers in [{low}, {high - 1}] but {loss} needs targets in [0, 1]: "
                   f"Keras trains without an error, but for a target outside [0, 1] the loss keeps falling below "
                   f"zero as the prediction nears 0 or 1, so it measures nothing{classes}")
        yield message, Severity.ERROR


def ids_beyond_units(bounds: tuple[int, int], units: int, ignore_class: Any) -> bool:
    """Whether ids drawn from [low, high) reach ``units`` other than the one ``ignore_class``
    masks (Keras replaces an ignored id by 0 before the cross-entropy sees it)."""
    if bounds[1] <= units:
        return False
    return not (isinstance(ignore_class, int) and bounds[1] == units + 1 and ignore_class == units)


def _names(feed: Any) -> list[str] | None:
    """The output names Keras uses for a functional model's list of outputs (None: not known)."""
    graph = feed.model.graph
    if graph.kind != "functional" or graph.outputs_keyed or not graph.complete:
        return None
    names = [t.node.layer.name if t.node.layer is not None else None for t in graph.outputs]
    if not names or None in names or len(set(names)) != len(names):
        return None
    return names


def _quoted(names: list[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)


def compile_problems(feed: Any, line_of: Any) -> Iterator[str]:
    """Messages for ``compile`` arguments that Keras cannot match with the outputs; they name
    the output. For the call that computes the loss, where Keras stops."""
    compiled = feed.use.compiled
    if compiled is None or feed.use.method not in _LOSS_METHODS:
        return
    names = _names(feed)

    def at() -> str:  # only for a message: a position costs a pass over the file the first time
        return f" (compiled at {line_of(compiled.node)})" if compiled.node is not None else ""

    losses = compiled.loss_count
    per_output = compiled.per_output
    if isinstance(per_output, dict) and names is not None:
        if set(per_output) != set(names):
            unknown = [k for k in per_output if k not in names]
            missing = [n for n in names if n not in per_output]
            what = f"names {_quoted(unknown)}, which the model does not output" if unknown else \
                f"has no loss for {_quoted(missing)}"
            yield (f"The `loss` dict{at()} {what} (its outputs are {_quoted(names)}): Keras stops at the first batch "
                   f"('Expected keys {names} in loss dict')")
            return
        losses = len(names)
    weights = compiled.loss_weights
    if isinstance(weights, dict) and isinstance(per_output, dict) and names is not None:
        missing = [n for n in names if n not in weights]
        if missing:
            yield (f"`loss_weights`{at()} has no weight for output '{missing[0]}' (it names "
                   f"{_quoted(list(weights)) or 'nothing'}): Keras stops at the first batch with a KeyError; "
                   f"give a weight for every output")
    elif isinstance(weights, (dict, ListValue, tuple)) and losses is not None:
        count = len(weights) if isinstance(weights, dict) else \
            len(weights.items) if isinstance(weights, ListValue) else len(weights)
        items = list(weights.values()) if isinstance(weights, dict) else \
            weights.items if isinstance(weights, ListValue) else list(weights)
        if count != losses and not any(isinstance(i, (dict, ListValue, tuple)) for i in items):
            single = "; a single loss counts once, however many outputs it is applied to" \
                if losses == 1 and per_output is None else ""
            yield (f"`loss_weights`{at()} has {count} weight{'s' if count != 1 else ''} for {losses} "
                   f"loss{'es' if losses != 1 else ''}{single}: Keras stops at the first batch ('`loss_weights` "
                   f"must match the number of losses, got {losses} losses and {count} weights')")
    outputs = len(feed.model.graph.outputs)
    if names is None or outputs < 2:
        return  # one output: Keras applies every metric to it, whatever the dict's keys
    for argument, keys in compiled.metric_keys.items():
        unknown = [k for k in keys if k not in names]
        if unknown:
            yield (f"`{argument}`{at()} names output '{unknown[0]}', which the model does not have (its outputs are "
                   f"{_quoted(names)}): Keras stops at the first batch ('Invalid `{argument}`')")
