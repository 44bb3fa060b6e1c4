"""Jupyter notebooks: code cells as one program, findings located by cell."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keraslint.checker import check_file, check_notebook
from keraslint.registry import all_rules

ALL = {r.code for r in all_rules()}


def notebook(*cells: tuple[str, str]) -> bytes:
    return json.dumps({
        "cells": [{"cell_type": kind, "source": source.splitlines(keepends=True), "metadata": {},
                   **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                  for kind, source in cells],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }).encode()


def test_cells_run_as_one_program_and_findings_carry_their_cell() -> None:
    data = notebook(
        ("markdown", "# Training"),
        ("code", "%matplotlib inline\n!pip install -q tensorflow\nimport tensorflow as tf\nSTEPS = 100"),
        ("code", "files = !ls data\nmodel = tf.keras.Sequential([\n    tf.keras.Input((STEPS, 8)),\n"
                 "    tf.keras.layers.Conv1D(4, 5, strides=3),\n])"),
        ("code", "model.fit(x, y)"),
    )
    report = check_notebook(data, "nb.ipynb", selected=ALL)
    found = {(d.code, d.cell, d.location.row, d.location.column) for d in report.diagnostics}
    assert ("KL301", 3, 4, 5) in found  # STEPS from cell 2 reaches cell 3
    assert ("KL101", 3, 2, 9) in found
    assert report.source_line(4, 3) == "    tf.keras.layers.Conv1D(4, 5, strides=3),"


def test_cell_magics_and_help_lines_are_not_parsed() -> None:
    data = notebook(("code", "%%bash\necho hi > x\n"), ("code", "import keras\nkeras.layers.Dense?\nx = 1"))
    assert check_notebook(data, "nb.ipynb", selected=ALL).diagnostics == []


def test_syntax_error_points_into_its_cell() -> None:
    data = notebook(("code", "import keras"), ("markdown", "text"), ("code", "x = 1\ndef f(:\n    pass"))
    (diagnostic,) = check_notebook(data, "nb.ipynb", selected=ALL).diagnostics
    assert (diagnostic.code, diagnostic.cell, diagnostic.location.row) == ("KL001", 3, 2)


@pytest.mark.parametrize("data", [b"{not json", b"[]", b'{"cells": 3}', b'{"cells": [{"cell_type": "code", "source": 7}]}',
                                  b"\xff\xfe"])
def test_malformed_notebooks_are_kl002(data: bytes) -> None:
    (diagnostic,) = check_notebook(data, "nb.ipynb", selected=ALL).diagnostics
    assert diagnostic.code == "KL002"


def test_noqa_inside_a_cell(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    # a noqa that suppresses a finding (else KL010, selected by ALL, would report it as unused)
    path.write_bytes(notebook(("code", "import tensorflow as tf\n"
                                       "m = tf.keras.Sequential([tf.keras.layers.Dense(1)])  # noqa: KL101\n"
                                       "m.fit(x, y)")))
    assert check_file(path, "nb.ipynb", selected=ALL).diagnostics == []


def test_folders_include_notebooks(tmp_path: Path) -> None:
    import io

    from keraslint.run import CheckOptions, run_check

    (tmp_path / "nb.ipynb").write_bytes(notebook(("code", "import tensorflow as tf\nm = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nm.fit(x, y)")))
    out, err = io.StringIO(), io.StringIO()
    assert run_check(CheckOptions(paths=[tmp_path], output_format="concise"), stdout=out, stderr=err) == 1
    assert "nb.ipynb:cell 1:2:5: KL101" in out.getvalue()


def test_percent_formatting_and_continued_shell_lines_are_python_as_ipython_reads_them() -> None:
    data = notebook(
        ("code", "!pip install -q \\\n    tensorflow \\\n    keras\nimport keras"),
        ("code", "epoch, loss = 1, 0.5\nfor i in range(2):\n  print('Epoch: %d, loss: %f.'\n"
                 "        %(epoch, loss))\n  print('done')"),
        ("code", "%time x = \\\n  1\ny = 2"),
    )
    assert check_notebook(data, "nb.ipynb", selected=ALL).diagnostics == []
