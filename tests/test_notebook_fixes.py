"""Notebooks: --fix and --diff edit only cell sources; github and SARIF point into the JSON file;
`shapes` gives cell locations."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from keraslint.source.notebook_json import (
    cell_sources,
    json_location,
    replace_sources,
    source_of,
)

ROOT = Path(__file__).resolve().parent.parent

CELL_2 = ["!pip install -q keras\n", "from keras.models import Sequential\n", "import keras\n"]
CELL_3 = ["m = Sequential()\n", "m.add(keras.layers.Convolution2D(4, 3))\n", "m.add(keras.layers.Flatten())\n",
          "m.compile('adam', 'mse')\n", "m.fit(x,  y,   nb_epoch=5)  # keep\n", "\n"]
FIXED_3 = [line.replace("Convolution2D", "Conv2D").replace("nb_epoch", "epochs") for line in CELL_3]


def document(third: list[str] = CELL_3, second: list[str] = CELL_2) -> dict:
    return {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Training \u00fcber alles\n"]},
            {"cell_type": "code", "execution_count": 1, "metadata": {"tags": ["setup"]},
             "outputs": [{"name": "stdout", "output_type": "stream", "text": ["h\u00e9llo \"]\"\n"]}], "source": second},
            {"cell_type": "code", "execution_count": 2, "id": "c3", "metadata": {"scrolled": True},
             "outputs": [{"data": {"image/png": "iVBORw0KGgo=\n", "text/plain": ["<Figure>"]},
                          "metadata": {}, "output_type": "display_data"}], "source": third},
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }


def nbformat_text(doc: dict, indent: int | None = 1, **options: bool) -> str:
    """As nbformat writes a notebook (indent=1, sorted keys, the characters themselves, a final newline)."""
    return json.dumps(doc, indent=indent, sort_keys=options.get("sort_keys", True),
                      ensure_ascii=options.get("ensure_ascii", False)) + ("\n" if options.get("newline", True) else "")


def check(tmp_path: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "CI")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return subprocess.run([sys.executable, "-m", "keraslint", *args], cwd=tmp_path, capture_output=True, env=env,
                          input=stdin, timeout=180, check=False)


@pytest.mark.parametrize("style", [
    {"indent": 1}, {"indent": 2, "sort_keys": False}, {"indent": 4, "ensure_ascii": True, "newline": False},
    {"indent": None},
], ids=["nbformat-indent1", "indent2-unsorted", "indent4-ascii-no-newline", "one-line"])
def test_fix_edits_only_the_cell_sources(tmp_path: Path, style: dict) -> None:
    text = nbformat_text(document(), **style)
    (tmp_path / "nb.ipynb").write_text(text, encoding="utf-8")
    result = check(tmp_path, "check", "--select", "KL403", "--fix", "nb.ipynb")
    assert result.returncode == 0, result.stderr
    assert b"fixed 2 problems in 1 file" in result.stderr
    written = (tmp_path / "nb.ipynb").read_bytes().decode("utf-8")
    # byte for byte what the same writer writes for the fixed notebook: formatting, key order,
    # escapes, outputs, metadata and the final newline (or its absence) untouched
    assert written == nbformat_text(document(FIXED_3), **style)
    again = check(tmp_path, "check", "--select", "KL403", "nb.ipynb")
    assert again.returncode == 0, again.stdout


def test_diff_shows_each_cell_and_changes_nothing(tmp_path: Path) -> None:
    text = nbformat_text(document())
    (tmp_path / "nb.ipynb").write_text(text, encoding="utf-8")
    result = check(tmp_path, "check", "--select", "KL403", "--diff", "nb.ipynb")
    assert result.returncode == 1
    out = result.stdout.decode()
    assert out.startswith("--- a/nb.ipynb:cell 3\n+++ b/nb.ipynb:cell 3\n")
    assert "-m.add(keras.layers.Convolution2D(4, 3))\n+m.add(keras.layers.Conv2D(4, 3))\n" in out
    assert "+m.fit(x,  y,   epochs=5)  # keep\n" in out
    assert b"2 fixes available in 1 file" in result.stderr
    assert (tmp_path / "nb.ipynb").read_text(encoding="utf-8") == text


def test_a_fix_on_a_line_ipython_rewrites_is_not_applied(tmp_path: Path) -> None:
    # `%time` makes the line `get_ipython().run_line_magic(...)` in the program: its columns are not the cell's
    second = [*CELL_2[1:], "%time c = keras.layers.Convolution2D(4, 3)\n", "d = keras.layers.Convolution2D(8, 3)"]
    text = nbformat_text(document(second=second))
    (tmp_path / "nb.ipynb").write_text(text, encoding="utf-8")
    result = check(tmp_path, "check", "--select", "KL403", "--fix", "--output-format", "concise", "nb.ipynb")
    written = json.loads((tmp_path / "nb.ipynb").read_text(encoding="utf-8"))
    assert written["cells"][1]["source"] == [*second[:3], "d = keras.layers.Conv2D(8, 3)"]
    assert written["cells"][2]["source"] == FIXED_3
    if b"Convolution2D" in result.stdout:  # found inside the magic: reported, not fixed
        assert b"IPython syntax" in result.stderr


def test_fix_from_stdin_prints_the_fixed_notebook(tmp_path: Path) -> None:
    text = nbformat_text(document())
    result = check(tmp_path, "check", "--select", "KL403", "--fix", "--stdin-filename", "nb.ipynb", "-",
                   stdin=text.encode())
    assert result.stdout.decode() == nbformat_text(document(FIXED_3))


def test_github_and_sarif_point_at_the_json_line(tmp_path: Path) -> None:
    text = nbformat_text(document())
    (tmp_path / "nb.ipynb").write_text(text, encoding="utf-8")
    lines = text.splitlines()
    github = check(tmp_path, "check", "--select", "KL403", "--output-format", "github", "nb.ipynb").stdout.decode()
    first = github.splitlines()[0]
    assert first.startswith("::notice file=nb.ipynb,line=")
    fields = dict(part.split("=", 1) for part in first.split("::")[1].split(" ", 1)[1].split(","))
    line, col, end = int(fields["line"]), int(fields["col"]), int(fields["endColumn"])
    assert lines[line - 1][col - 1:end - 1] == "Convolution2D"
    assert "::cell 3, line 2: KL403" in first
    sarif = json.loads(check(tmp_path, "check", "--select", "KL403", "--output-format", "sarif", "nb.ipynb").stdout)
    result = sarif["runs"][0]["results"][0]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert lines[region["startLine"] - 1][region["startColumn"] - 1:region["endColumn"] - 1] == "Convolution2D"
    assert result["properties"] == {"cell": 3, "cellLine": 2, "cellColumn": 20}
    assert result["message"]["text"].startswith("cell 3, line 2: ")


def test_json_location_through_escapes_and_one_line_sources() -> None:
    doc = document(third=["s = \"\u00e9\\t\" + keras.layers.Convolution2D\n"])
    for ascii_only in (True, False):
        text = json.dumps(doc, indent=1, ensure_ascii=ascii_only)
        line, column = json_location(text, 3, 1, 13)  # type: ignore[misc]
        assert text.splitlines()[line - 1][column - 1:].startswith("keras.layers")
    doc["cells"][2]["source"] = "a = 1\nb = keras.layers.Convolution2D(1, 1)\n"  # one string, not a list
    text = json.dumps(doc)
    line, column = json_location(text, 3, 2, 5)  # type: ignore[misc]
    assert line == 1 and text[column - 1:].startswith("keras.layers.Convolution2D(1, 1)")
    assert json_location(text, 1, 9, 1) is None and json_location(text, 7, 1, 1) is None


def test_replace_sources_keeps_unchanged_literals_as_written() -> None:
    text = '{"cells": [{"cell_type": "code", "source": ["a\\u00e9\\n",\n  "b"]}], "metadata": {}}'
    value = cell_sources(text)[1]
    assert source_of(text, value) == "a\u00e9\nb"
    assert replace_sources(text, {1: "a\u00e9\nc"}) == '{"cells": [{"cell_type": "code", "source": ["a\\u00e9\\n",\n  "c"]}], "metadata": {}}'


def test_shapes_on_a_notebook_gives_cell_locations(tmp_path: Path) -> None:
    model = ["import keras\n", "m = keras.Sequential([\n", "    keras.Input((100, 4)),\n",
             "    keras.layers.Conv1D(8, 5, strides=3, name='conv'),\n", "])"]
    (tmp_path / "nb.ipynb").write_text(nbformat_text(document(third=model, second=["x = 1\n"])), encoding="utf-8")
    table = check(tmp_path, "shapes", "nb.ipynb")
    assert table.returncode == 0, table.stderr
    out = table.stdout.decode()
    assert "Sequential model (nb.ipynb:cell 3:2)" in out
    assert "cell 3:4" in out and "KL301" in out  # the finding is marked on its layer
    (summary,) = json.loads(check(tmp_path, "shapes", "--format", "json", "nb.ipynb").stdout)
    assert (summary["cell"], summary["line"]) == (3, 2)
    conv = next(layer for layer in summary["layers"] if layer["kind"] == "Conv1D")
    assert (conv["cell"], conv["line"], conv["findings"]) == (3, 4, ["KL301"])
