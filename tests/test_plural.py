"""Counted nouns read well: "1 unit", "2 units" (keraslint/plural.py), in the messages too."""

from __future__ import annotations

import textwrap

import pytest

from keraslint.checker import check_source
from keraslint.plural import plural


@pytest.mark.parametrize(("count", "word", "text"), [
    (1, "unit", "1 unit"), (2, "unit", "2 units"), (0, "file", "0 files"), (1, "timestep", "1 timestep"),
    (3, "fix", "3 fixes"), (2, "class", "2 classes"), (2, "entry", "2 entries"), (2, "axis", "2 axes"),
    (2, "info", "2 info"), (2, "hidden fix", "2 hidden fixes"), (1, "sample", "1 sample"),
])
def test_plural(count: int, word: str, text: str) -> None:
    assert plural(count, word) == text


def test_a_one_unit_output_layer_is_one_unit() -> None:
    source = textwrap.dedent("""\
        import numpy as np
        import keras
        keras.utils.set_random_seed(0)
        x = np.zeros((100, 8))
        y = keras.utils.to_categorical(np.random.randint(0, 3, size=(100,)), 3)
        model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x, y)
    """)
    (finding,) = [d for d in check_source(source, "t.py", selected={"KL205"}).diagnostics]
    assert "The output layer has 1 unit but" in finding.message
    assert "1 units" not in finding.message

