"""Initial weights whose known shape cannot fit the layer (for KL308).

Keras 3 kept the ``weights=`` argument on ``Embedding`` only: it builds the layer at once and
calls ``set_weights``, which raises ValueError when the matrix is not ``(input_dim,
output_dim)``. Every other Keras 3 layer rejects ``weights=`` itself ("Unrecognized keyword
arguments"), whatever the shapes: that is legacy API, not a shape mismatch, so it is not
recorded here. ``embedding.set_weights([matrix])`` with such a matrix raises too (before the
layer is built it raises for any non-empty list, after it for the shape). Only fully known
matrix shapes and sizes are judged.

The other ``set_weights``/``load_weights`` calls are recorded here as they happen
(``WeightAssignment``, ``WeightLoad``): what a layer or model expects depends on the shapes the
graph pass computes, so keraslint.graph.weights judges them after the whole file ran.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import libcst as cst

from keraslint.source import models, npy
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


@dataclass(frozen=True)
class WeightAssignment:
    """``target.set_weights(value)`` on a layer or a model the script built."""

    node: cst.Call = field(repr=False)
    #: the layer or model object (``Obj``) whose weights are set
    target: Obj = field(repr=False)
    #: the shape of each array given (None: an array of unknown shape, or not an array); None
    #: when the list itself is unknown or comes from ``source``
    given: tuple[tuple[int | None, ...] | None, ...] | None
    #: for ``set_weights(other.get_weights())``: the model whose weights are given
    source: Obj | None = field(default=None, repr=False)
    #: what each model's layer list was when the call ran (a Sequential may grow later)
    layers_then: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class WeightLoad:
    """``model.load_weights(path)`` with a literal path."""

    node: cst.Call = field(repr=False)
    model: Obj = field(repr=False)
    path: str
    #: the file, resolved next to the script (None when there is no script folder)
    file: Any = None
    #: True when ``skip_mismatch=True`` or ``by_name=True`` (or either is unknown): no verdict
    lenient: bool = False
    layers_then: tuple[tuple[int, int], ...] = ()


def sequence_snapshot(model: Obj) -> tuple[int, int]:
    """(id of the model, how many entries its Sequential layer list had) at this point."""
    return id(model), len(model.data.get("sequence", ()))


class WeightProblemTracker(StatelessTracker):
    """Interpreter tracker collecting WeightProblems at reachable layer constructions, and the
    set_weights/load_weights calls on layers and models (judged later, with shapes)."""

    def __init__(self, script_dir: Any = None) -> None:
        self.problems: list[WeightProblem] = []
        self.assignments: list[WeightAssignment] = []
        self.loads: list[WeightLoad] = []
        self._seen: set[int] = set()
        self._script_dir = script_dir
        #: id of each ``model.get_weights()`` call seen -> that model
        self._getters: dict[int, Obj] = {}

    def quiet(self, site: CallSite) -> bool:
        """Whether ``on_call(site)`` would record nothing (summaries.py)."""
        return not site.reachable

    def on_call(self, site: CallSite) -> None:
        try:
            self._check(site)
        except (ArithmeticError, ValueError, TypeError, IndexError, AttributeError):
            return  # a value of a kind this module does not expect: no verdict

    def _check(self, site: CallSite) -> None:
        call = site.node
        if not site.reachable or site.star_args or not isinstance(call, cst.Call) or id(call) in self._seen:
            return
        receiver = site.receiver
        if isinstance(receiver, Obj) and receiver.type == models.MODEL and site.name.endswith(".get_weights"):
            if not site.args and not site.kwargs:
                self._getters[id(call)] = receiver
            return
        if isinstance(receiver, Obj) and site.name.endswith(".load_weights"):
            self._load(site, receiver)
            return
        if isinstance(receiver, Obj) and site.name.endswith(".set_weights"):
            if len(site.args) + len(site.kwargs) != 1:
                return  # set_weights takes one argument: Keras raises TypeError, not about shapes
            if not _is_embedding(receiver):
                self._assignment(site, receiver)
                return
            layer, via, keyword, position = receiver, "set_weights", "weights", 0
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


    def _assignment(self, site: CallSite, target: Obj) -> None:
        if target.type not in (models.MODEL, models.LAYER) or site.in_loop:
            return
        call = site.node
        assert isinstance(call, cst.Call)
        value = site.arg(0, "weights", default=None)
        argument = call.args[0].value if call.args else None
        source = self._getters.get(id(argument)) if isinstance(argument, cst.Call) else None
        snapshot = tuple(sequence_snapshot(m) for m in (target, source) if m is not None and m.type == models.MODEL)
        if source is not None:
            self.assignments.append(WeightAssignment(call, target, None, source, snapshot))
            return
        items = _items(value)
        if items is None:
            return
        given = tuple(_array_shape(item) for item in items)
        self.assignments.append(WeightAssignment(call, target, given, None, snapshot))

    def _load(self, site: CallSite, model: Obj) -> None:
        if model.type != models.MODEL or site.in_loop:
            return
        path = site.arg(0, "filepath", default=None)
        if not isinstance(path, str) or not path.endswith(".h5"):
            return
        lenient = any(site.arg(None, key, default=False) is not False for key in ("skip_mismatch", "by_name"))
        file = npy.resolve(self._script_dir, path)
        call = site.node
        assert isinstance(call, cst.Call)
        self.loads.append(WeightLoad(call, model, path, file, lenient, (sequence_snapshot(model),)))


def _items(value: object) -> list[Any] | None:
    """The items of a list or tuple the script passes (None when not known item by item)."""
    if isinstance(value, ListValue):
        return list(value.items)
    if isinstance(value, tuple):
        return list(value)
    return None


def _array_shape(value: object) -> tuple[int | None, ...] | None:
    if isinstance(value, Array) and value.shape is not None:
        return tuple(d if _is_int(d) else None for d in value.shape)
    return None


def _is_embedding(value: object) -> bool:
    return isinstance(value, Obj) and "layer" in value.data and getattr(value.data["layer"], "kind", None) == "Embedding"
