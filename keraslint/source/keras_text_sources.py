"""Keras text preprocessing as data sources. ``pad_sequences(sequences, maxlen=...)`` gives
``(number of sequences, maxlen)`` of ``dtype`` (int32 unless told). Without ``maxlen`` the width
is the longest sequence's length, which depends on the data: unknown. The Keras 2 Tokenizer's
matrices are below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from keraslint.source.array_dtypes import dtype_name
from keraslint.source.array_registry import handles, register
from keraslint.source.array_shapes import _is_int
from keraslint.source.array_values import as_array, make
from keraslint.source.values import ListValue, Obj
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter


def _count(sequences: Any) -> int | None:
    """How many sequences: a list's length, an array's (or a pandas Series') first axis, or the
    number of texts ``texts_to_sequences`` was given."""
    if isinstance(sequences, Obj) and sequences.type == SEQUENCES:
        return sequences.data.get("count")
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


# -- the Keras 2 Tokenizer -----------------------------------------------------------------------
# Keras 3 removed keras.preprocessing.text; scripts written for Keras 2 / tf_keras still use it.
# Its texts_to_matrix/sequences_to_matrix build ``np.zeros((len(texts), num_words))`` (float64);
# without num_words the width is the vocabulary fitted on the data, so unknown.

TOKENIZER = "keras.preprocessing.text.Tokenizer"
#: ``texts_to_sequences``' list of token-id lists, one per text, each as long as its text (ragged:
#: not an array, ``np.array`` of it fails); ``pad_sequences`` makes it (count, maxlen)
SEQUENCES = TOKENIZER + ".sequences"


@handles(TOKENIZER)
def _tokenizer(interp: Interpreter, site: CallSite) -> Any:
    num_words = site.arg(0, "num_words", default=None)
    known = _is_int(num_words) and not isinstance(num_words, bool) and num_words > 0
    return Obj(TOKENIZER, site.node, {"num_words": num_words if known else None})


def _to_matrix(interp: Interpreter, site: CallSite) -> Any:
    tokenizer = site.receiver
    if tokenizer is None:
        return UNKNOWN  # the method called unbound, on no instance
    if site.star_args:
        return make(site.node, None, "float64")
    return make(site.node, (_count(site.arg(0, "texts")), tokenizer.data.get("num_words")), "float64")


register(TOKENIZER + ".texts_to_matrix", _to_matrix)
register(TOKENIZER + ".sequences_to_matrix", _to_matrix)


def _to_sequences(interp: Interpreter, site: CallSite) -> Any:
    if site.receiver is None:
        return UNKNOWN  # the method called unbound, on no instance
    count = None if site.star_args else _count(site.arg(0, "texts"))
    return Obj(SEQUENCES, site.node, {"count": count})


register(TOKENIZER + ".texts_to_sequences", _to_sequences)
