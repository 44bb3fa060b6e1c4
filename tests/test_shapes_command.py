"""`keraslint shapes`: model.summary() without TensorFlow, for scripts and saved models."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = """import keras
def build(steps, dims):
    return keras.Sequential([
        keras.Input((steps, dims)),
        keras.layers.Conv1D(8, 5, strides=3, name="conv"),
        keras.layers.GlobalMaxPooling1D(),
        keras.layers.Dense(1, activation="sigmoid"),
    ], name="clf")
a = build(100, 4)
b = build(50, 6)
"""


def shapes(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    return subprocess.run([sys.executable, "-m", "keraslint", "shapes", *args], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=120)


def test_table_lists_each_model_with_shapes_params_and_findings(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(SCRIPT)
    result = shapes("train.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.count("Sequential model 'clf'") == 2  # one per builder call: different shapes
    assert "conv (Conv1D)" in out and "(None, 32, 8)" in out and "(None, 16, 8)" in out
    assert "168" in out and "248" in out  # Conv1D params: 4*5*8+8 and 6*5*8+8
    assert "KL301" in out  # 100 - 5 = 95 and 95 % 3 = 2 dropped, marked on the layer
    assert "Total params: 177" in out


def test_json_gives_the_same_data(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(SCRIPT)
    models = json.loads(shapes("train.py", "--output-format", "json", cwd=tmp_path).stdout)
    assert [m["total_params"] for m in models] == [177, 257]
    first = models[0]
    assert first["inputs"] == [[None, 100, 4]] and first["outputs"] == [[None, 1]]
    assert first["fully_shaped"] is True and first["unknown"] == []  # the batch axis is null, not "?"
    conv = next(layer for layer in first["layers"] if layer["kind"] == "Conv1D")
    assert conv == {"name": "conv", "kind": "Conv1D", "line": 5, "output_shape": [None, 32, 8], "params": 168,
                    "findings": ["KL301"]}


def test_saved_model(tmp_path: Path) -> None:
    models = json.loads(shapes(str(ROOT / "fixtures" / "models" / "conv1d_stride.keras"), "--output-format", "json",
                               cwd=tmp_path).stdout)
    (model,) = models
    assert model["line"] is None and model["inputs"] == [[None, 100, 8]]
    assert any(layer["findings"] == ["KL301"] for layer in model["layers"])


def test_no_models_and_bad_files(tmp_path: Path) -> None:
    (tmp_path / "plain.py").write_text("print('hi')\n")
    (tmp_path / "broken.py").write_text("def f(:\n")
    result = shapes("plain.py", "broken.py", cwd=tmp_path)
    assert result.returncode == 1  # broken.py was not shown
    assert "No Keras models found." in result.stdout
    assert "broken.py" in result.stderr and "Traceback" not in result.stderr


def test_a_file_that_cannot_be_read_or_parsed_is_not_a_success(tmp_path: Path) -> None:
    """`shapes` on a syntax error, a binary file or a broken .keras shows nothing for it: exit 1
    with one line on stderr naming it (as `check` reports KL001/KL002), the other files shown."""
    (tmp_path / "train.py").write_text(SCRIPT)
    (tmp_path / "bad.py").write_text("def f(:\n")
    (tmp_path / "blob.py").write_bytes(b"\x00\x01binary")
    (tmp_path / "broken.keras").write_bytes(b"not a zip")
    for name in ("bad.py", "blob.py", "broken.keras"):
        result = shapes("train.py", name, cwd=tmp_path)
        assert result.returncode == 1, (name, result.stderr)
        assert "Sequential model 'clf'" in result.stdout
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and name in lines[0] and "Traceback" not in result.stderr
    assert shapes("train.py", cwd=tmp_path).returncode == 0


def test_a_long_path_in_a_model_title_is_not_wrapped_when_piped(tmp_path: Path) -> None:
    folder = tmp_path / "experiments_with_a_rather_long_folder_name" / "and_another_level_of_folders"
    folder.mkdir(parents=True)
    (folder / "training_script_with_a_long_name.py").write_text(SCRIPT)
    result = shapes(str(folder / "training_script_with_a_long_name.py"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    titles = [line for line in result.stdout.splitlines() if line.startswith("Sequential model")]
    # each title whole on its line: the path, its line number and the closing parenthesis
    assert titles and all(re.search(r"training_script_with_a_long_name\.py:\d+\)$", line.rstrip()) for line in titles)
