"""Initial weights whose known shape cannot fit the layer (for KL308).

Keras 3 kept the ``weights=`` argument on ``Embedding`` only: it builds the layer at once and
calls ``set_weights``, which raises ValueError when the matrix is not ``(input_dim,
output_dim)``. Every other Keras 3 layer rejects ``weights=`` itself ("Unrecognized keyword
arguments"), whatever the shapes: that is legacy API, not a shape mismatch, so it is not
recorded here. ``embedding.set_weights([matrix])`` with such a matrix raises too (before the
layer is built it raises for any non-empty list, after it for the shape). Only fully known
matrix shapes and sizes are judged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from keraslint.source.array_shapes import _is_int
from keraslint.source.trackers import StatelessTracker
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
    #: "weights" (the constructor's ``weights=``) or "set_weights" (a later call)
    via: str = "weights"


def _weights_node(call: cst.Call, keyword: str, position: int | None) -> cst.BaseExpression | None:
    plain = [arg for arg in call.args if arg.keyword is None]
    found = next((arg.value for arg in call.args if arg.keyword is not None and arg.keyword.value == keyword), None)
    if found is None and position is not None and position < len(plain):
        found = plain[position].value
    if isinstance(found, (cst.List, cst.Tuple)) and len(found.elements) == 1:
        return found.elements[0].value
    return found


def _matrix(value: object, via: str) -> Array | None:
    """The array Keras 3 sets: the only item of a one-item list, or (``weights=`` only) the array
    itself. ``weights=`` does not unwrap a tuple (Keras fails on ``.shape`` of the tuple): not a
    shape verdict; ``set_weights`` takes any sequence."""
    if isinstance(value, ListValue) or via == "set_weights" and isinstance(value, tuple):
        items = list(value.items) if isinstance(value, ListValue) else list(value)  # type: ignore[arg-type]
        value = items[0] if len(items) == 1 else None
    elif via == "set_weights":
        return None
    return value if isinstance(value, Array) else None


class WeightProblemTracker(StatelessTracker):
    """Interpreter tracker collecting WeightProblems at reachable layer constructions."""

    def __init__(self) -> None:
        self.problems: list[WeightProblem] = []
        self._seen: set[int] = set()

    def on_call(self, site: CallSite) -> None:
        try:
            self._check(site)
        except (ArithmeticError, ValueError, TypeError, IndexError, AttributeError):
            return  # a value of a kind this module does not expect: no verdict

    def _check(self, site: CallSite) -> None:
        call = site.node
        if not site.reachable or site.star_args or not isinstance(call, cst.Call) or id(call) in self._seen:
            return
        if isinstance(site.receiver, Obj) and site.name.endswith(".set_weights") and _is_embedding(site.receiver):
            if len(site.args) + len(site.kwargs) != 1:
                return  # set_weights takes one argument: Keras raises TypeError, not about shapes
            layer, via, keyword, position = site.receiver, "set_weights", "weights", 0
        elif _is_embedding(site.result):
            layer, via, keyword, position = site.result, "weights", "weights", _EMBEDDING_WEIGHTS_POSITION
        else:
            return
        matrix = _matrix(site.arg(position, keyword, default=None), via)
        if matrix is None or matrix.shape is None or None in matrix.shape:
            return
        config = layer.data["layer"].config
        rows, columns = config.get("input_dim"), config.get("output_dim")
        if not _is_int(rows) or not _is_int(columns):
            return
        if tuple(matrix.shape) == (rows, columns):
            return
        self._seen.add(id(call))
        self.problems.append(WeightProblem(call, _weights_node(call, keyword, position), tuple(matrix.shape),
                                           (rows, columns), via))


def _is_embedding(value: object) -> bool:
    return isinstance(value, Obj) and "layer" in value.data and getattr(value.data["layer"], "kind", None) == "Embedding"
