"""What a custom layer's methods call while custom_layers.py evaluates them on tensors of known
shape: ``self.add_weight``, element-wise ops and activations, ``matmul``, ``ops.shape``/``tf.shape``,
reshapes and transposes, and the Keras layers and models the layer holds (``self.norm(x)``), each on
the arrays that stand for the layer's tensors. Registered with the array model (arrays.register).
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any

from keraslint.ir.graph import Layer
from keraslint.source import arrays
from keraslint.source.array_transforms import reshape_tensor
from keraslint.source.arrays import TENSOR, make, shape_arg
from keraslint.source.custom_layers import _LAYER, Weight, _Probe
from keraslint.source.values import (
    DYNAMIC_AXES,
    NOT_MODELLED,
    Array,
    ListValue,
    Obj,
    Ref,
    dynamic_dim,
)
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter


def apply_sublayer(interp: Interpreter, receiver: Obj, site: CallSite) -> Any:
    """``self.norm(x)`` / ``self.mlp(x)`` in a custom layer's ``call`` while it is evaluated on a
    tensor of known shape: the Keras layer's or model's output, from the shape engine, as Keras
    builds the sub-layer on it; its parameters count toward the custom layer's. NOT_MODELLED
    outside an evaluation (at the top level such a call is eager and joins no model)."""
    # imported here: the graph pass builds on the source pass
    from keraslint.graph.propagate import analyze_model
    from keraslint.ir.graph import ModelGraph, Node, Tensor, output_count
    from keraslint.source.models import _model_as_layer

    probe = next((t for t in interp.trackers if isinstance(t, _Probe)), None)
    x = site.arg(0, "inputs")
    if probe is None or site.star_args or not isinstance(x, Array) or x.shape is None \
            or set(site.kwargs) - {"inputs", "training"}:
        return NOT_MODELLED
    layer = receiver.data.get("layer") if receiver.type == _LAYER else _model_as_layer(receiver)
    if not isinstance(layer, Layer):
        return NOT_MODELLED
    head = Node(layer=None, inputs=[], input_shape=tuple(x.shape), node=site.node)
    applied = Node(layer=layer, inputs=[Tensor(head)], node=site.node, output_count=output_count(layer, {}))
    outputs = [Tensor(applied, i) for i in range(applied.output_count)]
    analysis = analyze_model(ModelGraph("functional", inputs=[Tensor(head)], outputs=outputs))
    result = analysis.results[applied.id]
    probe.sublayers.setdefault(layer.id, analysis.total_params())
    shapes = [None if shape is None or any(result.blind_axes(i)) else shape
              for i, shape in enumerate(result.outputs)]
    values = [UNKNOWN if shape is None else make(site.node, tuple(shape), x.dtype or "float32", type_=TENSOR)
              for shape in shapes]
    return values[0] if len(values) == 1 else tuple(values)


def _add_weight(interp: Interpreter, site: CallSite) -> Any:
    """``self.add_weight(shape=(input_shape[-1], self.units), trainable=False, ...)`` on the
    script's own layer or model: an array of that shape, recorded as one of its weights."""
    owner = site.receiver
    if owner is None or "script_class" not in owner.data:
        return NOT_MODELLED
    args = list(site.args)
    if args and isinstance(args[0], str):
        args = args[1:]  # Keras 2: add_weight(name, shape, ...)
    shape: tuple[int | None, ...] | None
    if site.star_args:
        shape = None
    else:
        value = site.kwargs.get("shape", args[0] if args else None)
        if isinstance(value, ListValue):
            value = tuple(value.items)
        if isinstance(value, tuple):
            # None here is an input axis keraslint does not know (Keras refuses a None weight axis)
            value = tuple(UNKNOWN if item is None else item for item in value)
        try:
            shape = () if value is None else shape_arg(value)  # Keras: no shape is a scalar
        except arrays._Invalid:
            shape = None
    trainable: Any = site.kwargs.get("trainable", True if len(args) <= 1 and not site.star_args else UNKNOWN)
    weight = Weight(shape, trainable if isinstance(trainable, bool) else None, certain=not interp.uncertain,
                    node=site.node)
    owner.data.setdefault("own_weights", []).append(weight)
    return make(site.node, shape, "float32", type_=TENSOR)


#: ``Array.data`` key of a ``keras.Variable``: whether it is trainable (None: unknown)
KERAS_VARIABLE = "keras_variable"
INITIALIZER = "keras.initializers.Initializer"
_INITIALIZERS = ("Constant", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "Identity", "LecunNormal",
                 "LecunUniform", "Ones", "Orthogonal", "RandomNormal", "RandomUniform", "TruncatedNormal",
                 "VarianceScaling", "Zeros", "constant", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
                 "identity", "lecun_normal", "lecun_uniform", "ones", "orthogonal", "random_normal", "random_uniform",
                 "truncated_normal", "variance_scaling", "zeros", "get")


def _initializer(interp: Interpreter, site: CallSite) -> Any:
    """``keras.initializers.GlorotUniform()``: an initializer, whose call makes a tensor."""
    return Obj(INITIALIZER, site.node)


def _initialize(interp: Interpreter, site: CallSite) -> Any:
    """``initializer(shape)`` / ``initializer(shape=(8, 4), dtype=...)``: a tensor of that shape."""
    value = site.arg(0, "shape")
    if isinstance(value, ListValue):
        value = tuple(value.items)
    try:
        shape = shape_arg(value)
    except arrays._Invalid:
        shape = None
    return make(site.node, shape, "float32", type_=TENSOR)


def _keras_variable(interp: Interpreter, site: CallSite) -> Any:
    """``keras.Variable(initializer, shape=None, dtype=None, trainable=True, ...)``: a tensor of its
    value's shape (or of ``shape`` with an initializer). Keras 3 tracks one assigned to a layer's
    attribute as a weight (unlike ``tf.Variable``), so ``track_variable`` counts it then."""
    if site.star_args:
        return NOT_MODELLED
    initial = site.arg(0, "initializer")
    shape: Any = None
    if isinstance(initial, Array):
        shape = initial.shape
    else:
        requested = site.arg(1, "shape", default=None)
        if isinstance(requested, ListValue):
            requested = tuple(requested.items)
        try:
            shape = shape_arg(requested) if requested is not None else None
        except arrays._Invalid:
            shape = None
    trainable = site.kwargs.get("trainable", True if len(site.args) < 4 else UNKNOWN)
    variable = make(site.node, shape, "float32", type_=TENSOR)
    variable.data[KERAS_VARIABLE] = trainable if isinstance(trainable, bool) else None
    return variable


def track_variable(interp: Interpreter, owner: Obj, value: Any) -> None:
    """``self.w = keras.Variable(...)`` on the script's layer or model: one of its weights."""
    if isinstance(value, Array) and KERAS_VARIABLE in value.data and owner.type in (_LAYER, "keras.Model"):
        weight = Weight(value.shape, value.data[KERAS_VARIABLE], certain=not interp.uncertain, node=value.node)
        owner.data.setdefault("own_weights", []).append(weight)


def _on_arrays(handler: arrays.Handler) -> arrays.Handler:
    """Only on arrays (in a layer's ``call``, tensors of known shape): on anything else, such as
    a functional model's symbolic tensors, the call stays what it was (not modelled)."""
    def guarded(interp: Interpreter, site: CallSite) -> Any:
        if not any(isinstance(value, Array) for value in (*site.args, *site.kwargs.values())):
            return NOT_MODELLED
        return handler(interp, site)

    return guarded


def _same_shape(interp: Interpreter, site: CallSite) -> Any:
    """Element-wise functions and activations (``tf.nn.relu(x)``, ``keras.ops.softmax(x)``)."""
    base = site.arg(0, "x")
    if not isinstance(base, Array):
        base = site.arg(0, "features")
    if not isinstance(base, Array):
        return NOT_MODELLED
    return make(site.node, base.shape, base.dtype, type_=base.type)


def _fourier(interp: Interpreter, site: CallSite) -> Any:
    """``keras.ops.fft``/``fft2((real, imag))``: the real and imaginary parts, each of the input's shape."""
    parts = site.arg(0, "x")
    if isinstance(parts, ListValue):
        parts = tuple(parts.items)
    if not (isinstance(parts, tuple) and len(parts) == 2 and all(isinstance(p, Array) for p in parts)
            and parts[0].shape is not None and parts[0].shape == parts[1].shape):
        return NOT_MODELLED
    return tuple(make(site.node, parts[0].shape, parts[0].dtype, type_=TENSOR) for _ in parts)


def _split(interp: Interpreter, site: CallSite) -> Any:
    """``keras.ops.split(x, indices_or_sections=2, axis=2)`` into equal sections: a list of arrays
    (Keras refuses sections that do not divide the axis); split points or an unknown size: unknown."""
    base = site.arg(0, "x")
    sections = site.arg(1, "indices_or_sections")
    axis = site.arg(2, "axis", default=0)
    if not isinstance(base, Array) or base.shape is None or isinstance(sections, bool) or not isinstance(sections, int) \
            or sections <= 0 or isinstance(axis, bool) or not isinstance(axis, int) \
            or not -len(base.shape) <= axis < len(base.shape):
        return NOT_MODELLED
    size = base.shape[axis]
    if not isinstance(size, int) or size % sections:
        return NOT_MODELLED
    shape = tuple(size // sections if i == axis % len(base.shape) else d for i, d in enumerate(base.shape))
    return ListValue([make(site.node, shape, base.dtype, type_=TENSOR) for _ in range(sections)])


def _binary(op: Any) -> arrays.Handler:
    """``tf.add(a, b)``, ``keras.ops.multiply(a, b)``, ``tf.maximum(a, b)``: broadcasting."""
    def handler(interp: Interpreter, site: CallSite) -> Any:
        left, right = site.arg(0, "x"), site.arg(1, "y")
        if not isinstance(left, Array) and not isinstance(right, Array):
            left, right = site.arg(0, "x1"), site.arg(1, "x2")
        return arrays.binary_op(interp, op, left, right, site.node)

    return handler


def _matmul(interp: Interpreter, site: CallSite) -> Any:
    """``keras.ops.matmul(x, w)``; ``K.dot(x, w)`` with a 2-D ``w`` (the only case where Keras 2's
    ``dot`` is a matmul)."""
    left, right = site.arg(0, "x1"), site.arg(1, "x2")
    if site.name == "keras.backend.dot" and not (isinstance(right, Array) and right.rank == 2):
        return make(site.node, None, None, type_=TENSOR)
    return arrays.binary_op(interp, operator.matmul, left, right, site.node)


def _bias_add(interp: Interpreter, site: CallSite) -> Any:
    value, bias = site.arg(0, "value"), site.arg(1, "bias")
    if not isinstance(value, Array):
        return NOT_MODELLED
    if isinstance(bias, Array) and bias.shape is not None and value.shape and len(bias.shape) == 1 \
            and None not in (bias.shape[0], value.shape[-1]) and bias.shape[0] != value.shape[-1]:
        return make(site.node, None, value.dtype, type_=TENSOR)  # TensorFlow refuses
    return make(site.node, value.shape, value.dtype, type_=TENSOR)


#: what ``keras.activations.get`` knows by name; all of them keep the shape of their input
_ACTIVATIONS = frozenset({
    "relu", "relu6", "sigmoid", "tanh", "softmax", "log_softmax", "softplus", "softsign", "elu", "selu", "gelu",
    "silu", "swish", "leaky_relu", "exponential", "hard_sigmoid", "hard_silu", "hard_swish", "mish", "linear",
})


def _activation_get(interp: Interpreter, site: CallSite) -> Any:
    """``keras.activations.get("relu")`` (or None, which is ``linear``): the activation function,
    so that ``self.activation(x)`` in a custom layer keeps the shape."""
    identifier = site.arg(0, "identifier", default=None)
    if identifier is None:
        identifier = "linear"
    if isinstance(identifier, str) and identifier in _ACTIVATIONS:
        name = f"keras.activations.{identifier}"
        return Ref(name, name)
    if isinstance(identifier, Ref):
        return identifier
    return NOT_MODELLED


def _tensor_shape(interp: Interpreter, site: CallSite) -> Any:
    """``tf.TensorShape(dims)`` in ``compute_output_shape``: its dimensions as a tuple."""
    value = site.arg(0, "dims")
    if isinstance(value, ListValue):
        value = tuple(value.items)
    return value if isinstance(value, tuple) else NOT_MODELLED


_ELEMENTWISE_TF = ("relu", "relu6", "elu", "selu", "gelu", "sigmoid", "tanh", "softmax", "log_softmax", "softplus",
                   "softsign", "swish", "silu", "leaky_relu", "dropout")
_ELEMENTWISE_MATH = ("sigmoid", "tanh", "exp", "log", "sqrt", "square", "abs", "negative", "softplus", "erf",
                     "rsqrt", "reciprocal", "sin", "cos", "floor", "ceil", "round", "sign")
_ELEMENTWISE_OPS = (*_ELEMENTWISE_TF, "exp", "log", "sqrt", "square", "abs", "negative", "erf", "rsqrt", "sin",
                    "cos", "hard_sigmoid", "hard_silu", "mish", "clip", "floor", "ceil", "round", "sign")
_BINARY = {"add": operator.add, "subtract": operator.sub, "multiply": operator.mul, "divide": operator.truediv,
           "maximum": operator.add, "minimum": operator.add}

class ShapeTensor(tuple):
    """``tf.shape(x)``: a 1-D int32 tensor, kept as its dimensions (an axis keraslint does not know
    is UNKNOWN) so that ``tf.shape(x)[1]`` is the width. Arithmetic on the whole tensor is
    element-wise in TensorFlow, not a tuple's concatenation or repetition: unknown here."""

    def __getitem__(self, index: Any) -> Any:
        found = tuple.__getitem__(self, index)
        return ShapeTensor(found) if isinstance(index, slice) else found

    def _unknown(self, *_: Any) -> Any:
        return UNKNOWN

    __add__ = __radd__ = __mul__ = __rmul__ = __sub__ = __rsub__ = __truediv__ = __floordiv__ = _unknown
    __mod__ = __pow__ = __matmul__ = __rmatmul__ = _unknown


def _dims(value: Any) -> tuple[Any, ...] | None:
    """The dimensions of a tensor in a layer's call: a None axis Keras leaves None (the batch) is a
    dynamic_dim, which a reshape may pass on; one keraslint could not size is UNKNOWN."""
    if not isinstance(value, Array) or value.shape is None:
        return None
    dynamic = value.data.get(DYNAMIC_AXES, ())
    return tuple((dynamic_dim(value.node) if i in dynamic else UNKNOWN) if d is None else d
                 for i, d in enumerate(value.shape))


def _ops_shape(interp: Interpreter, site: CallSite) -> Any:
    """``keras.ops.shape(x)`` in a layer's call: a tuple, as Keras returns it; the batch axis and
    any axis keraslint does not know are UNKNOWN, never a guess."""
    dims = _dims(site.arg(0, "x"))
    return NOT_MODELLED if dims is None else dims


def _tf_shape(interp: Interpreter, site: CallSite) -> Any:
    """``tf.shape(x)`` in a layer's call: its dimensions (see ShapeTensor)."""
    dims = _dims(site.arg(0, "input"))
    return NOT_MODELLED if dims is None else ShapeTensor(dims)


def _extract_patches(interp: Interpreter, site: CallSite) -> Any:
    """``keras.ops.image.extract_patches(images, size, strides=None, padding="valid")`` on
    channels-last images (B, H, W, C): (B, H', W', size_h * size_w * C)."""
    images = site.arg(0, "images")
    size = site.arg(1, "size")
    strides = site.arg(2, "strides", default=None)
    dilation = site.arg(3, "dilation_rate", default=1)
    padding = site.arg(4, "padding", default="valid")
    data_format = site.arg(5, "data_format", default=None)
    if not isinstance(images, Array) or images.shape is None or len(images.shape) != 4 or dilation != 1 \
            or data_format not in (None, "channels_last") or padding not in ("valid", "same"):
        return NOT_MODELLED
    pair = _pair(size)
    return _patches(site, images, pair, pair if strides is None else _pair(strides), padding)


def _tf_extract_patches(interp: Interpreter, site: CallSite) -> Any:
    """``tf.image.extract_patches(images, sizes=[1, k, k, 1], strides=[1, s, s, 1],
    rates=[1, 1, 1, 1], padding="SAME")``: as keras.ops' (no dilation)."""
    images = site.arg(0, "images")
    sizes, strides, rates = (_spatial(site.arg(i, key)) for i, key in ((1, "sizes"), (2, "strides"), (3, "rates")))
    padding = site.arg(4, "padding")
    if not isinstance(images, Array) or images.shape is None or len(images.shape) != 4 or rates != (1, 1) \
            or padding not in ("SAME", "VALID"):
        return NOT_MODELLED
    return _patches(site, images, sizes, strides, padding.lower())


def _spatial(value: Any) -> tuple[int, int] | None:
    """The two spatial entries of TensorFlow's ``[1, h, w, 1]`` window arguments."""
    items = value.items if isinstance(value, ListValue) else value
    if not isinstance(items, (list, tuple)) or len(items) != 4 or items[0] != 1 or items[3] != 1:
        return None
    pair = (items[1], items[2])
    return pair if all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in pair) else None


def _patches(site: CallSite, images: Array, pair: tuple[int, int] | None, step: tuple[int, int] | None,
             padding: str) -> Any:
    assert images.shape is not None
    if pair is None or step is None:
        return make(site.node, None, images.dtype, type_=TENSOR)
    batch, height, width, channels = images.shape
    out = []
    for extent, k, s in zip((height, width), pair, step):
        if extent is None:
            out.append(None)
        elif padding == "same":
            out.append(-(-extent // s))
        else:
            out.append((extent - k) // s + 1 if extent >= k else None)
    depth = None if channels is None else pair[0] * pair[1] * channels
    if any(d is not None and d <= 0 for d in out):
        return make(site.node, None, images.dtype, type_=TENSOR)
    patches = make(site.node, (batch, out[0], out[1], depth), images.dtype, type_=TENSOR)
    if batch is None and 0 in images.data.get(DYNAMIC_AXES, ()):
        patches.data[DYNAMIC_AXES] = frozenset({0})  # the same batch
    return patches


def _random_dropout(interp: Interpreter, site: CallSite) -> Any:
    """``keras.random.dropout(inputs, rate, noise_shape=None, seed=None)``: the input's shape."""
    base = site.arg(0, "inputs")
    if not isinstance(base, Array):
        return NOT_MODELLED
    return make(site.node, base.shape, base.dtype, type_=TENSOR)


def _ops_transpose(interp: Interpreter, site: CallSite) -> Any:
    """``keras.ops.transpose(x, axes=None)`` on an array or a layer's input."""
    base = site.arg(0, "x")
    if not isinstance(base, Array):
        return NOT_MODELLED
    axes = site.arg(1, "axes", default=None)
    try:
        shape = arrays.transpose(base.shape, axes)
    except arrays._Invalid:
        shape = None
    return arrays.derive(base, site.node, shape, type_=TENSOR)


def _ops_reshape(interp: Interpreter, site: CallSite) -> Any:
    """``keras.ops.reshape(x, newshape)`` in a layer's call (a dimension from ``ops.shape`` that
    keraslint does not know stays unknown)."""
    base = site.arg(0, "x")
    if not isinstance(base, Array):
        return NOT_MODELLED
    return reshape_tensor(base, site, 1, "newshape")


def _pair(value: Any) -> tuple[int, int] | None:
    if isinstance(value, ListValue):
        value = tuple(value.items)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return (value, value)
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool) and v > 0
                                                            for v in value):
        return (value[0], value[1])
    return None


#: ``import tensorflow.experimental.numpy as tnp``
_TNP = "tensorflow.experimental.numpy."


def _joined(shape_of: Any) -> arrays.Handler:
    """``keras.ops.stack(xs, axis=0)``/``keras.ops.concatenate(xs, axis=0)`` on a list of tensors."""
    def handler(interp: Interpreter, site: CallSite) -> Any:
        items = interp.sequence_items(site.arg(0, "xs"))
        axis = site.arg(1, "axis", default=0)
        if not items or not all(isinstance(item, Array) and item.shape is not None for item in items) \
                or isinstance(axis, bool) or not isinstance(axis, int):
            return NOT_MODELLED
        try:
            shape = shape_of([item.shape for item in items], axis)
        except Exception:  # noqa: BLE001 - shapes that cannot be joined: Keras' error, not modelled here
            return NOT_MODELLED
        return make(site.node, shape, items[0].dtype, type_=TENSOR) if shape is not None else NOT_MODELLED

    return handler


def _tensordot(interp: Interpreter, site: CallSite) -> Any:
    """``keras.ops.tensordot(x, w, axes=1)`` with an integer ``axes``: the last ``axes`` axes of
    ``x`` against the first of ``w`` (the pairs-of-axes form is not modelled)."""
    left, right = site.arg(0, "x1"), site.arg(1, "x2")
    if not isinstance(left, Array):
        left, right = site.arg(0, "a"), site.arg(1, "b")
    axes = site.arg(2, "axes", default=2)
    if not (isinstance(left, Array) and isinstance(right, Array)) or left.shape is None or right.shape is None \
            or isinstance(axes, bool) or not isinstance(axes, int) or not 0 <= axes <= min(left.rank, right.rank):
        return NOT_MODELLED
    inner = zip(left.shape[len(left.shape) - axes:], right.shape[:axes])
    if any(a is not None and b is not None and a != b for a, b in inner):
        return NOT_MODELLED  # Keras refuses it; said where the shapes are certain, not here
    return make(site.node, (*left.shape[:len(left.shape) - axes], *right.shape[axes:]), left.dtype or right.dtype,
                type_=TENSOR)


def _register_ops() -> None:
    from keraslint.source.array_shapes import concatenate, stack

    register = arrays.register
    register("keras.ops.stack", _joined(stack))
    for name in ("keras.ops.tensordot", "tensorflow.tensordot"):
        register(name, _on_arrays(_tensordot))
    register("keras.ops.concatenate", _joined(concatenate))
    for name in ("keras.layers.Layer.add_weight", "keras.layers.Layer.add_variable", "keras.Model.add_weight"):
        register(name, _add_weight)
    for name in _ELEMENTWISE_TF:
        register(f"tensorflow.nn.{name}", _on_arrays(_same_shape))
    for name in _ELEMENTWISE_MATH:
        register(f"tensorflow.{name}", _on_arrays(_same_shape))
        register(f"tensorflow.math.{name}", _on_arrays(_same_shape))
    for name in _ELEMENTWISE_OPS:
        register(f"keras.ops.{name}", _on_arrays(_same_shape))
    for name in _ACTIVATIONS:
        register(f"keras.activations.{name}", _on_arrays(_same_shape))
    for name, op in _BINARY.items():
        for prefix in ("tensorflow.", "tensorflow.math.", "keras.ops."):
            register(f"{prefix}{name}", _on_arrays(_binary(op)))
    for name in ("keras.ops.matmul", "keras.backend.dot"):
        register(name, _on_arrays(_matmul))
    for name in ("tensorflow.nn.bias_add", "keras.backend.bias_add"):
        register(name, _on_arrays(_bias_add))
    # TensorFlow NumPy (``tnp.matmul(x, self.w)``) in a layer's call: NumPy's functions on tensors
    for name in (*_ELEMENTWISE_MATH, "negative", "clip"):
        register(f"{_TNP}{name}", _on_arrays(_same_shape))
    for name in ("add", "subtract", "multiply", "divide", "true_divide", "maximum", "minimum", "power"):
        register(f"{_TNP}{name}", _on_arrays(_binary(_BINARY.get(name, operator.add))))
    register(f"{_TNP}matmul", _on_arrays(_matmul))
    for name in ("zeros_like", "ones_like"):
        register(f"keras.ops.{name}", _on_arrays(_same_shape))
    for name in ("fft", "fft2"):
        register(f"keras.ops.{name}", _fourier)
    register("keras.ops.split", _on_arrays(_split))
    register("keras.ops.shape", _on_arrays(_ops_shape))
    register("tensorflow.shape", _on_arrays(_tf_shape))
    register("keras.ops.image.extract_patches", _on_arrays(_extract_patches))
    register("tensorflow.image.extract_patches", _on_arrays(_tf_extract_patches))
    register("keras.ops.reshape", _on_arrays(_ops_reshape))
    register("keras.random.dropout", _on_arrays(_random_dropout))
    register("keras.ops.transpose", _on_arrays(_ops_transpose))
    register("keras.activations.get", _activation_get)
    for name in _INITIALIZERS:
        register(f"keras.initializers.{name}", _initializer)
    register(f"{INITIALIZER}.__call__", _initialize)
    register("keras.Variable", _keras_variable)
    register("tensorflow.TensorShape", _tensor_shape)


_register_ops()
