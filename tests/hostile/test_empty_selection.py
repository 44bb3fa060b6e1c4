"""An empty rule selection is refused: it would pass any code with exit 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BUGGY = "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.fit(x, y, nb_epoch=3)\n"


def keraslint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    return subprocess.run([sys.executable, "-m", "keraslint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=env)


@pytest.mark.parametrize("selection", [[""], [","], ["", " "]])
def test_an_empty_select_option_is_an_error(tmp_path: Path, selection: list[str]) -> None:
    (tmp_path / "train.py").write_text(BUGGY)
    args = [part for value in selection for part in ("--select", value)]
    result = keraslint("check", *args, "train.py", cwd=tmp_path)
    assert result.returncode == 2, result
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("keraslint: error: --select '") and "selects no rule" in line


def test_an_empty_select_with_extend_select_is_a_selection(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BUGGY)
    result = keraslint("check", "--select", "", "--extend-select", "KL101", "--output-format", "concise",
                       "train.py", cwd=tmp_path)
    assert result.returncode == 1, result
    assert " KL101 " in result.stdout and "KL403" not in result.stdout


@pytest.mark.parametrize("command", [["check"], ["shapes"]])
def test_select_empty_list_in_the_configuration_says_so(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.keraslint]\nselect = []\n")
    (tmp_path / "train.py").write_text(BUGGY)
    result = keraslint(*command, "train.py", cwd=tmp_path)
    assert result.returncode == 2, result
    (line,) = result.stderr.splitlines()
    assert line == ("keraslint: error: `select = []` in pyproject.toml selects no rule, so nothing would be "
                    "checked; name the rules to enable (a code, a prefix such as KL3, or ALL), or leave it out "
                    "for the default selection")


def test_select_empty_list_with_extend_select_in_the_configuration_runs(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.keraslint]\nselect = []\nextend-select = ["KL403"]\n')
    (tmp_path / "train.py").write_text(BUGGY)
    result = keraslint("check", "--output-format", "concise", "train.py", cwd=tmp_path)
    assert result.returncode == 1, result
    assert " KL403 " in result.stdout and "KL101" not in result.stdout


def test_resolve_refuses_an_empty_selection() -> None:
    from keraslint.registry import rule_infos
    from keraslint.selection import EmptySelectionError, resolve

    with pytest.raises(EmptySelectionError, match="^the selection selects no rule"):
        resolve(rule_infos(), select=[])
    assert resolve(rule_infos(), select=[], extend_select=["KL101"]) >= {"KL101"}


def test_the_language_server_falls_back_to_the_defaults_and_says_why(tmp_path: Path) -> None:
    """As for any other configuration error, the editor keeps working with the defaults."""
    from keraslint.server_worker import Target, run_check

    (tmp_path / "pyproject.toml").write_text("[tool.keraslint]\nselect = []\n")
    path = tmp_path / "train.py"
    outcome = run_check(Target(path, tmp_path, "train.py", on_disk=True), BUGGY)
    assert [d.code for d in outcome.diagnostics] == ["KL101"]
    (note,) = outcome.notes
    assert "pyproject.toml selects no rule" in note and note.endswith("(using the default settings)")
