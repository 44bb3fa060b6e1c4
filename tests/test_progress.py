"""The progress bar: on a terminal for long runs; never in a pipe, in CI or beside a machine format."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def many_files(tmp_path: Path, count: int = 25) -> Path:
    folder = tmp_path / "scripts"
    folder.mkdir()
    for index in range(count):
        (folder / f"s{index:02}.py").write_text(f"import keras\nmodel = keras.Sequential([keras.layers.Dense({index + 1})])\n")
    return folder


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("CI", "FORCE_COLOR", "NO_COLOR", "KERASLINT_NO_PROGRESS")}
    base["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), base.get("PYTHONPATH", "")) if p)
    return {**base, "TERM": "xterm-256color", "COLUMNS": "100", **extra}


def stderr_on_a_terminal(args: list[str], cwd: Path, environment: dict[str, str]) -> tuple[int, str]:
    """Run keraslint with stderr on a pseudo-terminal (stdout discarded: a pipe nobody reads would fill
    and block it); what the terminal got."""
    master, slave = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "keraslint", *args], cwd=cwd, env=environment,
                               stdout=subprocess.DEVNULL, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            process.kill()
            raise AssertionError("keraslint did not finish")
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal's other side closed: the process is done
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    return process.wait(timeout=60), seen.decode("utf-8", "replace")


@pytest.mark.slow
def test_a_bar_on_a_terminal_for_many_files(tmp_path: Path) -> None:
    folder = many_files(tmp_path)
    code, terminal = stderr_on_a_terminal(["check", "--no-cache", str(folder)], tmp_path, env())
    assert code in (0, 1)
    assert "Checking" in terminal and "/25" in terminal


@pytest.mark.slow
def test_none_in_ci_or_with_a_machine_format(tmp_path: Path) -> None:
    folder = many_files(tmp_path)
    _, terminal = stderr_on_a_terminal(["check", "--no-cache", str(folder)], tmp_path, env(CI="true"))
    assert "Checking" not in terminal
    for fmt in ("json", "sarif", "github", "json-lines"):
        _, terminal = stderr_on_a_terminal(["check", "--no-cache", "--output-format", fmt, str(folder)], tmp_path,
                                           env())
        assert "Checking" not in terminal, fmt


@pytest.mark.slow
def test_none_in_a_pipe(tmp_path: Path) -> None:
    folder = many_files(tmp_path)
    result = subprocess.run([sys.executable, "-m", "keraslint", "check", "--no-cache", str(folder)], cwd=tmp_path,
                            env=env(), capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode in (0, 1), result.stderr
    assert "Checking" not in result.stderr and "\x1b" not in result.stderr


def test_a_short_run_shows_it_only_after_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import time

    from keraslint.progress import progress_bar

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("KERASLINT_NO_PROGRESS", raising=False)
    quick = Terminal()
    with progress_bar(3, "full", quick, delay=0.5) as advance:
        advance(3)
    assert quick.getvalue() == ""
    slow = Terminal()
    with progress_bar(3, "full", slow, delay=0.2) as advance:
        time.sleep(0.6)
        advance(3)
    assert "Checking" in slow.getvalue()
