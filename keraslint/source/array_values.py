"""Building Array values: from script literals (what ``np.array([...])`` would be), fresh
(make), from another array keeping its labels (derive), or of several arrays (combine).
"""

from __future__ import annotations

from typing import Any

from keraslint.source.array_dtypes import _kind, _scalar_dtype, promote
from keraslint.source.array_shapes import MAX_RANK
from keraslint.source.values import Array, ListValue, Obj

ARRAY = "numpy.ndarray"
TENSOR = "tensorflow.Tensor"
NP_GENERATOR = "numpy.random.Generator"  # == api.NP_GENERATOR (api imports this module)
#: pandas values (pandas_sources.py): as_array converts them as ``np.asarray`` does
PANDAS_FRAME = "pandas.DataFrame"
PANDAS_SERIES = "pandas.Series"

#: elements of a literal walked before np.array gives up on the details (first axis unknown)
LITERAL_BUDGET = 4096


# -- literals ----------------------------------------------------------------------------

class _Literal:
    __slots__ = ("dtype", "shape")

    def __init__(self, shape: tuple | None, dtype: str | None) -> None:
        self.shape, self.dtype = shape, dtype


class _Budget:
    __slots__ = ("left",)

    def __init__(self, left: int) -> None:
        self.left = left


def _walk(value: Any, tf: bool, budget: _Budget) -> tuple[tuple | None, set[str | None]] | None:
    """(shape, dtypes) of a nested literal; None when ragged or not an array literal;
    shape None when the budget ran out."""
    budget.left -= 1
    if isinstance(value, (bool, int, float, complex, str)):
        return (), {_scalar_dtype(value, tf)}
    if isinstance(value, Array):
        return value.shape, {value.dtype}
    if isinstance(value, ListValue):
        value = value.items
    if not isinstance(value, (tuple, list)):
        return None
    if budget.left <= 0:
        return None, {None}
    inner: tuple | None = None
    dtypes: set[str | None] = set()
    for position, item in enumerate(value):
        walked = _walk(item, tf, budget)
        if walked is None:
            return None
        shape, kinds = walked
        dtypes |= kinds
        if shape is None:
            return None, {None}
        if position == 0:
            inner = shape
        elif shape != inner:
            if len(shape) != len(inner) or any(a is not None and b is not None and a != b  # type: ignore[arg-type]
                                               for a, b in zip(shape, inner)):  # type: ignore[arg-type]
                return None  # ragged: NumPy 2 refuses it without dtype=object
            inner = tuple(a if a is not None else b for a, b in zip(shape, inner))  # type: ignore[arg-type]
        if budget.left <= 0:
            # Too big to walk: the first element says the rest (a ragged literal would not run).
            return (None, *inner), {None}  # type: ignore[misc]
    return (len(value), *(inner or ())), dtypes


def _literal(value: Any, tf: bool) -> _Literal | None:
    """What ``np.array(value)`` (or ``tf.constant(value)``) would be, for a literal."""
    walked = _walk(value, tf, _Budget(LITERAL_BUDGET))
    if walked is None:
        return None
    shape, dtypes = walked
    if shape is not None and len(shape) > MAX_RANK:
        return None
    if None in dtypes or not dtypes:
        return _Literal(shape, None if dtypes else ("float32" if tf else "float64"))
    if any(_kind(d) == "U" for d in dtypes):
        if all(_kind(d) == "U" for d in dtypes):
            return _Literal(shape, "string" if tf else "str")
        return _Literal(shape, None)
    dtype: str | None = None
    for d in dtypes:
        dtype = d if dtype is None else promote(dtype, d)
    return _Literal(shape, dtype)


# -- building arrays ---------------------------------------------------------------------

def make(node: Any, shape: tuple | None, dtype: str | None, *, type_: str = ARRAY, scaled: bool | None = None,
         one_hot: bool | None = None, source: str | None = None, data: dict[str, Any] | None = None) -> Array:
    if shape is not None:
        shape = tuple(shape)
        if len(shape) > MAX_RANK or not _possible(shape):
            shape = None
    return Array(type_, node, dict(data or {}), shape=shape, dtype=dtype, scaled=scaled, one_hot=one_hot,
                 source=source)


#: NumPy refuses an array whose element count does not fit its index type (``np.zeros((0,
#: 2**63))`` is a ValueError there); such a shape is unknown here, and no slice or reshape of it
#: ever converts a dimension too large for a C integer
MAX_ELEMENTS = 2 ** 62


def _possible(shape: tuple) -> bool:
    total = 1
    for dim in shape:
        if isinstance(dim, int) and not isinstance(dim, bool):
            if dim < 0 or dim > MAX_ELEMENTS:
                return False
            total *= max(dim, 1)
            if total > MAX_ELEMENTS:
                return False
    return True


_KEEP: Any = object()


def derive(base: Array, node: Any, shape: tuple | None, dtype: Any = _KEEP, *, type_: str | None = None,
           scaled: Any = _KEEP, one_hot: Any = _KEEP) -> Array:
    """A new array computed from ``base``: its labels carry over unless overridden."""
    return make(node if node is not None else base.node, shape, base.dtype if dtype is _KEEP else dtype,
                type_=type_ or base.type, scaled=base.scaled if scaled is _KEEP else scaled,
                one_hot=base.one_hot if one_hot is _KEEP else one_hot, source=base.source)


def unknown(node: Any, *, type_: str = ARRAY, dtype: str | None = None, source: str | None = None) -> Array:
    """An array of unknown rank."""
    return make(node, None, dtype, type_=type_, source=source)


def as_array(value: Any, node: Any = None, *, tf: bool = False) -> Array | None:
    """An Array for ``value`` as NumPy (or TensorFlow) would convert it; None if not an array."""
    if isinstance(value, Array):
        return value
    if isinstance(value, Obj) and value.type in (PANDAS_FRAME, PANDAS_SERIES):
        return _pandas_array(value, node, tf)
    literal = _literal(value, tf)
    if literal is None:
        return None
    return make(node, literal.shape, literal.dtype, type_=TENSOR if tf else ARRAY)


def _pandas_array(value: Obj, node: Any, tf: bool) -> Array:
    """``np.asarray(df)``: (rows, columns) for a DataFrame, (rows,) for a Series; the dtype
    depends on the columns' (mixed ones give object), so it is not known."""
    rows = value.data.get("rows")
    shape = (rows, value.data.get("width")) if value.type == PANDAS_FRAME else (rows,)
    return make(node if node is not None else value.node, shape, None, type_=TENSOR if tf else ARRAY,
                source=value.data.get("source"))


def _same(values: list[Any]) -> Any:
    first = values[0] if values else None
    return first if all(v == first for v in values) else None


def _combine(arrays: list[Array], node: Any, shape: tuple | None, dtype: str | None, type_: str) -> Array:
    """An array made of several (concatenate, stack): labels kept only when they all agree."""
    return make(node, shape, dtype, type_=type_, scaled=_same([a.scaled for a in arrays]),
                one_hot=_same([a.one_hot for a in arrays]),
                source=_same([a.source for a in arrays]) or next((a.source for a in arrays if a.source), None))

