"""Normalization layers: Batch-, Layer-, Group- and UnitNormalization."""

from __future__ import annotations

from typing import Any

from keraslint.shapes.args import Args, is_unknown
from keraslint.shapes.dims import Dim, fmt, mul, prod, total
from keraslint.shapes.errors import ShapeError
from keraslint.shapes.registry import register, result, single
from keraslint.shapes.spec import LayerResult, Shape
from keraslint.plural import plural


def _axes(args: Args, default: Any) -> list[int | None] | None:
    """The ``axis`` argument as a list; None when unknown altogether."""
    value = args.raw("axis", default)
    if is_unknown(value):
        return None
    if isinstance(value, (list, tuple)):
        return [None if is_unknown(a) else a for a in value]
    if isinstance(value, int):
        return [value]
    raise args.fail(f"`axis` must be an int or a list of ints, got {value!r}")


def _check_axes(args: Args, x: Shape, axes: list[int | None]) -> list[int | None]:
    """Canonical (non-negative) axes; raises where Keras finds an axis out of range."""
    canonical: list[int | None] = []
    for axis in axes:
        if axis is None:
            canonical.append(None)
            continue
        if not -len(x) <= axis < len(x):
            raise ShapeError(
                "incompatible",
                f"{args.kind}(axis={axis}) is out of range for input of rank {len(x)}: {fmt(x)}",
                axis=axis,
                expected=f"-{len(x)} <= axis < {len(x)}",
                actual=axis,
            )
        canonical.append(axis % len(x))
    return canonical


def _dims_at(x: Shape, axes: list[int | None]) -> list[Dim]:
    return [None if a is None else x[a] for a in axes]


@register("BatchNormalization")
def _batch_norm(args: Args, inputs: list[Shape]) -> LayerResult:
    raw_axis = args.raw("axis", -1)
    if not is_unknown(raw_axis) and not isinstance(raw_axis, int):
        raise args.fail(f"`axis` must be an integer, got {raw_axis!r}")
    center = args.flag("center", True)
    scale = args.flag("scale", True)
    renorm = args.flag("renorm", False)
    x = single(args, inputs)
    axes = _check_axes(args, x, [None if is_unknown(raw_axis) else raw_axis])
    channels = _dims_at(x, axes)[0]
    # Moving mean and variance always; gamma/beta when scale/center; three more with renorm.
    if None in (center, scale, renorm):
        vectors = None
    else:
        vectors = 2 + int(bool(center)) + int(bool(scale)) + 3 * int(bool(renorm))
    return result(x, params=mul(channels, vectors))


@register("LayerNormalization")
def _layer_norm(args: Args, inputs: list[Shape]) -> LayerResult:
    axes = _axes(args, -1)
    center = args.flag("center", True)
    scale = args.flag("scale", True)
    rms = args.flag("rms_scaling", False)
    x = single(args, inputs)
    if axes is None:
        return result(x, params=None)
    size = prod(_dims_at(x, _check_axes(args, x, axes)))
    if None in (center, scale, rms):
        return result(x, params=None)
    vectors = int(bool(scale or rms)) + int(bool(center and not rms))
    return result(x, params=mul(size, vectors))


@register("GroupNormalization")
def _group_norm(args: Args, inputs: list[Shape]) -> LayerResult:
    groups = args.integer("groups", 32, minimum=None)
    if groups is not None and groups <= 0 and groups != -1:
        raise args.fail(f"`groups` must be a positive integer or -1, got {groups}")
    raw_axis = args.raw("axis", -1)
    center = args.flag("center", True)
    scale = args.flag("scale", True)
    x = single(args, inputs)
    if is_unknown(raw_axis):
        return result(x, params=None)
    axis = _check_axes(args, x, [raw_axis])[0]
    channels = _dims_at(x, [axis])[0]
    if channels is not None and groups is not None:
        wanted = channels if groups == -1 else groups
        if channels < wanted or channels % wanted:
            raise ShapeError(
                "channels",
                f"GroupNormalization(groups={groups}) needs a channel count that is a multiple of "
                f"{wanted}, got {plural(channels, 'channel')} on axis {axis}: {fmt(x)}",
                axis=axis,
                expected=f"multiple of {wanted}",
                actual=channels,
            )
    vectors = None if None in (center, scale) else int(bool(center)) + int(bool(scale))
    return result(x, params=mul(channels, vectors))


@register("UnitNormalization")
def _unit_norm(args: Args, inputs: list[Shape]) -> LayerResult:
    axes = _axes(args, -1)
    x = single(args, inputs)
    if axes is not None:
        _check_axes(args, x, axes)
    return result(x, params=total())
