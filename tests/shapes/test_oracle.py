"""Differential test: the shape engine against Keras 3 itself, on generated layers and inputs.

For every supported layer kind, hypothesis draws constructor configs and input shapes (lucky and
unlucky ones), Keras builds the layer and calls it symbolically, and the engine must agree on
whether the input is accepted, on every output shape and on the parameter count.
Scale the example counts with KERASLINT_ORACLE_SCALE (a float, default 1).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings

from keraslint.shapes import ShapeError, infer, supported_kinds

from .known_differences import known_difference
from .oracle_cases import STRATEGIES, Case
from .oracle_keras import run_keras
from .oracle_stats import STATS

SCALE = float(os.environ.get("KERASLINT_ORACLE_SCALE", "1"))

# Examples per kind: more for the layers with the most arithmetic in them.
BASE_EXAMPLES = 100
HEAVY = {
    "Conv1D": 4,
    "Conv2D": 3,
    "Conv3D": 2,
    "Conv1DTranspose": 2,
    "Conv2DTranspose": 2,
    "Conv3DTranspose": 2,
    "SeparableConv1D": 2,
    "SeparableConv2D": 2,
    "DepthwiseConv1D": 2,
    "DepthwiseConv2D": 2,
    "MaxPooling1D": 3,
    "MaxPooling2D": 3,
    "MaxPooling3D": 2,
    "AveragePooling1D": 2,
    "AveragePooling2D": 2,
    "AveragePooling3D": 2,
    "Dense": 2,
    "Reshape": 3,
    "Concatenate": 3,
    "Add": 2,
    "Dot": 3,
    "MultiHeadAttention": 3,
    "EinsumDense": 3,
    "LSTM": 2,
    "GRU": 2,
    "SimpleRNN": 2,
    "Bidirectional": 3,
    "TimeDistributed": 3,
    "ConvLSTM1D": 2,
    "ConvLSTM2D": 2,
    "Cropping1D": 2,
    "Cropping2D": 2,
    "Cropping3D": 2,
    "BatchNormalization": 2,
    "LayerNormalization": 2,
    "GroupNormalization": 2,
    "Normalization": 2,
    "ZeroPadding2D": 2,
    "UpSampling2D": 2,
}


def examples(kind: str) -> int:
    return max(1, int(BASE_EXAMPLES * HEAVY.get(kind, 1) * SCALE))


def describe(case: Case) -> str:
    return f"{case.kind}({case.config!r}) on {case.inputs!r}"


def check_case(case: Case) -> None:
    STATS.cases[case.kind] += 1
    if known_difference(case) is not None:
        STATS.known[case.kind] += 1
        return
    keras_answer = run_keras(case.spec, case.inputs)
    try:
        engine_answer = infer(case.spec, case.inputs)
    except ShapeError as exc:
        assert not keras_answer.accepted, (
            f"engine rejects what Keras accepts: {describe(case)}\n"
            f"  engine: ShapeError[{exc.kind}] {exc.message}\n"
            f"  keras: outputs={keras_answer.outputs} params={keras_answer.params}"
        )
        STATS.rejected[case.kind] += 1
        return
    assert keras_answer.accepted, (
        f"engine accepts what Keras rejects: {describe(case)}\n"
        f"  engine: outputs={engine_answer.outputs} params={engine_answer.params}\n"
        f"  keras: {keras_answer.error}"
    )
    assert engine_answer.outputs == keras_answer.outputs, (
        f"output shapes differ for {describe(case)}\n"
        f"  engine: {engine_answer.outputs}\n  keras:  {keras_answer.outputs}"
    )
    assert engine_answer.params == keras_answer.params, (
        f"parameter counts differ for {describe(case)}\n"
        f"  engine: {engine_answer.params}\n  keras:  {keras_answer.params}"
    )


#: kinds whose inputs the generic oracle cannot make (string tensors): compared with Keras in
#: their own oracle, tests/shapes/test_text_preprocessing_oracle.py
OWN_ORACLE = frozenset({"TextVectorization", "StringLookup", "IntegerLookup"})


def test_every_supported_kind_has_a_strategy() -> None:
    assert set(STRATEGIES) | OWN_ORACLE == set(supported_kinds())
    assert not set(STRATEGIES) & OWN_ORACLE


@pytest.mark.parametrize("kind", sorted(STRATEGIES))
def test_engine_agrees_with_keras(kind: str) -> None:
    @settings(
        max_examples=examples(kind),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=STRATEGIES[kind]())
    def run(case: Case) -> None:
        check_case(case)

    run()
