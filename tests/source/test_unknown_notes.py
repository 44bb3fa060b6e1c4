"""Reasons that name the real cause of a layer applied to a value keraslint did not follow
(issue 9's coverage report): a function of a module that is not on disk in the project
(downloaded with wget at run time), a function no longer followed after too many calls, a
tensor that is one of two after an undecided ``if`` whose test reads a custom layer keraslint
could not follow (``einops``). The values stay unknown; only the reason says more."""

from __future__ import annotations

import libcst as cst

from keraslint.graph.propagate import analyze_model
from keraslint.source.analysis import analyze
from keraslint.source.limits import MAX_CALLS_PER_FUNCTION

HEADER = """
import keras
from keras import layers
"""


def _reasons(code: str) -> list[list[str]]:
    found = []
    for graph in analyze(cst.parse_module(HEADER + code)).models.graphs():
        model = analyze_model(graph)
        found.append([*model.graph.unknown, *(r.reason for r in model.results.values() if r.reason)])
    return found


def test_a_module_not_on_disk_is_named() -> None:
    (reasons,) = _reasons("""
import resnet_cifar10_v2
inputs = layers.Input((32, 32, 3))
x = resnet_cifar10_v2.stem(inputs)
x = layers.GlobalAveragePooling2D()(x)
model = keras.Model(inputs, x)
""")
    assert any("`resnet_cifar10_v2.stem` comes from `resnet_cifar10_v2`, a module that is not on disk" in r
               for r in reasons), reasons


def test_a_name_assigned_again_loses_the_note() -> None:
    (reasons,) = _reasons("""
import resnet_cifar10_v2
import sys
inputs = layers.Input((32, 32, 3))
x = resnet_cifar10_v2.stem(inputs)
x = sys.argv
model = keras.Model(inputs, layers.Dense(2)(x))
""")
    assert reasons and not any("resnet_cifar10_v2" in r for r in reasons)


def test_the_call_limit_is_named() -> None:
    (*_, reasons) = _reasons(f"""
def make():
    return layers.Dense(4)

class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.blocks = [make() for _ in range(8)]
    def call(self, x):
        for block in self.blocks:
            x = layers.Dropout(0.1)(block(x))
        return x

import numpy as np
for _ in range({MAX_CALLS_PER_FUNCTION // 8 + 2}):
    net = Net()
    net.predict(np.zeros((2, 3)))
""")
    assert any(f"stopped following `make` after {MAX_CALLS_PER_FUNCTION} calls" in r for r in reasons), reasons


def test_an_undecided_if_names_the_custom_layer_upstream() -> None:
    """The video-classification tutorial's residual block after a layer resized with einops."""
    (reasons,) = _reasons("""
import einops

class ResizeVideo(keras.layers.Layer):
    def __init__(self, height, width):
        super().__init__()
        self.resizing_layer = layers.Resizing(height, width)
    def call(self, video):
        images = einops.rearrange(video, 'b t h w c -> (b t) h w c')
        return self.resizing_layer(images)

def block(input, filters):
    out = layers.Dense(filters)(input)
    res = input
    if out.shape[-1] != input.shape[-1]:
        res = layers.Dense(out.shape[-1])(res)
    return layers.add([res, out])

inputs = layers.Input((10, 32, 32, 3))
x = block(ResizeVideo(16, 16)(inputs), 16)
model = keras.Model(inputs, layers.Dense(2)(x))
""")
    assert any("`res` is one of two tensors after `if out.shape[-1] != input.shape[-1]:`" in r
               and "einops.rearrange" in r for r in reasons), reasons


def test_a_plain_model_gets_no_note() -> None:
    (reasons,) = _reasons("""
import resnet_cifar10_v2
inputs = layers.Input((8,))
model = keras.Model(inputs, layers.Dense(2)(layers.Dense(4)(inputs)))
resnet_cifar10_v2.report(model)
""")
    assert reasons == []
