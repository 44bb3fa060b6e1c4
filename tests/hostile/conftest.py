"""Helpers for hostile inputs: every probe runs in a subprocess with a memory and CPU limit, so a
regression fails the test instead of taking the machine (or the test runner) down."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: address space and CPU seconds a probe may use: far above what a bounded run needs
MEMORY_LIMIT = 2_000_000_000
CPU_SECONDS = 60


def _limit() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def run_limited(args: list[str], cwd: Path, *, env: dict[str, str] | None = None, stdin: str | None = None,
                timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python args...`` (keraslint from this tree) under the limits."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=environment, input=stdin, capture_output=True,
                          timeout=timeout, preexec_fn=_limit, text=True)


def keraslint(args: list[str], cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return run_limited(["-m", "keraslint", *args], cwd, **kwargs)  # type: ignore[arg-type]
