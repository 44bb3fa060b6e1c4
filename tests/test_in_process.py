"""A few files (a pre-commit hook's, an editor's) are checked in this process, not in worker
processes (keraslint.run.IN_PROCESS_MAX_FILES): the same findings, and what the isolation gives
that matters for them still holds: the per-file budget (KL009) and a crash of the analysis on
one file becoming that file's KL009 while the others are still checked."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import pytest

import keraslint.isolation as isolation
import keraslint.run as run_module
from keraslint.run import CheckOptions, run_check

ROOT = Path(__file__).resolve().parent.parent
#: the five files the benchmark checks as "5 fixture files": findings of several rules, one clean file
FIVE = sorted((ROOT / "fixtures" / "contract").glob("*.py"))
SEEDLESS = ("import keras\nmodel = keras.Sequential([keras.layers.Dense(3)])\nmodel.compile('adam', 'mse')\n"
            "model.fit([[1.0]], [[1.0]])\n")  # one KL101


def check(paths: list[Path]) -> tuple[int, list[dict], str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_check(CheckOptions(paths=paths, output_format="json", no_cache=True), stdout=out, stderr=err)
    return code, json.loads(out.getvalue()), err.getvalue()


def spy(monkeypatch: pytest.MonkeyPatch, crash: str = "", sleep: str = "") -> list[int]:
    """Wrap keraslint.run.check_file (a forked worker inherits the wrapper): it records the
    process each file is checked in, raises on the file named ``crash`` and sleeps on ``sleep``.
    Returns the list of process ids it fills (one per file checked)."""
    pids: list[int] = []
    real = run_module.check_file

    def wrapped(path: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        pids.append(os.getpid())  # in a worker, this list is the worker's copy: nothing shows here
        if path.name == crash:
            raise ValueError("boom\nsecond line")
        if path.name == sleep:
            time.sleep(10)  # interrupted by the budget's SIGALRM
        return real(path, *args, **kwargs)

    monkeypatch.setattr(run_module, "check_file", wrapped)
    return pids


FORK = isolation.default_start_method() == "fork"


def test_five_files_in_process_give_what_the_pool_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(FIVE) == 5
    pids = spy(monkeypatch)
    here = check(FIVE)
    assert pids == [os.getpid()] * 5  # all five checked in this process
    monkeypatch.setattr(run_module, "IN_PROCESS_MAX_FILES", 0)
    pids.clear()
    pooled = check(FIVE)
    assert pids == ([] if FORK else [os.getpid()] * 5)  # in workers (where fork is used)
    assert here == pooled
    codes = {f["code"] for f in here[1]}
    assert len(here[1]) >= 3 and len(codes) >= 2 and "KL009" not in codes, here[1]  # something to compare


def test_six_files_go_to_the_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """More than IN_PROCESS_MAX_FILES: workers. Without fork (this process has loaded a threaded
    runtime, as the full suite's Keras oracle tests do) spawned workers are used only from
    PARALLEL_MIN_FILES on; lowered here so the test runs whichever start method applies."""
    for n in range(6):
        (tmp_path / f"s{n}.py").write_text(SEEDLESS)
    monkeypatch.setattr(run_module, "PARALLEL_MIN_FILES", 6)
    pids = spy(monkeypatch)
    code, findings, _ = check([tmp_path])
    assert code == 1 and [f["code"] for f in findings] == ["KL101"] * 6
    assert pids == []


@pytest.mark.parametrize("in_process", [True, False])
def test_a_crash_in_one_file_is_its_kl009_and_the_others_are_checked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_process: bool) -> None:
    for name in ("a.py", "crash.py", "c.py"):
        (tmp_path / name).write_text(SEEDLESS)
    pids = spy(monkeypatch, crash="crash.py")
    if not in_process:
        monkeypatch.setattr(run_module, "IN_PROCESS_MAX_FILES", 0)
    code, findings, err = check([tmp_path])
    assert code == 2 and "Traceback" not in err, err
    assert [(Path(f["filename"]).name, f["code"]) for f in findings] == \
        [("a.py", "KL101"), ("c.py", "KL101"), ("crash.py", "KL009")]
    # the same words from this process as from a worker
    assert findings[2]["message"] == "the file was not checked: ValueError: boom"
    assert pids == ([os.getpid()] * 3 if in_process or not FORK else [])


def test_the_budget_is_a_kl009_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("fast.py", "slow.py"):
        (tmp_path / name).write_text(SEEDLESS)
    monkeypatch.setenv("KERASLINT_FILE_BUDGET", "0.3")
    pids = spy(monkeypatch, sleep="slow.py")
    started = time.monotonic()
    code, findings, _ = check([tmp_path])
    assert time.monotonic() - started < 8  # the budget, not the 10 s sleep (nor the 5 s watchdog grace)
    assert pids == [os.getpid()] * 2
    by_file = {Path(f["filename"]).name: f for f in findings}
    assert code == 2 and by_file["fast.py"]["code"] == "KL101"
    assert by_file["slow.py"]["code"] == "KL009" and "0.3 s per-file budget" in by_file["slow.py"]["message"]
