"""The column names of a CSV file next to the script, from its first line only.

``pd.read_csv("data.csv")`` decides its columns from the header line, so reading that one line
gives the width the script's DataFrame will have; the rows are never read (the sample count
stays unknown, and a file of any size costs one bounded read). Only the plain case is modelled:
the header on the first line, a one-character separator, no compression. The names are the
ones pandas gives: an empty name is ``Unnamed: <position>``, a repeated one gets ``.1``,
``.2`` ... as pandas' ``mangle_dupe_cols`` does.

Anything else (an URL, a compressed file, a missing or unreadable file, no newline within the
first ``MAX_HEADER`` bytes, a blank first line) gives None and the columns stay unknown.
"""

from __future__ import annotations

import os
from pathlib import Path

from keraslint.source import npy

#: the most bytes read to find the end of the header line
MAX_HEADER = 65_536
#: columns past this many are not worth tracking name by name
MAX_COLUMNS = 4096
_COMPRESSED = (".gz", ".bz2", ".zip", ".xz", ".zst", ".tar", ".tgz")


def header_line(script_dir: Path | str | None, path: str) -> str | None:
    """The first line of the text file ``path`` names (relative to ``script_dir``), or None."""
    if "://" in path or path.lower().endswith(_COMPRESSED):
        return None
    target = npy.resolve(script_dir, path)
    if target is None:
        return None
    try:
        if not os.path.isfile(target):  # no FIFOs or devices: reading them could block
            return None
        with open(target, "rb") as handle:
            head = handle.read(MAX_HEADER)
    except (OSError, ValueError):
        return None
    end = head.find(b"\n")
    if end < 0:
        # a file that is only a header (no newline at all) is whole; a longer first line is not
        if len(head) >= MAX_HEADER:
            return None
        end = len(head)
    try:
        line = head[:end].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return line.removeprefix("\ufeff").rstrip("\r")


def split_header(line: str, sep: str) -> list[str] | None:
    """The fields of a header line as pandas' C parser splits it (double quotes, no escapes)."""
    if not line.strip():
        return None  # pandas skips blank lines: the header is further down
    import csv  # only a script that reads an existing CSV file loads it

    try:
        fields = next(csv.reader([line], delimiter=sep, quotechar='"'))
    except (csv.Error, StopIteration):
        return None
    return fields if len(fields) <= MAX_COLUMNS else None


def column_names(fields: list[str]) -> tuple[str, ...]:
    """pandas' names for header fields: empty ones ``Unnamed: i``, repeats numbered."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for position, field in enumerate(fields):
        name = field if field != "" else f"Unnamed: {position}"
        if name in seen:
            count = seen[name]
            candidate = f"{name}.{count}"
            while candidate in seen:
                count += 1
                candidate = f"{name}.{count}"
            seen[name] = count + 1
            name = candidate
        seen[name] = seen.get(name, 1)
        names.append(name)
    return tuple(names)
