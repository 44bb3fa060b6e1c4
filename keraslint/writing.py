"""Writing a fixed file back without ever losing or corrupting what the user has.

The new text goes to a temporary file in the same folder, is flushed to disk, takes the
file's mode and replaces it in one ``os.replace``: a full disk or a crash leaves either the
old file or the new one, never half of it. A symlink stays a symlink (its target is
rewritten). The file is read again just before the replace, so an edit saved while keraslint
ran is never overwritten; a read-only file is left alone.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


class NotWritten(Exception):
    """The file was left untouched; ``str()`` is one line saying why."""


def write_fixed(path: Path, original: bytes, data: bytes) -> None:
    """Replace ``path``'s contents (``original`` when it was read) with ``data``, atomically."""
    target = Path(os.path.realpath(path))
    try:
        info = target.stat()
    except OSError as exc:
        raise NotWritten(f"cannot read it again: {exc.strerror or exc}") from None
    if not os.access(target, os.W_OK) or not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise NotWritten("the file is read-only")  # the mode bits too: root may write anything
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".keraslint", dir=target.parent)
    except OSError as exc:
        raise NotWritten(f"cannot create a file next to it: {exc.strerror or exc}") from None
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view):]
            os.fsync(handle)
        finally:
            os.close(handle)
        os.chmod(temporary, stat.S_IMODE(info.st_mode))
        if hasattr(os, "chown") and (info.st_uid, info.st_gid) != _owner(temporary):
            try:
                os.chown(temporary, info.st_uid, info.st_gid)
            except OSError:
                pass  # only root may give a file away; the mode is kept regardless
        if _read(target) != original:
            raise NotWritten("the file changed since keraslint read it (saved meanwhile?); run again")
        os.replace(temporary, target)
    except NotWritten:
        _remove(temporary)
        raise
    except OSError as exc:
        _remove(temporary)
        raise NotWritten(f"cannot write it: {exc.strerror or exc}") from None
    _sync_folder(target.parent)


def _owner(path: str) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_uid, info.st_gid


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; folders cannot be opened on Windows)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
