"""Which arrays the source pass knows to hold real-valued data (KL402's real labels)."""

from __future__ import annotations

import libcst as cst
import pytest

from keraslint.source.analysis import analyze
from keraslint.source.label_values import is_real

HEAD = "import numpy as np\nimport tensorflow as tf\nimport keras\nfrom sklearn.model_selection import train_test_split\n"

REAL = {
    "rand": "y = np.random.rand(100)",
    "normal draw, cast": "y = np.random.normal(15.0, 5.0, size=(100, 1)).astype('float32')",
    "generator": "y = np.random.default_rng(0).uniform(size=100)",
    "tf draw": "y = tf.random.normal((100, 1))",
    "matrix product": "x = np.random.rand(100, 5)\ny = x @ np.array([1.0, 2.0, 3.0, 4.0, 5.0])",
    "np.dot": "x = np.random.rand(100, 5)\ny = np.dot(x, np.ones(5))",
    "slice plus a constant": "t = np.random.randn(100, 24, 1)\ny = t[:, -1, 0] + 0.5",
    "scaled and negated": "y = -(np.random.rand(100) * 3.0)",
    "house prices": "(x, y), _ = keras.datasets.boston_housing.load_data()",
    "split": "x = np.random.rand(100, 5)\n_, _, y, _ = train_test_split(x, np.random.rand(100))",
    "reshape of real": "y = np.random.rand(100).reshape(-1, 1)",
    "concatenation of real": "y = np.concatenate([np.random.rand(50), np.random.rand(50)])",
}
NOT_KNOWN = {
    "integers": "y = np.random.randint(0, 2, 100)",
    "thresholded": "y = (np.random.rand(100) > 0.5).astype('float32')",
    "cast to int": "y = (np.random.rand(100) * 10).astype('int64')",
    "floor division": "y = np.random.rand(100) // 0.5",
    "masked by an unknown array": "m = np.random.randint(0, 2, 100).astype('float32')\ny = np.random.rand(100) * m",
    "times zero": "y = np.random.rand(100) * 0",
    "clipped": "y = np.random.rand(100).clip(0.2, 0.8)",
    "one-hot": "y = keras.utils.to_categorical(np.random.randint(0, 3, 100), 3)",
    "mnist labels": "(x, y), _ = keras.datasets.mnist.load_data()",
    "argmax": "y = np.random.rand(100, 3).argmax(axis=1)",
    "from a file": "y = np.load('y.npy')",
}


def _y(body: str):
    return analyze(cst.parse_module(HEAD + body + "\n")).globals["y"]


@pytest.mark.parametrize("body", list(REAL.values()), ids=list(REAL))
def test_real_valued(body: str) -> None:
    assert is_real(_y(body))


@pytest.mark.parametrize("body", list(NOT_KNOWN.values()), ids=list(NOT_KNOWN))
def test_not_known_to_be_real(body: str) -> None:
    assert not is_real(_y(body))


def test_real_values_fact_does_not_survive_a_merge_with_a_branch_without_it() -> None:
    """`if flag: y = np.random.rand(n)` else integer labels: after the `if` the labels may be
    either, so they are not known to be real-valued."""
    from keraslint.source.values import Array, merge_values

    real = Array("numpy.ndarray", None, shape=(8,), dtype="float64")
    real.data["real_values"] = True
    plain = Array("numpy.ndarray", None, shape=(8,), dtype="float64")
    assert merge_values(real, plain) is not real and merge_values(plain, real) is not plain
