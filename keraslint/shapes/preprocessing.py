"""Preprocessing layers that sit inside models: Normalization, Rescaling, image resizing and
cropping, and the random augmentation layers (which keep their input's shape)."""

from __future__ import annotations

from typing import Any

from keraslint.shapes.args import REQUIRED, Args, is_unknown
from keraslint.shapes.dims import fmt, mul, prod, total
from keraslint.shapes.errors import ShapeError, UnsupportedLayer
from keraslint.shapes.registry import register, result, single
from keraslint.shapes.spec import LayerResult, Shape
from keraslint.plural import plural


def _literal_shape(value: Any) -> tuple[int, ...] | None:
    """``np.shape`` of a nested list literal, without numpy; None when not a literal."""
    if is_unknown(value):
        return None
    if isinstance(value, (int, float)):
        return ()
    if isinstance(value, (list, tuple)):
        if not value:
            return (0,)
        inner = [_literal_shape(v) for v in value]
        if any(s is None for s in inner) or len(set(inner)) != 1:
            return None
        first = inner[0]
        assert first is not None
        return (len(value),) + first
    return None


@register("Normalization")
def _normalization(args: Args, inputs: list[Shape]) -> LayerResult:
    raw_axis = args.raw("axis", -1)
    mean = args.raw("mean", None)
    variance = args.raw("variance", None)
    if (mean is None) != (variance is None):
        raise args.fail("set both `mean` and `variance`, or neither")
    x = single(args, inputs)
    if is_unknown(raw_axis):
        return result(x, params=None)
    axes = () if raw_axis is None else (raw_axis,) if isinstance(raw_axis, int) else tuple(raw_axis)
    mean_shape = None if mean is None else _literal_shape(mean)
    if mean is not None:
        variance_shape = _literal_shape(variance)
        if mean_shape is not None and variance_shape is not None and mean_shape != variance_shape:
            raise args.fail(f"`mean` has shape {fmt(mean_shape)} but `variance` has shape {fmt(variance_shape)}")
        for literal in (mean_shape, variance_shape):
            if literal is not None and len(literal) > len(axes):
                raise args.fail(f"`mean`/`variance` of rank {len(literal)} does not fit axis={raw_axis!r}")
    ndim = len(x)
    if any(is_unknown(a) for a in axes):
        return result(x, params=None if mean is None else 0)
    for a in axes:
        if not -ndim <= a < ndim:
            raise ShapeError(
                "incompatible",
                f"Normalization(axis={raw_axis!r}) is out of range for input of rank {ndim}: {fmt(x)}",
                axis=a,
                actual=ndim,
            )
    keep = sorted(a % ndim for a in axes)
    kept_dims = [x[a] for a in keep]
    if mean is None:
        # Adapted statistics are weights: mean and variance per kept position, plus a count.
        return result(x, params=total(mul(2, prod(kept_dims)), 1))
    if mean_shape:
        for i in range(1, len(mean_shape) + 1):
            axis = keep[-i]
            size, dim = mean_shape[-i], x[axis]
            if size != 1 and dim is not None and size != dim:
                raise ShapeError(
                    "channels",
                    f"Normalization `mean` has {plural(size, 'value')} on axis {axis}, the input has {dim}: {fmt(x)}",
                    axis=axis,
                    expected=size,
                    actual=dim,
                )
    return result(x, params=0)


@register("Rescaling")
def _rescaling(args: Args, inputs: list[Shape]) -> LayerResult:
    args.raw("scale", REQUIRED)
    return result(single(args, inputs))


# -- image preprocessing and augmentation layers ---------------------------------------
#
# Keras 3 treats a rank-4 input as a batch of images and any other rank as one image (so a
# rank-3 tensor in a model, batch axis included, is resized as (height, width, channels)); the
# rules below mirror its compute_output_shape exactly, ranks Keras refuses included.

_AUGMENTATION = ("RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast",
                 "RandomBrightness")


def _target_size(args: Args) -> tuple[int | None, int | None]:
    return args.integer("height"), args.integer("width")


def _channels_first(args: Args) -> bool:
    data_format = args.raw("data_format", None)
    if is_unknown(data_format):
        raise UnsupportedLayer(f"{args.kind}: data_format is not known")
    return data_format == "channels_first"


def _set(shape: Shape, axes: tuple[int, int], sizes: tuple[int | None, int | None], kind: str) -> Shape:
    out = list(shape)
    for axis, size in zip(axes, sizes):
        if not -len(out) <= axis < len(out):
            raise ShapeError("rank", f"{kind} needs an image input (rows, cols, channels), got {fmt(shape)}",
                             expected=4, actual=len(shape))
        out[axis] = size
    return tuple(out)


@register("Resizing")
def _resizing(args: Args, inputs: list[Shape]) -> LayerResult:
    x = single(args, inputs)
    size = _target_size(args)
    first = _channels_first(args)
    if len(x) == 4:
        axes = (2, 3) if first else (1, 2)
    else:  # one image, whatever its rank
        axes = (1, 2) if first else (0, 1)
    return result(_set(x, axes, size, args.kind))


@register("CenterCrop")
def _center_crop(args: Args, inputs: list[Shape]) -> LayerResult:
    x = single(args, inputs)
    if len(x) not in (3, 4):
        raise ShapeError("rank", f"CenterCrop needs a rank 3 or 4 input, got {fmt(x)}", expected=4, actual=len(x))
    first = _channels_first(args)
    if len(x) == 4:
        axes = (2, 3) if first else (1, 2)
    else:
        axes = (1, 2) if first else (0, 1)
    return result(_set(x, axes, _target_size(args), args.kind))


@register("RandomCrop")
def _random_crop(args: Args, inputs: list[Shape]) -> LayerResult:
    x = single(args, inputs)
    axes = (-2, -1) if _channels_first(args) else (-3, -2)
    return result(_set(x, axes, _target_size(args), args.kind))


for _kind in _AUGMENTATION:
    @register(_kind)
    def _augmentation(args: Args, inputs: list[Shape]) -> LayerResult:
        return result(single(args, inputs))
