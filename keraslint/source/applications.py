"""``keras.applications.X(...)``: a backbone as a functional model of one ``Application`` layer.

The model's graph is an Input (the shape Keras builds the network for: ``input_shape=``, or the
default size with the top, or ``(None, None, 3)`` without it) and one node of the whole network,
so ``base.input``/``base.output``, ``base(x)`` and ``keras.Model(base.input, head(base.output))``
go through the same code as any functional model. With ``input_tensor=`` the network is applied
to that tensor and the model's inputs are that tensor's own inputs, as Keras does
(``get_source_inputs``). The shape engine (keraslint/shapes/applications.py) does the arithmetic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from keraslint.ir.graph import Layer, ModelGraph, Node, Tensor
from keraslint.ir.normalize import plain, shape_literal
from keraslint.shapes.applications import vgg_layer, vgg_layer_names
from keraslint.source.models import (
    LAYER,
    MODEL,
    argument_code,
    register_node,
    tensors_of,
    unknown_dims,
)
from keraslint.source.values import NOT_MODELLED, ListValue, Obj
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite

_ABSENT = object()


def _tables() -> tuple[dict[str, tuple[Any, ...]], dict[str, tuple[str, ...]]]:
    from keraslint.shapes.application_table import APPLICATIONS, PARAMETERS

    return APPLICATIONS, PARAMETERS


def application(site: CallSite, leaf: str, pretrained: bool | None) -> Obj | None:
    """The backbone as a model, or None for a network keraslint does not tabulate (or arguments
    unpacked from ``*args``), which then stays one opaque layer."""
    applications, parameters = _tables()
    entry = applications.get(leaf)
    if entry is None or site.star_args:
        return None
    order = parameters[leaf]

    def arg(key: str, default: Any) -> Any:
        value = site.arg(order.index(key) if key in order else None, key, default=default)
        return UNKNOWN if value is UNKNOWN else plain(value)

    _, default, _, _, top_sizes, keras_name, widths = entry
    include_top, pooling = arg("include_top", True), arg("pooling", None)
    classes, alpha, weights = arg("classes", 1000), arg("alpha", 1.0), arg("weights", "imagenet")
    tensor_value = site.arg(order.index("input_tensor") if "input_tensor" in order else None, "input_tensor",
                            default=None)
    tensors = tensors_of(tensor_value) if tensor_value is not None else None
    if tensor_value is not None and (tensors is None or len(tensors) != 1):
        return None  # applied to something keraslint did not follow: one opaque layer, as before
    raw_shape = site.arg(order.index("input_shape") if "input_shape" in order else None, "input_shape", default=None)
    reason = _unknown_reason(leaf, include_top, pooling, alpha, widths, arg("depth_multiplier", 1))
    name = arg("name", None)
    config: dict[str, Any] = {"application": leaf, "include_top": include_top, "pooling": pooling, "classes": classes,
                              "alpha": alpha, "weights": weights, "declared": raw_shape is not None}
    layer = Layer(kind="Application", config=config, node=site.node, spelled=leaf, pretrained=pretrained,
                  unknown_reason=reason)
    if tensors is not None:
        config["input_shape"] = None
        node = Node(layer=layer, inputs=list(tensors), node=site.node)
        inputs = [Tensor(n) for n in ModelGraph("functional", outputs=[Tensor(node)]).nodes() if n.is_input]
    else:
        head = _input(site, raw_shape, order.index("input_shape") if "input_shape" in order else None, include_top,
                      default)
        shape = head.input_shape
        config["input_shape"] = tuple(UNKNOWN if shape is None or i + 1 in head.unknown_axes else shape[i + 1]
                                    for i in range(3))
        node = Node(layer=layer, inputs=[Tensor(head)], node=site.node)
        inputs = [Tensor(head)]
    if not isinstance(name, str):
        name = keras_name if not leaf.startswith("MobileNet") else \
            _mobilenet_name(leaf, alpha, weights, config["input_shape"], top_sizes)
    layer.name = name
    graph = ModelGraph("functional", inputs=inputs, outputs=[Tensor(node)], name=name, node=site.node)
    return Obj(MODEL, site.node, {"graph": graph, "pretrained": pretrained, "backbone": node})


def _mobilenet_name(leaf: str, alpha: Any, weights: Any, built: Any, top_sizes: tuple[int, ...]) -> str | None:
    """Keras names MobileNet(V2) after alpha and the rows it loads weights for (``mobilenetv2_1.00_160``)."""
    if not isinstance(alpha, (int, float)) or not isinstance(built, tuple):
        return None
    rows, cols = built[0], built[1]
    if weights == "imagenet" and (rows != cols or rows not in top_sizes):
        rows = 224  # Keras loads the 224 weights then
    elif rows is UNKNOWN:
        return None
    return f"{leaf.lower()}_{alpha:0.2f}_{rows}"


def inner_layer(model: Obj, name: str, where: Any) -> Any:
    """``base.get_layer("block5_conv3")`` on a backbone: a layer whose output is unknown (its inner
    layers are not modelled) but stays connected to the backbone's input, so a model built on it
    is found and says why it is not shaped. NOT_MODELLED for any other model."""
    backbone = model.data.get("backbone")
    if not isinstance(backbone, Node) or backbone.layer is None:
        return NOT_MODELLED
    inner = model.data.setdefault("inner", {})
    if name not in inner:  # Keras gives the same layer object each time
        network = backbone.layer
        if vgg_layer(network.spelled, name) is not None:  # VGG's by rule, the others measured by the generator
            layer = Layer(kind="Application", config={**network.config, "until": name}, name=name, node=where,
                          spelled=network.spelled, pretrained=network.pretrained)
        else:
            layer = Layer(kind="Opaque", config={"__inner__": True}, name=name, node=where, spelled=name,
                          pretrained=network.pretrained, unknown_reason=f"layer '{name}' of {network.spelled} "
                          "(keras.applications): keraslint models the network as a whole, not this inner layer "
                          "(its name or shape is not in the measured table)")
        register_node(layer, Node(layer=layer, inputs=list(backbone.inputs), node=where))
        inner[name] = Obj(LAYER, where, {"layer": layer})
    return inner[name]


def inner_layers(model: Obj) -> Any:
    """``base.layers`` of a VGG backbone: its InputLayer, then every convolution and pooling layer
    in order (``block1_conv1`` ... ``block5_pool``), each as ``get_layer`` gives it. The InputLayer's
    name is Keras' own (``input_layer``, ``input_layer_1`` ... counted over the session): unknown.
    NOT_MODELLED for other backbones (their inner layers are not modelled) and other models."""
    backbone = model.data.get("backbone")
    if not isinstance(backbone, Node) or backbone.layer is None:
        return NOT_MODELLED
    network = backbone.layer
    names = vgg_layer_names(network.spelled)
    if not names or network.config.get("include_top") is not False or network.config.get("pooling") is not None:
        return NOT_MODELLED  # the top's and the pooling layer's names are not tabulated
    head = model.data["graph"].inputs
    if len(head) != 1 or len(backbone.inputs) != 1 or backbone.inputs[0].node is not head[0].node:
        return NOT_MODELLED  # built on an input_tensor= with layers of its own before it
    input_layer = Obj(LAYER, model.node, {"layer": Layer(kind="InputLayer", config={}, node=model.node),
                                          "input_tensor": head[0]})
    return ListValue([input_layer, *(inner_layer(model, name, model.node) for name in names)])


def _unknown_reason(leaf: str, include_top: Any, pooling: Any, alpha: Any, widths: dict[float, Any],
                    depth_multiplier: Any) -> str | None:
    where = f"model {leaf} (keras.applications)"
    if include_top is UNKNOWN:
        return f"{where}: `include_top` is not known to keraslint"
    if include_top is False and pooling is UNKNOWN:
        return f"{where}: `pooling` is not known to keraslint"
    if alpha is UNKNOWN:
        return f"{where}: `alpha` is not known to keraslint"
    if alpha not in widths:
        return f"{where}: alpha={alpha!r} is not tabulated (keraslint has Keras' numbers for " \
            f"{', '.join(map(str, widths))})"
    if depth_multiplier != 1:
        return f"{where}: depth_multiplier={depth_multiplier!r} is not modelled"
    return None


def _input(site: CallSite, raw_shape: Any, position: int | None, include_top: Any, default: int) -> Node:
    """The Input Keras builds the network on (``obtain_input_shape``)."""
    if raw_shape is None:
        if include_top is UNKNOWN:
            return Node(layer=None, inputs=[], node=site.node, unknown_reason="input shape unknown: it depends on "
                        "`include_top`, which keraslint could not determine")
        # with the top Keras needs a static size and takes the default; without it any size goes
        shape = (None, default, default, 3) if include_top else (None, None, None, 3)
        return Node(layer=None, inputs=[], input_shape=shape, node=site.node)
    dims = shape_literal(raw_shape)
    code = argument_code(site, position, "input_shape")
    why = f"input shape comes from `{code}`, which keraslint could not determine" if code else \
        "input shape unknown: `input_shape` is not a shape keraslint could read"
    if dims is None or len(dims) != 3:
        return Node(layer=None, inputs=[], node=site.node, unknown_reason=why)
    unknown = unknown_dims(raw_shape, 1)
    return Node(layer=None, inputs=[], input_shape=(None, *dims), node=site.node, unknown_axes=unknown,
                unknown_reason=why if unknown else None)
