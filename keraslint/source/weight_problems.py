"""Initial weights whose known shape cannot fit the layer (for KL308).

Keras 3 kept the ``weights=`` argument on ``Embedding`` only: it builds the layer at once and
calls ``set_weights``, which raises ValueError when the matrix is not ``(input_dim,
output_dim)``. Every other Keras 3 layer rejects ``weights=`` itself ("Unrecognized keyword
arguments"), whatever the shapes: that is legacy API, not a shape mismatch, so it is not
recorded here. Only fully known matrix shapes and sizes are judged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from keraslint.source.array_shapes import _is_int
from keraslint.source.values import Array, ListValue, Obj

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite

#: Embedding's ``weights`` parameter, by position (input_dim, output_dim, embeddings_initializer,
#: embeddings_regularizer, embeddings_constraint, mask_zero, weights)
_EMBEDDING_WEIGHTS_POSITION = 6


@dataclass(frozen=True)
class WeightProblem:
    """An ``Embedding(..., weights=[matrix])`` whose matrix is not ``expected``."""

    node: cst.CSTNode = field(repr=False)
    #: the matrix expression, for the message
    matrix: cst.CSTNode | None = field(repr=False)
    given: tuple[int, ...]
    expected: tuple[int, int]


def _weights_node(call: cst.Call) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "weights":
            value = arg.value
            if isinstance(value, cst.List) and len(value.elements) == 1:
                return value.elements[0].value
            return value
    return None


def _matrix(value: object) -> Array | None:
    """The array Keras 3 sets: the only item of a one-item list, or the array itself. A tuple is
    not unwrapped by Keras (it fails on ``.shape`` of the tuple): not a shape verdict."""
    if isinstance(value, ListValue):
        items = list(value.items)
        value = items[0] if len(items) == 1 else None
    return value if isinstance(value, Array) else None


class WeightProblemTracker:
    """Interpreter tracker collecting WeightProblems at reachable layer constructions."""

    def __init__(self) -> None:
        self.problems: list[WeightProblem] = []
        self._seen: set[int] = set()

    def snapshot(self) -> None:
        return None

    def restore(self, snap: None) -> None:
        return None

    def join(self, a: None, b: None) -> None:
        return None

    def on_call(self, site: CallSite) -> None:
        call, result = site.node, site.result
        if not site.reachable or site.star_args or not isinstance(call, cst.Call) or id(call) in self._seen:
            return
        if not isinstance(result, Obj) or "layer" not in result.data or result.data["layer"].kind != "Embedding":
            return
        matrix = _matrix(site.arg(_EMBEDDING_WEIGHTS_POSITION, "weights", default=None))
        if matrix is None or matrix.shape is None or None in matrix.shape:
            return
        config = result.data["layer"].config
        rows, columns = config.get("input_dim"), config.get("output_dim")
        if not _is_int(rows) or not _is_int(columns):
            return
        if tuple(matrix.shape) == (rows, columns):
            return
        self._seen.add(id(call))
        self.problems.append(WeightProblem(call, _weights_node(call), tuple(matrix.shape), (rows, columns)))
