"""Which arrays hold real-valued data: draws from a continuous distribution, regression
targets such as house prices, and what arithmetic makes of them.

Real-valued labels are never exactly 0, 1 or a class index, which is what decides whether a
thresholded or class-index accuracy can mean anything on them (KL402). The fact is a mark in
``Array.data`` that api.py sets on the result of each array operation after arrays.py has
computed its shape and dtype: it is set only where the result is certainly a float array of
generic real numbers, and an array without it is simply not known to be real (rounding,
clipping, comparisons, casts to integers and everything not listed here drop it).

Two facts ride along for KL205's messages: how the values became real (``real_origin``: "drawn
by `np.random.rand`", "class ids in [0, 10) divided by 255.0") and whether every value is
certainly in [0, 1) (``real_in_unit``: a sparse loss truncates each of them to class 0). The
second one survives only operations that move values without changing them. And the integer
range of ``VALUE_RANGE`` (class ids from ``randint``, a dataset's labels) is carried through
the same value-preserving operations and through splits.
"""

from __future__ import annotations

import operator
from typing import Any

import libcst as cst

from keraslint.source.values import ONE_HOT_BY, VALUE_RANGE, Array, ListValue, Obj

_MARK = "real_values"
ORIGIN = "real_origin"
IN_UNIT = "real_in_unit"

# Continuous distributions (NumPy, tf.random): their samples are real numbers.
_DRAWS = frozenset({
    "numpy.random.rand", "numpy.random.randn", "numpy.random.random", "numpy.random.random_sample",
    "numpy.random.sample", "numpy.random.ranf", "numpy.random.normal", "numpy.random.uniform",
    "numpy.random.logistic", "numpy.random.laplace", "numpy.random.gumbel", "numpy.random.standard_normal",
    "numpy.random.standard_cauchy", "numpy.random.exponential", "numpy.random.rayleigh", "numpy.random.beta",
    "numpy.random.gamma", "numpy.random.lognormal", "tensorflow.random.normal", "tensorflow.random.uniform",
    "tensorflow.random.truncated_normal",
})
_GENERATOR_DRAWS = frozenset({"rand", "randn", "random", "random_sample", "standard_normal", "normal", "uniform",
                              "exponential"})
# Draws whose every value lies in [0, 1) (uniform only with its default bounds, checked below).
_UNIT_DRAWS = frozenset({"numpy.random.rand", "numpy.random.random", "numpy.random.random_sample",
                         "numpy.random.sample", "numpy.random.ranf", "numpy.random.beta", "rand", "random",
                         "random_sample"})
_UNIFORM = frozenset({"numpy.random.uniform", "tensorflow.random.uniform", "uniform"})
# keras.datasets whose targets are prices (keras/src/datasets/boston_housing.py, california_housing.py).
_REAL_TARGETS = frozenset({"keras.datasets.boston_housing.load_data", "keras.datasets.california_housing.load_data"})
# Calls whose float result holds the same real values as their first array, rearranged,
# converted or reduced (a mean or a maximum of real numbers is a real number).
_KEEPING_FUNCTIONS = frozenset({
    "numpy.array", "numpy.asarray", "numpy.asanyarray", "numpy.ascontiguousarray", "numpy.copy", "numpy.reshape",
    "numpy.transpose", "numpy.squeeze", "numpy.expand_dims", "numpy.swapaxes", "numpy.moveaxis", "numpy.ravel",
    "numpy.log", "numpy.log1p", "numpy.log2", "numpy.log10", "numpy.exp", "numpy.expm1", "numpy.sqrt", "numpy.tanh",
    "numpy.sin", "numpy.cos", "numpy.abs", "numpy.absolute", "tensorflow.constant", "tensorflow.convert_to_tensor",
    "tensorflow.cast", "tensorflow.reshape", "tensorflow.expand_dims", "tensorflow.squeeze", "tensorflow.transpose",
})
_KEEPING_METHODS = frozenset({"reshape", "transpose", "astype", "flatten", "ravel", "squeeze", "swapaxes", "copy",
                              "numpy", "sum", "mean", "std", "max", "min"})
# Of those, the ones that move values without changing them (a value in [0, 1) stays there).
_MOVING_FUNCTIONS = frozenset({
    "numpy.array", "numpy.asarray", "numpy.asanyarray", "numpy.ascontiguousarray", "numpy.copy", "numpy.reshape",
    "numpy.transpose", "numpy.squeeze", "numpy.expand_dims", "numpy.swapaxes", "numpy.moveaxis", "numpy.ravel",
    "tensorflow.constant", "tensorflow.convert_to_tensor", "tensorflow.reshape", "tensorflow.expand_dims",
    "tensorflow.squeeze", "tensorflow.transpose",
})
_MOVING_METHODS = frozenset({"reshape", "transpose", "flatten", "ravel", "squeeze", "swapaxes", "copy", "numpy"})
_JOINING = frozenset({"numpy.concatenate", "numpy.stack", "numpy.hstack", "numpy.vstack", "numpy.dstack",
                      "numpy.column_stack", "tensorflow.concat", "tensorflow.stack"})
_MATMUL = frozenset({"numpy.dot", "numpy.matmul", "tensorflow.matmul", "tensorflow.linalg.matmul"})
_SPLITTING = frozenset({"sklearn.model_selection.train_test_split", "sklearn.utils.shuffle"})


def is_real(value: Any) -> bool:
    """Whether ``value`` is an array known to hold real-valued (non-integer) numbers."""
    return isinstance(value, Array) and value.data.get(_MARK) is True


def _float(value: Any) -> bool:
    return isinstance(value, Array) and isinstance(value.dtype, str) and value.dtype.startswith(("float", "bfloat"))


def _mark(result: Any, source: Any = None, *, origin: str | None = None, in_unit: bool = False,
          moved: bool = False) -> None:
    """Mark ``result`` real-valued, with its origin given or taken from ``source``; it is in
    [0, 1) when said so, or when ``moved`` from a ``source`` that is."""
    if not _float(result):
        return
    result.data[_MARK] = True
    if origin is None and isinstance(source, Array):
        origin = source.data.get(ORIGIN)
    if origin is not None:
        result.data[ORIGIN] = origin
    if in_unit or (moved and isinstance(source, Array) and source.data.get(IN_UNIT) is True):
        result.data[IN_UNIT] = True


def origin(value: Any) -> str | None:
    """How a real-valued array got its values, for messages (None: not recorded)."""
    return value.data.get(ORIGIN) if is_real(value) else None


def in_unit_interval(value: Any) -> bool:
    """Whether every value of a real-valued array is known to lie in [0, 1)."""
    return is_real(value) and value.data.get(IN_UNIT) is True


def _keep_range(source: Any, result: Any, *, values: bool = True) -> None:
    """Carry the integer ``VALUE_RANGE`` of ``source`` (and how one-hot labels were made) to a
    result holding the same values."""
    if not isinstance(source, Array) or not isinstance(result, Array) or result is source:
        return
    if ONE_HOT_BY in source.data and result.one_hot is True and result.shape and source.shape and \
            result.shape[-1] == source.shape[-1]:
        result.data.setdefault(ONE_HOT_BY, source.data[ONE_HOT_BY])
    bounds = source.data.get(VALUE_RANGE) if values else None
    if bounds is None or not isinstance(result, Array) or result is source or VALUE_RANGE in result.data:
        return
    if not isinstance(result.dtype, str) or not result.dtype.startswith(("int", "uint", "float")):
        return
    if result.dtype.startswith("uint") and bounds[0] < 0:
        return
    if not result.dtype.startswith("float") and bounds[1] > 128:
        return  # a narrow integer dtype could wrap larger values: not certain
    result.data[VALUE_RANGE] = bounds


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _arrays(value: Any) -> list[Any]:
    if isinstance(value, ListValue):
        return list(value.items)
    return list(value) if isinstance(value, tuple) else [value]


def after_call(site: Any, result: Any) -> None:
    """Mark the result of the array call ``site`` (a CallSite) when it is real-valued."""
    name = site.name
    receiver = site.receiver
    if isinstance(receiver, Obj) and not isinstance(receiver, Array) and receiver.type == "numpy.random.Generator":
        leaf = name.rsplit(".", 1)[-1]
        if leaf in _GENERATOR_DRAWS:
            _mark(result, origin=f"drawn by `{_callee(site)}`", in_unit=_draws_in_unit(leaf, site))
        return
    if name in _DRAWS:
        _mark(result, origin=f"drawn by `{_callee(site)}`", in_unit=_draws_in_unit(name, site))
    elif name in _REAL_TARGETS and isinstance(result, tuple):
        for pair in result:
            if isinstance(pair, tuple) and len(pair) == 2:
                _mark(pair[1], origin="house prices")
    elif isinstance(receiver, Array):
        leaf = name.rsplit(".", 1)[-1]
        if is_real(receiver) and leaf in _KEEPING_METHODS:
            _mark(result, receiver, moved=leaf in _MOVING_METHODS or (leaf == "astype" and _float(result)))
        if leaf in _MOVING_METHODS or leaf == "astype":
            _keep_range(receiver, result)
    elif name in _KEEPING_FUNCTIONS:
        if is_real(site.arg(0)):
            _mark(result, site.arg(0), moved=name in _MOVING_FUNCTIONS)
        if name in _MOVING_FUNCTIONS:
            _keep_range(site.arg(0), result)
    elif name in _JOINING:
        parts = _arrays(site.arg(0))
        if parts and all(is_real(part) for part in parts):
            _mark(result, parts[0], in_unit=all(in_unit_interval(part) for part in parts))
    elif name in _MATMUL:
        if is_real(site.arg(0)) or is_real(site.arg(1)):
            _mark(result)
    elif name in _SPLITTING:
        _mark_splits(name, site, result)


def _callee(site: Any) -> str:
    """The called function as the script writes it (``np.random.rand``)."""
    func = getattr(site.node, "func", None)
    if isinstance(func, (cst.Name, cst.Attribute)):
        return cst.Module([]).code_for_node(func)
    return site.spelled


def _draws_in_unit(name: str, site: Any) -> bool:
    """Whether a continuous draw certainly lies in [0, 1): rand, random and beta always,
    uniform only with its default bounds or explicit ones inside [0, 1]."""
    if name in _UNIT_DRAWS:
        return True
    if name not in _UNIFORM:
        return False
    keywords = ("minval", "maxval") if name.startswith("tensorflow.") else ("low", "high")
    first = 1 if name.startswith("tensorflow.") else 0  # tf.random.uniform(shape, minval, maxval)
    low = site.arg(first, keywords[0], default=0)
    high = site.arg(first + 1, keywords[1], default=1)
    return not site.star_args and _number(low) and _number(high) and 0 <= low < high <= 1


def _mark_splits(name: str, site: Any, result: Any) -> None:
    """train_test_split(x, y) -> x_train, x_test, y_train, y_test; shuffle(x, y) -> x, y."""
    parts = _arrays(result)
    per_input = 2 if name.endswith("train_test_split") else 1
    if len(parts) != len(site.args) * per_input:
        return
    for position, given in enumerate(site.args):
        for part in parts[position * per_input:(position + 1) * per_input]:
            if is_real(given):
                _mark(part, given, moved=True)
            _keep_range(given, part)


def after_subscript(base: Any, result: Any) -> None:
    if is_real(base) and result is not base:
        _mark(result, base, moved=True)
    # a slice may leave out the largest ids: the range is not carried, how one-hot labels were made is
    _keep_range(base, result, values=False)


def after_unary(op: str, value: Any, result: Any) -> None:
    if op in ("-", "+") and is_real(value):
        _mark(result, value, moved=op == "+")


def after_binary(op: Any, left: Any, right: Any, result: Any) -> None:
    """Real-valued when a real operand meets anything in + and -, another real array or a
    non-zero number in * and /, and anything in @ (a weight matrix keeps them real). Integers of
    a known range divided by a number that leaves a fraction on one of them are real too
    (class ids divided by 255 instead of the images)."""
    if not (is_real(left) or is_real(right)):
        _divided_ids(op, left, right, result)
        return
    source = left if is_real(left) else right
    if op is operator.matmul or op in (operator.add, operator.sub):
        _mark(result, source)
    elif op in (operator.mul, operator.truediv):
        other = right if is_real(left) else left
        if is_real(other) or (_number(other) and other != 0):
            _mark(result, source)
    elif op is operator.pow and is_real(left) and _number(right) and right != 0:
        _mark(result, source)


def _divided_ids(op: Any, left: Any, right: Any, result: Any) -> None:
    """``y / 255.0`` with y's integer values known to lie in [low, high): real when one of those
    values leaves a fraction; all in [0, 1) when the divisor exceeds every one of them."""
    bounds = left.data.get(VALUE_RANGE) if isinstance(left, Array) else None
    if op is not operator.truediv or bounds is None or not _number(right) or right == 0:
        return
    low, high = bounds
    if high - low > 10_000 or all(float(v / right).is_integer() for v in range(low, high)):
        return
    shown = repr(right)
    _mark(result, origin=f"class ids in [{low}, {high}) divided by {shown}",
          in_unit=low >= 0 and right > 0 and (high - 1) / right < 1)
