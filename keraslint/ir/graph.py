"""The model IR: layers with their Keras 3 configuration, wired into a graph.

A ``Layer`` is one layer object (one set of weights); a ``Node`` is one application of it
(or a model input). Shared layers are one Layer with several Nodes. Models come from source
(Sequential, functional, builder functions) or from saved model files; both give the same IR.
Shapes here include the batch axis; a dimension of None is not a concrete size. Whether it is
dynamic by the model's own declaration (the batch axis, ``Input((None, 8))``) or merely unknown
to keraslint is tracked beside the shape (``Node.unknown_axes``, the graph pass's results), so
that every rule keeps reading None as "no claim" while the coverage report can tell them apart.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Literal

import libcst as cst

Shape = tuple[int | None, ...]
_ids = itertools.count(1)


@dataclass(eq=False)
class Layer:
    kind: str
    """Canonical Keras 3 class name; ``Opaque`` for something keraslint cannot model."""
    config: dict[str, Any]
    """Keras 3 constructor keywords (positional arguments already named); values may be UNKNOWN."""
    name: str | None = None
    node: cst.CSTNode | None = field(default=None, repr=False)
    """The constructor call in the script (None for saved models)."""
    spelled: str = ""
    """The class name as written (``Convolution2D``), for messages about legacy API."""
    declared_input: Shape | None = None
    """``input_shape``/``batch_input_shape``/``input_dim`` given to the layer (full shape)."""
    declared_unknown: frozenset[int] = frozenset()
    """Axes of ``declared_input`` keraslint could not determine (not a None the script wrote)."""
    submodel: ModelGraph | None = None
    """For a model used as a layer."""
    renamed: tuple[tuple[str, str], ...] = ()
    """Keras 1/2 keyword spellings that were normalised: (old, new)."""
    pretrained: bool | None = False
    """Weights loaded rather than initialised (``weights="imagenet"``, ``from_preset``); None: unknown."""
    unknown_reason: str | None = None
    """Why keraslint cannot compute this layer's output shape (``shape depends on adapt()``), for the
    coverage report; None when it can, or when nothing more specific than its kind is known."""
    id: int = field(default_factory=lambda: next(_ids))
    applied: list[Node] = field(default_factory=list, repr=False)
    """Every application of this layer the source pass made, so that ``layer.output`` is the
    tensor it gave. Held by the layer itself: a side table keyed on layers would keep every
    layer of every checked file alive through its nodes (which point back at the layer)."""

    @property
    def label(self) -> str:
        # a keras.applications network is named as the script spells it (ResNet50), not "Application"
        kind = self.spelled if self.kind == "Application" and self.spelled else self.kind
        return kind + (f" '{self.name}'" if self.name else "")


@dataclass(eq=False)
class Node:
    """One application of a layer to tensors, or (``layer is None``) a model input."""

    layer: Layer | None
    inputs: list[Tensor]
    input_shape: Shape | None = None
    """For model inputs: the declared full shape, or None when unknown."""
    input_name: str | None = None
    unknown_axes: frozenset[int] = frozenset()
    """For model inputs: axes of ``input_shape`` that are None because keraslint could not determine
    them (``Input((n, 8))`` with ``n`` unknown), as opposed to a None the script declares."""
    unknown_reason: str | None = None
    """For model inputs whose shape is (partly) unknown: why, for the coverage report."""
    fed_by: cst.CSTNode | None = field(default=None, repr=False)
    """For a Sequential input nothing declares: the call whose data built the model (Keras builds
    such a model on the first data it gets). Its shape is the data's, so the data/model contract
    has nothing declared to compare with."""
    node: cst.CSTNode | None = field(default=None, repr=False)
    """Where in the script this application happens (the call, or the layer's constructor)."""
    conditional: bool = False
    """Added in one branch of an undecided ``if``: it may not be in the model at all."""
    call_kwargs: dict[str, Any] = field(default_factory=dict)
    output_count: int = 1
    dependencies: list[Tensor] = field(default_factory=list)
    """Tensors passed by keyword (``initial_state``, ``mask``): part of the model, not an input."""
    id: int = field(default_factory=lambda: next(_ids))

    @property
    def is_input(self) -> bool:
        return self.layer is None


@dataclass(frozen=True, eq=False)
class Tensor:
    node: Node
    index: int = 0


@dataclass(eq=False)
class ModelGraph:
    kind: Literal["sequential", "functional", "subclass", "saved"]
    inputs: list[Tensor] = field(default_factory=list)
    outputs: list[Tensor] = field(default_factory=list)
    name: str | None = None
    node: cst.CSTNode | None = field(default=None, repr=False)
    """The call that created the model (``keras.Sequential(...)``)."""
    complete: bool = True
    """False when part of the model could not be resolved (an unknown layer list ...)."""
    unknown: list[str] = field(default_factory=list)
    """Why parts of the model are unknown, first cause first (``input shape comes from
    x_train.shape[1:], read from a CSV``), for the coverage report."""
    fed: tuple[Shape, Any] | None = None
    """For a Sequential: the input shape of the first data it was given, and that call."""
    outputs_keyed: bool = False
    """True when a functional model's outputs were given as a dict (Keras then keys its
    predictions by those names, not by the output layers' names)."""
    id: int = field(default_factory=lambda: next(_ids))

    def nodes(self) -> list[Node]:
        """Every node that contributes to the outputs, inputs first, in topological order."""
        order: list[Node] = []
        seen: set[int] = set()
        visiting: set[int] = set()  # a hostile saved config may contain a cycle
        stack: list[tuple[Node, bool]] = [(t.node, False) for t in reversed(self.outputs)]
        while stack:
            node, expanded = stack.pop()
            if node.id in seen or (not expanded and node.id in visiting):
                continue
            if expanded:
                seen.add(node.id)
                order.append(node)
                continue
            visiting.add(node.id)
            stack.append((node, True))
            for tensor in reversed([*node.inputs, *node.dependencies]):
                if tensor.node.id not in seen:
                    stack.append((tensor.node, False))
        return order

    def layers(self) -> list[Layer]:
        unique: dict[int, Layer] = {}
        for node in self.nodes():
            if node.layer is not None:
                unique.setdefault(node.layer.id, node.layer)
        return list(unique.values())


_STATE_COUNT = {"LSTM": 2, "GRU": 1, "SimpleRNN": 1, "ConvLSTM1D": 2, "ConvLSTM2D": 2, "ConvLSTM3D": 2}


def output_count(layer: Layer, call_kwargs: dict[str, Any]) -> int:
    """How many tensors one application of ``layer`` returns (return_state, attention scores ...)."""
    kind = layer.kind
    if kind == "Model" and layer.submodel is not None:
        return max(1, len(layer.submodel.outputs))
    if kind in _STATE_COUNT and layer.config.get("return_state") is True:
        return 1 + _STATE_COUNT[kind]
    if kind == "Bidirectional":
        inner = layer.config.get("layer")
        # merge_mode=None: the forward and the backward outputs, as two tensors
        outputs = 2 if "merge_mode" in layer.config and layer.config["merge_mode"] is None else 1
        if isinstance(inner, Layer) and inner.kind in _STATE_COUNT and inner.config.get("return_state") is True:
            return outputs + 2 * _STATE_COUNT[inner.kind]
        return outputs
    if kind == "MultiHeadAttention" and call_kwargs.get("return_attention_scores") is True:
        return 2
    return 1
