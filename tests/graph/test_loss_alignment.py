"""keraslint.graph.losses against Keras 3: every built-in loss x label shapes x output shapes.

The whole table runs in one subprocess (TensorFlow backend, CPU): each loss object is called
eagerly on arrays of zeros (class 0 is a valid id) with ``reduction=None``; the batch size 7
matches no other axis, so a broadcast of the batch against a class axis shows as the failure
it is in ``fit`` (where the batch axis is unknown until run time).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from keraslint.graph.losses import LOSSES, LossSpec, align, spec, squeeze_or_expand

N = 7
OUTPUTS = [(None, 1), (None, 3), (None, 5, 1), (None, 5, 3), (None, 4, 4, 3), (None, 4, 4, 1)]
LABELS = [(None,), (None, 1), (None, 3), (None, 2), (None, 5), (None, 5, 1), (None, 5, 3), (None, 5, 2),
          (None, 4, 4), (None, 4, 4, 1), (None, 4, 4, 3), (None, 3, 1)]

_SCRIPT = r"""
import json, os, sys, warnings
os.environ["CUDA_VISIBLE_DEVICES"] = "-1"
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
warnings.simplefilter("ignore")
import numpy as np
import keras
from keras.src.losses.loss import squeeze_or_expand_to_same_rank
from keras.src.trainers.compile_utils import get_loss
N, cases, aliases, INTEGER_LABELS = json.loads(sys.stdin.read())
out = []
for class_name, labels, output in cases:
    loss = getattr(keras.losses, class_name)(reduction=None)
    y = np.zeros([N] + labels[1:], "int32" if class_name in INTEGER_LABELS else "float32")
    p = np.full([N] + output[1:], 0.5, "float32")
    a, b = squeeze_or_expand_to_same_rank(keras.ops.convert_to_tensor(y), keras.ops.convert_to_tensor(p))
    try:
        value = loss(y, p)
        out.append(["ok", list(value.shape), list(a.shape), list(b.shape)])
    except Exception as e:
        out.append(["raises", str(e).splitlines()[0] if str(e) else type(e).__name__, None, None])
resolved = {}
for alias in aliases:
    try:
        fn = get_loss(alias, None, None).fn
        resolved[alias] = getattr(fn, "__name__", type(fn).__name__)
    except Exception as e:
        resolved[alias] = None
print(json.dumps([out, resolved]))
"""


# losses that read class ids (zeros are valid ids; CTC's 0 is its blank)
_INTEGER_KINDS = ("ctc", "circle", "one_hot")


def _expected_kind(entry: LossSpec, y_aligned: list, out_aligned: list) -> str:
    """Whether Keras's success compared like with like ("ok") or broadcast one against the other."""
    if entry.kind in ("sparse", "ctc", "circle"):
        return "ok"  # no elementwise comparison of the two tensors
    if entry.kind == "one_hot":
        return "ok" if [*y_aligned, out_aligned[-1]] == out_aligned else "broadcast"
    return "ok" if y_aligned == out_aligned else "broadcast"


def _concrete(shape: tuple | None) -> list | None:
    return None if shape is None else [N if d in (None, "N") else d for d in shape]


@pytest.fixture(scope="module")
def keras_table() -> tuple[list, list, dict]:
    cases = [(s, y, o) for s in LOSSES for y in LABELS for o in OUTPUTS]
    aliases = sorted({a for s in LOSSES for a in (s.name, *s.aliases)})
    payload = json.dumps([N, [[s.class_name, list(y), list(o)] for s, y, o in cases], aliases,
                          sorted(s.class_name for s in LOSSES if s.kind in _INTEGER_KINDS)])
    env = {**os.environ, "KERAS_BACKEND": "tensorflow"}
    done = subprocess.run([sys.executable, "-c", _SCRIPT], input=payload, capture_output=True, text=True,
                          check=False, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    results, resolved = json.loads(done.stdout.strip().splitlines()[-1])
    return cases, results, resolved


@pytest.mark.slow
def test_every_case_matches_keras(keras_table: tuple[list, list, dict]) -> None:
    cases, results, _ = keras_table
    wrong = []
    for (entry, labels, output), (result, detail, y_aligned, out_aligned) in zip(cases, results):
        predicted = align(entry.name, labels, output)
        if predicted is None:
            # only where Keras's outcome depends on more than the two shapes (Circle's pair masks)
            if not (entry.kind == "circle" and (len(labels) > 2 or len(output) > 2)):
                wrong.append((entry.name, labels, output, None, result, detail))
            continue
        if result == "raises":
            if predicted.result != "raises" or predicted.message not in detail:
                wrong.append((entry.name, labels, output, predicted, detail))
            continue
        kind = _expected_kind(entry, y_aligned, out_aligned)
        if (predicted.result, _concrete(predicted.shape)) != (kind, detail) or \
                (entry.kind != "sparse" and [_concrete(predicted.labels), _concrete(predicted.output)]
                 != [y_aligned, out_aligned]):
            wrong.append((entry.name, labels, output, predicted, kind, detail, y_aligned, out_aligned))
    assert not wrong, "\n".join(map(str, wrong[:40])) + f"\n{len(wrong)} of {len(cases)} differ"


@pytest.mark.slow
def test_every_spelling_resolves_to_its_loss(keras_table: tuple[list, list, dict]) -> None:
    _, _, resolved = keras_table
    for alias, function in resolved.items():
        entry = spec(alias)
        if entry is not None and not entry.by_string:
            assert function is None, f"Keras now resolves {alias!r}: set by_string"
            continue
        assert function is not None, alias
        assert spec(alias) is spec(function), (alias, function)


def test_squeeze_or_expand_follows_keras_rules() -> None:
    assert squeeze_or_expand(("N",), ("N", 1)) == (("N", 1), ("N", 1))
    assert squeeze_or_expand(("N", 5), ("N", 5, 1)) == (("N", 5), ("N", 5))
    assert squeeze_or_expand(("N", 5, 1), ("N", 5)) == (("N", 5), ("N", 5))
    assert squeeze_or_expand(("N",), ("N", 5, 1)) == (("N",), ("N", 5, 1))  # two ranks apart: untouched


def test_unknown_sizes_and_losses_give_no_outcome() -> None:
    assert align("my_loss", (None, 3), (None, 3)) is None
    assert align("mse", (None, None), (None, 3)) is None
    assert align("categorical_crossentropy", (None, None), (None, 3)) is None


@pytest.mark.parametrize(("loss", "labels", "output", "result"), [
    ("categorical_crossentropy", (None,), (None, 5, 3), "raises"),
    ("binary_crossentropy", (None, 1), (None, 5, 1), "raises"),
    ("sparse_categorical_crossentropy", (None,), (None, 5, 3), "raises"),
    ("mse", (None, 1), (None, 5, 1), "broadcast"),
    ("mse", (None,), (None, 4), "raises"),
    ("mse", (None, 1), (None, 4), "broadcast"),
    ("sparse_categorical_crossentropy", (None, 1), (None, 4), "ok"),
])
def test_known_cases(loss: str, labels: tuple, output: tuple, result: str) -> None:
    outcome = align(loss, labels, output)
    assert outcome is not None and outcome.result == result


def test_table_has_every_spelling_once() -> None:
    spellings = [s for e in LOSSES for s in (e.name, e.class_name, *e.aliases)]
    assert len(spellings) == len(set(spellings))


def test_labels_two_ranks_short_meet_other_samples() -> None:
    outcome = align("mse", (None,), (None, 10, 1))
    assert outcome is not None and outcome.result == "broadcast" and outcome.mixes_samples
    outcome = align("mse", (None, 1), (None, 10, 1))
    assert outcome is not None and outcome.result == "broadcast" and not outcome.mixes_samples
