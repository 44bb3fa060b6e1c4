"""Shape algebra of NumPy arrays: broadcasting, reshape, concatenate/stack, axis moves,
squeezes, reductions and matmul, on shapes whose dimensions are ints or None (unknown).

Differential-tested against NumPy. Where NumPy would raise, these raise _Invalid, which the
array model turns into an array of unknown rank.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from keraslint.source.values import Array, ListValue, is_dynamic_dim
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite

#: NumPy's limit on the number of dimensions
MAX_RANK = 64


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
        return _dims(value, negative=False)
    return None


def _dims(items: tuple, *, negative: bool) -> tuple:
    """The dimensions a script spells out, None for unknown ones; negative ints only where
    ``negative`` (reshape's -1 and its errors are judged by reshape itself)."""
    dims: list[int | None] = []
    for item in items:
        if _is_int(item):
            if item < 0 and not negative:
                raise _Invalid
            dims.append(item)
        elif item is UNKNOWN or isinstance(item, Array) or is_dynamic_dim(item):
            dims.append(None)  # a dynamic_dim (the batch size in a layer's call) is no number either
        else:
            raise _Invalid
    return tuple(dims)


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
    items = _reshape_items(site, first, keyword)
    return None if items is None else _dims(items, negative=True)


def _reshape_items(site: CallSite, first: int, keyword: str) -> tuple | None:
    """The new shape's entries as the script gives them (script values, not yet dimensions)."""
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
    return value if isinstance(value, tuple) else None


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

