"""Whether a model scales raw 0-255 input itself before it computes with it (KL206).

The walk goes forward from the model input, through layers that only move, crop, resize or
augment pixels (values stay 0-255) and into nested models (a ``data_augmentation``
Sequential), until each path meets a layer that scales (``Rescaling``, ``Normalization``,
a normalization layer, ``keras.applications.*.preprocess_input``) or one that computes with
the raw values (a ``Dense``, a convolution ...). Anything else on the way (an opaque or
custom layer, a ``Lambda``, an op keraslint does not follow) may scale, so it makes the
answer unknown, and unknown is never reported.
"""

from __future__ import annotations

from enum import Enum

from keraslint.graph.layers import NORMALIZATIONS, POOLINGS, WEIGHTED
from keraslint.ir.graph import ModelGraph, Node


class Scaling(Enum):
    SCALED = "scaled"
    UNSCALED = "unscaled"
    UNKNOWN = "unknown"
    PASSES = "passes"
    """Only value-preserving layers up to the model's output (a nested augmentation model)."""


_SCALES = NORMALIZATIONS | {"Rescaling", "Normalization"}
# Keep values in 0-255: geometry, augmentation, pooling, dropout. RandomBrightness and
# RandomContrast shift or stretch values within the image's own value range.
_KEEPS_VALUES = POOLINGS | frozenset({
    "Reshape", "Flatten", "Permute", "Identity", "Resizing", "CenterCrop", "Cropping1D", "Cropping2D", "Cropping3D",
    "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "UpSampling1D", "UpSampling2D", "UpSampling3D",
    "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomCrop", "RandomContrast",
    "RandomBrightness", "RandomHeight", "RandomWidth", "Dropout", "SpatialDropout1D", "SpatialDropout2D",
    "SpatialDropout3D", "GaussianNoise",
})
# Nested models deeper than this are not followed (a hostile saved config may nest forever).
_MAX_NESTING = 8


def input_scaling(graph: ModelGraph, index: int = 0, depth: int = 0) -> Scaling:
    """How the model treats the values fed to its input ``index``."""
    if index >= len(graph.inputs) or depth > _MAX_NESTING:
        return Scaling.UNKNOWN
    nodes = graph.nodes()
    consumers: dict[int, list[Node]] = {}
    for node in nodes:
        for tensor in node.inputs:
            consumers.setdefault(tensor.node.id, []).append(node)
    output_ids = {tensor.node.id for tensor in graph.outputs}
    outcomes: set[Scaling] = set()
    stack, seen = [graph.inputs[index].node], set()
    while stack:
        node = stack.pop()
        if node.id in output_ids:
            outcomes.add(Scaling.PASSES)
        for consumer in consumers.get(node.id, []):
            if consumer.id in seen:
                continue
            seen.add(consumer.id)
            outcome = _layer_scaling(consumer, depth)
            if outcome is Scaling.PASSES:
                stack.append(consumer)
            else:
                outcomes.add(outcome)
    # The input feeds nothing the model's outputs depend on: the walk lost it (an op on the
    # symbolic tensor, `inputs / 255.0`, is not a node), so what happens to it is unknown.
    for answer in (Scaling.UNSCALED, Scaling.UNKNOWN, Scaling.SCALED, Scaling.PASSES):
        if answer in outcomes:
            return answer
    return Scaling.UNKNOWN


def _layer_scaling(node: Node, depth: int) -> Scaling:
    layer = node.layer
    if layer is None:
        return Scaling.UNKNOWN
    if layer.kind in _SCALES or (layer.kind == "Identity" and "__preprocess__" in layer.config):
        return Scaling.SCALED
    if layer.kind == "Model":
        submodel = layer.submodel
        if submodel is None or len(submodel.inputs) != 1:
            return Scaling.UNKNOWN  # a pretrained network may scale its input itself (EfficientNet does)
        return input_scaling(submodel, 0, depth + 1)
    if layer.kind in _KEEPS_VALUES:
        return Scaling.PASSES
    if layer.kind in WEIGHTED:
        return Scaling.UNSCALED
    return Scaling.UNKNOWN
