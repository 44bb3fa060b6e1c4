"""The parser and the analysis are bounded: inputs that crashed, hung or ate gigabytes end as
one clear finding (or note) for their file, and the rest of the run goes on."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from keraslint.isolation import Failure, Limits, run_isolated
from tests.hostile.conftest import keraslint

SEEDLESS = ("import keras\nmodel = keras.Sequential([keras.layers.Dense({n})])\nmodel.compile('adam', 'mse')\n"
            "model.fit([[1.0]], [[1.0]])\n")  # one KL101 each


def _json(result) -> list[dict]:
    return json.loads(result.stdout or "[]")


def test_flat_and_chain_is_a_kl009_with_the_reason_not_a_segfault(tmp_path: Path) -> None:
    (tmp_path / "chain.py").write_text("x = " + " and ".join(["a"] * 10_000) + "\n")
    result = keraslint(["check", "chain.py", "--output-format", "json", "--no-cache"], tmp_path)
    assert result.returncode == 2, result.stderr[-500:]
    (finding,) = _json(result)
    assert finding["code"] == "KL009" and "nested more than 4,000 levels deep" in finding["message"]


@pytest.mark.parametrize(("source", "why"), [
    ("x = f" + "[0]" * 6000 + "\n", "too deeply nested for Python to compile"),
    ("x = " + "not " * 10_000 + "a\n", "too deeply nested for Python to compile"),
])
def test_what_python_cannot_compile_is_kl001_quickly(tmp_path: Path, source: str, why: str) -> None:
    (tmp_path / "deep.py").write_text(source)
    start = time.monotonic()
    result = keraslint(["check", "deep.py", "--output-format", "json", "--no-cache"], tmp_path)
    assert time.monotonic() - start < 30  # libcst took 76 s and 5.5 GB on these
    (finding,) = _json(result)
    assert result.returncode == 1 and finding["code"] == "KL001" and why in finding["message"]


def test_a_long_valid_trailer_chain_is_refused_before_libcst(tmp_path: Path) -> None:
    (tmp_path / "chain.py").write_text("x = f" + ".a()" * 600 + "\n")
    result = keraslint(["check", "chain.py", "--output-format", "json", "--no-cache"], tmp_path)
    (finding,) = _json(result)
    assert finding["code"] == "KL009" and "chain of more than 1,000 subscripts, calls" in finding["message"]


@pytest.mark.parametrize("source", [
    "x = (\n" + '    "a"\n' * 3500 + ")\n",  # implicitly concatenated: libcst's grammar recurses on it
    "(pars): bool = True\n",  # an annotated parenthesised name, in CPython's own test suite
])
def test_valid_code_libcst_cannot_parse_is_never_a_syntax_error(tmp_path: Path, source: str) -> None:
    (tmp_path / "valid.py").write_text(source)
    compile(source, "valid.py", "exec")  # the premise: Python accepts it
    (tmp_path / "bad.py").write_text("x = (\n")
    result = keraslint(["check", "valid.py", "bad.py", "--output-format", "json", "--no-cache"], tmp_path)
    # a note and a skip: no finding for valid.py (exit 1 by bad.py's syntax error alone)
    assert result.returncode == 1 and [(f["filename"], f["code"]) for f in _json(result)] == [("bad.py", "KL001")]
    assert result.stderr.startswith("keraslint: note: valid.py is valid Python that keraslint's parser (libcst) "
                                    "cannot parse at line "), result.stderr


def test_a_worker_that_dies_is_a_kl009_for_its_file_and_the_others_are_checked(tmp_path: Path) -> None:
    """30 files go through the worker pool; one exhausts its (lowered) memory limit inside libcst's
    native parser, which aborts the process. Before, the run failed whole with BrokenProcessPool."""
    for n in range(30):
        (tmp_path / f"f{n:02}.py").write_text(SEEDLESS.format(n=n + 1))
    (tmp_path / "f13.py").write_text("x = " + "not " * 2500 + "a\n")  # ~350 MB in libcst
    result = keraslint(["check", ".", "--output-format", "json", "--no-cache"], tmp_path,
                       env={"KERASLINT_FILE_MEMORY": "150"})
    findings = _json(result)
    assert result.returncode == 2, result.stderr[-500:]
    (crash,) = [f for f in findings if f["code"] == "KL009"]
    assert crash["filename"] == "f13.py" and "the file was not checked" in crash["message"]
    assert ("crashed" in crash["message"] or "memory" in crash["message"]), crash["message"]
    assert sorted(f["filename"] for f in findings if f["code"] == "KL101") == \
        [f"f{n:02}.py" for n in range(30) if n != 13]


def test_the_per_file_budget_holds_in_check_and_shapes(tmp_path: Path) -> None:
    (tmp_path / "slow.py").write_text("".join(f"x{i} = f" + "[0]" * 600 + "\n" for i in range(4)))
    (tmp_path / "fast.py").write_text(SEEDLESS.format(n=4))
    env = {"KERASLINT_FILE_BUDGET": "0.3"}
    result = keraslint(["check", "slow.py", "fast.py", "--output-format", "json", "--no-cache"], tmp_path, env=env)
    by_file = {f["filename"]: f for f in _json(result)}
    # the in-process budget, or the watchdog when libcst's parser is still running 5 s later
    assert result.returncode == 2 and "0.3 s per-file budget" in by_file["slow.py"]["message"]
    assert by_file["fast.py"]["code"] == "KL101"
    shapes = keraslint(["shapes", "slow.py", "fast.py", "--output-format", "json"], tmp_path, env=env)
    assert shapes.returncode == 2 and "slow.py: analysis stopped after the 0.3 s per-file budget" in shapes.stderr
    assert [s["filename"] for s in json.loads(shapes.stdout)] == ["fast.py"]  # the other file still shaped


def test_shapes_on_a_tuple_doubling_file_finishes(tmp_path: Path) -> None:
    (tmp_path / "grow.py").write_text("import keras\nt = (2**62,)\nfor i in range(12):\n    t = t + t\n"
                                      "x = keras.Input(shape=t)\ny = keras.layers.Flatten()(x)\n"
                                      "y = keras.layers.Dense(10**60)(y)\nm = keras.Model(x, y)\n"
                                      "while True:\n    t = t + t\nm.summary()\n")
    result = keraslint(["shapes", "grow.py"], tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr[-500:]
    assert "Total params: unknown" in result.stdout


def test_over_the_size_limit_is_a_note_and_a_skip(tmp_path: Path) -> None:
    (tmp_path / "big.py").write_text("x = 1\n" * (400 * 1024))  # 2.4 MB
    with open(tmp_path / "sparse.py", "wb") as handle:  # 2.5 GB that reads as zeros
        handle.truncate(2_500_000_000)
    (tmp_path / "ok.py").write_text("x = 1\n")
    result = keraslint(["check", ".", "--no-cache"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "keraslint: note: big.py is 2.3 MB, over the 2 MB limit for one file; skipped" in result.stderr
    assert "keraslint: note: sparse.py is 2384.2 MB, over the 2 MB limit for one file; skipped" in result.stderr
    (tmp_path / "bad.py").write_text(SEEDLESS.format(n=1))
    assert keraslint(["check", ".", "--no-cache"], tmp_path).returncode == 1  # exit by the other findings


def test_stdin_over_the_size_limit_is_a_note_and_a_skip(tmp_path: Path) -> None:
    result = keraslint(["check", "-", "--stdin-filename", "big.py"], tmp_path, stdin="x = 1\n" * (400 * 1024))
    assert result.returncode == 0 and result.stderr == \
        "keraslint: note: big.py is over the 2 MB limit for one file; skipped\n", result.stderr


def test_a_fifo_named_like_a_model_or_script_is_refused_at_once(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "m.keras")
    os.mkfifo(tmp_path / "s.py")
    start = time.monotonic()
    result = keraslint(["check", "m.keras", "s.py", "--output-format", "json", "--no-cache"], tmp_path, timeout=60)
    assert time.monotonic() - start < 15  # it waited the whole 20 s budget before
    assert sorted((f["filename"], f["code"], f["message"]) for f in _json(result)) == [
        ("m.keras", "KL002", "Cannot read m.keras: not a regular file"),
        ("s.py", "KL002", "Cannot read s.py: not a regular file")]


def test_stdin_named_ipynb_is_a_notebook(tmp_path: Path) -> None:
    notebook = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# t"},
                          {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                           "source": "x = (\n"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    result = keraslint(["check", "-", "--stdin-filename", "t.ipynb", "--output-format", "json"], tmp_path,
                       stdin=json.dumps(notebook))
    (finding,) = _json(result)
    assert finding["code"] == "KL001" and finding["cell"] == 2 and finding["filename"] == "t.ipynb"


def _segfault(job: object) -> object:
    if job == "segv":
        os.kill(os.getpid(), 11)
    if job == "hang":
        time.sleep(60)
    if job == "raise":
        raise ValueError("boom")
    return job


@pytest.mark.slow  # the hung job is killed after its budget and the 5 s grace
def test_run_isolated_attributes_each_failure_to_its_job() -> None:
    jobs = [1, "segv", 2, "hang", "raise", 3, 4]
    outcomes = run_isolated(jobs, _segfault, workers=2, limits=Limits(seconds=0.2))
    assert outcomes[0] == 1 and outcomes[2] == 2 and outcomes[5:] == [3, 4]
    assert outcomes[1] == Failure("the process checking it crashed (SIGSEGV)")
    assert isinstance(outcomes[3], Failure) and "after its 0.2 s per-file budget ran out" in outcomes[3].reason
    assert outcomes[4] == Failure("ValueError: boom")


def test_workers_are_not_forked_from_a_process_running_threads() -> None:
    """A fork of a process with other threads (a test runner that imported TensorFlow, a host
    program) may crash in the child: such a process spawns its workers instead."""
    import threading

    from keraslint.isolation import default_start_method

    done = threading.Event()
    worker = threading.Thread(target=done.wait)
    worker.start()
    try:
        assert default_start_method() == "spawn"
    finally:
        done.set()
        worker.join()


_ORPHANING_PARENT = """
import os, signal, sys, time
from keraslint.isolation import Limits, run_isolated

def work(job):
    with open(sys.argv[1], "a") as out:
        out.write(f"{os.getpid()}\\n")
    time.sleep(0.3)
    return job

done = []
def on_done():
    done.append(1)
    if len(done) == 1:
        os.kill(os.getpid(), signal.SIGKILL)  # as an OOM killer or `kill -9` would

if __name__ == "__main__":  # spawned workers import this file again
    run_isolated(list(range(6)), work, workers=2, limits=Limits(seconds=0, memory_bytes=0),
                 start_method=sys.argv[2], on_done=on_done)
"""


def _alive(pid: int) -> bool:
    """A process that has not exited (a zombie left unreaped by this container's init has)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc to see the workers")
@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_workers_of_a_killed_run_exit_on_their_own(tmp_path: Path, start_method: str) -> None:
    """A run killed outright (SIGKILL: an OOM kill, `kill -9`, a CI timeout) sends its workers
    nothing; they must not live on (a forked worker holds copies of the pool's pipe ends, so it
    never saw EOF and waited forever)."""
    import subprocess
    import sys

    pids = tmp_path / "pids"
    script = tmp_path / "orphaning.py"
    script.write_text(_ORPHANING_PARENT)
    with open(tmp_path / "stderr", "w") as stderr:  # not a pipe: a worker left alive would hold it open
        parent = subprocess.run([sys.executable, str(script), str(pids), start_method],
                                stdout=subprocess.DEVNULL, stderr=stderr, timeout=120)
    assert parent.returncode == -9, (tmp_path / "stderr").read_text()
    workers = {int(line) for line in pids.read_text().split()}
    assert workers
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in workers if _alive(pid)]
