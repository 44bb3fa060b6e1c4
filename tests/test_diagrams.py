"""`keraslint shapes --output-format mermaid|dot|svg|png`: models drawn as graphs of layers.

The Mermaid output is parsed by Mermaid's own parser (the npm package, under node with jsdom
for its sanitizer: no browser), the DOT output laid out by Graphviz's `dot`. Each test skips,
saying why, only when the program it needs (node, dot) is not installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from keraslint.reporters.diagram import render_dot, render_mermaid
from keraslint.summary import LayerRow, ModelSummary

ROOT = Path(__file__).resolve().parent.parent
CHECKER = ROOT / "tests" / "data" / "mermaid_check.mjs"
#: the parser the tests install (pinned: a new Mermaid may change its grammar)
MERMAID_PACKAGES = ("mermaid@11.17.2", "jsdom@29.1.1")

SCRIPT = """import keras
clf = keras.Sequential([
    keras.Input((100, 4)),
    keras.layers.Conv1D(8, 5, strides=3, name="conv"),
    keras.layers.GlobalMaxPooling1D(),
    keras.layers.Dense(1, activation="sigmoid"),
], name="clf")
inp = keras.Input((16,), name="x")
left = keras.layers.Dense(8, name="left")(inp)
right = keras.layers.Dense(8, name="right")(inp)
both = keras.Model(inp, keras.layers.Concatenate()([left, right]))
"""

# Layer names come from the files: every character that means something to Mermaid or DOT.
HOSTILE = ['say "hi"]', "a#b;c", "<br/>x", "back\\slash\\N", "pipe|{x}(y)", "`tick`", "end", "new\nline",
           "graph TD", "-->", "%%comment", "subgraph"]


def shapes(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    base = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    base["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), base.get("PYTHONPATH", "")) if p)
    return subprocess.run([sys.executable, "-m", "keraslint", "shapes", *args], cwd=cwd, check=False, capture_output=True,
                          env={**base, **(env or {})}, timeout=120)


def hostile_summary() -> ModelSummary:
    rows = [LayerRow(HOSTILE[0], "InputLayer", 1, ((None, 3),), 0, id=1)]
    for index, name in enumerate(HOSTILE[1:], start=2):
        rows.append(LayerRow(name, "Dense", index, ((None, "?"),), None, ["KL301"] if index % 2 else [],
                             id=index, inputs=(index - 1,)))
    return ModelSummary('m"odel]\n.py', 'na"me', "functional", 1, [(None, 3)], [(None, "?")], None, True, rows)


def mermaid_parser() -> Path:
    """A folder with Mermaid's parser installed (once per machine, in the temporary folder)."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the Mermaid output is not parsed")
    where = Path(tempfile.gettempdir()) / ("keraslint-mermaid-" + "-".join(MERMAID_PACKAGES).replace("@", ""))
    if not (where / "node_modules" / "mermaid").is_dir():
        npm = shutil.which("npm")
        assert npm is not None, "node is installed but npm is not: install npm to run Mermaid's parser"
        building = Path(tempfile.mkdtemp(prefix="keraslint-mermaid-"))
        (building / "package.json").write_text('{"name": "keraslint-mermaid-check", "private": true}\n')
        done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--silent", *MERMAID_PACKAGES],
                              cwd=building, check=False, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"npm install {' '.join(MERMAID_PACKAGES)} failed:\n{done.stderr[-2000:]}"
        try:
            building.rename(where)
        except OSError:  # another test run installed it meanwhile
            shutil.rmtree(building, ignore_errors=True)
    shutil.copyfile(CHECKER, where / "check.mjs")
    return where


def mermaid_parses(text: str) -> str:
    where = mermaid_parser()
    done = subprocess.run(["node", "check.mjs"], cwd=where, input=text, check=False, capture_output=True, text=True, timeout=120)
    return done.stdout.strip() or done.stderr.strip()


def dot_accepts(text: str) -> subprocess.CompletedProcess[bytes]:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed (apt-get install graphviz): the DOT output is not laid out")
    return subprocess.run(["dot", "-Tsvg"], input=text.encode("utf-8"), check=False, capture_output=True, timeout=60)


@pytest.mark.slow
def test_mermaid_draws_layers_shapes_params_edges_and_findings(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(SCRIPT)
    result = shapes("train.py", "--format", "mermaid", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert out.startswith("flowchart TD\n")
    assert out.count("  subgraph ") == 2 and "Sequential model 'clf' (train.py:2), 177 params" in out
    assert 'm1n2["conv: Conv1D<br/>(None, 32, 8)<br/>168 params<br/>KL301"]:::warning' in out
    assert "m1n1 --> m1n2" in out and "m1n3 --> m1n4" in out
    # the functional model branches and joins: the input feeds both Dense layers, both feed the concatenation
    assert {"m2n1 --> m2n2", "m2n1 --> m2n3", "m2n2 --> m2n4", "m2n3 --> m2n4"} <= set(map(str.strip, out.splitlines()))
    assert "classDef warning" in out
    assert mermaid_parses(out) == "ok flowchart-v2"


def test_dot_is_accepted_by_graphviz(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(SCRIPT)
    result = shapes("train.py", "--output-format", "dot", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert out.startswith("digraph keraslint {") and "subgraph cluster_1" in out
    assert 'label="conv: Conv1D\\n(None, 32, 8)\\n168 params\\nKL301"' in out
    assert "m2n1 -> m2n3;" in out
    laid_out = dot_accepts(out)
    assert laid_out.returncode == 0, laid_out.stderr.decode()
    assert b"168 params" in laid_out.stdout and laid_out.stderr == b""  # no warning either


@pytest.mark.slow
def test_hostile_names_stay_inside_their_labels() -> None:
    summary = hostile_summary()
    mermaid = render_mermaid([summary])
    lines = mermaid.splitlines()
    # one line per layer and per edge: no name broke a line or started a statement of its own
    assert len([line for line in lines if re.match(r"    m1n\d+[\[(]", line)]) == len(HOSTILE)
    assert len([line for line in lines if "-->" in line and re.fullmatch(r"    m1n\d+ --> m1n\d+", line)]) == 11
    assert mermaid_parses(mermaid) == "ok flowchart-v2"
    dot = render_dot([summary])
    laid_out = dot_accepts(dot)
    assert laid_out.returncode == 0, laid_out.stderr.decode()
    assert laid_out.stderr == b""


@pytest.mark.slow
def test_no_models_is_still_a_diagram(tmp_path: Path) -> None:
    (tmp_path / "plain.py").write_text("print('hi')\n")
    mermaid = shapes("plain.py", "--format", "mermaid", cwd=tmp_path).stdout.decode()
    assert "No Keras models found." in mermaid
    assert mermaid_parses(mermaid) == "ok flowchart-v2"
    dot = shapes("plain.py", "--format", "dot", cwd=tmp_path).stdout.decode()
    assert dot_accepts(dot).returncode == 0


def test_svg_and_png_are_drawn_by_dot(tmp_path: Path) -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed (apt-get install graphviz)")
    (tmp_path / "train.py").write_text(SCRIPT)
    svg = shapes("train.py", "--format", "svg", cwd=tmp_path)
    assert svg.returncode == 0, svg.stderr
    assert b"<svg" in svg.stdout and b"168 params" in svg.stdout
    png = shapes("train.py", "--format", "png", "-o", "model.png", cwd=tmp_path)
    assert png.returncode == 0, png.stderr
    assert (tmp_path / "model.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and png.stdout == b""


def test_without_dot_svg_is_one_line_naming_the_program(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(SCRIPT)
    empty = tmp_path / "bin"
    empty.mkdir()
    for fmt in ("svg", "png"):
        result = shapes("train.py", "--format", fmt, cwd=tmp_path, env={"PATH": str(empty)})
        assert result.returncode == 2 and result.stdout == b""
        lines = result.stderr.decode().splitlines()
        assert len(lines) == 1 and "`dot`" in lines[0] and "Graphviz" in lines[0] and "Traceback" not in lines[0]


def test_help_shows_the_formats(tmp_path: Path) -> None:
    out = shapes("--help", cwd=tmp_path).stdout.decode()
    assert "table|json|mermaid|dot|svg|png" in out and "--format" in out
