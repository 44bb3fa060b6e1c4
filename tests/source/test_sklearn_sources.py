"""scikit-learn transformers as data sources (keraslint/source/sklearn_sources.py).

Each shape case runs the same snippet with the real scikit-learn (installed in the dev venv)
and statically, and the shapes and dtypes must agree; a case sklearn decides from the data
stays unknown statically.
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
import pytest

from keraslint.source.values import Array, Obj

from . import array, run

sklearn = pytest.importorskip("sklearn")

HEAD = """
import numpy as np
from sklearn.preprocessing import (StandardScaler, MinMaxScaler, RobustScaler, MaxAbsScaler, LabelEncoder,
                                   OneHotEncoder)
from sklearn.decomposition import PCA
"""


def _real(code: str) -> Any:
    scope: dict[str, Any] = {}
    exec(textwrap.dedent(HEAD + code), scope)  # noqa: S102 - the test's own snippet, run on the real library
    return scope["x"]


ORACLE_CASES = [
    "x = StandardScaler().fit_transform(np.random.rand(50, 6))",
    "x = MinMaxScaler().fit_transform(np.random.rand(50, 6).astype('float32'))",
    "x = RobustScaler().fit_transform(np.random.randint(0, 9, size=(40, 3)))",
    "x = MaxAbsScaler().fit(np.random.rand(20, 4)).transform(np.random.rand(7, 4))",
    "s = StandardScaler()\ns.fit(np.random.rand(30, 5))\nx = s.transform(np.random.rand(11, 5))",
    "x = LabelEncoder().fit_transform(np.array(['a', 'b', 'a', 'c']))",
    "x = LabelEncoder().fit(np.array([3, 1, 3])).transform(np.array([1, 1, 3, 3, 1]))",
    ("x = OneHotEncoder(categories=[['a', 'b', 'c'], [1, 2]], sparse_output=False).fit_transform("
     "np.array([['a', 1], ['c', 2], ['b', 1]], dtype=object))"),
    "x = PCA(3).fit_transform(np.random.rand(40, 8))",
    "x = PCA(n_components=2).fit(np.random.rand(40, 8)).transform(np.random.rand(9, 8).astype('float32'))",
]


@pytest.mark.parametrize("code", ORACLE_CASES)
def test_shapes_agree_with_scikit_learn(code: str) -> None:
    real = _real(code)
    static = array(HEAD + code)
    assert static.shape == real.shape, code
    assert static.dtype == str(real.dtype), code


def test_scalers_mark_the_data_scaled_and_keep_the_rows() -> None:
    x = array(HEAD + "x = StandardScaler().fit_transform(np.random.randint(0, 256, size=(100, 784)))")
    assert x.scaled is True
    assert x.shape == (100, 784)


def test_the_scaler_records_what_it_was_fitted_on() -> None:
    values = run(HEAD + """
x_train = np.random.rand(80, 4)
x_test = np.random.rand(20, 4)
scaler = StandardScaler()
a = scaler.fit_transform(x_test)
b = scaler.transform(x_train)
other = MinMaxScaler()
other.fit(x_train)
""")
    assert values["scaler"].data["fitted_on"] is values["x_test"]
    assert values["other"].data["fitted_on"] is values["x_train"]


def test_a_fit_returns_the_transformer() -> None:
    values = run(HEAD + "s = StandardScaler()\nt = s.fit(np.zeros((3, 2)))\n")
    assert values["t"] is values["s"]


@pytest.mark.parametrize(("code", "real_width"), [
    # OneHotEncoder learns the categories from the data: the width is the data's
    ("x = OneHotEncoder(sparse_output=False).fit_transform(np.array([['a'], ['b'], ['c']]))", 3),
    # PCA without n_components keeps min(n_samples, n_features)
    ("x = PCA().fit_transform(np.random.rand(40, 8))", 8),
])
def test_a_width_learned_from_the_data_stays_unknown(code: str, real_width: int) -> None:
    assert _real(code).shape[1] == real_width
    x = array(HEAD + code)
    assert x.shape is not None and x.shape[1] is None


def test_the_default_sparse_one_hot_output_is_not_an_ndarray() -> None:
    code = "x = OneHotEncoder(categories=[['a', 'b']]).fit_transform(np.array([['a'], ['b']]))"
    assert not isinstance(_real(code), np.ndarray)  # a scipy sparse matrix
    assert not isinstance(run(HEAD + code)["x"], Array)


def test_scaling_data_of_unknown_shape_stays_unknown() -> None:
    # a DataFrame of a CSV that is not there: 2-D (sklearn takes nothing else), both sizes unknown
    x = array(HEAD + "import pandas\nx = StandardScaler().fit_transform(pandas.read_csv('a.csv'))")
    assert x.shape == (None, None)
    assert x.scaled is True
    x = array(HEAD + "x = StandardScaler().fit_transform(np.load('a.npy'))")
    assert x.shape is None


def test_a_transformer_is_an_object_of_its_class() -> None:
    value = run(HEAD + "s = RobustScaler()\n")["s"]
    assert isinstance(value, Obj) and value.type == "sklearn.preprocessing.RobustScaler"


@pytest.mark.parametrize(("fit", "apply"), [("float32", "float64"), ("float64", "float32"), ("float32", "float32")])
def test_a_scaler_keeps_the_input_dtype_and_pca_the_wider_one(fit: str, apply: str) -> None:
    for cls in ("StandardScaler", "PCA"):
        code = (f"x = {cls}().fit(np.random.rand(20, 4).astype('{fit}'))"
                f".transform(np.random.rand(5, 4).astype('{apply}'))")
        assert array(HEAD + code).dtype == str(_real(code).dtype), code
