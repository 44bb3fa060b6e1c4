"""The data/model contract: compare what a model is fed with what it declares and outputs.

One comparison per feed decides which rule a disagreement belongs to (an input one rank
short is a missing channel axis, not a generic shape mismatch), so each data rule only
filters ``Problem``s by code and no two rules report the same thing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import libcst as cst

from keraslint.diagnostics import Severity
from keraslint.graph.feeding import SINGLE_SAMPLE_METHODS, Feed
from keraslint.graph.label_checks import (
    compile_problems,
    ids_beyond_units,
    value_problems,
)
from keraslint.graph.layers import (
    CONVOLUTIONS,
    RECURRENT,
    TRANSPOSED,
    channels_last,
    layout_known,
    fmt_shape,
)
from keraslint.graph.losses import DEFAULT_AXIS, Outcome, align, spec
from keraslint.graph.propagate import NodeResult
from keraslint.graph.scaling import Scaling, input_scaling
from keraslint.graph.special_losses import (
    BROADCASTING,
    OWN_RULES,
    loss_shape,
    show_shape,
    own_rule_problem,
    same_rank_problem,
)
from keraslint.ir.graph import Layer, Node, Shape
from keraslint.plural import plural
from keraslint.source.training import REGRESSION_LOSSES, Loss
from keraslint.source.values import (
    ONE_HOT_BY,
    VALUE_RANGE,
    Array,
    FromOption,
    ListValue,
)
from keraslint.values import UNKNOWN

_IMAGE_CHANNELS = (1, 3, 4)


@dataclass
class Problem:
    code: str
    message: str
    node: cst.CSTNode | None = field(repr=False)
    #: for KL203: the expression that declares the shape (``X.shape``), which a fix can slice
    declaration: cst.BaseExpression | None = field(default=None, repr=False)
    #: the model graph the problem is about
    graph_id: int | None = None
    #: overrides the rule's severity (a case Keras accepts is a warning, not an error)
    severity: Any = None


def _with_default(*dims: Any) -> str:
    """``with the default `--channels 6``` for the numbers that are argparse option defaults
    (cli_args makes them FromOption): the finding holds for a run without options."""
    options = dict.fromkeys(f"`{d.option} {int(d)}`" for d in dims if isinstance(d, FromOption))
    return f" with the default {' and '.join(options)}" if options else ""


def _built_at(array: Array, line_of: Any) -> str:
    if array.node is None:
        return ""
    return f" (built at {line_of(array.node)})"


def _declared_at(feed: Feed, index: int, line_of: Any) -> str:
    """Where the model's input shape is written: the layer with input_shape=, or the Input."""
    layer = _first_layer(feed, index)
    node = layer.node if layer is not None and layer.declared_input is not None else \
        feed.model.graph.inputs[index].node.node
    return f" (declared at {line_of(node)})" if node is not None else ""


def _declaration(feed: Feed, index: int) -> cst.BaseExpression | None:
    """The argument that declares the input shape: `input_shape=`/`batch_input_shape=` on the
    first layer, or `shape=` (or the first argument) of `keras.Input`."""
    layer = _first_layer(feed, index)
    calls = []
    if layer is not None and isinstance(layer.node, cst.Call):
        calls.append((layer.node, ("input_shape", "batch_input_shape"), False))
    head = feed.model.graph.inputs[index].node.node
    if isinstance(head, cst.Call):
        calls.append((head, ("shape", "batch_shape"), True))
    for call, keywords, positional in calls:
        for position, arg in enumerate(call.args):
            if (arg.keyword is not None and arg.keyword.value in keywords) or (
                    positional and arg.keyword is None and position == 0 and not arg.star):
                return arg.value
    return None


def _first_layer(feed: Feed, index: int) -> Layer | None:
    start = feed.model.graph.inputs[index].node
    for node in feed.model.order:
        if node.layer is not None and any(t.node is start for t in node.inputs):
            return node.layer
    return None


def _channel_axis(feed: Feed, index: int, rank: int) -> int | None:
    """The channel axis of a model input of this rank (None for flat feature vectors)."""
    if rank < 3:
        return None
    layer = _first_layer(feed, index)
    if layer is not None and layer.kind in CONVOLUTIONS and not layout_known(layer):
        return None  # after a set_image_data_format keraslint could not follow
    if layer is not None and layer.kind in CONVOLUTIONS and not channels_last(layer):
        return 1
    return rank - 1


def input_problems(feed: Feed, line_of: Any) -> Iterator[Problem]:
    for index, (array, declared) in enumerate(zip(feed.inputs, feed.declared_inputs)):
        if array is None or array.shape is None or declared is None:
            continue
        problem = _compare_input(feed, index, array, declared, line_of)
        if problem is not None:
            yield problem
    yield from _sample_counts(feed)


def _compare_input(feed: Feed, index: int, array: Array, declared: Shape, line_of: Any) -> Problem | None:
    data = array.shape
    assert data is not None
    if not data:
        return None  # a 0-d array (np.array(5.0)) has no sample axis to compare: unknown, no claim
    want = declared[1:]
    node = feed.x_node
    def built() -> str:  # positions cost a whole-file pass: only when a problem is reported
        return _built_at(array, line_of)

    method = feed.use.method
    if array.source == "--input-shape" and len(data) == len(declared) - 1 and _matches(want, data):
        # the command line described the data without its batch axis (a saved model has no
        # declaration of the user's to blame): say so instead of a KL203 about the model
        return Problem("KL201", f"--input-shape {','.join(map(str, data))} has no batch axis: the model takes "
                                f"{fmt_shape(declared)}; give it first, e.g. --input-shape "
                                f"32,{','.join('None' if d is None else str(d) for d in data)}", node)
    # KL203: the declared shape is the data's full shape, sample axis included. (For predict
    # and model(x) the same shapes mean a single sample without its batch axis: KL201 below.)
    if array.source != "--input-shape" and len(want) == len(data) and want[0] is not None and want[0] == data[0] and len(data) >= 2 \
            and method not in SINGLE_SAMPLE_METHODS:
        if all(w == d for w, d in zip(want[1:], data[1:]) if w is not None and d is not None):
            return Problem("KL203", f"The model input is declared as {fmt_shape(want)}, the full shape of the data "
                                    f"{fmt_shape(data)}{built()} including its {plural(data[0], 'sample')}; declare "
                                    f"{fmt_shape(want[1:])} (e.g. `input_shape=X.shape[1:]`)",
                           _declaration(feed, index) or node, _declaration(feed, index), feed.model.graph.id)
    if array.source != "--input-shape" and method not in SINGLE_SAMPLE_METHODS and want and want[0] is not None \
            and want[0] == data[0] and want[0] > 1 and tuple(want) != tuple(data[1:]):
        consequence, stops = _consequence(feed, index, data) if len(data) == len(declared) else ("", None)
        return Problem("KL203", f"The model input is declared as {fmt_shape(want)}, whose first entry {want[0]} is "
                                f"the number of samples in the data {fmt_shape(data)}{built()}; Keras adds the sample "
                                f"axis itself: declare {fmt_shape(data[1:])} (e.g. `input_shape=X.shape[1:]`)"
                                f"{consequence}",
                       _declaration(feed, index) or node, _declaration(feed, index), feed.model.graph.id,
                       severity=Severity.WARNING if stops is False else None)
    if len(data) == len(declared):
        channel = _channel_axis(feed, index, len(declared))
        differ = [axis for axis in range(1, len(declared))
                  if declared[axis] is not None and data[axis] is not None and declared[axis] != data[axis]]
        if not differ:
            return None
        if _channels_first_swap(declared, data):
            return Problem("KL207", f"The data {fmt_shape(data)}{built()} is channels-first but the model "
                                    f"expects channels-last {fmt_shape(declared)}; transpose it, e.g. "
                                    f"`x.transpose(0, 2, 3, 1)`", node)
        # The channel axis first: swapped (timesteps, channels) data differs on every axis, and
        # it is the channels that the first layer's weights were built for.
        if channel in differ:
            w, d = declared[channel], data[channel]
            swapped = ""
            if len(data) == 3 and data[1:] == declared[:0:-1]:
                swapped = "; the timesteps and channel axes look swapped (`x.transpose(0, 2, 1)`)"
            return Problem("KL202", f"The data has {d} channel{'' if d == 1 else 's'} {fmt_shape(data)}{built()} "
                                    f"but the model input "
                                    f"was declared for {w} {fmt_shape(declared)}"
                                    f"{_declared_at(feed, index, line_of)}{_with_default(d, w)}"
                                    f"{_channel_consequence(feed, index)}"
                                    f"{swapped}", node)
        axis = differ[0]
        w, d = declared[axis], data[axis]
        axes = f"axes {', '.join(map(str, differ))}" if len(differ) > 1 else f"axis {axis}"
        consequence, stops = _consequence(feed, index, data)
        # Keras trains on it: very likely wrong (not what was declared), but not a crash
        severity = Severity.WARNING if stops is False else None
        return Problem("KL201", f"The data {fmt_shape(data)}{built()} differs from the declared model input "
                                f"{fmt_shape(declared)}{_declared_at(feed, index, line_of)} on {axes} ({d} vs {w})"
                                f"{_with_default(*(data[a] for a in differ), *(declared[a] for a in differ))}"
                                f"{consequence}", node, severity=severity)
    if len(data) == len(declared) - 1:
        if declared[-1] == 1 and _matches(want[:-1], data[1:]):
            # Keras 3 adds a missing trailing axis of size 1 itself (and trains); checked before the
            # single sample: `predict(v)` of a vector `v` on a model of input (None, 1) is v's samples
            return None
        if method in SINGLE_SAMPLE_METHODS and _matches(want, data):
            return Problem("KL201", f"`{method}` gets a single sample {fmt_shape(data)}{built()} without the batch "
                                    f"axis; the model expects {fmt_shape(declared)}: pass `x[None]` or "
                                    f"`np.expand_dims(x, 0)`", node)
    if len(data) == len(declared) + 1 and data[-1] == 1 and _matches(want, data[1:-1]):
        return None  # and drops an extra trailing axis of size 1
    if len(data) == len(declared) - 1:
        if len(data) >= 2 and _matches(want[:-1], data[1:]) and _takes_channels(feed, index):
            channels = want[-1]
            fix = f"add it and repeat it to {channels} channels (`np.repeat(x[..., None], {channels}, axis=-1)`), " \
                  f"or declare 1 channel" if isinstance(channels, int) else "add it with `x[..., None]`"
            return Problem("KL204", f"The data {fmt_shape(data)}{built()} has no channel axis; the model expects "
                                    f"{fmt_shape(declared)}, so Keras stops at the first batch (it adds a missing "
                                    f"axis only when the model declares 1 channel): {fix}", node)
    return Problem("KL201", f"The data has rank {len(data)} {fmt_shape(data)}{built()} but the model input has rank "
                            f"{len(declared)} {fmt_shape(declared)}", node)


#: layers whose weights are shaped by the last axis of their input when they are built
_BUILT_FOR_INPUT = CONVOLUTIONS | TRANSPOSED | RECURRENT | frozenset({
    "Dense", "EinsumDense", "BatchNormalization", "LayerNormalization", "GroupNormalization", "Bidirectional",
    "TimeDistributed", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "PReLU"})


def _consequence(feed: Feed, index: int, data: Shape) -> tuple[str, bool | None]:
    """What Keras does with this data, and whether it stops (None: not known).

    A functional model checks every axis against its Input (Keras 3 raises "expected
    shape=..."). A Sequential model runs its layers one by one: it stops where a layer cannot
    take the shape, or where a layer built for the declared input (its weights sized by the
    declared last axis) gets another size; otherwise it trains on the data silently."""
    kind = feed.model.graph.kind
    if kind == "functional":
        return (f"; Keras stops at the first batch: the model checks its input "
                f"(`expected shape={fmt_shape(feed.declared_inputs[index])}`)"), True
    if len(feed.model.graph.inputs) != 1 or kind != "sequential":
        return "", None
    from keraslint.graph.propagate import analyze_model

    declared = {node.id: result for _, node, result in feed.model.walk()}
    for _, node, result in analyze_model(feed.model.graph, [(None, *data[1:])]).walk():
        layer = node.layer
        if layer is None:
            continue
        if result.error is not None:
            return f"; Keras stops at the first batch: {layer.label} cannot take it ({result.error.message})", True
        built = declared.get(node.id)
        if layer.kind in _BUILT_FOR_INPUT and built is not None and built.inputs and result.inputs:
            want, got = built.inputs[0], result.inputs[0]
            if want and got and want[-1] is not None and got[-1] is not None and want[-1] != got[-1]:
                return (f"; Keras stops at the first batch: {layer.label} was built for {want[-1]} input "
                        f"features and gets {got[-1]}"), True
        if layer.kind == "Opaque" or result.output is None:
            return "", None  # past an unknown layer nothing can be said
    return "; Keras accepts it silently (the layers allow any size), but it is not what the model was declared for", \
        False


def _channel_consequence(feed: Feed, index: int) -> str:
    """Keras stops when a layer built for the declared channels meets others. The error comes
    from the functional model's input check, or from the first layer of a Sequential model."""
    layer = _first_layer(feed, index)
    declared = feed.declared_inputs[index]
    if feed.model.graph.kind == "functional":
        return f"; Keras stops at the first batch (`expected shape={fmt_shape(declared)}`)"
    if feed.model.graph.kind != "sequential" or layer is None:
        return ""
    if layer.kind in CONVOLUTIONS or layer.kind in ("Dense", "BatchNormalization", "LayerNormalization"):
        return f"; Keras stops at the first batch (`expected axis -1 of input shape to have value {declared[-1]}`)"
    if layer.kind in _BUILT_FOR_INPUT:
        return f"; Keras stops at the first batch ({layer.label} was built for {declared[-1]} input features)"
    return ""


def _matches(want: Shape, data: Shape) -> bool:
    return len(want) == len(data) and all(w is None or d is None or w == d for w, d in zip(want, data))


def _takes_channels(feed: Feed, index: int) -> bool:
    layer = _first_layer(feed, index)
    return layer is not None and (layer.kind in CONVOLUTIONS or layer.kind in RECURRENT)


def _channels_first_swap(declared: Shape, data: Shape) -> bool:
    """(N, C, H, W) data for a (None, H, W, C) model."""
    return (len(declared) == len(data) >= 4 and data[1] in _IMAGE_CHANNELS and declared[-1] == data[1]
            and tuple(declared[1:-1]) == tuple(data[2:]))


def _sample_counts(feed: Feed) -> Iterator[Problem]:
    counts = {a.shape[0] for a in feed.inputs if a is not None and a.shape and a.shape[0] is not None}
    labels = feed.labels
    if labels is not None and labels.shape and labels.shape[0] is not None and counts and labels.shape[0] not in counts:
        (count,) = sorted(counts)[:1]
        yield Problem("KL201", f"The inputs have {plural(count, 'sample')} but the labels have {labels.shape[0]} "
                               f"{fmt_shape(labels.shape)}: Keras stops with 'Data cardinality is ambiguous'",
                      feed.y_node)


def declared_problems(layer: Layer, declared: Shape) -> Problem | None:
    """Problems visible from a model's declaration alone (no data needed)."""
    if layer.kind in CONVOLUTIONS and channels_last(layer) and len(declared) == 4:
        if declared[1] in _IMAGE_CHANNELS and declared[-1] is not None and declared[-1] > 4 \
                and declared[2] is not None and declared[2] == declared[3]:
            return Problem("KL207", f"The input is declared channels-first {fmt_shape(declared)} but {layer.label} "
                                    f"is channels_last: it convolves over a {declared[1]}x{declared[2]} image with "
                                    f"{plural(declared[3], 'channel')}; declare {fmt_shape((None, declared[2], declared[3], declared[1]))} "
                                    f"or pass data_format=\"channels_first\"", layer.node)
    return None


_LABELLED_METHODS = ("fit", "fit_generator", "evaluate", "evaluate_generator", "train_on_batch", "test_on_batch")


def label_outcome(feed: Feed, output: Shape | None, loss: str | None, *, axis: Any = DEFAULT_AXIS) -> Outcome | None:
    """What Keras does when ``loss`` compares this feed's labels with ``output`` (None: unknown)."""
    labels = feed.labels
    if labels is None or labels.shape is None or output is None or feed.use.method not in _LABELLED_METHODS:
        return None
    for array, declared in zip(feed.inputs, feed.declared_inputs):
        if array is not None and array.shape and declared is not None and \
                not _matches(tuple(declared[1:]), tuple(array.shape[1:])):
            return None  # the model does not get that far (KL201-KL204 say why)
    if axis is UNKNOWN:
        return None
    return align(loss, tuple(labels.shape), tuple(output), axis=axis)


def unflattened_dense(model: Any) -> Node | None:
    """The Dense applied to a rank>=3 tensor (a sequence, an image) whose rank reaches the output."""
    output_ranks = [len(s) for s in model.output_shapes() if s is not None]
    if not output_ranks or min(output_ranks) < 3:
        return None
    for node in model.order:
        if node.layer is None or node.layer.kind != "Dense":
            continue
        result = model.result(node)
        shape_in = result.inputs[0] if result.inputs else None
        if shape_in is not None and len(shape_in) >= 3 and result.output is not None:
            return node
    return None


def lower_rank_consequence(outcome: Outcome, loss: str) -> tuple[str, Any]:
    """The consequence of labels of lower rank than the output, and the severity it earns."""
    if outcome.result == "raises":
        return f"with {loss} {outcome.stops()}", Severity.ERROR
    message = (f"with {loss} Keras broadcasts the labels {show_shape(outcome.labels)} against the output "
               f"{show_shape(outcome.output)} silently ({loss_shape(outcome)}): "
               + ("every output is compared with the label of every sample in the batch" if outcome.mixes_samples
                  else "every position is trained on its sample's label"))
    return message, Severity.WARNING


def label_problems(feed: Feed, output: Shape | None, compiled_loss: Loss | None) -> Iterator[Problem]:
    labels = feed.labels
    if labels is None or labels.shape is None or output is None or feed.use.method not in _LABELLED_METHODS:
        return
    loss = compiled_loss.name if compiled_loss is not None else None
    axis = compiled_loss.axis if compiled_loss is not None else -1
    if axis is UNKNOWN:
        return  # which axis holds the classes is not known
    y = labels.shape
    units = output[-1]
    node = feed.y_node
    shown = f"labels {fmt_shape(y)}"
    outcome = label_outcome(feed, output, loss, axis=axis)
    # the hand-written advice below only where the Keras table agrees that something is wrong
    disagree = outcome is None or outcome.result != "ok"
    if outcome is not None and outcome.result == "raises" and outcome.message.startswith("Only axis=-1"):
        yield Problem("KL205", f"{loss} takes its classes on the last axis only, but the loss is given axis={axis}: "
                               f"Keras stops at the first batch ('{outcome.message}')", node)
        return
    entry = spec(loss)
    if entry is not None and outcome is not None and (entry.kind in OWN_RULES or
                                                      (entry.kind in BROADCASTING and len(y) == len(output))):
        found = (own_rule_problem if entry.kind in OWN_RULES else same_rank_problem)(entry, outcome, shown, output)
        if found is not None:
            yield Problem("KL205", found[0], node, severity=found[1])
        return
    if axis not in (-1, len(output) - 1):
        units = None  # the classes are along another axis: the advice below is about the last one
    integer_ids = labels.one_hot is False or (len(y) == 1) or (len(y) == 2 and y[-1] == 1)
    if loss == "categorical_crossentropy" and units is not None and units > 1 and len(output) == 2 and disagree:
        if integer_ids and labels.one_hot is not True:
            yield Problem("KL205", f"categorical_crossentropy needs one-hot labels but the {shown} are integer "
                                   f"class ids; use sparse_categorical_crossentropy, or "
                                   f"`keras.utils.to_categorical(y, {units})`", node)
            return
        if len(y) >= 2 and y[-1] is not None and y[-1] != units:
            made = labels.data.get(ONE_HOT_BY)
            made = f" made by {made}" if made else ""
            stops = f": Keras stops at the first batch ('{outcome.message}')" if outcome is not None and \
                outcome.result == "raises" else ""
            yield Problem("KL205", f"The one-hot {shown}{made} have {plural(y[-1], 'class')} but the output layer "
                                   f"has {plural(units, 'unit')}{_with_default(y[-1], units)}{stops}", node)
            return
    bounds = labels.data.get(VALUE_RANGE)
    ignore_class = compiled_loss.ignore_class if compiled_loss is not None else None
    if loss == "sparse_categorical_crossentropy" and isinstance(units, int) and isinstance(bounds, tuple) \
            and ignore_class is not UNKNOWN and ids_beyond_units(bounds, units, ignore_class) \
            and len(output) == 2 and len(y) <= 2:
        source = f" from {labels.source}" if labels.source else ""
        ignored = f" (ignore_class={ignore_class} masks only that id)" if ignore_class is not None else ""
        yield Problem("KL205", f"The {shown}{source} are class ids in [{bounds[0]}, {bounds[1]}) but the output "
                               f"layer has {plural(units, 'unit')}{_with_default(bounds[1], units)}{ignored}: on a CPU "
                               f"Keras stops at "
                               f"the first batch with an id of {units} or more (`which is outside the valid range "
                               f"of [0, {units})`), on a GPU TensorFlow does not check and the loss is NaN; make "
                               f"the last layer Dense({bounds[1]})", node)
        return
    if loss == "sparse_categorical_crossentropy" and units is not None and disagree:
        if labels.one_hot is True or (len(y) == len(output) and y[-1] is not None and y[-1] == units and units > 1):
            yield Problem("KL205", f"sparse_categorical_crossentropy needs integer class ids but the {shown} are "
                                   f"one-hot; use categorical_crossentropy, or `y.argmax(axis=-1)`", node)
            return
    if (loss == "binary_crossentropy" or loss in REGRESSION_LOSSES) and len(output) == 2 and disagree:
        width = y[-1] if len(y) >= 2 else 1
        if units is not None and width is not None and units != width and len(y) <= len(output):
            if len(y) == len(output) and width == 1 and loss in REGRESSION_LOSSES:
                consequence = f"with {loss} Keras broadcasts the (N, 1) labels against every unit instead of failing"
            elif len(y) < len(output) and loss in REGRESSION_LOSSES:
                consequence = (f"Keras stops on the first batch (the labels do not broadcast against the output, "
                               f"unless a batch happens to hold exactly {plural(units, 'sample')})")
            else:
                consequence = "Keras stops on the first batch"
            yield Problem("KL205", f"The output layer has {plural(units, 'unit')} but the {shown} have width {width}"
                                   f"{_with_default(units, width)}: {consequence}; make the last layer "
                                   f"Dense({width}) or fix the labels", node)
            return
    if outcome is not None and outcome.result == "ok" and loss is not None:
        for message, severity in value_problems(feed, labels, units, loss):
            yield Problem("KL205", message, node, severity=severity)
            return
    if outcome is not None and outcome.result != "ok" and len(y) < len(output):
        if unflattened_dense(feed.model) is not None:
            return  # the cause is that Dense: KL305 reports it there, with this consequence
        consequence, severity = lower_rank_consequence(outcome, loss or "")
        yield Problem("KL205", f"The {shown} have rank {len(y)} but the model output {fmt_shape(output)} has rank "
                               f"{len(output)}: {consequence}; reduce the output to one prediction per sample "
                               f"(Flatten or global pooling) or give labels per position", node, severity=severity)
        return
    if len(y) > len(output) and loss is not None and not loss.startswith("sparse"):
        if outcome is None and spec(loss) is None:
            yield Problem("KL205", f"The {shown} have rank {len(y)} but the model output {fmt_shape(output)} has rank "
                                   f"{len(output)}", node)
        elif outcome is not None and outcome.result == "raises":
            yield Problem("KL205", f"The {shown} have rank {len(y)} but the model output {fmt_shape(output)} has rank "
                                   f"{len(output)}: with {loss} {outcome.stops()}", node)
        elif outcome is not None and outcome.result == "broadcast":
            yield Problem("KL205", f"The {shown} have rank {len(y)} but the model output {fmt_shape(output)} has rank "
                                   f"{len(output)}: with {loss} Keras broadcasts them against the output silently "
                                   f"({loss_shape(outcome)})", node, severity=Severity.WARNING)


def _per_output_label_problems(feed: Feed, outputs: list[Shape | None], compiled: Any) -> Iterator[Problem]:
    """Labels given per output (a list in output order, or a dict keyed by output name), each
    against its output and its loss; the findings name the output."""
    if compiled is None:
        return
    names = [t.node.layer.name if t.node.layer is not None else None for t in feed.model.graph.outputs]
    y = feed.use.y
    if isinstance(y, ListValue):
        y = y.items
    if isinstance(y, (list, tuple)) and len(y) == len(outputs):
        labels = list(y)
    elif isinstance(y, dict) and None not in names and set(y) == set(names):
        labels = [y[name] for name in names]
    else:
        return  # unknown: which labels go with which output cannot be told
    per_output = compiled.per_output
    for index, (array, output, name) in enumerate(zip(labels, outputs, names)):
        if isinstance(per_output, list):
            loss = per_output[index] if len(per_output) == len(outputs) else None
        elif isinstance(per_output, dict):
            loss = per_output.get(name) if name is not None else None
        else:
            loss = compiled.loss
        if loss is None or not isinstance(array, Array) or array.shape is None:
            continue
        which = f"output '{name}'" if name else f"output {index}"
        for problem in label_problems(replace(feed, labels=array), output, loss):
            problem.message = f"{which}: {problem.message}"
            yield problem


def missing_channel_axis(node: Node, result: NodeResult) -> bool:
    """A convolution or RNN straight after a model input declared one rank short
    (``Conv1D(..., input_shape=(100,))``): KL204's, not a generic rank error."""
    layer = node.layer
    error = result.error
    if layer is None or error is None or error.kind != "rank" or not result.inputs or result.inputs[0] is None:
        return False
    if layer.kind not in CONVOLUTIONS and layer.kind not in RECURRENT:
        return False
    expected = 2 + (int(layer.kind[-2]) if layer.kind in CONVOLUTIONS else 1)
    return len(result.inputs[0]) == expected - 1 and all(t.node.is_input for t in node.inputs)


def all_problems(ctx: Any) -> list[Problem]:
    """Every contract problem in the file, each under the one rule it belongs to."""
    found: list[Problem] = []
    compiles: set[int] = set()  # Keras stops at the first call that builds the compiled loss: once each
    for feed in ctx.feeds:
        found.extend(input_problems(feed, ctx.where))
        compiled = feed.use.compiled
        if compiled is not None and id(compiled) not in compiles:
            problems = [Problem("KL205", m, feed.use.node) for m in compile_problems(feed, ctx.where)]
            if problems:
                compiles.add(id(compiled))
            found.extend(problems)
        outputs = feed.model.output_shapes()
        if len(outputs) == 1:
            found.extend(label_problems(feed, outputs[0], compiled.loss if compiled is not None else None))
        elif len(outputs) > 1:
            found.extend(_per_output_label_problems(feed, outputs, compiled))
        if feed.use.method in ("fit", "fit_generator", "train_on_batch"):
            for index, array in enumerate(feed.inputs):
                if array is not None and array.scaled is False and \
                        input_scaling(feed.model.graph, index) is Scaling.UNSCALED:
                    origin = f" from {array.source}" if array.source else ""
                    found.append(Problem("KL206", f"Raw {array.dtype or 'integer'} data{origin}"
                                                  f"{_built_at(array, ctx.where)} reaches fit unscaled (values "
                                                  f"0-255); divide by 255.0 or start the model with "
                                                  f"`keras.layers.Rescaling(1/255)`", feed.x_node))
    for model in ctx.models:
        for tensor in model.graph.inputs:
            declared = tensor.node.input_shape
            first = next((n for n in model.order if any(t.node is tensor.node for t in n.inputs)), None)
            if declared is None or first is None or first.layer is None:
                continue
            problem = declared_problems(first.layer, declared)
            if problem is not None:
                found.append(problem)
    for _, node, result in ctx.graph_nodes():
        if missing_channel_axis(node, result):
            shape = result.inputs[0]
            found.append(Problem("KL204", f"{node.layer.label} needs a channel axis but its input is declared as "
                                          f"{fmt_shape(shape)}; declare {fmt_shape((*shape[1:], 1))} "
                                          f"(one channel) instead", node.layer.node))
    return found


def findings_for(ctx: Any, code: str) -> Iterator[Any]:
    """The Findings of one data rule: its share of the file's contract problems."""
    from keraslint.rule import Finding

    for problem in ctx.contract_problems:
        if problem.code == code:
            yield Finding(problem.message, node=problem.node, severity=problem.severity)
