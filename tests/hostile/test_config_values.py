"""Configuration values that parse but cannot be meant: numbers out of range, globs that match
nothing; and a missing path is never "did you mean" itself."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from keraslint.config import ConfigError, load_settings
from keraslint.registry import rule_infos
from keraslint.run import option_specs
from tests.hostile.cli import run_cli

PREFIX = "pyproject.toml: [tool.keraslint] "


def _error(tmp_path: Path, line: str) -> str:
    (tmp_path / "pyproject.toml").write_text(f"[tool.keraslint]\n{line}\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path / "pyproject.toml", rules=rule_infos(), options=option_specs(), cwd=tmp_path)
    return str(caught.value)


@pytest.mark.parametrize("line, message", [
    ("channel-expansion-min = -1", "'channel-expansion-min' must be between 0 and 1,000,000, got -1"),
    ("channel-expansion-min = 9223372036854775807",
     "'channel-expansion-min' must be between 0 and 1,000,000, got 9223372036854775807"),
    ("channel-expansion-ratio = nan", "'channel-expansion-ratio' must be a finite number, got nan"),
    ("channel-expansion-ratio = inf", "'channel-expansion-ratio' must be a finite number, got inf"),
    ("channel-expansion-ratio = -inf", "'channel-expansion-ratio' must be a finite number, got -inf"),
    ("channel-expansion-ratio = 1e300", "'channel-expansion-ratio' must be between 0 and 1,000,000, got 1e+300"),
    ("channel-expansion-ratio = -0.5", "'channel-expansion-ratio' must be between 0 and 1,000,000, got -0.5"),
])
def test_numeric_options_out_of_range_are_errors(tmp_path: Path, line: str, message: str) -> None:
    assert _error(tmp_path, line) == PREFIX + message


@pytest.mark.parametrize("line, message", [
    ("exclude = ['[']", "'exclude': invalid pattern '[': it matches no path (an unclosed '[' or a lone '/'?)"),
    ("exclude = ['/']", "'exclude': invalid pattern '/': it matches no path (an unclosed '[' or a lone '/'?)"),
    ("extend-exclude = ['']", "'extend-exclude': invalid pattern '': it is empty"),
    ("extend-exclude = ['!']", "'extend-exclude': invalid pattern '!': it is empty"),
    ("exclude = ['#notes']", "'exclude': invalid pattern '#notes': a leading '#' makes it a comment in gitignore "
                             "syntax (write '\\#' to match a '#')"),
    ("exclude = ['[z-a].py']", "'exclude': invalid pattern '[z-a].py': it has an invalid character class "
                               "(bad character range z-a)"),
    ('exclude = ["tab\\there"]', "'exclude': invalid pattern 'tab\\there': it contains a control character"),
    ("per-file-ignores = { 'a[' = ['KL101'] }",
     "'per-file-ignores': invalid pattern 'a[': it matches no path (an unclosed '[' or a lone '/'?)"),
])
def test_globs_that_match_nothing_are_errors(tmp_path: Path, line: str, message: str) -> None:
    assert _error(tmp_path, line) == PREFIX + message


@pytest.mark.parametrize("line", ["channel-expansion-min = 0", "channel-expansion-ratio = 1000000.0",
                                  "exclude = ['**/build', '!keep.py', '\\#x', 'data[0-9].py']",
                                  "per-file-ignores = { '!tests/**' = ['KL101'] }"])
def test_ordinary_values_still_load(tmp_path: Path, line: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.keraslint]\n{line}\n")
    load_settings(tmp_path / "pyproject.toml", rules=rule_infos(), options=option_specs(), cwd=tmp_path)


def test_the_cli_reports_a_bad_value_as_one_line_with_exit_2(tmp_path: Path) -> None:
    (tmp_path / "t.py").write_text("x = 1\n")
    (tmp_path / "pyproject.toml").write_text("[tool.keraslint]\nchannel-expansion-ratio = nan\n")
    for command in (["check", "t.py"], ["shapes", "t.py"]):
        result = run_cli(command, tmp_path, timeout=30)
        assert (result.returncode, result.stderr) == (2, f"keraslint: error: {PREFIX}'channel-expansion-ratio' "
                                                         "must be a finite number, got nan\n")


@pytest.mark.slow
def test_a_missing_path_never_suggests_itself(tmp_path: Path) -> None:
    (tmp_path / "loops").mkdir()
    os.symlink("l3.py", tmp_path / "loops" / "l3.py")  # a link to itself: listed, never there
    os.symlink("gone.py", tmp_path / "loops" / "l4.py")
    (tmp_path / "loops" / "l5.py").write_text("x = 1\n")
    for name in ("l3.py", "l4.py"):
        result = run_cli(["check", f"loops/{name}"], tmp_path, timeout=30)
        assert result.returncode == 2 and result.stderr == (
            f"keraslint: error: path 'loops/{name}' is a symbolic link that cannot be followed "
            "(its target is missing, or it loops)\n")
    result = run_cli(["check", "loops/l6.py"], tmp_path, timeout=30)
    assert result.stderr == "keraslint: error: path 'loops/l6.py' does not exist (did you mean 'loops/l5.py'?)\n"
