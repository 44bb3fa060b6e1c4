"""What data reaches a model: the arrays behind each fit/evaluate/predict/... and model(x).

A ``Feed`` pairs one use of a model with the inputs and labels it receives, as Arrays whose
first axis is the sample (batch) axis, and with the model's declared inputs and outputs.
Anything not known stays None; the data rules only compare what both sides know.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from keraslint.graph.propagate import AnalyzedModel
from keraslint.ir.graph import Shape
from keraslint.source import api
from keraslint.source.training import ModelUse
from keraslint.source.values import Array, ListValue, Obj

SINGLE_SAMPLE_METHODS = frozenset({"predict", "predict_on_batch", "__call__"})


@dataclass
class Feed:
    use: ModelUse = field(repr=False)
    model: AnalyzedModel = field(repr=False)
    inputs: list[Array | None]
    """One per model input, in order (None: unknown)."""
    labels: Array | None
    x_node: cst.CSTNode | None = field(repr=False)
    y_node: cst.CSTNode | None = field(repr=False)

    @property
    def declared_inputs(self) -> list[Shape | None]:
        return [t.node.input_shape if t.node.fed_by is None else None for t in self.model.graph.inputs]


def _array(value: Any) -> Array | None:
    return value if isinstance(value, Array) and value.shape is not None else None


def _with_batch(array: Array | None) -> Array | None:
    """An element Array (no batch axis) of a batched pipeline -> the same with a batch axis."""
    if array is None or array.shape is None:
        return None
    return Array(array.type, array.node, dict(array.data), shape=(None, *array.shape), dtype=array.dtype,
                 scaled=array.scaled, one_hot=array.one_hot, source=array.source)


def split_pipeline(value: Any) -> tuple[list[Any], Any] | None:
    """(inputs, labels) for a dataset or iterator; None when ``value`` is neither."""
    if not isinstance(value, Obj):
        return None
    if value.type == api.DATASET:
        if value.data.get("batched") is not True:
            return [], None  # unbatched or unknown: the batch axis is not known, compare nothing
        element = value.data.get("element")
        if isinstance(element, tuple) and len(element) >= 2:
            return [_with_batch(_array(element[0]))], _with_batch(_array(element[1]))
        return [_with_batch(_array(element))], None
    if value.type == api.IMAGE_ITERATOR:
        return [_array(value.data.get("x"))], _array(value.data.get("y"))
    return None


def feeds(uses: list[ModelUse], analysis_of: Any) -> Iterator[Feed]:
    """A Feed for every use whose model has a graph (``analysis_of`` maps a graph to its shapes)."""
    from keraslint.source.models import model_graph

    for use in uses:
        graph = model_graph(use.model)
        if graph is None or not graph.complete:
            continue
        model = analysis_of(graph)
        pipeline = split_pipeline(use.x)
        if pipeline is not None:
            inputs, labels = pipeline
            yield Feed(use, model, inputs, labels, use.x_node, use.x_node)
            continue
        if isinstance(use.x, (ListValue, tuple)):
            items = use.x.items if isinstance(use.x, ListValue) else list(use.x)
            inputs = [_array(item) for item in items]
        else:
            inputs = [_array(use.x)]
        yield Feed(use, model, inputs, _array(use.y), use.x_node, use.y_node)
        if use.validation is not None:
            xv, yv = use.validation
            node = use.validation_node or use.node
            pipeline = split_pipeline(xv)
            if pipeline is not None:
                yield Feed(use, model, pipeline[0], pipeline[1], node, node)
            else:
                yield Feed(use, model, [_array(xv)], _array(yv), node, node)


def external_feed(model: AnalyzedModel, data: Array) -> Feed:
    """Data given on the command line (``--input-shape``/``--data``) for a saved model, compared
    the way a script's ``fit(x)`` would be."""
    use = ModelUse(model=Obj("keras.Model", None, {"graph": model.graph}), method="fit", x=data, y=None,
                   node=None, x_node=None, y_node=None)  # type: ignore[arg-type]
    return Feed(use, model, [data], None, None, None)
