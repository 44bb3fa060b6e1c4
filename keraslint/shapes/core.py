"""Core layers: InputLayer, Dense, Embedding, Lambda, activations, dropout and noise layers."""

from __future__ import annotations

from typing import Any

from keraslint.shapes.args import REQUIRED, Args, is_unknown
from keraslint.shapes.dims import Dim, check_rank, fmt, mul, prod, total
from keraslint.shapes.errors import ShapeError, UnsupportedLayer
from keraslint.shapes.registry import register, result, single
from keraslint.shapes.spec import LayerResult, Shape


def _shape_literal(args: Args, key: str, value: Any) -> tuple[Dim, ...]:
    if is_unknown(value):
        raise UnsupportedLayer(args.kind, f"unknown `{key}` leaves the output rank unknown")
    if value is None or not hasattr(value, "__iter__") or isinstance(value, str):
        raise args.fail(f"cannot convert `{key}`={value!r} to a shape")
    dims: list[Dim] = []
    for d in value:
        if d is None or is_unknown(d):
            dims.append(None)
        elif isinstance(d, int) and d >= 0:
            dims.append(d)
        else:
            raise args.fail(f"`{key}`={value!r} has an invalid dimension {d!r}")
    return tuple(dims)


@register("InputLayer")
def _input_layer(args: Args, inputs: list[Shape]) -> LayerResult:
    # Keras 2 spellings are still accepted by Keras 3's InputLayer.
    shape = args.raw("shape", None)
    if shape is None:
        shape = args.raw("input_shape", None)
    batch_shape = args.raw("batch_shape", None)
    if batch_shape is None:
        batch_shape = args.raw("batch_input_shape", None)
    batch_size = args.raw("batch_size", None)
    if shape is not None and batch_shape is not None:
        raise args.fail("pass either `shape` or `batch_shape`, not both")
    if batch_size is not None and batch_shape is not None:
        raise args.fail("pass either `batch_size` or `batch_shape`, not both")
    if shape is None and batch_shape is None:
        raise args.fail("missing required argument `shape`")
    if batch_shape is not None:
        return result(_shape_literal(args, "batch_shape", batch_shape))
    batch = None if batch_size is None or is_unknown(batch_size) else int(batch_size)
    return result((batch,) + _shape_literal(args, "shape", shape))


@register("Dense")
def _dense(args: Args, inputs: list[Shape]) -> LayerResult:
    units = args.integer("units")
    use_bias = args.flag("use_bias", True)
    x = single(args, inputs)
    check_rank(args.kind, x, min_ndim=2, layout="(batch, ..., features)")
    bias = None if use_bias is None else (units if use_bias else 0)
    return result(x[:-1] + (units,), params=total(mul(x[-1], units), bias))


@register("Embedding")
def _embedding(args: Args, inputs: list[Shape]) -> LayerResult:
    input_dim = _strict_positive(args, "input_dim")
    output_dim = _strict_positive(args, "output_dim")
    x = single(args, inputs)
    return result(x + (output_dim,), params=mul(input_dim, output_dim))


def _strict_positive(args: Args, key: str) -> int | None:
    # Embedding rejects bools and floats that other layers would let through.
    value = args.raw(key, REQUIRED)
    if is_unknown(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise args.fail(f"`{key}` must be a positive integer, got {value!r}")
    return value


@register("Lambda")
def _lambda(args: Args, inputs: list[Shape]) -> LayerResult:
    # The function itself is never looked at (keraslint does not run user code); only a
    # literal `output_shape` tells the result.
    declared = args.raw("output_shape", None)
    if declared is None or is_unknown(declared) or callable(declared):
        raise UnsupportedLayer(args.kind, "no literal `output_shape`")
    batch = inputs[0][0] if inputs and inputs[0] else None
    if _is_shape(declared):
        return result((batch,) + _shape_literal(args, "output_shape", declared))
    if isinstance(declared, (list, tuple)) and all(_is_shape(s) for s in declared):
        return result(*[(batch,) + _shape_literal(args, "output_shape", s) for s in declared])
    raise UnsupportedLayer(args.kind, f"`output_shape`={declared!r} is not a shape literal")


def _is_shape(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and all(
        d is None or is_unknown(d) or (isinstance(d, int) and not isinstance(d, bool)) for d in value
    )


# Layers whose output is their input, with no weights.
_IDENTITY = ("Activation", "ELU", "Softmax", "ActivityRegularization", "Masking", "Identity")


@register(*_IDENTITY)
def _identity(args: Args, inputs: list[Shape]) -> LayerResult:
    if args.kind == "Activation":
        args.raw("activation", REQUIRED)
    return result(single(args, inputs))


@register("ReLU")
def _relu(args: Args, inputs: list[Shape]) -> LayerResult:
    _non_negative(args, "max_value", None, allow_none=True)
    _non_negative(args, "negative_slope", 0.0)
    _non_negative(args, "threshold", 0.0)
    return result(single(args, inputs))


@register("LeakyReLU")
def _leaky_relu(args: Args, inputs: list[Shape]) -> LayerResult:
    key = "alpha" if args.has("alpha") and not args.has("negative_slope") else "negative_slope"
    _non_negative(args, key, 0.3)
    return result(single(args, inputs))


def _non_negative(args: Args, key: str, default: Any, *, allow_none: bool = False) -> None:
    value = args.raw(key, default)
    if is_unknown(value) or (value is None and allow_none):
        return
    if value is None or value < 0:
        raise args.fail(f"`{key}` cannot be None or negative, got {value!r}")


@register("PReLU")
def _prelu(args: Args, inputs: list[Shape]) -> LayerResult:
    x = single(args, inputs)
    shared = args.raw("shared_axes", None)
    param_shape: list[Dim] = list(x[1:])
    if is_unknown(shared):
        return result(x, params=None)
    if shared is not None:
        axes = list(shared) if isinstance(shared, (list, tuple)) else [shared]
        for axis in axes:
            if is_unknown(axis):
                return result(x, params=None)
            # Keras indexes the per-sample shape with axis - 1, Python style.
            if not -len(param_shape) <= axis - 1 < len(param_shape):
                raise ShapeError(
                    "incompatible",
                    f"PReLU shared_axes={shared!r} is out of range for input {fmt(x)}",
                    axis=axis,
                    actual=len(x),
                )
            param_shape[axis - 1] = 1
    return result(x, params=prod(param_shape))


_DROPOUTS = {"Dropout": "rate", "AlphaDropout": "rate", "GaussianDropout": "rate", "GaussianNoise": "stddev"}
_SPATIAL_DROPOUT_RANK = {"SpatialDropout1D": 3, "SpatialDropout2D": 4, "SpatialDropout3D": 5}


@register(*_DROPOUTS, *_SPATIAL_DROPOUT_RANK)
def _dropout(args: Args, inputs: list[Shape]) -> LayerResult:
    key = _DROPOUTS.get(args.kind, "rate")
    value = args.raw(key, REQUIRED)
    if not is_unknown(value) and not 0 <= value <= 1:
        raise args.fail(f"`{key}` must be between 0 and 1, got {value!r}", actual=value)
    x = single(args, inputs)
    ndim = _SPATIAL_DROPOUT_RANK.get(args.kind)
    if ndim is not None:
        args.data_format()
        check_rank(args.kind, x, ndim=ndim)
    return result(x)
