"""``infer``: one layer, its input shapes -> its output shapes and parameter count."""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Sequence
from typing import Any

# Imported for their registrations.
from keraslint.shapes import (  # noqa: F401
    applications,
    attention,
    conv,
    core,
    custom,
    einsum,
    merge,
    normalization,
    pooling,
    preprocessing,
    recurrent,
    reshaping,
    text_preprocessing,
    wrappers,
)
from keraslint.shapes.args import Args
from keraslint.shapes.errors import ShapeError, UnsupportedLayer
from keraslint.shapes.registry import HANDLERS
from keraslint.shapes.spec import LayerResult, LayerSpec, Shape
from keraslint.values import UNKNOWN
from keraslint.vocabulary import LEGACY_LAYER_ALIASES


def supported_kinds() -> frozenset[str]:
    """Keras 3 layer class names the engine models."""
    return frozenset(HANDLERS) - custom.INTERNAL_KINDS


#: the largest dimension the engine computes with
MAX_DIM = 2 ** 62


def _dim(value: Any) -> int | None:
    # The source pass may hand over UNKNOWN for a dimension; inside the engine that is None.
    if value is None or value is UNKNOWN:
        return None
    if isinstance(value, bool):
        raise TypeError(f"a dimension must be an int or None, got {value!r}")
    try:
        dim = operator.index(value)  # numpy integers from a saved model's config are fine
    except TypeError:
        raise TypeError(f"a dimension must be an int or None, got {value!r}") from None
    # No tensor has such a dimension (NumPy's and TensorFlow's are 64-bit): unknown, so that
    # parameter counts stay printable (int -> str refuses over 4,300 digits) and cheap.
    return dim if abs(dim) <= MAX_DIM else None


def infer(spec: LayerSpec, inputs: Sequence[Shape]) -> LayerResult:
    """Output shapes and parameter count of ``spec`` applied to ``inputs``, as Keras 3 reports them.

    Raises ShapeError where Keras would reject the layer or its input, UnsupportedLayer where
    the layer is not modelled (the caller then treats it as opaque).
    """
    kind = LEGACY_LAYER_ALIASES.get(spec.kind, spec.kind)
    handler = HANDLERS.get(kind)
    if handler is None:
        raise UnsupportedLayer(spec.kind, "not modelled by the shape engine")
    shapes = [tuple(_dim(d) for d in shape) for shape in inputs]
    try:
        result = handler(Args(kind, spec.config), shapes)
    except (ShapeError, UnsupportedLayer):
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError, OverflowError) as exc:
        # A value of a type no Keras user would pass (a string for a size, a dict for a tuple):
        # the layer is opaque rather than wrongly reported, and the editor never sees a traceback.
        raise UnsupportedLayer(spec.kind, f"cannot model this configuration ({type(exc).__name__}: {exc})") from exc
    # A product of large dimensions (Flatten, Dense's kernel) is no real size: unknown.
    outputs = tuple(tuple(d if d is None or abs(d) <= MAX_DIM else None for d in shape) for shape in result.outputs)
    params = result.params if result.params is None or result.params <= MAX_DIM else None
    if outputs != result.outputs or params != result.params:
        result = dataclasses.replace(result, outputs=outputs, params=params)
    return result
