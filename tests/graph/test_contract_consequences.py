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


def labels(code: str) -> list[tuple[str, Severity, str, int]]:
    report = check_source(HEAD + code, "t.py", selected=ALL)
    return [(d.code, d.severity, d.message, d.location.row) for d in report.diagnostics
            if d.code in ("KL205", "KL305")]


def labelled(stack: str, y: str, loss: str, x: str = "(8, 10, 3)") -> str:
    return (f"x = np.zeros({x})\ny = np.zeros({y})\nm = keras.Sequential([keras.Input(({x[4:]}), {stack}])\n"
            f"m.compile(optimizer='adam', loss={loss!r})\nm.fit(x, y, epochs=1, verbose=0)\n")


#: a Dense on an unflattened sequence: KL305 reports it at the Dense, with what the labels make Keras do
DENSE_ON_SEQUENCE = {
    "crash": (labelled("layers.Conv1D(4, 3), layers.Dense(1, activation='sigmoid')", "(8, 1)",
                       "binary_crossentropy"), "stops", Severity.ERROR),
    "crash_cce": (labelled("layers.Conv1D(4, 3), layers.Dense(3, activation='softmax')", "(8, 3)",
                           "categorical_crossentropy"), "stops", Severity.ERROR),
    "broadcast": (labelled("layers.Conv1D(4, 3), layers.Dense(1)", "(8, 1)", "mse"), "runs", Severity.WARNING),
}


@pytest.mark.parametrize("name", DENSE_ON_SEQUENCE)
def test_kl305_uses_the_labels_once(name: str) -> None:
    code, said, severity = DENSE_ON_SEQUENCE[name]
    found = labels(code)
    # no strided layer, so only the labels show the model is meant to be per-sample; KL205 stays quiet
    assert [(c, s) for c, s, _, _ in found] == [("KL305", severity)], found
    assert ("Keras stops at the first batch" if said == "stops" else "Keras broadcasts") in found[0][2]


def test_kl305_quiet_for_labels_per_position() -> None:
    code = labelled("layers.Conv1D(4, 3, strides=2), layers.Dense(1, activation='sigmoid')", "(8, 4, 1)",
                    "binary_crossentropy")
    assert labels(code) == []


@pytest.mark.slow
def test_kl305_claims_hold_under_keras() -> None:
    import json
    import os
    import subprocess
    import sys

    from tests.test_keras_claims import RUNNER

    scripts = {name: HEAD + code for name, (code, _, _) in DENSE_ON_SEQUENCE.items()}
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    done = subprocess.run([sys.executable, "-c", RUNNER], input=json.dumps(scripts), env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    results = {r["name"]: r for r in map(json.loads, done.stdout.splitlines())}
    assert set(results) == set(scripts), done.stderr[-3000:]
    for name, (code, said, _) in DENSE_ON_SEQUENCE.items():
        assert results[name]["outcome"] == said, (name, results[name])
        if said == "stops":
            quote = labels(code)[0][2].split("('")[1].split("')")[0]
            assert quote in results[name]["error"], (name, quote, results[name]["error"][:400])


@pytest.mark.parametrize(("stack", "y", "loss", "severity", "said"), [
    ("layers.Conv1D(1, 3, activation='sigmoid')", "(8, 1)", "binary_crossentropy", Severity.ERROR,
     "must have the same shape"),
    ("layers.Conv1D(1, 3)", "(8, 1)", "mse", Severity.WARNING, "every position is trained on its sample's label"),
    ("layers.LSTM(1, return_sequences=True)", "(8,)", "mae", Severity.WARNING,
     "compared with the label of every sample"),
])
def test_kl205_lower_rank_labels(stack: str, y: str, loss: str, severity: Severity, said: str) -> None:
    found = labels(labelled(stack, y, loss))
    assert [(c, s) for c, s, _, _ in found] == [("KL205", severity)], found
    assert said in found[0][2] and "rank" in found[0][2]


def test_kl205_no_finding_when_the_input_is_already_wrong() -> None:
    code = labelled("layers.Conv1D(1, 3)", "(8, 1)", "mse", x="(8, 12, 3)").replace("Input((12, 3))", "Input((10, 3))")
    assert [c for c, _, _, _ in labels(code)] == []


TWO_HEADS = ("x = np.zeros((64, 8))\ninp = keras.Input((8,))\nh = layers.Dense(16)(inp)\n"
             "m = keras.Model(inp, [layers.Dense(1, name='age')(h), layers.Dense(3, activation='softmax', name='kind')(h)])\n")


@pytest.mark.parametrize(("compile_", "fit_y", "expected"), [
    # by name: the findings name the output
    ("loss={'age': 'mse', 'kind': 'categorical_crossentropy'}, loss_weights={'age': 1.0, 'kind': 0.2}",
     "{'age': np.zeros((64, 1)), 'kind': np.random.randint(0, 3, 64)}", ["output 'kind': categorical_crossentropy"]),
    # in output order
    ("loss=['mse', 'sparse_categorical_crossentropy']", "[np.zeros((64, 1)), np.zeros((64, 3))]",
     ["output 'kind': sparse_categorical_crossentropy needs integer class ids"]),
    ("loss=['mse', 'sparse_categorical_crossentropy']", "[np.zeros((64, 1)), np.random.randint(0, 3, 64)]", []),
    # one loss for both outputs
    ("loss='mse'", "[np.zeros((64, 1)), np.zeros((64, 1))]", ["output 'kind': The output layer has 3 units"]),
    # loss keys that are not output names: Keras stops before it pairs labels with outputs
    ("loss={'a': 'mse', 'b': 'categorical_crossentropy'}", "{'a': np.zeros(64), 'b': np.zeros(64)}",
     ["The `loss` dict (compiled at line 8) names 'a', 'b', which the model does not output"]),
    # unknown pairing (a list of another length): no finding
    ("loss=['mse', 'categorical_crossentropy']", "[np.zeros((64, 1))]", []),
])
def test_kl205_per_output(compile_: str, fit_y: str, expected: list[str]) -> None:
    found = labels(f"{TWO_HEADS}m.compile(optimizer='adam', {compile_})\nm.fit(x, {fit_y}, verbose=0)\n")
    assert [c for c, _, _, _ in found] == ["KL205"] * len(expected), found
    for (_, _, message, _), start in zip(found, expected):
        assert message.startswith(start), message


def test_a_vector_of_samples_predicted_by_a_model_of_one_feature_is_no_single_sample() -> None:
    # Keras 3 adds the trailing axis of size 1 (tests/test_keras_claims.py: predict_vector_unit_axis);
    # found on a pandas column in the TensorFlow regression tutorial
    model = "m = keras.Sequential([keras.Input((1,)), layers.Dense(1)])\n"
    assert contract(model + "m.predict(np.zeros((int(np.random.randint(5, 10)), 2))[:, 0])\n") == []
    found = contract("m = keras.Sequential([keras.Input((3,)), layers.Dense(1)])\nm.predict(np.zeros((3,)))\n")
    assert [code for code, _, message in found if "single sample" in message] == ["KL201"]
