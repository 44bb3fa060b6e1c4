"""Which arrays hold real-valued data: draws from a continuous distribution, regression
targets such as house prices, and what arithmetic makes of them.

Real-valued labels are never exactly 0, 1 or a class index, which is what decides whether a
thresholded or class-index accuracy can mean anything on them (KL402). The fact is a mark in
``Array.data`` that api.py sets on the result of each array operation after arrays.py has
computed its shape and dtype: it is set only where the result is certainly a float array of
generic real numbers, and an array without it is simply not known to be real (rounding,
clipping, comparisons, casts to integers and everything not listed here drop it).
"""

from __future__ import annotations

import operator
from typing import Any

from keraslint.source.values import Array, ListValue, Obj

_MARK = "real_values"

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
_JOINING = frozenset({"numpy.concatenate", "numpy.stack", "numpy.hstack", "numpy.vstack", "numpy.dstack",
                      "numpy.column_stack", "tensorflow.concat", "tensorflow.stack"})
_MATMUL = frozenset({"numpy.dot", "numpy.matmul", "tensorflow.matmul", "tensorflow.linalg.matmul"})
_SPLITTING = frozenset({"sklearn.model_selection.train_test_split", "sklearn.utils.shuffle"})


def is_real(value: Any) -> bool:
    """Whether ``value`` is an array known to hold real-valued (non-integer) numbers."""
    return isinstance(value, Array) and value.data.get(_MARK) is True


def _float(value: Any) -> bool:
    return isinstance(value, Array) and isinstance(value.dtype, str) and value.dtype.startswith(("float", "bfloat"))


def _mark(result: Any) -> None:
    if _float(result):
        result.data[_MARK] = True


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
        if name.rsplit(".", 1)[-1] in _GENERATOR_DRAWS:
            _mark(result)
        return
    if name in _DRAWS:
        _mark(result)
    elif name in _REAL_TARGETS and isinstance(result, tuple):
        for pair in result:
            if isinstance(pair, tuple) and len(pair) == 2:
                _mark(pair[1])
    elif isinstance(receiver, Array):
        if is_real(receiver) and name.rsplit(".", 1)[-1] in _KEEPING_METHODS:
            _mark(result)
    elif name in _KEEPING_FUNCTIONS:
        if is_real(site.arg(0)):
            _mark(result)
    elif name in _JOINING:
        parts = _arrays(site.arg(0))
        if parts and all(is_real(part) for part in parts):
            _mark(result)
    elif name in _MATMUL:
        if is_real(site.arg(0)) or is_real(site.arg(1)):
            _mark(result)
    elif name in _SPLITTING:
        _mark_splits(name, site, result)


def _mark_splits(name: str, site: Any, result: Any) -> None:
    """train_test_split(x, y) -> x_train, x_test, y_train, y_test; shuffle(x, y) -> x, y."""
    parts = _arrays(result)
    per_input = 2 if name.endswith("train_test_split") else 1
    if len(parts) != len(site.args) * per_input:
        return
    for position, given in enumerate(site.args):
        if is_real(given):
            for part in parts[position * per_input:(position + 1) * per_input]:
                _mark(part)


def after_subscript(base: Any, result: Any) -> None:
    if is_real(base) and result is not base:
        _mark(result)


def after_unary(op: str, value: Any, result: Any) -> None:
    if op in ("-", "+") and is_real(value):
        _mark(result)


def after_binary(op: Any, left: Any, right: Any, result: Any) -> None:
    """Real-valued when a real operand meets anything in + and -, another real array or a
    non-zero number in * and /, and anything in @ (a weight matrix keeps them real)."""
    if not (is_real(left) or is_real(right)):
        return
    if op is operator.matmul or op in (operator.add, operator.sub):
        _mark(result)
    elif op in (operator.mul, operator.truediv):
        other = right if is_real(left) else left
        if is_real(other) or (_number(other) and other != 0):
            _mark(result)
    elif op is operator.pow and is_real(left) and _number(right) and right != 0:
        _mark(result)
