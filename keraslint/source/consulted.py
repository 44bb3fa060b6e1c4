"""The data files an analysis looked for, so that a cached result is dropped when one changes.

A script's findings depend on more than its own text: the shape of ``np.load("x.npy")``, the
header of a CSV, a JSON config, the weights in an ``.h5`` file. Every literal path the analysis
resolves (``npy.resolve``, which all those readers share) is noted here while an analysis runs,
found or not: a file that appears later changes the result as much as one that is edited.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from keraslint.files import data_stamp

#: one set per analysis in progress (an analysis never starts another, but a stack costs nothing)
_OPEN: list[set[Path]] = []


@contextmanager
def consulting() -> Iterator[set[Path]]:
    """Collect the data files looked for until the block ends."""
    files: set[Path] = set()
    _OPEN.append(files)
    try:
        yield files
    finally:
        _OPEN.pop()


def note(path: Path) -> None:
    """``path`` was looked for by the analysis running now (no-op outside one)."""
    if _OPEN:
        _OPEN[-1].add(path)


def note_all(paths: Iterable[Path]) -> None:
    """Each of ``paths`` was looked for (a summary taken stands for a run that looked for them)."""
    if _OPEN:
        _OPEN[-1].update(paths)


#: folder (absolute, as given) -> its real path: every checked file of a project looks for the
#: same absent module candidates in the same few folders, and ``Path.resolve()`` lstat's every
#: component of every one (a fifth of checking a 1,000-module project). Bounded; dropped by
#: ``forget_folders()`` at the start of each run and each language-server request.
_REAL_FOLDERS: dict[str, str] = {}
_MAX_FOLDERS = 4_096


def resolved(path: Path) -> str:
    """``str(path.resolve())``, with the folder's resolution remembered: only the last component
    is looked at (one lstat) unless it is itself a symbolic link. A folder caught in a loop of
    links gives its path as far as it resolves, where ``Path.resolve()`` raises RuntimeError."""
    if ".." in path.parts:  # resolved after the links before it, not lexically
        return str(path.resolve())
    absolute = os.path.abspath(path)
    folder, name = os.path.split(absolute)
    real = _REAL_FOLDERS.get(folder)
    if real is None:
        if len(_REAL_FOLDERS) >= _MAX_FOLDERS:
            _REAL_FOLDERS.clear()
        real = _REAL_FOLDERS[folder] = os.path.realpath(folder)
    if not name:
        return real  # the root folder
    if os.path.islink(absolute):
        return os.path.realpath(absolute)
    return os.path.join(real, name)


def forget_folders() -> None:
    """A new request of a long-lived process: a folder may have become a link since."""
    _REAL_FOLDERS.clear()


#: while a run is in progress (``one_run``): its memos by name (see run_memo)
_RUN: list[dict[str, dict[Any, Any]]] = []


@contextmanager
def one_run() -> Iterator[None]:
    """The project's files are taken to stay as they are while the block runs (one ``keraslint
    check``, its forked workers included): what looking at them found may be remembered
    (``run_memo``). Outside it (the language server, a direct check) every look is made again.
    Every checked file of a project looks for the same modules and stamps the same absent
    candidates: the stats and path resolutions were a fifth of checking a 1,000-module project."""
    forget_folders()  # a folder may have become a link since the last run of this process
    _RUN.append({})
    try:
        yield
    finally:
        _RUN.pop()


def run_memo(name: str) -> dict[Any, Any] | None:
    """The memo ``name`` of the run in progress; None outside ``one_run``."""
    return _RUN[-1].setdefault(name, {}) if _RUN else None


def dependency(path: Path) -> tuple[str, str]:
    """What a data file looked for is recorded as in the cache: (its resolved path, its
    data_stamp), once per run."""
    memo = run_memo("dependencies")
    known = memo.get(path) if memo is not None else None
    if known is None:
        known = (resolved(path), data_stamp(path))
        if memo is not None:
            memo[path] = known
    return known
