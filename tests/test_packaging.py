"""Installed layout: `rules/` ships as `keraslint.rules`, never as a bare `rules` package."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_installed_environment_has_no_bare_rules_package(tmp_path: Path) -> None:
    # Run from an unrelated folder so the repository itself is not on sys.path.
    probe = ("import importlib.util, keraslint.rules\n"
             "print(importlib.util.find_spec('rules') is None)\n"
             "print(len([m for m in __import__('pkgutil').iter_modules(keraslint.rules.__path__)]))\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True)
    no_bare, count = result.stdout.split()
    assert no_bare == "True"
    assert int(count) >= 7


def test_a_source_checkout_without_an_install_finds_its_rules(tmp_path: Path) -> None:
    """``python -m keraslint`` (or scripts/ecosystem.py) from the clone's root after a plain
    ``pip install .`` imports the checkout's ``keraslint`` folder, which has no ``rules``
    inside: the registry takes the ``rules`` folder beside it instead of failing with
    ModuleNotFoundError. The editable install's finder is removed to be in that situation."""
    import shutil

    shutil.copytree(ROOT / "keraslint", tmp_path / "keraslint", ignore=shutil.ignore_patterns("__pycache__", "rules"))
    shutil.copytree(ROOT / "rules", tmp_path / "rules", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "t.py").write_text("import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.fit(x, y)\n")
    probe = ("import runpy, sys\n"
             "sys.meta_path[:] = [f for f in sys.meta_path if '__editable__' not in getattr(f, '__module__', '')]\n"
             "sys.path.insert(0, '.')\n"
             "sys.argv = ['keraslint', 'check', '--no-cache', '--output-format', 'concise', 't.py']\n"
             "runpy.run_module('keraslint', run_name='__main__')\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "KL101" in result.stdout and "internal error" not in result.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True, timeout=600)
    (path,) = out.glob("keraslint-*.whl")
    return zipfile.ZipFile(path)


def test_wheel_maps_rules_into_keraslint(wheel: zipfile.ZipFile) -> None:
    names = wheel.namelist()
    assert not [n for n in names if n.startswith("rules/")]
    assert "keraslint/rules/__init__.py" in names
    for module in (ROOT / "rules").glob("*.py"):
        assert f"keraslint/rules/{module.name}" in names


def test_wheel_contains_every_package_and_the_schema(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for source in (ROOT / "keraslint").rglob("*.py"):
        relative = source.relative_to(ROOT).as_posix()
        assert relative in names, f"{relative} is missing from the wheel: add its package to pyproject.toml"
    assert "keraslint/schemas/diagnostics.schema.json" in names
    top_level = {n.split("/")[0] for n in names if not n.endswith(".dist-info") and "dist-info" not in n.split("/")[0]}
    assert top_level == {"keraslint"}
