"""TextVectorization, StringLookup and IntegerLookup: the shapes the engine gives equal the ones
Keras 3 builds, for every argument that fixes them without ``adapt()``; the others stay
unknown ("shape depends on adapt()")."""

from __future__ import annotations

import os

import pytest

from keraslint.shapes import LayerSpec, infer
from keraslint.shapes.errors import UnsupportedLayer

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
keras = pytest.importorskip("keras")

VOCAB = ["a", "b", "c"]
CASES = [
    # (kind, config, input shape, input dtype)
    ("TextVectorization", {"output_sequence_length": 12}, (1,), "string"),
    ("TextVectorization", {"output_sequence_length": 12}, (), "string"),
    ("TextVectorization", {}, (1,), "string"),
    ("TextVectorization", {"max_tokens": 50, "output_mode": "multi_hot", "pad_to_max_tokens": True}, (1,), "string"),
    ("TextVectorization", {"max_tokens": 50, "output_mode": "count", "pad_to_max_tokens": True}, (), "string"),
    ("TextVectorization", {"vocabulary": VOCAB, "output_mode": "multi_hot"}, (1,), "string"),
    ("TextVectorization", {"vocabulary": VOCAB, "output_mode": "tf_idf", "idf_weights": [1.0, 1.0, 1.0]}, (),
     "string"),
    ("TextVectorization", {"vocabulary": VOCAB, "output_mode": "multi_hot", "split": None}, (1,), "string"),
    ("StringLookup", {}, (1,), "string"),
    ("StringLookup", {}, (5,), "string"),
    ("StringLookup", {"vocabulary": VOCAB}, (1,), "string"),
    ("StringLookup", {"vocabulary": VOCAB, "output_mode": "one_hot"}, (1,), "string"),
    ("StringLookup", {"vocabulary": VOCAB, "output_mode": "one_hot"}, (), "string"),
    ("StringLookup", {"vocabulary": VOCAB, "output_mode": "one_hot", "num_oov_indices": 2}, (4,), "string"),
    ("StringLookup", {"vocabulary": VOCAB, "output_mode": "multi_hot", "mask_token": ""}, (4,), "string"),
    ("StringLookup", {"vocabulary": VOCAB, "output_mode": "count"}, (4,), "string"),
    ("StringLookup", {"max_tokens": 9, "output_mode": "one_hot", "pad_to_max_tokens": True}, (1,), "string"),
    ("IntegerLookup", {"vocabulary": [3, 5, 7], "output_mode": "one_hot"}, (1,), "int64"),
    ("IntegerLookup", {"vocabulary": [3, 5, 7], "output_mode": "multi_hot"}, (3,), "int64"),
    ("IntegerLookup", {}, (2,), "int64"),
]


@pytest.mark.parametrize(("kind", "config", "shape", "dtype"), CASES)
def test_shapes_match_keras(kind: str, config: dict, shape: tuple, dtype: str) -> None:
    layer = getattr(keras.layers, kind)(**config)
    built = tuple(layer(keras.Input(shape, dtype=dtype)).shape)
    ours = infer(LayerSpec(kind, config), [(None, *shape)])
    assert ours.outputs == (built,)
    assert ours.params == 0


@pytest.mark.parametrize(("kind", "config"), [
    ("TextVectorization", {"output_mode": "multi_hot"}),
    ("TextVectorization", {"max_tokens": 50, "output_mode": "count"}),
    ("StringLookup", {"output_mode": "one_hot"}),
    ("IntegerLookup", {"output_mode": "multi_hot", "max_tokens": 10}),
    ("StringLookup", {"vocabulary": VOCAB, "invert": True}),
])
def test_a_vocabulary_learnt_by_adapt_leaves_the_width_unknown(kind: str, config: dict) -> None:
    with pytest.raises(UnsupportedLayer, match="adapt"):
        infer(LayerSpec(kind, config), [(None, 1)])
