"""Subclassed models: ``class Net(keras.Model)`` with layers made in ``__init__`` (or ``build``)
and wired in ``call``.

When the script creates an instance, the pass runs its ``__init__`` with the instance as
``self`` (so ``self.conv = Conv1D(...)`` is an attribute, as for any script class), then its
``build`` and ``call`` once on a symbolic input: the layers ``call`` applies become the
model's graph, exactly as a functional model's would. The input's shape is unknown until the
model is fed: the first ``fit``/``predict``/``evaluate``/``model(x)`` with an array of known
shape, or ``model.build(shape)``, gives it (a subclassed model takes whatever it is first fed,
so that data is what its layers are built for). Python control flow in ``call`` on static
values is followed; a ``training`` argument takes its default.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import libcst as cst

from keraslint.ir.graph import Layer, ModelGraph, Node, Tensor
from keraslint.shapes.custom import CUSTOM_LAYER_KEY
from keraslint.source import custom_layers, models
from keraslint.source.values import ClassValue, ListValue, Obj
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter


def instantiate(interp: Interpreter, obj: Obj, cls: ClassValue, args: list[Any], kwargs: dict[str, Any],
                node: Any, star: bool) -> None:
    """Run ``__init__`` on the new instance, then trace ``call`` into a graph."""
    obj.data["script_class"] = cls
    obj.data.setdefault("attrs", {})
    init = interp._script_method(obj, "__init__")
    if init is not None:
        interp.call(init, args, kwargs, node, star)
    elif obj.type == models.MODEL and cls.base == "keras.Model" and not star:
        # no __init__ of its own: keras.Model's, so `Net(inputs, outputs)` is that functional
        # model (a subclass that only overrides train_step or metrics)
        from keraslint.source.instances import KerasInit, keras_init

        keras_init(interp, KerasInit(obj), args, kwargs, node)
    if obj.type == models.LAYER:
        custom_layers.attach(interp, obj, cls)
        return
    call = interp._script_method(obj, "call")
    if call is None or obj.type != models.MODEL or "graph" in obj.data:
        return
    head = Node(layer=None, inputs=[], input_shape=None, node=node)
    obj.data["subclass_input"] = head
    own = _has_own_weights(cls)
    if own:
        obj.data["init_weights"] = obj.data.pop("own_weights", [])
    build = interp._script_method(obj, "build")
    if build is not None:
        interp.call(build, [UNKNOWN], {}, None)
    if own and not custom_layers._holds_layers(obj.data.get("attrs", {})):
        # (layers made in build count too: it has run)
        _as_custom_layer(interp, obj, cls, head, node)
        return
    _trace(interp, obj, cls, call, head, node, own)


def _trace(interp: Interpreter, obj: Obj, cls: ClassValue, call: Any, head: Node, node: Any, own: bool) -> None:
    """Follow ``call`` on the model's input into its graph. A ``call`` that asks for the shape of
    its input (``tf.shape(inputs)[0]``) before the model is fed is followed again once it is."""
    from keraslint.source import tensor_ops  # it builds on models, as this module does

    tensor = models.tensor_value(Tensor(head), node)
    asked = tensor_ops.unknown_rank_queries[0]
    models.tracing_calls[0] += 1
    try:
        outputs = models.tensors_of(models.flattened(interp.call(call, [tensor], {}, None)))
    finally:
        models.tracing_calls[0] -= 1
    if head.input_shape is None and tensor_ops.unknown_rank_queries[0] > asked:
        obj.data["retrace"] = (call, own)
    if own and outputs:
        # its sub-layers are in the graph; the weights it makes itself are counted by a node of
        # their own, built on the model's input shape
        layer = Layer(kind="Opaque", config={}, node=node, spelled=f"{cls.name} (own weights)", pretrained=None)
        layer.config[CUSTOM_LAYER_KEY] = custom_layers.OwnWeights(interp, obj, cls, layer)
        outputs[0].node.dependencies.append(Tensor(Node(layer=layer, inputs=[Tensor(head)], node=node)))
    obj.data["graph"] = ModelGraph("subclass", inputs=[Tensor(head)], outputs=outputs or [], name=cls.name,
                                   node=node, complete=outputs is not None)


def _as_custom_layer(interp: Interpreter, obj: Obj, cls: ClassValue, head: Node, node: Any) -> None:
    """A model that computes with weights of its own (``self.add_weight`` in ``build``, ``tnp.matmul``
    in ``call``) and holds no Keras layers: to Keras it is one layer, so its graph is one node that
    runs ``build`` and ``call`` on the input shape as a custom layer does (custom_layers.py)."""
    layer = Layer(kind="Opaque", config={}, node=node, spelled=cls.name, pretrained=None)
    layer.config[CUSTOM_LAYER_KEY] = custom_layers.CustomLayer(interp, obj, cls, layer)
    applied = Node(layer=layer, inputs=[Tensor(head)], node=node)
    obj.data["graph"] = ModelGraph("subclass", inputs=[Tensor(head)], outputs=[Tensor(applied)], name=cls.name,
                                   node=node, complete=True)


def fed(interp: Interpreter, site: CallSite) -> None:
    """The first data a subclassed model sees (or ``build(shape)``) fixes its input shape. It is
    not a declaration: later data of another size is what the layers decide on (a fully
    convolutional model takes any image size), so, as for a Sequential built on its first data,
    the data rules do not compare it with that shape."""
    receiver = site.receiver
    head = receiver.data.get("subclass_input") if receiver is not None else None
    if head is None or head.input_shape is not None:
        return
    shape, data, method = models.fed_data(site)
    if shape is None and method == "__call__":
        shape = _symbolic_shape(data)
    if shape is not None and len(shape) >= 1:
        head.input_shape, head.fed_by = (None, *shape[1:]), site.node
        retrace = receiver.data.pop("retrace", None)
        cls = receiver.data.get("script_class")
        if retrace is not None and isinstance(cls, ClassValue):
            from keraslint.source import tensor_ops

            tensor_ops.forget_static_results()  # they were computed while the input was unknown
            call, own = retrace
            _trace(interp, receiver, cls, call, head, receiver.data["graph"].node, own)
            as_layer = receiver.data.get("as_layer")
            if as_layer is not None and as_layer.kind == "Model":
                as_layer.submodel = receiver.data["graph"]  # the one Layer stands for the model everywhere


def _symbolic_shape(data: Any) -> tuple[Any, ...] | None:
    """The static shape of one Keras tensor a model is applied to inside another model's ``call``
    (DeiT's trainer calls its student there), when every axis is a number or a run-time size; None
    otherwise, so a tensor of a shape keraslint could not determine never fixes the input."""
    from keraslint.source import tensor_ops
    from keraslint.source.values import is_dynamic_dim

    if not (isinstance(data, Obj) and data.type == models.TENSOR):
        return None
    dims = tensor_ops.static_dims(data)
    if dims is None or not all(is_dynamic_dim(d) or isinstance(d, int) and not isinstance(d, bool) for d in dims):
        return None
    return tuple(None if is_dynamic_dim(d) else d for d in dims)


#: names whose use in a custom layer means it holds weights of its own, which tracing its
#: sub-layers would not count
_OWN_WEIGHTS = ("add_weight", "add_variable", "Variable")


def trace_layer_call(interp: Interpreter, layer: Obj, site: CallSite) -> Any:
    """``custom(x)`` for ``class Custom(keras.layers.Layer)`` built from Keras layers: its ``call``
    runs on the tensors, so the sub-layers it applies join the model's graph. None (apply it as
    one layer, custom_layers.py) when it has weights of its own, holds no Keras layers, or
    ``call`` gives no symbolic tensors."""
    cls = layer.data.get("script_class")
    if not isinstance(cls, ClassValue) or _has_own_weights(cls):
        return None
    call = interp._script_method(layer, "call")
    inputs = site.arg(0, "inputs")
    if call is None or models.tensors_of(inputs) is None:
        return None
    if not layer.data.get("built"):
        layer.data["built"] = True
        build = interp._script_method(layer, "build")
        if build is not None:
            interp.call(build, [UNKNOWN], {}, None)
    if not custom_layers._holds_layers(layer.data.get("attrs", {})):
        # only ops on its input (``ops.shape``, ``extract_patches``, ``reshape``): to Keras it is
        # one layer, followed on the input shape by custom_layers.py
        return None
    kwargs = {k: v for k, v in site.kwargs.items() if k != "inputs"}
    # every positional argument: call(self, inputs, encoder_outputs) takes a second tensor
    arguments = [inputs, *site.args[1:]] if site.args else [inputs]
    models.tracing_calls[0] += 1
    try:
        result = interp.call(call, arguments, kwargs, None, site.star_args)
    finally:
        models.tracing_calls[0] -= 1
    found = models.tensors_of(models.flattened(result))
    if found is None:
        return None
    custom = layer.data["layer"].config.get(CUSTOM_LAYER_KEY)
    if len(found) > 1 and isinstance(custom, custom_layers.CustomLayer) and isinstance(result, (tuple, ListValue)):
        # Keras counts all its weights even where the model uses one of its outputs: one layer
        # (custom_layers.py) of as many outputs as this call gave, which counts every sub-layer
        inputs_given = models.tensors_of(inputs) or []
        custom.output_counts[len(inputs_given)] = len(found)
        return models.apply_layer(layer.data["layer"], site, structure=(type(result) if isinstance(result, tuple)
                                                                        else list, len(found)))
    # to Keras it is one layer: its `.output` is what this call gave (model_parts.get_layer)
    layer.data.setdefault("traced_calls", []).append((inputs, result))
    models.TRACED_LAYERS.add(layer)
    return result


def _has_own_weights(cls: ClassValue) -> bool:
    # imported here: statements imports api, which imports this module
    from keraslint.source.statements import _walk

    names = {node.value for node in _walk(cls.node) if isinstance(node, cst.Name)}
    return any(name in names for name in _OWN_WEIGHTS)
