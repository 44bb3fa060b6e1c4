"""The models of tests/source/test_followed_tensors.py built by Keras itself: the output shapes
and parameter counts keraslint computes without running them are the ones Keras builds (these
tests exec scripts they define themselves, never user code)."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import libcst as cst
import pytest

from keraslint.graph.propagate import analyze_model
from keraslint.source.analysis import analyze
from tests.source.test_followed_tensors import (
    ATTENTION,
    DYNAMIC_RESHAPE,
    HEADER,
    STOCHASTIC_DEPTH,
    TENSORDOT,
    TILE,
)
from tests.source.test_spaced_values import DROP_PATH_BRANCHES

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("body", [
    pytest.param(ATTENTION, id="reshape_by_tf_shape"),
    pytest.param(STOCHASTIC_DEPTH, id="floored_random_mask"),
    pytest.param(DYNAMIC_RESHAPE, id="reshape_of_a_dynamic_axis"),
    pytest.param(TILE, id="tile"),
    pytest.param(TENSORDOT, id="tensordot"),
    pytest.param(DROP_PATH_BRANCHES, id="linspace_drop_path_rates"),
])
def test_followed_tensors_match_keras(body: str) -> None:
    code = HEADER + body
    (graph,) = analyze(cst.parse_module(code)).models.graphs()
    ours = analyze_model(graph)
    namespace: dict = {}
    exec(compile(code, "<oracle>", "exec"), namespace)  # the test's own script
    model = namespace["model"]
    assert ours.output_shapes() == [tuple(t.shape) for t in model.outputs]
    assert ours.total_params() == model.count_params()
