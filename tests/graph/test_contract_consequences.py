"""What Keras 3 does with data that differs from a model's declared input decides the message
and the severity: a crash is an error, a silent acceptance a warning (tests/test_keras_claims.py
runs the same kind of scripts under Keras)."""

from __future__ import annotations

import pytest

from keraslint.checker import check_source
from keraslint.diagnostics import Severity
from keraslint.registry import all_rules

ALL = {r.code for r in all_rules()}
HEAD = "import numpy as np\nimport keras\nfrom keras import layers\n"


def contract(code: str) -> list[tuple[str, Severity, str]]:
    report = check_source(HEAD + code, "t.py", selected=ALL)
    return [(d.code, d.severity, d.message) for d in report.diagnostics if d.code in ("KL201", "KL202", "KL203")]


@pytest.mark.parametrize(("model", "data", "said", "severity"), [
    # layers that take any length: a Sequential model trains on it
    ("keras.Sequential([keras.Input((100, 3)), layers.Conv1D(4, 3), layers.GlobalAveragePooling1D(), layers.Dense(1)])",
     "(64, 120, 3)", "Keras accepts it silently", Severity.WARNING),
    # Flatten makes the width depend on the length: the Dense after it was built for the declared one
    ("keras.Sequential([keras.Input((100, 3)), layers.Conv1D(4, 3), layers.Flatten(), layers.Dense(1)])",
     "(64, 120, 3)", "Dense was built for 392 input features and gets 472", Severity.ERROR),
    ("keras.Sequential([keras.Input((4,)), layers.Dense(1)])",
     "(64, 6)", "Dense was built for 4 input features and gets 6", Severity.ERROR),
    ("(lambda i: keras.Model(i, layers.Dense(1)(layers.GlobalAveragePooling1D()(i))))(keras.Input((100, 3)))",
     "(64, 120, 3)", "the model checks its input (`expected shape=(None, 100, 3)`)", Severity.ERROR),
])
def test_kl201_says_whether_keras_stops(model: str, data: str, said: str, severity: Severity) -> None:
    found = contract(f"m = {model}\nm.compile(loss='mse')\nm.fit(np.zeros({data}), np.zeros(64))\n")
    assert [(code, sev) for code, sev, _ in found] == [("KL201", severity)], found
    assert said in found[0][2]


@pytest.mark.parametrize(("first", "said"), [
    ("layers.LSTM(4)", "LSTM was built for 8 input features"),
    ("layers.Conv1D(4, 3)", "`expected axis -1 of input shape to have value 8`"),
])
def test_kl202_quotes_keras_only_where_it_says_that(first: str, said: str) -> None:
    found = contract(f"m = keras.Sequential([keras.Input((50, 8)), {first}, layers.Flatten(), layers.Dense(1)])\n"
                     "m.compile(loss='mse')\nm.fit(np.zeros((64, 50, 5)), np.zeros(64))\n")
    assert [code for code, _, _ in found] == ["KL202"] and said in found[0][2]


def test_kl203_on_a_sequential_model_that_trains_is_a_warning() -> None:
    found = contract("x = np.zeros((8, 100, 3))\n"
                     "m = keras.Sequential([layers.Conv1D(4, 3, input_shape=(8, 3)), layers.GlobalAveragePooling1D(),"
                     " layers.Dense(1)])\nm.compile(loss='mse')\nm.fit(x, np.zeros(8))\n")
    assert [(code, sev) for code, sev, _ in found] == [("KL203", Severity.WARNING)]
    assert "Keras accepts it silently" in found[0][2]
