"""What a layer or model built in the script holds as weights, and where given weights disagree
(KL308): ``layer.set_weights([...])``, ``model.set_weights([...])``,
``model.set_weights(other.get_weights())`` and ``model.load_weights("x.weights.h5" / "x.h5")``.

Expected shapes come from the graph pass (each layer's input shape) and
keraslint.shapes.weights. Everything is checked the way Keras 3 checks it:

- ``set_weights``: the list's length against ``len(layer.weights)``, then each array's shape
  against its variable's, in ``get_weights()`` order (a model: each layer's weights in turn);
- ``.weights.h5``: each layer by its path (``layers/dense_1``: the snake-cased class name
  numbered per class in layer order; a recurrent layer's weights under ``cell``, a
  Bidirectional's under ``forward_layer``/``backward_layer``), its count then its shapes;
- legacy ``.h5``: the layers that have weights, matched by order, their count then shapes.

A model qualifies only when the order of its layers is certain (a Sequential, or a functional
chain) and every layer's weights are known; a layer or shape that is not known gives no verdict.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from keraslint.graph.propagate import AnalyzedModel, to_spec
from keraslint.ir.graph import Layer
from keraslint.shapes.weights import WeightShape, weight_shapes

Shapes = tuple[WeightShape, ...]


@dataclass(frozen=True)
class Disagreement:
    """Why Keras refuses the weights: ``count`` (list length, or a layer's weight count),
    ``shape`` (one array), ``layers`` (legacy .h5: number of layers with weights)."""

    kind: str
    expected: Any
    given: Any
    #: the layer concerned (None: the whole model or the list)
    layer: Layer | None = None
    #: the weight's index in the list (``shape``)
    index: int | None = None
    #: where in the file (``layers/dense_1``), for .weights.h5
    path: str | None = None


def layer_weights(models: list[AnalyzedModel], layer: Layer) -> Shapes | None:
    """``layer``'s weight shapes once built, from the input it gets in the script's models;
    None unless every application of it gives the same known input."""
    inputs = set()
    for model in models:
        for _, node, result in model.walk():
            if node.layer is layer:
                if result.error is not None or result.unsupported or len(result.inputs) != 1:
                    return None
                inputs.add(result.inputs[0])
    if len(inputs) != 1:
        return None
    (shape,) = inputs
    if shape is None:
        return None
    for model in models:
        for _, node, result in model.walk():
            if node.layer is layer:
                if result.params == 0:
                    return ()
                return weight_shapes(to_spec(layer), shape)
    return None


def ordered_layers(model: AnalyzedModel) -> list[Layer] | None:
    """The model's layers in Keras' order (``model.layers``), when that order is certain."""
    graph = model.graph
    if not graph.complete or graph.kind not in ("sequential", "functional") or len(graph.inputs) != 1:
        return None
    nodes = [n for n in model.order if not n.is_input]
    layers = [n.layer for n in nodes]
    if any(layer is None or layer.kind in ("Opaque", "Model") or layer.submodel is not None for layer in layers):
        return None
    if len({id(layer) for layer in layers}) != len(layers):
        return None  # a shared layer
    if any(n.conditional or n.dependencies for n in nodes):
        return None
    if graph.kind == "functional":
        # a chain has one topological order; Keras orders branches its own way
        previous = graph.inputs[0].node
        for node in nodes:
            if len(node.inputs) != 1 or node.inputs[0].node is not previous:
                return None
            previous = node
        if len(graph.outputs) != 1 or graph.outputs[0].node is not previous:
            return None
    return [layer for layer in layers if layer is not None]


def model_weights(model: AnalyzedModel) -> list[tuple[Layer, Shapes]] | None:
    """Each layer with its weight shapes, in ``model.get_weights()`` order; None unless all known."""
    layers = ordered_layers(model)
    if layers is None:
        return None
    found = []
    for layer in layers:
        shapes = layer_weights([model], layer)
        if shapes is None:
            return None
        found.append((layer, shapes))
    return found


def compare_list(expected: Shapes, given: tuple[Any, ...], owners: list[Layer | None] | None = None) -> Disagreement | None:
    """``set_weights``' checks: the length, then each known shape (None dims on either side are
    no claim)."""
    if len(given) != len(expected):
        return Disagreement("count", len(expected), len(given))
    for index, (want, got) in enumerate(zip(expected, given)):
        if got is None:
            continue
        if _differs(want, got):
            return Disagreement("shape", want, got, owners[index] if owners else None, index)
    return None


def _differs(want: tuple[Any, ...], got: tuple[Any, ...]) -> bool:
    if len(want) != len(got):
        return True  # Keras compares whole shapes: another rank never fits
    return any(a is not None and b is not None and a != b for a, b in zip(want, got))


def flatten(per_layer: list[tuple[Layer, Shapes]]) -> tuple[Shapes, list[Layer | None]]:
    shapes: list[WeightShape] = []
    owners: list[Layer | None] = []
    for layer, layer_shapes in per_layer:
        shapes.extend(layer_shapes)
        owners.extend([layer] * len(layer_shapes))
    return tuple(shapes), owners


def snake_case(name: str) -> str:
    """Keras' ``naming.to_snake_case``, which names a layer's group in a .weights.h5 file."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


_RECURRENT = frozenset({"SimpleRNN", "LSTM", "GRU"})


def weight_groups(layer: Layer, shapes: Shapes) -> Iterator[tuple[str, Shapes]] | None:
    """Where a layer's weights sit under its own path in a .weights.h5 file, as (sub-path,
    shapes); None for a layout not modelled."""
    if layer.kind in _RECURRENT:
        return iter((("", ()), ("/cell", shapes)))
    if layer.kind == "Bidirectional":
        inner = layer.config.get("layer")
        if not isinstance(inner, Layer) or inner.kind not in _RECURRENT or len(shapes) % 2:
            return None
        half = len(shapes) // 2
        return iter((("", ()), ("/forward_layer", ()), ("/forward_layer/cell", shapes[:half]),
                     ("/backward_layer", ()), ("/backward_layer/cell", shapes[half:])))
    if layer.kind == "TimeDistributed":
        inner = layer.config.get("layer")
        if not isinstance(inner, Layer) or inner.kind in _RECURRENT or inner.kind in ("Bidirectional", "TimeDistributed"):
            return None
        return iter((("", ()), ("/layer", shapes)))
    return iter((("", shapes),))


def keras3_paths(per_layer: list[tuple[Layer, Shapes]]) -> list[tuple[Layer, str, Shapes]] | None:
    """Every object path Keras reads for the model's layers, with the shapes it expects there."""
    used: dict[str, int] = {}
    found = []
    for layer, shapes in per_layer:
        name = snake_case(layer.kind)
        if name in used:
            used[name] += 1
            name = f"{name}_{used[name]}"
        else:
            used[name] = 0
        groups = weight_groups(layer, shapes)
        if groups is None:
            if shapes:
                return None
            continue
        for suffix, group_shapes in groups:
            found.append((layer, f"layers/{name}{suffix}", group_shapes))
    return found


# --------------------------------------------------------------------------- the script's calls


@dataclass(frozen=True)
class WeightCheck:
    """One set_weights/load_weights call Keras refuses, with why."""

    node: Any
    #: "set_weights", "get_weights" (``set_weights(other.get_weights())``), "weights.h5", "h5"
    via: str
    problem: Disagreement
    #: the layer or model whose weights are set
    target: str
    #: the file as the script names it (load_weights)
    path: str | None = None


def _unchanged(facts_objs: tuple[Any, ...], snapshot: tuple[tuple[int, int], ...]) -> bool:
    """Every model's Sequential layer list is what it was when the call ran."""
    by_id = {id(obj): obj for obj in facts_objs if obj is not None}
    return all(id_ in by_id and len(by_id[id_].data.get("sequence", ())) == count for id_, count in snapshot)


def _declared(model: AnalyzedModel) -> bool:
    """Built as soon as it is created: a functional model, or a Sequential with a declared input
    (one built on its first data has no weights before that)."""
    graph = model.graph
    if graph.kind == "functional":
        return True
    return graph.kind == "sequential" and all(t.node.fed_by is None and t.node.input_shape is not None
                                              for t in graph.inputs)


def check_calls(ctx: Any) -> list[WeightCheck]:
    """Every set_weights/load_weights call in ``ctx``'s script that Keras refuses."""
    from keraslint.ir.weights_file import Keras3Weights, read_weight_shapes
    from keraslint.source.models import LAYER, MODEL, model_graph

    facts = ctx.facts
    if facts is None:
        return []
    analyses = {id(obj): analysis for obj, analysis in ctx.model_objects()}
    found: list[WeightCheck] = []
    for assignment in facts.weight_assignments:
        target, source = assignment.target, assignment.source
        if not _unchanged((target, source), assignment.layers_then):
            continue
        if target.type == LAYER:
            layer = target.data.get("layer")
            expected = layer_weights(ctx.models, layer) if isinstance(layer, Layer) else None
            owners: list[Layer | None] | None = None
            label = layer.label if isinstance(layer, Layer) else "the layer"
        elif target.type == MODEL and id(target) in analyses:
            per_layer = model_weights(analyses[id(target)])
            expected, owners = flatten(per_layer) if per_layer is not None else (None, None)
            graph = model_graph(target)
            label = f"model '{graph.name}'" if graph is not None and graph.name else "the model"
        else:
            continue
        if expected is None:
            continue
        given: tuple[Any, ...] | None = assignment.given
        if source is not None:
            source_model = analyses.get(id(source))
            if source_model is None or not _declared(source_model):
                continue
            source_weights = model_weights(source_model)
            given = flatten(source_weights)[0] if source_weights is not None else None
        if not given:
            continue  # an empty list: Keras' verdict depends on whether the layer is built yet
        problem = compare_list(expected, given, owners)
        if problem is not None:
            found.append(WeightCheck(assignment.node, "get_weights" if source is not None else "set_weights",
                                     problem, label))
    for load in facts.weight_loads:
        model = analyses.get(id(load.model))
        if load.lenient or load.file is None or model is None or not _declared(model):
            continue
        if not _unchanged((load.model,), load.layers_then):
            continue
        per_layer = model_weights(model)
        if per_layer is None:
            continue
        keras3 = load.path.endswith(".weights.h5")
        stored = read_weight_shapes(load.file, keras3)
        if stored is None:
            continue
        problem = (_match_keras3(per_layer, stored) if isinstance(stored, Keras3Weights)
                   else _match_legacy(per_layer, stored.layers))
        if problem is not None:
            graph = model_graph(load.model)
            label = f"model '{graph.name}'" if graph is not None and graph.name else "the model"
            found.append(WeightCheck(load.node, "weights.h5" if keras3 else "h5", problem, label, load.path))
    return found


def _match_keras3(per_layer: list[tuple[Layer, Shapes]], stored: Any) -> Disagreement | None:
    paths = keras3_paths(per_layer)
    if paths is None:
        return None
    for layer, path, shapes in paths:
        saved = stored.paths.get(path)
        if saved is None:
            if not shapes or stored.fallback:
                continue
            saved = ()  # Keras reads a missing path as no variables
        if len(saved) != len(shapes):
            return Disagreement("count", len(shapes), len(saved), layer, path=path)
        for index, (want, got) in enumerate(zip(shapes, saved)):
            if _differs(want, got):
                return Disagreement("shape", want, got, layer, index, path=path)
    return None


def _match_legacy(per_layer: list[tuple[Layer, Shapes]], saved: list[tuple[str, Shapes]]) -> Disagreement | None:
    weighted = [(layer, shapes) for layer, shapes in per_layer if shapes]
    if len(weighted) != len(saved):
        return Disagreement("layers", len(weighted), len(saved))
    for (layer, shapes), (name, saved_shapes) in zip(weighted, saved):
        if len(shapes) != len(saved_shapes):
            return Disagreement("count", len(shapes), len(saved_shapes), layer, path=name)
        for index, (want, got) in enumerate(zip(shapes, saved_shapes)):
            if _differs(want, got):
                return Disagreement("shape", want, got, layer, index, path=name)
    return None
