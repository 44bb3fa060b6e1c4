"""Running the CLI on hostile inputs: in a subprocess, with a timeout and a memory ceiling, so
a hang or a runaway allocation fails the test instead of the machine."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

MEMORY_CEILING = 1_500_000_000
"""Address space for one CLI run; an unbounded read of /dev/zero or a zip bomb exceeds it."""


def run_cli(args: list[str], cwd: Path, *, timeout: float = 60, env: dict[str, str] | None = None,
            memory: int = MEMORY_CEILING) -> subprocess.CompletedProcess[str]:
    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "keraslint", *args], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=timeout, preexec_fn=limit_memory)


def remove_tree(root: Path) -> None:
    """Delete a folder tree deeper than Python's recursion limit (shutil.rmtree, os.walk and
    Path.rglob all recurse per level), from the bottom up with an explicit stack."""
    stack, order = [root], []
    while stack:
        folder = stack.pop()
        order.append(folder)
        for entry in os.scandir(folder):
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            else:
                os.unlink(entry.path)
    for folder in reversed(order):
        if folder != root:
            folder.rmdir()
