"""What a plain ``keraslint check`` of one small script imports (issue: import only what the run
needs). Asserted on the set of modules loaded at exit, so a regression is caught without timing
anything: each module named here costs start-up time on every commit a hook checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "train_conv1d.py"

_PROBE = """
import atexit, json, sys
target = sys.argv[1]
def dump():
    with open(target, "w") as out:
        json.dump(sorted(sys.modules), out)
atexit.register(dump)
sys.argv = ["keraslint", *sys.argv[2:]]
from keraslint.cli import main
main()
"""

#: never on the plain path: TensorFlow/Keras (seconds), the user's libraries, the process pool,
#: the fix machinery, the saved-model reader and h5py, the language server, the machine reporters,
#: the other commands, pydantic (typer's coercion of option values: keraslint.typer_params), rich
#: (the text reporter loads it only to colour a terminal's lines), pathspec (only globs need it)
NEVER = ("tensorflow", "keras", "numpy", "torch", "concurrent.futures", "h5py", "keraslint.fixes",
         "keraslint.ir.saved", "keraslint.server", "keraslint.server_worker", "pygls", "asyncio",
         "keraslint.reporters.sarif", "keraslint.reporters.github", "keraslint.reporters.machine",
         "jsonschema", "yaml", "keraslint.settings_report", "keraslint.fix_command", "keraslint.shapes_command",
         "pydantic", "pydantic_core", "typer._adapters", "rich", "pathspec")


def loaded(tmp_path: Path, *args: str) -> set[str]:
    out = tmp_path / "modules.json"
    result = subprocess.run([sys.executable, "-c", _PROBE, str(out), *args], capture_output=True, text=True,
                            cwd=tmp_path, timeout=120, check=False)
    assert result.returncode in (0, 1), result.stderr
    return set(json.loads(out.read_text()))


def _matching(modules: set[str], name: str) -> list[str]:
    return sorted(m for m in modules if m == name or m.startswith(name + "."))


#: a check of up to keraslint.run.IN_PROCESS_MAX_FILES files runs in this process: no pool; and
#: a plain check command line is read without typer (keraslint.check_args)
POOL = ("multiprocessing", "keraslint.isolation", "typer", "keraslint.cli_app")
#: with --no-cache nothing is written (tempfile, and shutil, random and the compressors it loads),
#: and a script that reads no CSV file needs no csv module
NO_CACHE = ("tempfile", "shutil", "random", "bz2", "lzma", "csv")
#: the five files benchmarks/run.py checks as a pre-commit hook would pass them
FIVE = sorted((ROOT / "fixtures" / "contract").glob("*.py"))


def test_a_plain_check_of_one_script_imports_only_what_it_needs(tmp_path: Path) -> None:
    modules = loaded(tmp_path, "check", "--no-cache", str(EXAMPLE))
    assert {name: _matching(modules, name) for name in NEVER + POOL + NO_CACHE if _matching(modules, name)} == {}
    assert "keraslint.reporters.text" in modules and "libcst" in modules


def test_a_check_of_five_files_loads_no_process_pool(tmp_path: Path) -> None:
    assert len(FIVE) == 5
    modules = loaded(tmp_path, "check", "--no-cache", *map(str, FIVE))
    assert {name: _matching(modules, name) for name in NEVER + POOL + NO_CACHE if _matching(modules, name)} == {}


def test_a_check_of_many_files_loads_the_process_pool(tmp_path: Path) -> None:
    for n in range(6):  # one more than IN_PROCESS_MAX_FILES
        (tmp_path / f"s{n}.py").write_text("x = 1\n")
    assert "keraslint.isolation" in loaded(tmp_path, "check", "--no-cache", ".")


@pytest.mark.parametrize(("fmt", "module"), [("sarif", "keraslint.reporters.sarif"),
                                             ("json", "keraslint.reporters.machine"),
                                             ("github", "keraslint.reporters.github")])
def test_a_machine_format_loads_its_reporter_and_not_the_text_one(tmp_path: Path, fmt: str, module: str) -> None:
    modules = loaded(tmp_path, "check", "--no-cache", "--output-format", fmt, str(EXAMPLE))
    assert module in modules
    assert "keraslint.reporters.text" not in modules


def test_fix_and_diff_load_the_fix_machinery(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text("import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.fit(x, y, nb_epoch=3)\n")
    assert "keraslint.fixes" in loaded(tmp_path, "check", "--no-cache", "--select", "KL403", "--diff", str(script))


_GC_PROBE = """
import atexit, gc, json, sys
target = sys.argv[1]
def dump():
    with open(target, "w") as out:
        json.dump({"enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}, out)
atexit.register(dump)
sys.argv = ["keraslint", *sys.argv[2:]]
from keraslint.cli import main
main()
"""


@pytest.mark.parametrize("args", [["check", "--no-cache"], ["check", "--no-cache", "-qq"]], ids=["fast", "typer"])
def test_the_checks_modules_are_loaded_with_the_collector_paused_and_frozen(tmp_path: Path, args: list[str]) -> None:
    """keraslint.cli._load_checker: the imports' objects are frozen (later collections skip
    them: ~50 ms of collections on five files before), and the collector runs again after."""
    out = tmp_path / "gc.json"
    subprocess.run([sys.executable, "-c", _GC_PROBE, str(out), *args, str(EXAMPLE)], capture_output=True,
                   cwd=tmp_path, timeout=120, check=False)
    state = json.loads(out.read_text())
    assert state["enabled"] is True
    assert state["frozen"] > 10_000, state  # libcst's node classes and keraslint's own modules
