"""Values of ``np.linspace`` / ``tf.linspace`` / ``keras.ops.linspace`` read one by one (issue 9's
coverage): per-block drop-path rates in DeiT, CCT and ShiftViT pick a branch with
``if rates[i]:``. The values are exact (NumPy's rule, endpoint included); anything not known
stays unknown."""

from __future__ import annotations

import libcst as cst

from keraslint.graph.propagate import analyze_model
from keraslint.source.analysis import analyze

from . import run
from .test_followed_tensors import HEADER

#: DeiT's shape: the first rate is 0.0, so its block takes the other branch
DROP_PATH_BRANCHES = """
rates = [x for x in tf.linspace(0.0, 0.1, 3)]
numbers = np.linspace(0, 0.1, 3)
floats = [float(r) for r in keras.ops.linspace(0.0, 0.1, 3)]
inputs = keras.Input((8,))
x = inputs
for i in range(3):
    x = layers.Dense(4 + i)(x) if rates[i] else layers.Dense(100)(x)
    x = layers.Dropout(numbers[i])(x)
    if floats[i] > 0.04:
        x = layers.Dense(2)(x)
model = keras.Model(inputs, x)
"""


def test_linspace_values_are_numpys() -> None:
    found = run(HEADER + """
a = np.linspace(0, 1, 5)
b = np.linspace(0, 1, 4, endpoint=False)
c = tf.linspace(0.0, 0.1, 4)
d = keras.ops.linspace(0, 10, 5)
e = tf.linspace(0, 10, 5)
one = np.linspace(2, 3, 1)
first = float(a[1])
last = a[-1]
rate = c[1].numpy()
""")
    assert found["a"].data["literal"] == (0.0, 0.25, 0.5, 0.75, 1.0) and found["a"].dtype == "float64"
    assert found["b"].data["literal"] == (0.0, 0.25, 0.5, 0.75)
    assert found["c"].dtype == "float32" and found["c"].shape == (4,)
    assert abs(found["c"].data["literal"][1] - 0.1 / 3) < 1e-7  # float32, as TensorFlow rounds it
    assert found["d"].dtype == "float32" and found["d"].data["literal"] == (0.0, 2.5, 5.0, 7.5, 10.0)
    assert found["e"].dtype == "float64"  # tf.linspace of ints (measured)
    assert found["one"].data["literal"] == (2.0,)
    assert found["first"] == 0.25 and found["last"].data["literal"] == 1.0
    assert found["rate"].data["literal"] == found["c"].data["literal"][1]


def test_linspace_of_unknown_bounds_has_no_values() -> None:
    found = run(HEADER + """
a = np.linspace(0, float(sys.argv[1]), 4)
b = np.linspace(0, 1, 1000)
loop = [x for x in a]
first = a[0]
""")
    assert found["a"].shape == (4,) and "literal" not in found["a"].data
    assert found["b"].shape == (1000,) and "literal" not in found["b"].data  # too many to keep
    assert getattr(found["loop"], "items", None) is None  # a loop over unknown values: not unrolled
    assert "literal" not in found["first"].data


def test_drop_path_rates_pick_each_blocks_branch() -> None:
    (graph,) = analyze(cst.parse_module(HEADER + DROP_PATH_BRANCHES)).models.graphs()
    model = analyze_model(graph)
    assert not model.graph.unknown and not any(r.reason for r in model.results.values())
    # rate 0.0 -> Dense(100); rates 0.05 and 0.1 -> Dense(5)/Dense(6), each then Dense(2)
    assert model.output_shapes() == [(None, 2)]
    assert model.total_params() == 900 + 505 + 12 + 18 + 14
