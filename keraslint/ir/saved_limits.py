"""What a saved model may cost before keraslint reads it: zip directories and JSON configs
(the config's size cap, ``MAX_CONFIG_BYTES``, is in keraslint.ir.saved).

A 46 KB ``.keras`` file can hold a ``config.json`` that inflates to 50 MB of ``{},{},...``,
and parsing that makes ~17 million dicts (1.7 GB). The limits below are checked on bytes
that are cheap to look at (the zip's end record, a byte count of the text) before anything is
inflated or parsed. They are far above real models: the largest ``keras.applications``
model (EfficientNetB7, 816 layers) has a 0.76 MB config with ~15,000 objects and lists.
"""

from __future__ import annotations

import math
import os
import struct
from typing import Any, BinaryIO

from keraslint.source.reading import Unreadable

__all__ = ["MAX_JSON_CONTAINERS", "MAX_JSON_VALUES", "MAX_ZIP_DIRECTORY_BYTES",
           "MAX_ZIP_MEMBERS", "check_json_budget", "checked_zip_directory", "h5_attribute_problem"]

MAX_JSON_CONTAINERS = 500_000
"""Objects and lists in a config: each costs ~64 bytes parsed, whatever its text costs."""
MAX_JSON_VALUES = 1_000_000
"""Separators (commas) in a config, which bound its values."""
MAX_ZIP_MEMBERS = 10_000
"""A .keras zip holds config.json, metadata.json, the weights and a few assets."""
MAX_ZIP_DIRECTORY_BYTES = 8 * 1024 * 1024
"""zipfile reads the whole central directory into objects before anything else."""

_END = struct.Struct("<4s4H2LH")  # end of central directory record
_END64_LOCATOR = struct.Struct("<4sLQL")
_END64 = struct.Struct("<4sQ2H2L4Q")
_MAX_COMMENT = 0xFFFF


def checked_zip_directory(handle: BinaryIO) -> BinaryIO:
    """``handle``, rewound, unless its zip central directory claims more members or bytes than
    a model has (``Unreadable``), checked before ``zipfile`` parses it."""
    _check_zip_directory(handle)
    handle.seek(0)
    return handle


def _check_zip_directory(handle: BinaryIO) -> None:
    # Archives without a readable end record are left to zipfile, which says they are not valid.
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    tail_start = max(0, size - _END.size - _MAX_COMMENT)
    handle.seek(tail_start)
    tail = handle.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _END.size:
        return
    _, _, _, _, members, directory, _, _ = _END.unpack_from(tail, at)
    if (members == 0xFFFF or directory == 0xFFFFFFFF) and at >= _END64_LOCATOR.size:
        signature, _, end64, _ = _END64_LOCATOR.unpack_from(tail, at - _END64_LOCATOR.size)
        if signature == b"PK\x06\x07" and end64 + _END64.size <= size:
            handle.seek(end64)
            record = handle.read(_END64.size)
            if record[:4] == b"PK\x06\x06":
                members, directory = _END64.unpack(record)[7:9]
    if members > MAX_ZIP_MEMBERS:
        raise Unreadable(f"zip archive claims {members:,} members, more than the {MAX_ZIP_MEMBERS:,} "
                         "a saved model has; not read")
    if directory > MAX_ZIP_DIRECTORY_BYTES:
        raise Unreadable(f"zip archive's directory is {directory / 1e6:.1f} MB, larger than the "
                         f"{MAX_ZIP_DIRECTORY_BYTES // (1024 * 1024)} MB keraslint reads")


def check_json_budget(text: str, source: str) -> None:
    """Refuse a config whose parse would build more objects than any model needs. Brackets and
    commas inside strings count too: an upper bound, which real configs stay far below."""
    containers = text.count("{") + text.count("[")
    if containers > MAX_JSON_CONTAINERS:
        raise Unreadable(f"{source} has {containers:,} objects and lists, more than the "
                         f"{MAX_JSON_CONTAINERS:,} keraslint parses")
    values = text.count(",")
    if values > MAX_JSON_VALUES:
        raise Unreadable(f"{source} has {values:,} values, more than the {MAX_JSON_VALUES:,} keraslint parses")


def h5_attribute_problem(h5py: Any, attribute: Any, max_bytes: int) -> str | None:
    """Why ``model_config`` must not be read, or None. Only one string is read: an array of
    strings, or a compound or nested variable-length type, could make h5py allocate without
    bound. A fixed string is bounded by its storage size; a variable-length one is stored whole
    in the file (attributes are never compressed), so it costs at most what the file holds, and
    the size cap applies once it is read."""
    count = math.prod(attribute.shape or ())
    if count != 1:
        return f"model_config attribute holds {count:,} values, not one text"
    string = h5py.check_string_dtype(attribute.dtype)
    if string is None:
        return f"model_config attribute is not text (got {attribute.dtype})"
    size = attribute.get_storage_size()
    if string.length is not None and size > max_bytes:
        return f"model_config is {size / 1e6:.1f} MB, larger than the {max_bytes // (1024 * 1024)} MB keraslint reads"
    return None
