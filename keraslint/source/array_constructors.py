"""Arrays built from their arguments: np.zeros/ones/full and the *_like functions, np.array
and tf.constant of literals, ranges (arange, linspace) and identity matrices.
"""

from __future__ import annotations

import math
import struct
from typing import TYPE_CHECKING, Any

from keraslint.source.array_dtypes import _scalar_dtype, dtype_name
from keraslint.source.array_registry import (
    Handler,
    _dtype_kw,
    _is_tf,
    _out_type,
    handles,
)
from keraslint.source.array_shapes import _is_int, _is_number, dim, reshape, shape_arg
from keraslint.source.array_values import TENSOR, as_array, derive, make, unknown
from keraslint.source.values import DYNAMIC_AXES, Array, ListValue, is_dynamic_dim
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter


# constructors -----------------------------------------------------------------------------

def _filled(default: str | None, shape_position: int = 0, dtype_position: int | None = 1,
            fill_position: int | None = None) -> Handler:
    def build(interp: Interpreter, site: CallSite) -> Any:
        shape = shape_arg(site.arg(shape_position, "shape", default=site.kwargs.get("dims", UNKNOWN)))
        fallback = default
        if fill_position is not None:
            fill = site.arg(fill_position, "fill_value" if not _is_tf(site) else "value", default=None)
            fallback = _scalar_dtype(fill, _is_tf(site)) if fill is not None else None
            if isinstance(fill, Array):
                fallback = fill.dtype
        dtype = _dtype_kw(site, dtype_position, fallback)
        return make(site.node, shape, dtype, type_=_out_type(site))

    return build


handles("numpy.zeros", "numpy.ones", "numpy.empty")(_filled("float64"))
handles("numpy.full")(_filled(None, dtype_position=2, fill_position=1))
handles("tensorflow.zeros", "tensorflow.ones")(_filled("float32"))
handles("tensorflow.fill")(_filled(None, dtype_position=None, fill_position=1))


@handles("numpy.zeros_like", "numpy.ones_like", "numpy.empty_like", "numpy.full_like",
           "tensorflow.zeros_like", "tensorflow.ones_like")
def _like(interp: Interpreter, site: CallSite) -> Any:
    base = as_array(site.arg(0, "a" if not _is_tf(site) else "input"), tf=_is_tf(site))
    dtype_position = 2 if site.name.endswith("full_like") else 1
    shape_override = site.arg(None, "shape", default=None)
    if base is None:
        return unknown(site.node, type_=_out_type(site))
    shape = shape_arg(shape_override) if shape_override is not None else base.shape
    return make(site.node, shape, _dtype_kw(site, dtype_position, base.dtype), type_=_out_type(site))


@handles("numpy.array", "numpy.asarray", "numpy.asanyarray", "numpy.ascontiguousarray", "numpy.copy",
           "numpy.float32", "numpy.float64", "numpy.int64", "numpy.int32", "numpy.uint8")
def _np_array(interp: Interpreter, site: CallSite) -> Any:
    return _keep_literal(_new_array(site), site.arg(0, "object" if site.name.endswith(".array") else "a"))


def _new_array(site: CallSite) -> Any:
    leaf = site.name.rsplit(".", 1)[-1]
    fixed = dtype_name(leaf) if leaf not in ("array", "asarray", "asanyarray", "ascontiguousarray", "copy") else None
    value = site.arg(0, "object" if leaf == "array" else "a")
    dtype_value = site.arg(1, "dtype", default=None) if fixed is None and leaf != "copy" else None
    base = as_array(value, site.node)
    if base is None:
        return unknown(site.node, dtype=fixed or dtype_name(dtype_value))
    dtype = fixed or (dtype_name(dtype_value) if dtype_value is not None else base.dtype)
    if base is value:  # np.array(x) of an array: a copy with the same labels
        return derive(base, site.node, base.shape, dtype)
    return make(site.node, base.shape, dtype, scaled=base.scaled, one_hot=base.one_hot, source=base.source)


#: most integers a literal array keeps (``tf.pad``'s paddings, a small lookup table)
_MAX_LITERAL = 64


def literal_ints(value: Any, depth: int = 0) -> Any:
    """``[[0, 0], [3, 3]]`` as nested tuples of ints, when it is a small literal of ints; None else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    items = value.items if isinstance(value, ListValue) else value if isinstance(value, tuple) else None
    if items is None or depth > 3 or len(items) > _MAX_LITERAL:
        return None
    found = tuple(literal_ints(item, depth + 1) for item in items)
    return None if any(item is None for item in found) else found


def _keep_literal(array: Any, value: Any) -> Any:
    literal = literal_ints(value) if not isinstance(value, Array) else value.data.get("literal")
    if isinstance(array, Array) and isinstance(literal, tuple) and len(str(literal)) <= 8 * _MAX_LITERAL:
        array.data["literal"] = literal  # what shape functions read back (tf.pad's paddings)
    return array


@handles("tensorflow.constant", "tensorflow.convert_to_tensor", "tensorflow.Variable", "keras.ops.convert_to_tensor")
def _tf_constant(interp: Interpreter, site: CallSite) -> Any:
    value = site.arg(0, "value" if not site.name.endswith("Variable") else "initial_value")
    return _keep_literal(_constant(site, value), value)


def _constant(site: CallSite, value: Any) -> Any:
    base = as_array(value, site.node, tf=True)
    dtype_value = site.arg(1, "dtype", default=None) if not site.name.endswith("Variable") else site.kwargs.get("dtype")
    if base is None:
        return unknown(site.node, type_=TENSOR, dtype=dtype_name(dtype_value))
    dtype = dtype_name(dtype_value) if dtype_value is not None else base.dtype
    shape = base.shape
    requested = site.arg(2, "shape", default=None) if site.name.endswith("constant") else None
    if requested is not None:
        new = shape_arg(requested)
        if shape is not None and shape != () and new is not None:
            shape = reshape(shape, new)
        else:
            shape = new
    return derive(base, site.node, shape, dtype, type_=TENSOR)


@handles("numpy.arange", "keras.ops.arange", "tensorflow.range")
def _arange(interp: Interpreter, site: CallSite) -> Any:
    args = list(site.args)
    for keyword in ("start", "stop", "step", "limit", "delta"):  # tf.range(start, limit, delta)
        if keyword in site.kwargs:
            args.append(site.kwargs[keyword])
    dtype_value = site.kwargs.get("dtype")
    values = args[:3]
    if _over_dynamic_axis(values) and not site.star_args:
        return make(site.node, (None,), dtype_name(dtype_value) if dtype_value else "int64", type_=_out_type(site),
                    data={DYNAMIC_AXES: frozenset({0})})
    if not values or not all(_is_number(v) for v in values) or site.star_args:
        floats = any(isinstance(v, float) for v in values)
        return make(site.node, (None,), dtype_name(dtype_value) if dtype_value else "float64" if floats else None)
    if len(values) == 1:
        start, stop, step = 0, values[0], 1
    else:
        start, stop, step = values[0], values[1], values[2] if len(values) > 2 else 1
    if step == 0:
        return unknown(site.node)
    length = max(0, math.ceil((stop - start) / step))
    floats = any(isinstance(v, float) for v in values)
    dtype = dtype_name(dtype_value) if dtype_value is not None else "float64" if floats else "int64"
    return make(site.node, (length,), dtype, type_=_out_type(site))


def _over_dynamic_axis(values: list[Any]) -> bool:
    """``ops.arange(length)``/``ops.arange(0, length, 1)`` with the length of an axis the model
    declares None: positions over a sequence of any length."""
    if len(values) == 1:
        return is_dynamic_dim(values[0])
    return (len(values) in (2, 3) and is_dynamic_dim(values[1]) and _is_int(values[0]) and values[0] == 0
            and (len(values) == 2 or _is_int(values[2]) and values[2] == 1))


@handles("numpy.linspace", "numpy.logspace", "tensorflow.linspace", "keras.ops.linspace")
def _linspace(interp: Interpreter, site: CallSite) -> Any:
    """``np.linspace(0, 0.1, 4)``: its length, and (for linspace) its values, which are exact and
    often read one by one (per-block drop-path rates: ``if rates[i]:`` picks a branch)."""
    start, stop = site.arg(0, "start"), site.arg(1, "stop")
    num = site.arg(2, "num", default=50)
    # tf.linspace keeps float64 for ints (measured) and float32 for Python floats; keras.ops
    # gives floatx; NumPy float64
    fallback = ("float32" if site.name.startswith("keras.") or isinstance(start, float) or isinstance(stop, float)
                else "float64")
    dtype = _dtype_kw(site, None, fallback if not site.name.startswith("numpy.") else "float64")
    endpoint = site.kwargs.get("endpoint", True) if not site.name.startswith("tensorflow.") else True
    array = make(site.node, (dim(num),), dtype, type_=_out_type(site))
    values = _spaced(start, stop, num, endpoint) if site.name.endswith("linspace") and not site.star_args else None
    if values is not None and dtype in ("float32", "float64"):
        array.data["literal"] = tuple(_as_float32(v) for v in values) if dtype == "float32" else values
    return array


def _spaced(start: Any, stop: Any, num: Any, endpoint: Any) -> tuple[float, ...] | None:
    """The values of ``linspace(start, stop, num, endpoint)`` as NumPy computes them (the last is
    ``stop`` exactly when endpoint); None unless all are known and ``num`` is small."""
    if not (_is_number(start) and _is_number(stop) and _is_int(num) and type(endpoint) is bool) \
            or not 0 <= num <= _MAX_LITERAL:
        return None
    div = num - 1 if endpoint else num
    step = (stop - start) / div if div > 0 else 0.0
    values = [float(start + i * step) for i in range(num)]
    if endpoint and num > 1:
        values[-1] = float(stop)
    return tuple(values)


def _as_float32(value: float) -> float:
    return struct.unpack("f", struct.pack("f", value))[0]


@handles("numpy.eye", "numpy.identity", "tensorflow.eye")
def _eye(interp: Interpreter, site: CallSite) -> Any:
    n = site.arg(0, "N" if not _is_tf(site) else "num_rows")
    m = None
    if not site.name.endswith("identity"):
        m = site.arg(1, "M" if not _is_tf(site) else "num_columns", default=None)
    if m is None:
        m = n
    dtype = _dtype_kw(site, None, "float32" if _is_tf(site) else "float64")
    return make(site.node, (dim(n), dim(m)), dtype, type_=_out_type(site), data={"eye": True})


