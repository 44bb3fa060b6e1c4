"""Read the shape and dtype of a ``.npy`` file from its header, without loading the array.

Why not ``numpy.lib.format.read_array_header_*``: NumPy is a dependency of the scripts we
lint, not of keraslint, and importing it costs ~100 ms on a path that must stay cheap. The
format is small and documented (numpy.lib.format / NEP 1): the magic ``\\x93NUMPY``, a major
and minor version byte, the header length (2 bytes little-endian in version 1, 4 bytes in
versions 2 and 3), then the header: a Python literal dict ``{'descr': '<f8',
'fortran_order': False, 'shape': (3, 4), }`` padded with spaces and a newline. We parse that
dict with ``ast.literal_eval`` (literals only, nothing evaluated) and never read the data, so
object arrays (which would need unpickling) are as safe as any other: their dtype is simply
``object``.

Anything missing, unreadable or malformed gives None (the caller makes an array of unknown
shape).
"""

from __future__ import annotations

import ast
import os
import struct
from pathlib import Path

from keraslint.source import consulted

MAGIC = b"\x93NUMPY"
#: NumPy refuses headers above 10,000 bytes unless told otherwise; we allow a little more
MAX_HEADER = 100_000
MAX_RANK = 64

_FLOATS = {2: "float16", 4: "float32", 8: "float64"}
_INTS = {1: "int8", 2: "int16", 4: "int32", 8: "int64"}
_UINTS = {1: "uint8", 2: "uint16", 4: "uint32", 8: "uint64"}
_COMPLEX = {8: "complex64", 16: "complex128"}


def resolve(script_dir: Path | str | None, path: str) -> Path | None:
    """The file a script's literal path names: relative paths are taken next to the script."""
    candidate = Path(path)
    if not candidate.is_absolute():
        if script_dir is None:
            return None
        candidate = Path(script_dir) / candidate
    consulted.note(candidate)
    return candidate


def descr_dtype(descr: object) -> str | None:
    """``'<f8'`` -> ``float64``; structured or exotic descriptions -> None."""
    if not isinstance(descr, str) or len(descr) < 2:
        return None
    body = descr.lstrip("<>|=")
    kind, size = body[:1], body[1:]
    if kind == "O":
        return "object"
    if kind == "U":
        return "str"
    if not size.isdigit():
        return None
    width = int(size)
    table = {"f": _FLOATS, "i": _INTS, "u": _UINTS, "c": _COMPLEX}.get(kind)
    if table is not None:
        return table.get(width)
    if kind == "b" and width == 1:
        return "bool"
    return None


def parse_header(data: bytes) -> tuple[tuple[int, ...], str | None] | None:
    """(shape, dtype) from the first bytes of a .npy file (at least the whole header)."""
    if len(data) < 10 or not data.startswith(MAGIC):
        return None
    major = data[6]
    if major == 1:
        (length,) = struct.unpack("<H", data[8:10])
        start = 10
    elif major in (2, 3):
        if len(data) < 12:
            return None
        (length,) = struct.unpack("<I", data[8:12])
        start = 12
    else:
        return None
    if length > MAX_HEADER or len(data) < start + length:
        return None
    raw = data[start:start + length]
    try:
        text = raw.decode("utf-8" if major == 3 else "latin-1")
        header = ast.literal_eval(text)
    except (ValueError, SyntaxError, UnicodeDecodeError, RecursionError, MemoryError, TypeError):
        return None
    if not isinstance(header, dict) or not {"descr", "fortran_order", "shape"} <= header.keys():
        return None
    shape = header["shape"]
    if not isinstance(shape, tuple) or len(shape) > MAX_RANK:
        return None
    if not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
        return None
    return shape, descr_dtype(header["descr"])


def read_header(script_dir: Path | str | None, path: str) -> tuple[tuple[int, ...], str | None] | None:
    """(shape, dtype) of the .npy file ``path`` names (relative to ``script_dir``), or None."""
    target = resolve(script_dir, path)
    if target is None:
        return None
    try:
        if not os.path.isfile(target):  # no FIFOs or devices: reading them could block
            return None
        with open(target, "rb") as handle:
            head = handle.read(12)
            if len(head) < 10 or not head.startswith(MAGIC):
                return None
            if head[6] == 1:
                (length,) = struct.unpack("<H", head[8:10])
                total = 10 + length
            else:
                if len(head) < 12:
                    return None
                (length,) = struct.unpack("<I", head[8:12])
                total = 12 + length
            if length > MAX_HEADER:
                return None
            data = head + handle.read(total - len(head))
    except (OSError, ValueError, struct.error):
        return None
    return parse_header(data)
