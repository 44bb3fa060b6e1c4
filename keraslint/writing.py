"""Writing a fixed file back without ever losing or corrupting what the user has, and the
report to ``--output-file`` or stdout.

The new text goes to a temporary file in the same folder, is flushed to disk, takes the
file's mode and replaces it in one ``os.replace``: a full disk or a crash leaves either the
old file or the new one, never half of it. A symlink stays a symlink (its target is
rewritten). The file is read again just before the replace, so an edit saved while keraslint
ran is never overwritten; a read-only file is left alone.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TextIO

from keraslint.printable import ENCODE_ERRORS, printable


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
    import tempfile  # only --fix writes: a check's report never loads it (nor shutil, random)

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


def write_report(text: str, path: Path | None, stdout: TextIO) -> None:
    """The report into ``path`` (UTF-8), or onto ``stdout`` when it is None.

    What the encoding cannot hold (the undecodable bytes of a file name, kept as lone
    surrogates) is written as a ``\\udcff`` escape rather than failing the run: the formats
    already escape them where it matters, this is the last line of defence. A write that fails
    (a full disk, a closed pipe) raises ``NotWritten`` with one line saying why.
    """
    if path is None:
        try:
            stdout.write(text)
            stdout.flush()
        except OSError as exc:
            _silence(stdout)
            raise NotWritten(f"cannot write the report to standard output: {exc.strerror or exc}") from None
        return
    try:
        # "w" + close inside the try: a full device fails at the flush, not at the write
        with open(path, "w", encoding="utf-8", errors=ENCODE_ERRORS) as handle:
            handle.write(text)
    except OSError as exc:
        raise NotWritten(f"cannot write {printable(str(path))}: {exc.strerror or exc}") from None


def write_binary(data: bytes, path: Path) -> None:
    """Binary output (a PNG, an SVG as Graphviz wrote it) into ``path``; ``NotWritten`` if it cannot be."""
    try:
        with open(path, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise NotWritten(f"cannot write {printable(str(path))}: {exc.strerror or exc}") from None


def _silence(stream: TextIO) -> None:
    """Point a stream that cannot be written at /dev/null: what is still buffered in it would
    otherwise fail again at exit, with a traceback after our one-line error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (a StringIO in tests)
        pass


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
