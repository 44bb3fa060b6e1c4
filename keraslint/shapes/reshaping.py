"""Reshaping layers: Flatten, Reshape, Permute, RepeatVector, UpSampling, ZeroPadding, Cropping."""

from __future__ import annotations

from typing import Any

from keraslint.shapes.args import REQUIRED, Args, is_unknown, pair_tuple, standardize_tuple
from keraslint.shapes.dims import Dim, check_rank, fmt, mul, prod, spatial_layout
from keraslint.shapes.errors import ShapeError, UnsupportedLayer
from keraslint.shapes.registry import register, result, single
from keraslint.shapes.spec import LayerResult, Shape
from keraslint.plural import plural


@register("Flatten")
def _flatten(args: Args, inputs: list[Shape]) -> LayerResult:
    args.data_format()
    x = single(args, inputs)
    check_rank(args.kind, x, min_ndim=1)
    rest = x[1:]
    return result((x[0], prod(rest) if rest else 1))


@register("Reshape")
def _reshape(args: Args, inputs: list[Shape]) -> LayerResult:
    raw = args.raw("target_shape", REQUIRED)
    if is_unknown(raw):
        raise UnsupportedLayer(args.kind, "unknown `target_shape` leaves the output rank unknown")
    try:
        target: list[Any] = list(raw)
    except TypeError:
        raise args.fail(f"`target_shape` must be a tuple, got {raw!r}") from None
    # Non-integer entries are dimensions only known at run time.
    dims: list[Dim] = [d if isinstance(d, int) and not isinstance(d, bool) else None for d in target]
    if any(d is not None and d < -1 for d in dims):
        raise args.fail(f"`target_shape`={tuple(raw)!r} may only hold non-negative sizes and one -1")
    if dims.count(-1) > 1:
        raise args.fail(f"`target_shape`={tuple(raw)!r} has more than one -1")
    x = single(args, inputs)
    rest = x[1:]
    if None in rest or None in dims:
        return result((x[0], *[None if d == -1 else d for d in dims]))
    size = prod(rest)
    assert size is not None
    if -1 not in dims:
        if size != prod(dims):
            raise _reshape_error(x, dims, f"{plural(size, 'element')} cannot be arranged as {prod(dims)}")
        return result((x[0], *dims))
    known = prod(d for d in dims if d != -1)
    assert known is not None
    if known == 0 or size % known:
        raise _reshape_error(x, dims, f"{plural(size, 'element')} {'is' if size == 1 else 'are'} not divisible by {known}")
    return result((x[0], *[size // known if d == -1 else d for d in dims]))


def _reshape_error(x: Shape, dims: list[Dim], why: str) -> ShapeError:
    return ShapeError(
        "reshape",
        f"Reshape target_shape={fmt(dims)} does not fit input {fmt(x)}: {why} per sample",
        expected=tuple(dims),
        actual=x[1:],
    )


@register("Permute")
def _permute(args: Args, inputs: list[Shape]) -> LayerResult:
    raw = args.raw("dims", REQUIRED)
    if is_unknown(raw):
        raise UnsupportedLayer(args.kind, "unknown `dims` leaves the output rank unknown")
    dims = [None if is_unknown(d) else d for d in raw]
    known = [d for d in dims if d is not None]
    if len(known) == len(dims) and sorted(known) != list(range(1, len(dims) + 1)):
        raise args.fail(f"`dims`={tuple(raw)!r} must be a permutation of 1..{len(dims)}")
    x = single(args, inputs)
    check_rank(args.kind, x, ndim=len(dims) + 1)
    return result((x[0], *[None if d is None else x[d] for d in dims]))


@register("RepeatVector")
def _repeat_vector(args: Args, inputs: list[Shape]) -> LayerResult:
    n = args.raw("n", REQUIRED)
    if not is_unknown(n) and (isinstance(n, bool) or not isinstance(n, int) or n <= 0):
        raise args.fail(f"`n` must be a positive integer, got {n!r}")
    x = single(args, inputs)
    check_rank(args.kind, x, ndim=2, layout="(batch, features)")
    return result((x[0], None if is_unknown(n) else n, x[1]))


def _spatial_axes(x: Shape, rank: int, data_format: str | None) -> list[int] | None:
    if data_format is None:
        return None
    start = 2 if data_format == "channels_first" else 1
    return list(range(start, start + rank))


def _rank(kind: str) -> int:
    return int(kind[-2])


@register("UpSampling1D", "UpSampling2D", "UpSampling3D")
def _upsampling(args: Args, inputs: list[Shape]) -> LayerResult:
    rank = _rank(args.kind)
    if rank == 1:
        size = args.raw("size", 2)
        if not is_unknown(size) and (isinstance(size, bool) or not isinstance(size, int) or size <= 0):
            raise args.fail(f"`size` must be a positive integer, got {size!r}")
        factors: tuple[Dim, ...] = (None if is_unknown(size) else size,)
        data_format: str | None = "channels_last"
    else:
        data_format = args.data_format()
        factors = args.ints("size", rank, (2,) * rank)
    x = single(args, inputs)
    check_rank(args.kind, x, ndim=rank + 2, layout=spatial_layout(rank, data_format))
    axes = _spatial_axes(x, rank, data_format)
    if axes is None:
        return result((x[0],) + (None,) * (rank + 1))
    out = list(x)
    for axis, factor in zip(axes, factors):
        out[axis] = mul(x[axis], factor)
    return result(tuple(out))


@register("ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D")
def _zero_padding(args: Args, inputs: list[Shape]) -> LayerResult:
    rank = _rank(args.kind)
    data_format = args.data_format()
    pads = padding_pairs(args, "padding", rank, negative_int=True)
    x = single(args, inputs)
    check_rank(args.kind, x, ndim=rank + 2, layout=spatial_layout(rank, data_format))
    axes = _spatial_axes(x, rank, data_format)
    if axes is None:
        return result((x[0],) + (None,) * (rank + 1))
    out = list(x)
    for axis, (before, after) in zip(axes, pads):
        out[axis] = _sum(x[axis], before, after)
    return result(tuple(out))


def padding_pairs(args: Args, key: str, rank: int, *, negative_int: bool) -> tuple[tuple[Dim, Dim], ...]:
    """(before, after) per spatial axis of a ZeroPadding or Cropping layer's ``key``."""
    defaults: dict[str, Any] = {
        "ZeroPadding1D": 1,
        "ZeroPadding2D": (1, 1),
        "ZeroPadding3D": ((1, 1), (1, 1), (1, 1)),
        "Cropping1D": (1, 1),
        "Cropping2D": ((0, 0), (0, 0)),
        "Cropping3D": ((1, 1), (1, 1), (1, 1)),
    }
    value = args.raw(key, defaults[args.kind])
    if rank == 1:
        before, after = standardize_tuple(args, key, value, 2, allow_zero=True)
        return ((before, after),)
    return pair_tuple(args, key, value, rank, negative_int=negative_int)


def _sum(dim: Dim, before: Dim, after: Dim) -> Dim:
    if dim is None or before is None or after is None:
        return None
    return dim + before + after


@register("Cropping1D", "Cropping2D", "Cropping3D")
def _cropping(args: Args, inputs: list[Shape]) -> LayerResult:
    rank = _rank(args.kind)
    data_format = "channels_last" if rank == 1 else args.data_format()
    crops = padding_pairs(args, "cropping", rank, negative_int=False)
    x = single(args, inputs)
    check_rank(args.kind, x, ndim=rank + 2, layout=spatial_layout(rank, data_format))
    axes = _spatial_axes(x, rank, data_format)
    if axes is None:
        return result((x[0],) + (None,) * (rank + 1))
    out = list(x)
    for axis, (before, after) in zip(axes, crops):
        remaining = _sum(x[axis], None if before is None else -before, None if after is None else -after)
        if remaining is not None and remaining <= 0:
            raise ShapeError(
                "collapse",
                f"{args.kind}(cropping={_show_pairs(crops)}) removes {before}+{after} from axis {axis} "
                f"of length {x[axis]}, leaving {remaining}: {fmt(x)}",
                axis=axis,
                expected=">0",
                actual=remaining,
            )
        out[axis] = remaining
    return result(tuple(out))


def _show_pairs(pairs: tuple[tuple[Dim, Dim], ...]) -> str:
    return fmt(pairs[0]) if len(pairs) == 1 else "(" + ", ".join(fmt(p) for p in pairs) + ")"
