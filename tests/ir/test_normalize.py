"""Keras 1/2 spellings and positional arguments become Keras 3 keywords."""

from __future__ import annotations

import libcst as cst
import pytest

from keraslint.ir.normalize import declared_input, normalize_layer
from keraslint.source.analysis import analyze


def layers_of(code: str) -> list:
    (graph,) = analyze(cst.parse_module(code)).models.graphs()
    return [(n.layer.kind, n.layer.config, n.layer.declared_input) for n in graph.nodes() if n.layer is not None]


@pytest.mark.parametrize("module", ["from keras.layers import Convolution2D", "from tensorflow.keras.layers import Convolution2D"])
def test_convolution2d_positionals_have_their_keras3_meaning(module: str) -> None:
    # Keras 3 (and tf.keras): Convolution2D is Conv2D, so (32, 3, 3) is kernel 3 with strides 3;
    # keras.layers.Convolution2D(32, 3, 3).get_config() says so (tests/test_fix_equivalence.py).
    (kind, config, declared), *_ = layers_of(
        f"from keras.models import Sequential\n{module}\n"
        "m = Sequential([Convolution2D(32, 3, 3, border_mode='same', input_shape=(28, 28, 1))])\n")
    assert kind == "Conv2D"
    assert config["filters"] == 32 and config["kernel_size"] == 3 and config["strides"] == 3
    assert config["padding"] == "same"
    assert declared == (None, 28, 28, 1)


def test_keras1_kernel_keywords_still_merge() -> None:
    normalized = normalize_layer("Conv2D", [32], {"nb_row": 3, "nb_col": 5})
    assert normalized.config == {"filters": 32, "kernel_size": (3, 5)}


def test_tf_keras_convolution2d_is_conv2d_with_strides() -> None:
    (kind, config, _), *_ = layers_of(
        "import tensorflow as tf\nm = tf.keras.Sequential([tf.keras.layers.Convolution2D(32, 3, 3, input_shape=(28, 28, 1))])\n")
    assert kind == "Conv2D"
    assert config["kernel_size"] == 3 and config["strides"] == 3


@pytest.mark.parametrize(
    ("kind", "kwargs", "expected"),
    [
        ("Conv1D", {"nb_filter": 8, "filter_length": 5, "subsample_length": 2, "border_mode": "valid"},
         {"filters": 8, "kernel_size": 5, "strides": 2, "padding": "valid"}),
        ("Dense", {"output_dim": 10, "init": "uniform"}, {"units": 10, "kernel_initializer": "uniform"}),
        ("MaxPooling1D", {"pool_length": 3, "stride": 1}, {"pool_size": 3, "strides": 1}),
        ("Conv2D", {"filters": 4, "kernel_size": 3, "dim_ordering": "th"}, {"filters": 4, "kernel_size": 3,
                                                                           "data_format": "channels_first"}),
        ("LSTM", {"output_dim": 32, "dropout_W": 0.2}, {"units": 32, "dropout": 0.2}),
        ("Embedding", {"input_dim": 1000, "output_dim": 64}, {"input_dim": 1000, "output_dim": 64}),
        # Keras 2's converters renamed these per layer (keras/legacy/interfaces.py)
        ("Embedding", {"input_dim": 10, "output_dim": 4, "init": "uniform"},
         {"input_dim": 10, "output_dim": 4, "embeddings_initializer": "uniform"}),
        ("Dropout", {"p": 0.5}, {"rate": 0.5}),
        ("SeparableConv2D", {"filters": 4, "kernel_size": 3, "init": "he_normal"},
         {"filters": 4, "kernel_size": 3, "depthwise_initializer": "he_normal", "pointwise_initializer": "he_normal"}),
    ],
)
def test_legacy_keywords(kind: str, kwargs: dict, expected: dict) -> None:
    normalized = normalize_layer(kind, [], kwargs)
    assert normalized.config == expected
    assert all(part in expected for _, new in normalized.renamed for part in new.split(", "))


@pytest.mark.parametrize(
    ("kind", "kwargs", "expected"),
    [
        ("Dense", {"input_dim": 20}, (None, 20)),
        ("Conv1D", {"input_shape": (100, 3)}, (None, 100, 3)),
        ("LSTM", {"input_dim": 8, "input_length": 50}, (None, 50, 8)),
        ("Embedding", {"input_dim": 1000, "input_length": 40}, (None, 40)),
        ("Dense", {"batch_input_shape": (32, 10)}, (32, 10)),
        ("Dense", {"units": 3}, None),
    ],
)
def test_declared_input(kind: str, kwargs: dict, expected: tuple | None) -> None:
    assert declared_input(kind, kwargs) == expected


def test_unresolved_values_stay_unknown_not_guessed() -> None:
    (_, config, declared), *_ = layers_of(
        "import keras\nimport sys\nn = int(sys.argv[1])\n"
        "m = keras.Sequential([keras.layers.Conv1D(n, 3, input_shape=(None, n))])\n")
    from keraslint.values import UNKNOWN

    assert config["filters"] is UNKNOWN
    assert declared == (None, None, None)


def test_positional_arguments_follow_the_keras3_signature() -> None:
    normalized = normalize_layer("Conv1D", [16, 3, 2, "same"], {})
    assert normalized.config == {"filters": 16, "kernel_size": 3, "strides": 2, "padding": "same"}
