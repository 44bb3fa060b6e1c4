"""keraslint.check_args reads a plain ``keraslint check`` command line as typer does, and
leaves every other one to typer: its table of options is held to typer's declaration of
``check``, and its values to what typer passes for the same command lines."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import keraslint.cli_app as cli_app
from keraslint.check_args import FLAGS, OUTPUT_FORMATS, VALUES, fast_check_arguments
from keraslint.cli import check_command

typer_main = pytest.importorskip("typer.main")

ROOT = Path(__file__).resolve().parent.parent


def _check_params() -> list[Any]:
    return list(typer_main.get_command(cli_app.app).commands["check"].params)


def test_the_table_is_typers_declaration_of_check() -> None:
    flags: dict[str, str] = {}
    values: dict[str, tuple[str, bool]] = {}
    arguments = []
    for param in _check_params():
        if param.param_type_name == "argument":
            arguments.append(param.name)
            continue
        assert param.secondary_opts == [], param.name  # no --no-x spellings to read
        for opt in param.opts:
            if param.is_flag:
                flags[opt] = param.name
            else:
                values[opt] = (param.name, param.multiple)
    assert arguments == ["paths"]
    assert FLAGS == flags
    assert {opt: (name, kind == "many") for opt, (name, kind) in VALUES.items()} == values
    assert inspect.signature(cli_app.check).parameters["output_format"].default is cli_app.OutputFormat.full
    assert tuple(f.value for f in cli_app.OutputFormat) == OUTPUT_FORMATS
    # every parameter check_command takes is one of check's, with the same default
    defaults = {name: p.default for name, p in inspect.signature(check_command).parameters.items()}
    assert set(defaults) == {p.name for p in _check_params()}


def _typers(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The arguments typer's ``check`` hands to check_command for ``argv``."""
    got: dict[str, Any] = {}
    monkeypatch.setattr(cli_app, "check_command", lambda **kwargs: got.update(kwargs) or 0)
    assert cli_app.app(argv, standalone_mode=False) == 0
    return got


PLAIN = [
    ["check"],
    ["check", "train.py"],
    ["check", "--no-cache", "--exit-zero", "--output-format", "concise", "a.py", "b.py", "c.py"],
    ["check", "--force-exclude", "a.py", "-"],
    ["check", "a.py", "--output-format=json", "--select", "KL1,kl301", "--select=KL2", "--ignore", "KL101"],
    ["check", "--extend-select", "KL104", "--per-file-ignores", "tests/**:KL101", "--per-file-ignores=x:KL2", "."],
    ["check", "-q", "--statistics", "--show-coverage", "-o", "out.txt", "--config", "pyproject.toml", "src"],
    ["check", "-s", "--fix", "--unsafe-fixes", "--diff", "-v", "--show-files", "--show-settings", "x"],
    ["check", "--stdin-filename", "nb.ipynb", "-", "--input-shape", "32,50,8", "--data", "x.npy"],
    ["check", "--output-file=o.sarif", "--output-format", "sarif", "--", "-dash.py", "--no-cache"],
    ["check", "--verbose", "--quiet", "--silent", "a.py"],  # refused later, by check_command, in both
]


@pytest.mark.parametrize("argv", PLAIN, ids=" ".join)
def test_a_plain_command_line_gives_what_typer_gives(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    fast = fast_check_arguments(argv)
    assert fast is not None, "read here, not by typer"
    defaults = {name: p.default for name, p in inspect.signature(check_command).parameters.items()}
    theirs = _typers(argv, monkeypatch)
    mine = {**defaults, **fast}
    # typer gives lists (or None) where the fast path gives lists: compare the values, not the containers
    for key in ("paths", "select", "extend_select", "ignore", "per_file_ignores"):
        theirs[key] = list(theirs[key]) if theirs[key] else None
        mine[key] = list(mine[key]) if mine[key] else None
    assert mine == theirs


@pytest.mark.parametrize("argv", [
    [], ["--version"], ["rule", "KL101"], ["shapes", "x.py"], ["check", "-h"], ["check", "--help"],
    ["check", "--no-cach"], ["check", "--exit"], ["check", "-qv"], ["check", "-oout.txt"],
    ["check", "--output-format", "xml"], ["check", "--output-format"], ["check", "--select"],
    ["check", "--select", "-x"], ["check", "--select", ""], ["check", "--select="], ["check", ""],
    ["check", "--config", "a.toml", "--config", "b.toml"], ["check", "--no-cache=1"], ["check", "-x"],
    ["check", "--", ""], ["check", "--output-format", "JSON"],
], ids=repr)
def test_anything_else_goes_to_typer(argv: list[str]) -> None:
    assert fast_check_arguments(argv) is None


def test_shell_completion_goes_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_KERASLINT_COMPLETE", "bash_complete")
    assert fast_check_arguments(["check", "a.py"]) is None


def _keraslint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "keraslint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_both_paths_print_the_same(tmp_path: Path) -> None:
    """The same check through the fast path and through typer (-v is not read here, only by
    typer, when it is combined as -vq... so compare a command line each path reads)."""
    script = tmp_path / "t.py"
    script.write_text("import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.fit(x, y)\n")
    fast = _keraslint("check", "--no-cache", "--output-format", "concise", "t.py", cwd=tmp_path)
    # "--output-format" abbreviated to a choice typer accepts is not possible; an unknown-to-the-fast-path
    # spelling that typer reads the same way: the same option twice (typer keeps the last one)
    slow = _keraslint("check", "--no-cache", "--output-format", "json", "--output-format", "concise", "t.py",
                      cwd=tmp_path)
    assert fast_check_arguments(["check", "--output-format", "json", "--output-format", "concise"]) is None
    assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr)
    assert fast.returncode == 1 and "KL" in fast.stdout


def test_usage_errors_still_read_as_typers(tmp_path: Path) -> None:
    result = _keraslint("check", "--no-cach", "t.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("keraslint: error: no such option: --no-cach"), result.stderr
    helped = _keraslint("check", "-h", cwd=tmp_path)
    assert helped.returncode == 0 and "--output-format" in helped.stdout
