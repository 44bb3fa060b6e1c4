"""Networks keraslint does not build layer by layer: ``keras.applications`` backbones (shaped
as a whole by applications.py, or one opaque layer), TF Hub modules, and the keras_hub /
keras_nlp / keras_cv ecosystem's models and layers (opaque parts of the graph, so a model
built around them is still found and checked). Moved out of models.py, which uses it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from keraslint.ir.graph import Layer
from keraslint.source.models import LAYER, MODEL
from keraslint.source.values import Obj
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite


#: Keras-ecosystem packages whose models and layers keraslint does not model layer by layer:
#: they stay opaque parts of the graph (unknown output shapes), so a model built around them is
#: still found and checked.
ECOSYSTEM_PREFIXES = ("keras_hub.", "keras_nlp.", "keras_cv.")


def external_model(site: CallSite) -> Obj | None:
    """A pretrained or ecosystem network: ``keras.applications.ResNet50(...)``,
    ``keras_hub.models.BertBackbone.from_preset(...)``, ``keras_cv.layers.RandAugment(...)``.

    Models are MODEL objects without a graph that act as one opaque layer when called; ``pretrained``
    says whether their weights come from elsewhere (``weights="imagenet"``, ``from_preset``), which
    decides whether an unseeded run initialises anything at random."""
    name = site.name
    parts = name.split(".")
    preset = parts[-1] in ("from_preset", "from_config") and len(parts) >= 3
    leaf = parts[-2] if preset else parts[-1]
    if not leaf[:1].isupper():
        return None
    if name == "tensorflow_hub.KerasLayer":
        # a TF Hub module: its weights come from the hub
        return Obj(LAYER, site.node, {"layer": Layer(kind="Opaque", config={}, node=site.node, spelled="KerasLayer",
                                                      pretrained=True, unknown_reason="layer KerasLayer: a TF Hub "
                                                      "module, not modelled by keraslint")})
    if name.startswith("keras.applications."):
        weights = site.arg(None, "weights", default="imagenet")
        pretrained: bool | None = None if weights is UNKNOWN else weights is not None
        if len(parts) == 3 or (len(parts) == 4 and parts[2].islower()):  # keras.applications.vgg16.VGG16
            from keraslint.source.applications import application  # it builds on this module

            backbone = application(site, leaf, pretrained)
            if backbone is not None:
                return backbone
        kind = "model"
    elif name.startswith(ECOSYSTEM_PREFIXES) and len(parts) >= 3 and parts[1] in ("models", "layers"):
        pretrained = parts[-1] == "from_preset"
        kind = "model" if parts[1] == "models" else "layer"
    else:
        return None
    layer = Layer(kind="Opaque", config={}, node=site.node, spelled=leaf, pretrained=pretrained,
                  unknown_reason=f"{'layer' if kind == 'layer' else 'model'} {leaf} ({'.'.join(parts[:2])}): "
                  "not modelled by keraslint")
    if kind == "layer" and not preset:
        return Obj(LAYER, site.node, {"layer": layer})
    return Obj(MODEL, site.node, {"loaded": True, "pretrained": pretrained, "as_layer": layer})
