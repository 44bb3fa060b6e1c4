"""Attention layers: MultiHeadAttention, Attention (dot-product) and AdditiveAttention."""

from __future__ import annotations

from typing import Any

from keraslint.shapes.args import REQUIRED, Args, is_unknown
from keraslint.shapes.dims import Dim, fmt, mul, prod, total
from keraslint.shapes.errors import ShapeError, UnsupportedLayer
from keraslint.shapes.registry import register, result
from keraslint.shapes.spec import LayerResult, Shape
from keraslint.plural import plural


def _positive(args: Args, key: str, value: Any, *, allow_none: bool = False) -> int | None:
    if is_unknown(value) or (value is None and allow_none):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise args.fail(f"`{key}` must be a positive integer, got {value!r}")
    return value


def _query_value_key(args: Args, inputs: list[Shape]) -> tuple[Shape, Shape, Shape]:
    if not 2 <= len(inputs) <= 3:
        raise ShapeError(
            "incompatible",
            f"{args.kind} takes [query, value] or [query, value, key], got {plural(len(inputs), 'input')}",
            expected="2 or 3",
            actual=len(inputs),
        )
    query, value = inputs[0], inputs[1]
    key = inputs[2] if len(inputs) == 3 else value
    return query, value, key


def _same_inner(a: Shape, b: Shape) -> bool:
    """Equal inner axes, an unknown size matching anything."""
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


@register("MultiHeadAttention")
def _multi_head_attention(args: Args, inputs: list[Shape]) -> LayerResult:
    heads = _positive(args, "num_heads", args.raw("num_heads", REQUIRED))
    key_dim = _positive(args, "key_dim", args.raw("key_dim", REQUIRED))
    raw_value_dim = args.raw("value_dim", None)
    if is_unknown(raw_value_dim):
        value_dim: int | None = None
    else:
        # Keras falls back to key_dim for any falsy value_dim.
        value_dim = _positive(args, "value_dim", raw_value_dim) if raw_value_dim else key_dim
    raw_output_shape = args.raw("output_shape", None)
    output_shape: tuple[Dim, ...] | None
    if is_unknown(raw_output_shape):
        raise UnsupportedLayer(args.kind, "unknown `output_shape` leaves the output rank unknown")
    if not raw_output_shape:
        output_shape = None
    elif isinstance(raw_output_shape, int):
        output_shape = (raw_output_shape,)
    else:
        try:
            output_shape = tuple(None if is_unknown(d) else d for d in raw_output_shape)
        except TypeError:
            raise args.fail(f"`output_shape` must be an int or a tuple, got {raw_output_shape!r}") from None
    raw_axes = args.raw("attention_axes", None)
    if isinstance(raw_axes, int):
        raw_axes = (raw_axes,)
    elif not is_unknown(raw_axes) and raw_axes and not isinstance(raw_axes, (list, tuple)):
        raise args.fail(f"`attention_axes` must be an int, list or tuple, got {raw_axes!r}")
    use_bias = args.flag("use_bias", True)
    use_gate = args.flag("use_gate", False)

    query, value, key = _query_value_key(args, inputs)
    if not _same_inner(value[1:-1], key[1:-1]):
        raise ShapeError(
            "incompatible",
            f"MultiHeadAttention needs value and key to agree on all axes but the last: "
            f"value {fmt(value)}, key {fmt(key)}",
            expected=value[1:-1],
            actual=key[1:-1],
        )
    if not is_unknown(raw_axes) and raw_axes:
        # The attention einsum runs over the projected value, one axis longer than the value.
        rank = len(value) + 1
        for axis in raw_axes:
            if is_unknown(axis):
                continue
            normalized = axis if axis >= 0 else rank - 1 + axis
            if not -rank <= normalized < rank:
                raise ShapeError(
                    "incompatible",
                    f"MultiHeadAttention(attention_axes={tuple(raw_axes)!r}) is out of range for value {fmt(value)}",
                    axis=axis,
                    actual=len(value),
                )

    output = query[:-1] + output_shape if output_shape else query
    bias_on = None if use_bias is None else int(use_bias)

    def projection(features: Dim, width: Dim) -> Dim:
        per_head = mul(heads, width)
        return total(mul(features, per_head), mul(per_head, bias_on))

    final = output_shape if output_shape else (query[-1],)
    params = total(
        projection(query[-1], key_dim),
        projection(key[-1], key_dim),
        projection(value[-1], value_dim),
        None if use_gate is None else (projection(query[-1], value_dim) if use_gate else 0),
        mul(heads, value_dim, prod(final)),
        mul(prod(final), bias_on),
    )
    return result(output, params=params)


@register("Attention", "AdditiveAttention")
def _attention(args: Args, inputs: list[Shape]) -> LayerResult:
    additive = args.kind == "AdditiveAttention"
    use_scale = args.flag("use_scale", additive)
    score_mode = args.choice("score_mode", ["dot", "concat"], "dot")
    query, value, _ = _query_value_key(args, inputs)
    output = (*query[:-1], value[-1])
    if use_scale is None or is_unknown(score_mode):
        return result(output, params=None)
    if additive:
        # One learned scale per query feature.
        return result(output, params=query[-1] if use_scale else 0)
    return result(output, params=int(use_scale) + int(score_mode == "concat"))
