"""Differential test: the weight shapes the engine computes (keraslint.shapes.weights) against
``[w.shape for w in layer.get_weights()]`` from Keras 3, on the oracle's generated layers and on
a few hand-picked configurations; their element counts must be the engine's parameter counts.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from keraslint.shapes import LayerSpec, Shape, ShapeError, UnsupportedLayer, infer
from keraslint.shapes.weights import weight_count, weight_kinds, weight_shapes

from .oracle_cases import STRATEGIES, Case
from .oracle_keras import build_layer, keras

EXAMPLES = 40

#: configurations the generated ones may miss: data formats, groups, bias off, wrapped layers
FIXED: list[tuple[str, dict[str, Any], Shape]] = [
    ("Dense", {"units": 3}, (None, 5)),
    ("Dense", {"units": 3, "use_bias": False}, (None, 4, 5)),
    ("Embedding", {"input_dim": 50, "output_dim": 8}, (None, 7)),
    ("Conv2D", {"filters": 6, "kernel_size": (3, 2), "data_format": "channels_first"}, (None, 4, 9, 9)),
    ("Conv2D", {"filters": 6, "kernel_size": 3, "groups": 2}, (None, 9, 9, 4)),
    ("Conv3D", {"filters": 2, "kernel_size": 2, "use_bias": False}, (None, 4, 4, 4, 3)),
    ("Conv2DTranspose", {"filters": 5, "kernel_size": 3, "strides": 2}, (None, 6, 6, 3)),
    ("Conv1DTranspose", {"filters": 5, "kernel_size": 3, "data_format": "channels_first"}, (None, 3, 6)),
    ("DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 2}, (None, 8, 8, 3)),
    ("SeparableConv2D", {"filters": 7, "kernel_size": 3, "depth_multiplier": 2}, (None, 8, 8, 3)),
    ("SeparableConv1D", {"filters": 7, "kernel_size": 3}, (None, 8, 3)),
    ("BatchNormalization", {"axis": 1}, (None, 3, 8, 8)),
    ("BatchNormalization", {"center": False}, (None, 5)),
    ("LayerNormalization", {"axis": [-1, -2]}, (None, 3, 4)),
    ("LayerNormalization", {"rms_scaling": True}, (None, 3, 4)),
    ("GroupNormalization", {"groups": 2}, (None, 8, 4)),
    ("SimpleRNN", {"units": 4}, (None, 5, 3)),
    ("LSTM", {"units": 4, "return_sequences": True}, (None, 5, 3)),
    ("GRU", {"units": 4, "reset_after": False}, (None, 5, 3)),
    ("GRU", {"units": 4}, (None, 5, 3)),
    ("Bidirectional", {"layer": LayerSpec("LSTM", {"units": 3})}, (None, 5, 2)),
    ("Bidirectional", {"layer": LayerSpec("GRU", {"units": 3}),
                       "backward_layer": LayerSpec("GRU", {"units": 2, "go_backwards": True})}, (None, 5, 2)),
    ("TimeDistributed", {"layer": LayerSpec("Dense", {"units": 3})}, (None, 5, 4)),
    ("TimeDistributed", {"layer": LayerSpec("Conv2D", {"filters": 2, "kernel_size": 3})}, (None, 5, 8, 8, 3)),
]


def keras_weight_shapes(spec: LayerSpec, x: Shape) -> list[tuple[int, ...]] | None:
    """What Keras builds for ``spec`` on ``x``, or None when it refuses the layer or the input."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            layer = build_layer(spec)
            layer(keras.KerasTensor(x))
        except Exception:  # noqa: BLE001 - any refusal: nothing to compare
            return None
        return [tuple(w.shape) for w in layer.get_weights()]


def compare(spec: LayerSpec, x: Shape) -> bool:
    """Assert agreement; True when the engine gave weight shapes to compare."""
    expected = keras_weight_shapes(spec, x)
    if expected is None:
        return False
    try:
        params = infer(spec, [x]).params
    except (ShapeError, UnsupportedLayer):
        return False
    got = weight_shapes(spec, x)
    if got is None:
        return False
    where = f"{spec.kind}({dict(spec.config)!r}) on {x!r}"
    assert len(got) == len(expected), f"weight count differs for {where}: engine {got}, keras {expected}"
    for mine, theirs in zip(got, expected):
        assert len(mine) == len(theirs), f"weight rank differs for {where}: engine {got}, keras {expected}"
        assert all(a is None or a == b for a, b in zip(mine, theirs)), \
            f"weight shapes differ for {where}: engine {got}, keras {expected}"
    if all(None not in shape for shape in got):
        assert got == tuple(expected)
        assert weight_count(got) == params, f"{where}: weights hold {weight_count(got)} values, engine counts {params}"
    return True


@pytest.mark.parametrize(("kind", "config", "x"), FIXED, ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(FIXED)])
def test_fixed_configurations(kind: str, config: dict[str, Any], x: Shape) -> None:
    spec = LayerSpec(kind, config)
    assert compare(spec, x), f"no weight shapes for {kind}({config!r}) on {x!r}"
    assert None not in {d for shape in weight_shapes(spec, x) or () for d in shape}


def test_every_weight_kind_is_generated() -> None:
    assert weight_kinds() <= set(STRATEGIES)


@pytest.mark.parametrize("kind", sorted(weight_kinds()))
def test_weight_shapes_agree_with_keras(kind: str) -> None:
    compared = []

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=STRATEGIES[kind]())
    def run(case: Case) -> None:
        if len(case.inputs) == 1 and compare(case.spec, case.inputs[0]):
            compared.append(case)

    run()
    keras.backend.clear_session()
    assert compared, f"no generated {kind} case had weight shapes to compare"
