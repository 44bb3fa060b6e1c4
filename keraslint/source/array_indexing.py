"""The shape of ``x[...]`` under NumPy's basic and advanced indexing rules."""

from __future__ import annotations

from typing import Any

from keraslint.source.array_dtypes import _kind
from keraslint.source.array_shapes import _Invalid, _is_int, broadcast
from keraslint.source.array_values import _literal
from keraslint.source.values import Array, ListValue, Ref
from keraslint.values import UNKNOWN


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
    #: each expanded item's place in the index as written: NumPy decides whether advanced indices
    #: are adjacent there, so an Ellipsis between them separates them even when it stands for no axis
    written: list[int] = []
    for place, part in enumerate(parts):
        if part.kind == "ellipsis":  # type: ignore[union-attr]
            expanded.extend(_Index("slice", slice(None)) for _ in range(rank - consumed))
            written.extend(place for _ in range(rank - consumed))
        else:
            expanded.append(part)  # type: ignore[arg-type]
            written.append(place)
    if not any(p.kind == "ellipsis" for p in parts):  # type: ignore[union-attr]
        expanded.extend(_Index("slice", slice(None)) for _ in range(rank - consumed))
        written.extend(len(parts) for _ in range(rank - consumed))
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
    places = [written[position] for position in adv_positions]
    adjacent = places == list(range(places[0], places[0] + len(places)))
    if adjacent:
        first = out.index(_ADVANCED)
        return (*[d for d in out[:first]], *joined, *[d for d in out[first:] if d is not _ADVANCED]), last_untouched
    return (*joined, *basic), last_untouched


_ADVANCED: Any = object()

