"""Turn a file's bytes into text the way Python would (PEP 263), or say why not (KL002)."""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
import tokenize
from dataclasses import dataclass
from pathlib import Path

# CPython's parser refuses more than 200 nested brackets ("too many nested parentheses");
# libcst's native parser crashes the process on a few thousand, so never hand it such input.
MAX_BRACKET_DEPTH = 200
#: here rather than in keraslint.source.notebook so that checking a .py file never imports the
#: notebook reader (and its IPython-syntax tables) just to know the limit
MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
_BRACKETS = re.compile(r"[()\[\]{}]")


def bracket_depth(text: str) -> tuple[int, int]:
    """The deepest bracket nesting (ignoring strings only roughly) and the offset where it is."""
    depth = deepest = where = 0
    for match in _BRACKETS.finditer(text):
        if match.group() in "([{":
            depth += 1
            if depth > deepest:
                deepest, where = depth, match.start()
        else:
            depth = max(depth - 1, 0)
    return deepest, where


@dataclass(frozen=True)
class Unreadable(Exception):
    """The bytes are not Python source text; ``reason`` is one line for a KL002 message."""

    reason: str

    def __str__(self) -> str:
        return self.reason


class TooLarge(Exception):
    """The file is over the caller's byte limit; ``size`` is what ``stat`` said (or more)."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def read_bounded(path: Path, limit: int) -> bytes:
    """A regular file's bytes, at most ``limit``: TooLarge past it, OSError for anything else.

    ``stat`` comes first and the read stops at ``limit + 1`` bytes, so a sparse 2.5 GB file or
    one growing meanwhile costs no more than the limit; O_NONBLOCK, so a FIFO put in the file's
    place between the ``stat`` and the ``open`` cannot block the run (``fstat`` then refuses it)."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise OSError(0, "not a regular file")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(0, "not a regular file")
        if info.st_size > limit:
            raise TooLarge(info.st_size)
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(len(data))
    return data


def decode_source(data: bytes) -> str:
    """Decode with the encoding Python would use: a BOM, a PEP 263 cookie, or UTF-8."""
    if b"\x00" in data[:8192]:
        raise Unreadable("binary file (contains NUL bytes); not Python source")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if "unknown encoding" in str(exc.msg):
            raise Unreadable(f"invalid encoding declaration: {exc.msg}") from None
        # No usable cookie and the first lines are not UTF-8: report where decoding fails.
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        declared = "" if encoding in ("utf-8", "utf-8-sig") else f" (declared encoding {encoding})"
        raise Unreadable(
            f"cannot decode byte 0x{data[exc.start]:02x} at offset {exc.start} as {_pretty(encoding)}{declared}"
        ) from None
    except LookupError:
        raise Unreadable(f"unknown encoding {encoding!r}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def _pretty(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name.upper().replace("UTF-8-SIG", "UTF-8")
    except LookupError:
        return encoding


def source_encoding(data: bytes) -> str:
    """The encoding ``decode_source`` used for these bytes (for writing fixed files back)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        return "utf-8"
    return encoding
