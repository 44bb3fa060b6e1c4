"""scikit-learn's toy-data generators: the shapes and dtypes keraslint gives, and scikit-learn's."""

from __future__ import annotations

import numpy as np
import pytest

from . import run

CALLS = [
    "make_moons()", "make_moons(300, noise=0.1)", "make_moons(n_samples=(40, 60))", "make_circles(250)",
    "make_blobs()", "make_blobs(120, 5, centers=4)", "make_blobs([10, 20, 30])",
    "make_blobs(50, 3, return_centers=True)", "make_classification()",
    "make_classification(200, 7, n_informative=3, n_classes=3)", "make_regression()",
    "make_regression(80, 6, n_targets=3)", "make_regression(80, 6, coef=True)",
]


def _spec(value: object) -> object:
    if isinstance(value, tuple):
        return tuple(_spec(v) for v in value)
    return (tuple(value.shape), str(value.dtype))


@pytest.mark.parametrize("call", CALLS)
def test_shapes_match_scikit_learn(call: str) -> None:
    datasets = pytest.importorskip("sklearn.datasets")
    ours = run(f"import sklearn.datasets\nresult = sklearn.datasets.{call}\n")["result"]
    theirs = eval(f"datasets.{call}", {"datasets": datasets, "np": np})  # the test's own call
    assert _spec(ours) == _spec(theirs)


def test_unknown_arguments_stay_unknown() -> None:
    ns = run("import sklearn.datasets\nn = int(input())\nx, y = sklearn.datasets.make_moons(n)\n"
             "flag = bool(input())\nr = sklearn.datasets.make_blobs(10, return_centers=flag)\n")
    assert ns["x"].shape == (None, 2) and ns["y"].shape == (None,)
    assert ns["r"] is not None and not isinstance(ns["r"], tuple)
