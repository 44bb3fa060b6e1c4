"""A progress bar on stderr for runs a person waits for: many files, or more than a second.

Only where a person watches and nothing reads the stream: stderr is a terminal, ``CI`` is not
set (CI logs are files, not terminals, but some runners fake a TTY), and the report is for
people (``full``, ``concise``, the ``shapes`` table). The bar is transient: it is erased when
the run ends, so what stays on the screen is the report, as without it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

__all__ = ["HUMAN_FORMATS", "MANY_FILES", "SLOW_SECONDS", "progress_bar", "wanted"]

#: formats a person reads on the terminal; every other one may be parsed by a program
HUMAN_FORMATS = frozenset({"full", "concise", "table"})
#: more files than this show the bar from the start
MANY_FILES = 20
#: a shorter run shows it once it has taken this long
SLOW_SECONDS = 1.0


def _is_terminal(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # a closed or detached stream
        return False


def wanted(total: int, output_format: str, stream: Any) -> bool:
    """Whether a run over ``total`` files may show a bar on ``stream`` at all."""
    return (total > 0 and output_format in HUMAN_FORMATS and not os.environ.get("CI")
            and not os.environ.get("KERASLINT_NO_PROGRESS") and _is_terminal(stream))


@contextmanager
def progress_bar(total: int, output_format: str, stream: TextIO, *, many: int = MANY_FILES,
                 delay: float = SLOW_SECONDS) -> Iterator[Callable[[int], None]]:
    """Yields ``advance(n)``, to call as files are done. The bar appears at once for more than
    ``many`` files, otherwise after ``delay`` seconds if the run is still going."""
    if not wanted(total, output_format, stream):
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    progress = Progress(TextColumn("Checking"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=Console(file=stream, stderr=True), transient=True)
    task = progress.add_task("files", total=total)
    lock = threading.Lock()
    state = {"started": False, "finished": False}

    def start() -> None:
        with lock:
            if not state["started"] and not state["finished"]:
                progress.start()
                state["started"] = True

    timer = None
    if total > many:
        start()
    else:
        timer = threading.Timer(delay, start)
        timer.daemon = True
        timer.start()

    def advance(n: int) -> None:
        progress.advance(task, n)

    try:
        yield advance
    finally:
        if timer is not None:
            timer.cancel()
        with lock:
            state["finished"] = True
            if state["started"]:
                progress.stop()
