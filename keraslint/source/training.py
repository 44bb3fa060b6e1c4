"""What a script does with its models: ``compile`` settings and the data it feeds them.

``compile`` is stored on the model object; every ``fit``/``evaluate``/``predict``/
``train_on_batch``/... call and every ``model(x)`` becomes a ``ModelUse`` that the data rules
compare with the model's graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import libcst as cst

from keraslint.graph.losses import spec as loss_spec
from keraslint.source import models
from keraslint.source.keras_metrics import MetricSpec
from keraslint.source.values import NOT_MODELLED, Array, Function, ListValue, Obj, Ref
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter

LOSS = "keras.losses.Loss"
METRIC = "keras.metrics.Metric"

# Keras 2 spellings Keras 3 no longer resolves; every Keras 3 spelling is in keraslint.graph.losses.
# They keep their meaning for the rules about what a loss expects (the script is Keras 2 code).
_LEGACY_LOSS_NAMES = {"huber_loss": "huber", "logcosh": "log_cosh", "kullback_leibler_divergence": "kl_divergence"}
REGRESSION_LOSSES = frozenset({"mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
                               "mean_squared_logarithmic_error", "huber", "log_cosh", "poisson", "cosine_similarity"})
CROSSENTROPY_LOSSES = frozenset({"binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
                                 "binary_focal_crossentropy", "categorical_focal_crossentropy"})

USE_METHODS = frozenset({"fit", "fit_generator", "evaluate", "evaluate_generator", "predict", "predict_generator",
                         "train_on_batch", "test_on_batch", "predict_on_batch", "__call__"})


@dataclass
class Loss:
    name: str | None
    """Canonical name (``categorical_crossentropy``), None when not known."""
    from_logits: bool | None = False
    node: cst.CSTNode | None = field(default=None, repr=False)
    ignore_class: Any = None
    """``ignore_class=`` of a sparse cross-entropy object: an int, None (not given), UNKNOWN."""
    axis: Any = -1
    """``axis=`` of a loss object: an int, for Dice and Tversky also None (every axis) or a tuple
    of ints; UNKNOWN when not known. A loss given by name has its default axis."""


@dataclass
class CompileInfo:
    loss: Loss | None
    metrics: list[MetricSpec]
    """The known entries of ``metrics=`` and ``weighted_metrics=``, as written."""
    node: cst.CSTNode | None = field(repr=False)
    multiple_losses: bool = False
    #: ``loss=[...]`` by output position or ``loss={name: ...}`` by output name (None entries:
    #: not known); None when ``loss=`` is one loss (Keras applies it to every output)
    per_output: list[Loss | None] | dict[str, Loss | None] | None = None
    loss_weights: Any = None
    #: the keys of ``metrics=``/``weighted_metrics=`` given as a dict keyed by output name, by
    #: argument (only dicts whose keys are all known strings)
    metric_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: how many losses Keras counts in ``loss=`` (1 for a single loss, however many outputs; the
    #: entries of a flat list or dict); None when not given or not known
    loss_count: int | None = None


@dataclass
class ModelUse:
    model: Obj = field(repr=False)
    method: str
    x: Any
    y: Any
    node: cst.CSTNode = field(repr=False)
    """The call (``model.fit(...)``)."""
    x_node: cst.CSTNode | None = field(repr=False)
    y_node: cst.CSTNode | None = field(repr=False)
    batch_size: Any = UNKNOWN
    validation: tuple[Any, Any] | None = None
    validation_node: cst.CSTNode | None = field(default=None, repr=False)
    reachable: bool = True
    #: the model's `compile` settings when this call ran (a model may be compiled again later)
    compiled: CompileInfo | None = None


def loss_name(value: Any) -> str | None:
    if isinstance(value, str):
        name = value
    elif isinstance(value, Ref):
        name = value.name.rsplit(".", 1)[-1]
    elif isinstance(value, Obj) and value.type == LOSS:
        name = value.data.get("name")
    else:
        return None
    if not isinstance(name, str):
        return None
    entry = loss_spec(name)
    if entry is not None and not entry.by_string and not isinstance(value, Obj):
        return None  # Keras cannot use that spelling as a loss; what it does then is not modelled
    return entry.name if entry is not None else _LEGACY_LOSS_NAMES.get(name, name)


def _loss(value: Any, node: cst.CSTNode | None) -> Loss | None:
    name = loss_name(value)
    if name is None:
        return None
    from_logits = value.data.get("from_logits", False) if isinstance(value, Obj) else False
    ignore_class = value.data.get("ignore_class") if isinstance(value, Obj) else None
    entry = loss_spec(name)
    default_axis = entry.default_axis if entry is not None else -1
    axis = value.data.get("axis", default_axis) if isinstance(value, Obj) else default_axis
    return Loss(name, from_logits if isinstance(from_logits, bool) else None, node,
                ignore_class=ignore_class if ignore_class is None or _is_int(ignore_class) else UNKNOWN,
                axis=axis if _is_int(axis) or (default_axis is None and _is_axes(axis)) else UNKNOWN)


def _is_axes(value: Any) -> bool:
    """None or a tuple of ints: the axes an overlap loss (Dice, Tversky) sums over."""
    return value is None or (isinstance(value, tuple) and all(_is_int(a) for a in value))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# Where Keras 3's loss classes take ignore_class and axis positionally (Keras 2 put reduction
# second in SparseCategoricalCrossentropy, so a positional argument there is not trusted).
_LOSS_ARGUMENTS = {"SparseCategoricalCrossentropy": ("ignore_class", "axis"),
                   "CategoricalCrossentropy": ("axis",), "CategoricalFocalCrossentropy": ("axis",),
                   "BinaryCrossentropy": ("axis",), "BinaryFocalCrossentropy": ("axis",),
                   "Dice": ("axis",), "Tversky": ("axis",)}


def _loss_arguments(site: CallSite, leaf: str) -> dict[str, Any]:
    """``ignore_class``/``axis`` given by keyword; UNKNOWN when they may have been given otherwise."""
    found: dict[str, Any] = {}
    positional_only = len(site.args) > 1 or site.star_args
    for keyword in _LOSS_ARGUMENTS.get(leaf, ()):
        if keyword in site.kwargs:
            found[keyword] = site.kwargs[keyword]
        elif positional_only:
            found[keyword] = UNKNOWN
    return found


def _loss_count(value: Any) -> int | None:
    """Keras's ``len(tree.flatten(loss))`` where it is certain."""
    if isinstance(value, (str, Ref, Function)) or (isinstance(value, Obj) and value.type == LOSS):
        return 1
    items = list(value.values()) if isinstance(value, dict) else value.items if isinstance(value, ListValue) \
        else list(value) if isinstance(value, tuple) else None
    if items is None or any(_loss_count(item) != 1 for item in items):
        return None  # unknown entries may be nested structures
    return len(items)


def _metric_keys(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, dict) and value and all(isinstance(k, str) for k in value):
        return tuple(value)
    return None


def metric_specs(value: Any) -> list[MetricSpec]:
    """The entries of a ``metrics=`` list keraslint knows (a dict per output is not followed)."""
    if value is None or isinstance(value, dict):
        return []
    items = value.items if isinstance(value, ListValue) else list(value) if isinstance(value, tuple) else [value]
    specs = []
    for item in items:
        if isinstance(item, str):
            specs.append(MetricSpec(item, "string"))
        elif isinstance(item, Ref) and item.name.startswith("keras.metrics."):
            leaf = item.name.rsplit(".", 1)[-1]
            specs.append(MetricSpec(leaf, "class" if leaf[:1].isupper() else "function"))
        elif isinstance(item, Obj) and item.type == METRIC:
            k = item.data.get("k")
            specs.append(MetricSpec(item.data.get("name", ""), "object", k if isinstance(k, int) else None))
    return specs


def _argument_node(site: CallSite, position: int, keyword: str) -> cst.CSTNode | None:
    call = site.node
    if not isinstance(call, cst.Call):
        return None
    positional = [a for a in call.args if a.keyword is None and not a.star]
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    return positional[position].value if position < len(positional) else None


def call(interp: Interpreter, site: CallSite) -> Any:
    """Loss and metric objects, and ``compile``. Everything else is NOT_MODELLED."""
    name = site.name
    if name.startswith("keras.losses.") and name[len("keras.losses."):][:1].isupper():
        from_logits = site.arg(None, "from_logits", default=False)
        leaf = name.rsplit(".", 1)[-1]
        return Obj(LOSS, site.node, {"name": leaf,
                                     "from_logits": from_logits if isinstance(from_logits, bool) else None,
                                     **_loss_arguments(site, leaf)})
    if name.startswith("keras.metrics.") and name[len("keras.metrics."):][:1].isupper():
        # k is the first argument of the top-k accuracies (TopKCategoricalAccuracy(k=5, ...))
        k = site.arg(0, "k", default=None) if "TopK" in name else None
        return Obj(METRIC, site.node, {"name": name.rsplit(".", 1)[-1], "k": k})
    receiver = site.receiver
    if receiver is not None and receiver.type == models.MODEL and name.endswith(".compile"):
        loss_value = site.arg(1, "loss", default=None)
        multiple = isinstance(loss_value, (ListValue, tuple, dict))
        per_output: list[Loss | None] | dict[str, Loss | None] | None = None
        if isinstance(loss_value, dict):
            per_output = {k: _loss(v, None) for k, v in loss_value.items()}
        elif multiple:
            per_output = [_loss(v, None) for v in (loss_value.items if isinstance(loss_value, ListValue)
                                                   else list(loss_value))]
        receiver.data["compile"] = CompileInfo(
            loss=None if multiple else _loss(loss_value, _argument_node(site, 1, "loss")),
            # keyword only: Keras 3's third positional parameter is loss_weights, not metrics
            metrics=metric_specs(site.arg(None, "metrics", default=None))
            + metric_specs(site.arg(None, "weighted_metrics", default=None)),
            node=site.node,
            multiple_losses=multiple,
            per_output=per_output,
            loss_weights=site.arg(2, "loss_weights", default=None),
            loss_count=_loss_count(loss_value),
            metric_keys={argument: keys for argument in ("metrics", "weighted_metrics")
                         if (keys := _metric_keys(site.arg(None, argument, default=None))) is not None},
        )
        return None
    return NOT_MODELLED


def model_use(site: CallSite) -> ModelUse | None:
    """The data a call feeds a model, if it is one of the training/inference entry points."""
    receiver = site.receiver
    if receiver is None or receiver.type != models.MODEL or site.node is None:
        return None
    method = site.name.rsplit(".", 1)[-1]
    if method not in USE_METHODS:
        return None
    x = site.arg(0, "x")
    y = site.arg(1, "y") if method not in ("predict", "predict_generator", "predict_on_batch", "__call__") else None
    if method == "__call__":
        x = site.arg(0, "inputs")
    validation = site.arg(None, "validation_data", default=None)
    pair = None
    if isinstance(validation, (tuple, ListValue)):
        items = validation.items if isinstance(validation, ListValue) else list(validation)
        if len(items) >= 2:
            pair = (items[0], items[1])
    elif isinstance(validation, Obj) and not isinstance(validation, Array):
        pair = (validation, None)  # a dataset or an iterator of (x, y) batches
    return ModelUse(model=receiver, method=method, x=x, y=y, node=site.node,
                    x_node=_argument_node(site, 0, "x" if method != "__call__" else "inputs"),
                    y_node=_argument_node(site, 1, "y"), batch_size=site.arg(None, "batch_size", default=UNKNOWN),
                    validation=pair, validation_node=_argument_node(site, 99, "validation_data"),
                    reachable=site.reachable, compiled=receiver.data.get("compile"))
