"""Weight shapes per layer kind: what ``[w.shape for w in layer.get_weights()]`` is in Keras 3.

The shape functions give output shapes and parameter COUNTS; ``set_weights`` and
``load_weights`` need each weight's shape, in Keras' order. A handler takes the layer's
arguments and its (one) input shape and returns the tuple of weight shapes; a dimension may be
None when it depends on something unknown. ``weight_shapes`` returns None when the number of
weights itself is unknown (an unknown ``use_bias``, an unmodelled kind): callers then say nothing.

The order is Keras': a layer's own variables in creation order (its ``build``), then its
sublayers' (a recurrent layer's cell, a Bidirectional's forward then backward layer). Tested
against Keras itself and against the parameter counts in tests/shapes/test_weights_oracle.py.
"""

from __future__ import annotations

from collections.abc import Callable

from keraslint.shapes.args import Args, is_unknown
from keraslint.shapes.dims import Dim, prod
from keraslint.shapes.errors import ShapeError, UnsupportedLayer
from keraslint.shapes.spec import LayerSpec, Shape
from keraslint.vocabulary import LEGACY_LAYER_ALIASES

#: one weight's shape (no batch axis); None dims are unknown sizes
WeightShape = tuple[Dim, ...]
WeightHandler = Callable[[Args, Shape], tuple[WeightShape, ...] | None]

WEIGHT_HANDLERS: dict[str, WeightHandler] = {}


class _Unknown(Exception):
    """The number of weights depends on something unknown."""


def register_weights(*kinds: str) -> Callable[[WeightHandler], WeightHandler]:
    def decorate(fn: WeightHandler) -> WeightHandler:
        for kind in kinds:
            WEIGHT_HANDLERS[kind] = fn
        return fn

    return decorate


def weight_kinds() -> frozenset[str]:
    """Layer kinds whose weight shapes are modelled."""
    return frozenset(WEIGHT_HANDLERS)


def weight_shapes(spec: LayerSpec, input_shape: Shape | None) -> tuple[WeightShape, ...] | None:
    """The shapes of ``spec``'s weights once built on ``input_shape`` (batch axis included), in
    ``get_weights()`` order; None when their number is unknown or the layer is not modelled or
    cannot take that input."""
    if input_shape is None:
        return None
    kind = LEGACY_LAYER_ALIASES.get(spec.kind, spec.kind)
    handler = WEIGHT_HANDLERS.get(kind)
    if handler is None:
        return None
    try:
        shapes = handler(Args(kind, spec.config), tuple(input_shape))
    except (_Unknown, ShapeError, UnsupportedLayer, TypeError, ValueError, KeyError, IndexError, AttributeError):
        return None
    if shapes is None:
        return None
    return tuple(tuple(d if isinstance(d, int) and not isinstance(d, bool) and d >= 0 else None for d in s)
                 for s in shapes)


def _flag(args: Args, key: str, default: bool) -> bool:
    value = args.flag(key, default)
    if value is None:
        raise _Unknown(key)
    return value


def _int(args: Args, key: str, default: object = None) -> Dim:
    value = args.raw(key, default)
    if is_unknown(value) or isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _channels(args: Args, x: Shape) -> Dim:
    data_format = args.data_format()
    if data_format is None:
        return None
    return x[1] if data_format == "channels_first" else x[-1]


def _bias(args: Args, size: Dim) -> tuple[WeightShape, ...]:
    return ((size,),) if _flag(args, "use_bias", True) else ()


def _rank_of(kind: str) -> int:
    return int(kind.removesuffix("Transpose").rstrip("D")[-1])


@register_weights("Dense")
def _dense(args: Args, x: Shape) -> tuple[WeightShape, ...]:
    units = _int(args, "units")
    return ((x[-1], units), *_bias(args, units))


@register_weights("Embedding")
def _embedding(args: Args, x: Shape) -> tuple[WeightShape, ...]:
    return ((_int(args, "input_dim"), _int(args, "output_dim")),)


@register_weights("Conv1D", "Conv2D", "Conv3D")
def _conv(args: Args, x: Shape) -> tuple[WeightShape, ...]:
    kernel = args.ints("kernel_size", _rank_of(args.kind))
    filters = _int(args, "filters")
    groups = _int(args, "groups", 1)
    channels = _channels(args, x)
    per_group = None if channels is None or groups is None else channels // groups
    return ((*kernel, per_group, filters), *_bias(args, filters))


@register_weights("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose")
def _conv_transpose(args: Args, x: Shape) -> tuple[WeightShape, ...]:
    kernel = args.ints("kernel_size", _rank_of(args.kind))
    filters = _int(args, "filters")
    return ((*kernel, filters, _channels(args, x)), *_bias(args, filters))


@register_weights("DepthwiseConv1D", "DepthwiseConv2D")
def _depthwise(args: Args, x: Shape) -> tuple[WeightShape, ...]:
    kernel = args.ints("kernel_size", _rank_of(args.kind))
    channels, multiplier = _channels(args, x), _int(args, "depth_multiplier", 1)
    out = None if channels is None or multiplier is None else channels * multiplier
    return ((*kernel, channels, multiplier), *_bias(args, out))


@register_weights("SeparableConv1D", "SeparableConv2D")
def _separable(args: Args, x: Shape) -> tuple[WeightShape, ...]:
    rank = _rank_of(args.kind)
    kernel = args.ints("kernel_size", rank)
    channels, multiplier = _channels(args, x), _int(args, "depth_multiplier", 1)
    filters = _int(args, "filters")
    expanded = None if channels is None or multiplier is None else channels * multiplier
    return ((*kernel, channels, multiplier), (*(1,) * rank, expanded, filters), *_bias(args, filters))


def _axis_dim(args: Args, x: Shape, default: object = -1) -> Dim:
    axis = args.raw("axis", default)
    if is_unknown(axis) or isinstance(axis, bool) or not isinstance(axis, int) or not -len(x) <= axis < len(x):
        raise _Unknown("axis")
    return x[axis]


@register_weights("BatchNormalization")
def _batch_norm(args: Args, x: Shape) -> tuple[WeightShape, ...]:
    if _flag(args, "renorm", False):
        raise _Unknown("renorm")  # three more vectors; not modelled here
    channels = _axis_dim(args, x)
    vectors = int(_flag(args, "scale", True)) + int(_flag(args, "center", True)) + 2
    return ((channels,),) * vectors


@register_weights("LayerNormalization")
def _layer_norm(args: Args, x: Shape) -> tuple[WeightShape, ...]:
    axis = args.raw("axis", -1)
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    if any(is_unknown(a) or isinstance(a, bool) or not isinstance(a, int) or not -len(x) <= a < len(x) for a in axes):
        raise _Unknown("axis")
    # Keras sorts the axes (after making them non-negative) and builds one vector per kept axis
    shape = tuple(x[a] for a in sorted(a % len(x) for a in axes))
    rms = _flag(args, "rms_scaling", False)
    scale, center = _flag(args, "scale", True), _flag(args, "center", True)
    return (shape,) * (int(scale or rms) + int(center and not rms))


@register_weights("GroupNormalization")
def _group_norm(args: Args, x: Shape) -> tuple[WeightShape, ...]:
    channels = _axis_dim(args, x)
    return ((channels,),) * (int(_flag(args, "scale", True)) + int(_flag(args, "center", True)))


_GATES = {"SimpleRNN": 1, "GRU": 3, "LSTM": 4}


@register_weights("SimpleRNN", "LSTM", "GRU")
def _rnn(args: Args, x: Shape) -> tuple[WeightShape, ...]:
    units = _int(args, "units")
    width = None if units is None else units * _GATES[args.kind]
    shapes: tuple[WeightShape, ...] = ((x[-1], width), (units, width))
    if not _flag(args, "use_bias", True):
        return shapes
    if args.kind == "GRU" and _flag(args, "reset_after", True):
        return (*shapes, (2, width))  # separate input and recurrent biases
    return (*shapes, (width,))


def _inner(args: Args, key: str) -> LayerSpec:
    spec = args.raw(key, None)
    if not isinstance(spec, LayerSpec):
        raise _Unknown(key)
    return spec


def _nested(spec: LayerSpec, x: Shape) -> tuple[WeightShape, ...]:
    shapes = weight_shapes(spec, x)
    if shapes is None:
        raise _Unknown(spec.kind)
    return shapes


@register_weights("Bidirectional")
def _bidirectional(args: Args, x: Shape) -> tuple[WeightShape, ...]:
    forward = _inner(args, "layer")
    if args.raw("backward_layer", None) is not None:
        backward = _inner(args, "backward_layer")
    else:
        backward = LayerSpec(forward.kind, {**forward.config, "go_backwards": True})
    return (*_nested(forward, x), *_nested(backward, x))


@register_weights("TimeDistributed")
def _time_distributed(args: Args, x: Shape) -> tuple[WeightShape, ...]:
    if len(x) < 3:
        raise _Unknown("rank")
    return _nested(_inner(args, "layer"), (x[0], *x[2:]))


def weight_count(shapes: tuple[WeightShape, ...]) -> int | None:
    """The number of values in ``shapes`` (what ``count_params()`` says), None if one is unknown."""
    total = 0
    for shape in shapes:
        size = prod(shape)
        if size is None:
            return None
        total += size
    return total
