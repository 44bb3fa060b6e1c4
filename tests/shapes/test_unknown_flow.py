"""Unknown is not wrong: blurring a case can only make the engine's answer vaguer.

Take a generated case, replace some config values by UNKNOWN and some input dimensions by None.
The engine must then (a) raise no ShapeError the exact case does not raise, (b) give outputs of
the same count and rank whose known dimensions match the exact answer, and a parameter count
that is either None or the exact one, or (c) declare the layer opaque on purpose. No Keras here.
"""

from __future__ import annotations

import os
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keraslint.shapes import LayerResult, LayerSpec, ShapeError, UnsupportedLayer, infer
from keraslint.values import UNKNOWN

from .oracle_cases import STRATEGIES, Case

SCALE = float(os.environ.get("KERASLINT_ORACLE_SCALE", "1"))


def blur_value(value: Any, r: random.Random) -> Any:
    if isinstance(value, LayerSpec):
        return LayerSpec(value.kind, blur_config(value.config, r))
    if isinstance(value, (tuple, list)) and value and r.random() < 0.5:
        items = [UNKNOWN if r.random() < 0.4 and not isinstance(v, (tuple, list)) else v for v in value]
        return type(value)(items)
    return UNKNOWN if r.random() < 0.6 else value


def blur_config(config: Any, r: random.Random) -> dict[str, Any]:
    return {k: blur_value(v, r) if r.random() < 0.35 else v for k, v in config.items()}


def blur_inputs(inputs: list[tuple[int | None, ...]], r: random.Random) -> list[tuple[int | None, ...]]:
    return [tuple(None if r.random() < 0.2 else d for d in shape) for shape in inputs]


def answer(spec: LayerSpec, inputs: list[tuple[int | None, ...]]) -> LayerResult | ShapeError | UnsupportedLayer:
    try:
        return infer(spec, inputs)
    except (ShapeError, UnsupportedLayer) as exc:
        return exc


@pytest.mark.parametrize("kind", sorted(STRATEGIES))
def test_blurring_never_adds_errors_or_changes_known_answers(kind: str) -> None:
    @settings(
        max_examples=max(1, int(40 * SCALE)),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=STRATEGIES[kind](), seed=st.integers(0, 2**32 - 1), blur_inputs_too=st.booleans())
    def run(case: Case, seed: int, blur_inputs_too: bool) -> None:
        r = random.Random(seed)
        exact = answer(case.spec, case.inputs)
        assert not isinstance(exact, UnsupportedLayer), f"generated case is not modelled: {exact}"
        spec = LayerSpec(case.kind, blur_config(case.config, r))
        inputs = blur_inputs(case.inputs, r) if blur_inputs_too else case.inputs
        vague = answer(spec, inputs)
        where = f"{case.kind}: exact {case.config!r} on {case.inputs!r}; blurred {spec.config!r} on {inputs!r}"
        if isinstance(vague, UnsupportedLayer):
            # Only the deliberate kind (an unknown that decides the output rank), never a crash.
            assert vague.__cause__ is None, f"internal error on unknowns: {vague} ({where})"
            return
        if isinstance(vague, ShapeError):
            assert isinstance(exact, ShapeError), f"unknown introduced {vague!r} ({where})"
            return
        if isinstance(exact, ShapeError):
            return
        assert len(vague.outputs) == len(exact.outputs), where
        for got, want in zip(vague.outputs, exact.outputs):
            assert len(got) == len(want), where
            assert all(g is None or g == w for g, w in zip(got, want)), f"{got} vs {want} ({where})"
        assert vague.params is None or vague.params == exact.params, where

    run()
