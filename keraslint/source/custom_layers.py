"""Custom layers with weights of their own or their own shape rule: ``class Scale(keras.layers.Layer)``
with ``self.add_weight(...)`` in ``build``/``__init__``, or with ``compute_output_shape``.

Tracing such a layer into the model's graph (as subclass.py does for layers built only from
Keras layers) would lose its weights, and its ``call`` works on shapes the source pass does not
know yet (a subclassed model's input shape comes from the data it is fed later). So the layer
stays one ``Opaque`` node with a ``CustomLayer`` under ``config["custom_layer"]``; the shape
engine (keraslint/shapes/custom.py) asks it for the node's output shape when the graph pass
knows the input shape. It then runs the layer's own code with the interpreter, as Keras does
when the layer is called on a symbolic tensor:

* ``build(input_shape)`` with the input shape as Keras passes it (a tuple, batch axis None);
  ``self.add_weight(shape=...)`` there or in ``__init__`` gives an array of that shape and
  counts toward the layer's parameters (``trainable=False`` ones too, as ``count_params()``);
* ``compute_output_shape(input_shape)`` when the layer defines it (Keras uses it for the output
  of a symbolic call); otherwise ``call`` on a tensor of the input shape, followed with the array
  semantics (``tf.matmul(x, self.w) + self.b``, element-wise ops, activations).

Where the body is not modelled the output is unknown and ``Layer.unknown_reason`` says which
call stopped it. Each evaluation is detached from the trackers (it is not the script running)
and bounded by its own step budget; the layer's attributes are restored afterwards.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import libcst as cst

from keraslint.ir.graph import Layer
from keraslint.shapes.custom import CUSTOM_LAYER_KEY
from keraslint.shapes.errors import UnsupportedLayer
from keraslint.shapes.spec import LayerResult, Shape
from keraslint.source import arrays
from keraslint.source.arrays import TENSOR, make, shape_arg, size_of
from keraslint.source.limits import frames_left
from keraslint.source.values import NOT_MODELLED, Array, ClassValue, ListValue, Obj, Ref
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter

#: interpreter steps one evaluation of a layer's build + call may take (a whole script gets 200k)
STEP_BUDGET = 20_000
#: distinct input shapes evaluated per layer (a layer is rarely applied to more than a few)
MAX_EVALUATIONS = 16

_LAYER = "keras.layers.Layer"
_MODEL = "keras.Model"


@dataclass(frozen=True)
class Weight:
    """One ``add_weight`` call: its shape (None: unknown rank), trainable (None: unknown), and
    whether it certainly ran (not on one side of an undecided ``if``)."""

    shape: tuple[int | None, ...] | None
    trainable: bool | None
    certain: bool
    node: Any = None

    @property
    def size(self) -> int | None:
        return size_of(self.shape) if self.certain else None


def attach(interp: Interpreter, obj: Obj, cls: ClassValue) -> None:
    """After ``__init__`` of a custom layer: keep its model on the layer for the shape engine."""
    layer = obj.data.get("layer")
    if not isinstance(layer, Layer) or layer.kind != "Opaque":
        return
    obj.data["init_weights"] = obj.data.pop("own_weights", [])
    layer.config[CUSTOM_LAYER_KEY] = CustomLayer(interp, obj, cls, layer)
    if interp._script_method(obj, "call") is None and interp._script_method(obj, "compute_output_shape") is None:
        layer.unknown_reason = f"custom layer {cls.name}: no call() to follow"


class CustomLayer:
    """A custom layer instance, evaluated on the input shapes of each node that applies it."""

    def __init__(self, interp: Interpreter, obj: Obj, cls: ClassValue, layer: Layer) -> None:
        self.interp = interp
        self.obj = obj
        self.cls = cls
        self.layer = layer
        self._results: dict[tuple[Shape, ...], LayerResult | UnsupportedLayer] = {}
        self._weights: dict[tuple[Shape, ...], list[Weight]] = {}

    def __repr__(self) -> str:
        return f"CustomLayer({self.cls.name})"

    def infer(self, inputs: list[Shape]) -> LayerResult:
        """Output shapes and parameter count on ``inputs``, as Keras builds the layer; raises
        UnsupportedLayer (unknown output) where the body is not modelled."""
        key = tuple(tuple(shape) for shape in inputs)
        if key not in self._results:
            if len(self._results) >= MAX_EVALUATIONS:
                raise UnsupportedLayer("Opaque", f"custom layer {self.cls.name}: too many input shapes")
            try:
                self._results[key] = self._evaluate(list(key))
            except UnsupportedLayer as error:
                self._results[key] = error
            except Exception as error:  # noqa: BLE001 - the user's code is never ours to crash on
                self._results[key] = UnsupportedLayer("Opaque", f"custom layer {self.cls.name}: "
                                                                f"{type(error).__name__} while following it")
        found = self._results[key]
        if isinstance(found, UnsupportedLayer):
            # the graph pass also probes the layer with made-up sizes: a failure there, after a
            # real input succeeded, says nothing about the layer
            succeeded = any(isinstance(result, LayerResult) for result in self._results.values())
            if self.layer.unknown_reason is None and found.reason and not succeeded:
                self.layer.unknown_reason = found.reason
            raise found
        return found

    def weights(self, *inputs: Shape) -> list[Weight] | None:
        """The weights the layer makes when built on ``inputs`` (None: not followed)."""
        try:
            self.infer(list(inputs))
        except UnsupportedLayer:
            pass
        return self._weights.get(tuple(tuple(shape) for shape in inputs))

    def _evaluate(self, inputs: list[Shape]) -> LayerResult:
        interp, obj, name = self.interp, self.obj, self.cls.name
        if len(inputs) == 1:
            shapes: Any = inputs[0]
            tensors: Any = _tensor(inputs[0], self.layer.node)
        else:  # a layer called on a list of tensors gets a list of shapes (Keras)
            shapes = ListValue(list(inputs))
            tensors = ListValue([_tensor(shape, self.layer.node) for shape in inputs])
        with _detached(interp, obj) as probe:
            weights: list[Weight] = list(obj.data.get("init_weights", ()))
            obj.data["own_weights"] = weights
            build = interp._script_method(obj, "build")
            if build is not None:
                interp.call(build, [shapes], {}, None)
            rule = interp._script_method(obj, "compute_output_shape")
            if rule is not None:
                output = _shape_value(interp.call(rule, [shapes], {}, None))
                where = "compute_output_shape()"
            else:
                call = interp._script_method(obj, "call")
                if call is None:
                    raise UnsupportedLayer("Opaque", f"custom layer {name}: no call() to follow")
                result = interp.call(call, [tensors], {}, None)
                output = result.shape if isinstance(result, Array) else None
                where = "call()"
            params = self._params(weights, probe)
        self._weights[tuple(inputs)] = weights
        if output is None:
            why = f"uses {probe.unmodelled}, not modelled" if probe.unmodelled else "gives no known shape"
            raise UnsupportedLayer("Opaque", f"custom layer {name}: {where} {why}")
        return LayerResult(outputs=(output,), params=params)

    def _params(self, weights: list[Weight], probe: _Probe, layers_counted: bool = False) -> int | None:
        """``count_params()``: every weight of the layer; unknown when one is, or when the layer
        also holds Keras layers (unless their weights are counted where they are applied) or
        ``tf.Variable`` objects (which Keras 3 does not count, and tf.keras 2 does)."""
        if probe.variables or _makes_variables(self.cls) or \
                not layers_counted and _holds_layers(self.obj.data.get("attrs", {})):
            return None
        repeated = _in_comprehensions(self.cls)
        total = 0
        for weight in weights:
            if weight.size is None or id(weight.node) in repeated:
                return None
            total += weight.size
        return total


class OwnWeights(CustomLayer):
    """The weights of its own that a subclassed model traced through its Keras layers makes
    (``self.add_weight`` in ``__init__`` or ``build``): one weightless-looking node that passes its
    input through and counts them, built on the model's input shape as Keras builds the model.
    Without it the model's parameter count would miss them."""

    def __repr__(self) -> str:
        return f"OwnWeights({self.cls.name})"

    def _evaluate(self, inputs: list[Shape]) -> LayerResult:
        interp, obj = self.interp, self.obj
        if len(inputs) != 1:
            raise UnsupportedLayer("Opaque", f"model {self.cls.name}: weights of its own on several inputs")
        with _detached(interp, obj) as probe:
            weights: list[Weight] = list(obj.data.get("init_weights", ()))
            obj.data["own_weights"] = weights
            build = interp._script_method(obj, "build")
            if build is not None:
                interp.call(build, [inputs[0]], {}, None)
            params = self._params(weights, probe, layers_counted=True)
        self._weights[tuple(inputs)] = weights
        if params is None and self.layer.unknown_reason is None:
            self.layer.unknown_reason = f"model {self.cls.name}: its own weights are not known to keraslint"
        return LayerResult(outputs=(inputs[0],), params=params)


def _tensor(shape: Shape, node: Any) -> Array:
    return make(node, tuple(shape), "float32", type_=TENSOR)


def _shape_value(value: Any) -> Shape | None:
    """What ``compute_output_shape`` returned, as a shape: a tuple or list of dimensions
    (``tf.TensorShape(...)`` is a tuple here); a dimension not known is None."""
    if isinstance(value, ListValue):
        value = tuple(value.items)
    if not isinstance(value, tuple):
        return None
    dims: list[int | None] = []
    for item in value:
        if isinstance(item, int) and not isinstance(item, bool) and item >= 0:
            dims.append(item)
        elif item is None or item is UNKNOWN or isinstance(item, Array):
            dims.append(None)
        else:
            return None  # a list of shapes (several outputs) or something that is no shape
    return tuple(dims)


def _holds_layers(value: Any, depth: int = 0) -> bool:
    if depth > 4:
        return True
    if isinstance(value, Obj) and not isinstance(value, Array):
        return value.type in (_LAYER, _MODEL)
    if isinstance(value, ListValue):
        value = value.items
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return any(_holds_layers(item, depth + 1) for item in value)
    return False


def _makes_variables(cls: ClassValue) -> bool:
    """``tf.Variable(...)``/``keras.Variable(...)`` anywhere in the class (not ``add_weight``)."""
    # imported here: statements imports api, which imports this module
    from keraslint.source.statements import _walk

    for node in _walk(cls.node):
        if isinstance(node, cst.Call):
            func = node.func
            leaf = func.value if isinstance(func, cst.Name) else func.attr.value if isinstance(func, cst.Attribute) else ""
            if leaf == "Variable":
                return True
    return False


def _in_comprehensions(cls: ClassValue) -> set[int]:
    """Calls inside comprehensions of the class: the interpreter evaluates a comprehension's
    element once, so a weight made there (``[self.add_weight(...) for _ in range(n)]``) stands
    for an unknown number of them."""
    from keraslint.source.statements import _walk

    found: set[int] = set()
    for node in _walk(cls.node):
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
            found.update(id(inner) for inner in _walk(node) if isinstance(inner, cst.Call))
    return found


class _Probe:
    """A tracker for one evaluation: the first call on a tensor that was not modelled."""

    def __init__(self) -> None:
        self.unmodelled: str | None = None
        self.variables = False

    def on_call(self, site: CallSite) -> None:
        if site.name in ("tensorflow.Variable", "keras.Variable"):
            self.variables = True
        if self.unmodelled is not None or not _unknown_result(site.result):
            return
        operands = [*site.args, *site.kwargs.values()]
        if site.receiver is not None:
            operands.append(site.receiver)
        if any(isinstance(value, Array) for value in operands) and isinstance(site.node, cst.Call):
            self.unmodelled = cst.Module([]).code_for_node(site.node.func)

    def snapshot(self) -> None:
        return None

    def restore(self, snap: None) -> None:
        return None

    def join(self, a: None, b: None) -> None:
        return None


def _unknown_result(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, Array):
        return value.shape is None
    return isinstance(value, Obj) and value.type == "keras.KerasTensor"


@contextmanager
def _detached(interp: Interpreter, obj: Obj) -> Iterator[_Probe]:
    """Run the layer's methods as a separate, bounded evaluation: no tracker of the script sees
    them (they are the graph pass asking, not the script running), the instance's attributes
    come back as they were, and call counts and budget are the evaluation's own."""
    probe = _Probe()
    saved = (interp.trackers, interp.reachable, interp.budget, interp.followed, interp.max_frames, interp.frame,
             interp.returned, len(interp.defined))
    attrs = obj.data.get("attrs")
    saved_attrs = dict(attrs) if isinstance(attrs, dict) else None
    saved_weights = obj.data.get("own_weights")
    interp.trackers = [probe]
    interp.reachable = False
    interp.budget = interp.steps + STEP_BUDGET
    interp.followed = dict(interp.followed)
    interp.max_frames = frames_left()
    try:
        yield probe
    finally:
        (interp.trackers, interp.reachable, interp.budget, interp.followed, interp.max_frames, interp.frame,
         interp.returned, defined) = saved
        del interp.defined[defined:]
        if saved_attrs is not None:
            obj.data["attrs"] = saved_attrs
        obj.data["own_weights"] = saved_weights


# -- what a layer's methods call ---------------------------------------------------------------

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
                     "rsqrt", "reciprocal", "sin", "cos")
_ELEMENTWISE_OPS = (*_ELEMENTWISE_TF, "exp", "log", "sqrt", "square", "abs", "negative", "erf", "rsqrt", "sin",
                    "cos", "hard_sigmoid", "hard_silu", "mish", "clip")
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
    if not isinstance(value, Array) or value.shape is None:
        return None
    return tuple(UNKNOWN if d is None else d for d in value.shape)


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
    step = pair if strides is None else _pair(strides)
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
    return make(site.node, (batch, out[0], out[1], depth), images.dtype, type_=TENSOR)


def _random_dropout(interp: Interpreter, site: CallSite) -> Any:
    """``keras.random.dropout(inputs, rate, noise_shape=None, seed=None)``: the input's shape."""
    base = site.arg(0, "inputs")
    if not isinstance(base, Array):
        return NOT_MODELLED
    return make(site.node, base.shape, base.dtype, type_=TENSOR)


def _ops_convert(interp: Interpreter, site: CallSite) -> Any:
    """``keras.ops.convert_to_tensor(x, dtype=None)`` on an array (a constant mask or table)."""
    base = site.arg(0, "x")
    if not isinstance(base, Array):
        return NOT_MODELLED
    dtype = site.arg(1, "dtype", default=None)
    return arrays.derive(base, site.node, base.shape, base.dtype if dtype is None else arrays.dtype_name(dtype),
                         type_=TENSOR)


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
    try:
        new = arrays._reshape_arg(site, 1, "newshape")
    except arrays._Invalid:
        new = None
    return arrays.derive(base, site.node, arrays.reshape(base.shape, new), type_=TENSOR)


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


def _register_ops() -> None:
    register = arrays.register
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
    register("keras.ops.shape", _on_arrays(_ops_shape))
    register("tensorflow.shape", _on_arrays(_tf_shape))
    register("keras.ops.image.extract_patches", _on_arrays(_extract_patches))
    register("keras.ops.reshape", _on_arrays(_ops_reshape))
    register("keras.random.dropout", _on_arrays(_random_dropout))
    register("keras.ops.convert_to_tensor", _on_arrays(_ops_convert))
    register("keras.ops.transpose", _on_arrays(_ops_transpose))
    register("keras.activations.get", _activation_get)
    register("tensorflow.TensorShape", _tensor_shape)


_register_ops()
