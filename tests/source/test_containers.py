"""Lists and dicts mutated by the script: followed exactly where certain, unknown otherwise.

The false alarm these guard against: a list filled by ``.append`` in a loop over something
unknown was treated as empty, so ``np.array(rows)`` had shape ``(0,)`` and the data rules reported
errors such as "Dense units must be >= 1, got 0" on correct code.
"""

from __future__ import annotations

from typing import Any

import libcst as cst
import pytest

from keraslint.checker import check_source
from keraslint.registry import all_rules
from keraslint.source.interpreter import Interpreter
from keraslint.source.values import Array, ListValue
from keraslint.values import UNKNOWN

ALL = {r.code for r in all_rules()}


def env(code: str) -> dict[str, Any]:
    interp = Interpreter(cst.parse_module("import os\nimport numpy as np\n" + code))
    interp.run()
    return interp.module_frame.vars


def items(value: Any) -> list[Any] | None:
    return list(value.items) if isinstance(value, ListValue) else None


def test_straight_line_mutations_are_followed() -> None:
    v = env("a = []\na.append(1)\na.extend([2, 3])\na.insert(0, 0)\nb = a\nb += [4]\nc = [5, 6]\nc[1] = 7\n"
            "d = a.copy()\nd.clear()\nx = np.array(a)\n")
    assert items(v["a"]) == [0, 1, 2, 3, 4]
    assert v["b"] is v["a"]  # `+=` extends the list itself, which both names share
    assert items(v["c"]) == [5, 7]
    assert items(v["d"]) == []
    assert isinstance(v["x"], Array) and v["x"].shape == (5,)


def test_alias_sees_the_mutation() -> None:
    v = env("a = []\nb = a\nb.append(1)\nholder = (a,)\nfor f in os.listdir('.'):\n    b.append(f)\n")
    assert items(v["a"]) is None  # filled an unknown number of times: unknown through every alias
    assert items(v["holder"][0]) is None


@pytest.mark.parametrize("loop", [
    "for name in os.listdir('data'):\n    rows.append(name)\n",
    "for line in open('f.txt'):\n    rows.append(line)\n",
    "for i in range(len(unknown_thing)):\n    rows.append(i)\n",
    "for batch in dataset:\n    rows.extend(batch)\n",
    "for name in os.listdir('data'):\n    rows += [name]\n",
    "while len(rows) < n:\n    rows.append(0)\n",
    "if flag:\n    rows.append(0)\n",
    "for name in os.listdir('data'):\n    rows.insert(0, name)\n",
    "for name in os.listdir('data'):\n    rows[0:0] = [name]\n",
    "fill(rows)\n",
    "helper.populate(rows)\n",
    "rng.shuffle(rows)\n",
])
def test_a_mutation_that_may_or_may_not_run_makes_the_list_unknown(loop: str) -> None:
    v = env("rows = []\n" + loop + "x = np.array(rows)\nn_rows = len(rows)\n")
    assert items(v["rows"]) is None
    assert v["n_rows"] is UNKNOWN
    assert not (isinstance(v["x"], Array) and v["x"].shape is not None and 0 in v["x"].shape)


@pytest.mark.parametrize("call", ["frame.category.isin(classes)", "' '.join(classes)", "sep.join(classes)",
                                  "frame.label.index(classes)"])
def test_a_method_that_only_reads_its_argument_keeps_the_list(call: str) -> None:
    """``df.category.isin(classes)`` on a frame keraslint does not know cannot change ``classes``:
    ``Dense(len(classes))`` keeps its width (the TF audio transfer-learning tutorial)."""
    v = env("classes = ['dog', 'cat']\n" + call + "\nn = len(classes)\n")
    assert items(v["classes"]) == ["dog", "cat"]
    assert v["n"] == 2


def test_loop_over_a_literal_list_is_still_exact() -> None:
    v = env("rows = []\nfor u in [8, 16, 32]:\n    rows.append(u)\n")
    assert items(v["rows"]) == [8, 16, 32]


@pytest.mark.parametrize("update", [
    "for k in open('f'):\n    d[k] = 1\n",
    "for k in open('f'):\n    d.update({k: 1})\n",
    "for k in open('f'):\n    d.setdefault(k, 1)\n",
    "d[unknown_key] = 1\n",
    "d |= other\n",
    "del d['a']\n",
])
def test_dict_updates_that_cannot_be_followed_make_its_values_unknown(update: str) -> None:
    v = env("d = {'a': np.zeros((3, 2))}\nalias = d\n" + update)
    assert all(value is UNKNOWN for value in v["alias"].values())


def test_dict_item_set_in_straight_line_code_is_kept() -> None:
    v = env("d = {}\nd['x'] = np.zeros((4, 2))\n")
    assert set(v["d"]) == {"x"} and v["d"]["x"].shape == (4, 2)


def test_rows_from_an_unknown_folder_give_no_error() -> None:
    """The false alarm from real code, end to end: no finding on data whose size is unknown."""
    code = """
import os
import numpy as np
import keras
keras.utils.set_random_seed(0)
rows, labels = [], []
for name in os.listdir("data"):
    rows.append(np.load(os.path.join("data", name)))
    labels.append(int(name[0]))
X = np.array(rows)
y = np.array(labels)
classes = []
for label in labels:
    if label not in classes:
        classes.append(label)
model = keras.Sequential([keras.Input((X.shape[1],)), keras.layers.Dense(len(classes), activation="softmax")])
model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
model.fit(X, y)
"""
    report = check_source(code, "t.py", selected=ALL)
    assert [d.code for d in report.diagnostics if d.severity.value in ("error", "warning")] == []


def test_a_loop_over_an_array_binds_its_rows() -> None:
    """`for row in X`, `zip(X, Y)`, `enumerate(...)`: the rows keep their shape inside the loop
    (whose trip count is unknown, so what the loop leaves behind is still unknown)."""
    code = """
import numpy as np
import keras
keras.utils.set_random_seed(0)
X = np.zeros((10, 50, 3))
Y = np.zeros((10, 1))
model = keras.Sequential([keras.Input((50, 4)), keras.layers.Conv1D(8, 3), keras.layers.GlobalAveragePooling1D(),
                          keras.layers.Dense(1)])
model.compile(loss="mse")
for i, (x, y) in enumerate(zip(X, Y)):
    model.train_on_batch(x[None], y[None])
for row in X:
    model.predict(row[None, :, :2])
"""
    report = check_source(code, "t.py", selected=ALL)
    found = [d for d in report.diagnostics if d.code != "KL104"]
    assert [(d.code, d.location.row) for d in found] == [("KL202", 11), ("KL202", 13)]
    assert "(1, 50, 3)" in found[0].message and "(1, 50, 2)" in found[1].message
