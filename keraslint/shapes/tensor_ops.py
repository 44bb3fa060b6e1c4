"""Operations on Keras tensors that are not layers: ``a + b``, ``x[:, 0]``, ``keras.ops.reshape``.

Keras records each as a node of the functional graph (an ``Operation`` in Keras 3, a
``TFOpLambda`` layer in tf.keras); keraslint gives each one IR node whose layer is ``Opaque``
with a :class:`TensorOp` under ``config["custom_layer"]`` (the engine's hook for layers it
computes from something else than their kind, shapes/custom.py). The op has no weights.

Each op registers its shape function here; they follow Keras 3's own ``compute_output_spec``
(``keras/src/ops/operation_utils.py``, ``numpy.py``), quirks included, and are
differential-tested against Keras (tests/shapes/test_tensor_ops.py). Shapes are full shapes
(batch axis included); None is a size nobody knows statically. Where Keras would refuse the
op, a ShapeError says why; where the op or its arguments are not known, UnsupportedLayer
(the output is unknown, and the reason says which op).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from keraslint.shapes.dims import Dim, fmt, prod
from keraslint.shapes.errors import ShapeError, UnsupportedLayer
from keraslint.shapes.registry import result
from keraslint.shapes.spec import LayerResult, Shape
from keraslint.plural import plural

OpHandler = Callable[["TensorOp", list[Shape]], Shape]

#: op name -> its shape function (inputs: the tensors' shapes, then any constants' shapes)
OPS: dict[str, OpHandler] = {}


def op(*names: str) -> Callable[[OpHandler], OpHandler]:
    def decorate(fn: OpHandler) -> OpHandler:
        for name in names:
            OPS[name] = fn
        return fn

    return decorate


@dataclass(eq=False)
class TensorOp:
    """One op applied to Keras tensors: ``op`` names its shape function, ``params`` its static
    arguments, ``constants`` the shapes of non-tensor operands (``()`` for a Python number),
    ``label`` how the script spells it (for messages). ``op=None`` (or ``unknown`` set) is an
    op keraslint does not model, or one whose arguments it could not read: its output is unknown."""

    op: str | None
    label: str
    params: dict[str, Any] = field(default_factory=dict)
    constants: tuple[Shape, ...] = ()
    unknown: str | None = None

    def infer(self, inputs: list[Shape]) -> LayerResult:
        handler = OPS.get(self.op) if self.op is not None else None
        if handler is None or self.unknown is not None:
            raise UnsupportedLayer("Opaque", self.unknown or f"{self.label}: not modelled by keraslint")
        shapes = [tuple(s) for s in inputs] + [tuple(c) for c in self.constants]
        try:
            out = handler(self, shapes)
        except (ShapeError, UnsupportedLayer):
            raise
        except (TypeError, ValueError, IndexError, KeyError, ZeroDivisionError) as exc:
            raise UnsupportedLayer("Opaque", f"{self.label}: cannot model these arguments ({exc})") from exc
        return result(tuple(out), params=0)

    def fail(self, message: str, **numbers: Any) -> ShapeError:
        return ShapeError("incompatible", f"{self.label}: {message}", **numbers)

    def __repr__(self) -> str:  # shown in debugging output of configs
        return f"TensorOp({self.label})"


def _axis(axis: Any, rank: int, what: TensorOp) -> int:
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise UnsupportedLayer("Opaque", f"{what.label}: axis {axis!r} is not known to keraslint")
    if not -rank <= axis < rank:
        raise what.fail(f"axis {axis} is out of range for a tensor of rank {rank}", axis=axis, actual=axis)
    return axis % rank


def _axes(axis: Any, rank: int, what: TensorOp) -> list[int]:
    items = list(axis) if isinstance(axis, (tuple, list)) else [axis]
    return [_axis(a, rank, what) for a in items]


def broadcast_shapes(a: Sequence[Dim], b: Sequence[Dim], what: TensorOp) -> tuple[Dim, ...]:
    """Keras' ``broadcast_shapes`` (NumPy rules; an unknown size against a known one is the known
    one, against a 1 it stays unknown)."""
    x, y = list(a), list(b)
    if len(x) > len(y):
        y = [1] * (len(x) - len(y)) + y
    if len(x) < len(y):
        x = [1] * (len(y) - len(x)) + x
    out: list[Dim] = []
    for i, (p, q) in enumerate(zip(x, y)):
        if p == 1:
            out.append(q)
        elif p is None:
            out.append(None if q == 1 else q)
        elif q == 1 or q is None or q == p:
            out.append(p)
        else:
            raise ShapeError("merge", f"{what.label}: shapes {fmt(a)} and {fmt(b)} cannot be broadcast "
                             f"(axis {i}: {p} vs {q})", axis=i, expected=p, actual=q)
    return tuple(out)


@op("elementwise")
def _elementwise(what: TensorOp, inputs: list[Shape]) -> Shape:
    out: tuple[Dim, ...] = inputs[0]
    for shape in inputs[1:]:
        out = broadcast_shapes(out, shape, what)
    return out


@op("concatenate")
def _concatenate(what: TensorOp, inputs: list[Shape]) -> Shape:
    first = inputs[0]
    if not first:
        raise what.fail("cannot concatenate scalars")
    axis = _axis(what.params.get("axis", 0), len(first), what)
    total: Dim = 0
    for shape in inputs:
        if len(shape) != len(first):
            raise ShapeError("merge", f"{what.label}: inputs have different ranks: "
                             f"{', '.join(fmt(s) for s in inputs)}", expected=len(first), actual=len(shape))
        for i, (p, q) in enumerate(zip(shape, first)):
            if i != axis and p is not None and q is not None and p != q:
                raise ShapeError("merge", f"{what.label}(axis={what.params.get('axis', 0)}) inputs must match "
                                 f"except on the concatenation axis; axis {i} has sizes {q} and {p}: "
                                 f"{', '.join(fmt(s) for s in inputs)}", axis=i, expected=q, actual=p)
        total = None if total is None or shape[axis] is None else total + shape[axis]
    out = list(first)
    out[axis] = total
    return tuple(out)


@op("stack")
def _stack(what: TensorOp, inputs: list[Shape]) -> Shape:
    first = inputs[0]
    for shape in inputs[1:]:
        if len(shape) != len(first) or any(p is not None and q is not None and p != q for p, q in zip(shape, first)):
            raise ShapeError("merge", f"{what.label}: inputs must have the same shape: "
                             f"{', '.join(fmt(s) for s in inputs)}")
    axis = _axis(what.params.get("axis", 0), len(first) + 1, what)
    dims = list(first)  # Keras keeps the first input's sizes
    dims.insert(axis, len(inputs))
    return tuple(dims)


@op("reshape")
def _reshape(what: TensorOp, inputs: list[Shape]) -> Shape:
    x = inputs[0]
    raw = what.params["shape"]
    newshape = tuple(raw) if isinstance(raw, (tuple, list)) else (raw,)
    # None: a size known only when the model runs (``tf.shape(x)[0]``): Keras leaves that axis None
    if any(isinstance(d, bool) or not (d is None or isinstance(d, int)) for d in newshape):
        raise UnsupportedLayer("Opaque", f"{what.label}: a size of the new shape is not known to keraslint")
    if newshape.count(-1) > 1 or any(d is not None and d < -1 for d in newshape):
        raise what.fail(f"new shape {fmt(newshape)} may hold only sizes and one -1")
    if None in x or None in newshape:
        return tuple(None if d is None or d == -1 else d for d in newshape)
    size = prod(x)
    assert size is not None
    if -1 not in newshape:
        if size != prod(newshape):
            raise ShapeError("reshape", f"{what.label}: {fmt(x)} has {plural(size, 'element')} and cannot be reshaped to "
                             f"{fmt(newshape)}", expected=newshape, actual=x)
        return newshape
    known = prod(d for d in newshape if d != -1)
    assert known is not None
    if known == 0 or size % known:
        raise ShapeError("reshape", f"{what.label}: {fmt(x)} has {plural(size, 'element')}, not divisible by {known} for "
                         f"{fmt(newshape)}", expected=newshape, actual=x)
    return tuple(size // known if d == -1 else d for d in newshape)


@op("tile")
def _tile(what: TensorOp, inputs: list[Shape]) -> Shape:
    """``keras.ops.tile(x, repeats)`` (NumPy's rule: the shorter of shape and repeats padded with
    1s in front) and ``tf.tile(x, multiples)`` (one per axis); a size or a multiple known only
    when the model runs (None) leaves its axis None, as Keras's ``Tile`` and TensorFlow's shape
    inference do."""
    x = list(inputs[0])
    raw = what.params["repeats"]
    repeats = list(raw) if isinstance(raw, (tuple, list)) else [raw]
    if any(isinstance(r, bool) or not (r is None or isinstance(r, int) and r >= 0) for r in repeats) \
            or what.params.get("per_axis") and len(repeats) != len(x):
        raise UnsupportedLayer("Opaque", f"{what.label}: its multiples are not known to keraslint")
    if len(x) > len(repeats):
        repeats = [1] * (len(x) - len(repeats)) + repeats
    else:
        x = [1] * (len(repeats) - len(x)) + x
    return tuple(None if d is None or r is None else d * r for d, r in zip(x, repeats))


@op("expand_dims")
def _expand_dims(what: TensorOp, inputs: list[Shape]) -> Shape:
    x = inputs[0]
    axis = what.params.get("axis")
    items = list(axis) if isinstance(axis, (tuple, list)) else [axis]
    rank = len(x) + len(items)
    axes = [_axis(a, rank, what) for a in items]
    shape = iter(x)
    return tuple(1 if i in axes else next(shape) for i in range(rank))


@op("squeeze")
def _squeeze(what: TensorOp, inputs: list[Shape]) -> Shape:
    x = inputs[0]
    axis = what.params.get("axis")
    if axis is None:
        if any(d is None for d in x[1:]):
            # a size keraslint does not know may be 1: the output rank is unknown
            raise UnsupportedLayer("Opaque", f"{what.label}: which axes have size 1 is not known")
        return tuple(d for i, d in enumerate(x) if d != 1 or (i == 0 and d is None))
    axes = _axes(axis, len(x), what)
    for a in axes:
        if x[a] is None:
            # Keras refuses a symbolic size it does not know, but keraslint's None may be a size
            # it merely could not determine: unknown, never a finding
            raise UnsupportedLayer("Opaque", f"{what.label}: the size of axis {a} is not known")
        if x[a] != 1:
            raise what.fail(f"cannot squeeze axis {a} of {fmt(x)}: its size is {x[a]}, not 1",
                            axis=a, expected=1, actual=x[a])
    return tuple(d for i, d in enumerate(x) if i not in axes)


@op("transpose")
def _transpose(what: TensorOp, inputs: list[Shape]) -> Shape:
    x = inputs[0]
    axes = what.params.get("axes")
    if axes is None:
        return tuple(reversed(x))
    axes = list(axes)
    if len(axes) != len(x):
        raise what.fail(f"axes {fmt(axes)} do not fit a tensor of rank {len(x)}", expected=len(x), actual=len(axes))
    normalized = [_axis(a, len(x), what) for a in axes]
    if len(set(normalized)) != len(x):
        raise what.fail(f"axes {fmt(axes)} are not a permutation of the axes of {fmt(x)}")
    return tuple(x[a] for a in normalized)


@op("matmul")
def _matmul(what: TensorOp, inputs: list[Shape]) -> Shape:
    a, b = (inputs[1], inputs[0]) if what.params.get("reverse") else (inputs[0], inputs[1])
    if not a or not b:
        raise what.fail("matmul of a scalar")
    one_a, one_b = len(a) == 1, len(b) == 1
    if one_a:
        a = (1, a[0])
    if one_b:
        b = (b[0], 1)
    if a[-1] is not None and b[-2] is not None and a[-1] != b[-2]:
        raise ShapeError("incompatible", f"{what.label}: inner sizes differ: {fmt(inputs[0])} @ {fmt(inputs[1])} "
                         f"({a[-1]} vs {b[-2]})", axis=len(a) - 1, expected=a[-1], actual=b[-2])
    out = [*broadcast_shapes(a[:-2], b[:-2], what), a[-2], b[-1]]
    if one_a:
        del out[-2]
    if one_b:
        del out[-1]
    return tuple(out)


@op("tensordot")
def _tensordot(what: TensorOp, inputs: list[Shape]) -> Shape:
    """``ops.tensordot(a, b, axes)``: an int N contracts the last N axes of ``a`` with the first N of
    ``b``; a pair of axis lists contracts those axes pairwise. The rest of ``a``, then of ``b``."""
    a, b = inputs[0], inputs[1]
    axes = what.params["axes"]
    if isinstance(axes, int) and not isinstance(axes, bool):
        if not 0 <= axes <= min(len(a), len(b)):
            raise what.fail(f"axes={axes} for operands of rank {len(a)} and {len(b)}")
        on_a, on_b = list(range(len(a) - axes, len(a))), list(range(axes))
    elif isinstance(axes, (tuple, list)) and len(axes) == 2:
        on_a, on_b = _axes(axes[0], len(a), what), _axes(axes[1], len(b), what)
        if len(on_a) != len(on_b):
            raise what.fail(f"contracts {len(on_a)} axes of one operand with {len(on_b)} of the other")
    else:
        raise UnsupportedLayer("Opaque", f"{what.label}: axes {axes!r} are not modelled by keraslint")
    for i, j in zip(on_a, on_b):
        if a[i] is not None and b[j] is not None and a[i] != b[j]:
            raise ShapeError("incompatible", f"{what.label}: contracted sizes differ: {fmt(a)} and {fmt(b)} "
                             f"({a[i]} vs {b[j]})", axis=i, expected=a[i], actual=b[j])
    return (*(d for k, d in enumerate(a) if k not in on_a), *(d for k, d in enumerate(b) if k not in on_b))


@op("reduce")
def _reduce(what: TensorOp, inputs: list[Shape]) -> Shape:
    x = list(inputs[0])
    axis, keepdims = what.params.get("axis"), what.params.get("keepdims", False)
    if not isinstance(keepdims, bool):
        raise UnsupportedLayer("Opaque", f"{what.label}: `keepdims` is not known to keraslint")
    if axis is None:
        return tuple(1 for _ in x) if keepdims else ()
    axes = _axes(axis, len(x), what)
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(x))
    return tuple(d for i, d in enumerate(x) if i not in axes)


#: an index item that adds an axis (``None``/``np.newaxis``)
NEWAXIS = None


@op("getitem")
def _getitem(what: TensorOp, inputs: list[Shape]) -> Shape:
    """Keras' ``GetItem.compute_output_spec``: ints, slices, ``...`` and ``None``."""
    x = inputs[0]
    key = list(what.params["key"])
    if key.count(Ellipsis) > 1:
        raise what.fail("an index may hold only one `...`")
    if Ellipsis not in key:
        key.append(Ellipsis)
    remaining, out = list(x), []
    while key:
        item = key.pop(0)
        if item is Ellipsis:
            needed = len(key) - sum(1 for k in key if k is NEWAXIS)
            consumed = len(remaining) - needed
            if consumed < 0:
                raise what.fail(f"too many indices for a tensor of shape {fmt(x)}")
            out += remaining[:consumed]
            remaining = remaining[consumed:]
            continue
        if item is NEWAXIS:
            out.append(1)
            continue
        if not remaining:
            raise what.fail(f"too many indices for a tensor of shape {fmt(x)}")
        length = remaining.pop(0)
        if isinstance(item, int) and not isinstance(item, bool):
            if length is not None and not -length <= item < length:
                raise what.fail(f"index {item} is out of range for an axis of size {length} in {fmt(x)}",
                                expected=length, actual=item)
        elif isinstance(item, slice):
            out.append(len(range(*item.indices(length))) if length is not None else None)
        else:
            raise UnsupportedLayer("Opaque", f"{what.label}: an index keraslint does not model")
    return tuple(out)


@op("constant")
def _constant(what: TensorOp, shapes: list[Shape]) -> Shape:
    """A concrete array in the graph (``ops.arange(0, 80)`` embedded by a sub-layer): its own shape."""
    return tuple(what.params["shape"])


@op("einsum")
def _einsum(what: TensorOp, inputs: list[Shape]) -> Shape:
    """``einsum("bijc,bijd->bcd", x, x)`` with explicit output labels and no ``...``: each output
    axis is the size its label has in the operands (a size-1 axis broadcasts, as NumPy's does)."""
    equation = str(what.params["equation"]).replace(" ", "")
    if "->" not in equation or "." in equation:
        raise UnsupportedLayer("Opaque", f"{what.label}: an implicit output or `...` is not modelled by keraslint")
    operands, output = equation.split("->")
    specs = operands.split(",")
    if len(specs) != len(inputs) or not all(spec.isalpha() for spec in (*specs, output) if spec):
        raise UnsupportedLayer("Opaque", f"{what.label}: cannot model this equation")
    sizes: dict[str, Dim] = {}
    for spec, shape in zip(specs, inputs):
        if len(spec) != len(shape):
            raise what.fail(f"{spec!r} names {len(spec)} axes of a rank-{len(shape)} operand {fmt(shape)}")
        for label, size in zip(spec, shape):
            if label not in sizes or sizes[label] == 1:
                sizes[label] = size if label not in sizes or size is not None else None
                continue
            known = sizes[label]
            if size == known or size == 1 or size is None:
                continue
            if known is not None:
                raise UnsupportedLayer("Opaque", f"{what.label}: axis {label!r} has sizes {known} and {size}")
            sizes[label] = size
    if any(label not in sizes for label in output):
        raise UnsupportedLayer("Opaque", f"{what.label}: an output axis no operand has")
    return tuple(sizes[label] for label in output)
