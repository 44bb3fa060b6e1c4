"""A Keras layer or model called on data (not a symbolic tensor) gives data of the shape Keras
computes; Keras itself is the oracle."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest

from keraslint.source.values import Array, Obj
from keraslint.values import UNKNOWN

from . import run

HEAD = "import numpy as np\nimport tensorflow as tf\nimport keras\nfrom keras import layers\n"


@pytest.mark.parametrize(("make", "data"), [
    ("layers.Resizing(64, 48)", "np.zeros((300, 200, 3), 'float32')"),        # one image
    ("layers.Resizing(64, 48)", "np.zeros((4, 300, 200, 3), 'float32')"),     # a batch
    ("layers.Rescaling(1.0 / 255)", "np.zeros((5, 7, 3), 'float32')"),
    ("layers.CenterCrop(8, 8)", "np.zeros((2, 10, 12, 3), 'float32')"),
    ("layers.Dense(3)", "np.zeros((2, 5), 'float32')"),
    ("keras.Sequential([layers.Resizing(32, 32), layers.Rescaling(1 / 255)])", "np.zeros((90, 60, 3), 'float32')"),
    ("keras.Sequential([layers.RandomFlip('horizontal'), layers.RandomRotation(0.2)])",
     "np.zeros((2, 20, 20, 3), 'float32')"),
    ("keras.Sequential([layers.Flatten(), layers.Dense(4)])", "np.zeros((3, 2, 5), 'float32')"),
    # a backbone (shapes/applications.py); weights=None: the oracle cannot download any
    ("keras.applications.MobileNetV2(include_top=False, weights=None)", "np.zeros((1, 96, 96, 3), 'float32')"),
])
def test_the_shape_is_the_one_keras_gives(make: str, data: str) -> None:
    import keras  # the oracle
    import numpy as np
    from keras import layers

    expected = tuple(eval(f"({make})({data})", {"keras": keras, "layers": layers, "np": np}).shape)
    found = run(HEAD + f"f = {make}\ny = f({data})\n")["y"]
    assert isinstance(found, Array) and found.shape == expected


@pytest.mark.parametrize("code", [
    "f = layers.Resizing(64, 64)\ny = f(data)",                              # data not known
    "f = layers.Dense(3)\ny = f(np.zeros((2, 5)), *extra)",
    "f = keras.Sequential([keras.Input((4,)), layers.Dense(3)])\ny = f(np.zeros((2, 3, 4)))",  # another rank
    "f = layers.Conv2D(4, 3)\ny = f(np.zeros((5, 5)))",                       # Keras rejects it
])
def test_what_is_not_known_stays_unknown(code: str) -> None:
    found = run(HEAD + code + "\n")["y"]
    assert found is UNKNOWN or not isinstance(found, Array) or found.shape is None


def test_keywords_of_the_call_do_not_matter_to_the_shape() -> None:
    found = run(HEAD + "f = keras.Sequential([layers.Dense(3)])\ny = f(np.zeros((2, 5)), training=True)[0]\n")
    assert found["y"].shape == (3,)


def test_symbolic_calls_still_build_the_graph() -> None:
    found = run(HEAD + "inputs = keras.Input((8,))\noutputs = layers.Dense(2)(inputs)\n")
    assert isinstance(found["outputs"], Obj) and found["outputs"].type == "keras.KerasTensor"
