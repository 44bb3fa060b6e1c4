"""KL205 on what labels hold (real numbers into a sparse loss, targets outside [0, 1] for a
binary cross-entropy), on loss arguments (``ignore_class``, ``axis``) and on the compile
arguments that count or name outputs (``loss_weights``, ``metrics`` dicts).

What the messages say Keras does where it stops or trains is in tests/test_keras_claims.py;
the two facts the messages state without such a claim (a sparse loss truncates real labels,
a binary cross-entropy on a target outside [0, 1] goes below zero) are run under Keras here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from keraslint.checker import check_source

HEAD = "import numpy as np\nimport keras\nfrom keras import layers\nx = np.zeros((64, 4))\n"


def _kl205(body: str) -> list[str]:
    found = check_source(HEAD + body, "t.py", selected={"KL205"}).diagnostics
    return [f.message for f in found]


def _trained(y: str, loss: str, last: str) -> str:
    return (f"y = {y}\nm = keras.Sequential([keras.Input((4,)), layers.{last}])\n"
            f"m.compile(optimizer='adam', loss={loss})\nm.fit(x, y)\n")


SOFTMAX = "Dense(10, activation='softmax')"
SIGMOID = "Dense(1, activation='sigmoid')"
SPARSE = "'sparse_categorical_crossentropy'"
BCE = "'binary_crossentropy'"

FOUND = {
    "ids divided by 255": (_trained("np.random.randint(0, 10, 64) / 255.0", SPARSE, SOFTMAX),
                           "class ids in [0, 10) divided by 255.0"),
    "ids divided, then reshaped": (_trained("(np.random.randint(0, 10, 64) / 255.0).reshape(-1, 1)", SPARSE,
                                            SOFTMAX), "every one of them becomes class 0"),
    "rand labels": (_trained("np.random.rand(64)", SPARSE, SOFTMAX), "drawn by `np.random.rand`"),
    "normal labels": (_trained("np.random.normal(size=64)", SPARSE, SOFTMAX), "dropping the fraction"),
    "ids halved": (_trained("np.random.randint(0, 10, 64) / 2", SPARSE, SOFTMAX), "dropping the fraction"),
    "bce on ten classes": (_trained("np.random.randint(0, 10, 64)", BCE, SIGMOID), "integers in [0, 9]"),
    "bce on three classes, cast": (_trained("np.random.randint(0, 3, 64).astype('float32')", BCE, SIGMOID),
                                   "integers in [0, 2]"),
    "bce range through a split": ("from sklearn.model_selection import train_test_split\n"
                                  "a, b, y, t = train_test_split(x, np.random.randint(0, 5, 64))\n"
                                  + _trained("y", BCE, SIGMOID).replace("m.fit(x, y)", "m.fit(a, y)"),
                                  "integers in [0, 4]"),
    "to_categorical width": (_trained("keras.utils.to_categorical(np.random.randint(0, 5, 64), 5)",
                                      "'categorical_crossentropy'", SOFTMAX),
                             "made by `to_categorical` with num_classes=5"),
    "ignore_class leaves other ids": (_trained("np.random.randint(0, 12, 64)",
                                               "keras.losses.SparseCategoricalCrossentropy(ignore_class=10)", SOFTMAX),
                                      "ignore_class=10 masks only that id"),
    "sparse axis": (_trained("np.random.randint(0, 3, 64)", "keras.losses.SparseCategoricalCrossentropy(axis=0)",
                             SOFTMAX), "Only axis=-1 is currently supported"),
}

TWO = ("inp = keras.Input((4,))\nm = keras.Model(inp, [layers.Dense(1, name='age')(inp), "
       "layers.Dense(3, activation='softmax', name='kind')(inp)])\nm.compile(optimizer='adam', {})\n"
       "m.fit(x, {{'age': np.zeros((64, 1)), 'kind': np.zeros(64)}})\n")
LOSSES = "loss={'age': 'mse', 'kind': 'sparse_categorical_crossentropy'}"
#: the same model trained with one loss for both outputs (and labels to match)
ONE_LOSS = TWO.replace("'kind': np.zeros(64)", "'kind': np.zeros((64, 3))")

COMPILE_FOUND = {
    "weights too few": (TWO.format(LOSSES + ", loss_weights=[1.0]"), "has 1 weight for 2 losses"),
    "weights as a tuple": (TWO.format(LOSSES + ", loss_weights=(1.0, 2.0, 3.0)"), "has 3 weights for 2 losses"),
    "one loss, two weights": (ONE_LOSS.format("loss='mse', loss_weights=[1.0, 0.5]"), "a single loss counts once"),
    "weights dict misses an output": (TWO.format(LOSSES + ", loss_weights={'age': 1.0}"),
                                      "no weight for output 'kind'"),
    "metrics dict names no output": (TWO.format(LOSSES + ", metrics={'kind': 'accuracy', 'knd': 'mae'}"),
                                     "names output 'knd'"),
    "weighted metrics too": (TWO.format(LOSSES + ", weighted_metrics={'agee': 'mae'}"),
                             "`weighted_metrics` (compiled at line 7) names output 'agee'"),
    "loss dict misses an output": (TWO.format("loss={'age': 'mse'}"), "has no loss for 'kind'"),
}

NOT_FOUND = {
    "ids below the units": _trained("np.random.randint(0, 10, 64)", SPARSE, SOFTMAX),
    "ids divided by one": _trained("np.random.randint(0, 10, 64) / 1.0", SPARSE, SOFTMAX),
    "even ids halved": _trained("np.random.randint(0, 1, 64) / 2.0", SPARSE, SOFTMAX),
    "unknown labels divided": _trained("np.load('y.npy') / 255.0", SPARSE, SOFTMAX),
    "rand labels thresholded": _trained("(np.random.rand(64) > 0.5).astype('int64')", SPARSE, SOFTMAX),
    "rand labels for mse": _trained("np.random.rand(64, 10)", "'mse'", "Dense(10)"),
    "bce on 0/1": _trained("np.random.randint(0, 2, 64)", BCE, SIGMOID),
    "bce on probabilities": _trained("np.random.rand(64, 1)", BCE, SIGMOID),
    "ids sliced": _trained("np.random.randint(0, 10, 64)[:32]", BCE, SIGMOID).replace("m.fit(x, y)",
                                                                                  "m.fit(x[:32], y)"),
    "ignore_class masks the last id": _trained("np.random.randint(0, 11, 64)",
                                               "keras.losses.SparseCategoricalCrossentropy(ignore_class=10)", SOFTMAX),
    "ignore_class unknown": _trained("np.random.randint(0, 11, 64)",
                                     "keras.losses.SparseCategoricalCrossentropy(ignore_class=int(k))", SOFTMAX),
    "positional arguments": _trained("np.random.randint(0, 11, 64)",
                                     "keras.losses.SparseCategoricalCrossentropy(False, 10)", SOFTMAX),
    "branches with different ranges": "if flag:\n    y = np.random.randint(0, 5, 64)\nelse:\n"
                                      "    y = np.random.randint(0, 50, 64)\n"
                                      + _trained("y", SPARSE, "Dense(5, activation='softmax')").split("\n", 1)[1],
    "weights per loss": TWO.format(LOSSES + ", loss_weights=[1.0, 0.5]"),
    "weights dict with an extra key": TWO.format(LOSSES + ", loss_weights={'age': 1.0, 'kind': 1.0, 'x': 2.0}"),
    "one loss, one weight": ONE_LOSS.format("loss='mse', loss_weights=[2.0]"),
    "scalar weight": ONE_LOSS.format("loss='mse', loss_weights=0.5"),
    "metrics for some outputs": TWO.format(LOSSES + ", metrics={'kind': 'accuracy'}"),
    "metrics as a flat list": TWO.format(LOSSES + ", metrics=['mae']"),
    "weights of an unknown loss": TWO.format("loss=get_losses(), loss_weights=[1.0]"),
    "unnamed outputs": ONE_LOSS.replace(", name='age'", "").format("loss='mse', metrics={'age': 'mae'}"),
    "dict outputs": ("inp = keras.Input((4,))\nm = keras.Model(inp, {'a': layers.Dense(1, name='age')(inp), "
                     "'b': layers.Dense(3, name='kind')(inp)})\nm.compile(optimizer='adam', loss='mse', "
                     "metrics={'a': 'mae'})\nm.fit(x, {'a': np.zeros((64, 1)), 'b': np.zeros((64, 3))})\n"),
    "one output, any metric keys": "m = keras.Sequential([keras.Input((4,)), layers.Dense(1, name='out')])\n"
                                   "m.compile(optimizer='adam', loss='mse', metrics={'foo': 'mae'})\n"
                                   "m.fit(x, np.zeros((64, 1)))\n",
}


@pytest.mark.parametrize("case", FOUND, ids=list(FOUND))
def test_label_value_findings(case: str) -> None:
    body, said = FOUND[case]
    messages = _kl205(body)
    assert len(messages) == 1 and said in messages[0], messages


@pytest.mark.parametrize("case", COMPILE_FOUND, ids=list(COMPILE_FOUND))
def test_compile_argument_findings(case: str) -> None:
    body, said = COMPILE_FOUND[case]
    messages = _kl205(body)
    assert len(messages) == 1 and said in messages[0], messages


@pytest.mark.parametrize("case", NOT_FOUND, ids=list(NOT_FOUND))
def test_no_finding(case: str) -> None:
    assert _kl205(NOT_FOUND[case]) == []


def test_a_compile_problem_is_reported_once_for_every_call_that_uses_it() -> None:
    body = TWO.format(LOSSES + ", loss_weights=[1.0]") + "m.evaluate(x, {'age': np.zeros((64, 1)), " \
                                                         "'kind': np.zeros(64)})\n"
    assert len(_kl205(body)) == 1


_ORACLE = r"""
import json, os, warnings
os.environ["CUDA_VISIBLE_DEVICES"] = "-1"
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
warnings.simplefilter("ignore")
import numpy as np
import keras
rng = np.random.default_rng(0)
p = rng.random((6, 10)).astype("float32")
p /= p.sum(-1, keepdims=True)
real = np.array([0.3, 0.9, 1.5, 2.7, 9.9, 5.5])
scce = keras.losses.SparseCategoricalCrossentropy(reduction=None)
bce = keras.losses.BinaryCrossentropy(reduction=None)
print(json.dumps({
    "truncated": bool(np.allclose(scce(real, p), scce(np.floor(real), p))),
    "unit_is_class_0": bool(np.allclose(scce(real[:2], p[:2]), scce(np.zeros(2), p[:2]))),
    "above_one_near_one": float(bce(np.array([[9.0]]), np.array([[0.999]]))[0]),
    "above_one_nearer_one": float(bce(np.array([[9.0]]), np.array([[0.99999]]))[0]),
    "below_zero_near_zero": float(bce(np.array([[-1.0]]), np.array([[0.001]]))[0]),
}))
"""


@pytest.mark.slow
def test_what_the_messages_say_the_losses_do_holds_under_keras() -> None:
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    done = subprocess.run([sys.executable, "-c", _ORACLE], env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    facts = json.loads(done.stdout.splitlines()[-1])
    assert facts["truncated"] and facts["unit_is_class_0"]  # "casts them to integer class ids"
    # "the loss keeps falling below zero as the prediction nears 0 or 1"
    assert facts["above_one_near_one"] < 0 and facts["above_one_nearer_one"] < facts["above_one_near_one"]
    assert facts["below_zero_near_zero"] < 0
