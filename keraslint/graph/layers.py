"""Layer families and geometry the graph rules share."""

from __future__ import annotations

from typing import Any

from keraslint.ir.graph import Layer, Node, Shape

CONVOLUTIONS = frozenset({"Conv1D", "Conv2D", "Conv3D", "SeparableConv1D", "SeparableConv2D",
                          "DepthwiseConv1D", "DepthwiseConv2D"})
TRANSPOSED = frozenset({"Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"})
POOLINGS = frozenset({"MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
                      "AveragePooling1D", "AveragePooling2D", "AveragePooling3D"})
GLOBAL_POOLINGS = frozenset({f"Global{kind}Pooling{n}D" for kind in ("Max", "Average") for n in (1, 2, 3)})
RECURRENT = frozenset({"SimpleRNN", "LSTM", "GRU", "RNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"})
NORMALIZATIONS = frozenset({"BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization"})
WEIGHTED = CONVOLUTIONS | TRANSPOSED | RECURRENT | frozenset({"Dense", "EinsumDense", "Embedding", "Bidirectional",
                                                              "TimeDistributed", "MultiHeadAttention", "Model"})
SEQUENCE_TO_SEQUENCE = TRANSPOSED | frozenset({"UpSampling1D", "UpSampling2D", "UpSampling3D", "TimeDistributed",
                                               "MultiHeadAttention", "Attention", "AdditiveAttention"})


def spatial_rank(kind: str) -> int:
    return int(kind[-2]) if kind[-2:-1].isdigit() and kind.endswith("D") else 1


def as_tuple(value: Any, n: int) -> tuple[Any, ...] | None:
    """``3`` -> ``(3, 3)``; tuples of the right length pass; anything unknown -> None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * n
    if isinstance(value, tuple) and len(value) == n and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return value
    return None


def channels_last(layer: Layer) -> bool:
    return layer.config.get("data_format", "channels_last") in (None, "channels_last")


def layout_known(layer: Layer) -> bool:
    """Whether which axes are spatial is known: not after a ``set_image_data_format`` keraslint
    could not follow (the layer's data_format is then unknown, and so is every finding on it)."""
    return layer.config.get("data_format", "channels_last") in (None, "channels_last", "channels_first")


def spatial_axes(layer: Layer, shape: Shape) -> list[int]:
    n = spatial_rank(layer.kind)
    return list(range(1, 1 + n)) if channels_last(layer) else list(range(2, 2 + n))


def window(layer: Layer) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]] | None:
    """(kernel, strides, dilation) per spatial axis for a convolution or pooling layer."""
    n = spatial_rank(layer.kind)
    config = layer.config
    if layer.kind in POOLINGS:
        kernel = as_tuple(config.get("pool_size", 2), n)
        strides_value = config.get("strides")
        strides = kernel if strides_value is None else as_tuple(strides_value, n)
        dilation: tuple[int, ...] | None = (1,) * n
    else:
        kernel = as_tuple(config.get("kernel_size"), n)
        strides = as_tuple(config.get("strides", 1), n)
        dilation = as_tuple(config.get("dilation_rate", 1), n)
    if kernel is None or strides is None or dilation is None:
        return None
    return kernel, strides, dilation


def trailing_zeros(layer: Layer | None, after: Layer) -> list[int] | None:
    """How many zeros ``layer``, a ZeroPadding1D/2D/3D applied just before ``after``, adds at
    the end of each spatial axis of ``after``; None for any other layer or an unknown padding."""
    from keraslint.shapes.args import Args
    from keraslint.shapes.errors import ShapeError
    from keraslint.shapes.reshaping import padding_pairs

    if layer is None or not layer.kind.startswith("ZeroPadding") or channels_last(layer) != channels_last(after):
        return None
    rank = spatial_rank(layer.kind)
    if rank != spatial_rank(after.kind):
        return None
    try:
        pads = padding_pairs(Args(layer.kind, layer.config), "padding", rank, negative_int=True)
    except ShapeError:
        return None
    ends = [end for _, end in pads]
    return ends if all(isinstance(end, int) for end in ends) else None


def padding(layer: Layer) -> str | None:
    value = layer.config.get("padding", "valid")
    return value.lower() if isinstance(value, str) else None


def same_padding(length: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """(before, after) that TensorFlow adds for ``padding="same"`` on one axis: the output has
    ``ceil(length / stride)`` positions and the odd element of the total goes after
    (``GetWindowedOutputSizeVerbose`` in TensorFlow's kernel_shape_util.cc)."""
    effective = (kernel - 1) * dilation + 1
    total = max((-(-length // stride) - 1) * stride + effective - length, 0)
    return total // 2, total - total // 2


def source_of(node: Node) -> Any:
    """The script node a graph finding points at: the layer's constructor (where its
    configuration is written), else the call that applied it (always, for a model used as a
    layer); None for saved models."""
    if node.layer is not None and node.layer.node is not None and not (node.layer.kind == "Model" and node.node):
        return node.layer.node
    return node.node


def fmt_shape(shape: Shape | None) -> str:
    if shape is None:
        return "(unknown)"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def is_recurrent(layer: Layer | None) -> bool:
    """An RNN layer, or a Bidirectional wrapping one."""
    if layer is None:
        return False
    if layer.kind == "Bidirectional":
        inner = layer.config.get("layer")
        return isinstance(inner, Layer) and inner.kind in RECURRENT
    return layer.kind in RECURRENT


def returns_sequences(layer: Layer) -> bool:
    inner = layer.config.get("layer") if layer.kind == "Bidirectional" else layer
    return isinstance(inner, Layer) and inner.config.get("return_sequences") is True


_ACTIVATION_LAYERS = {"Softmax": "softmax", "ReLU": "relu", "ELU": "elu", "LeakyReLU": "leaky_relu", "PReLU": "prelu"}
_SHAPE_KEEPING = frozenset({"Dropout", "GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization",
                            "Identity", "Reshape", "Flatten"})


def output_activation(node: Node) -> tuple[str | None, Node]:
    """The activation a model output ends with ("linear" when none) and the node that sets it.
    Looks through Activation layers and shape-only layers (Dropout ...) to the layer that has
    one, and into TimeDistributed(Dense); None when it cannot be known (an opaque or nested
    layer)."""
    current = node
    while current.layer is not None:
        layer = current.layer
        if layer.kind == "Activation":
            value = layer.config.get("activation")
            return (value if isinstance(value, str) else None), current
        if layer.kind in _ACTIVATION_LAYERS:
            return _ACTIVATION_LAYERS[layer.kind], current
        if layer.kind in _SHAPE_KEEPING and current.inputs:
            current = current.inputs[0].node
            continue
        if layer.kind == "TimeDistributed":
            # TimeDistributed(Dense(10, activation=...)): the wrapped layer sets the activation
            inner = layer.config.get("layer")
            layer = inner if isinstance(inner, Layer) and inner.kind in ("Dense", "EinsumDense") else None
            if layer is None:
                return None, current
        if layer.kind in ("Dense", "EinsumDense") or layer.kind in CONVOLUTIONS | TRANSPOSED:
            value = layer.config.get("activation", None)
            if value is None:
                return "linear", current
            return (value.lower() if isinstance(value, str) else None), current
        return None, current
    return None, current
