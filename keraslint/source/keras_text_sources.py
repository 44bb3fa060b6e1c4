"""Keras's sequence padding as a data source: ``pad_sequences(sequences, maxlen=...)`` gives
``(number of sequences, maxlen)`` of ``dtype`` (int32 unless told). Without ``maxlen`` the width
is the longest sequence's length, which depends on the data: unknown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from keraslint.source.array_dtypes import dtype_name
from keraslint.source.array_registry import handles
from keraslint.source.array_shapes import _is_int
from keraslint.source.array_values import as_array, make
from keraslint.source.values import ListValue

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter


def _count(sequences: Any) -> int | None:
    """How many sequences: a list's length, or an array's first axis."""
    if isinstance(sequences, ListValue):
        return len(sequences.items)
    if isinstance(sequences, tuple):
        return len(sequences)
    if (array := as_array(sequences)) is not None and array.shape:
        return array.shape[0]
    return None


@handles("keras.utils.pad_sequences", "keras.preprocessing.sequence.pad_sequences")
def _pad_sequences(interp: Interpreter, site: CallSite) -> Any:
    if site.star_args:
        return make(site.node, None, None)
    maxlen = site.arg(1, "maxlen", default=None)
    width = maxlen if _is_int(maxlen) and not isinstance(maxlen, bool) and maxlen >= 0 else None
    dtype_value = site.arg(2, "dtype", default="int32")
    return make(site.node, (_count(site.arg(0, "sequences")), width), dtype_name(dtype_value))
