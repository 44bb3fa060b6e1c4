"""Pooling: windowed Max/AveragePooling1D/2D/3D and the global poolings."""

from __future__ import annotations

from keraslint.shapes.args import REQUIRED, Args, standardize_tuple
from keraslint.shapes.conv import Geometry, conv_spatial
from keraslint.shapes.dims import check_rank, spatial_layout
from keraslint.shapes.errors import UnsupportedLayer
from keraslint.shapes.registry import register, result, single
from keraslint.shapes.spec import LayerResult, Shape

_WINDOWED = [f"{mode}Pooling{n}D" for mode in ("Max", "Average") for n in (1, 2, 3)]
_GLOBAL = [f"Global{mode}Pooling{n}D" for mode in ("Max", "Average") for n in (1, 2, 3)]


@register(*_WINDOWED)
def _pooling(args: Args, inputs: list[Shape]) -> LayerResult:
    rank = int(args.kind[-2])
    # MaxPooling defaults to windows of 2; AveragePooling has no default.
    default_pool = REQUIRED if args.kind.startswith("Average") else 2 if rank == 1 else (2,) * rank
    pool_size = args.ints("pool_size", rank, default_pool)
    raw_strides = args.raw("strides", None)
    # strides=None means "same as pool_size", taken before pool_size is standardized.
    strides_value = args.raw("pool_size", default_pool) if raw_strides is None else raw_strides
    strides = standardize_tuple(args, "strides", strides_value, rank)
    # Keras' pooling layers compare padding verbatim: "SAME" is rejected, unlike in Conv layers.
    padding = args.padding(case_sensitive=True)
    data_format = args.data_format()
    x = single(args, inputs)
    check_rank(args.kind, x, ndim=rank + 2, layout=spatial_layout(rank, data_format))
    geo = Geometry(args, x, rank, data_format)
    spatial = conv_spatial(args, geo, pool_size, strides, padding, (1,) * rank)
    return result(geo.assemble(spatial, geo.channels))


@register(*_GLOBAL)
def _global_pooling(args: Args, inputs: list[Shape]) -> LayerResult:
    rank = int(args.kind[-2])
    data_format = args.data_format()
    keepdims = args.flag("keepdims", False)
    x = single(args, inputs)
    check_rank(args.kind, x, ndim=rank + 2, layout=spatial_layout(rank, data_format))
    if keepdims is None:
        raise UnsupportedLayer(args.kind, "unknown `keepdims` leaves the output rank unknown")
    geo = Geometry(args, x, rank, data_format)
    if keepdims:
        return result(geo.assemble([1] * rank, geo.channels))
    if data_format is None:
        return result((x[0], None))
    return result((x[0], geo.channels))
