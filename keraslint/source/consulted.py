"""The data files an analysis looked for, so that a cached result is dropped when one changes.

A script's findings depend on more than its own text: the shape of ``np.load("x.npy")``, the
header of a CSV, a JSON config, the weights in an ``.h5`` file. Every literal path the analysis
resolves (``npy.resolve``, which all those readers share) is noted here while an analysis runs,
found or not: a file that appears later changes the result as much as one that is edited.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
