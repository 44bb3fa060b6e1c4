"""Layers the script defines itself (``class Scale(keras.layers.Layer)``).

The shape engine cannot know such a layer from its kind (it is ``Opaque``); the source pass
may attach a model of it under ``config["custom_layer"]``: an object whose ``infer(inputs)``
runs the layer's own ``compute_output_shape`` or ``call`` on the input shapes of this node
(keraslint/source/custom_layers.py). Without one the layer stays opaque.
"""

from __future__ import annotations

from typing import Protocol

from keraslint.shapes.args import Args
from keraslint.shapes.errors import UnsupportedLayer
from keraslint.shapes.registry import register
from keraslint.shapes.spec import LayerResult, Shape

#: the config key the source pass uses for the model of a script's layer
CUSTOM_LAYER_KEY = "custom_layer"
#: kinds registered that are not Keras layer classes (not part of the engine's vocabulary): this
#: module's, and a whole keras.applications network (applications.py)
INTERNAL_KINDS = frozenset({"Opaque", "Application"})


class CustomLayerModel(Protocol):
    def infer(self, inputs: list[Shape]) -> LayerResult: ...


@register("Opaque")
def _custom(args: Args, inputs: list[Shape]) -> LayerResult:
    model = args.raw(CUSTOM_LAYER_KEY)
    infer = getattr(model, "infer", None)
    if infer is None:
        raise UnsupportedLayer(args.kind, "not modelled by the shape engine")
    return infer(inputs)
