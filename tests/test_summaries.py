"""Another module's function called with unknown arguments is analysed once per process
(keraslint/source/summaries.py), and taking its summary gives what running it gives."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from keraslint.checker import check_file
from keraslint.source import summaries
from keraslint.source.interpreter import Interpreter

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = ROOT / "fixtures" / "projects"
SELECTED = {"KL101", "KL201", "KL202", "KL203", "KL301", "KL302", "KL403"}

LIB = """import keras
from keras import layers

WIDTH = 8


def block(x, depth=0):
    x = layers.Dense(WIDTH, activation="relu")(x)
    if depth < 2:
        x = block2(x, depth + 1)
    return x


def block2(x, depth=0):
    return layers.Dense(WIDTH)(x)
"""
USER = """import keras
from lib import block


def uncalled_{i}(x, depth):
    return block(x, depth)
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _check_all(root: Path, names: list[str]) -> dict[str, Any]:
    """Each file checked in this process, in this order: what its report says."""
    cwd = Path.cwd()
    os.chdir(root)
    try:
        found = {}
        for name in names:
            report = check_file(root / name, name, selected=SELECTED)
            facts = report.context.facts
            found[name] = (sorted((d.code, d.filename, d.location.row, d.message) for d in report.diagnostics),
                           report.coverage, sorted(facts.dependencies), sorted(str(s.path) for s in facts.imported),
                           facts.steps)
        return found
    finally:
        os.chdir(cwd)


@pytest.fixture(autouse=True)
def _fresh_memo() -> Any:
    summaries.clear()
    yield
    summaries.clear()


def test_a_function_called_with_unknown_arguments_from_many_files_is_analysed_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {"lib.py": LIB, **{f"user{i}.py": USER.format(i=i) for i in range(10)}}
    root = _write(tmp_path / "p", files)
    runs: list[str] = []
    enter = Interpreter.enter_function

    def counting(self: Interpreter, fn: Any, frame: Any, node: Any) -> Any:
        runs.append(fn.name)
        return enter(self, fn, frame, node)

    monkeypatch.setattr(Interpreter, "enter_function", counting)
    _check_all(root, [f"user{i}.py" for i in range(10)])
    # each file's uncalled function runs (it is the file's own); lib's functions run once in all
    assert runs.count("block") == 1 and runs.count("block2") == 1
    assert sorted(set(runs)) == ["block", "block2", *sorted(f"uncalled_{i}" for i in range(10))]
    assert summaries.STATS["taken"] == 9


def test_taking_a_summary_gives_what_running_the_call_gives(tmp_path: Path) -> None:
    """Per file: the same findings, coverage, imports and cache dependencies, whether every file
    records its own summaries or takes those of the files checked before it, in any order."""
    spec = importlib.util.spec_from_file_location("projects_bench", ROOT / "benchmarks" / "projects.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    root = tmp_path / "generated"
    bench.make_project(root, 25)
    names = sorted(str(p.relative_to(root)) for p in root.rglob("*.py"))

    alone = {}
    for name in names:
        summaries.clear()
        alone.update(_check_all(root, [name]))
    for order in (names, names[::-1]):
        summaries.clear()
        shared = _check_all(root, order)
        assert summaries.STATS["taken"] > len(names)
        assert {n: v[:2] for n, v in shared.items()} == {n: v[:2] for n, v in alone.items()}
        assert {n: v[4] for n, v in shared.items()} == {n: v[4] for n, v in alone.items()}  # the same budget used
        for name in names:
            # a summary may reach more modules than a run cut by this file's bounds: never fewer
            assert set(shared[name][2]) >= set(alone[name][2]) and set(shared[name][3]) >= set(alone[name][3])


def test_a_call_that_builds_a_model_is_run_in_every_file(tmp_path: Path) -> None:
    """A builder's model is a fact of the file that calls it: no summary stands for it."""
    lib = ("import keras\n\ndef build(n):\n"
           "    return keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(n)])\n")
    user = "from lib import build\n\ndef uncalled_{i}(n):\n    return build(n)\n"
    root = _write(tmp_path / "p", {"lib.py": lib, **{f"user{i}.py": user.format(i=i) for i in range(3)}})
    found = _check_all(root, [f"user{i}.py" for i in range(3)])
    assert summaries.STATS["recorded"] == 0 and summaries.STATS["taken"] == 0
    assert all(len(report[1]["models"]) == 1 for report in found.values())


def test_fixture_projects_give_the_same_findings_with_shared_summaries(tmp_path: Path) -> None:
    for project in sorted(PROJECTS.iterdir()):
        if not project.is_dir():
            continue
        root = tmp_path / project.name
        shutil.copytree(project, root)
        names = sorted(str(p.relative_to(root)) for p in root.rglob("*.py") if p.name != "broken.py")
        alone = {}
        for name in names:
            summaries.clear()
            alone.update(_check_all(root, [name]))
        summaries.clear()
        assert {n: v[:2] for n, v in _check_all(root, names[::-1]).items()} == {n: v[:2] for n, v in alone.items()}


def test_a_module_edited_between_two_checks_of_one_process_is_read_again(tmp_path: Path) -> None:
    """A summary reaches modules the file that takes it has not read: they are looked at then."""
    lib = "from deep import leaf\n\ndef block(x, depth):\n    return leaf(x, depth)\n"
    deep = "import keras\n\ndef leaf(x, depth):\n    return x\n"
    mid = "from lib import block\n\ndef g(x, depth):\n    return block(x, depth)\n"
    user = "from mid import g\n\ndef uncalled_{i}(x, depth):\n    return g(x, depth)\n"
    root = _write(tmp_path / "p", {"lib.py": lib, "deep.py": deep, "mid.py": mid, "user0.py": user.format(i=0),
                                   "user1.py": user.format(i=1)})
    assert _check_all(root, ["user0.py"])["user0.py"][1]["models"] == []
    assert summaries.STATS["recorded"] == 3  # g, block and leaf
    # leaf now builds a model: the summary of g recorded on the old deep.py must not stand for
    # it, though user1.py reads only mid.py and lib.py before the summary is asked for
    (root / "deep.py").write_text(deep.replace("return x", "return keras.Sequential([keras.layers.Dense(2)])"))
    assert len(_check_all(root, ["user1.py"])["user1.py"][1]["models"]) == 1


def test_a_taken_summary_carries_the_files_its_run_looked_for(tmp_path: Path) -> None:
    """The data files and absent modules a recorded run looked for (consulted.py) are cache
    dependencies of every file that takes the summary, not only of the one that recorded it: a
    config file written later, or the missing module created, must invalidate both."""
    lib = ("import json\n\ndef helper(x):\n    from plugins import extra\n"
           "    with open('cfg.json') as f:\n        cfg = json.load(f)\n    return x\n")
    user = "from lib import helper\n\ndef uncalled_{i}(x):\n    return helper(x)\n"
    root = _write(tmp_path / "p", {"lib.py": lib, **{f"u{i}.py": user.format(i=i) for i in range(3)}})
    found = _check_all(root, ["u0.py", "u1.py", "u2.py"])
    assert summaries.STATS["taken"] >= 2
    for name in ("u0.py", "u1.py", "u2.py"):
        dependencies = found[name][2]
        assert str((root / "cfg.json").resolve()) in dependencies, (name, dependencies)
        assert str((root / "plugins.py").resolve()) in dependencies, (name, dependencies)
