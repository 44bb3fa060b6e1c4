"""KL209's facts: the array operations NumPy/TensorFlow refuse, judged only on known sizes.

The slow test runs every case under NumPy and TensorFlow and checks what the finding claims:
the operation raises, on the finding's line, the exception type the message names, and with the
error text the message quotes (after "raises Type: ").
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from keraslint.checker import check_source
from keraslint.source.array_problems import matmul_problem, reshape_problem

HEAD = "import numpy as np\nimport tensorflow as tf\n"

#: name -> (script, line of the impossible operation)
IMPOSSIBLE = {
    "reshape_train_count": (HEAD + "x_train = np.zeros((600, 28, 28))\nx_test = np.zeros((100, 28, 28))\n"
                            "x_test = x_test.reshape(x_train.shape[0], 28, 28, 1)\n", 5),
    "reshape_flat": (HEAD + "x = np.zeros((100, 28, 28))\ny = x.reshape(100, 785)\n", 4),
    "reshape_one_axis": (HEAD + "x = np.zeros((100, 28, 28))\ny = x.reshape((784,))\n", 4),
    "reshape_minus_one": (HEAD + "x = np.zeros((10, 7))\ny = x.reshape(-1, 4)\n", 4),
    "reshape_two_minus_ones": (HEAD + "x = np.zeros((10, 7))\ny = x.reshape(-1, -1)\n", 4),
    "np_reshape": (HEAD + "x = np.ones((32, 10))\ny = np.reshape(x, (32, 3, 3))\n", 4),
    "tf_reshape": (HEAD + "x = tf.zeros((32, 10))\ny = tf.reshape(x, (32, 5, 3))\n", 4),
    "tf_reshape_minus_one": (HEAD + "x = np.zeros((32, 10))\ny = tf.reshape(x, [-1, 3])\n", 4),
    "concatenate_other_axis": (HEAD + "a = np.zeros((100, 8))\nb = np.zeros((90, 8))\n"
                               "c = np.concatenate([a, b], axis=1)\n", 5),
    "concatenate_ranks": (HEAD + "a = np.zeros((100, 8))\nb = np.zeros((100,))\nc = np.concatenate((a, b))\n", 5),
    "hstack": (HEAD + "a = np.zeros((100, 8))\nc = np.hstack([a, np.zeros((90, 2))])\n", 4),
    "vstack": (HEAD + "a = np.zeros((100, 8))\nc = np.vstack([a, np.zeros((5, 9))])\n", 4),
    "stack": (HEAD + "a = np.zeros((100, 8))\nc = np.stack([a, np.zeros((100, 9))], axis=1)\n", 4),
    "tf_concat": (HEAD + "a = np.zeros((100, 8))\nc = tf.concat([a, np.zeros((100, 9))], axis=0)\n", 4),
    "tf_stack": (HEAD + "a = tf.zeros((4, 8))\nc = tf.stack([a, tf.zeros((4, 9))])\n", 4),
    "matmul_operator": (HEAD + "w = np.zeros((8, 3))\nx = np.zeros((100, 3))\ny = x @ w\n", 5),
    "np_dot": (HEAD + "x = np.zeros((100, 3))\ny = np.dot(x, np.zeros((4, 2)))\n", 4),
    "np_dot_vectors": (HEAD + "y = np.dot(np.zeros(8), np.zeros(9))\n", 3),
    "np_matmul": (HEAD + "y = np.matmul(np.zeros((2, 5, 3)), np.zeros((4, 2)))\n", 3),
    "tf_matmul": (HEAD + "y = tf.matmul(tf.zeros((6, 3)), tf.zeros((4, 2)))\n", 3),
    "tf_matmul_operator": (HEAD + "a = tf.zeros((6, 3))\ny = a @ tf.ones((4, 2))\n", 4),
}

#: what NumPy/TensorFlow accept (or what keraslint cannot size): no finding, and it runs
POSSIBLE = {
    "reshape_own_count": HEAD + "x = np.zeros((100, 28, 28))\ny = x.reshape(x.shape[0], 28, 28, 1)\n"
                                "z = x.reshape(-1, 784)\nw = x.reshape(100, -1)\nv = np.reshape(x, -1)\n",
    "reshape_empty": HEAD + "x = np.zeros((0, 4))\ny = x.reshape(0, 2, 2)\n",
    "reshape_unknown_size": HEAD + "def f(x):\n    return x.reshape(10, 10)\nf(np.zeros(100))\n",
    "reshape_unknown_target": HEAD + "import random\nn = random.choice([4, 5])\nx = np.zeros((20,))\n"
                                     "y = x.reshape(n, -1)\n",
    "concatenate_axis": HEAD + "a = np.zeros((100, 8))\nc = np.concatenate([a, np.zeros((100, 2))], axis=1)\n"
                               "d = np.concatenate([a, a], axis=None)\ne = np.hstack([np.zeros(3), np.zeros(4)])\n",
    "vstack_rows": HEAD + "c = np.vstack([np.zeros(8), np.zeros((5, 8))])\n",
    "stack_equal": HEAD + "c = np.stack([np.zeros((2, 3)), np.ones((2, 3))], axis=-1)\n",
    # the array model does not follow in-place shape changes: stale shapes give no verdict
    "in_place_shape": HEAD + "a = np.zeros((10, 5))\na.shape = (5, 10)\nb = (a * 2) @ np.zeros((10, 3))\n"
                             "x = np.zeros((10, 5))\nx.resize((20, 5), refcheck=False)\ny = x.reshape(20, 5)\n",
    "caught_error": HEAD + "try:\n    y = np.zeros(10).reshape(3, 3)\nexcept ValueError:\n    y = None\n",
    "matmul_fits": HEAD + "y = np.zeros((100, 3)) @ np.zeros((3, 2))\nz = np.dot(np.zeros(3), np.zeros((3, 4)))\n"
                          "t = tf.matmul(tf.zeros((6, 3)), tf.zeros((2, 3)), transpose_b=True)\n",
}


def kl209(code: str) -> list:
    return [d for d in check_source(code, "t.py", selected={"KL209"}).diagnostics if d.code == "KL209"]


@pytest.mark.parametrize("name", IMPOSSIBLE)
def test_impossible_operation_is_reported(name: str) -> None:
    code, line = IMPOSSIBLE[name]
    found = kl209(code)
    assert [d.location.row for d in found] == [line], [d.message for d in found]


@pytest.mark.parametrize("name", POSSIBLE)
def test_possible_or_unknown_operation_is_not_reported(name: str) -> None:
    assert not kl209(POSSIBLE[name]), [d.message for d in kl209(POSSIBLE[name])]


def test_reshape_message_has_the_numbers() -> None:
    (finding,) = kl209(IMPOSSIBLE["reshape_train_count"][0])
    assert finding.message == (
        "`x_test.reshape(x_train.shape[0], 28, 28, 1)` asks for 470,400 elements but x_test (100, 28, 28) holds "
        "78,400: NumPy raises ValueError: cannot reshape array of size 78400 into shape (600,28,28,1)")


def test_result_of_an_impossible_reshape_stays_unknown() -> None:
    # y's shape is not invented: a later reshape of y, right for any guess, is not judged
    code = HEAD + "x = np.zeros((10, 7))\ny = x.reshape(3, 3)\nz = y.reshape(2, 2)\nw = y @ np.zeros((5, 5))\n"
    assert [d.location.row for d in kl209(code)] == [4]


def test_unknown_sizes_give_no_verdict() -> None:
    assert reshape_problem((None, 28, 28), (60000, 28, 28, 1), tf=False) is None
    assert reshape_problem((100, 28), (None, 29), tf=False) is None
    assert reshape_problem(None, (3, 3), tf=False) is None
    assert matmul_problem((100, None), (9, 4), "np.matmul", tf=False) is None
    assert matmul_problem((100, 8), (None, 4), "np.matmul", tf=False) is None
    assert reshape_problem((10, 7), (-1, 4), tf=False) is not None


RUNNER = r"""
import json, re, sys, traceback
for name, code in json.load(sys.stdin).items():
    try:
        exec(compile(code, name, "exec"), {"__name__": "__claim__"})
        result = {"outcome": "runs"}
    except Exception as exc:  # the outcome under test
        lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == name]
        result = {"outcome": "stops", "line": lines[-1] if lines else None, "type": type(exc).__name__,
                  "error": str(exc)}
    print(json.dumps({"name": name, **result}), flush=True)
"""


@pytest.fixture(scope="module")
def outcomes() -> dict[str, dict]:
    scripts = {**{n: c for n, (c, _) in IMPOSSIBLE.items()}, **POSSIBLE}
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    done = subprocess.run([sys.executable, "-c", RUNNER], input=json.dumps(scripts), env=env, capture_output=True, check=False,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    results = {r["name"]: r for r in map(json.loads, done.stdout.splitlines())}
    assert set(results) == set(scripts), done.stderr[-3000:]
    return results


@pytest.mark.slow
@pytest.mark.parametrize("name", IMPOSSIBLE)
def test_numpy_or_tensorflow_raises_as_claimed(name: str, outcomes: dict[str, dict]) -> None:
    (finding,) = kl209(IMPOSSIBLE[name][0])
    result = outcomes[name]
    assert result["outcome"] == "stops", f"{name} ran, but keraslint says {finding.message!r}"
    assert result["line"] == finding.location.row
    claim = re.search(r"(NumPy|TensorFlow) raises (\w+)(?:: (.*))?$", finding.message)
    assert claim is not None, finding.message
    assert result["type"] == claim.group(2), (finding.message, result)
    if claim.group(3):
        assert claim.group(3) in result["error"], (finding.message, result["error"])


@pytest.mark.slow
@pytest.mark.parametrize("name", POSSIBLE)
def test_unreported_scripts_run(name: str, outcomes: dict[str, dict]) -> None:
    assert outcomes[name]["outcome"] == "runs", outcomes[name]


def test_arguments_the_model_cannot_read_give_no_verdict_and_no_crash() -> None:
    code = (HEAD + "x = np.zeros(10).reshape(2.0, 5)\ny = np.reshape(np.zeros(4), 'ab')\n"
            "z = np.concatenate([np.zeros((2, 2)), np.zeros((3, 3))], axis=1.5)\nw = np.zeros((2, 2)) @ np.zeros(())\n"
            "q = tf.reshape(np.zeros(6), [2, None])\nr = np.stack('ab')\nimport keras\n"
            "e = keras.layers.Embedding(10, 2, weights=[[1, 2]])\ne.set_weights('x')\ne.set_weights([np.zeros(3)], 1)\n")
    found = check_source(code, "t.py", selected={"KL209", "KL308", "KL009"}).diagnostics
    assert not found, [f"{d.code} {d.message}" for d in found]
