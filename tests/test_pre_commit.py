"""The pre-commit hook end to end: `pre-commit try-repo` on this repository, against a fresh git
repository with a buggy script, installs keraslint in its own environment and fails the commit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)


@pytest.mark.slow
def test_pre_commit_try_repo_fails_on_a_buggy_script(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.fail("git is required for this test")
    if not (ROOT / ".git").exists():
        pytest.fail("the repository must be a git checkout for `pre-commit try-repo`")
    project = tmp_path / "project"
    project.mkdir()
    _git("init", "-q", cwd=project)
    _git("config", "user.email", "test@example.com", cwd=project)
    _git("config", "user.name", "test", cwd=project)
    (project / "train.py").write_text(
        "import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nmodel.fit(x, y)\n")
    (project / "clean.py").write_text("import numpy as np\nprint(np.zeros(3))\n")
    _git("add", ".", cwd=project)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PRE_COMMIT_COLOR": "never"}
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "keraslint", "--files"]
    failing = subprocess.run([*command, "train.py"], cwd=project, capture_output=True, text=True, env=env,
                             timeout=900)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "KL101" in failing.stdout and "train.py:2:9" in failing.stdout
    passing = subprocess.run([*command, "clean.py"], cwd=project, capture_output=True, text=True, env=env,
                             timeout=900)
    assert passing.returncode == 0, passing.stdout + passing.stderr


@pytest.mark.slow
def test_the_readme_local_hook_runs_the_installed_keraslint(tmp_path: Path) -> None:
    """The README's `repo: local` configuration, copied verbatim from the README, with the
    keraslint of this test environment on PATH (as after `pip install` from a clone)."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## pre-commit"):]
    config = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert "repo: local" in config
    project = tmp_path / "project"
    project.mkdir()
    _git("init", "-q", cwd=project)
    _git("config", "user.email", "test@example.com", cwd=project)
    _git("config", "user.name", "test", cwd=project)
    (project / ".pre-commit-config.yaml").write_text(config)
    (project / "train.py").write_text(
        "import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nmodel.fit(x, y)\n")
    (project / "clean.py").write_text("import numpy as np\nprint(np.zeros(3))\n")
    _git("add", ".", cwd=project)
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PRE_COMMIT_COLOR": "never",
           "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    command = [sys.executable, "-m", "pre_commit", "run", "--files"]
    failing = subprocess.run([*command, "train.py"], cwd=project, capture_output=True, text=True, env=env,
                             timeout=300)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "KL101" in failing.stdout and "train.py:2:9" in failing.stdout
    passing = subprocess.run([*command, "clean.py"], cwd=project, capture_output=True, text=True, env=env,
                             timeout=300)
    assert passing.returncode == 0, passing.stdout + passing.stderr


def test_the_release_tag_in_the_readme_is_the_package_version() -> None:
    from keraslint import __version__

    assert f"rev: v{__version__}" in (ROOT / "README.md").read_text()
