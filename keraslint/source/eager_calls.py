"""A Keras layer or model called on data rather than on a symbolic tensor: ``resize(image)``
inside ``ds.map(...)``, ``resize_and_rescale(x)``, ``data_augmentation(x, training=True)``.

Keras runs the layer on the data, so the result has the shape the layer's
``compute_output_shape`` gives for the data's shape: the shape engine's rule, which mirrors it
(unbatched images included: a rank-3 input to ``Resizing`` is one image). The result is a
tensor of that shape; its dtype and whether it is scaled are not claimed. Anything the engine
does not model, rejects, or cannot know gives None, and the caller keeps its unknown result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from keraslint.ir.graph import Layer
from keraslint.source.array_values import TENSOR, make
from keraslint.source.values import Array, Obj

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite


def _data_shape(site: CallSite) -> tuple[int | None, ...] | None:
    x = site.arg(0, "inputs")
    if site.star_args or not isinstance(x, Array) or x.shape is None or not x.shape:
        return None
    return x.shape


def _tensor(site: CallSite, shape: Any) -> Array | None:
    if shape is None or not isinstance(shape, tuple):
        return None
    return make(site.node, shape, None, type_=TENSOR)


def layer_on_data(layer: Layer, site: CallSite) -> Array | None:
    """``layer(x)`` for an array or eager tensor ``x``: a tensor of the layer's output shape."""
    # imported here: the graph pass builds on the source pass
    from keraslint.graph.propagate import to_spec
    from keraslint.shapes.engine import infer, supported_kinds
    from keraslint.shapes.errors import ShapeError, UnsupportedLayer

    shape = _data_shape(site)
    if shape is None or layer.kind not in supported_kinds() or layer.pretrained:
        return None
    try:
        result = infer(to_spec(layer), [shape])
    except (ShapeError, UnsupportedLayer, TypeError, ValueError, ArithmeticError):
        return None
    if len(result.outputs) != 1:
        return None
    return _tensor(site, result.output)


def model_on_data(model: Obj, site: CallSite) -> Array | None:
    """``model(x)`` for an array or eager tensor ``x``, for a model of one input and one output
    whose declared input (if any) has the data's rank; its layers run on the data's shape."""
    from keraslint.graph.propagate import analyze_model
    from keraslint.source.models import model_graph

    shape = _data_shape(site)
    graph = model_graph(model) if shape is not None else None
    if shape is None or graph is None or len(graph.inputs) != 1 or len(graph.outputs) != 1:
        return None
    declared = graph.inputs[0].node.input_shape
    if declared is not None and len(declared) != len(shape):
        return None
    try:
        outputs = analyze_model(graph, [shape]).output_shapes()
    except (TypeError, ValueError, ArithmeticError, RecursionError):
        return None
    return _tensor(site, outputs[0]) if len(outputs) == 1 else None
