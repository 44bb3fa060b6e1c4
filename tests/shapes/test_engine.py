"""Example-based tests of the shape engine's API behaviour; Keras is not imported here."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from keraslint.shapes import (
    LayerResult,
    LayerSpec,
    ShapeError,
    UnsupportedLayer,
    conv_output_length,
    infer,
    supported_kinds,
)
from keraslint.values import UNKNOWN
from keraslint.vocabulary import LAYER_KINDS


def run(kind: str, inputs: list[tuple[int | None, ...]], **config: object) -> LayerResult:
    return infer(LayerSpec(kind, config), inputs)


def error(kind: str, inputs: list[tuple[int | None, ...]], **config: object) -> ShapeError:
    with pytest.raises(ShapeError) as info:
        run(kind, inputs, **config)
    return info.value


# --------------------------------------------------------------------------- API surface


def test_import_does_not_load_tensorflow_or_keras() -> None:
    code = (
        "import sys, keraslint.shapes as s\n"
        "s.infer(s.LayerSpec('Conv2D', {'filters': 4, 'kernel_size': 3}), [(None, 28, 28, 1)])\n"
        "heavy = ('tensorflow', 'keras', 'tf_keras', 'jax', 'torch')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_supported_kinds_cover_the_brief_and_use_canonical_names() -> None:
    kinds = supported_kinds()
    assert isinstance(kinds, frozenset)
    for kind in [
        "InputLayer",
        "Dense",
        "EinsumDense",
        "Conv1D",
        "Conv2DTranspose",
        "SeparableConv1D",
        "DepthwiseConv2D",
        "MaxPooling3D",
        "GlobalAveragePooling1D",
        "Embedding",
        "LSTM",
        "GRU",
        "Bidirectional",
        "TimeDistributed",
        "ConvLSTM2D",
        "Concatenate",
        "Dot",
        "MultiHeadAttention",
        "AdditiveAttention",
        "Reshape",
        "Lambda",
        "Normalization",
        "GroupNormalization",
    ]:
        assert kind in kinds
    assert kinds <= LAYER_KINDS


def test_spec_and_result_are_frozen_values() -> None:
    spec = LayerSpec("Dense", {"units": 3})
    result = infer(spec, [(None, 4)])
    assert result == LayerResult(outputs=((None, 3),), params=15)
    assert result.output == (None, 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.kind = "Conv1D"  # type: ignore[misc]


def test_legacy_names_are_understood() -> None:
    assert run("Convolution1D", [(None, 10, 2)], filters=3, kernel_size=3).output == (None, 8, 3)
    assert run("MaxPool2D", [(None, 8, 8, 1)]).output == (None, 4, 4, 1)


# --------------------------------------------------------------------------- conv_output_length


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((100, 5, "valid", 3), 32),
        ((9, 2, "valid", 2), 4),  # the 9th sample is dropped
        ((8, 2, "valid", 2), 4),
        ((100, 5, "same", 3), 34),
        ((100, 5, "causal", 1), 100),
        ((10, 3, "valid", 1, 2), 6),
        ((3, 5, "valid", 1), -1),  # may be <= 0; infer reports that as a collapse
        ((10, 3, "VALID", 1), 8),
        ((None, 3, "valid", 1), None),
        ((10, UNKNOWN, "valid", 1), None),
        ((10, 3, UNKNOWN, 1), None),
        ((10, 3, "valid", None), None),
    ],
)
def test_conv_output_length(args: tuple[object, ...], expected: int | None) -> None:
    assert conv_output_length(*args) == expected


def test_conv_output_length_rejects_unknown_padding_names() -> None:
    with pytest.raises(ValueError):
        conv_output_length(10, 3, "full", 1)


# --------------------------------------------------------------------------- known results


@pytest.mark.parametrize(
    ("kind", "config", "inputs", "outputs", "params"),
    [
        ("Conv1D", {"filters": 4, "kernel_size": 2, "strides": 2}, [(None, 9, 3)], [(None, 4, 4)], 28),
        (
            "Conv2D",
            {"filters": 8, "kernel_size": 3, "padding": "same", "data_format": "channels_first"},
            [(None, 3, 32, 32)],
            [(None, 8, 32, 32)],
            224,
        ),
        ("Conv2D", {"filters": 6, "kernel_size": 3, "groups": 3}, [(None, 5, 5, 6)], [(None, 3, 3, 6)], 114),
        ("Conv1DTranspose", {"filters": 2, "kernel_size": 3, "strides": 2}, [(None, 5, 4)], [(None, 11, 2)], 26),
        (
            "SeparableConv1D",
            {"filters": 4, "kernel_size": 3, "depth_multiplier": 2},
            [(None, 10, 3)],
            [(None, 8, 4)],
            46,
        ),
        ("DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 2}, [(None, 5, 5, 3)], [(None, 3, 3, 6)], 60),
        ("MaxPooling1D", {}, [(None, 9, 3)], [(None, 4, 3)], 0),
        (
            "AveragePooling2D",
            {"pool_size": 3, "strides": 2, "padding": "same"},
            [(None, 7, 8, 1)],
            [(None, 4, 4, 1)],
            0,
        ),
        ("GlobalMaxPooling2D", {"keepdims": True}, [(None, 7, 8, 5)], [(None, 1, 1, 5)], 0),
        ("Embedding", {"input_dim": 100, "output_dim": 8}, [(None, 20)], [(None, 20, 8)], 800),
        (
            "LSTM",
            {"units": 4, "return_sequences": True, "return_state": True},
            [(None, 10, 3)],
            [(None, 10, 4), (None, 4), (None, 4)],
            128,
        ),
        ("GRU", {"units": 3}, [(None, 5, 8)], [(None, 3)], 117),
        ("GRU", {"units": 3, "reset_after": False}, [(None, 5, 8)], [(None, 3)], 108),
        ("SimpleRNN", {"units": 2, "use_bias": False}, [(None, 5, 3)], [(None, 2)], 10),
        ("Flatten", {}, [(None, 4, 5, 6)], [(None, 120)], 0),
        ("Reshape", {"target_shape": (-1, 4)}, [(None, 6, 2)], [(None, 3, 4)], 0),
        ("Permute", {"dims": (2, 1)}, [(None, 3, 7)], [(None, 7, 3)], 0),
        ("RepeatVector", {"n": 3}, [(None, 5)], [(None, 3, 5)], 0),
        ("Cropping1D", {"cropping": (1, 2)}, [(None, 10, 3)], [(None, 7, 3)], 0),
        ("ZeroPadding2D", {"padding": ((1, 0), (2, 3))}, [(None, 4, 4, 1)], [(None, 5, 9, 1)], 0),
        ("UpSampling2D", {"size": (2, 3)}, [(None, 4, 4, 1)], [(None, 8, 12, 1)], 0),
        ("BatchNormalization", {}, [(None, 10, 6)], [(None, 10, 6)], 24),
        ("LayerNormalization", {"axis": [1, 2]}, [(None, 3, 4)], [(None, 3, 4)], 24),
        ("GroupNormalization", {"groups": 2}, [(None, 10, 6)], [(None, 10, 6)], 12),
        ("Normalization", {}, [(None, 10, 4)], [(None, 10, 4)], 9),
        ("Concatenate", {"axis": 1}, [(None, 10, 4), (None, 3, 4)], [(None, 13, 4)], 0),
        ("Add", {}, [(None, 10, 4), (None, 1, 4)], [(None, 10, 4)], 0),
        ("Dot", {"axes": 1}, [(None, 5), (None, 5)], [(None, 1)], 0),
        ("MultiHeadAttention", {"num_heads": 2, "key_dim": 4}, [(None, 5, 8), (None, 7, 6)], [(None, 5, 8)], 256),
        ("AdditiveAttention", {}, [(None, 5, 8), (None, 7, 6)], [(None, 5, 6)], 8),
        (
            "Bidirectional",
            {"layer": LayerSpec("LSTM", {"units": 3, "return_state": True}), "merge_mode": None},
            [(None, 5, 8)],
            [(None, 3)] * 6,
            288,
        ),
        ("TimeDistributed", {"layer": LayerSpec("Dense", {"units": 3})}, [(None, 5, 8, 2)], [(None, 5, 8, 3)], 9),
        ("ConvLSTM1D", {"filters": 3, "kernel_size": 2}, [(None, 5, 8, 3)], [(None, 7, 3)], 156),
        (
            "EinsumDense",
            {"equation": "abc,cd->abd", "output_shape": (None, 4), "bias_axes": "d"},
            [(None, 5, 8)],
            [(None, None, 4)],
            36,
        ),  # Keras keeps the declared None even where the input knows it
        ("Lambda", {"output_shape": (3, 4)}, [(None, 5, 8)], [(None, 3, 4)], 0),
        ("InputLayer", {"shape": (28, 28, 1)}, [], [(None, 28, 28, 1)], 0),
        ("InputLayer", {"batch_shape": (32, 10)}, [], [(32, 10)], 0),
    ],
)
def test_known_results(
    kind: str,
    config: dict[str, object],
    inputs: list[tuple[int | None, ...]],
    outputs: list[tuple[int | None, ...]],
    params: int,
) -> None:
    assert infer(LayerSpec(kind, config), inputs) == LayerResult(tuple(outputs), params)


# --------------------------------------------------------------------------- unknowns flow


def test_unknown_filters_gives_unknown_channels_and_params() -> None:
    result = run("Conv1D", [(None, 100, 4)], filters=UNKNOWN, kernel_size=3)
    assert result == LayerResult(((None, 98, None),), None)


def test_unknown_kernel_gives_unknown_spatial_dims_only() -> None:
    assert run("Conv1D", [(None, 100, 4)], filters=8, kernel_size=UNKNOWN) == LayerResult(((None, None, 8),), None)
    result = run("Conv2D", [(None, 28, 28, 1)], filters=8, kernel_size=(3, UNKNOWN))
    assert result.outputs == ((None, 26, None, 8),)
    assert result.params is None


def test_unknown_padding_or_stride_never_raises_a_collapse() -> None:
    assert run("Conv1D", [(None, 3, 4)], filters=2, kernel_size=5, padding=UNKNOWN).output == (None, None, 2)
    assert run("MaxPooling1D", [(None, 1, 4)], pool_size=UNKNOWN).output == (None, None, 4)


def test_unknown_data_format_keeps_rank_and_batch() -> None:
    assert run("Conv2D", [(8, 28, 28, 1)], filters=4, kernel_size=3, data_format=UNKNOWN).output == (
        8,
        None,
        None,
        None,
    )


def test_unknown_units_and_bias() -> None:
    assert run("Dense", [(None, 4)], units=UNKNOWN) == LayerResult(((None, None),), None)
    assert run("Dense", [(None, 4)], units=3, use_bias=UNKNOWN) == LayerResult(((None, 3),), None)


def test_none_dimensions_propagate_without_raising() -> None:
    assert run("Conv1D", [(None, None, 4)], filters=2, kernel_size=5).output == (None, None, 2)
    # Keras refuses to build weights on an unknown axis; for the engine unknown is not wrong.
    assert run("Dense", [(None, None)], units=5) == LayerResult(((None, 5),), None)
    assert run("LSTM", [(None, 10, None)], units=2).params is None
    assert run("Dot", [(None, None), (None, 5)], axes=1).output == (None, 1)
    assert run("Reshape", [(None, None, 4)], target_shape=(-1, 2)).output == (None, None, 2)
    assert run("Add", [(None, None, 4), (None, 1, 4)]).output == (None, None, 4)


def test_unknown_that_decides_the_output_rank_makes_the_layer_opaque() -> None:
    with pytest.raises(UnsupportedLayer):
        run("LSTM", [(None, 10, 3)], units=2, return_sequences=UNKNOWN)
    with pytest.raises(UnsupportedLayer):
        run("Reshape", [(None, 10, 3)], target_shape=UNKNOWN)


def test_unknown_dimension_inside_a_shape_literal() -> None:
    assert run("Reshape", [(None, 12)], target_shape=(UNKNOWN, 3)).output == (None, None, 3)
    assert run("InputLayer", [], shape=(UNKNOWN, 3)).output == (None, None, 3)
    assert infer(LayerSpec("Dense", {"units": 2}), [(None, UNKNOWN)]).output == (None, 2)  # type: ignore[list-item]


# --------------------------------------------------------------------------- ShapeError


def test_rank_error_names_the_layout_and_the_numbers() -> None:
    exc = error("Conv1D", [(None, 100)], filters=4, kernel_size=3)
    assert exc.kind == "rank"
    assert exc.message == "Conv1D expects input of rank 3 (batch, steps, channels), got rank 2: (None, 100)"
    assert (exc.expected, exc.actual) == (3, 2)
    assert str(exc) == exc.message
    assert "rank 4 (batch, rows, cols, channels)" in error("Conv2D", [(None, 28, 28)], filters=4, kernel_size=3).message
    assert error("LSTM", [(None, 8)], units=4).message == (
        "LSTM expects input of rank 3 (batch, timesteps, features), got rank 2: (None, 8)"
    )


def test_collapse_error_points_at_the_axis() -> None:
    exc = error("Conv1D", [(None, 3, 4)], filters=2, kernel_size=5)
    assert exc.kind == "collapse"
    assert (exc.axis, exc.actual) == (1, -1)
    assert "axis 1 has length 3" in exc.message and "-1" in exc.message
    exc = error("MaxPooling2D", [(None, 1, 8, 3)])
    assert (exc.kind, exc.axis, exc.actual) == ("collapse", 1, 0)
    exc = error("Cropping2D", [(None, 4, 4, 1)], cropping=((2, 2), (0, 0)))
    assert (exc.kind, exc.axis, exc.actual) == ("collapse", 1, 0)


def test_channels_error() -> None:
    exc = error("Conv1D", [(None, 10, 5)], filters=4, kernel_size=3, groups=2)
    assert (exc.kind, exc.axis, exc.actual) == ("channels", 2, 5)
    assert "5 channels" in exc.message
    assert error("GroupNormalization", [(None, 10, 6)], groups=4).kind == "channels"


def test_merge_error_names_axis_and_both_sizes() -> None:
    exc = error("Add", [(None, 10, 4), (None, 10, 5)])
    assert (exc.kind, exc.axis, exc.expected, exc.actual) == ("merge", 2, 4, 5)
    assert "axis 2 (4 vs 5)" in exc.message
    exc = error("Concatenate", [(None, 10, 4), (None, 3, 5)], axis=1)
    assert (exc.kind, exc.axis) == ("merge", 2)
    assert error("Dot", [(None, 5), (None, 6)], axes=1).kind == "merge"
    assert error("Add", [(2, 4), (3, 4)]).axis == 0


def test_reshape_error() -> None:
    exc = error("Reshape", [(None, 10, 3)], target_shape=(7, 4))
    assert exc.kind == "reshape"
    assert "30" in exc.message and "28" in exc.message
    assert error("Reshape", [(None, 10, 3)], target_shape=(-1, 7)).kind == "reshape"


def test_incompatible_and_config_errors() -> None:
    assert error("BatchNormalization", [(None, 4)], axis=3).kind == "incompatible"
    assert error("MultiHeadAttention", [(None, 5, 8), (None, 7, 6), (None, 6, 6)], num_heads=2, key_dim=2).kind == (
        "incompatible"
    )
    assert error("Dense", [(None, 4)], units=0).kind == "config"
    assert error("Conv1D", [(None, 10, 4)], filters=4, kernel_size=3, strides=2, dilation_rate=2).kind == "config"
    assert error("Conv2D", [(None, 10, 10, 4)], filters=4, kernel_size=3, padding="causal").kind == "config"
    assert error("Conv1D", [(None, 10, 4)], kernel_size=3).kind == "config"  # filters is required
    # Pooling layers, unlike convolutions, compare padding verbatim in Keras 3.
    assert error("MaxPooling1D", [(None, 10, 4)], padding="SAME").kind == "config"
    assert run("Conv1D", [(None, 10, 4)], filters=2, kernel_size=3, padding="SAME").output == (None, 10, 2)
    assert error("Dropout", [(None, 4)], rate=1.5).kind == "config"


def test_wrong_number_of_inputs() -> None:
    assert error("Dense", [(None, 4), (None, 4)], units=2).kind == "incompatible"
    assert error("Subtract", [(None, 4)] * 3).kind == "incompatible"
    assert error("Attention", [(None, 4, 2)]).kind == "incompatible"


# --------------------------------------------------------------------------- opaque layers


def test_unsupported_layers() -> None:
    with pytest.raises(UnsupportedLayer):
        infer(LayerSpec("MyCustomLayer", {}), [(None, 4)])
    with pytest.raises(UnsupportedLayer):
        run("Lambda", [(None, 4)])  # the function is never looked at
    with pytest.raises(UnsupportedLayer):
        run("Lambda", [(None, 4)], output_shape=UNKNOWN)
    with pytest.raises(UnsupportedLayer):
        run("TimeDistributed", [(None, 3, 4)], layer=UNKNOWN)
    with pytest.raises(UnsupportedLayer):
        run("Bidirectional", [(None, 3, 4)], layer=LayerSpec("Dense", {"units": 2}))


@pytest.mark.parametrize(
    "config",
    [
        {"filters": "eight", "kernel_size": 3},
        {"filters": 8, "kernel_size": None},
        {"filters": 8, "kernel_size": {"a": 1}},
        {"filters": 8, "kernel_size": 3, "strides": [1, 2, 3]},
        {"filters": 8.5, "kernel_size": 3},
        {"filters": 8, "kernel_size": 3, "padding": 3},
    ],
)
def test_odd_values_never_escape_as_tracebacks(config: dict[str, object]) -> None:
    with pytest.raises((ShapeError, UnsupportedLayer)):
        run("Conv1D", [(None, 10, 4)], **config)
