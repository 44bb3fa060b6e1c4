"""A ``for`` loop too long to unroll (more than MAX_UNROLL iterations) whose trip count is known
and whose body grows lists by a fixed number of data items per iteration::

    for _ in range(1000):
        index = np.random.choice(x.shape[0], 3, replace=False)
        bags.append(x[index])

Unrolled, it would cost 1000 runs of the body; run once, as such loops used to be, the list is
forgotten (it is mutated in code that may or may not run), so ``np.array(bags)`` lost its shape.
Here the body runs twice: from the state before the loop, and from that state merged with the
one after the first run (so that what the loop carries from one iteration to the next is already
merged, unknown where it changes). When both runs append the same values (same shape and dtype
for arrays, equal constants) to each list, every iteration appends them, and the list gets them
``trip count`` times. Only data (NumPy/TensorFlow arrays of fully known shape, constants) is
repeated: Keras tensors and layers are distinct objects per iteration, which one repeated value
cannot stand for.
Anything else (a ``break``, an append under an ``if``, the list read in the body, runs that
disagree) keeps the old behaviour: the list is unknown.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from keraslint.source.array_values import ARRAY, TENSOR
from keraslint.source.containers import MAX_ITEMS
from keraslint.source.tree import child_nodes
from keraslint.source.values import Array, ListValue, same_value

#: statements that make the number of runs of the rest of the body differ from the trip count
_EXITS = (cst.Break, cst.Continue, cst.Return, cst.Raise, cst.Yield, cst.Await)
_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def appended_lists(body: cst.BaseSuite, variables: dict[str, Any]) -> dict[str, tuple[ListValue, int]] | None:
    """The lists (by name, with how many appends each iteration makes) the body grows, when the
    only use of each in the body is ``name.append(value)`` as a statement of the body itself;
    None when there is none or the body may leave an iteration early."""
    if not isinstance(body, cst.IndentedBlock):
        return None
    appends: dict[str, int] = {}
    for statement in body.body:
        if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
            name = _append_target(statement.body[0])
            if name is not None and isinstance(variables.get(name), ListValue):
                appends[name] = appends.get(name, 0) + 1
    if not appends:
        return None
    uses: dict[str, int] = {}
    stack: list[cst.CSTNode] = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, _EXITS):
            return None
        if isinstance(node, _SCOPES):
            continue  # a nested definition's names and returns are its own
        if isinstance(node, cst.Name) and node.value in appends:
            uses[node.value] = uses.get(node.value, 0) + 1
        stack.extend(child_nodes(node))
    if any(uses.get(name) != count for name, count in appends.items()):
        return None  # the list is read or changed some other way in the body
    return {name: (variables[name], count) for name, count in appends.items()}


def _append_target(small: cst.BaseSmallStatement) -> str | None:
    if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call):
        return None
    call = small.value
    func = call.func
    if not (isinstance(func, cst.Attribute) and func.attr.value == "append" and isinstance(func.value, cst.Name)):
        return None
    if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
        return None
    return func.value.value


def _repeatable(value: Any) -> bool:
    """Data one value may stand for in every iteration (never a mutable or Keras object)."""
    if isinstance(value, Array):
        # every axis known: an unknown one may differ from one iteration to the next
        return value.type in (ARRAY, TENSOR) and value.shape is not None and all(type(d) is int for d in value.shape)
    if isinstance(value, tuple):
        return all(_repeatable(v) for v in value)
    return isinstance(value, (int, float, str, bool)) or value is None


def repeated(first: list[Any], second: list[Any], per_iteration: int, trips: int, already: int) -> list[Any] | None:
    """What ``trips`` iterations append, from the items two runs of the body appended; None
    when the runs disagree, or the items are not plain data, or the list would grow too long."""
    if len(first) != per_iteration or len(second) != per_iteration:
        return None
    if not all(same_value(a, b) and _repeatable(b) for a, b in zip(first, second)):
        return None
    if already + per_iteration * trips > MAX_ITEMS:
        return None
    return list(second) * trips
