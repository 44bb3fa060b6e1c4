"""The coverage report: what keraslint understood of a script.

`keraslint shapes` marks an axis keraslint could not determine `?` (`"?"` in JSON) and keeps
None/null for the dynamic axes the model declares; each model lists why (first cause first);
`keraslint check --show-coverage` counts the models and the fully shaped ones per file, the
same from the cache, without it and from the process pool.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest

from keraslint.graph.propagate import PROBE, analyze_model
from keraslint.reporters.coverage import render_coverage
from keraslint.run import CheckOptions, run_check
from keraslint.source.analysis import analyze

MIXED = """\
import sys
import keras
n = int(sys.argv[1])
known = keras.Input((n, 8))
dynamic = keras.Input((None, 8))
a = keras.layers.Conv1D(4, 3)(known)
b = keras.layers.Conv1D(4, 3)(dynamic)
c = keras.layers.Concatenate(axis=1)([a, b])
model = keras.Model([known, dynamic], keras.layers.Dense(2)(c))
"""

SHAPED = """\
import keras
model = keras.Sequential([keras.Input((None, 8)), keras.layers.LSTM(4), keras.layers.Dense(1)])
"""

TEXT = """\
import keras
text = keras.Input(shape=(1,), dtype="string")
tokens = keras.layers.TextVectorization(output_mode="multi_hot")(text)
model = keras.Model(text, keras.layers.Dense(1)(tokens))
"""

NO_INPUT = """\
import keras
model = keras.Sequential([keras.layers.Dense(8), keras.layers.Dense(1)])
"""

NO_CALL = """\
import keras
class GAN(keras.Model):
    def __init__(self, generator):
        super().__init__()
        self.generator = generator
    def train_step(self, data):
        return {}
gan = GAN(None)
"""

UNITS = """\
import sys
import keras
units = int(sys.argv[1])
model = keras.Sequential([keras.Input((None, 8)), keras.layers.Dense(units), keras.layers.Dense(3)])
"""

FED = """\
import numpy as np
import pandas as pd
import keras
x_train = np.load("missing.npy")
class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(3)
    def call(self, x):
        return self.dense(x)
net = Net()
net.fit(x_train, np.zeros(10))
"""


def shapes(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    return subprocess.run([sys.executable, "-m", "keraslint", "shapes", *args], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=120, check=False)


def shapes_json(tmp_path: Path, source: str) -> list[dict]:
    (tmp_path / "train.py").write_text(source)
    done = shapes("train.py", "--output-format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def layer(model: dict, kind: str, index: int = 0) -> dict:
    return [entry for entry in model["layers"] if entry["kind"] == kind][index]


def test_table_marks_undetermined_axes_and_keeps_declared_dynamic_ones(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(MIXED)
    done = shapes("train.py", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "(None, ?, 8)" in out and "(None, ?, 4)" in out  # from Input((n, 8)), n unknown
    assert "(None, None, 8)" in out and "(None, None, 4)" in out  # Input((None, 8)) declares it
    assert "Unknown to keraslint" in out and "input shape comes from `(n, 8)`" in out


def test_json_gives_question_marks_nulls_and_reasons(tmp_path: Path) -> None:
    (model,) = shapes_json(tmp_path, MIXED)
    assert model["inputs"] == [[None, "?", 8], [None, None, 8]]
    assert layer(model, "Conv1D", 0)["output_shape"] == [None, "?", 4]
    assert layer(model, "Conv1D", 1)["output_shape"] == [None, None, 4]
    # ? + None along the joined axis: None even if n were known, so the model's own declaration
    assert layer(model, "Concatenate")["output_shape"] == [None, None, 4]
    assert model["fully_shaped"] is False
    assert model["unknown"] == ["input shape comes from `(n, 8)`, which keraslint could not determine (line 4)"]


def test_a_fully_shaped_model_has_no_reasons_and_declared_none_stays_null(tmp_path: Path) -> None:
    (model,) = shapes_json(tmp_path, SHAPED)
    assert model["fully_shaped"] is True and model["unknown"] == []
    assert model["inputs"] == [[None, None, 8]] and model["outputs"] == [[None, 1]]


def test_adapted_layer_gives_its_reason(tmp_path: Path) -> None:
    (model,) = shapes_json(tmp_path, TEXT)
    assert layer(model, "TextVectorization")["output_shape"] == "?"
    assert model["unknown"][0] == "layer TextVectorization: shape depends on adapt() (line 3)"


def test_no_input_shape_is_a_whole_unknown_shape(tmp_path: Path) -> None:
    (model,) = shapes_json(tmp_path, NO_INPUT)
    assert all(entry["output_shape"] == "?" for entry in model["layers"])
    assert model["unknown"][0].startswith("input shape unknown: the model declares none")


def test_subclassed_model_without_call_is_found_and_says_why(tmp_path: Path) -> None:
    (model,) = shapes_json(tmp_path, NO_CALL)
    assert model["kind"] == "subclass" and model["name"] == "GAN" and model["layers"] == []
    assert model["fully_shaped"] is False and model["unknown"] == ["GAN: subclassed model without a call to follow"]
    (tmp_path / "train.py").write_text(NO_CALL)
    assert "GAN: subclassed model without a call to follow" in shapes("train.py", cwd=tmp_path).stdout


def test_a_call_attached_after_the_model_is_made_says_so(tmp_path: Path) -> None:
    """A notebook that makes the model, then attaches ``call`` in a later cell (the TF time-series
    tutorial's FeedBack): the reason is when it was attached, not that the class has none."""
    late = NO_CALL.replace("gan = GAN(None)\n", "gan = GAN(None)\ndef call(self, x):\n    return x\nGAN.call = call\n")
    (model,) = shapes_json(tmp_path, late)
    assert model["unknown"] == ["GAN: subclassed model whose call() is attached to the class after the model is "
                                "made (`GAN.call = ...`): keraslint traces a model's call() when it is made"]


def test_unknown_config_value_names_the_argument_and_spares_declared_axes(tmp_path: Path) -> None:
    (model,) = shapes_json(tmp_path, UNITS)
    assert layer(model, "Dense", 0)["output_shape"] == [None, None, "?"]
    assert layer(model, "Dense", 1)["output_shape"] == [None, None, 3]
    assert model["unknown"] == ["layer Dense: `units` is not known to keraslint (line 4)"]


def test_data_of_unknown_shape_says_where_it_came_from(tmp_path: Path) -> None:
    (model,) = shapes_json(tmp_path, FED)
    assert model["kind"] == "subclass"
    (reason,) = model["unknown"]
    assert "x_train" in reason and "np.load('missing.npy')" in reason and "fit" in reason


def _graph(source: str):  # the script's only model graph
    (graph,) = analyze(cst.parse_module(source), None).models.graphs()
    return graph


def test_unknown_never_becomes_concrete() -> None:
    source = MIXED.replace("keras.layers.Dense(2)(c)", "keras.layers.Reshape((-1,))(a)")
    analysis = analyze_model(_graph(source))
    assert analysis.output_shapes() == [(None, None)]
    assert analysis.output_blind() == [frozenset({1})]
    assert all(PROBE not in (shape or ()) and all(d is None or d < PROBE for d in (shape or ()))
               for result in analysis.results.values() for shape in result.outputs)


def check(tmp_path: Path, *args: str, cache: bool = True, env: dict[str, str] | None = None
          ) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    environ["KERASLINT_CACHE_DIR"] = str(tmp_path / "cache")
    return subprocess.run([sys.executable, "-m", "keraslint", "check", "--show-coverage", "--exit-zero",
                           *([] if cache else ["--no-cache"]), *args], cwd=tmp_path, capture_output=True, text=True,
                          env=environ, timeout=300, check=False)


def _project(tmp_path: Path) -> None:
    (tmp_path / "mixed.py").write_text(MIXED)
    (tmp_path / "shaped.py").write_text(SHAPED)
    (tmp_path / "plain.py").write_text("print('no model here')\n")
    (tmp_path / "broken.py").write_text("def f(:\n")


EXPECTED = [
    "Coverage: models found and how many keraslint fully shaped",
    "broken.py: not analysed (it could not be read or parsed)",
    "mixed.py: 1 model, 0 fully shaped",
    "  Functional (line 9): input shape comes from `(n, 8)`, which keraslint could not determine (line 4)",
    "shaped.py: 1 model, 1 fully shaped",
    "Total: 2 models in 2 of 4 files, 1 fully shaped (50%); 1 not analysed",
]


@pytest.mark.parametrize("cache", [True, False])
def test_show_coverage_through_the_cli(tmp_path: Path, cache: bool) -> None:
    _project(tmp_path)
    first = check(tmp_path, ".", cache=cache)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[-len(EXPECTED):] == EXPECTED, first.stdout
    second = check(tmp_path, ".", cache=cache)  # with the cache on: every file from it
    assert second.stdout == first.stdout
    assert (tmp_path / "cache").exists() is cache


def test_show_coverage_with_json_output_goes_to_stderr(tmp_path: Path) -> None:
    _project(tmp_path)
    done = check(tmp_path, ".", "--output-format", "json")
    json.loads(done.stdout)  # still one JSON document
    assert done.stderr.splitlines()[-len(EXPECTED):] == EXPECTED, done.stderr


def test_show_coverage_from_the_process_pool(tmp_path: Path) -> None:
    for i in range(26):  # more than PARALLEL_MIN_FILES: checked by worker processes
        (tmp_path / f"m{i:02}.py").write_text(SHAPED if i % 2 else NO_INPUT)
    done = check(tmp_path, ".", cache=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "Total: 26 models in 26 of 26 files, 13 fully shaped (50%)"
    assert "m00.py: 1 model, 0 fully shaped" in done.stdout


def test_coverage_is_recorded_in_process() -> None:
    out, err = io.StringIO(), io.StringIO()
    root = Path(__file__).resolve().parent.parent
    code = run_check(CheckOptions(paths=[root / "fixtures" / "models" / "conv1d_stride.keras"], no_cache=True,
                                  show_coverage=True, exit_zero=True), stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    assert out.getvalue().splitlines()[-1] == "Total: 1 model in 1 of 1 file, 1 fully shaped (100%)"


def test_render_coverage_without_models_and_unread_files() -> None:
    text = render_coverage([("a.py", {"models": []}), ("b.h5", None)])
    assert text.splitlines() == ["Coverage: models found and how many keraslint fully shaped",
                                 "b.h5: not analysed (it could not be read or parsed)",
                                 "Total: 0 models in 0 of 2 files, 0 fully shaped; 1 not analysed"]


def test_an_unknown_inside_a_tuple_argument_is_undetermined_not_dynamic(tmp_path: Path) -> None:
    # kernel_size=(k, 3) with k unknown: the rows are keraslint's blind spot, never a declared None
    source = ("import sys\nimport keras\nk = int(sys.argv[1])\ninputs = keras.Input(shape=(32, 32, 8))\n"
              "model = keras.Model(inputs, keras.layers.Conv2D(4, (k, 3))(inputs))\n")
    (model,) = shapes_json(tmp_path, source)
    assert layer(model, "Conv2D")["output_shape"][1] == "?"
    assert not model["fully_shaped"]
    assert any("kernel_size" in reason for reason in model["unknown"])


def test_a_notebooks_coverage_names_cells_and_the_application_of_a_listed_model(tmp_path: Path) -> None:
    """In a notebook a model is placed as ``keraslint shapes`` and the reasons place things: its
    cell and the line inside it, not a row of the joined program; a model listed in another
    Sequential is "used as a layer" where that Sequential is, not where the model itself is."""
    cells = ["import keras\nfrom keras import layers\n",
             "inner = keras.Sequential([\n    layers.Embedding(100, 8),\n    layers.GlobalAveragePooling1D()])\n",
             "print(inner)\nouter = keras.Sequential([\n    inner,\n    layers.Dense(1)])\nouter.predict(texts)\n"]
    notebook = {"cells": [{"cell_type": "code", "metadata": {}, "source": c, "outputs": [], "execution_count": None}
                          for c in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook))
    for cache in (False, True, True):  # uncached, written to the cache, read from it
        done = check(tmp_path, "nb.ipynb", cache=cache)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert "  Sequential (cell 2, line 1): used as a layer at cell 3, line 2 on a tensor whose shape keraslint " \
               "could not determine" in lines, done.stdout
        assert any(line.startswith("  Sequential (cell 3, line 2): ") for line in lines), done.stdout
