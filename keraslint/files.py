"""Reading the small files keraslint trusts for its own behaviour (pyproject.toml, .gitignore,
cache entries) without letting one that is not what it claims hang or exhaust the run.

A FIFO named ``pyproject.toml`` blocks ``read()`` forever and a symlink to ``/dev/zero`` never
ends, so the file is opened non-blocking, checked with ``fstat`` on the open descriptor (no
window between a check and the read in which it could be swapped) and read with a cap.
"""

from __future__ import annotations

import os
import stat

__all__ = ["MAX_SETTINGS_FILE_BYTES", "NotRegular", "TooLarge", "data_stamp", "is_regular", "read_regular"]

MAX_SETTINGS_FILE_BYTES = 1024 * 1024
"""Configuration and ignore files larger than this are refused; real ones are a few KB."""


class NotRegular(OSError):
    """The path exists but is a FIFO, a device or a socket."""


class TooLarge(OSError):
    """The file is larger than the cap it is read with."""


def read_regular(path: str | os.PathLike[str], limit: int = MAX_SETTINGS_FILE_BYTES) -> bytes:
    """The bytes of ``path`` if it is a regular file (symlinks to one are followed) of at most
    ``limit`` bytes; otherwise ``NotRegular``, ``TooLarge``, ``IsADirectoryError`` or the
    ``OSError`` of the open."""
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags)
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "is a folder, not a file", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise NotRegular(0, "is not a regular file", str(path))
        if info.st_size > limit:
            raise TooLarge(0, _too_large(limit), str(path))
        chunks: list[bytes] = []
        size = 0
        # Read to limit + 1 whatever stat said: a file that grows while it is read stays bounded.
        while size <= limit:
            chunk = os.read(descriptor, min(1 << 16, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise TooLarge(0, _too_large(limit), str(path))
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def _too_large(limit: int) -> str:
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f"is larger than {limit // (1024 * 1024)} MB"
    return f"is larger than {limit} bytes"


def is_regular(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` (following symlinks) is a regular file; False when it cannot be stat'ed."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False



def data_stamp(path: str | os.PathLike[str]) -> str:
    """What a data file the analysis read is recorded as in the cache: its size and modification
    time (``stat:SIZE:MTIME_NS``), ``absent``, or ``other`` (a folder, a FIFO). Not a content
    hash: a script's .npy or .h5 can be gigabytes, and every cached run would read them whole."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return "absent"
    if not stat.S_ISREG(info.st_mode):
        return "other"
    return f"stat:{info.st_size}:{info.st_mtime_ns}"
