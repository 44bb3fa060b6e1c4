"""``infer``: one layer, its input shapes -> its output shapes and parameter count."""

from __future__ import annotations

from collections.abc import Sequence

# Imported for their registrations.
from keraslint.shapes import (  # noqa: F401
    attention,
    conv,
    core,
    einsum,
    merge,
    normalization,
    pooling,
    preprocessing,
    recurrent,
    reshaping,
    wrappers,
)
from keraslint.shapes.args import Args
from keraslint.shapes.errors import UnsupportedLayer
from keraslint.shapes.registry import HANDLERS
from keraslint.shapes.spec import LayerResult, LayerSpec, Shape
from keraslint.values import UNKNOWN
from keraslint.vocabulary import LEGACY_LAYER_ALIASES


def supported_kinds() -> frozenset[str]:
    """Keras 3 layer class names the engine models."""
    return frozenset(HANDLERS)


def _dim(value: object) -> int | None:
    # The source pass may hand over UNKNOWN for a dimension; inside the engine that is None.
    if value is None or value is UNKNOWN:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"a dimension must be an int or None, got {value!r}")
    return value


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
    return handler(Args(kind, spec.config), shapes)
