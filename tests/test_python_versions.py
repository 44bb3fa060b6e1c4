"""The supported Python versions (README: 3.10 to 3.13): the oldest and the newest install
keraslint and check the bundled example; 3.9 is refused by pip with a clear message. A version
that is not installed on this machine is skipped, with the reason printed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OLDEST, NEWEST = "3.10", "3.13"


def _interpreter(version: str) -> str | None:
    """An interpreter of exactly `version`: on PATH, else in pyenv's versions folder (pyenv's
    shims resolve to the selected version, not to the one they are named for)."""
    candidates = [shutil.which(f"python{version}")]
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(str(p) for p in root.glob(f"versions/{version}.*/bin/python{version}"))
    for candidate in filter(None, candidates):
        probe = subprocess.run([candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                               capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    return None


def _venv(version: str, tmp_path: Path) -> Path:
    python = _interpreter(version)
    if python is None:
        print(f"Python {version} is not installed here: skipped")
        pytest.skip(f"Python {version} is not installed on this machine")
    venv = tmp_path / f"venv{version}"
    subprocess.run([python, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
    return venv / "bin" / "python"


@pytest.mark.slow
@pytest.mark.parametrize("version", [OLDEST, NEWEST])
def test_supported_version_installs_and_checks_the_example(version: str, tmp_path: Path) -> None:
    python = _venv(version, tmp_path)
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(ROOT)],
                             capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-3000:]
    result = subprocess.run([str(python), "-m", "keraslint", "check", "--no-cache", "--output-format", "concise",
                             str(ROOT / "examples" / "train_conv1d.py")],
                            capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "KL301" in result.stdout and "Traceback" not in result.stderr


@pytest.mark.slow
def test_python_3_9_is_refused_by_pip_with_a_clear_message(tmp_path: Path) -> None:
    python = _venv("3.9", tmp_path)
    install = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--quiet", str(ROOT)],
                             capture_output=True, text=True, timeout=900)
    assert install.returncode != 0
    assert "requires a different Python" in install.stderr and ">=3.10" in install.stderr, install.stderr


def test_readme_and_metadata_state_the_same_versions() -> None:
    readme = (ROOT / "README.md").read_text()
    assert f"Python {OLDEST} to {NEWEST}" in readme
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert f'requires-python = ">={OLDEST}"' in pyproject
    for minor in range(10, 14):
        assert f'"Programming Language :: Python :: 3.{minor}"' in pyproject
    assert sys.version_info >= (3, 10)
