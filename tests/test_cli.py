"""The command line end to end: real subprocesses, exit codes, one-line errors, formats."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

BUGGY = textwrap.dedent("""\
    import tensorflow as tf
    model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
    model.fit(x, y)
""")
CLEAN = "import tensorflow as tf\ntf.keras.utils.set_random_seed(0)\nmodel = tf.keras.Sequential()\n"


def run(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    return subprocess.run([sys.executable, "-m", "keraslint", *args], cwd=cwd, capture_output=True, text=True,
                          input=stdin, env=env, timeout=120)


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_findings_exit_1_and_full_format(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BUGGY)
    result = run("check", "train.py", cwd=tmp_path)
    assert result.returncode == 1
    assert "train.py:2:9: KL101 [warning] Model created with no global seed" in result.stdout
    assert "2 | model = tf.keras.Sequential([tf.keras.layers.Dense(1)])" in result.stdout
    assert "Found 1 problem (1 warning) in 1 file" in result.stdout
    assert "\x1b[" not in result.stdout  # not a terminal: no colour


def test_clean_file_exits_0(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(CLEAN)
    result = run("check", "train.py", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "All checks passed" in result.stdout


def test_default_path_is_the_current_folder(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "train.py").write_text(BUGGY)
    result = run("check", cwd=tmp_path)
    assert result.returncode == 1 and "pkg/train.py:2:9: KL101" in result.stdout


def test_exit_zero_and_concise(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BUGGY)
    result = run("check", "--exit-zero", "--output-format", "concise", "train.py", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.splitlines()[0].startswith("train.py:2:9: KL101 [warning]")


def test_json_output_validates_against_the_schema(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BUGGY)
    (tmp_path / "broken.py").write_text("def f(:\n")
    result = run("check", "--output-format", "json", ".", cwd=tmp_path)
    assert result.returncode == 1
    payload = json.loads(result.stdout)
    schema = json.loads(resources.files("keraslint").joinpath("schemas/diagnostics.schema.json").read_text())
    jsonschema.validate(payload, schema)
    assert {d["code"] for d in payload} == {"KL001", "KL101"}
    kl101 = next(d for d in payload if d["code"] == "KL101")
    assert kl101["location"] == {"row": 2, "column": 9}
    assert kl101["pass"] == "source" and kl101["noqa_row"] == 2


def test_json_lines(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BUGGY)
    result = run("check", "--output-format", "json-lines", "train.py", cwd=tmp_path)
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["code"] == "KL101"


def test_statistics(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(BUGGY)
    (tmp_path / "b.py").write_text(BUGGY)
    result = run("check", "--statistics", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert "KL101" in result.stdout and "2" in result.stdout
    assert "a.py:2:9" not in result.stdout


def test_missing_path(tmp_path: Path) -> None:
    line = one_line_error(run("check", "nope.py", cwd=tmp_path))
    assert "nope.py" in line and "does not exist" in line


def test_folder_without_python_files(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "notes.txt").write_text("hello")
    result = run("check", "data", cwd=tmp_path)
    assert result.returncode == 0
    assert "no Python files found" in result.stderr and "Traceback" not in result.stderr


def test_unknown_code_suggests_the_closest(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BUGGY)
    line = one_line_error(run("check", "--select", "KL10l", "train.py", cwd=tmp_path))
    assert "KL10l" in line and "KL101" in line


def test_malformed_config(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BUGGY)
    (tmp_path / "pyproject.toml").write_text("[tool.keraslint]\nselct = ['KL1']\n")
    line = one_line_error(run("check", "train.py", cwd=tmp_path))
    assert "selct" in line and "pyproject.toml" in line
    (tmp_path / "pyproject.toml").write_text("[tool.keraslint]\nignore = 'KL1\n")
    assert "pyproject.toml" in one_line_error(run("check", "train.py", cwd=tmp_path))
    (tmp_path / "pyproject.toml").write_text("[tool.keraslint]\nignore = ['KL999']\n")
    assert "KL999" in one_line_error(run("check", "train.py", cwd=tmp_path))


def test_binary_and_non_utf8_files_are_kl002(tmp_path: Path) -> None:
    (tmp_path / "blob.py").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "latin.py").write_bytes(b'label = "caf\xe9"\n')
    (tmp_path / "declared.py").write_bytes(b'# -*- coding: latin-1 -*-\nlabel = "caf\xe9"\n')
    result = run("check", "--output-format", "json", ".", cwd=tmp_path)
    payload = json.loads(result.stdout)
    assert result.returncode == 1
    assert sorted((d["filename"], d["code"]) for d in payload) == [("blob.py", "KL002"), ("latin.py", "KL002")]
    assert "0xe9" in next(d for d in payload if d["filename"] == "latin.py")["message"]


def test_syntax_error_and_empty_file(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("import keras\n\nmodel.fit(x, y epochs=3)\n")
    (tmp_path / "empty.py").write_text("")
    result = run("check", "--output-format", "concise", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("broken.py:3:")
    assert "KL001" in result.stdout and "empty.py" not in result.stdout


def test_noqa_end_to_end(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BUGGY.replace("Dense(1)])", "Dense(1)])  # noqa: KL101"))
    assert run("check", "train.py", cwd=tmp_path).returncode == 0
    (tmp_path / "train.py").write_text("# keraslint: noqa\n" + BUGGY)
    assert run("check", "train.py", cwd=tmp_path).returncode == 0
    (tmp_path / "train.py").write_text(BUGGY.replace("Dense(1)])", "Dense(1)])  # noqa: KL102"))
    assert run("check", "train.py", cwd=tmp_path).returncode == 1


def test_config_selection_and_cli_override(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BUGGY)
    (tmp_path / "pyproject.toml").write_text("[tool.keraslint]\nignore = ['KL101']\n")
    assert run("check", "train.py", cwd=tmp_path).returncode == 0
    # --select on the command line replaces the configured selection
    assert run("check", "--select", "KL101", "train.py", cwd=tmp_path).returncode == 1
    (tmp_path / "pyproject.toml").write_text("[tool.keraslint.per-file-ignores]\n\"train.py\" = ['KL1']\n")
    assert run("check", "train.py", cwd=tmp_path).returncode == 0


def test_config_option_points_at_a_file(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BUGGY)
    (tmp_path / "strict.toml").write_text("[tool.keraslint]\nignore = ['KL101']\n")
    assert run("check", "--config", "strict.toml", "train.py", cwd=tmp_path).returncode == 0
    assert "missing.toml" in one_line_error(run("check", "--config", "missing.toml", "train.py", cwd=tmp_path))


def test_gitignore_and_force_exclude(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("generated/\n")
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "train.py").write_text(BUGGY)
    (tmp_path / "pyproject.toml").write_text("[tool.keraslint]\nextend-exclude = ['legacy_*.py']\n")
    (tmp_path / "legacy_train.py").write_text(BUGGY)
    assert run("check", ".", cwd=tmp_path).returncode == 0
    # named explicitly: checked, unless --force-exclude (what the pre-commit hook passes)
    assert run("check", "legacy_train.py", cwd=tmp_path).returncode == 1
    assert run("check", "--force-exclude", "legacy_train.py", cwd=tmp_path).returncode == 0


def test_version(tmp_path: Path) -> None:
    from keraslint import __version__

    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == f"keraslint {__version__}"


def test_rule_explain(tmp_path: Path) -> None:
    result = run("rule", "KL103", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("KL103 (seed-after-model-creation)")
    assert "## Why is this bad?" in result.stdout
    by_name = run("rule", "seed-after-model-creation", cwd=tmp_path)
    assert by_name.stdout == result.stdout
    everything = json.loads(run("rule", "--all", "--output-format", "json", cwd=tmp_path).stdout)
    assert [r["code"] for r in everything] == sorted(r["code"] for r in everything)
    assert {"code", "name", "severity", "pass", "explanation", "default"} <= everything[0].keys()
    assert "KL101" in one_line_error(run("rule", "KL10l", cwd=tmp_path))
    assert run("explain", "KL103", cwd=tmp_path).stdout == result.stdout  # the name users bring
    by_case = {r["code"]: r for r in everything}
    assert by_case["KL305"]["severity"] == "warning" and "error" in by_case["KL305"]["severity_note"]
    assert "Severity: warning (error where Keras stops" in run("rule", "KL305", cwd=tmp_path).stdout


def test_check_never_imports_tensorflow_or_keras(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BUGGY)
    probe = ("import sys\nfrom keraslint.cli import main\nsys.argv = ['keraslint', 'check', 'train.py']\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras', 'tf_keras', 'jax', 'torch'})\n"
             "sys.stderr.write('HEAVY=' + ','.join(heavy))\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert "KL101" in result.stdout
    assert result.stderr.strip().endswith("HEAVY="), result.stderr


@pytest.mark.parametrize("fmt", ["full", "concise", "json", "json-lines"])
def test_every_format_on_no_findings(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "train.py").write_text(CLEAN)
    result = run("check", "--output-format", fmt, "train.py", cwd=tmp_path)
    assert result.returncode == 0
    if fmt == "json":
        assert json.loads(result.stdout) == []
    if fmt == "json-lines":
        assert result.stdout == ""


def test_options_that_would_do_nothing_say_so(tmp_path: Path) -> None:
    """A saved model's --input-shape given only scripts, a budget that is not a number, and two
    report options at once: a warning or a one-line error, never silently nothing."""
    (tmp_path / "train.py").write_text(BUGGY)
    ignored = run("check", "train.py", "--input-shape", "32,8", cwd=tmp_path)
    assert ignored.returncode == 1 and "--input-shape describes the data a saved model" in ignored.stderr
    env_run = subprocess.run([sys.executable, "-m", "keraslint", "check", "train.py"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=120,
                             env={**os.environ, "KERASLINT_FILE_BUDGET": "soon"})
    assert env_run.returncode == 1
    assert "KERASLINT_FILE_BUDGET=soon is not a number of seconds; using 20 s" in env_run.stderr
    assert "cannot be combined" in one_line_error(run("check", "train.py", "--show-files", "--show-settings",
                                                      cwd=tmp_path))
    assert "or None" in one_line_error(run("check", "train.py", "--input-shape", "32,x", cwd=tmp_path))
