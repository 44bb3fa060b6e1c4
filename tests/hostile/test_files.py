"""Files that are not what they claim: FIFOs and /dev/zero links named like configuration or
ignore files, folder trees deeper than Python's recursion limit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile.cli import remove_tree, run_cli

BUGGY = "import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nmodel.fit(x, y)\n"

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
needs_dev_zero = pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


KINDS = [pytest.param(_fifo, id="fifo", marks=needs_fifo), pytest.param(_dev_zero, id="dev-zero", marks=needs_dev_zero)]


@pytest.mark.parametrize("make", KINDS)
def test_a_pyproject_that_is_not_a_file_is_a_one_line_error(tmp_path: Path, make) -> None:
    (tmp_path / "t.py").write_text(BUGGY)
    make(tmp_path / "pyproject.toml")
    for command in (["check", "t.py"], ["shapes", "t.py"]):
        result = run_cli(command, tmp_path, timeout=30)
        assert result.returncode == 2, result.stderr
        assert result.stderr == "keraslint: error: pyproject.toml: config file is not a regular file\n"


@pytest.mark.parametrize("make", KINDS)
def test_a_forced_config_that_is_not_a_file_says_so(tmp_path: Path, make) -> None:
    (tmp_path / "t.py").write_text(BUGGY)
    make(tmp_path / "settings.toml")
    for command in (["check", "--config", "settings.toml", "t.py"], ["shapes", "--config", "settings.toml", "t.py"]):
        result = run_cli(command, tmp_path, timeout=30)
        assert result.returncode == 2, result.stderr
        assert result.stderr == "keraslint: error: settings.toml: config file is not a regular file\n"


def test_a_pyproject_over_one_megabyte_is_refused_unread(tmp_path: Path) -> None:
    (tmp_path / "t.py").write_text(BUGGY)
    (tmp_path / "pyproject.toml").write_text("[tool.keraslint]\n" + "#" * (1024 * 1024) + "\n")
    result = run_cli(["check", "t.py"], tmp_path, timeout=30)
    assert result.returncode == 2
    assert result.stderr == "keraslint: error: pyproject.toml: config file is larger than 1 MB\n"


def test_a_pyproject_above_that_is_a_folder_is_not_ours(tmp_path: Path) -> None:
    (tmp_path / "t.py").write_text(BUGGY)
    (tmp_path / "pyproject.toml").mkdir()
    result = run_cli(["check", "--output-format", "concise", "t.py"], tmp_path, timeout=30)
    assert result.returncode == 1 and "KL101" in result.stdout, result.stderr
    forced = run_cli(["check", "--config", "pyproject.toml", "t.py"], tmp_path, timeout=30)
    assert forced.returncode == 2
    assert forced.stderr == "keraslint: error: pyproject.toml: config file is a folder, not a file\n"


@pytest.mark.parametrize("make", KINDS)
def test_a_gitignore_that_is_not_a_file_hides_nothing_and_never_blocks(tmp_path: Path, make) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "t.py").write_text(BUGGY)
    make(tmp_path / ".gitignore")
    make(tmp_path / "pkg" / ".gitignore")
    result = run_cli(["check", "--output-format", "concise", "."], tmp_path, timeout=30)
    assert result.returncode == 1, result.stderr
    assert "pkg/t.py:2:" in result.stdout and "Traceback" not in result.stderr


def test_a_real_gitignore_still_hides_files(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "t.py").write_text(BUGGY)
    (tmp_path / "hidden.py").write_text(BUGGY)
    (tmp_path / ".gitignore").write_text("hidden.py\n")
    result = run_cli(["check", "--output-format", "concise", "."], tmp_path, timeout=30)
    assert result.returncode == 1 and "t.py:2:" in result.stdout and "hidden.py" not in result.stdout


@pytest.mark.slow
def test_fifteen_hundred_nested_folders_are_walked(tmp_path: Path) -> None:
    folder = tmp_path
    for _ in range(1500):  # os.makedirs itself recurses per level
        folder = folder / "d"
        folder.mkdir()
    (folder / "t.py").write_text(BUGGY)
    try:
        result = run_cli(["check", "--no-cache", "--output-format", "concise", "."], tmp_path, timeout=120)
        assert result.returncode == 1, result.stderr[-500:]
        assert "d/" * 1500 + "t.py:2:" in result.stdout and "internal error" not in result.stderr
        shapes = run_cli(["shapes", "."], tmp_path, timeout=120)
        assert shapes.returncode == 0 and "Sequential model" in shapes.stdout, shapes.stderr[-500:]
    finally:
        # pytest's own clean-up (shutil.rmtree) recurses per level and fails on this tree at the
        # end of a later session: take it down from the bottom here
        remove_tree(tmp_path)
