"""Array operations NumPy or TensorFlow certainly refuse (for KL209): a reshape to a size the
array does not have, a join of arrays whose other axes differ, a matrix product whose inner
sizes differ.

The array model already gives such an operation an unknown result (array_shapes raises
_Invalid, matmul_shape returns None); this module only records *why* it is impossible, and
only when every size the verdict rests on is known. An unknown size is never a mismatch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import libcst as cst

from keraslint.source.array_shapes import (
    _at_least,
    _Invalid,
    _is_int,
    _reshape_arg,
    size_of,
)
from keraslint.source.array_values import ARRAY, TENSOR, as_array
from keraslint.source.trackers import StatelessTracker
from keraslint.source.values import Array, ListValue

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter


@dataclass(frozen=True)
class ArrayProblem:
    """One impossible operation. ``template`` is the message with ``{call}`` for the source of
    ``node`` and ``{0}``, ``{1}`` ... for the source of ``operands`` (filled in by the rule,
    which has the module's text)."""

    node: cst.CSTNode = field(repr=False)
    template: str
    operands: tuple[cst.CSTNode | None, ...] = field(default=(), repr=False)


def _shape_text(shape: tuple) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _numpy_shape_text(shape: tuple) -> str:
    """A shape as NumPy's reshape error prints it: ``(60000,28,28,1)``, ``(784,)``."""
    return "(" + ",".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _known(shape: tuple | None) -> bool:
    return shape is not None and all(d is not None for d in shape)


# -- reshape ------------------------------------------------------------------------------------

def reshape_problem(shape: tuple | None, new: tuple | None, tf: bool) -> str | None:
    """Why ``reshape(shape -> new)`` cannot work (message tail, with ``{0}`` for the array), or
    None when it can or when a size it depends on is unknown."""
    if not _known(shape) or new is None or None in new:
        return None
    assert shape is not None
    total = size_of(shape)
    assert total is not None
    holds = f"{{0}} {_shape_text(shape)} holds {total:,}"
    if sum(1 for d in new if d == -1) > 1:
        return ("has more than one -1: NumPy raises ValueError: can only specify one unknown dimension"
                if not tf else "has more than one -1: TensorFlow raises InvalidArgumentError")
    if any(d < -1 for d in new):
        return None  # NumPy's other complaint (negative sizes); rare, and not a size mismatch
    if -1 in new:
        rest = math.prod(d for d in new if d != -1)
        if rest and total % rest == 0:
            return None
        if tf:
            return (f"cannot fill its -1: {holds} elements, not a multiple of {rest:,}: TensorFlow raises "
                    f"InvalidArgumentError: Input to reshape is a tensor with {total} values, but the requested "
                    f"shape requires a multiple of {rest}") if rest else None
        return f"cannot fill its -1: {holds} elements, not a multiple of {rest:,}: NumPy raises ValueError"
    wanted = math.prod(new)
    if wanted == total:
        return None
    asks = f"asks for {wanted:,} elements but {holds}"
    if tf:
        return (f"{asks}: TensorFlow raises InvalidArgumentError: Input to reshape is a tensor with {total} values, "
                f"but the requested shape has {wanted}")
    return f"{asks}: NumPy raises ValueError: cannot reshape array of size {total} into shape {_numpy_shape_text(new)}"


# -- joins --------------------------------------------------------------------------------------

def _join_problem(shapes: list[tuple | None], axis: Any, what: str, tf: bool) -> str | None:
    """Concatenation along ``axis`` (None: any axis, the ranks alone are judged)."""
    known = [(i, s) for i, s in enumerate(shapes) if s is not None]
    if len(known) < 2:
        return None
    raises = "TensorFlow raises InvalidArgumentError" if tf else "NumPy raises ValueError"
    (i0, s0) = known[0]
    for i, s in known[1:]:
        if len(s) != len(s0):
            return (f"{what} {{{i0}}} {_shape_text(s0)} ({len(s0)}-D) with {{{i}}} {_shape_text(s)} ({len(s)}-D): "
                    f"the ranks must match: {raises}")
    rank = len(s0)
    if not _is_int(axis) or not -rank <= axis < rank:
        return None
    ax = axis % rank
    for position in range(rank):
        if position == ax:
            continue
        column = [(i, s[position]) for i, s in known if s[position] is not None]
        for i, d in column[1:]:
            if d != column[0][1]:
                first, size = column[0]
                return (f"{what} {{{first}}} {_shape_text(shapes[first])} and {{{i}}} {_shape_text(shapes[i])} "
                        f"along axis {ax}, but their axis-{position} sizes differ ({size} vs {d}): {raises}")
    return None


def _stack_problem(shapes: list[tuple | None], what: str, tf: bool) -> str | None:
    known = [(i, s) for i, s in enumerate(shapes) if s is not None]
    raises = "TensorFlow raises InvalidArgumentError" if tf else "NumPy raises ValueError"
    for i, s in known[1:]:
        first, s0 = known[0]
        differs = len(s) != len(s0) or any(a is not None and b is not None and a != b for a, b in zip(s0, s))
        if differs:
            return (f"{what} {{{first}}} {_shape_text(s0)} and {{{i}}} {_shape_text(s)}, but stacked arrays must "
                    f"have the same shape: {raises}")
    return None


def _hstack_axis(shapes: list[tuple | None]) -> tuple[list[tuple | None], Any]:
    shapes = [((1,) if s == () else s) for s in shapes]
    first = next((s for s in shapes if s is not None), None)
    return shapes, (None if first is None else 0 if len(first) == 1 else 1)


_JOINS: dict[str, Callable[[list[tuple | None], Any], tuple[list[tuple | None], Any]]] = {
    "numpy.concatenate": lambda shapes, axis: (shapes, axis),
    "numpy.concat": lambda shapes, axis: (shapes, axis),
    "tensorflow.concat": lambda shapes, axis: (shapes, axis),
    "numpy.hstack": lambda shapes, axis: _hstack_axis(shapes),
    "numpy.vstack": lambda shapes, axis: ([_at_least(s, 2) for s in shapes], 0),
    "numpy.row_stack": lambda shapes, axis: ([_at_least(s, 2) for s in shapes], 0),
    "numpy.dstack": lambda shapes, axis: ([_at_least(s, 3) for s in shapes], 2),
}
_STACKS = frozenset({"numpy.stack", "tensorflow.stack"})


# -- matrix products ----------------------------------------------------------------------------

def matmul_problem(left: tuple | None, right: tuple | None, spelling: str, tf: bool) -> str | None:
    """Why ``left @ right`` (np.matmul/np.dot/tf.matmul) cannot work: the inner sizes differ."""
    if not left or not right:
        return None
    if tf and (len(left) < 2 or len(right) < 2):
        return None
    inner_left = left[-1]
    inner_right = right[-2] if len(right) >= 2 else right[0]
    if inner_left is None or inner_right is None or inner_left == inner_right:
        return None
    raises = "TensorFlow raises InvalidArgumentError: Matrix size-incompatible" if tf else "NumPy raises ValueError"
    return (f"multiplies {{0}} {_shape_text(left)} by {{1}} {_shape_text(right)}: {spelling} needs the last size of "
            f"the first ({inner_left}) to equal the {'first' if len(right) == 1 else 'second-to-last'} size of the "
            f"second ({inner_right}): {raises}")


_MATMULS = frozenset({"numpy.dot", "numpy.matmul", "tensorflow.matmul", "tensorflow.linalg.matmul"})


# -- collecting ---------------------------------------------------------------------------------

def _argument_node(call: cst.Call, position: int, keyword: str | None) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and keyword is not None and arg.keyword.value == keyword:
            return arg.value
    plain = [arg for arg in call.args if arg.keyword is None and not arg.star]
    return plain[position].value if position < len(plain) else None


class ArrayProblemTracker(StatelessTracker):
    """Interpreter tracker collecting ArrayProblems at reachable calls of the checked file (and
    at ``@``, which reaches it through ``note_matmul``)."""

    def __init__(self) -> None:
        self.problems: list[ArrayProblem] = []
        self._seen: set[int] = set()

    def add(self, node: cst.CSTNode, template: str, operands: tuple[cst.CSTNode | None, ...]) -> None:
        if id(node) in self._seen:
            return  # a loop or a function called twice: one finding per expression
        self._seen.add(id(node))
        self.problems.append(ArrayProblem(node, template, operands))

    def quiet(self, site: CallSite) -> bool:
        """Whether ``on_call(site)`` would record nothing (summaries.py)."""
        return not site.reachable

    def on_call(self, site: CallSite) -> None:
        call = site.node
        if not site.reachable or site.star_args or not isinstance(call, cst.Call):
            return
        try:
            self._check(site, call)
        except (_Invalid, ArithmeticError, ValueError, TypeError, IndexError, RecursionError):
            return  # arguments the array model cannot read (reshape(2.0, 5), axis=1.5): no verdict

    def _check(self, site: CallSite, call: cst.Call) -> None:
        name = site.name
        tf = name.startswith("tensorflow.")
        receiver = site.receiver
        if isinstance(receiver, Array):
            if receiver.type == ARRAY and name.endswith(".reshape") and isinstance(call.func, cst.Attribute):
                why = reshape_problem(receiver.shape, _reshape_arg(site, 0, "shape"), tf=False)
                if why is not None:
                    self.add(call, "`{call}` " + why, (call.func.value,))
            return
        if name in ("numpy.reshape", "tensorflow.reshape"):
            keyword = "tensor" if tf else "a"
            base = as_array(site.arg(0, keyword), tf=tf)
            if base is not None:
                why = reshape_problem(base.shape, _reshape_arg(site, 1, "shape"), tf=tf)
                if why is not None:
                    self.add(call, "`{call}` " + why, (_argument_node(call, 0, keyword),))
        elif name in _JOINS or name in _STACKS:
            self._join(site, call, tf)
        elif name in _MATMULS:
            if set(site.kwargs) - {"a", "b", "name"}:
                return  # transpose_a=, adjoint_b= ... change which sizes meet
            left, right = as_array(site.arg(0, "a"), tf=tf), as_array(site.arg(1, "b"), tf=tf)
            if left is None or right is None or left.shape is None or right.shape is None:
                return
            if name == "numpy.dot" and (len(left.shape) > 2 or len(right.shape) > 2):
                return  # np.dot on stacks pairs axes its own way
            why = matmul_problem(left.shape, right.shape, name.replace("numpy.", "np.").replace("tensorflow.", "tf."),
                                 tf)
            if why is not None:
                self.add(call, "`{call}` " + why, (_argument_node(call, 0, "a"), _argument_node(call, 1, "b")))

    def _join(self, site: CallSite, call: cst.Call, tf: bool) -> None:
        keyword = "values" if tf else "tup" if site.name in _JOINS and site.name not in (
            "numpy.concatenate", "numpy.concat") else "arrays"
        value = site.arg(0, keyword, default=None)
        items = list(value.items) if isinstance(value, ListValue) else list(value) if isinstance(value, tuple) else None
        if not items:
            return
        arrays = [as_array(item, tf=tf) for item in items]
        if any(a is None for a in arrays):
            return
        shapes = [a.shape for a in arrays]  # type: ignore[union-attr]
        what = "stacks" if site.name in _STACKS else "joins"
        if site.name in _STACKS:
            why = _stack_problem(shapes, what, tf)
        else:
            default = None if tf else 0
            shapes, axis = _JOINS[site.name](shapes, site.arg(1, "axis", default=default))
            why = _join_problem(shapes, axis, what, tf) if axis is not None else None
        if why is None:
            return
        literal = _argument_node(call, 0, keyword)
        elements = literal.elements if isinstance(literal, (cst.List, cst.Tuple)) else None
        operands = tuple(e.value for e in elements) if elements and len(elements) == len(items) and not any(
            isinstance(e, cst.StarredElement) for e in elements) else tuple(None for _ in items)
        self.add(call, "`{call}` " + why, operands)


def note_matmul(interp: Interpreter, left: Any, right: Any, node: Any) -> None:
    """``left @ right`` on arrays: record it when the inner sizes certainly differ."""
    if not interp.reachable or not isinstance(node, cst.BinaryOperation) or not interp.in_checked_file():
        return
    if not isinstance(left, Array) or not isinstance(right, Array):
        return
    tracker = next((t for t in interp.trackers if isinstance(t, ArrayProblemTracker)), None)
    if tracker is None:
        return
    tf = TENSOR in (left.type, right.type)
    try:
        why = matmul_problem(left.shape, right.shape, "`@`", tf)
    except (ArithmeticError, ValueError, TypeError, IndexError):
        return
    if why is not None:
        tracker.add(node, "`{call}` " + why, (node.left, node.right))
