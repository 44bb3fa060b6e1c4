"""keras.applications backbones against Keras: each script is checked by keraslint and run under
Keras (``weights=None``: nothing is downloaded), and both must agree on every output shape and
on the parameter count. The cases are chosen for the arithmetic that is easy to get wrong: odd
sizes through ``correct_pad`` (MobileNetV2, EfficientNet), "valid" stems (InceptionV3, Xception),
a network built for no size and called on one, one input channel, VGG's flattened top, and
``input_tensor=``. The generator (scripts/gen_applications.py) checks every tabulated network
the same way; this keeps a few in CI, small ones, as each build costs a second or two."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import libcst as cst
import pytest

from keraslint.graph.propagate import analyze_model
from keraslint.source.analysis import analyze

keras = pytest.importorskip("keras")

HEAD = "import keras\nfrom keras import layers\n"
CASES = {
    "mobilenetv2_odd_sizes": "base = keras.applications.MobileNetV2(weights=None, include_top=False, "
                             "input_shape=(97, 131, 3))\nmodel = keras.Model(base.input, base.output)\n",
    "mobilenetv2_small_alpha_top": "base = keras.applications.MobileNetV2(alpha=0.35, weights=None, classes=7, "
                                   "input_shape=(96, 96, 3))\nmodel = keras.Model(base.inputs, base.outputs)\n",
    # built for no size: correct_pad takes an unknown size as even, whatever it is later called on
    "mobilenetv2_built_dynamic_called_odd": "base = keras.applications.MobileNetV2(weights=None, include_top=False)\n"
                                            "inp = keras.Input((225, 99, 3))\nmodel = keras.Model(inp, base(inp))\n",
    "efficientnetb0_gray": "base = keras.applications.EfficientNetB0(weights=None, include_top=False, "
                           "input_shape=(33, 225, 1))\nmodel = keras.Model(base.input, base.output)\n",
    "inceptionv3_minimum_max_pool": "base = keras.applications.InceptionV3(weights=None, include_top=False, "
                                    "input_shape=(75, 80, 3), pooling='max')\n"
                                    "model = keras.Model(base.input, layers.Dense(3)(base.output))\n",
    "vgg16_flatten_top": "base = keras.applications.VGG16(weights=None, classes=3, input_shape=(64, 96, 3))\n"
                         "model = keras.Model(base.input, base.output)\n",
    "resnet50v2_input_tensor": "inp = keras.Input((120, 77, 3))\nx = layers.Rescaling(1 / 255)(inp)\n"
                               "base = keras.applications.ResNet50V2(weights=None, include_top=False, "
                               "input_tensor=x, pooling='avg')\nmodel = keras.Model(base.input, base.output)\n",
    "mobilenet_head_on_call": "base = keras.applications.MobileNet(alpha=0.25, weights=None, include_top=False, "
                              "input_shape=(99, 99, 3))\ninp = keras.Input((99, 99, 3))\n"
                              "x = layers.GlobalAveragePooling2D()(base(inp, training=False))\n"
                              "model = keras.Model(inp, layers.Dense(5)(x))\n",
}


def _keras_model(code: str):
    keras.backend.clear_session()
    namespace: dict = {}
    exec(compile(code, "<generated>", "exec"), namespace)  # our own generated model code
    return namespace["model"]


@pytest.mark.slow
@pytest.mark.parametrize("name", CASES)
def test_backbone_matches_keras(name: str) -> None:
    code = HEAD + CASES[name]
    (graph,) = analyze(cst.parse_module(code)).models.graphs()
    ours = analyze_model(graph)
    theirs = _keras_model(code)
    shapes = theirs.output_shape
    assert ours.output_shapes() == ([tuple(s) for s in shapes] if isinstance(shapes, list) else [tuple(shapes)]), name
    assert ours.total_params() == theirs.count_params(), name


@pytest.mark.slow
def test_vgg_layers_by_name_match_keras_shapes() -> None:
    # VGG's inner layers are shaped; their parameters (shared with the rest of the network) are not counted
    code = (HEAD + "base = keras.applications.VGG16(weights=None, include_top=False, input_shape=(100, 75, 3))\n"
            "names = ['block1_conv2', 'block3_pool', 'block4_conv3', 'block5_pool']\n"
            "model = keras.Model(base.input, [base.get_layer(name).output for name in names])\n")
    (graph,) = analyze(cst.parse_module(code)).models.graphs()
    ours = analyze_model(graph)
    assert ours.output_shapes() == [tuple(s) for s in _keras_model(code).output_shape]
    assert ours.total_params() is None
