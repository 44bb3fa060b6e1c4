"""KL206 sees scaling where the model does it: in a nested preprocessing/augmentation model,
after augmentation, or by keras.applications.*.preprocess_input; unknown layers stay silent."""

from __future__ import annotations

import pytest

from keraslint.checker import check_source

HEAD = "import keras\nfrom keras import layers\n(x, y), _ = keras.datasets.cifar10.load_data()\n"
TAIL = "model.compile(loss='sparse_categorical_crossentropy')\nmodel.fit(x, y)\n"
CONV = "layers.Conv2D(8, 3), layers.GlobalAveragePooling2D(), layers.Dense(10, activation='softmax')"

SCALED = {
    "rescaling nested in a preprocessing model": (
        "prep = keras.Sequential([layers.Resizing(32, 32), layers.Rescaling(1 / 255)])\n"
        f"model = keras.Sequential([keras.Input((32, 32, 3)), prep, {CONV}])\n"),
    "rescaling after a nested augmentation model": (
        "augment = keras.Sequential([layers.RandomFlip('horizontal'), layers.RandomRotation(0.1)])\n"
        f"model = keras.Sequential([keras.Input((32, 32, 3)), augment, layers.Rescaling(1 / 255), {CONV}])\n"),
    "normalization adapted inside the augmentation model": (
        "augment = keras.Sequential([layers.Normalization(), layers.RandomFlip('horizontal')])\n"
        "augment.layers[0].adapt(x)\n"
        f"model = keras.Sequential([keras.Input((32, 32, 3)), augment, {CONV}])\n"),
    "preprocess_input after augmentation (functional)": (
        "augment = keras.Sequential([layers.RandomFlip('horizontal')])\n"
        "inputs = keras.Input((32, 32, 3))\n"
        "h = keras.applications.mobilenet_v2.preprocess_input(augment(inputs))\n"
        "h = layers.Conv2D(8, 3)(h)\n"
        "model = keras.Model(inputs, layers.Dense(10, activation='softmax')(layers.GlobalAveragePooling2D()(h)))\n"),
    "two levels of nesting": (
        "inner = keras.Sequential([layers.RandomFlip('horizontal'), layers.Rescaling(1 / 255)])\n"
        "outer = keras.Sequential([layers.RandomZoom(0.1), inner])\n"
        f"model = keras.Sequential([keras.Input((32, 32, 3)), outer, {CONV}])\n"),
}

UNKNOWN = {
    "division on the symbolic input": (
        "inputs = keras.Input((32, 32, 3))\nh = layers.Conv2D(8, 3)(inputs / 255.0)\n"
        "model = keras.Model(inputs, layers.Dense(10, activation='softmax')(layers.GlobalAveragePooling2D()(h)))\n"),
    "a pretrained network, which may scale its input itself": (
        "base = keras.applications.EfficientNetB0(include_top=False, weights='imagenet')\n"
        "model = keras.Sequential([keras.Input((32, 32, 3)), base, layers.GlobalAveragePooling2D(),\n"
        "    layers.Dense(10, activation='softmax')])\n"),
    "a Lambda layer": (
        f"model = keras.Sequential([keras.Input((32, 32, 3)), layers.Lambda(lambda t: t / 255), {CONV}])\n"),
}

UNSCALED = {
    "augmentation only, then a convolution": (
        "augment = keras.Sequential([layers.RandomFlip('horizontal'), layers.RandomRotation(0.1)])\n"
        f"model = keras.Sequential([keras.Input((32, 32, 3)), augment, {CONV}])\n"),
    "a nested model that computes before it scales": (
        "stem = keras.Sequential([layers.Conv2D(4, 3), layers.Rescaling(1 / 255)])\n"
        f"model = keras.Sequential([keras.Input((32, 32, 3)), stem, {CONV}])\n"),
    "pooling and cropping keep the values": (
        "model = keras.Sequential([keras.Input((32, 32, 3)), layers.Cropping2D(2), layers.MaxPooling2D(),\n"
        f"    {CONV}])\n"),
}


def _kl206(body: str) -> list[str]:
    return [d.message for d in check_source(HEAD + body + TAIL, "train.py", selected={"KL206"}).diagnostics]


@pytest.mark.parametrize("body", list(SCALED.values()) + list(UNKNOWN.values()), ids=[*SCALED, *UNKNOWN])
def test_scaled_or_unknown_is_silent(body: str) -> None:
    assert _kl206(body) == []


@pytest.mark.parametrize("body", list(UNSCALED.values()), ids=list(UNSCALED))
def test_raw_values_reaching_a_weighted_layer_are_reported(body: str) -> None:
    (message,) = _kl206(body)
    assert "keras.datasets.cifar10" in message
