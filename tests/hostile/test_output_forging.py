"""Output that cannot be forged: names and source text from the checked files never act on a
terminal or a log parser, every report encodes whatever a file name holds, SARIF URIs are
valid, a failed write is one line, and snippets count lines as Python does.

Every input is generated in a temporary folder.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from keraslint.diagnostics import Diagnostic, Location, Pass, Severity

ROOT = Path(__file__).resolve().parents[2]
SAVED = ROOT / "fixtures" / "models" / "conv1d_stride.keras"
FORGED = "conv\n::error file=x.py,line=1::forged\x1b[2J\x1b]0;title\x07\u2028\u202e"
#: a control character of any kind that reached the output raw
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
SCRIPT = "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.fit(x, y)\n"


def keraslint(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    base = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "PYTHONIOENCODING")}
    return subprocess.run([sys.executable, "-m", "keraslint", *args], cwd=cwd, capture_output=True, timeout=120,
                          env={**base, **(env or {})})


def forged_model(folder: Path) -> Path:
    """The KL301 fixture with its Conv1D renamed to a name that tries to forge output lines."""
    with zipfile.ZipFile(SAVED) as archive:
        config = json.loads(archive.read("config.json"))
    for layer in config["config"]["layers"]:
        if layer.get("config", {}).get("name") == "conv":
            layer["config"]["name"] = FORGED
        if layer.get("name") == "conv":
            layer["name"] = FORGED
    path = folder / "m.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps(config))
    return path


def assert_unforged(output: str) -> None:
    lines = output.splitlines()  # every separator a terminal or a log reader might honour
    assert not [line for line in lines if line.lstrip().startswith("::")], output
    assert not RAW_CONTROL.search(output.replace("\n", "")), ascii(output)


@pytest.mark.parametrize("fmt", ["full", "concise"])
def test_a_saved_layer_name_cannot_forge_a_line(tmp_path: Path, fmt: str) -> None:
    forged_model(tmp_path)
    result = keraslint("check", "--output-format", fmt, "--show-coverage", "m.keras", cwd=tmp_path,
                       env={"FORCE_COLOR": "1"})
    assert result.returncode == 1, result
    output = result.stdout.decode("utf-8")
    assert "Conv1D 'conv\\n::error file=x.py,line=1::forged\\x1b[2J\\x1b]0;title\\x07\\u2028\\u202e'" in output
    # colour codes are ours; the name's escape sequences are not
    assert_unforged(re.sub(r"\x1b\[[0-9;]*m", "", output))


def test_the_github_format_keeps_its_own_escaping(tmp_path: Path) -> None:
    forged_model(tmp_path)
    result = keraslint("check", "--output-format", "github", "m.keras", cwd=tmp_path)
    # the runner reads lines at \r and \n only, and the format escapes both
    (line,) = result.stdout.decode("utf-8").rstrip("\n").split("\n")
    assert line.startswith("::warning file=m.keras,line=1,") and "conv%0A::error file=x.py" in line


def test_json_keeps_the_name_exactly(tmp_path: Path) -> None:
    forged_model(tmp_path)
    result = keraslint("check", "--output-format", "json", "m.keras", cwd=tmp_path)
    (finding,) = json.loads(result.stdout.decode("utf-8"))
    assert f"'{FORGED}'" in finding["message"]


def test_shapes_tables_escape_layer_names(tmp_path: Path) -> None:
    forged_model(tmp_path)
    result = keraslint("shapes", "m.keras", cwd=tmp_path)
    assert result.returncode == 0, result
    output = result.stdout.decode("utf-8")
    assert "conv\\n::error" in output
    assert_unforged(output)


def test_file_names_and_source_lines_are_escaped_in_every_text_format(tmp_path: Path) -> None:
    name = "x\x1b[31m\n::error file=a::b.py"
    # a raw escape and a bidi override inside a string literal, before the finding on the same row
    (tmp_path / name).write_text('import keras\ns = "\x1b[2J\u202e"; model = keras.Sequential([keras.layers.Dense(1)])\n'
                                 "model.fit(x, y)\n")
    for args in (["--output-format", "full"], ["--output-format", "concise"], ["--statistics"],
                 ["--show-coverage"]):
        result = keraslint("check", *args, ".", cwd=tmp_path)
        assert result.returncode == 1, (args, result)
        output = result.stdout.decode("utf-8")
        assert_unforged(output)
        assert_unforged(result.stderr.decode("utf-8"))
        if "--statistics" not in args:
            assert "x\\x1b[31m\\n::error file=a::b.py" in output, output
    full = keraslint("check", ".", cwd=tmp_path).stdout.decode("utf-8").splitlines()
    row = full.index('2 | s = "\\x1b[2J\\u202e"; model = keras.Sequential([keras.layers.Dense(1)])')
    # the carets sit under keras.Sequential in the escaped line as it is shown
    assert full[row + 1].index("^") == full[row].index("keras.Sequential"), full
    assert full[row + 1].count("^") == len("keras.Sequential")


def test_a_stderr_note_cannot_forge_a_line(tmp_path: Path) -> None:
    """A project module that does not parse is named in a note on stderr."""
    project = tmp_path / "p\n::error file=x::forged"
    project.mkdir()
    (project / "pyproject.toml").write_text("")
    (project / "m.py").write_text("def (:\n")
    (project / "train.py").write_text("from m import build\nimport keras\nmodel = build()\nmodel.fit(x, y)\n")
    result = keraslint("check", str(project.relative_to(tmp_path) / "train.py"), cwd=tmp_path)
    stderr = result.stderr.decode("utf-8")
    assert "p\\n::error file=x::forged/m.py (imported by" in stderr, stderr
    assert_unforged(stderr)


UNDECODABLE = os.fsdecode(b"bad\xff name.py")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names are bytes")
@pytest.mark.parametrize("fmt", ["full", "concise", "json", "json-lines", "github", "sarif"])
def test_an_undecodable_file_name_never_kills_the_report(tmp_path: Path, fmt: str) -> None:
    (tmp_path / UNDECODABLE).write_text(SCRIPT)
    out = tmp_path / "out.txt"
    for env, output_file in (({"PYTHONIOENCODING": "utf-8"}, None), ({}, out), ({"PYTHONIOENCODING": "ascii"}, None)):
        # --no-cache: the cache's key (keraslint/cache.py) is not part of this output test
        args = ["-o", str(out)] if output_file else []
        result = keraslint("check", "--no-cache", "--output-format", fmt, *args, ".", cwd=tmp_path, env=env)
        assert result.returncode == 1, (env, result)
        assert b"Error" not in result.stderr, result.stderr
        data = out.read_bytes() if output_file else result.stdout
        text = data.decode("utf-8")  # valid UTF-8, whatever the name holds
        if fmt == "json":
            (finding,) = json.loads(text)
            assert os.fsencode(finding["filename"]) == b"bad\xff name.py"  # the exact name, back
        elif fmt == "json-lines":
            (finding,) = [json.loads(line) for line in text.splitlines()]
            assert os.fsencode(finding["filename"]) == b"bad\xff name.py"
        elif fmt == "sarif":
            (run,) = json.loads(text)["runs"]
            (result_,) = run["results"]
            location = result_["locations"][0]["physicalLocation"]["artifactLocation"]
            assert location == {"uri": "bad%FF%20name.py", "uriBaseId": "%SRCROOT%"}
            assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
        elif fmt == "github":
            assert "file=bad\\udcff name.py" in text or "file=bad\\xff name.py" in text, text
        else:
            assert "bad\\xff name.py" in text, text


URI_REFERENCE = re.compile(r"^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})*$")


@pytest.mark.parametrize("name", ["with space.py", "a:b.py", "100%.py", "q?#[x].py", "é.py", "back\\slash.py"])
def test_sarif_uris_are_percent_encoded_uri_references(name: str) -> None:
    from urllib.parse import unquote

    from keraslint.reporters.sarif import artifact_uri

    uri = artifact_uri(name)
    assert URI_REFERENCE.match(uri), uri
    assert ":" not in uri.split("/", 1)[0]  # never read as a scheme
    assert unquote(uri) == name


def test_sarif_uri_of_a_file_outside_the_folder_is_a_file_uri() -> None:
    from keraslint.reporters.sarif import artifact_uri

    assert artifact_uri("/work/with space/t.py") == "file:///work/with%20space/t.py"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "t.py").write_text(SCRIPT)
    result = keraslint("check", "-o", "/dev/full", "t.py", cwd=tmp_path)
    assert result.returncode == 2, result
    assert result.stderr.decode() == "keraslint: error: cannot write /dev/full: No space left on device\n"
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "keraslint", "check", "t.py"], cwd=tmp_path, stdout=full,
                                stderr=subprocess.PIPE, timeout=120)
    assert result.returncode == 2, result
    assert result.stderr.decode() == \
        "keraslint: error: cannot write the report to standard output: No space left on device\n"


def test_an_unwritable_output_file_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "t.py").write_text(SCRIPT)
    result = keraslint("check", "-o", str(tmp_path / "missing" / "out.txt"), "t.py", cwd=tmp_path)
    assert result.returncode == 2, result
    (line,) = result.stderr.decode().splitlines()
    assert line.startswith("keraslint: error: cannot write ") and line.endswith("No such file or directory")


# --------------------------------------------------------------------------- lines


@pytest.mark.parametrize("separator", ["\u2028", "\x1c", "\x0c", "\x85", "\x0b"])
def test_snippets_count_lines_as_python_does(tmp_path: Path, separator: str) -> None:
    """Inside a string these are not line breaks: the finding's row and snippet stay right."""
    (tmp_path / "t.py").write_text(f's = "a{separator}b"\n{SCRIPT}', encoding="utf-8")
    result = keraslint("check", "t.py", cwd=tmp_path)
    lines = result.stdout.decode("utf-8").splitlines()
    (header,) = [line for line in lines if " KL101 " in line]
    assert header.startswith("t.py:3:9: KL101"), lines
    row = lines.index(header) + 1
    assert lines[row] == "3 | model = keras.Sequential([keras.layers.Dense(1)])", lines
    assert lines[row + 1] == "  |         " + "^" * len("keras.Sequential"), lines


def test_a_noqa_after_a_line_separator_keeps_its_row() -> None:
    from keraslint.suppression import _comments

    source = 's = "a\u2028b"\nx = 1  # noqa: KL101\n'
    fallback = list(_comments(source + '"""unterminated\n'))  # tokenize fails: the line scan runs
    assert {row for row, comment in fallback if comment.startswith("# noqa")} == {2}, fallback


def test_line_helpers_split_only_at_python_line_breaks() -> None:
    from keraslint.lines import line_starts, split_lines, text_lines

    text = "a\r\nb\rc\x0cd\u2028e\x1cf\n"
    assert text_lines(text) == ["a", "b", "c\x0cd\u2028e\x1cf"]
    assert text_lines(text, keepends=True) == ["a\r\n", "b\r", "c\x0cd\u2028e\x1cf\n"]
    assert split_lines(text) == ["a", "b", "c\x0cd\u2028e\x1cf", ""]
    assert line_starts(text) == [0, 3, 5, 13]
    assert text_lines("") == [] and text_lines("x") == ["x"]


def test_the_diff_header_escapes_the_file_name() -> None:
    from keraslint.fixes import unified_diff

    diff = unified_diff("a\n::error::b.py", "x\u2028 = 1\n", "y\u2028 = 1\n")
    assert diff.splitlines()[:2] == ["--- a/a\\n::error::b.py", "+++ b/a\\n::error::b.py"]
    assert diff.count("\n") == 5  # the U+2028 inside a row does not start a diff line


# --------------------------------------------------------------------------- linear


def _findings(count: int) -> tuple[list[Diagnostic], Any]:
    from keraslint.checker import FileReport

    source = "".join(f"x{row} = keras.layers.Dense(1)\n" for row in range(1, count + 1))
    report = FileReport("big.py", source=source)
    diagnostics = [Diagnostic(code="KL101", name="unseeded-training", severity=Severity.WARNING, pass_=Pass.SOURCE,
                              message="m", filename="big.py", location=Location(row, 4),
                              end_location=Location(row, 22), noqa_row=row) for row in range(1, count + 1)]
    return diagnostics, report


@pytest.mark.parametrize("color", [False, True])
def test_the_full_format_is_linear_in_the_findings(monkeypatch: pytest.MonkeyPatch, color: bool) -> None:
    import keraslint.checker
    from keraslint.reporters import render

    diagnostics, report = _findings(20_000)
    splits = []
    real = keraslint.checker.text_lines
    monkeypatch.setattr(keraslint.checker, "text_lines", lambda text: splits.append(1) or real(text))
    started = time.perf_counter()
    output = render("full", diagnostics, files_checked=1, color=color,
                    source_line=lambda d: report.source_line(d.location.row, d.cell))
    elapsed = time.perf_counter() - started
    assert len(splits) == 1  # the file is split into lines once, not once per finding
    assert output.count("^" * 18) == 20_000
    assert "20000 | x20000 = keras.layers.Dense(1)" in output
    assert elapsed < 12, elapsed  # quadratic it took 16 s more; a console per line, 20 s with colour


def test_coverage_and_statistics_escape_what_they_print() -> None:
    from keraslint.reporters import render
    from keraslint.reporters.coverage import render_coverage

    coverage = render_coverage([("a\n::error::b.py", {"models": [
        {"kind": "sequential", "name": "m\x1b[2J", "line": 3, "fully_shaped": False, "reason": "r\n::error::x"}]}),
        ("c\rd.py", {"analysed": False, "error": "e\x1b]0;t\x07"})])
    assert_unforged(coverage)
    assert "a\\n::error::b.py: 1 model, 0 fully shaped" in coverage
    forged = Diagnostic(code="KL101", name="x\n::error::y", severity=Severity.WARNING, pass_=Pass.SOURCE,
                        message="m", filename="t.py", location=Location(1, 1), end_location=Location(1, 2))
    table = render("concise", [forged], files_checked=1, source_line=lambda d: None, color=False, statistics=True)
    assert_unforged(table)
    assert "x\\n::error::y" in table


def test_notebook_rows_are_counted_as_python_counts_them(tmp_path: Path) -> None:
    """A form feed or U+2028 inside a cell is no line break to Python: the finding's row in the
    cell is the one the user sees."""
    def cell(*lines: str) -> dict[str, Any]:
        return {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": list(lines)}

    cells = [cell("import numpy as np\n", "# a \f page \u2028 break\n", "import keras\n"),
             cell("x = np.zeros((4, 3))\n", "model = keras.Sequential([keras.layers.Dense(1)])\n",
                  "model.fit(x, np.zeros(4))\n")]
    (tmp_path / "n.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    result = keraslint("check", "--output-format", "json", "--no-cache", "n.ipynb", cwd=tmp_path)
    (finding,) = [f for f in json.loads(result.stdout) if f["code"] == "KL101"]
    assert (finding["cell"], finding["location"]["row"]) == (2, 2)
