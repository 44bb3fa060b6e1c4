"""Convolutions: Conv1D/2D/3D, their transposes, separable and depthwise variants."""

from __future__ import annotations

from typing import Any

from keraslint.shapes.args import Args
from keraslint.shapes.dims import Dim, check_rank, fmt, mul, prod, spatial_layout, total
from keraslint.shapes.errors import ShapeError
from keraslint.shapes.registry import register, result, single
from keraslint.shapes.spec import LayerResult, Shape
from keraslint.values import UNKNOWN
from keraslint.plural import plural


def conv_output_length(length: Any, kernel_size: Any, padding: Any, stride: Any, dilation: Any = 1) -> int | None:
    """Output length of one convolved axis, as Keras computes it.

    None when any argument is unknown (None or UNKNOWN). The result may be zero or negative
    when the dilated kernel does not fit a "valid" convolution; ``infer`` reports that as a
    ``collapse`` ShapeError, rules may want the number itself.
    """
    values = (length, kernel_size, padding, stride, dilation)
    if any(v is None or v is UNKNOWN for v in values):
        return None
    mode = str(padding).lower()
    if mode == "valid":
        return int((length - dilation * (kernel_size - 1) - 1) // stride + 1)
    if mode in ("same", "causal"):
        return int((length - 1) // stride + 1)
    raise ValueError(f"padding must be 'valid', 'same' or 'causal', got {padding!r}")


def transposed_output_length(
    length: Dim, kernel_size: Dim, padding: str | None, stride: Dim, output_padding: Dim | str, dilation: Dim
) -> Dim:
    """Keras' transposed-convolution length; ``output_padding="default"`` means it was not given."""
    if None in (length, kernel_size, padding, stride, dilation, output_padding):
        return None
    assert length is not None and kernel_size is not None and stride is not None and dilation is not None
    effective = (kernel_size - 1) * dilation + 1
    if padding == "valid":
        extra = max(effective, stride) - effective if output_padding == "default" else output_padding
        assert isinstance(extra, int)
        return (length - 1) * stride + effective + extra
    if output_padding == "default":
        return length * stride
    assert isinstance(output_padding, int)
    return (length - 1) * stride + effective % 2 + output_padding


class Geometry:
    """Where the channels and spatial axes of a conv-style input are, given data_format."""

    def __init__(self, args: Args, x: Shape, rank: int, data_format: str | None, *, time_axis: bool = False) -> None:
        self.x = x
        self.rank = rank
        self.data_format = data_format
        self.lead = 2 if time_axis else 1  # batch (and time) axes before the per-step layout
        layout = spatial_layout(rank, data_format, time_axis=time_axis)
        # Keras checks a minimum rank first and fails on the kernel shape for longer inputs;
        # either way the one rank that works is the one to name.
        check_rank(args.kind, x, ndim=rank + self.lead + 1, layout=layout)
        if data_format == "channels_last":
            self.channel_axis: int | None = len(x) - 1
            self.spatial_axes = list(range(self.lead, self.lead + rank))
        elif data_format == "channels_first":
            self.channel_axis = self.lead
            self.spatial_axes = list(range(self.lead + 1, self.lead + 1 + rank))
        else:
            self.channel_axis = None
            self.spatial_axes = []

    @property
    def channels(self) -> Dim:
        return None if self.channel_axis is None else self.x[self.channel_axis]

    def spatial(self) -> list[Dim]:
        if not self.spatial_axes:
            return [None] * self.rank
        return [self.x[a] for a in self.spatial_axes]

    def assemble(self, spatial: list[Dim], channels: Dim) -> Shape:
        head = tuple(self.x[: self.lead])
        if self.data_format == "channels_last":
            return head + tuple(spatial) + (channels,)
        if self.data_format == "channels_first":
            return head + (channels,) + tuple(spatial)
        return head + (None,) * (self.rank + 1)


def conv_spatial(
    args: Args,
    geo: Geometry,
    kernel: tuple[Dim, ...],
    strides: tuple[Dim, ...],
    padding: str | None,
    dilation: tuple[Dim, ...],
) -> list[Dim]:
    """Output spatial dims of a forward convolution; raises ``collapse`` where one is <= 0."""
    out: list[Dim] = []
    for i, length in enumerate(geo.spatial()):
        n = conv_output_length(length, kernel[i], padding, strides[i], dilation[i])
        if n is not None and n <= 0:
            axis = geo.spatial_axes[i]
            raise ShapeError(
                "collapse",
                f"{args.kind}(kernel_size={_show(kernel)}, strides={_show(strides)}, "
                f"dilation_rate={_show(dilation)}, padding={padding!r}) on input {fmt(geo.x)}: "
                f"axis {axis} has length {length}, output length would be {n}",
                axis=axis,
                expected=">0",
                actual=n,
            )
        out.append(n)
    return out


def _show(values: tuple[Dim, ...]) -> str:
    return str(values[0]) if len(values) == 1 else fmt(values)


def _check_stride_dilation(args: Args, strides: tuple[Dim, ...], dilation: tuple[Dim, ...]) -> None:
    # Keras refuses strides > 1 together with dilation_rate > 1 in the constructor.
    if any(s is not None and s > 1 for s in strides) and any(d is not None and d > 1 for d in dilation):
        raise args.fail(
            f"strides > 1 is not supported together with dilation_rate > 1 "
            f"(strides={_show(strides)}, dilation_rate={_show(dilation)})"
        )


def _rank_of(kind: str) -> int:
    return int(kind.rstrip("D")[-1])


@register("Conv1D", "Conv2D", "Conv3D")
def _conv(args: Args, inputs: list[Shape]) -> LayerResult:
    rank = _rank_of(args.kind)
    filters = args.integer("filters")
    kernel = args.ints("kernel_size", rank)
    strides = args.ints("strides", rank, 1)
    padding = args.padding(allow_causal=rank == 1)
    data_format = args.data_format()
    dilation = args.ints("dilation_rate", rank, 1)
    groups = args.integer("groups", 1)
    use_bias = args.flag("use_bias", True)
    if filters is not None and groups is not None and filters % groups:
        raise args.fail(f"filters={filters} is not divisible by groups={groups}", expected=groups, actual=filters)
    _check_stride_dilation(args, strides, dilation)
    geo = Geometry(args, single(args, inputs), rank, data_format)
    channels = geo.channels
    if channels is not None and groups is not None and channels % groups:
        raise ShapeError(
            "channels",
            f"{args.kind}(groups={groups}) needs input channels divisible by {groups}, "
            f"got {plural(channels, 'channel')}: {fmt(geo.x)}",
            axis=geo.channel_axis,
            expected=f"multiple of {groups}",
            actual=channels,
        )
    spatial = conv_spatial(args, geo, kernel, strides, padding, dilation)
    per_group = None if channels is None or groups is None else channels // groups
    params = total(mul(prod(kernel), per_group, filters), _bias(use_bias, filters))
    return result(geo.assemble(spatial, filters), params=params)


def _bias(use_bias: bool | None, size: Dim) -> Dim:
    if use_bias is None:
        return None
    return size if use_bias else 0


@register("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose")
def _conv_transpose(args: Args, inputs: list[Shape]) -> LayerResult:
    rank = _rank_of(args.kind.removesuffix("Transpose"))
    filters = args.integer("filters")
    kernel = args.ints("kernel_size", rank)
    strides = args.ints("strides", rank, 1)
    padding = args.padding()
    raw_output_padding = args.raw("output_padding", None)
    output_padding: tuple[Dim | str, ...]
    if raw_output_padding is None:
        output_padding = ("default",) * rank
    else:
        output_padding = args.ints("output_padding", rank, allow_zero=True)
        for i, (op, s) in enumerate(zip(output_padding, strides)):
            if isinstance(op, int) and s is not None and op >= s:
                raise args.fail(
                    f"output_padding must be smaller than strides on every axis; "
                    f"axis {i} has output_padding={op}, strides={s}"
                )
    data_format = args.data_format()
    dilation = args.ints("dilation_rate", rank, 1)
    use_bias = args.flag("use_bias", True)
    _check_stride_dilation(args, strides, dilation)
    geo = Geometry(args, single(args, inputs), rank, data_format)
    spatial = [
        transposed_output_length(length, kernel[i], padding, strides[i], output_padding[i], dilation[i])
        for i, length in enumerate(geo.spatial())
    ]
    params = total(mul(prod(kernel), filters, geo.channels), _bias(use_bias, filters))
    return result(geo.assemble(spatial, filters), params=params)


@register("DepthwiseConv1D", "DepthwiseConv2D")
def _depthwise(args: Args, inputs: list[Shape]) -> LayerResult:
    rank = _rank_of(args.kind)
    kernel = args.ints("kernel_size", rank)
    strides = args.ints("strides", rank, 1)
    padding = args.padding()
    data_format = args.data_format()
    dilation = args.ints("dilation_rate", rank, 1)
    multiplier = args.integer("depth_multiplier", 1)
    use_bias = args.flag("use_bias", True)
    geo = Geometry(args, single(args, inputs), rank, data_format)
    spatial = conv_spatial(args, geo, kernel, strides, padding, dilation)
    out_channels = mul(geo.channels, multiplier)
    params = total(mul(prod(kernel), out_channels), _bias(use_bias, out_channels))
    return result(geo.assemble(spatial, out_channels), params=params)


@register("SeparableConv1D", "SeparableConv2D")
def _separable(args: Args, inputs: list[Shape]) -> LayerResult:
    rank = _rank_of(args.kind)
    filters = args.integer("filters")
    kernel = args.ints("kernel_size", rank)
    strides = args.ints("strides", rank, 1)
    padding = args.padding()
    data_format = args.data_format()
    dilation = args.ints("dilation_rate", rank, 1)
    multiplier = args.integer("depth_multiplier", 1)
    use_bias = args.flag("use_bias", True)
    geo = Geometry(args, single(args, inputs), rank, data_format)
    spatial = conv_spatial(args, geo, kernel, strides, padding, dilation)
    expanded = mul(geo.channels, multiplier)
    params = total(mul(prod(kernel), expanded), mul(expanded, filters), _bias(use_bias, filters))
    return result(geo.assemble(spatial, filters), params=params)
