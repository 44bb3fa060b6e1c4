"""Operations on Keras tensors that are not layers: ``a + b``, ``x[:, 0]``, ``keras.ops.reshape(x, ...)``.

Keras records each one as a node of the functional graph; so does keraslint: one weightless
``Opaque`` layer per application, whose shapes a TensorOp (keraslint/shapes/tensor_ops.py)
computes from its inputs' like a layer's. When the op or one of its arguments is not known,
the node is still there (the model stays connected to its inputs) but its output is unknown,
with the reason. The model-building calls themselves are in models.py.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any

import libcst as cst

from keraslint.ir.graph import Layer, ModelGraph, Node, Shape, Tensor
from keraslint.shapes.custom import CUSTOM_LAYER_KEY
from keraslint.shapes.tensor_ops import TensorOp
from keraslint.source import containers
from keraslint.source.models import (
    _code,
    _tensors,
    tensor_value,
    tensors_of,
    tracing_calls,
)
from keraslint.source.values import (
    DYNAMIC_AXES,
    NOT_MODELLED,
    Array,
    Function,
    ListValue,
    Method,
    Obj,
    Ref,
    dynamic_dim,
    is_dynamic_dim,
)
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter


def _one_tensor(value: Any) -> Tensor | None:
    tensors = _tensors(value) if isinstance(value, (Obj, Method)) else None
    return tensors[0] if tensors is not None and len(tensors) == 1 else None


def _has_tensor(value: Any) -> bool:
    if isinstance(value, (Obj, Method)):
        return _one_tensor(value) is not None
    items = value.items if isinstance(value, ListValue) else value if isinstance(value, tuple) else ()
    return any(_has_tensor(item) for item in items)


def _op_tensor(label: str, op: str | None, inputs: list[Tensor], node: Any, *, params: dict[str, Any] | None = None,
               constants: tuple[Shape, ...] = (), unknown: str | None = None) -> Obj:
    """One application of an op to ``inputs``: its output tensor."""
    if op is None and unknown is None:
        unknown = f"{label}: not modelled by keraslint"
    model = TensorOp(op, label, dict(params or {}), constants, unknown)
    layer = Layer(kind="Opaque", config={CUSTOM_LAYER_KEY: model}, node=node, spelled=label, pretrained=None,
                  unknown_reason=unknown)
    applied = Node(layer=layer, inputs=inputs, node=node)
    layer.applied.append(applied)
    return tensor_value(Tensor(applied), node)


#: node id -> its result from its declared inputs, shared by the static-shape questions of a run
#: (node ids are unique in the process; cleared when it grows past the bound)
_STATIC_RESULTS: dict[int, Any] = {}
_MAX_STATIC_RESULTS = 50_000


def forget_static_results() -> None:
    """Drop the shapes static_dims computed: an input they depend on has been given a shape."""
    _STATIC_RESULTS.clear()


#: how often static_dims was asked about an input whose shape is not known yet
unknown_rank_queries = [0]


def static_dims(value: Any) -> tuple[Any, ...] | None:
    """``x.shape`` / ``keras.ops.shape(x)`` of a symbolic tensor: its static shape, from the shape
    engine run over the layers it comes from (Keras knows it when the layer is called, and
    ``Dense(x.shape[-1])`` or ``ops.arange(ops.shape(x)[1])`` size the next layers by it).

    An axis Keras reports as None (the batch, a sequence of any length) is only known when the
    model runs: a dynamic_dim, which only ``ops.arange`` takes as a length; one keraslint could
    not determine is not known at all: UNKNOWN. Neither is ever a number.
    None when not one tensor, or when its rank is not known."""
    # imported here: the graph pass builds on the source pass
    from keraslint.graph.propagate import analyze_model

    tensor = _one_tensor(value)
    if tensor is None:
        return None
    from keraslint.source import custom_layers

    if tensor.node.is_input and tensor.node.input_shape is None:
        unknown_rank_queries[0] += 1  # a subclassed model's input before it is fed (subclass.py)

    custom_layers.provisional[0] += 1
    try:
        if len(_STATIC_RESULTS) > _MAX_STATIC_RESULTS:
            _STATIC_RESULTS.clear()
        graph = ModelGraph("functional", outputs=[tensor])
        result = analyze_model(graph, known=_STATIC_RESULTS).results.get(tensor.node.id)
    finally:
        custom_layers.provisional[0] -= 1
    if result is None or tensor.index >= len(result.outputs) or result.outputs[tensor.index] is None:
        if not tensor.node.is_input and any(n.is_input and n.input_shape is None for n in graph.nodes()):
            unknown_rank_queries[0] += 1  # downstream of such an input: asked again once it is fed
        return None
    blind = result.blind_axes(tensor.index)
    return tuple(UNKNOWN if axis in blind else d if isinstance(d, int) and not isinstance(d, bool)
                 else dynamic_dim(tensor.node.node) if d is None else UNKNOWN
                 for axis, d in enumerate(result.outputs[tensor.index]))


def constant_tensor(value: Any, node: Any) -> Obj | None:
    """A concrete array (``ops.arange(0, length)``) where a layer's ``call`` applies a sub-layer to
    it: to the graph, a source of that shape (no batch axis: it is not per-sample data).
    None unless every axis of the array is known."""
    shape = _constant_shape(value)
    if shape is None or shape == ():
        return None
    if isinstance(node, cst.Call) and node.args:
        node = node.args[0].value  # the array's expression names the constant
    code = _code(node)
    tensor = _op_tensor(f"`{code}`" if code else "a constant tensor", "constant", [], node, params={"shape": shape})
    tensor.data["tensor"].node.call_kwargs["__constant__"] = True  # a source, not a layer missing its input
    return tensor


def _with_constants(items: Any, node: Any) -> list[Tensor] | None:
    """``tf.concat([cls_token, patches], axis=1)``: the tensors of a list joining Keras tensors
    with arrays of known shape (each array a constant source, as Keras converts it); None unless
    every item is one or the other and at least one is a Keras tensor."""
    if not isinstance(items, (ListValue, tuple)):
        return None
    found: list[Tensor] = []
    for item in items.items if isinstance(items, ListValue) else items:
        tensor = _one_tensor(item)
        if tensor is None:
            constant = constant_tensor(item, item.node or node) if isinstance(item, Array) else None
            tensor = _one_tensor(constant) if constant is not None else None
        if tensor is None:
            return None
        found.append(tensor)
    return found if any(not t.node.call_kwargs.get("__constant__") for t in found) else None


def _constant_shape(value: Any) -> Shape | None:
    """The shape of a non-tensor operand: ``()`` for a Python number, an array's known shape."""
    if isinstance(value, (int, float)) or is_dynamic_dim(value):  # bools too; a size known when it runs
        return ()
    if isinstance(value, Array) and value.shape is not None and all(isinstance(d, int) for d in value.shape):
        return tuple(value.shape)
    if isinstance(value, Array) and value.shape is not None and all(
            isinstance(d, int) or axis in value.data.get(DYNAMIC_AXES, ()) for axis, d in enumerate(value.shape)):
        return tuple(value.shape)  # ops.arange over a dynamic axis: its length is the model's None
    return None


def _static(value: Any, dynamic: bool = False) -> Any:
    """A static op argument (int, None, bool, tuple of them); UNKNOWN for anything else.
    ``dynamic``: a size known only when the model runs (``tf.shape(x)[0]``, a dynamic_dim) is
    None, as TensorFlow's shape inference leaves it in a reshape's new shape (measured:
    ``tf.reshape(x, [tf.shape(x)[0], h, w, h * w])`` is ``(None, 8, 8, 64)``)."""
    if value is None or isinstance(value, (int, str)):
        return value
    if dynamic and is_dynamic_dim(value):
        return None
    if isinstance(value, ListValue):
        value = tuple(value.items)
    if isinstance(value, tuple):
        items = tuple(_static(v, dynamic) for v in value)
        return UNKNOWN if any(v is UNKNOWN for v in items) else items
    return UNKNOWN


_OPERATORS = {operator.add: "+", operator.sub: "-", operator.mul: "*", operator.truediv: "/",
              operator.floordiv: "//", operator.mod: "%", operator.pow: "**", operator.matmul: "@"}


_SCALAR_OPS = (operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv, operator.mod)


def _scalar_arith(op: Any, left: Any, right: Any, node: Any) -> Any:
    """``tf.shape(x)[1] * tf.shape(x)[2]`` over an axis the model declares None: a scalar tensor
    whose value is known only when the model runs (a dynamic_dim again, never a number), so a
    tensor divided by it keeps its shape. NOT_MODELLED for anything else."""
    if op not in _SCALAR_OPS or not (is_dynamic_dim(left) or is_dynamic_dim(right)):
        return NOT_MODELLED
    if not all(is_dynamic_dim(v) or isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right)):
        return NOT_MODELLED
    return dynamic_dim(node)


def binary_op(op: Any, left: Any, right: Any, node: Any = None) -> Any:
    """``a + b`` with a Keras tensor on either side (a broadcast, as ``keras.ops.add``), and
    ``[a] + [b, c]`` on lists of tensors; NOT_MODELLED when no Keras tensor is involved."""
    if op is operator.add and isinstance(left, (ListValue, tuple)) and isinstance(right, (ListValue, tuple)) \
            and (_has_tensor(left) or _has_tensor(right)):
        items = [*(left.items if isinstance(left, ListValue) else left),
                 *(right.items if isinstance(right, ListValue) else right)]
        return ListValue(items) if isinstance(left, ListValue) and isinstance(right, ListValue) else \
            tuple(items) if isinstance(left, tuple) and isinstance(right, tuple) else UNKNOWN
    a, b = _one_tensor(left), _one_tensor(right)
    if a is None and b is None:
        return _scalar_arith(op, left, right, node)
    symbol = _OPERATORS.get(op)
    code = _code(node)
    label = f"`{code}`" if code else f"`{symbol or '?'}` on a Keras tensor"
    inputs = [t for t in (a, b) if t is not None]
    if symbol is None:
        return _op_tensor(label, None, inputs, node)
    constants: tuple[Shape, ...] = ()
    if a is None or b is None:
        shape = _constant_shape(right if a is not None else left)
        if shape is None:
            return _op_tensor(label, None, inputs, node, unknown=f"{label}: the other operand is a value keraslint "
                              "did not follow")
        constants = (shape,)
    if op is operator.matmul:
        return _op_tensor(label, "matmul", inputs, node, constants=constants,
                          params={"reverse": a is None})
    return _op_tensor(label, "elementwise", inputs, node, constants=constants)


def unary_op(op: str, value: Any, node: Any = None) -> Any:
    """``-x``, ``+x``, ``~x`` on a Keras tensor: the same shape."""
    tensor = _one_tensor(value)
    if tensor is None:
        return NOT_MODELLED
    code = _code(node)
    return _op_tensor(f"`{code}`" if code else f"`{op}` on a Keras tensor", "elementwise", [tensor], node)


def _index_item(item: Any) -> Any:
    """An index item Keras' get_item models: int, slice of ints, ``...``, ``None``/newaxis; UNKNOWN else."""
    if item is None or isinstance(item, Ref) and item.name in ("numpy.newaxis", "tensorflow.newaxis"):
        return None
    if item is Ellipsis or (isinstance(item, int) and not isinstance(item, bool)):
        return item
    if isinstance(item, slice) and all(p is None or isinstance(p, int) and not isinstance(p, bool)
                                       for p in (item.start, item.stop, item.step)):
        return item if item.step != 0 else UNKNOWN
    return UNKNOWN


def subscript(base: Any, indices: list[Any], node: Any = None) -> Any:
    """``x[:, 0]``, ``x[..., :3]``, ``x[:, None]`` on a Keras tensor; NOT_MODELLED when ``x`` is not one."""
    tensor = _one_tensor(base)
    if tensor is None:
        return NOT_MODELLED
    code = _code(node)
    label = f"`{code}`" if code else "an index into a Keras tensor"
    key = [_index_item(item) for item in indices]
    if any(item is UNKNOWN for item in key):
        return _op_tensor(label, "getitem", [tensor], node, unknown=f"{label}: an index keraslint does not "
                          "model or could not determine")
    return _op_tensor(label, "getitem", [tensor], node, params={"key": tuple(key)})


# Functions of keras.ops / tf / keras.backend on Keras tensors. Each entry: the op, then the
# (position, keyword, default) of each static argument it reads, by the op's parameter name.
_ARG = tuple[int | None, str | None, Any]
_MISSING_AXIS = object()


def _family(op: str, names: list[str], **args: _ARG) -> dict[str, tuple[str, dict[str, _ARG]]]:
    return {name: (op, args) for name in names}


_SAME = [f"keras.ops.{n}" for n in (
    "relu", "relu6", "sigmoid", "tanh", "exp", "log", "sqrt", "abs", "absolute", "square", "negative", "gelu",
    "silu", "swish", "softplus", "softsign", "elu", "selu", "leaky_relu", "erf", "cast", "stop_gradient",
    "softmax", "log_softmax", "sign", "floor", "ceil", "round", "cos", "sin", "rsqrt", "reciprocal",
    "hard_sigmoid", "hard_silu", "log1p", "expm1", "normalize", "convert_to_tensor")] + \
    [f"keras.activations.{n}" for n in ("relu", "sigmoid", "tanh", "softmax", "gelu", "elu", "selu", "swish",
                                        "silu", "softplus", "linear", "exponential", "hard_sigmoid")] + \
    [f"tensorflow.{n}" for n in (
        "nn.relu", "nn.relu6", "nn.gelu", "nn.silu", "nn.swish", "nn.softmax", "nn.log_softmax", "nn.sigmoid",
        "nn.tanh", "nn.elu", "nn.selu", "nn.leaky_relu", "nn.softplus", "nn.l2_normalize", "math.l2_normalize",
        "sigmoid", "tanh", "exp", "sqrt", "square", "abs", "cast", "negative", "round", "floor", "identity",
        "stop_gradient", "math.exp", "math.log", "math.sqrt", "math.square", "math.abs", "math.sigmoid",
        "math.tanh", "math.rsqrt", "math.negative", "math.round", "math.floor", "math.sin", "math.cos",
        "math.log1p", "math.softplus", "math.erf", "dtypes.cast", "math.reciprocal")]
_BINARY = [f"keras.ops.{n}" for n in ("add", "subtract", "multiply", "divide", "true_divide", "maximum", "minimum",
                                      "power", "floor_divide", "mod")] + \
    [f"tensorflow.{n}" for n in ("add", "subtract", "multiply", "divide", "truediv", "maximum", "minimum", "pow",
                                 "math.add", "math.subtract", "math.multiply", "math.divide", "math.truediv",
                                 "math.maximum", "math.minimum", "math.pow", "math.squared_difference")]
_REDUCE = [f"keras.ops.{n}" for n in ("mean", "sum", "max", "min", "prod", "std", "var", "any", "all",
                                      "logsumexp", "amax", "amin")] + \
    [f"tensorflow.{p}{n}" for p in ("", "math.") for n in (
        "reduce_mean", "reduce_sum", "reduce_max", "reduce_min", "reduce_prod", "reduce_std", "reduce_variance",
        "reduce_any", "reduce_all", "reduce_logsumexp")] + \
    [f"keras.backend.{n}" for n in ("mean", "sum", "max", "min", "prod", "std", "var")]

_SAME_NAMES = frozenset(_SAME)

_OP_CALLS: dict[str, tuple[str, dict[str, _ARG]]] = {
    **_family("elementwise", _SAME),
    **_family("elementwise", _BINARY, other=(1, None, _MISSING_AXIS)),
    **_family("reduce", _REDUCE, axis=(1, "axis", None), keepdims=(2, "keepdims", False)),
    **_family("reduce", ["keras.ops.argmax", "keras.ops.argmin"], axis=(1, "axis", None),
              keepdims=(2, "keepdims", False)),
    **_family("reduce", ["tensorflow.argmax", "tensorflow.argmin", "tensorflow.math.argmax",
                         "tensorflow.math.argmin"], axis=(1, "axis", 0), keepdims=(None, None, False)),
    **_family("concatenate", ["keras.ops.concatenate", "keras.ops.append"], axis=(1, "axis", 0)),
    **_family("concatenate", ["tensorflow.concat"], axis=(1, "axis", _MISSING_AXIS)),
    **_family("concatenate", ["keras.backend.concatenate"], axis=(1, "axis", -1)),
    **_family("stack", ["keras.ops.stack", "tensorflow.stack", "keras.backend.stack"], axis=(1, "axis", 0)),
    **_family("reshape", ["keras.ops.reshape"], shape=(1, "newshape", _MISSING_AXIS)),
    **_family("reshape", ["tensorflow.reshape", "keras.backend.reshape"], shape=(1, "shape", _MISSING_AXIS)),
    **_family("tile", ["keras.ops.tile"], repeats=(1, "repeats", _MISSING_AXIS)),
    **_family("tile", ["tensorflow.tile"], repeats=(1, "multiples", _MISSING_AXIS)),
    **_family("expand_dims", ["keras.ops.expand_dims", "tensorflow.expand_dims"], axis=(1, "axis", _MISSING_AXIS)),
    **_family("expand_dims", ["keras.backend.expand_dims"], axis=(1, "axis", -1)),
    **_family("squeeze", ["keras.ops.squeeze", "tensorflow.squeeze"], axis=(1, "axis", None)),
    **_family("squeeze", ["keras.backend.squeeze"], axis=(1, "axis", _MISSING_AXIS)),
    **_family("transpose", ["keras.ops.transpose"], axes=(1, "axes", None)),
    **_family("transpose", ["tensorflow.transpose", "tensorflow.linalg.transpose"], axes=(1, "perm", None)),
    **_family("transpose", ["keras.backend.permute_dimensions"], axes=(1, "pattern", _MISSING_AXIS)),
    **_family("matmul", ["keras.ops.matmul", "tensorflow.matmul", "tensorflow.linalg.matmul",
                         "keras.backend.dot"], other=(1, None, _MISSING_AXIS)),
    **_family("tensordot", ["keras.ops.tensordot"], other=(1, None, _MISSING_AXIS), axes=(2, "axes", 2)),
    **_family("tensordot", ["tensorflow.tensordot", "tensorflow.linalg.tensordot"], other=(1, None, _MISSING_AXIS),
              axes=(2, "axes", _MISSING_AXIS)),
}
#: tensor inputs by keyword, per family (the first positional argument otherwise)
_FIRST_KEYWORDS = ("x", "x1", "a", "input", "input_tensor", "tensor", "xs", "values", "tensors", "features",
                   "logits", "inputs")
#: keywords that change what matmul computes: not modelled when set
_MATMUL_FLAGS = ("transpose_a", "transpose_b", "adjoint_a", "adjoint_b")
#: namespaces whose functions of a Keras tensor give a tensor (unmodelled ones: unknown shape)
_TENSOR_NAMESPACES = ("keras.ops.", "tensorflow.math.", "tensorflow.nn.", "tensorflow.linalg.", "tensorflow.image.",
                      "tensorflow.signal.", "keras.backend.")
_NOT_TENSOR_FUNCTIONS = ("shape", "ndim", "int_shape", "is_tensor", "is_keras_tensor", "print", "size", "rank",
                         "dtype", "name_scope", "executing_eagerly", "device")


def _first_value(site: CallSite) -> Any:
    if site.args:
        return site.args[0]
    for key in _FIRST_KEYWORDS:
        if key in site.kwargs:
            return site.kwargs[key]
    return None


def _function_label(site: CallSite) -> str:
    call = site.node
    if isinstance(call, cst.Call):
        code = _code(call.func)
        if code:
            return f"`{code}`"
    return f"`{site.spelled}`"


_CASTS = ("tensorflow.cast", "tensorflow.dtypes.cast", "keras.ops.cast")


def _cast_scalar(value: Any, dtype: Any, node: Any) -> Any:
    """``tf.cast(h * w, tf.float32)`` of a size: still that size (a dynamic_dim stays one), as a
    float or int as asked; NOT_MODELLED for anything else."""
    kind = dtype.name.rsplit(".", 1)[-1] if isinstance(dtype, Ref) else dtype if isinstance(dtype, str) else ""
    if is_dynamic_dim(value) and kind.startswith(("float", "int", "uint", "bfloat")):
        return dynamic_dim(node)
    if type(value) is int and kind.startswith(("float", "bfloat")):
        return float(value)
    if type(value) is int and kind.startswith(("int", "uint")):
        return value
    return NOT_MODELLED


_EINSUM = ("keras.ops.einsum", "tensorflow.einsum", "tensorflow.linalg.einsum")

#: functions that give the static shape of a Keras tensor (``tf.shape`` a shape tensor)
_SHAPE_FUNCTIONS = ("keras.ops.shape", "keras.backend.int_shape", "tensorflow.shape", "keras.backend.shape")


def tensor_function(site: CallSite) -> Any:
    """``keras.ops.reshape(x, (4, 8))``, ``tf.concat([a, b], -1)``, ``tf.reduce_mean(x, 1)`` ... on
    Keras tensors; NOT_MODELLED when no Keras tensor is an argument."""
    name = site.name
    first = _first_value(site)
    if name in _SHAPE_FUNCTIONS and len(site.args) + len(site.kwargs) == 1 and _one_tensor(first) is not None:
        from keraslint.source.custom_layer_calls import ShapeTensor

        dims = static_dims(first)
        if dims is None:
            return UNKNOWN
        return dims if name.startswith("keras.ops.") or name.endswith("int_shape") else ShapeTensor(dims)
    if name in _CASTS and len(site.args) == 2 and not site.kwargs:
        cast = _cast_scalar(first, site.args[1], site.node)
        if cast is not NOT_MODELLED:
            return cast
    if name in _EINSUM and isinstance(site.args[0] if site.args else None, str) and len(site.args) > 1 \
            and not site.kwargs and not site.star_args:
        operands = [_one_tensor(a) for a in site.args[1:]]
        if any(operands) and all(operands):
            return _op_tensor(_function_label(site), "einsum", operands, site.node,  # type: ignore[arg-type]
                              params={"equation": site.args[0]})
    entry = _OP_CALLS.get(name)
    if entry is None:
        leaf = name.rsplit(".", 1)[-1]
        if not name.startswith(_TENSOR_NAMESPACES) or leaf in _NOT_TENSOR_FUNCTIONS or leaf[:1].isupper():
            return NOT_MODELLED
        if not (_has_tensor(first) or any(_has_tensor(a) for a in site.args)):
            return NOT_MODELLED
        inputs = [t for a in site.args if _has_tensor(a) for t in (_tensors(a) or [])]
        return _op_tensor(_function_label(site), None, inputs, site.node)
    op, spec = entry
    label = _function_label(site)
    joins = op in ("concatenate", "stack")
    inputs = _tensors(first) if joins else ([t] if (t := _one_tensor(first)) is not None else None)
    if inputs is None and joins:
        inputs = _with_constants(first, site.node)
    if inputs is None:
        if not _has_tensor(first):
            return NOT_MODELLED
        tensors = [t for item in (first.items if isinstance(first, ListValue) else first) for t in (_tensors(item) or [])] \
            if isinstance(first, (ListValue, tuple)) else []
        return _op_tensor(label, None, tensors, site.node, unknown=f"{label}: an input keraslint did not follow as a "
                          "Keras tensor")
    if site.star_args:
        return _op_tensor(label, None, inputs, site.node, unknown=f"{label}: its arguments are unpacked from "
                          "*args/**kwargs keraslint could not read")
    params: dict[str, Any] = {}
    constants: tuple[Shape, ...] = ()
    for key, (position, keyword, default) in spec.items():
        if key == "other":
            other = site.arg(position, "x2" if name == "keras.ops.tensordot" else "b" if "matmul" in name
                             or "tensordot" in name else "x2" if name.startswith("keras.") else "y", default=None)
            tensor = _one_tensor(other)
            if tensor is not None:
                inputs.append(tensor)
                continue
            shape = _constant_shape(other)
            if shape is None:
                return _op_tensor(label, None, inputs, site.node, unknown=f"{label}: the other operand is a value "
                                  "keraslint did not follow")
            constants = (shape,)
            continue
        value = site.arg(position, keyword, default=default) if position is not None or keyword is not None \
            else default
        if value is _MISSING_AXIS:
            return _op_tensor(label, None, inputs, site.node, unknown=f"{label}: called without the argument "
                              f"`{keyword}` keraslint expects")
        value = _static(value, dynamic=op in ("reshape", "tile"))
        if value is UNKNOWN:
            return _op_tensor(label, None, inputs, site.node, unknown=f"{label}: `{keyword}` is not known to keraslint")
        params[key] = value
    if name == "tensorflow.tile":
        params["per_axis"] = True  # TensorFlow wants one multiple per axis
    if op == "matmul":
        if any(site.kwargs.get(flag) not in (None, False) for flag in _MATMUL_FLAGS):
            return _op_tensor(label, None, inputs, site.node, unknown=f"{label}: transposed operands are not "
                              "modelled by keraslint")
        if name == "keras.backend.dot":
            return _op_tensor(label, None, inputs, site.node)  # K.dot is not NumPy's matmul beyond rank 2
    return _op_tensor(label, op, inputs, site.node, params=params, constants=constants)


def keeps_shape(name: str) -> bool:
    """Whether the library function ``name`` gives a tensor of its input's shape (activations,
    element-wise math, a keras.applications ``preprocess_input``)."""
    return name in _SAME_NAMES or name.startswith("keras.applications.") and name.endswith(".preprocess_input")


def trace_lambda(interp: Interpreter, receiver: Obj, site: CallSite) -> Any:
    """``layers.Lambda(lambda x: x[:, -1:, :])(x)`` / ``Lambda(preprocess_input)(x)`` without a
    literal ``output_shape``: Keras computes the output by calling the function on the symbolic
    input, and so does keraslint (the script's function, or a modelled library function, with
    the layer's ``arguments=``). Kept only when every step of it is a weightless operation
    keraslint models; a function that creates layers (whose weights Keras does not track in a
    Lambda) or does anything else gives None, and the Lambda stays unknown."""
    config = receiver.data["layer"].config
    function, arguments = receiver.data.get("function"), receiver.data.get("arguments")
    x = site.arg(0, "inputs")
    sources = tensors_of(x)
    if config.get("output_shape") is not None or sources is None or site.star_args \
            or set(site.kwargs) - {"inputs", "training", "mask"} or not isinstance(function, (Function, Ref)) \
            or not (arguments is None or containers.known_keywords(arguments)):
        return None
    tracing_calls[0] += 1
    try:
        result = interp.call(function, [x], dict(arguments or {}), site.node if isinstance(site.node, cst.Call) else None)
    finally:
        tracing_calls[0] -= 1
    outputs = tensors_of(result)
    if outputs is None or not _only_operations(outputs, {id(t.node) for t in sources}):
        return None
    return result


def _only_operations(outputs: list[Tensor], sources: set[int]) -> bool:
    """Whether the graph from ``sources`` to ``outputs`` holds only weightless operations
    (TensorOps, constants, preprocess_input) and reaches no other model input."""
    stack, seen = [t.node for t in outputs], set()
    while stack:
        node = stack.pop()
        if id(node) in sources or id(node) in seen:
            continue
        seen.add(id(node))
        layer = node.layer
        if layer is None or node.call_kwargs.get("__unknown_input__"):
            return False  # another input, or an input keraslint did not follow
        operation = isinstance(layer.config.get(CUSTOM_LAYER_KEY), TensorOp) or "__preprocess__" in layer.config
        if not operation:
            return False
        stack.extend(t.node for t in node.inputs)
    return True
