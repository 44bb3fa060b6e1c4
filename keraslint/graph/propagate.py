"""The graph pass: run symbolic shapes through a model with keraslint's own shape engine.

Each node gets its input and output shapes, its parameter count and, when the layer cannot
take its input, the engine's ShapeError. A node after an error or an unmodelled layer sees
an unknown input, so one mistake gives one finding, not a cascade. Models used as layers are
run again with the shapes they are actually called on.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from keraslint.ir.graph import Layer, ModelGraph, Node, Shape
from keraslint.shapes import LayerSpec, ShapeError, UnsupportedLayer, infer

MAX_NESTING = 8


class ChannelMismatch(ShapeError):
    """A tensor reaches a layer or model already built for another channel count (KL202)."""


@dataclass
class NodeResult:
    inputs: list[Shape | None]
    outputs: tuple[Shape | None, ...]
    params: int | None
    error: ShapeError | None = None
    unsupported: bool = False

    @property
    def output(self) -> Shape | None:
        return self.outputs[0] if self.outputs else None


@dataclass
class AnalyzedModel:
    graph: ModelGraph
    order: list[Node]
    results: dict[int, NodeResult]
    nested: dict[int, AnalyzedModel] = field(default_factory=dict)

    def result(self, node: Node) -> NodeResult:
        return self.results[node.id]

    def consumers(self, node: Node) -> list[Node]:
        return [n for n in self.order if any(t.node is node for t in n.inputs)]

    def output_shapes(self) -> list[Shape | None]:
        return [self._tensor_shape(t.node, t.index) for t in self.graph.outputs]

    def _tensor_shape(self, node: Node, index: int) -> Shape | None:
        result = self.results.get(node.id)
        if result is None or index >= len(result.outputs):
            return None
        return result.outputs[index]

    def total_params(self) -> int | None:
        """Parameters as Keras counts them: every layer once, even when it is shared between
        this model and a model it calls."""
        total = 0
        seen: set[int] = set()
        for model, node, result in self.walk():
            layer = node.layer
            if layer is None or node.id in model.nested:
                continue  # a called model's weights are its own layers, walked next
            if layer.id in seen:
                continue
            seen.add(layer.id)
            if result.params is None:
                return None
            total += result.params
        return total

    def walk(self) -> Iterator[tuple[AnalyzedModel, Node, NodeResult]]:
        """Every node of this model and of the models it calls, with the model it was run in."""
        for node in self.order:
            yield self, node, self.results[node.id]
            if node.id in self.nested:
                yield from self.nested[node.id].walk()


def to_spec(layer: Layer) -> LayerSpec:
    config: dict[str, Any] = {}
    for key, value in layer.config.items():
        if key.startswith("__"):
            continue
        config[key] = to_spec(value) if isinstance(value, Layer) else value
    return LayerSpec(layer.kind, config)


def analyze_model(graph: ModelGraph, input_shapes: Sequence[Shape | None] | None = None, depth: int = 0) -> AnalyzedModel:
    order = graph.nodes()
    analysis = AnalyzedModel(graph, order, {})
    built_for: dict[int, Shape] = {}  # a shared layer's first input shape: its weights fix the channels
    provided = dict(zip((t.node.id for t in graph.inputs), input_shapes)) if input_shapes is not None else {}
    for node in order:
        if node.is_input:
            shape = provided.get(node.id, node.input_shape) if provided else node.input_shape
            analysis.results[node.id] = NodeResult([], (shape,), 0)
            continue
        inputs = [analysis._tensor_shape(t.node, t.index) for t in node.inputs]
        mismatch = _check_shared_layer(node, inputs, built_for)
        if mismatch is not None:
            analysis.results[node.id] = _unknown(node, inputs, error=mismatch)
            continue
        analysis.results[node.id] = _run_node(node, inputs, analysis, depth)
    return analysis


def _unknown(node: Node, inputs: list[Shape | None], params: int | None = None, **extra: Any) -> NodeResult:
    return NodeResult(inputs, tuple(None for _ in range(node.output_count)), params, **extra)


def _run_node(node: Node, inputs: list[Shape | None], analysis: AnalyzedModel, depth: int) -> NodeResult:
    layer = node.layer
    assert layer is not None
    if layer.kind == "Model" and layer.submodel is not None:
        return _run_submodel(node, layer.submodel, inputs, analysis, depth)
    if layer.config.get("__partial__") or node.call_kwargs.get("__unknown_input__") or not inputs:
        return _unknown(node, inputs)
    if any(shape is None for shape in inputs):
        return _unknown(node, inputs)
    try:
        result = infer(to_spec(layer), inputs)
    except UnsupportedLayer:
        return _unknown(node, inputs, unsupported=True)
    except ShapeError as error:
        if node.conditional:
            return _unknown(node, inputs)
        return _unknown(node, inputs, error=error)
    except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, OverflowError):
        # A configuration the engine does not understand (a hostile saved model, an odd value):
        # unknown, never a crash and never a guess.
        return _unknown(node, inputs, unsupported=True)
    outputs: tuple[Shape | None, ...] = tuple(result.outputs)
    if node.conditional and (len(outputs) != 1 or outputs[0] != inputs[0]):
        outputs = tuple(None for _ in outputs)  # may or may not be there: what follows is unknown
    return NodeResult(inputs, outputs, result.params)


def _check_shared_layer(node: Node, inputs: list[Shape | None], built_for: dict[int, Shape]) -> ChannelMismatch | None:
    layer = node.layer
    if layer is None or len(inputs) != 1 or inputs[0] is None or layer.kind == "Model":
        return None
    shape = inputs[0]
    first = built_for.setdefault(layer.id, shape)
    if first is shape or len(first) != len(shape) or first[-1] is None or shape[-1] is None or first[-1] == shape[-1]:
        return None
    return ChannelMismatch("channels", f"{layer.label} was first called on {_channels(first[-1])} {first}, which "
                           f"fixed its weights, and is called again on {_channels(shape[-1])} {shape}",
                           axis=len(shape) - 1, expected=first[-1], actual=shape[-1])


def _run_submodel(node: Node, graph: ModelGraph, inputs: list[Shape | None], analysis: AnalyzedModel,
                  depth: int) -> NodeResult:
    if depth >= MAX_NESTING or not graph.complete:
        return _unknown(node, inputs)
    inputs = [adjust_rank(t.node.input_shape, got) for t, got in zip(graph.inputs, inputs)]
    error = _check_submodel_inputs(graph, inputs)
    if error is not None:
        # Its weights do not depend on the bad call: count them from its own declared inputs.
        return _unknown(node, inputs, analyze_model(graph, None, depth + 1).total_params(), error=error)
    nested = analyze_model(graph, inputs, depth + 1)
    analysis.nested[node.id] = nested
    outputs = tuple(nested.output_shapes())
    return NodeResult(inputs, outputs, nested.total_params())


def adjust_rank(want: Shape | None, got: Shape | None) -> Shape | None:
    """Keras 3 models add a missing trailing axis of size 1 to their input, and drop an extra
    one (``Functional._adjust_input_rank``): ``(None, 28, 28)`` into ``Input((28, 28, 1))``."""
    if want is None or got is None:
        return got
    if len(got) == len(want) - 1 and want[-1] == 1:
        return (*got, 1)
    if len(got) == len(want) + 1 and got[-1] == 1:
        return got[:-1]
    return got


def _check_submodel_inputs(graph: ModelGraph, inputs: list[Shape | None]) -> ShapeError | None:
    """A model built for one input shape called on another (Keras warns, then usually fails)."""
    declared = [t.node.input_shape for t in graph.inputs]
    label = f"model '{graph.name}'" if graph.name else "the inner model"
    for want, got in zip(declared, inputs):
        if want is None or got is None:
            continue
        if len(want) != len(got):
            return ShapeError("rank", f"{label} expects input of rank {len(want)} {want}, got rank {len(got)} {got}",
                              expected=want, actual=got)
        if want[-1] is not None and got[-1] is not None and want[-1] != got[-1]:
            return ChannelMismatch("channels", f"{label} was built for {_channels(want[-1])} {want} but is fed "
                                   f"{_channels(got[-1])} {got}", axis=len(want) - 1, expected=want[-1], actual=got[-1])
        for axis, (w, g) in enumerate(zip(want[1:-1], got[1:-1]), start=1):
            if w is not None and g is not None and w != g:
                return ShapeError("incompatible", f"{label} was built for input {want} but is fed {got} "
                                  f"(axis {axis}: {w} vs {g})", axis=axis, expected=w, actual=g)
    return None


def _channels(count: int) -> str:
    return f"{count} channel" + ("" if count == 1 else "s")
