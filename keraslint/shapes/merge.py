"""Merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot.

Keras' own rules are followed literally, quirks included (e.g. an unknown dimension wins over a
broadcast 1, Concatenate takes the non-concatenated sizes from its first input), because the
shape Keras builds the next layer with is the one that matters.
"""

from __future__ import annotations

from collections.abc import Iterable

from keraslint.shapes.args import REQUIRED, Args, is_unknown
from keraslint.shapes.dims import Dim, fmt
from keraslint.shapes.errors import ShapeError, UnsupportedLayer
from keraslint.shapes.registry import register, result
from keraslint.shapes.spec import LayerResult, Shape

_ELEMENTWISE = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")


def _shapes(args: Args, inputs: list[Shape], count: int | None = None) -> None:
    if not inputs or (count is not None and len(inputs) != count):
        wanted = f"exactly {count}" if count else "at least 1"
        raise ShapeError(
            "incompatible",
            f"{args.kind} takes a list of {wanted} input tensors, got {len(inputs)}",
            expected=count,
            actual=len(inputs),
        )


def _known(dims: Iterable[Dim]) -> set[int]:
    return {d for d in dims if d is not None}


def _listing(inputs: list[Shape]) -> str:
    return ", ".join(fmt(s) for s in inputs)


@register(*_ELEMENTWISE)
def _elementwise(args: Args, inputs: list[Shape]) -> LayerResult:
    _shapes(args, inputs, 2 if args.kind == "Subtract" else None)
    batches = _known(s[0] for s in inputs if s)
    if len(batches) > 1:
        raise ShapeError(
            "merge",
            f"{args.kind} inputs have different batch sizes {sorted(batches)}: {_listing(inputs)}",
            axis=0,
            expected=min(batches),
            actual=max(batches),
        )
    out: tuple[Dim, ...] = inputs[0][1:]
    for shape in inputs[1:]:
        out = _broadcast(args, out, shape[1:], inputs)
    batch = next(iter(batches)) if len(batches) == 1 else None
    return result((batch, *out))


def _broadcast(args: Args, a: tuple[Dim, ...], b: tuple[Dim, ...], inputs: list[Shape]) -> tuple[Dim, ...]:
    """Keras' Merge broadcasting on per-sample shapes, aligned on the right."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return a
    lead = len(a) - len(b)
    out = list(a[:lead])
    for k, (i, j) in enumerate(zip(a[lead:], b)):
        if i is None or j is None:
            out.append(None)
        elif i == 1:
            out.append(j)
        elif j == 1 or i == j:
            out.append(i)
        else:
            axis = 1 + lead + k
            raise ShapeError(
                "merge",
                f"{args.kind} inputs disagree on axis {axis} ({i} vs {j}): {_listing(inputs)}",
                axis=axis,
                expected=i,
                actual=j,
            )
    return tuple(out)


@register("Concatenate")
def _concatenate(args: Args, inputs: list[Shape]) -> LayerResult:
    axis = args.raw("axis", -1)
    if is_unknown(axis):
        return _concatenate_unknown_axis(args, inputs)
    _shapes(args, inputs)
    reduced_set = set()
    for shape in inputs:
        reduced = list(shape)
        # Keras only drops the axis when the shape is long enough for a positive index.
        if len(reduced) > axis:
            try:
                del reduced[axis]
            except IndexError:
                raise _axis_error(args, axis, inputs) from None
        reduced_set.add(tuple(reduced))
    if len(reduced_set) != 1:
        ranks = {len(s) for s in reduced_set}
        if len(ranks) != 1:
            raise ShapeError(
                "merge",
                f"Concatenate(axis={axis}) inputs have different ranks: {_listing(inputs)}",
                expected=min(ranks) + 1,
                actual=max(ranks) + 1,
            )
        for position in range(ranks.pop()):
            sizes = _known(s[position] for s in reduced_set)
            if len(sizes) > 1:
                where = position if position < axis % len(inputs[0]) else position + 1
                raise ShapeError(
                    "merge",
                    f"Concatenate(axis={axis}) inputs must match except on the concatenation axis; "
                    f"axis {where} has sizes {sorted(sizes)}: {_listing(inputs)}",
                    axis=where,
                    expected=min(sizes),
                    actual=max(sizes),
                )
    out = list(inputs[0])
    try:
        for shape in inputs[1:]:
            if out[axis] is None or shape[axis] is None:
                out[axis] = None
                break
            out[axis] += shape[axis]
    except IndexError:
        raise _axis_error(args, axis, inputs) from None
    return result(tuple(out))


def _axis_error(args: Args, axis: int, inputs: list[Shape]) -> ShapeError:
    return ShapeError(
        "incompatible",
        f"{args.kind}(axis={axis}) is out of range for inputs {_listing(inputs)}",
        axis=axis,
        actual=axis,
    )


def _concatenate_unknown_axis(args: Args, inputs: list[Shape]) -> LayerResult:
    _shapes(args, inputs)
    ranks = {len(s) for s in inputs}
    if len(ranks) != 1:
        raise UnsupportedLayer(args.kind, "unknown axis and inputs of different ranks")
    rank = ranks.pop()
    # Without the axis, keep only the sizes every input agrees on.
    out = [inputs[0][i] if all(s[i] == inputs[0][i] for s in inputs) else None for i in range(rank)]
    return result(tuple(out))


@register("Dot")
def _dot(args: Args, inputs: list[Shape]) -> LayerResult:
    raw_axes = args.raw("axes", REQUIRED)
    _shapes(args, inputs, 2)
    a, b = list(inputs[0]), list(inputs[1])
    if is_unknown(raw_axes) or (isinstance(raw_axes, (list, tuple)) and any(is_unknown(x) for x in raw_axes)):
        raise UnsupportedLayer(args.kind, "unknown `axes` leaves the output rank unknown")
    if isinstance(raw_axes, int):
        axes = [raw_axes % len(a), raw_axes % len(b)] if raw_axes < 0 else [raw_axes, raw_axes]
    elif isinstance(raw_axes, (list, tuple)):
        if len(raw_axes) != 2 or not all(isinstance(x, int) for x in raw_axes):
            raise args.fail(f"`axes` must be an int or a pair of ints, got {raw_axes!r}")
        axes = list(raw_axes)
    else:
        raise args.fail(f"`axes` must be an int or a pair of ints, got {raw_axes!r}")
    try:
        left, right = a[axes[0]], b[axes[1]]
    except IndexError:
        raise _axis_error(args, raw_axes, inputs) from None
    # Keras compares with != so None against a size fails there; an unknown is not wrong here.
    if left is not None and right is not None and left != right:
        raise ShapeError(
            "merge",
            f"Dot(axes={raw_axes!r}) contracts axis {axes[0]} of size {left} with axis {axes[1]} "
            f"of size {right}: {_listing(inputs)}",
            axis=axes[0],
            expected=left,
            actual=right,
        )
    a.pop(axes[0])
    b.pop(axes[1])
    if not b:
        raise _axis_error(args, raw_axes, inputs)
    b.pop(0)
    out = a + b
    if len(out) == 1:
        out.append(1)
    return result(tuple(out))
