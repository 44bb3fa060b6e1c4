"""What a script reads off a model it built: ``model.input(s)``/``model.output(s)``,
``model.layers``, ``model.get_layer(...)``, and a layer's ``.output``/``.input``/``.name``.

These are how scripts build one model from another (a feature extractor from a classifier,
``keras.Model(model.input, model.get_layer("alpha").output)``, a dict of a backbone's layer
outputs), so each gives the tensors of the graph keraslint built, as Keras 3 gives them. Where
Keras refuses the attribute (a layer applied twice has no single ``output``; an InputLayer's
``input`` is empty) or keraslint does not know the parts (a model loaded from a file, a
backbone's inner layers), the value is not a tensor, and ``why_not_tensors`` says which it is,
so the coverage report gives that reason rather than a generic one.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from keraslint.ir.graph import Layer, ModelGraph, Node, Tensor
from keraslint.source.models import (
    LAYER,
    MODEL,
    TENSOR,
    _flattened,
    model_graph,
    tensor_value,
    tensors_of,
)
from keraslint.source.values import NOT_MODELLED, ListValue, Method, Obj
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter


def attribute(model: Obj, name: str) -> Any:
    """``model.output``/``model.outputs``/``model.input``/``model.inputs`` on a model we built.

    As Keras 3 gives them: ``inputs``/``outputs`` the flat list, ``input``/``output`` the structure
    a functional model was built with (one tensor, a list, a tuple or a dict of them)."""
    graph = model_graph(model)
    if graph is None or not graph.complete:
        return NOT_MODELLED
    tensors = graph.outputs if name.startswith("output") else graph.inputs
    objs = [Obj(TENSOR, model.node, {"tensor": t}) for t in tensors]
    if name in ("output", "input"):
        structure = model.data.get("structure", {}).get(name)
        if structure is not None and _same_tensors(tensors_of(_flattened(structure)), tensors):
            return _copied(structure)
        return objs[0] if len(objs) == 1 else NOT_MODELLED
    return ListValue(objs)


def _same_tensors(found: list[Tensor] | None, tensors: list[Tensor]) -> bool:
    return found is not None and len(found) == len(tensors) and \
        all(a.node is b.node and a.index == b.index for a, b in zip(found, tensors))


def _copied(structure: Any) -> Any:
    """A fresh container of the same tensors (the script may append to what it gets)."""
    if isinstance(structure, ListValue):
        return ListValue(list(structure.items))
    if isinstance(structure, dict):
        return dict(structure)
    return structure


def layers_of(model: Obj) -> Any:
    """``model.layers``: the layer objects in Keras' order, where keraslint knows it.

    A Sequential's are its layers as added (Keras 3 leaves the InputLayer out); a functional
    model's start with its InputLayer, and keraslint gives them only for a chain (one input,
    each layer applied once to the one before), where the order is not in doubt. A backbone's
    are given for VGG (applications.inner_layers). NOT_MODELLED otherwise."""
    from keraslint.source.applications import inner_layers  # it builds on this module

    backbone = inner_layers(model)
    if backbone is not NOT_MODELLED:
        return backbone
    graph = model_graph(model)
    if graph is None or not graph.complete:
        return NOT_MODELLED
    if graph.kind == "sequential":
        layers = []
        for item, _ in (entry if isinstance(entry, tuple) else (entry, False) for entry in model.data["sequence"]):
            if isinstance(item, Obj) and item.type == LAYER and item.data["layer"].kind != "InputLayer":
                layers.append(item)
            elif not (isinstance(item, Obj) and item.type == TENSOR):
                return NOT_MODELLED  # a model used as a layer, something unknown: left to Keras
        return ListValue(layers)
    if graph.kind != "functional":
        return NOT_MODELLED
    if "layers" not in model.data:  # a functional model's graph does not change: ordered once
        order = keras_order(graph)
        model.data["layers"] = None if order is None else [
            Obj(LAYER, model.node, {"layer": Layer(kind="InputLayer", config={}, name=op.input_name, node=op.node),
                                    "input_tensor": Tensor(op)}) if isinstance(op, Node)  # an Input: its InputLayer
            else Obj(LAYER, op.node, {"layer": op}) for op in order]
    layers = model.data["layers"]
    return NOT_MODELLED if layers is None else ListValue(list(layers))


#: the most nodes keraslint orders as Keras does
_MAX_ORDERED = 2_000


def keras_order(graph: ModelGraph) -> list[Node | Layer] | None:
    """A functional model's layers as ``model.layers`` lists them: Keras 3's ``map_graph``
    (operations by decreasing depth from the outputs, ties in the order a depth-first walk
    from the outputs first meets them), an Input node standing for its InputLayer. None where
    keraslint's graph is not Keras' one node per layer call: an op on tensors (``x + y``,
    a preprocess function), a layer followed through its ``call``, a backbone's output taken
    from inside it (Keras then lists the backbone's own layers)."""
    from keraslint.shapes.custom import CUSTOM_LAYER_KEY
    from keraslint.shapes.tensor_ops import TensorOp
    from keraslint.source.models import TRACED

    nodes = graph.nodes()
    if len(nodes) > _MAX_ORDERED:
        return None
    for node in nodes:
        layer = node.layer
        if node.is_input:
            continue
        if layer is None or node in TRACED or isinstance(layer.config.get(CUSTOM_LAYER_KEY), TensorOp) \
                or layer.kind == "Application" or layer.config.get("__inner__") \
                or layer.kind == "Identity" and "__preprocess__" in layer.config \
                or node.call_kwargs.get("__constant__") or node.call_kwargs.get("__unknown_input__"):
            return None
    boundary = {(t.node.id, t.index) for t in graph.inputs if not t.node.is_input}
    finished: set[int] = set()
    ordered: list[Node] = []  # nodes from the inputs to the outputs
    index: dict[int, int] = {}  # operation id -> when the walk first met it
    ops: dict[int, Node | Layer] = {}

    def op_of(node: Node) -> Node | Layer:
        return node if node.layer is None else node.layer

    # the walk of Keras' _build_map, without recursion: index on entry, listed on exit
    stack: list[tuple[Tensor, bool]] = [(t, False) for t in reversed(graph.outputs)]
    while stack:
        tensor, leaving = stack.pop()
        node = tensor.node
        if leaving:
            finished.add(node.id)
            ordered.append(node)
            continue
        if node.id in finished:
            continue
        if (node.id, tensor.index) in boundary:
            finished.add(node.id)
            continue
        op = op_of(node)
        ops.setdefault(id(op), op)
        index.setdefault(id(op), len(index))
        stack.append((tensor, True))
        stack.extend((parent, False) for parent in reversed([*node.inputs, *node.dependencies]))
    node_depth: dict[int, int] = {}
    op_depth: dict[int, int] = {}
    member = {node.id for node in ordered}
    for node in reversed(ordered):
        depth = max(node_depth.setdefault(node.id, 0), op_depth.get(id(op_of(node)), 0))
        op_depth[id(op_of(node))] = depth
        node_depth[node.id] = depth
        for parent in [*node.inputs, *node.dependencies]:
            if parent.node.id in member:
                node_depth[parent.node.id] = max(depth + 1, node_depth.get(parent.node.id, 0))
    for tensor in graph.inputs:  # inputs no output depends on: listed all the same
        if tensor.node.is_input and id(tensor.node) not in op_depth:
            ops[id(tensor.node)], op_depth[id(tensor.node)], index[id(tensor.node)] = tensor.node, 0, -1
    return [ops[key] for key in sorted(op_depth, key=lambda key: (-op_depth[key], index[key]))]


def layer_attribute(value: Method) -> Any:
    """``layer.output``/``layer.input`` of a layer applied exactly once (Keras refuses the
    attribute on a layer with several inbound nodes); NOT_MODELLED otherwise."""
    receiver, name = value.receiver, value.name
    if receiver.type != LAYER or name not in ("output", "input"):
        return NOT_MODELLED
    traced = receiver.data.get("traced_calls")
    if traced is not None:  # a layer of the script followed through its call: what the call took and gave
        return _copied(traced[0][1 if name == "output" else 0]) if len(traced) == 1 else NOT_MODELLED
    if "input_tensor" in receiver.data:
        # model.get_layer("image") of an input: its output is the Input tensor; its input is
        # empty in Keras 3 (a model built on it is refused: "`inputs` argument cannot be empty")
        return tensor_value(receiver.data["input_tensor"], receiver.node) if name == "output" else NOT_MODELLED
    layer = receiver.data.get("layer")
    nodes = layer.applied if isinstance(layer, Layer) else []
    if len(nodes) != 1:
        return NOT_MODELLED
    node = nodes[0]
    if name == "output":
        objs = [tensor_value(Tensor(node, i), receiver.node) for i in range(node.output_count)]
    else:
        objs = [tensor_value(t, receiver.node) for t in node.inputs]
        if not objs:
            return NOT_MODELLED
    return objs[0] if len(objs) == 1 else ListValue(objs)


def layer_name(layer: Obj) -> Any:
    """``layer.name``: the name the script gave (``name="alpha"``); a name Keras makes up
    (``dense_3``, counted over the whole session) is unknown."""
    found = layer.data.get("layer")
    name = found.name if isinstance(found, Layer) else None
    return name if isinstance(name, str) and name else UNKNOWN


def get_layer(model: Obj, site: CallSite) -> Any:
    """``model.get_layer("name")`` (or ``index=``): a layer of a model keraslint built."""
    graph = model_graph(model)
    name = site.arg(0, "name", default=None)
    index = site.arg(1, "index", default=None)
    if graph is None:
        return NOT_MODELLED
    if name is None and isinstance(index, int) and not isinstance(index, bool):
        layers = layers_of(model)
        if isinstance(layers, ListValue) and -len(layers.items) <= index < len(layers.items):
            return layers.items[index]
        return NOT_MODELLED
    if not isinstance(name, str) or index is not None:
        return NOT_MODELLED
    found = [layer for layer in graph.layers() if layer.name == name]
    inputs = [t for t in graph.inputs if t.node.input_name == name]
    if inputs and not found and len(inputs) == 1:
        # the InputLayer of `keras.Input(..., name="image")`
        return Obj(LAYER, site.node, {"layer": Layer(kind="InputLayer", config={}, name=name, node=site.node),
                                      "input_tensor": inputs[0]})
    if not found:
        from keraslint.source.models import TRACED_LAYERS

        nodes = {node.id for node in graph.nodes()}
        traced = [obj for obj in TRACED_LAYERS if obj.data["layer"].name == name and any(
            t.node.id in nodes for _, result in obj.data["traced_calls"] for t in tensors_of(_flattened(result)) or ())]
        if len(traced) == 1:
            return traced[0]
    if len(found) != 1:
        from keraslint.source.applications import inner_layer  # it builds on this module

        return inner_layer(model, name, site.node)
    return Obj(LAYER, site.node, {"layer": found[0]})


def missing_layer(model: Obj, site: CallSite) -> Obj | None:
    """``get_layer(name)`` where keraslint cannot give the layer: a stand-in whose output is
    unknown for a stated reason (a model loaded from a file; a name not among the layers
    keraslint followed, which may be a name Keras made up or a part it did not follow). None
    for a model it knows nothing about."""
    name = site.arg(0, "name", default=None)
    if model.data.get("loaded") and "graph" not in model.data:
        why = "a layer of a model loaded from a file: keraslint does not read the file when checking the script " \
            "(check the file itself)"
    elif isinstance(name, str) and model_graph(model) is not None and "backbone" not in model.data:
        why = f"`get_layer({name!r})`: no layer of that name among the layers of the model keraslint followed"
    else:
        return None
    return Obj(LAYER, site.node, {"layer": Layer(kind="Opaque", config={}, node=site.node, spelled="Layer",
                                                 pretrained=None, unknown_reason=why)})


def why_not_tensors(value: Any, depth: int = 0) -> str | None:
    """Why a value built from another model's parts is not a tensor keraslint followed, when
    the cause is one of the known ones; None otherwise (the generic reason then stands)."""
    if depth > 3:
        return None
    if isinstance(value, ListValue):
        value = tuple(value.items)
    if isinstance(value, dict):
        value = tuple(value.values())
    if isinstance(value, tuple):
        for item in value:
            if tensors_of(item) is None and (why := why_not_tensors(item, depth + 1)) is not None:
                return why
        return None
    if not isinstance(value, Method):
        return None
    receiver, name = value.receiver, value.name
    if receiver.type == MODEL and name in ("input", "inputs", "output", "outputs", "layers"):
        if receiver.data.get("loaded") and "graph" not in receiver.data:
            return f"`.{name}` of a model loaded from a file: keraslint does not read the file when checking " \
                "the script (check the file itself)"
        return None
    if receiver.type != LAYER or name not in ("output", "input"):
        return None
    layer = receiver.data.get("layer")
    label = layer.label if isinstance(layer, Layer) else "the layer"
    if "input_tensor" in receiver.data and name == "input":
        return f"`.input` of {label} is empty in Keras 3 (an InputLayer has no input; use its `.output` or " \
            "`model.input`), so keras.Model(...) refuses it"
    if isinstance(layer, Layer) and layer.kind == "Opaque" and layer.unknown_reason:
        return layer.unknown_reason
    count = len(layer.applied) if isinstance(layer, Layer) else 0
    if count > 1:
        return f"`.{name}` of {label}, which is applied {count} times: Keras gives no single {name} then"
    if count == 0 and isinstance(layer, Layer):
        return f"`.{name}` of {label}, which is never applied to a tensor keraslint followed"
    return None


#: per run of the pass: literal path -> the model the script saved there (None: saved in a
#: branch that may not run, or by a model keraslint did not build)
_SAVED: weakref.WeakKeyDictionary[Any, dict[str, Obj | None]] = weakref.WeakKeyDictionary()


def saved(interp: Interpreter, site: CallSite) -> None:
    """``model.save("m.keras")`` / ``keras.models.save_model(model, "m.keras")``: remember which
    model the file holds from here on, so that loading it back gives that architecture."""
    if site.receiver is not None:
        model, path = site.receiver, site.arg(0, "filepath")
    else:
        model, path = site.arg(0, "model"), site.arg(1, "filepath")
    if not isinstance(path, str):
        return
    known = isinstance(model, Obj) and model.type == MODEL and model_graph(model) is not None \
        and not interp.uncertain
    _SAVED.setdefault(interp, {})[path] = model if known else None  # type: ignore[assignment]


def loaded(interp: Interpreter, site: CallSite) -> Obj | None:
    """``keras.models.load_model("m.keras")`` of a file the script saved earlier in the run: a
    model of the same architecture (the saved graph: its layers, shapes and named parts), with
    trained weights. None for any other file (a model keraslint does not read)."""
    path = site.arg(0, "filepath")
    model = _SAVED.get(interp, {}).get(path) if isinstance(path, str) else None
    graph = model_graph(model) if model is not None else None
    if graph is None:
        return None
    # the same graph, already built (a Sequential's chain is not rebuilt from a layer list it lacks)
    return Obj(MODEL, site.node, {"graph": graph, "built": True, "structure": model.data.get("structure", {}),
                                  "loaded": True, "pretrained": True, "saved_model": model})
