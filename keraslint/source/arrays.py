"""What NumPy and TensorFlow array calls return: arrays as (shape, dtype) values.

Every function returns NOT_MODELLED for anything it does not model, so the caller can fall
back; an array whose shape cannot be worked out is an Array with unknown dimensions (or
unknown rank), never a guess.

Shapes are tuples whose dimensions are ints or None (unknown); an Array's ``shape`` is None
when even its rank is unknown. The shape algebra (array_shapes) follows NumPy's rules (broadcasting,
reshape with -1, basic and advanced indexing ...) and is differential-tested against NumPy
itself. A program NumPy would reject (mismatched concatenation, bad axis, reshape of the
wrong size) gives an array of unknown rank here: reporting such errors is not this module's
job, and guessing a shape for them would mislead the rules.

Besides shape and dtype, each Array carries:

* ``scaled`` -- False for raw 0-255 image data (keras.datasets images, directory pipelines
  without ``rescale``) until it is divided or normalised; ``astype`` alone keeps it False.
* ``one_hot`` -- True after ``to_categorical``/``tf.one_hot``/``np.eye(k)[y]``; False for
  integer class ids (``np.random.randint``, dataset labels, ``argmax``).
* ``source`` -- where the data comes from (``keras.datasets.mnist``, ``np.load('x.npy')``).
* ``node`` -- the expression that built it (the call; for an index or arithmetic result, the
  node of the array it was derived from unless the caller passes the expression).

This module holds the entry points (call dispatch, array methods and attributes, indexing,
arithmetic and comparisons); the rest of the model lives in sibling modules: array_shapes
(shape algebra), array_dtypes (dtype names and promotion), array_values (literals, building
arrays), array_indexing, array_registry (the handler tables and ``register``), and the handlers
of array_constructors, array_sources, array_transforms and tf_image_ops.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any

# Imported for their side effect: each registers its handlers, before any other module can.
from keraslint.source import (  # noqa: F401
    array_constructors,
    array_sources,
    array_transforms,
    image_files,
    keras_text_sources,
    pandas_sources,
    sklearn_datasets,
    sklearn_sources,
    tf1_sources,
    tf_image_ops,
)
from keraslint.source.array_dtypes import _kind, _result_dtype, dtype_name, promote
from keraslint.source.array_indexing import index
from keraslint.source.array_problems import note_matmul
from keraslint.source.array_registry import (
    _FUNCTIONS,
    _METHODS,
    Handler,
    _out_type,
    handles,
    handles_method,
    register,
)
from keraslint.source.array_shapes import (
    MAX_RANK,
    _Invalid,
    _is_number,
    _reshape_arg,
    broadcast,
    dim,
    matmul_shape,
    reshape,
    shape_arg,
    size_of,
    squeeze,
    swapaxes,
    transpose,
)
from keraslint.source.array_sources import _generator_call
from keraslint.source.array_transforms import (
    _preprocess_input,
    _reduction,
    _reshaped_one_hot,
)
from keraslint.source.array_values import (
    ARRAY,
    NP_GENERATOR,
    TENSOR,
    _literal,
    as_array,
    derive,
    make,
    unknown,
)
from keraslint.source.values import NOT_MODELLED, Array, ListValue
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    import libcst as cst

    from keraslint.source.interpreter import CallSite, Interpreter

# Callers reach the whole model through this module (arrays.call, arrays.derive, arrays.dim ...).
__all__ = [
    "ARRAY", "MAX_RANK", "NP_GENERATOR", "TENSOR", "Handler", "as_array", "attribute", "binary_op", "broadcast",
    "call", "compare", "derive", "dim", "dtype_name", "make", "matmul_shape", "promote", "register", "reshape",
    "shape_arg", "size_of", "subscript", "transpose", "unary_op", "unknown",
]

#: scalar dividing raw data that counts as rescaling it (``x / 255.0``, ``x / 127.5``)
_RESCALE_MIN_DIVISOR = 2


# -- dispatch -----------------------------------------------------------------------------------

def call(interp: Interpreter, site: CallSite) -> Any:
    """The result of a NumPy/TensorFlow array call, or NOT_MODELLED."""
    name = site.name
    try:
        if name == "builtins.len":
            value = site.arg(0)
            if isinstance(value, Array):
                if value.shape is None or not value.shape or value.shape[0] is None:
                    return UNKNOWN
                return value.shape[0]
            return NOT_MODELLED
        receiver = site.receiver
        if isinstance(receiver, Array):
            method = name.rsplit(".", 1)[-1]
            handler = _METHODS.get(method)
            if handler is None:
                return UNKNOWN if method in _OPAQUE_METHODS else NOT_MODELLED
            return handler(interp, site, receiver)
        if receiver is not None and receiver.type == NP_GENERATOR:
            return _generator_call(interp, site)
        handler = _FUNCTIONS.get(name)
        if handler is None:
            if name.startswith("keras.applications.") and name.endswith(".preprocess_input"):
                return _preprocess_input(interp, site)
            return NOT_MODELLED
        return handler(interp, site)
    except (_Invalid, ArithmeticError, ValueError, TypeError, RecursionError):
        # NumPy would raise (or the arguments are nonsense such as inf sizes): unknown rank
        return unknown(site.node, type_=_out_type(site))


_OPAQUE_METHODS = frozenset({"tolist", "item", "tobytes", "fill", "sort", "resize", "setflags"})


# methods of arrays -------------------------------------------------------------------------------

@handles_method("reshape")
def _m_reshape(interp: Interpreter, site: CallSite, base: Array) -> Any:
    new = _reshape_arg(site, 0, "shape")
    return derive(base, site.node, reshape(base.shape, new), one_hot=_reshaped_one_hot(base, new))


@handles_method("transpose")
def _m_transpose(interp: Interpreter, site: CallSite, base: Array) -> Any:
    axes: Any = None
    if len(site.args) == 1:
        axes = site.args[0]
    elif len(site.args) > 1:
        axes = tuple(site.args)
    return derive(base, site.node, transpose(base.shape, axes), one_hot=None)


@handles_method("astype")
def _m_astype(interp: Interpreter, site: CallSite, base: Array) -> Any:
    return derive(base, site.node, base.shape, dtype_name(site.arg(0, "dtype")))


@handles_method("flatten", "ravel")
def _m_flatten(interp: Interpreter, site: CallSite, base: Array) -> Any:
    return derive(base, site.node, (size_of(base.shape),) if base.shape is not None else (None,), one_hot=None)


@handles_method("squeeze")
def _m_squeeze(interp: Interpreter, site: CallSite, base: Array) -> Any:
    return derive(base, site.node, squeeze(base.shape, site.arg(0, "axis", default=None)))


@handles_method("swapaxes")
def _m_swapaxes(interp: Interpreter, site: CallSite, base: Array) -> Any:
    return derive(base, site.node, swapaxes(base.shape, site.arg(0, "axis1"), site.arg(1, "axis2")), one_hot=None)


@handles_method("copy", "numpy")
def _m_copy(interp: Interpreter, site: CallSite, base: Array) -> Any:
    if site.name.endswith(".numpy") and base.shape == () and type(base.data.get("literal")) in (int, float):
        # tf.reduce_prod(shape).numpy(): a NumPy scalar still holding its number
        return make(site.node, (), base.dtype, data={"literal": base.data["literal"]})
    return derive(base, site.node, base.shape, type_=ARRAY if site.name.endswith(".numpy") else base.type)


@handles_method("clip", "round")
def _m_clip(interp: Interpreter, site: CallSite, base: Array) -> Any:
    return derive(base, site.node, base.shape)


def _m_reduce(interp: Interpreter, site: CallSite, base: Array) -> Any:
    return _reduction(site, site.name.rsplit(".", 1)[-1], base, 0)


handles_method("sum", "mean", "std", "var", "max", "min", "prod", "argmax", "argmin", "any", "all", "ptp")(_m_reduce)


# -- attributes, indexing, arithmetic ------------------------------------------------------------

def attribute(interp: Interpreter, array: Array, name: str) -> Any:
    """``x.shape``, ``x.ndim``, ``x.size``, ``x.dtype``, ``x.T``; NOT_MODELLED for methods."""
    shape = array.shape
    if name == "shape":
        return UNKNOWN if shape is None else tuple(UNKNOWN if d is None else d for d in shape)
    if name == "ndim":
        return UNKNOWN if shape is None else len(shape)
    if name == "size":
        total = size_of(shape)
        return UNKNOWN if total is None else total
    if name == "dtype":
        return UNKNOWN if array.dtype is None else array.dtype
    if name == "T":
        return derive(array, None, None if shape is None else tuple(reversed(shape)), one_hot=None)
    return NOT_MODELLED


def subscript(interp: Interpreter, array: Array, indices: list[Any], node: cst.BaseExpression | None = None) -> Any:
    """``x[...]``: the indexed array (NumPy's rules); unknown rank when an index is unknown."""
    items = list(indices)
    if len(items) == 1 and isinstance(items[0], tuple):
        items = list(items[0])  # x[(0, 1)] is x[0, 1]
    try:
        shape, last_kept = index(array.shape, items)
    except _Invalid:
        return derive(array, node, None, one_hot=None)
    if shape is None:
        return derive(array, node, None, one_hot=array.one_hot if array.one_hot is False else None)
    one_hot: bool | None = array.one_hot if (array.one_hot is False or last_kept) else None
    if array.data.get("eye") and len(items) == 1 and isinstance(items[0], (Array, ListValue, tuple)) \
            and shape and not (isinstance(items[0], Array) and items[0].dtype == "bool"):
        # np.eye(k)[y]: one row of the identity per label
        label = items[0] if isinstance(items[0], Array) else None
        return make(node if node is not None else (label.node if label is not None else array.node), shape,
                    array.dtype, type_=array.type, one_hot=True, source=label.source if label is not None else None)
    result = derive(array, node, shape, one_hot=one_hot)
    literal = array.data.get("literal")
    if len(items) == 1 and type(items[0]) is int and isinstance(literal, tuple) \
            and -len(literal) <= items[0] < len(literal):
        result.data["literal"] = literal[items[0]]  # rates[i] of np.linspace(...): its number
    return result


def _operand(value: Any, tf: bool) -> tuple[tuple | None, str | None, bool] | None:
    """(shape, dtype, weak) of an arithmetic operand; None if it is not numeric data."""
    if isinstance(value, Array):
        return value.shape, value.dtype, False
    if isinstance(value, (bool, int, float)):
        return (), None, True
    if isinstance(value, (ListValue, tuple)):
        literal = _literal(value, tf)
        if literal is None:
            return None
        return literal.shape, literal.dtype, False
    if value is UNKNOWN:
        return None, None, False
    return None


def _scaled(op: Any, left: Any, right: Any) -> bool | None:
    """Whether ``left op right`` is scaled data (see the module docstring)."""
    if isinstance(left, Array) and isinstance(right, Array):
        if op is operator.truediv:
            return True  # (x - mean) / std, x / x.max()
        if op in (operator.add, operator.sub) and left.scaled is False and right.scaled is False:
            return False
        both = left.scaled is True and right.scaled is True
        return True if both and op in (operator.add, operator.sub, operator.mul) else None
    if isinstance(left, Array):
        array, other, array_left = left, right, True
    else:
        array, other, array_left = right, left, False
    if not _is_number(other) and not isinstance(other, bool):
        return True if op is operator.truediv and array_left else None
    if op is operator.truediv:
        if not array_left:
            return None
        return True if abs(other) >= _RESCALE_MIN_DIVISOR else array.scaled
    if op in (operator.add, operator.sub):
        return array.scaled
    if op is operator.mul:
        if 0 < abs(other) <= 1 / _RESCALE_MIN_DIVISOR:
            return True
        return array.scaled if abs(other) >= 1 else None
    return None


def _matmul(left: Any, right: Any, node: cst.BaseExpression | None) -> Any:
    if not isinstance(left, Array) or not isinstance(right, Array):
        return NOT_MODELLED
    tf = TENSOR in (left.type, right.type)
    dtype = left.dtype if left.dtype == right.dtype else promote(left.dtype, right.dtype)
    return make(node if node is not None else left.node, matmul_shape(left.shape, right.shape), dtype,
                type_=TENSOR if tf else ARRAY, source=left.source or right.source)


@handles("numpy.dot", "numpy.matmul", "tensorflow.matmul", "tensorflow.linalg.matmul")
def _matmul_call(interp: Interpreter, site: CallSite) -> Any:
    left, right = site.arg(0, "a"), site.arg(1, "b")
    if site.name == "numpy.dot" and isinstance(left, Array) and isinstance(right, Array) \
            and (left.rank or 0) > 2 and (right.rank or 0) > 2:
        return make(site.node, None, None)  # np.dot on stacks is not matmul: leave it unknown
    result = _matmul(left, right, site.node)
    return make(site.node, None, None) if result is NOT_MODELLED else result


#: NumPy's arithmetic ufuncs as functions: ``np.divide(x, 255.0)`` is ``x / 255.0``
_UFUNC_OPERATORS = {"add": operator.add, "subtract": operator.sub, "multiply": operator.mul,
                    "divide": operator.truediv, "true_divide": operator.truediv, "floor_divide": operator.floordiv,
                    "power": operator.pow, "mod": operator.mod, "remainder": operator.mod}


def _ufunc_call(interp: Interpreter, site: CallSite) -> Any:
    """``np.divide(a, b)``: the operator's result; with ``out=``/``where=``/``dtype=`` (or
    unpacked arguments) unknown, as those change what it returns."""
    if len(site.args) != 2 or site.kwargs or site.star_args:
        return unknown(site.node)
    result = binary_op(interp, _UFUNC_OPERATORS[site.name.rsplit(".", 1)[-1]], site.args[0], site.args[1], site.node)
    return unknown(site.node) if result is NOT_MODELLED else result


for _name in _UFUNC_OPERATORS:
    handles(f"numpy.{_name}")(_ufunc_call)


def binary_op(interp: Interpreter, op: Any, left: Any, right: Any, node: cst.BaseExpression | None = None) -> Any:
    """Arithmetic on arrays (broadcasting, NumPy 2 type promotion); also ``shape + (1,)`` on
    shape tuples holding unknown dimensions."""
    if op is operator.matmul:
        note_matmul(interp, left, right, node)
        return _matmul(left, right, node)
    if op is operator.add and isinstance(left, tuple) and isinstance(right, tuple) \
            and len(left) + len(right) <= MAX_RANK * 4:
        return left + right
    if not isinstance(left, Array) and not isinstance(right, Array):
        return NOT_MODELLED
    if op not in (operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv, operator.pow,
                  operator.mod):
        return NOT_MODELLED
    tf = any(isinstance(v, Array) and v.type == TENSOR for v in (left, right))
    lo, ro = _operand(left, tf), _operand(right, tf)
    base = left if isinstance(left, Array) else right
    if lo is None or ro is None:
        return derive(base, node, None, None, one_hot=None, scaled=None)
    (lshape, ldtype, lweak), (rshape, rdtype, rweak) = lo, ro
    try:
        shape = broadcast(lshape, rshape)
    except _Invalid:
        shape = None
    dtype = _result_dtype(op, left, right, ldtype, rdtype, lweak, rweak, tf)
    one_hot = base.one_hot if (lweak or rweak) and base.one_hot is not False else None
    if base.one_hot is False and op in (operator.add, operator.sub) and (lweak or rweak) and _kind(dtype) in "iu":
        one_hot = False  # y - 1 on class ids
    sources = [v.source for v in (left, right) if isinstance(v, Array) and v.source]
    result = make(node if node is not None else base.node, shape, dtype, type_=TENSOR if tf else ARRAY,
                  scaled=_scaled(op, left, right), one_hot=one_hot, source=sources[0] if sources else None)
    return result


def compare(interp: Interpreter, op: Any, left: Any, right: Any, node: cst.BaseExpression | None = None) -> Any:
    """``x > 0``, ``y == 1`` ...: a boolean array of the broadcast shape; NOT_MODELLED when
    neither side is an array. Not wired yet: the interpreter's ``_eval_Comparison`` only
    compares constants (see the report: it should call ``api.compare`` -> here)."""
    if not isinstance(left, Array) and not isinstance(right, Array):
        return NOT_MODELLED
    if op in (operator.is_, operator.is_not) or getattr(op, "__name__", "") == "<lambda>":
        return NOT_MODELLED  # identity and membership tests give a bool, not an array
    tf = any(isinstance(v, Array) and v.type == TENSOR for v in (left, right))
    lo, ro = _operand(left, tf), _operand(right, tf)
    base = left if isinstance(left, Array) else right
    shape = None
    if lo is not None and ro is not None:
        try:
            shape = broadcast(lo[0], ro[0])
        except _Invalid:
            shape = None
    return make(node if node is not None else base.node, shape, "bool", type_=base.type, source=base.source)


def unary_op(interp: Interpreter, op: str, value: Any, node: cst.BaseExpression | None = None) -> Any:
    """``-x`` / ``+x`` / ``~x`` on an array (``op`` is "-", "+" or "~"); NOT_MODELLED otherwise.

    Not wired yet: the interpreter's ``_eval_UnaryOperation`` returns UNKNOWN for anything
    but constants (see the report: it should call ``api.unary_op`` -> here)."""
    if not isinstance(value, Array):
        return NOT_MODELLED
    if op == "-" and value.dtype == "bool":
        return derive(value, node, None, None, one_hot=None)  # NumPy refuses to negate booleans
    if op == "~" and _kind(value.dtype) == "f":
        return derive(value, node, None, None, one_hot=None)
    return derive(value, node, value.shape, one_hot=value.one_hot if op == "+" else None)
