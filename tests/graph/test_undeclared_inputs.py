"""Models whose input nothing declares: Keras builds them on the first data (or tensor) they
get, and keraslint takes their shapes from there. Nothing is declared, so the data/model
contract rules (KL201-KL204) have nothing to compare the data with and stay silent."""

from __future__ import annotations

from keraslint.checker import check_source
from keraslint.registry import all_rules
from keraslint.summary import summarize

ALL = {r.code for r in all_rules()}

UNDECLARED = """
import numpy as np
import keras
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.layers.Conv1D(16, 5, strides=3), keras.layers.Flatten(),
                          keras.layers.Dense(10, activation="softmax")])
model.compile(loss="categorical_crossentropy")
model.fit(np.zeros((64, 100, 8)), np.zeros((64, 10)))
"""


def codes(source: str) -> list[str]:
    return sorted(d.code for d in check_source(source, "t.py", selected=ALL - {"KL104"}).diagnostics)


def test_graph_rules_run_on_the_shape_of_the_first_data() -> None:
    assert codes(UNDECLARED) == ["KL301"]
    report = check_source(UNDECLARED, "t.py", selected=ALL)
    (summary,) = summarize(report)
    assert summary.fully_shaped and summary.total_params == 656 + 5130


def test_later_data_of_another_shape_is_not_compared_with_a_declaration_nobody_made() -> None:
    # (Keras would stop at the predict: Dense was built for 512 features; keraslint does not
    # claim that without a test that runs it, so it says nothing.)
    later = UNDECLARED + "model.predict(np.zeros((3, 50, 8)))\n"
    assert codes(later) == ["KL301"]


def test_unknown_data_leaves_the_input_unknown() -> None:
    source = UNDECLARED.replace("np.zeros((64, 100, 8))", "np.load(path)")
    report = check_source(source, "t.py", selected=ALL)
    (summary,) = summarize(report)
    assert not summary.fully_shaped
    assert codes(source) == []


def test_a_sequential_used_as_a_layer_is_shown_as_its_first_application_shapes_it() -> None:
    source = """
import keras
ffn = keras.Sequential([keras.layers.Dense(32, activation="relu"), keras.layers.Dense(8)])
inputs = keras.Input(shape=(10, 8))
outputs = keras.layers.GlobalAveragePooling1D()(ffn(inputs))
model = keras.Model(inputs, outputs)
"""
    report = check_source(source, "t.py", selected=ALL)
    by_kind = {s.kind: s for s in summarize(report)}
    inner = by_kind["sequential"]
    assert inner.fully_shaped
    assert [row.outputs for row in inner.layers][-1] == ((None, 10, 8),)
