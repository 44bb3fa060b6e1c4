"""What NumPy and TensorFlow array calls return: arrays as (shape, dtype) values.

Every function returns NOT_MODELLED for anything it does not model, so the caller can fall
back; an array whose shape cannot be worked out is an Array with unknown dimensions (or
unknown rank), never a guess.

Shapes are tuples whose dimensions are ints or None (unknown); an Array's ``shape`` is None
when even its rank is unknown. The shape algebra below follows NumPy's rules (broadcasting,
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
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from keraslint.source.values import NOT_MODELLED, Array, ListValue, Ref
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    import libcst as cst

    from keraslint.source.interpreter import CallSite, Interpreter

ARRAY = "numpy.ndarray"
TENSOR = "tensorflow.Tensor"
NP_GENERATOR = "numpy.random.Generator"  # == api.NP_GENERATOR (api imports this module)

#: NumPy's limit on the number of dimensions
MAX_RANK = 64
#: elements of a literal walked before np.array gives up on the details (first axis unknown)
LITERAL_BUDGET = 4096
#: scalar dividing raw data that counts as rescaling it (``x / 255.0``, ``x / 127.5``)
_RESCALE_MIN_DIVISOR = 2


class _Invalid(Exception):
    """NumPy would raise for this operation: the result is an array of unknown rank."""


# -- dimensions and shapes ---------------------------------------------------------------

def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def dim(value: Any) -> int | None:
    """A dimension from a script value: a non-negative int, else unknown."""
    if _is_int(value) and value >= 0:
        return value
    return None


def shape_arg(value: Any) -> tuple | None:
    """The shape a script passes to ``np.zeros``/``reshape``/``size=`` ...: an int or a
    sequence of ints. None when the rank itself is unknown (or the value is no shape)."""
    if _is_int(value):
        if value < 0:
            raise _Invalid
        return (value,)
    if isinstance(value, ListValue):
        value = tuple(value.items)
    if isinstance(value, tuple):
        if len(value) > MAX_RANK:
            raise _Invalid
        dims = []
        for item in value:
            if _is_int(item):
                if item < 0:
                    raise _Invalid
                dims.append(item)
            elif item is UNKNOWN or isinstance(item, Array):
                dims.append(None)
            else:
                raise _Invalid
        return tuple(dims)
    return None


def size_of(shape: tuple | None) -> int | None:
    if shape is None:
        return None
    if any(d == 0 for d in shape):
        return 0
    if any(d is None for d in shape):
        return None
    return math.prod(shape)


def _axis(axis: Any, rank: int) -> int:
    """Normalise an axis for an array of ``rank`` dimensions (NumPy's AxisError -> _Invalid)."""
    if not _is_int(axis) or not -rank <= axis < rank:
        raise _Invalid
    return axis % rank if rank else 0


def _axes(axis: Any, rank: int) -> list[int]:
    items = list(axis) if isinstance(axis, tuple) else axis.items if isinstance(axis, ListValue) else [axis]
    normalised = [_axis(a, rank) for a in items]
    if len(set(normalised)) != len(normalised):
        raise _Invalid
    return normalised


def _merge_dims(dims: list[int | None]) -> int | None:
    """Dimensions that must be equal (concatenation's other axes, stacked shapes)."""
    known = {d for d in dims if d is not None}
    if len(known) > 1:
        raise _Invalid
    return known.pop() if known else None


def broadcast(a: tuple | None, b: tuple | None) -> tuple | None:
    if a is None or b is None:
        return None
    rank = max(len(a), len(b))
    a = (1,) * (rank - len(a)) + tuple(a)
    b = (1,) * (rank - len(b)) + tuple(b)
    out: list[int | None] = []
    for x, y in zip(a, b):
        if x == y:
            out.append(x)
        elif x == 1:
            out.append(y)
        elif y == 1:
            out.append(x)
        elif x is None:
            out.append(y)  # a valid program has x == 1 or x == y
        elif y is None:
            out.append(x)
        else:
            raise _Invalid
    return tuple(out)


def reshape(shape: tuple | None, new: tuple | None) -> tuple | None:
    """``reshape`` with at most one -1 (``new`` holds ints, -1 or None for unknown)."""
    if new is None:
        return None
    if len(new) > MAX_RANK or sum(1 for d in new if d == -1) > 1 or any(d is not None and d < -1 for d in new):
        raise _Invalid
    total = size_of(shape)
    if -1 not in new:
        if total is not None and None not in new and math.prod(new) != total:
            raise _Invalid
        return tuple(new)
    rest = [d for d in new if d != -1]
    if None in rest or total is None:
        return tuple(None if d == -1 else d for d in new)
    known = math.prod(rest)
    if known == 0 or total % known:
        raise _Invalid
    return tuple(total // known if d == -1 else d for d in new)


def _reshape_arg(site: CallSite, first: int, keyword: str) -> tuple | None:
    """The new shape of ``x.reshape(2, 3)`` / ``x.reshape((2, 3))`` / ``np.reshape(x, (2, 3))``:
    -1 allowed."""
    args = site.args[first:]
    if len(args) == 1:
        value = args[0]
    elif args:
        value = tuple(args)
    else:
        value = site.kwargs.get(keyword, site.kwargs.get("newshape"))
    if _is_int(value):
        return (value,)
    if isinstance(value, ListValue):
        value = tuple(value.items)
    if not isinstance(value, tuple):
        return None
    dims: list[int | None] = []
    for item in value:
        if _is_int(item):
            dims.append(item)
        elif item is UNKNOWN or isinstance(item, Array):
            dims.append(None)
        else:
            raise _Invalid
    return tuple(dims)


def concatenate(shapes: list[tuple | None], axis: Any) -> tuple | None:
    if not shapes:
        raise _Invalid
    if axis is None:
        sizes = [size_of(s) for s in shapes]
        return (None if None in sizes else sum(sizes),)  # type: ignore[arg-type]
    known = [s for s in shapes if s is not None]
    if not known:
        return None
    rank = len(known[0])
    if any(len(s) != rank for s in known) or rank == 0:
        raise _Invalid
    if axis is UNKNOWN:
        return (None,) * rank
    ax = _axis(axis, rank)
    out: list[int | None] = []
    for i in range(rank):
        column = [s[i] if s is not None else None for s in shapes]
        if i == ax:
            out.append(None if None in column else sum(column))  # type: ignore[arg-type]
        else:
            out.append(_merge_dims(column))
    return tuple(out)


def stack(shapes: list[tuple | None], axis: Any) -> tuple | None:
    if not shapes:
        raise _Invalid
    known = [s for s in shapes if s is not None]
    if not known:
        return None
    rank = len(known[0])
    if any(len(s) != rank for s in known):
        raise _Invalid
    merged = [_merge_dims([s[i] if s is not None else None for s in shapes]) for i in range(rank)]
    if axis is UNKNOWN:
        return (None,) * (rank + 1)
    ax = _axis(axis, rank + 1)
    return (*merged[:ax], len(shapes), *merged[ax:])


def _at_least(shape: tuple | None, rank: int) -> tuple | None:
    """np.atleast_2d / atleast_3d."""
    if shape is None or len(shape) >= rank:
        return shape
    if rank == 2:
        return (1,) * (2 - len(shape)) + tuple(shape)
    return {0: (1, 1, 1), 1: (1, *shape, 1), 2: (*shape, 1)}[len(shape)]


def hstack(shapes: list[tuple | None]) -> tuple | None:
    shapes = [((1,) if s == () else s) for s in shapes]
    first = next((s for s in shapes if s is not None), None)
    if first is None:
        return None
    return concatenate(shapes, 0 if len(first) == 1 else 1)


def vstack(shapes: list[tuple | None]) -> tuple | None:
    return concatenate([_at_least(s, 2) for s in shapes], 0)


def dstack(shapes: list[tuple | None]) -> tuple | None:
    return concatenate([_at_least(s, 3) for s in shapes], 2)


def column_stack(shapes: list[tuple | None]) -> tuple | None:
    columns = []
    for s in shapes:
        if s is not None and len(s) < 2:
            s = (1, 1) if s == () else (s[0], 1)
        columns.append(s)
    return concatenate(columns, 1)


def expand_dims(shape: tuple | None, axis: Any) -> tuple | None:
    if shape is None:
        return None
    items = list(axis) if isinstance(axis, tuple) else axis.items if isinstance(axis, ListValue) else [axis]
    rank = len(shape) + len(items)
    if rank > MAX_RANK:
        raise _Invalid
    if any(a is UNKNOWN for a in items):
        return (None,) * rank
    positions = _axes(tuple(items), rank)
    rest = iter(shape)
    return tuple(1 if i in positions else next(rest) for i in range(rank))


def transpose(shape: tuple | None, axes: Any = None) -> tuple | None:
    if shape is None:
        return None
    rank = len(shape)
    if axes is None:
        return tuple(reversed(shape))
    if isinstance(axes, ListValue):
        axes = tuple(axes.items)
    if not isinstance(axes, tuple):
        raise _Invalid
    if any(a is UNKNOWN for a in axes):
        return (None,) * rank
    if len(axes) != rank:
        raise _Invalid
    order = _axes(axes, rank)
    return tuple(shape[i] for i in order)


def swapaxes(shape: tuple | None, a: Any, b: Any) -> tuple | None:
    if shape is None:
        return None
    if a is UNKNOWN or b is UNKNOWN:
        return (None,) * len(shape)
    i, j = _axis(a, len(shape)), _axis(b, len(shape))
    out = list(shape)
    out[i], out[j] = out[j], out[i]
    return tuple(out)


def moveaxis(shape: tuple | None, source: Any, destination: Any) -> tuple | None:
    if shape is None:
        return None
    rank = len(shape)
    src, dst = _axes(source, rank), _axes(destination, rank)
    if len(src) != len(dst):
        raise _Invalid
    order = [n for n in range(rank) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return tuple(shape[i] for i in order)


def squeeze(shape: tuple | None, axis: Any = None) -> tuple | None:
    if shape is None:
        return None
    if axis is None:
        if None in shape:
            return None  # an unknown dimension may be 1: the rank is unknown
        return tuple(d for d in shape if d != 1)
    if axis is UNKNOWN:
        return None
    drop = _axes(axis, len(shape))
    if any(shape[a] not in (1, None) for a in drop):
        raise _Invalid
    return tuple(d for i, d in enumerate(shape) if i not in drop)


def reduce(shape: tuple | None, axis: Any = None, keepdims: Any = False) -> tuple | None:
    """The shape of ``x.sum(axis=..., keepdims=...)`` and friends."""
    if shape is None or keepdims is UNKNOWN or axis is UNKNOWN:
        return None
    if axis is None:
        return (1,) * len(shape) if keepdims else ()
    drop = _axes(axis, len(shape))
    if keepdims:
        return tuple(1 if i in drop else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in drop)


def _slice_length(part: slice, size: int | None) -> int | None:
    bounds = (part.start, part.stop, part.step)
    if any(b is not None and not _is_int(b) for b in bounds):
        if any(b is not None and not (b is UNKNOWN or _is_int(b) or isinstance(b, Array)) for b in bounds):
            raise _Invalid  # a float or a string: NumPy's TypeError
        return None
    if part.step == 0:
        raise _Invalid
    if size is None:
        return None
    return len(range(*part.indices(size)))


def _is_full_slice(part: Any) -> bool:
    return isinstance(part, slice) and part.start is None and part.stop is None and part.step in (None, 1)


class _Index:
    """One index item classified: kind is "new", "ellipsis", "int", "slice", "array", "mask"."""

    __slots__ = ("kind", "value", "shape")

    def __init__(self, kind: str, value: Any = None, shape: tuple | None = None) -> None:
        self.kind, self.value, self.shape = kind, value, shape


def _classify(item: Any) -> _Index | None:
    """None: an index we cannot model (the result's rank is unknown)."""
    if item is None or isinstance(item, Ref) and item.name in ("numpy.newaxis", "tensorflow.newaxis"):
        return _Index("new")
    if item is Ellipsis:
        return _Index("ellipsis")
    if _is_int(item):
        return _Index("int", item)
    if isinstance(item, slice):
        return _Index("slice", item)
    if isinstance(item, Array):
        if item.shape is None:
            return None
        if item.dtype == "bool":
            return _Index("mask", shape=item.shape)
        if item.dtype is not None and _kind(item.dtype) not in "iu":
            raise _Invalid  # float index arrays are an error
        return _Index("array", shape=item.shape)
    if isinstance(item, (ListValue, tuple)):
        literal = _literal(item, tf=False)
        if literal is None or literal.shape is None:
            return None
        if literal.dtype == "bool":
            return _Index("mask", shape=literal.shape)
        if literal.dtype not in (None, "int64"):
            raise _Invalid
        return _Index("array", shape=literal.shape)
    if isinstance(item, (float, str)):
        raise _Invalid
    return None


def index(shape: tuple | None, items: list[Any]) -> tuple[tuple | None, bool]:
    """The shape of ``x[items]`` (NumPy basic and advanced indexing) and whether the last
    axis of ``x`` survives untouched."""
    if shape is None:
        return None, False
    parts = [_classify(item) for item in items]
    if any(p is None for p in parts):
        return None, False
    if sum(1 for p in parts if p.kind == "ellipsis") > 1:  # type: ignore[union-attr]
        raise _Invalid
    consumed = sum(len(p.shape) if p.kind == "mask" else 1  # type: ignore[union-attr, arg-type]
                   for p in parts if p.kind in ("int", "slice", "array", "mask"))  # type: ignore[union-attr]
    rank = len(shape)
    if consumed > rank:
        raise _Invalid
    expanded: list[_Index] = []
    for part in parts:
        if part.kind == "ellipsis":  # type: ignore[union-attr]
            expanded.extend(_Index("slice", slice(None)) for _ in range(rank - consumed))
        else:
            expanded.append(part)  # type: ignore[arg-type]
    if not any(p.kind == "ellipsis" for p in parts):  # type: ignore[union-attr]
        expanded.extend(_Index("slice", slice(None)) for _ in range(rank - consumed))
    advanced = any(p.kind in ("array", "mask") for p in expanded)
    out: list[Any] = []
    adv_shapes: list[tuple | None] = []
    adv_positions: list[int] = []
    axis = 0
    last_untouched = rank > 0
    for position, part in enumerate(expanded):
        if part.kind == "new":
            out.append(1)
            continue
        span = len(part.shape) if part.kind == "mask" else 1  # type: ignore[arg-type]
        size = shape[axis] if span == 1 else None
        touches_last = axis + span - 1 == rank - 1
        if part.kind == "slice":
            if touches_last and not _is_full_slice(part.value):
                last_untouched = False
            out.append(_slice_length(part.value, size))
        elif part.kind == "int":
            if touches_last:
                last_untouched = False
            if size is not None and not -size <= part.value < size:
                raise _Invalid
            if advanced:
                adv_shapes.append(())
                adv_positions.append(position)
                out.append(_ADVANCED)
        else:
            if touches_last:
                last_untouched = False
            if part.kind == "mask":
                mask_dims = part.shape
                data_dims = shape[axis:axis + span]
                pairs = zip(mask_dims, data_dims)  # type: ignore[arg-type]
                if any(m is not None and d is not None and m != d for m, d in pairs):
                    raise _Invalid
                adv_shapes.append((None,))
            else:
                adv_shapes.append(part.shape)
            adv_positions.append(position)
            out.append(_ADVANCED)
        axis += span
    if not advanced:
        return tuple(out), last_untouched
    joined: tuple | None = ()
    for s in adv_shapes:
        joined = broadcast(joined, s)
    assert joined is not None
    basic = [d for d in out if d is not _ADVANCED]
    adjacent = adv_positions == list(range(adv_positions[0], adv_positions[0] + len(adv_positions)))
    if adjacent:
        first = out.index(_ADVANCED)
        return (*[d for d in out[:first]], *joined, *[d for d in out[first:] if d is not _ADVANCED]), last_untouched
    return (*joined, *basic), last_untouched


_ADVANCED: Any = object()


# -- dtypes ------------------------------------------------------------------------------

_DTYPE_NAMES = {
    "float": "float64", "double": "float64", "float_": "float64", "f8": "float64", "d": "float64",
    "float32": "float32", "single": "float32", "f4": "float32", "f": "float32",
    "float16": "float16", "half": "float16", "f2": "float16", "e": "float16", "float64": "float64",
    "int": "int64", "int_": "int64", "intp": "int64", "long": "int64", "i8": "int64", "int64": "int64",
    "int32": "int32", "i4": "int32", "intc": "int32", "int16": "int16", "i2": "int16", "short": "int16",
    "int8": "int8", "i1": "int8", "byte": "int8",
    "uint8": "uint8", "u1": "uint8", "ubyte": "uint8", "B": "uint8", "uint16": "uint16", "u2": "uint16",
    "uint32": "uint32", "u4": "uint32", "uint64": "uint64", "u8": "uint64", "uint": "uint64",
    "bool": "bool", "bool_": "bool", "?": "bool", "b1": "bool",
    "complex64": "complex64", "complex128": "complex128", "complex": "complex128", "c8": "complex64",
    "c16": "complex128", "object": "object", "object_": "object", "O": "object",
    "str": "str", "str_": "str", "unicode": "str", "U": "str", "string": "string", "bfloat16": "bfloat16",
}


def dtype_name(value: Any) -> str | None:
    """``"float32"``, ``np.float32``, ``tf.float32``, ``float``, ``x.dtype`` ... -> a NumPy name."""
    if isinstance(value, str):
        text = value.lstrip("<>|=")
        return _DTYPE_NAMES.get(text)
    if isinstance(value, Ref):
        leaf = value.name.rsplit(".", 1)[-1]
        if value.name.startswith(("numpy.", "tensorflow.", "builtins.", "keras.")):
            return _DTYPE_NAMES.get(leaf)
    return None


def _kind(dtype: str | None) -> str:
    """NumPy's kind letter: b, i, u, f, c, O, U (``?`` when unknown)."""
    if dtype is None:
        return "?"
    if dtype == "bool":
        return "b"
    if dtype.startswith("uint"):
        return "u"
    if dtype.startswith("int"):
        return "i"
    if dtype.startswith(("float", "bfloat")):
        return "f"
    if dtype.startswith("complex"):
        return "c"
    if dtype == "object":
        return "O"
    return "U"


def _bits(dtype: str) -> int:
    digits = "".join(c for c in dtype if c.isdigit())
    return int(digits) if digits else 8


def promote(a: str | None, b: str | None) -> str | None:
    """``np.result_type`` of two array dtypes (NumPy 2)."""
    if a is None or b is None:
        return None
    if a == b:
        return a
    ka, kb = _kind(a), _kind(b)
    if "O" in (ka, kb):
        return "object"
    if "U" in (ka, kb) or "c" in (ka, kb) or "bfloat16" in (a, b):
        return None
    if ka == "b":
        return b
    if kb == "b":
        return a
    order = "iuf"
    if order.index(ka) > order.index(kb):
        a, b, ka, kb = b, a, kb, ka
    if ka == kb:
        return a if _bits(a) >= _bits(b) else b
    if ka == "i" and kb == "u":
        if _bits(a) > _bits(b):
            return a
        return f"int{2 * _bits(b)}" if _bits(b) < 64 else "float64"
    # integer with float
    ibits, fbits = _bits(a), _bits(b)
    if fbits == 16:
        return "float16" if ibits == 8 else "float32" if ibits == 16 else "float64"
    if fbits == 32:
        return "float32" if ibits <= 16 else "float64"
    return "float64"


def _weak(dtype: str | None, scalar: Any) -> str | None:
    """NumPy 2 (NEP 50): a Python scalar adopts the array's dtype when its kind allows."""
    if dtype is None:
        return None
    kind = _kind(dtype)
    if isinstance(scalar, bool):
        return dtype
    if isinstance(scalar, int):
        return "int64" if kind == "b" else dtype
    if isinstance(scalar, float):
        return "float64" if kind in "biu" else dtype
    return None


def _tf_truediv(dtype: str | None) -> str | None:
    if dtype is None:
        return None
    if _kind(dtype) in "iu":
        return "float32" if _bits(dtype) <= 16 else "float64"
    return dtype


# -- literals ----------------------------------------------------------------------------

class _Literal:
    __slots__ = ("shape", "dtype")

    def __init__(self, shape: tuple | None, dtype: str | None) -> None:
        self.shape, self.dtype = shape, dtype


class _Budget:
    __slots__ = ("left",)

    def __init__(self, left: int) -> None:
        self.left = left


def _scalar_dtype(value: Any, tf: bool) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int32" if tf else "int64"
    if isinstance(value, float):
        return "float32" if tf else "float64"
    if isinstance(value, complex):
        return "complex128"
    if isinstance(value, str):
        return "string" if tf else "str"
    return None


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
        if len(shape) > MAX_RANK:
            shape = None
    return Array(type_, node, dict(data or {}), shape=shape, dtype=dtype, scaled=scaled, one_hot=one_hot,
                 source=source)


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
    literal = _literal(value, tf)
    if literal is None:
        return None
    return make(node, literal.shape, literal.dtype, type_=TENSOR if tf else ARRAY)


def _same(values: list[Any]) -> Any:
    first = values[0] if values else None
    return first if all(v == first for v in values) else None


def _combine(arrays: list[Array], node: Any, shape: tuple | None, dtype: str | None, type_: str) -> Array:
    """An array made of several (concatenate, stack): labels kept only when they all agree."""
    return make(node, shape, dtype, type_=type_, scaled=_same([a.scaled for a in arrays]),
                one_hot=_same([a.one_hot for a in arrays]),
                source=_same([a.source for a in arrays]) or next((a.source for a in arrays if a.source), None))


# -- calls -------------------------------------------------------------------------------

Handler = Callable[["Interpreter", "CallSite"], Any]
_FUNCTIONS: dict[str, Handler] = {}
_METHODS: dict[str, Callable[["Interpreter", "CallSite", Array], Any]] = {}


def _register(*names: str) -> Callable[[Handler], Handler]:
    def decorate(fn: Handler) -> Handler:
        for name in names:
            _FUNCTIONS[name] = fn
        return fn

    return decorate


def _method(*names: str) -> Callable[[Any], Any]:
    def decorate(fn: Any) -> Any:
        for name in names:
            _METHODS[name] = fn
        return fn

    return decorate


def _is_tf(site: CallSite) -> bool:
    return site.name.startswith("tensorflow.")


def _out_type(site: CallSite) -> str:
    return TENSOR if _is_tf(site) else ARRAY


def _dtype_kw(site: CallSite, position: int | None, default: str | None) -> str | None:
    value = site.arg(position, "dtype", default=None)
    if value is None:
        return default
    return dtype_name(value)


def _size_shape(value: Any) -> tuple | None:
    """``size=``: None (absent) -> a scalar."""
    if value is None:
        return ()
    return shape_arg(value)


# numpy.random -----------------------------------------------------------------------------

@_register("numpy.random.rand", "numpy.random.randn")
def _rand(interp: Interpreter, site: CallSite) -> Any:
    if site.star_args:
        return unknown(site.node, dtype="float64")
    return make(site.node, shape_arg(tuple(site.args)) if site.args else (), "float64")


def _sized(size_position: int, dtype: str | None = "float64", params: tuple[int, ...] = (),
           names: tuple[str, ...] = ()) -> Handler:
    """Draws with a ``size`` argument; without it, the broadcast shape of the parameters."""

    def draw(interp: Interpreter, site: CallSite) -> Any:
        size = site.arg(size_position, "size", default=None)
        if size is None:
            shape: tuple | None = ()
            for position, name in zip(params, names):
                param = site.arg(position, name, default=None)
                if param is not None and not _is_number(param):
                    shape = broadcast(shape, (as_array(param) or unknown(None)).shape)
        else:
            shape = shape_arg(size)
        return make(site.node, shape, _dtype_kw(site, None, dtype))

    return draw


_register("numpy.random.random", "numpy.random.random_sample", "numpy.random.sample", "numpy.random.ranf")(_sized(0))
_register("numpy.random.normal", "numpy.random.uniform", "numpy.random.logistic", "numpy.random.laplace",
          "numpy.random.gumbel")(_sized(2, params=(0, 1), names=("loc", "scale")))
_register("numpy.random.standard_normal", "numpy.random.standard_cauchy")(_sized(0))
_register("numpy.random.exponential", "numpy.random.rayleigh")(_sized(1, params=(0,), names=("scale",)))
_register("numpy.random.beta")(_sized(2, params=(0, 1), names=("a", "b")))
_register("numpy.random.gamma")(_sized(2, params=(0, 1), names=("shape", "scale")))
_register("numpy.random.lognormal")(_sized(2, params=(0, 1), names=("mean", "sigma")))


@_register("numpy.random.randint", "numpy.random.random_integers")
def _randint(interp: Interpreter, site: CallSite) -> Any:
    shape = _size_shape(site.arg(2, "size", default=None))
    dtype = _dtype_kw(site, 3, "int64")
    return make(site.node, shape, dtype, one_hot=False)


@_register("numpy.random.binomial", "numpy.random.poisson")
def _counts(interp: Interpreter, site: CallSite) -> Any:
    position = 2 if site.name.endswith("binomial") else 1
    return make(site.node, _size_shape(site.arg(position, "size", default=None)), "int64")


@_register("numpy.random.choice")
def _choice(interp: Interpreter, site: CallSite) -> Any:
    population = site.arg(0, "a")
    shape = _size_shape(site.arg(1, "size", default=None))
    if _is_int(population):
        return make(site.node, shape, "int64", one_hot=False)
    pool = as_array(population)
    if pool is None:
        return make(site.node, shape, None)
    dtype = pool.dtype
    return make(site.node, shape, dtype, one_hot=False if _kind(dtype) in "iu" else None, source=pool.source,
                scaled=pool.scaled)


@_register("numpy.random.permutation")
def _permutation(interp: Interpreter, site: CallSite) -> Any:
    value = site.arg(0, "x")
    if _is_int(value):
        return make(site.node, (value,), "int64")
    base = as_array(value)
    if base is None:
        return unknown(site.node)
    return derive(base, site.node, base.shape)


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


_register("numpy.zeros", "numpy.ones", "numpy.empty")(_filled("float64"))
_register("numpy.full")(_filled(None, dtype_position=2, fill_position=1))
_register("tensorflow.zeros", "tensorflow.ones")(_filled("float32"))
_register("tensorflow.fill")(_filled(None, dtype_position=None, fill_position=1))


@_register("numpy.zeros_like", "numpy.ones_like", "numpy.empty_like", "numpy.full_like",
           "tensorflow.zeros_like", "tensorflow.ones_like")
def _like(interp: Interpreter, site: CallSite) -> Any:
    base = as_array(site.arg(0, "a" if not _is_tf(site) else "input"), tf=_is_tf(site))
    dtype_position = 2 if site.name.endswith("full_like") else 1
    shape_override = site.arg(None, "shape", default=None)
    if base is None:
        return unknown(site.node, type_=_out_type(site))
    shape = shape_arg(shape_override) if shape_override is not None else base.shape
    return make(site.node, shape, _dtype_kw(site, dtype_position, base.dtype), type_=_out_type(site))


@_register("numpy.array", "numpy.asarray", "numpy.asanyarray", "numpy.ascontiguousarray", "numpy.copy",
           "numpy.float32", "numpy.float64", "numpy.int64", "numpy.int32", "numpy.uint8")
def _np_array(interp: Interpreter, site: CallSite) -> Any:
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


@_register("tensorflow.constant", "tensorflow.convert_to_tensor", "tensorflow.Variable")
def _tf_constant(interp: Interpreter, site: CallSite) -> Any:
    value = site.arg(0, "value" if not site.name.endswith("Variable") else "initial_value")
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


@_register("numpy.arange")
def _arange(interp: Interpreter, site: CallSite) -> Any:
    args = list(site.args)
    for keyword in ("start", "stop", "step"):
        if keyword in site.kwargs:
            args.append(site.kwargs[keyword])
    dtype_value = site.kwargs.get("dtype")
    values = args[:3]
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
    return make(site.node, (length,), dtype)


@_register("numpy.linspace", "numpy.logspace")
def _linspace(interp: Interpreter, site: CallSite) -> Any:
    num = site.arg(2, "num", default=50)
    return make(site.node, (dim(num),), _dtype_kw(site, None, "float64"))


@_register("numpy.eye", "numpy.identity", "tensorflow.eye")
def _eye(interp: Interpreter, site: CallSite) -> Any:
    n = site.arg(0, "N" if not _is_tf(site) else "num_rows")
    m = None
    if not site.name.endswith("identity"):
        m = site.arg(1, "M" if not _is_tf(site) else "num_columns", default=None)
    if m is None:
        m = n
    dtype = _dtype_kw(site, None, "float32" if _is_tf(site) else "float64")
    return make(site.node, (dim(n), dim(m)), dtype, type_=_out_type(site), data={"eye": True})


# joining ------------------------------------------------------------------------------------

def _parts(interp: Interpreter, value: Any, tf: bool) -> list[Array] | None:
    items = interp.sequence_items(value) if isinstance(value, (tuple, ListValue)) else None
    if not items:
        return None
    arrays = [as_array(item, tf=tf) for item in items]
    if any(a is None for a in arrays):
        return None
    return arrays  # type: ignore[return-value]


def _joiner(shape_of: Callable[..., tuple | None], default_axis: Any, with_axis: bool = True) -> Handler:
    def join(interp: Interpreter, site: CallSite) -> Any:
        tf = _is_tf(site)
        keyword = "values" if tf else "arrays" if with_axis else "tup"
        parts = _parts(interp, site.arg(0, keyword, default=None), tf)
        if parts is None:
            return unknown(site.node, type_=_out_type(site))
        dtype: str | None = parts[0].dtype
        for p in parts[1:]:
            dtype = promote(dtype, p.dtype) if not tf else (dtype if dtype == p.dtype else None)
        shapes = [p.shape for p in parts]
        if with_axis:
            shape = shape_of(shapes, site.arg(1, "axis", default=default_axis))
        else:
            shape = shape_of(shapes)
        return _combine(parts, site.node, shape, dtype, _out_type(site))

    return join


_register("numpy.concatenate", "numpy.concat")(_joiner(concatenate, 0))
_register("tensorflow.concat")(_joiner(concatenate, UNKNOWN))
_register("numpy.stack", "tensorflow.stack")(_joiner(stack, 0))
_register("numpy.hstack")(_joiner(hstack, None, with_axis=False))
_register("numpy.vstack", "numpy.row_stack")(_joiner(vstack, None, with_axis=False))
_register("numpy.dstack")(_joiner(dstack, None, with_axis=False))
_register("numpy.column_stack")(_joiner(column_stack, None, with_axis=False))


# reshaping ----------------------------------------------------------------------------------

def _first_array(site: CallSite, keyword: str) -> Array | None:
    return as_array(site.arg(0, keyword), tf=_is_tf(site))


@_register("numpy.expand_dims", "tensorflow.expand_dims")
def _expand_dims(interp: Interpreter, site: CallSite) -> Any:
    base = _first_array(site, "a" if not _is_tf(site) else "input")
    if base is None:
        return unknown(site.node, type_=_out_type(site))
    return derive(base, site.node, expand_dims(base.shape, site.arg(1, "axis", default=UNKNOWN)),
                  type_=_out_type(site), one_hot=None if base.one_hot else base.one_hot)


@_register("numpy.reshape", "tensorflow.reshape")
def _np_reshape(interp: Interpreter, site: CallSite) -> Any:
    base = _first_array(site, "a" if not _is_tf(site) else "tensor")
    if base is None:
        return unknown(site.node, type_=_out_type(site))
    new = _reshape_arg(site, 1, "shape")
    return derive(base, site.node, reshape(base.shape, new), type_=_out_type(site),
                  one_hot=_reshaped_one_hot(base, new))


def _reshaped_one_hot(base: Array, new: tuple | None) -> bool | None:
    if base.one_hot is not True:
        return base.one_hot
    if base.shape and new and base.shape[-1] is not None and new[-1] == base.shape[-1]:
        return True
    return None


@_register("numpy.transpose", "tensorflow.transpose")
def _np_transpose(interp: Interpreter, site: CallSite) -> Any:
    base = _first_array(site, "a")
    if base is None:
        return unknown(site.node, type_=_out_type(site))
    axes = site.arg(1, "axes" if not _is_tf(site) else "perm", default=None)
    return derive(base, site.node, transpose(base.shape, axes), type_=_out_type(site), one_hot=None)


@_register("numpy.squeeze", "tensorflow.squeeze")
def _np_squeeze(interp: Interpreter, site: CallSite) -> Any:
    base = _first_array(site, "a" if not _is_tf(site) else "input")
    if base is None:
        return unknown(site.node, type_=_out_type(site))
    return derive(base, site.node, squeeze(base.shape, site.arg(1, "axis", default=None)), type_=_out_type(site))


@_register("numpy.swapaxes")
def _np_swapaxes(interp: Interpreter, site: CallSite) -> Any:
    base = _first_array(site, "a")
    if base is None:
        return unknown(site.node)
    return derive(base, site.node, swapaxes(base.shape, site.arg(1, "axis1"), site.arg(2, "axis2")), one_hot=None)


@_register("numpy.moveaxis")
def _np_moveaxis(interp: Interpreter, site: CallSite) -> Any:
    base = _first_array(site, "a")
    if base is None:
        return unknown(site.node)
    return derive(base, site.node, moveaxis(base.shape, site.arg(1, "source"), site.arg(2, "destination")),
                  one_hot=None)


@_register("tensorflow.cast", "tensorflow.dtypes.cast", "tensorflow.image.convert_image_dtype")
def _tf_cast(interp: Interpreter, site: CallSite) -> Any:
    base = as_array(site.arg(0, "x" if not site.name.endswith("convert_image_dtype") else "image"), tf=True)
    dtype = dtype_name(site.arg(1, "dtype"))
    if base is None:
        return unknown(site.node, type_=TENSOR, dtype=dtype)
    scaled = base.scaled
    if site.name.endswith("convert_image_dtype") and _kind(dtype) == "f" and _kind(base.dtype) in "iu":
        scaled = True  # convert_image_dtype rescales integers to [0, 1]
    return derive(base, site.node, base.shape, dtype, type_=TENSOR, scaled=scaled)


@_register("numpy.ravel")
def _np_ravel(interp: Interpreter, site: CallSite) -> Any:
    base = _first_array(site, "a")
    if base is None:
        return unknown(site.node)
    return derive(base, site.node, (size_of(base.shape),), one_hot=None)


# labels -------------------------------------------------------------------------------------

@_register("keras.utils.to_categorical")
def _to_categorical(interp: Interpreter, site: CallSite) -> Any:
    base = as_array(site.arg(0, "x" if "y" not in site.kwargs else "y"))
    classes = site.arg(1, "num_classes", default=None)
    depth = classes if _is_int(classes) and classes > 0 else None
    dtype = dtype_name(site.kwargs["dtype"]) if "dtype" in site.kwargs else "float32" if (
        base is not None and base.type == TENSOR) else "float64"
    if base is None or base.shape is None:
        return make(site.node, None, dtype, one_hot=True, source=base.source if base else None)
    shape = base.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    return make(site.node, (*shape, depth), dtype, type_=base.type, one_hot=True, source=base.source)


@_register("tensorflow.one_hot", "keras.ops.one_hot")
def _tf_one_hot(interp: Interpreter, site: CallSite) -> Any:
    base = as_array(site.arg(0, "indices" if _is_tf(site) else "x"), tf=True)
    depth = site.arg(1, "depth" if _is_tf(site) else "num_classes", default=None)
    axis = site.arg(None, "axis", default=-1)
    dtype = _dtype_kw(site, None, "float32")
    if base is None or base.shape is None or axis is UNKNOWN:
        return make(site.node, None, dtype, type_=TENSOR, one_hot=True)
    shape = expand_dims(base.shape, axis)
    assert shape is not None
    position = _axis(axis, len(shape))
    shape = (*shape[:position], dim(depth), *shape[position + 1:])
    return make(site.node, shape, dtype, type_=TENSOR, one_hot=True if position == len(shape) - 1 else None,
                source=base.source)


# scaling helpers ----------------------------------------------------------------------------

@_register("tensorflow.image.per_image_standardization", "keras.utils.normalize")
def _standardised(interp: Interpreter, site: CallSite) -> Any:
    base = as_array(site.arg(0, "image" if _is_tf(site) else "x"), tf=_is_tf(site))
    if base is None:
        return unknown(site.node, type_=_out_type(site))
    dtype = "float32" if _is_tf(site) else base.dtype if _kind(base.dtype) == "f" else "float64"
    return derive(base, site.node, base.shape, dtype, type_=_out_type(site), scaled=True)


def _preprocess_input(interp: Interpreter, site: CallSite) -> Any:
    base = as_array(site.arg(0, "x"))
    if base is None:
        return unknown(site.node)
    dtype = base.dtype if _kind(base.dtype) == "f" else "float32" if base.dtype else None
    return derive(base, site.node, base.shape, dtype, scaled=True)


# random tensors -----------------------------------------------------------------------------

def _tf_random(default: str, dtype_position: int) -> Handler:
    def draw(interp: Interpreter, site: CallSite) -> Any:
        shape = shape_arg(site.arg(0, "shape"))
        return make(site.node, shape, _dtype_kw(site, dtype_position, default), type_=TENSOR)

    return draw


_register("tensorflow.random.normal", "tensorflow.random_normal", "tensorflow.random.truncated_normal",
          "tensorflow.truncated_normal")(_tf_random("float32", 3))
_register("tensorflow.random.uniform", "tensorflow.random_uniform")(_tf_random("float32", 3))


# TensorFlow element-wise and image functions ---------------------------------------------------

# Same shape and dtype as their input; the first keep its values (a permutation), the others
# change them (so whether they are scaled is no longer known).
_TF_PERMUTING = frozenset({"identity", "stop_gradient", "image.flip_left_right", "image.flip_up_down",
                           "image.random_flip_left_right", "image.random_flip_up_down"})
_TF_KEEPING = frozenset({"abs", "math.abs", "square", "math.square", "negative", "math.negative", "nn.relu",
                         "nn.relu6", "nn.elu", "nn.selu", "nn.leaky_relu", "sigmoid", "math.sigmoid", "nn.sigmoid",
                         "tanh", "math.tanh", "nn.tanh", "image.random_brightness", "image.random_contrast",
                         "image.adjust_brightness", "image.adjust_contrast", "image.random_saturation",
                         "image.random_hue", "image.adjust_saturation", "image.adjust_hue", "image.adjust_gamma"})
_TF_RGB = frozenset({"image.random_saturation", "image.random_hue", "image.adjust_saturation", "image.adjust_hue"})


def _tf_same(interp: Interpreter, site: CallSite) -> Any:
    leaf = site.name[len("tensorflow."):]
    first = "image" if leaf.startswith("image.") else \
        "features" if leaf.startswith(("nn.relu", "nn.elu", "nn.selu", "nn.leaky")) else "x"
    base = as_array(site.arg(0, first), tf=True)
    if base is None or site.star_args:
        return unknown(site.node, type_=TENSOR)
    if leaf in _TF_RGB and (base.shape is None or not base.shape or base.shape[-1] not in (None, 3)):
        return unknown(site.node, type_=TENSOR)  # TensorFlow needs 3 channels here
    scaled = base.scaled if leaf in _TF_PERMUTING else None
    return derive(base, site.node, base.shape, type_=TENSOR, scaled=scaled, one_hot=base.one_hot
                  if leaf in _TF_PERMUTING else None)


for _leaf in _TF_PERMUTING | _TF_KEEPING:
    _FUNCTIONS[f"tensorflow.{_leaf}"] = _tf_same


@_register("tensorflow.clip_by_value")
def _tf_clip(interp: Interpreter, site: CallSite) -> Any:
    """``tf.clip_by_value(t, lo, hi)``: t's shape when the bounds are numbers (or scalars)."""
    base = as_array(site.arg(0, "t"), tf=True)
    bounds = [site.arg(1, "clip_value_min"), site.arg(2, "clip_value_max")]
    if base is None or site.star_args or not all(
            _is_number(b) or isinstance(b, Array) and b.shape == () for b in bounds):
        return unknown(site.node, type_=TENSOR)
    return derive(base, site.node, base.shape, type_=TENSOR, scaled=None, one_hot=None)


def _image_size(value: Any) -> tuple[int | None, int | None] | None:
    if isinstance(value, ListValue):
        value = tuple(value.items)
    if isinstance(value, tuple) and len(value) == 2:
        return dim(value[0]), dim(value[1])
    return None


def _resized(base: Array, node: Any, size: tuple[int | None, int | None] | None, dtype: str | None) -> Array:
    """An image (h, w, c) or batch (b, h, w, c) of images at a new height and width."""
    if base.shape is None or len(base.shape) not in (3, 4) or size is None:
        return unknown(node, type_=TENSOR, dtype=dtype)
    return derive(base, node, (*base.shape[:-3], *size, base.shape[-1]), dtype, type_=TENSOR, one_hot=None)


@_register("tensorflow.image.resize")
def _tf_resize(interp: Interpreter, site: CallSite) -> Any:
    """float32, except that nearest-neighbour keeps the dtype (tf.image.resize's docstring);
    ``preserve_aspect_ratio`` makes the size depend on the image."""
    base = as_array(site.arg(0, "images"), tf=True)
    method = site.arg(2, "method", default="bilinear")
    if base is None or site.star_args:
        return unknown(site.node, type_=TENSOR)
    nearest = method == "nearest" or isinstance(method, Ref) and method.name.endswith("NEAREST_NEIGHBOR")
    known_method = isinstance(method, str) or isinstance(method, Ref) and method.name.startswith(
        "tensorflow.image.ResizeMethod.")
    dtype = base.dtype if nearest else "float32" if known_method else None
    size = _image_size(site.arg(1, "size"))
    if site.arg(3, "preserve_aspect_ratio", default=False) is not False:
        size = None
    return _resized(base, site.node, size, dtype)


@_register("tensorflow.image.resize_with_pad")
def _tf_resize_with_pad(interp: Interpreter, site: CallSite) -> Any:
    base = as_array(site.arg(0, "image"), tf=True)
    if base is None or site.star_args:
        return unknown(site.node, type_=TENSOR)
    size = (dim(site.arg(1, "target_height")), dim(site.arg(2, "target_width")))
    return _resized(base, site.node, size, "float32")


@_register("tensorflow.image.resize_with_crop_or_pad")
def _tf_crop_or_pad(interp: Interpreter, site: CallSite) -> Any:
    base = as_array(site.arg(0, "image"), tf=True)
    if base is None or site.star_args:
        return unknown(site.node, type_=TENSOR)
    size = (dim(site.arg(1, "target_height")), dim(site.arg(2, "target_width")))
    return _resized(base, site.node, size, base.dtype)


@_register("tensorflow.image.rgb_to_grayscale", "tensorflow.image.grayscale_to_rgb")
def _tf_colour(interp: Interpreter, site: CallSite) -> Any:
    base = as_array(site.arg(0, "images"), tf=True)
    to_rgb = site.name.endswith("grayscale_to_rgb")
    if base is None or base.shape is None or not base.shape or site.star_args \
            or base.shape[-1] not in (None, 1 if to_rgb else 3):
        return unknown(site.node, type_=TENSOR)
    return derive(base, site.node, (*base.shape[:-1], 3 if to_rgb else 1), type_=TENSOR, one_hot=None)


# sklearn ------------------------------------------------------------------------------------

def _split_sizes(n: int | None, test_size: Any, train_size: Any) -> tuple[int | None, int | None]:
    """sklearn's _validate_shuffle_split: (n_train, n_test)."""
    if test_size is None and train_size is None:
        test_size = 0.25
    if n is None or test_size is UNKNOWN or train_size is UNKNOWN:
        return None, None
    n_test = n_train = None
    if isinstance(test_size, float):
        n_test = math.ceil(test_size * n)
    elif _is_int(test_size):
        n_test = test_size
    if isinstance(train_size, float):
        n_train = math.floor(train_size * n)
    elif _is_int(train_size):
        n_train = train_size
    if n_train is None and n_test is not None:
        n_train = n - n_test
    elif n_test is None and n_train is not None:
        n_test = n - n_train
    if any(isinstance(size, float) and not 0 < size < 1 for size in (test_size, train_size)):
        return None, None  # sklearn raises
    if n_train is None or n_test is None or n_train <= 0 or n_test < 0 or n_train + n_test > n:
        return None, None  # sklearn raises (an empty train set, sizes beyond n)
    return n_train, n_test


@_register("sklearn.model_selection.train_test_split")
def _train_test_split(interp: Interpreter, site: CallSite) -> Any:
    if site.star_args:
        return NOT_MODELLED
    arrays = [as_array(value) for value in site.args]
    firsts = {a.shape[0] for a in arrays if a is not None and a.shape and a.shape[0] is not None}
    n = firsts.pop() if len(firsts) == 1 else None
    n_train, n_test = _split_sizes(n, site.kwargs.get("test_size"), site.kwargs.get("train_size"))
    results: list[Any] = []
    for array in arrays:
        if array is None:
            results.extend((UNKNOWN, UNKNOWN))
            continue
        for count in (n_train, n_test):
            shape = None if not array.shape else (count, *array.shape[1:])
            results.append(derive(array, site.node, shape))
    return tuple(results)


@_register("sklearn.utils.shuffle")
def _sk_shuffle(interp: Interpreter, site: CallSite) -> Any:
    if site.star_args or not site.args:
        return NOT_MODELLED
    n_samples = site.kwargs.get("n_samples")
    results = []
    for value in site.args:
        array = as_array(value)
        if array is None:
            results.append(UNKNOWN)
            continue
        shape = array.shape
        if shape and _is_int(n_samples):
            shape = (min(n_samples, shape[0]) if shape[0] is not None else None, *shape[1:])
        results.append(derive(array, site.node, shape))
    return results[0] if len(results) == 1 else tuple(results)


# np.load ------------------------------------------------------------------------------------

@_register("numpy.load")
def _np_load(interp: Interpreter, site: CallSite) -> Any:
    from keraslint.source import npy

    path = site.arg(0, "file")
    if not isinstance(path, str):
        return UNKNOWN  # could be an .npz archive as well as an array
    source = f"np.load({path!r})"
    if path.lower().endswith(".npz"):
        return UNKNOWN
    header = npy.read_header(getattr(interp, "script_dir", None), path)
    if header is None:
        return unknown(site.node, source=source)
    shape, dtype = header
    return make(site.node, shape, dtype, source=source)


@_register("numpy.loadtxt", "numpy.genfromtxt")
def _np_text(interp: Interpreter, site: CallSite) -> Any:
    """A text file's table: its shape is the file's (never read), so unknown, but the array
    says where it came from; loadtxt/genfromtxt give float64 unless told otherwise."""
    path = site.arg(0, "fname")
    leaf = site.name.rsplit(".", 1)[-1]
    source = f"np.{leaf}({path!r})" if isinstance(path, str) else f"np.{leaf}(...)"
    dtype_value = site.arg(1, "dtype", default=float)
    dtype = None if site.star_args or dtype_value is None else "float64" if dtype_value is float \
        else dtype_name(dtype_value)
    if site.has(None, "unpack") or site.has(None, "converters"):
        return UNKNOWN  # a tuple of columns, or values of any type
    return unknown(site.node, dtype=dtype, source=source)


# reductions (as functions and methods) ---------------------------------------------------------

_REDUCTIONS = frozenset({"sum", "mean", "std", "var", "max", "min", "amax", "amin", "prod", "argmax", "argmin",
                         "median", "nanmean", "nanstd", "nansum", "nanmax", "nanmin", "any", "all", "ptp"})


def _reduce_dtype(op: str, dtype: str | None) -> str | None:
    kind = _kind(dtype)
    if op in ("argmax", "argmin"):
        return "int64"
    if op in ("any", "all"):
        return "bool"
    if op in ("mean", "std", "var", "median", "nanmean", "nanstd"):
        return "float64" if kind in "biu" else dtype
    if op in ("sum", "prod", "nansum"):
        if kind == "b" or kind == "i":
            return "int64"
        if kind == "u":
            return "uint64"
        return dtype
    return dtype


def _reduction(site: CallSite, op: str, base: Array, arg_offset: int) -> Array:
    axis = site.arg(arg_offset, "axis", default=None)
    keepdims = site.kwargs.get("keepdims", False)
    if op in ("argmax", "argmin") and base.type == TENSOR and axis is None:
        axis = 0  # tf.argmax reduces axis 0 by default
    shape = reduce(base.shape, axis, keepdims)
    dtype = _dtype_kw(site, None, _reduce_dtype(op, base.dtype)) if op not in ("argmax", "argmin") else "int64"
    one_hot = False if op in ("argmax", "argmin") else None  # argmax of one-hot labels: class ids
    return derive(base, site.node, shape, dtype, one_hot=one_hot, scaled=None)


def _function_reduction(interp: Interpreter, site: CallSite) -> Any:
    leaf = site.name.rsplit(".", 1)[-1]
    op = {"amax": "max", "amin": "min", "reduce_mean": "mean", "reduce_sum": "sum", "reduce_max": "max",
          "reduce_min": "min", "reduce_std": "std"}.get(leaf, leaf)
    base = as_array(site.arg(0, "a" if not _is_tf(site) else "input_tensor"), tf=_is_tf(site))
    if base is None:
        return unknown(site.node, type_=_out_type(site))
    return _reduction(site, op, base, 1)


for _op in _REDUCTIONS:
    _FUNCTIONS[f"numpy.{_op}"] = _function_reduction
for _op in ("reduce_mean", "reduce_sum", "reduce_max", "reduce_min", "reduce_std", "argmax", "argmin"):
    _FUNCTIONS[f"tensorflow.{_op}"] = _function_reduction
    _FUNCTIONS[f"tensorflow.math.{_op}"] = _function_reduction


_FLOAT_UFUNCS = frozenset({"log", "log1p", "log2", "log10", "exp", "expm1", "sqrt", "tanh", "sin", "cos"})
_KEEPING_UFUNCS = frozenset({"abs", "absolute", "floor", "ceil", "clip"})


def _float_result(dtype: str | None) -> str | None:
    """The dtype of np.log/np.sqrt ... of an array: the smallest float that holds its values."""
    kind = _kind(dtype)
    if kind in "biu":
        bits = 8 if kind == "b" else _bits(dtype or "")
        return "float16" if bits == 8 else "float32" if bits == 16 else "float64"
    return dtype if kind in "fc" else None


def _elementwise(interp: Interpreter, site: CallSite) -> Any:
    """Unary element-wise functions (np.log, np.sqrt, np.abs, np.clip ...): same shape."""
    base = as_array(site.arg(0, "x" if not site.name.endswith("clip") else "a"))
    if base is None:
        return unknown(site.node)
    leaf = site.name.rsplit(".", 1)[-1]
    if leaf in _FLOAT_UFUNCS:
        return derive(base, site.node, base.shape, _float_result(base.dtype), scaled=None, one_hot=None)
    dtype = base.dtype if leaf != "clip" or _kind(base.dtype) != "b" else None
    return derive(base, site.node, base.shape, dtype)


for _op in _FLOAT_UFUNCS | _KEEPING_UFUNCS:
    _FUNCTIONS[f"numpy.{_op}"] = _elementwise


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

@_method("reshape")
def _m_reshape(interp: Interpreter, site: CallSite, base: Array) -> Any:
    new = _reshape_arg(site, 0, "shape")
    return derive(base, site.node, reshape(base.shape, new), one_hot=_reshaped_one_hot(base, new))


@_method("transpose")
def _m_transpose(interp: Interpreter, site: CallSite, base: Array) -> Any:
    axes: Any = None
    if len(site.args) == 1:
        axes = site.args[0]
    elif len(site.args) > 1:
        axes = tuple(site.args)
    return derive(base, site.node, transpose(base.shape, axes), one_hot=None)


@_method("astype")
def _m_astype(interp: Interpreter, site: CallSite, base: Array) -> Any:
    return derive(base, site.node, base.shape, dtype_name(site.arg(0, "dtype")))


@_method("flatten", "ravel")
def _m_flatten(interp: Interpreter, site: CallSite, base: Array) -> Any:
    return derive(base, site.node, (size_of(base.shape),) if base.shape is not None else (None,), one_hot=None)


@_method("squeeze")
def _m_squeeze(interp: Interpreter, site: CallSite, base: Array) -> Any:
    return derive(base, site.node, squeeze(base.shape, site.arg(0, "axis", default=None)))


@_method("swapaxes")
def _m_swapaxes(interp: Interpreter, site: CallSite, base: Array) -> Any:
    return derive(base, site.node, swapaxes(base.shape, site.arg(0, "axis1"), site.arg(1, "axis2")), one_hot=None)


@_method("copy", "numpy")
def _m_copy(interp: Interpreter, site: CallSite, base: Array) -> Any:
    return derive(base, site.node, base.shape, type_=ARRAY if site.name.endswith(".numpy") else base.type)


@_method("clip", "round")
def _m_clip(interp: Interpreter, site: CallSite, base: Array) -> Any:
    return derive(base, site.node, base.shape)


def _m_reduce(interp: Interpreter, site: CallSite, base: Array) -> Any:
    return _reduction(site, site.name.rsplit(".", 1)[-1], base, 0)


for _op in ("sum", "mean", "std", "var", "max", "min", "prod", "argmax", "argmin", "any", "all", "ptp"):
    _METHODS[_op] = _m_reduce


# numpy.random.Generator / RandomState methods -------------------------------------------------------

def _generator_call(interp: Interpreter, site: CallSite) -> Any:
    method = site.name.rsplit(".", 1)[-1]
    size_positions = {"random": 0, "random_sample": 0, "standard_normal": 0, "normal": 2, "uniform": 2,
                      "integers": 2, "randint": 2, "exponential": 1, "choice": 1, "binomial": 2, "poisson": 1}
    if method in ("rand", "randn"):
        return _rand(interp, site)
    if method == "permutation":
        return _permutation(interp, site)
    if method == "choice":
        return _choice(interp, site)
    if method not in size_positions:
        return NOT_MODELLED
    size = site.arg(size_positions[method], "size", default=None)
    shape = _size_shape(size)
    if method in ("integers", "randint"):
        return make(site.node, shape, _dtype_kw(site, 3, "int64"), one_hot=False)
    if method in ("binomial", "poisson"):
        return make(site.node, shape, "int64")
    return make(site.node, shape, _dtype_kw(site, None, "float64"))


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
    return derive(array, node, shape, one_hot=one_hot)


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


def _result_dtype(op: Any, left: Any, right: Any, ldtype: str | None, rdtype: str | None, lweak: bool, rweak: bool,
                  tf: bool) -> str | None:
    if tf:
        dtype = ldtype if not lweak else rdtype
        if not lweak and not rweak and ldtype != rdtype:
            return None
        return _tf_truediv(dtype) if op is operator.truediv else dtype
    if lweak and rweak:
        return None
    if lweak or rweak:
        strong, scalar = (rdtype, left) if lweak else (ldtype, right)
        if op is operator.pow and rweak and _kind(strong) == "b" and isinstance(scalar, int) \
                and not isinstance(scalar, bool):
            return "int8"  # NumPy's power loop for a boolean base with a Python int exponent (NEP 50)
        dtype = _weak(strong, scalar)
    else:
        dtype = promote(ldtype, rdtype)
    if dtype is None:
        return None
    kind = _kind(dtype)
    if op is operator.truediv and kind in "biu":
        return "float64"
    if op in (operator.floordiv, operator.pow, operator.mod) and kind == "b":
        return "int8"
    if op is operator.sub and kind == "b":
        return None  # NumPy refuses boolean subtraction
    return dtype


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


def matmul_shape(left: tuple[int | None, ...] | None,
                 right: tuple[int | None, ...] | None) -> tuple[int | None, ...] | None:
    """NumPy's ``a @ b``: 1-D operands are promoted and the promoted axis dropped, leading
    axes broadcast; None when unknown or when NumPy would refuse."""
    if left is None or right is None or not left or not right:
        return None
    a = (1, *left) if len(left) == 1 else left
    b = (*right, 1) if len(right) == 1 else right
    if a[-1] is not None and b[-2] is not None and a[-1] != b[-2]:
        return None
    try:
        batch = broadcast(a[:-2], b[:-2])
    except _Invalid:
        return None
    if batch is None:
        return None
    shape = (*batch, a[-2], b[-1])
    if len(left) == 1:
        shape = (*shape[:-2], shape[-1])
    if len(right) == 1:
        shape = shape[:-1]
    return shape


def _matmul(left: Any, right: Any, node: cst.BaseExpression | None) -> Any:
    if not isinstance(left, Array) or not isinstance(right, Array):
        return NOT_MODELLED
    tf = TENSOR in (left.type, right.type)
    dtype = left.dtype if left.dtype == right.dtype else promote(left.dtype, right.dtype)
    return make(node if node is not None else left.node, matmul_shape(left.shape, right.shape), dtype,
                type_=TENSOR if tf else ARRAY, source=left.source or right.source)


@_register("numpy.dot", "numpy.matmul", "tensorflow.matmul", "tensorflow.linalg.matmul")
def _matmul_call(interp: Interpreter, site: CallSite) -> Any:
    left, right = site.arg(0, "a"), site.arg(1, "b")
    if site.name == "numpy.dot" and isinstance(left, Array) and isinstance(right, Array) \
            and (left.rank or 0) > 2 and (right.rank or 0) > 2:
        return make(site.node, None, None)  # np.dot on stacks is not matmul: leave it unknown
    result = _matmul(left, right, site.node)
    return make(site.node, None, None) if result is NOT_MODELLED else result


def binary_op(interp: Interpreter, op: Any, left: Any, right: Any, node: cst.BaseExpression | None = None) -> Any:
    """Arithmetic on arrays (broadcasting, NumPy 2 type promotion); also ``shape + (1,)`` on
    shape tuples holding unknown dimensions."""
    if op is operator.matmul:
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
