"""How Keras model-building calls behave, in terms of the model IR.

Layer constructors give layer objects; ``keras.Input`` gives a symbolic tensor; calling a
layer (or a model) on tensors adds a node; ``keras.Model(inputs, outputs)`` collects the
graph between them; ``keras.Sequential`` and ``.add`` chain layers. Anything that does not
resolve (an unknown layer list, a tensor from an unmodelled call) becomes an opaque part of
the graph, so later passes see "unknown" rather than a guess.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import libcst as cst

from keraslint.ir.graph import Layer, ModelGraph, Node, Shape, Tensor, output_count
from keraslint.ir.signatures import SIGNATURES
from keraslint.ir.normalize import dim_literal, normalize_layer, plain, shape_literal
from keraslint.shapes.custom import CUSTOM_LAYER_KEY
from keraslint.source import eager_calls
from keraslint.source.names import layer_kind
from keraslint.source.values import NOT_MODELLED, Array, ListValue, Method, Obj, Ref
from keraslint.values import UNKNOWN
from keraslint.vocabulary import MERGE_FUNCTIONS

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter

MODEL = "keras.Model"
LAYER = "keras.layers.Layer"
TENSOR = "keras.KerasTensor"


def make_layer(site: CallSite, kind: str, data_format: Any = None) -> Obj:
    """A layer object; ``data_format`` is the global one (Interpreter.image_data_format), which
    a layer that takes a data_format and passes none (or None) uses, as in Keras."""
    leaf = site.spelled.rsplit(".", 1)[-1]
    args = list(site.args)
    kwargs = dict(site.kwargs)
    normalized = normalize_layer(kind, args, kwargs)
    config = normalized.config
    if data_format is not None and config.get("data_format") is None and "data_format" in SIGNATURES.get(kind, ()):
        config["data_format"] = data_format
    for key in ("layer", "backward_layer"):
        inner = config.get(key)
        if isinstance(inner, Obj) and inner.type == LAYER:
            config[key] = inner.data["layer"]
        elif key in config:
            config[key] = UNKNOWN
    layer = Layer(kind=kind, config=config, name=normalized.name, node=site.node, spelled=leaf,
                  declared_input=normalized.declared_input, renamed=normalized.renamed)
    if normalized.declared_input is not None:
        layer.declared_unknown = _declared_unknown(kind, kwargs)
    if site.star_args:
        layer.config["__partial__"] = True
    if kind == "Lambda":  # the function itself and its arguments= (the config keeps their names)
        function, arguments = site.arg(0, "function", default=None), site.arg(3, "arguments", default=None)
        from keraslint.source.tensor_ops import keeps_shape  # it builds on this module

        if isinstance(function, Ref) and keeps_shape(function.name) and arguments is None and not site.star_args \
                and site.arg(1, "output_shape", default=None) is None:
            # Lambda(preprocess_input), Lambda(tf.nn.relu): the same shape, no weights (also in a Sequential)
            layer = Layer(kind="Identity", config={"__lambda__": function.name}, name=normalized.name or "lambda",
                          node=site.node, spelled=leaf)
        return Obj(LAYER, site.node, {"layer": layer, "function": function, "arguments": arguments})
    return Obj(LAYER, site.node, {"layer": layer})


def unknown_dims(value: Any, offset: int) -> frozenset[int]:
    """Axes (from ``offset``) of a shape literal that are not ints and not a written None: the
    ones keraslint could not determine, as opposed to the dynamic ones the script declares."""
    if isinstance(value, ListValue):
        value = tuple(value.items)
    items = value if isinstance(value, tuple) else (value,)
    return frozenset(offset + i for i, v in enumerate(items) if v is not None and dim_literal(v) is None)


def _declared_unknown(kind: str, kwargs: dict[str, Any]) -> frozenset[int]:
    """The undetermined axes of the input shape a layer declares (mirrors ``declared_input``)."""
    for key in ("batch_input_shape", "batch_shape"):
        if key in kwargs:
            return unknown_dims(kwargs[key], 0)
    if "input_shape" in kwargs:
        return unknown_dims(kwargs["input_shape"], 1)
    if kind == "Embedding":
        return unknown_dims(kwargs["input_length"], 1) if "input_length" in kwargs else frozenset()
    if "input_dim" in kwargs:
        if "input_length" in kwargs:
            return unknown_dims((kwargs["input_length"], kwargs["input_dim"]), 1)
        return unknown_dims(kwargs["input_dim"], 1)
    return frozenset()


def _code(node: Any) -> str | None:
    """The source text of an argument, for reasons (``x_train.shape[1:]``); None when unavailable."""
    if not isinstance(node, cst.CSTNode):
        return None
    try:
        text = cst.Module([]).code_for_node(node)
    except Exception:  # noqa: BLE001 - a reason without the text is still a reason
        return None
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def argument_code(site: CallSite, position: int | None, keyword: str) -> str | None:
    call = site.node
    if not isinstance(call, cst.Call):
        return None
    for index, arg in enumerate(call.args):
        named = arg.keyword.value if arg.keyword is not None else None
        if named == keyword or (named is None and not arg.star and index == position):
            return _code(arg.value)
    return None


def _input_shape(site: CallSite) -> tuple[Shape | None, frozenset[int], str | None]:
    """The declared full shape, its undetermined axes, and the argument's text."""
    if site.has(None, "batch_shape"):
        value = site.arg(None, "batch_shape")
        return shape_literal(value), unknown_dims(value, 0), argument_code(site, None, "batch_shape")
    shape, keyword = site.arg(0, "shape", default=None), "shape"
    if shape is None:
        shape, keyword = site.arg(None, "input_shape", default=None), "input_shape"  # Keras 2 InputLayer spelling
    dims = shape_literal(shape) if shape is not None else None
    code = argument_code(site, 0 if keyword == "shape" else None, keyword)
    if dims is None:
        return None, frozenset(), code
    batch = site.arg(1, "batch_size", default=None)
    unknown = unknown_dims(shape, 1) | (frozenset({0}) if batch is not None and dim_literal(batch) is None else frozenset())
    return (dim_literal(batch), *dims), unknown, code


def make_input(site: CallSite) -> Obj:
    name = plain(site.arg(None, "name", default=None))
    shape, unknown, code = _input_shape(site)
    node = Node(layer=None, inputs=[], input_shape=shape, input_name=name if isinstance(name, str) else None,
                node=site.node, unknown_axes=unknown)
    if shape is None or unknown:
        node.unknown_reason = f"input shape comes from `{code}`, which keraslint could not determine" if code else \
            "input shape unknown: keras.Input is given no shape keraslint could read"
    return _tensor_obj(Tensor(node, 0), site)


def _tensor_obj(tensor: Tensor, site: CallSite) -> Obj:
    return Obj(TENSOR, site.node, {"tensor": tensor})


def tensor_value(tensor: Tensor, node: Any) -> Obj:
    """A symbolic tensor as the script holds it."""
    return Obj(TENSOR, node, {"tensor": tensor})


def _tensors(value: Any) -> list[Tensor] | None:
    """The symbolic tensors in a call's input: one tensor or a list/tuple of them."""
    if isinstance(value, Obj) and value.type == TENSOR and "tensor" in value.data:
        return [value.data["tensor"]]
    if isinstance(value, Method):
        from keraslint.source.model_parts import layer_attribute  # it builds on this module

        value = layer_attribute(value)
        if value is NOT_MODELLED:
            return None
        return _tensors(value)
    items = value.items if isinstance(value, ListValue) else value if isinstance(value, tuple) else None
    if items is None or not items:
        return None
    found: list[Tensor] = []
    for item in items:
        tensors = _tensors(item)
        if tensors is None or len(tensors) != 1:
            return None
        found.extend(tensors)
    return found


def tensors_of(value: Any) -> list[Tensor] | None:
    """The symbolic tensors in a value: one tensor or a list/tuple of them (None: not tensors)."""
    return _tensors(value)


#: how deep the pass is in a layer's or model's ``call`` traced into a graph: there a sub-layer
#: applied to a concrete array (``self.pos_emb(ops.arange(0, length))``) is part of the layer,
#: as Keras builds it; at the top level such a call is eager and joins no model
tracing_calls = [0]


def apply_layer(layer: Layer, site: CallSite, structure: tuple[type, int] | None = None) -> Any:
    """``layer(x)``: a new node; its output tensor(s). ``structure``: for the script's own layer,
    the list or tuple of how many tensors its call returns, when already known."""
    if layer.kind == "MultiHeadAttention":
        parts = [site.arg(0, "query"), site.arg(1, "value")]
        if site.has(2, "key"):
            parts.append(site.arg(2, "key"))
        tensors = [t for p in parts for t in (_tensors(p) or [None])]  # type: ignore[list-item]
        inputs = None if any(t is None for t in tensors) else tensors
    else:
        inputs = _tensors(site.arg(0, "inputs"))
        if inputs is None and tracing_calls[0] and isinstance(site.arg(0, "inputs"), Array):
            from keraslint.source.tensor_ops import constant_tensor  # it builds on this module

            constant = constant_tensor(site.arg(0, "inputs"), site.node)
            inputs = _tensors(constant) if constant is not None else None
        custom = layer.config.get(CUSTOM_LAYER_KEY)
        if custom is not None and inputs is not None and len(inputs) == 1 and len(site.args) > 1:
            # the script's layer takes more tensors as positional arguments: call(x, context)
            more = [_tensors(a) for a in site.args[1:]]
            if all(t is not None and len(t) == 1 for t in more):
                inputs = [*inputs, *(t[0] for t in more)]  # type: ignore[index]
                custom.called_with(len(inputs))
    call_kwargs = {k: plain(v) for k, v in site.kwargs.items() if k not in ("inputs", "query", "value", "key")}
    dependencies = [t for k, v in site.kwargs.items() if k not in ("inputs", "query", "value", "key")
                    for t in (_tensors(v) or [])]
    node = Node(layer=layer, inputs=inputs or [], node=site.node, call_kwargs=call_kwargs,
                output_count=output_count(layer, call_kwargs), dependencies=dependencies)
    layer.applied.append(node)
    if tracing_calls[0]:
        TRACED.add(node)  # inside a layer's call: part of that layer, not a layer of the model
    if inputs is None:
        # Called on something that is not a symbolic tensor we built: the output is unknown.
        node.call_kwargs["__unknown_input__"] = True
    from keraslint.source.custom_layers import call_outputs  # it builds on this module

    if structure is None:
        structure = call_outputs(layer, inputs, site.node)
    if structure is not None:
        node.output_count = structure[1]
    outputs = [_tensor_obj(Tensor(node, i), site) for i in range(node.output_count)]
    if structure is not None and structure[0] is list:
        return ListValue(outputs)  # a custom layer whose call returns a list: Keras gives the list
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


def sequential(site: CallSite) -> Obj:
    items = site.arg(0, "layers", default=None)
    graph = ModelGraph("sequential", name=_name(site), node=site.node)
    model = Obj(MODEL, site.node, {"graph": graph, "sequence": []})
    if items is None:
        return model
    if isinstance(items, ListValue):
        items = tuple(items.items)
    if not isinstance(items, tuple):
        graph.complete = False
        note_unknown(graph, "the model's layer list is not known to keraslint")
        model.data["sequence"].append(UNKNOWN)
        return model
    for item in items:
        add_to_sequential(model, item)
    return model


def add_to_sequential(model: Obj, item: Any, conditional: bool = False) -> None:
    model.data.setdefault("sequence", []).append((item, conditional))
    model.data.pop("built", None)


def _name(site: CallSite) -> str | None:
    name = plain(site.arg(None, "name", default=None))
    return name if isinstance(name, str) else None


def functional(site: CallSite) -> Obj:
    inputs = site.arg(0, "inputs", default=UNKNOWN)
    if inputs is UNKNOWN and "input" in site.kwargs:  # Keras 2: Model(input=..., output=...)
        inputs = site.kwargs["input"]
    outputs = site.arg(1, "outputs", default=UNKNOWN)
    if outputs is UNKNOWN and "output" in site.kwargs:
        outputs = site.kwargs["output"]
    in_tensors, out_tensors = _tensors(_flattened(inputs)), _tensors(_flattened(outputs))
    graph = ModelGraph("functional", inputs=in_tensors or [], outputs=out_tensors or [], name=_name(site),
                       node=site.node, complete=in_tensors is not None and out_tensors is not None,
                       outputs_keyed=isinstance(outputs, dict))
    for tensors, what, position in ((in_tensors, "inputs", 0), (out_tensors, "outputs", 1)):
        if tensors is None:
            from keraslint.source.model_parts import why_not_tensors  # it builds on this module

            code = argument_code(site, position, what) or argument_code(site, None, what[:-1])
            written = f" (`{code}`)" if code else ""
            why = why_not_tensors(inputs if position == 0 else outputs)
            note_unknown(graph, f"the {what} of keras.Model(...){written} are not tensors keraslint followed"
                         + (f": {why}" if why else ""))
    # ``model.input``/``model.output`` give back the structures as passed (a list, a dict ...)
    return Obj(MODEL, site.node, {"graph": graph, "structure": {"input": inputs, "output": outputs}})


def _flattened(value: Any, depth: int = 0) -> Any:
    """A structure of tensors as Keras 3's ``tree.flatten`` flattens it: dicts by sorted key,
    lists and tuples in order, nested ones too (``{"content": {...}, "style": {...}}``), so such
    inputs and outputs are followed like a flat list. Anything else is returned as it is."""
    if depth > 8:
        return UNKNOWN
    if isinstance(value, dict):
        if not value or not all(isinstance(k, str) for k in value):
            return value
        value = tuple(value[k] for k in sorted(value))
    elif isinstance(value, ListValue):
        value = tuple(value.items)
    if not isinstance(value, tuple) or not any(isinstance(v, (dict, tuple, ListValue)) for v in value):
        return value
    flat: list[Any] = []
    for item in value:
        inner = _flattened(item, depth + 1)
        flat.extend(inner if isinstance(inner, tuple) else [inner])
    return tuple(flat)


def flattened(value: Any) -> Any:
    """The tensors of a nested structure in Keras' order (see ``_flattened``)."""
    return _flattened(value)


def note_unknown(graph: ModelGraph, reason: str) -> None:
    """Record why part of a model is unknown, once (a builder may be rebuilt or run again)."""
    if reason not in graph.unknown:
        graph.unknown.append(reason)


#: calls that give a model data (so build an undeclared Sequential on its shape)
_FEEDING = frozenset({"fit", "predict", "evaluate", "train_on_batch", "test_on_batch", "predict_on_batch",
                      "__call__"})


def fed_data(site: CallSite) -> tuple[Shape | None, Any, str | None]:
    """What a call gives a model to build on: (the shape: ``build(shape)``'s or the fed data's,
    batch axis included; the data; the method), or (None, None, None) for a call that feeds
    nothing. Data is an array or the x part of a batched dataset's element (fed_data.fed_inputs)."""
    method = site.name.rsplit(".", 1)[-1]
    if method == "build":
        return shape_literal(site.arg(0, "input_shape")), None, method
    if method not in _FEEDING:
        return None, None, None
    from keraslint.source.fed_data import fed_inputs  # fed_data -> arrays: kept light

    data = site.arg(0, "inputs" if method == "__call__" else "x")
    x = fed_inputs(data)
    return (x.shape if x is not None else None), data, method


def fed(site: CallSite) -> None:
    """The first data an undeclared Sequential gets (or ``build(shape)``) fixes its input, as
    Keras builds it then. Only known shapes count, and only the first call: later data is
    what the contract rules compare with it."""
    model = site.receiver
    graph = model.data.get("graph") if model is not None and model.type == MODEL else None
    if graph is None or graph.kind != "sequential" or graph.fed is not None:
        return
    shape, data, method = fed_data(site)
    if method is None:
        return
    if method != "build" and (shape is None or len(shape) < 2):
        shape = None
        if not (isinstance(data, Obj) and data.type == TENSOR):
            from keraslint.source.fed_data import describe_origin

            # data (not a symbolic tensor) of unknown shape: the reason names it and its origin
            built = model_graph(model)
            head = built.inputs[0].node if built is not None and built.inputs else None
            undeclared = "input shape unknown: the model declares none (`keras.Input(...)` or `input_shape=`)"
            code = argument_code(site, 0, "inputs" if method == "__call__" else "x")
            if head is not None and head.input_shape is None and head.unknown_reason == undeclared and code:
                code = code if len(code) <= 60 else code[:57] + "..."
                head.unknown_reason = f"{undeclared}, and is first fed `{code}` ({method}), whose shape " \
                    f"keraslint could not determine{describe_origin(data)}"
    if shape is None or len(shape) < 2 or any(d is None for d in shape[1:]):
        return
    graph.fed = ((None, *shape[1:]), site.node)
    head = graph.inputs[0].node if model.data.get("built") and graph.inputs else None
    if head is not None and head.input_shape is None and head.unknown_reason is not None \
            and head.unknown_reason.startswith("input shape unknown: the model declares none"):
        head.input_shape, head.fed_by, head.unknown_reason = graph.fed[0], site.node, None


def model_graph(model: Obj) -> ModelGraph | None:
    """The model's graph; a Sequential's chain is (re)built from its layer list on demand."""
    graph = model.data.get("graph")
    if graph is None or graph.kind != "sequential" or model.data.get("built"):
        return graph
    _build_sequential(graph, model.data.get("sequence", []))
    model.data["built"] = True
    return graph


def _build_sequential(graph: ModelGraph, sequence: list[Any]) -> None:
    for old in graph.nodes() if graph.outputs else []:  # rebuilt after an add(): the old chain is gone
        if old.layer is not None and old in old.layer.applied:
            old.layer.applied.remove(old)
    entries = [(item, False) if not isinstance(item, tuple) else item for item in sequence]
    input_shape: Shape | None = None
    unknown: frozenset[int] = frozenset()
    reason: str | None = None
    start = 0
    if entries:
        first = entries[0][0]
        if isinstance(first, Obj) and first.type == TENSOR and "tensor" in first.data:
            declared = first.data["tensor"].node
            input_shape, unknown, reason = declared.input_shape, declared.unknown_axes, declared.unknown_reason
            start = 1
        elif isinstance(first, Obj) and first.type == LAYER and first.data["layer"].kind == "InputLayer":
            layer = first.data["layer"]
            input_shape = _input_layer_shape(layer)
            unknown = layer.declared_unknown if input_shape is layer.declared_input else frozenset()
            if input_shape is None or unknown:
                reason = _declared_reason(layer) or "input shape unknown: the InputLayer's shape is not known to keraslint"
            start = 1
        elif isinstance(first, Obj) and first.type == LAYER:
            layer = first.data["layer"]
            input_shape, unknown = layer.declared_input, layer.declared_unknown
            if unknown:
                reason = _declared_reason(layer)
    fed_by = None
    if input_shape is None and reason is None and graph.fed is not None:
        input_shape, fed_by = graph.fed  # Keras builds it on the first data it gets
    if input_shape is None and reason is None:
        reason = "input shape unknown: the model declares none (`keras.Input(...)` or `input_shape=`)"
    # The Input (or InputLayer) element, when there is one, is where the input is declared.
    declared_by = entries[0][0].node if start == 1 else graph.node
    head = Node(layer=None, inputs=[], input_shape=input_shape, node=declared_by, unknown_axes=unknown,
                unknown_reason=reason, fed_by=fed_by)
    graph.inputs = [Tensor(head)]
    current = Tensor(head)
    for item, conditional in entries[start:]:
        layer = _as_layer(item)
        if layer is None:
            graph.complete = False
            why = "the model's layer list is not known to keraslint" if item is UNKNOWN else \
                "an entry of the layer list is not a layer keraslint knows"
            note_unknown(graph, why)
            layer = Layer(kind="Opaque", config={}, pretrained=None, unknown_reason=why)
        node = Node(layer=layer, inputs=[current], node=layer.node, conditional=conditional)
        layer.applied.append(node)  # for `model.layers[i].output`
        current = Tensor(node)
    graph.outputs = [current]


_DECLARING = ("input_shape", "batch_input_shape", "batch_shape", "shape", "input_dim", "input_length")


def _declared_reason(layer: Layer) -> str | None:
    """``input shape comes from `input_shape=x.shape[1:]`, ...`` for the first layer's declaration."""
    call = layer.node
    if not isinstance(call, cst.Call):
        return None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in _DECLARING:
            code = _code(arg.value)
            if code:
                return f"input shape comes from `{arg.keyword.value}={code}`, which keraslint could not determine"
    return None


def _input_layer_shape(layer: Layer) -> Shape | None:
    config = layer.config
    if isinstance(config.get("batch_shape"), tuple):
        return config["batch_shape"]
    shape = config.get("shape", config.get("input_shape"))
    if isinstance(shape, tuple):
        return (None, *shape)
    return layer.declared_input


def _as_layer(item: Any) -> Layer | None:
    if isinstance(item, Obj) and item.type == LAYER:
        return item.data["layer"]
    if isinstance(item, Obj) and item.type == MODEL:
        return _model_as_layer(item)
    return None


def _model_as_layer(model: Obj) -> Layer | None:
    """One Layer per model object, so a model called twice shares its weights (counted once)."""
    if "as_layer" not in model.data:
        graph = model_graph(model)
        if graph is None and model.data.get("loaded"):
            # load_model(...): its layers are unknown, its weights are not fresh
            model.data["as_layer"] = Layer(kind="Opaque", config={}, node=model.node, spelled="Model", pretrained=True,
                                           unknown_reason="a model loaded from a file: keraslint does not read it "
                                           "when checking the script (check the file itself)")
            return model.data["as_layer"]
        if graph is None:
            return None
        model.data["as_layer"] = Layer(kind="Model", config={}, name=graph.name, node=model.node, submodel=graph)
    return model.data["as_layer"]


#: what sets the data_format of every layer built after it that does not pass its own
SET_DATA_FORMAT = frozenset({"keras.config.set_image_data_format", "keras.backend.set_image_data_format"})


def call(interp: Interpreter, site: CallSite) -> Any:
    """The result of a Keras model-building call, or NOT_MODELLED for anything else."""
    name = site.name
    if name in SET_DATA_FORMAT:
        value = site.arg(0, "data_format")
        known = isinstance(value, str) and value.lower() in ("channels_first", "channels_last")
        interp.image_data_format = value.lower() if known and not interp.uncertain and interp.reachable \
            else UNKNOWN
        return None
    if name.startswith(("keras.ops.", "tensorflow.", "keras.backend.", "keras.activations.")):
        from keraslint.source import tensor_ops  # it builds on this module

        result = tensor_ops.tensor_function(site)
        if result is not NOT_MODELLED:
            return result
    from keraslint.source.external_models import external_model  # it builds on this module

    external = external_model(site)
    if external is not None:
        return external
    if name.startswith("keras.applications.") and name.endswith(".preprocess_input"):
        tensors = _tensors(site.arg(0, "x"))
        if tensors is not None and len(tensors) == 1:
            # On a symbolic input it is an element-wise op (Keras records it as a node): the shape
            # goes through, and the graph stays connected to its Input.
            op = Layer(kind="Identity", config={"__preprocess__": name}, name="preprocess_input", node=site.node,
                       spelled="preprocess_input")
            return apply_layer(op, site)
    if name in ("keras.models.save_model", "keras.models.load_model") or \
            site.receiver is not None and site.receiver.type == MODEL and name.endswith(".save"):
        from keraslint.source import model_parts  # it builds on this module

        if name == "keras.models.load_model":
            again = model_parts.loaded(interp, site)
            if again is not None:
                return again
        else:
            model_parts.saved(interp, site)
    if name == "keras.Input":
        return make_input(site)
    if name == "keras.Sequential":
        return sequential(site)
    if name == "keras.Model":
        return functional(site)
    if name.startswith("keras.layers."):
        leaf = name[len("keras.layers."):]
        if leaf in MERGE_FUNCTIONS:
            kind = MERGE_FUNCTIONS[leaf]
            layer_site_kwargs = {k: v for k, v in site.kwargs.items() if k != "inputs"}
            name = layer_site_kwargs.get("name")
            layer = Layer(kind=kind, config={k: plain(v) for k, v in layer_site_kwargs.items() if k != "name"},
                          node=site.node, spelled=leaf, name=name if isinstance(name, str) else None)
            return apply_layer(layer, site)
        kind = layer_kind(name)
        if kind is not None:
            return make_layer(site, kind, interp.image_data_format)
    receiver = site.receiver
    if receiver is not None:
        method = name.rsplit(".", 1)[-1]
        if receiver.type in (LAYER, MODEL) and method == "__call__" and isinstance(site.arg(0, "inputs"), Array):
            from keraslint.source import custom_layer_calls  # it builds on this module

            applied = custom_layer_calls.apply_sublayer(interp, receiver, site)
            if applied is not NOT_MODELLED:
                return applied
        if receiver.type == LAYER and method == "__call__":
            if receiver.data["layer"].kind == "Lambda":
                from keraslint.source.tensor_ops import trace_lambda  # it builds on this module

                traced = trace_lambda(interp, receiver, site)
                if traced is not None:
                    return traced
            if "script_class" in receiver.data:
                from keraslint.source import subclass  # it builds on this module

                traced = subclass.trace_layer_call(interp, receiver, site)
                if traced is not None:
                    return traced
            applied = apply_layer(receiver.data["layer"], site)
            if _tensors(applied) is not None and not _tensors(applied)[0].node.call_kwargs.get("__unknown_input__"):
                return applied  # a node of the graph (a constant embedded in a traced call, too)
            on_data = eager_calls.layer_on_data(receiver.data["layer"], site)
            return applied if on_data is None else on_data
        if receiver.type == MODEL and method == "__call__":
            layer = _model_as_layer(receiver)
            if layer is not None and _tensors(site.arg(0, "inputs")) is not None:
                return apply_layer(layer, site)
            on_data = eager_calls.model_on_data(receiver, site)
            return UNKNOWN if on_data is None else on_data
        if receiver.type == MODEL and method == "get_layer":
            from keraslint.source.model_parts import get_layer  # it builds on this module

            found = get_layer(receiver, site)
            if found is not NOT_MODELLED:
                return found
            from keraslint.source.model_parts import missing_layer

            missing = missing_layer(receiver, site)
            if missing is not None:
                return missing
        if receiver.type == MODEL and method == "add" and "sequence" in receiver.data:
            add_to_sequential(receiver, site.arg(0, "layer"), conditional=interp.uncertain)
            return None
    return NOT_MODELLED


#: nodes made while following a custom layer's, a Lambda's or a subclass's call
TRACED: weakref.WeakSet[Node] = weakref.WeakSet()
#: the script's layers whose call was followed into the graph (they have no node of their own)
TRACED_LAYERS: weakref.WeakSet[Obj] = weakref.WeakSet()

def register_node(layer: Layer, node: Node) -> None:
    """Record an application of ``layer`` made outside ``apply_layer``, for ``layer.output``."""
    layer.applied.append(node)
