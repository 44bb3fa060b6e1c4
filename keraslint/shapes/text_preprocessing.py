"""TextVectorization and the lookup layers (StringLookup, IntegerLookup): the output shapes
Keras 3 gives them (``compute_output_shape`` in keras/src/layers/preprocessing/
text_vectorization.py and index_lookup.py), wherever they do not depend on the vocabulary
``adapt()`` learns.

* ``output_mode="int"``: TextVectorization gives ``(batch, output_sequence_length)`` (None, a
  dynamic length, without it); a lookup layer keeps its input's shape.
* the other modes give a vector of the vocabulary's size per sample: ``max_tokens`` with
  ``pad_to_max_tokens=True``, else the size of a literal ``vocabulary=`` plus its OOV indices;
  a vocabulary learnt by ``adapt()`` has a size nobody knows before the script runs.
"""

from __future__ import annotations

from typing import Any

from keraslint.shapes.args import Args, is_unknown
from keraslint.shapes.errors import UnsupportedLayer
from keraslint.shapes.registry import register, result, single
from keraslint.shapes.spec import LayerResult, Shape

_LOOKUP_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
_TEXT_MODES = ("int", "multi_hot", "count", "tf_idf")


def _adapted(args: Args) -> UnsupportedLayer:
    return UnsupportedLayer(args.kind, "shape depends on adapt()")


def _depth(args: Args) -> int:
    """The width of a non-int output: its vocabulary size, when the arguments fix it."""
    pad = args.raw("pad_to_max_tokens", False)
    if pad is True:
        max_tokens = args.raw("max_tokens", None)
        if isinstance(max_tokens, int) and not isinstance(max_tokens, bool) and max_tokens > 0:
            return max_tokens
        raise _adapted(args)
    vocabulary = args.raw("vocabulary", None)
    oov = args.raw("num_oov_indices", 1)
    if is_unknown(vocabulary) or not isinstance(vocabulary, (list, tuple)) or not vocabulary \
            or len(set(map(repr, vocabulary))) != len(vocabulary) or isinstance(oov, bool) or not isinstance(oov, int) \
            or oov < 0 or pad is not False:
        raise _adapted(args)
    # Keras counts the OOV indices in the vocabulary size; the mask token only in "int" mode
    return len(vocabulary) + oov


@register("StringLookup", "IntegerLookup")
def _lookup(args: Args, inputs: list[Shape]) -> LayerResult:
    x = single(args, inputs)
    mode = args.raw("output_mode", "int")
    if args.raw("invert", False) is not False or mode not in _LOOKUP_MODES:
        raise _adapted(args)
    if mode == "int":
        return result(x)
    depth = _depth(args)
    if mode == "one_hot":
        if len(x) > 1 and x[-1] == 1:
            return result((*x[:-1], depth))
        return result((*x, depth))
    return result((*x[:-1], depth))


@register("TextVectorization")
def _text_vectorization(args: Args, inputs: list[Shape]) -> LayerResult:
    x = single(args, inputs)
    mode = args.raw("output_mode", "int")
    if mode not in _TEXT_MODES or not x:
        raise _adapted(args)
    if mode == "int":
        length = args.raw("output_sequence_length", None)
        if length is not None and (isinstance(length, bool) or not isinstance(length, int) or length < 1):
            raise _adapted(args)
        return result((x[0], length))
    depth = _depth(args)
    if args.raw("split", "whitespace") is None:
        return result((*(x if len(x) > 1 else (*x, 1))[:-1], depth))
    return result((*x, depth))
