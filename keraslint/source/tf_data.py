"""tf.data pipelines: what ``tf.data.Dataset`` sources and methods give, as element structures.

A ``tf.data.Dataset`` is ``Obj(DATASET, node, {"element": ..., "batch": ..., "batched": ...})``:

* ``element`` -- the structure of one element *without* the batch axis: an Array, a tuple of
  elements (``(x, y)``), a dict, or UNKNOWN;
* ``batched`` -- True once ``.batch()`` was applied (the consumer then adds a batch axis),
  False for a dataset of single samples, None when not known;
* ``batch`` -- the batch size (int), UNKNOWN when not a literal, None when not batched.

The Keras utilities that build datasets (``image_dataset_from_directory`` ...) are in
``keras_data_sources``; what a model is fed from a dataset is in ``fed_data``. Anything not
modelled returns NOT_MODELLED (the generic table in ``api`` then answers UNKNOWN).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import libcst as cst

from keraslint.source.array_values import TENSOR, as_array, derive, make
from keraslint.source.values import NOT_MODELLED, Array, Function, ListValue, Obj
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter

# The type name the other trackers key on (== api.DATASET; api imports this module).
DATASET = "tensorflow.data.Dataset"


# -- tf.data elements --------------------------------------------------------------------

def _map_element(element: Any, fn: Callable[[Array], Any]) -> Any:
    """Apply ``fn`` to every Array of an element structure (UNKNOWN stays UNKNOWN)."""
    if isinstance(element, Array):
        return fn(element)
    if isinstance(element, tuple):
        return tuple(_map_element(e, fn) for e in element)
    if isinstance(element, dict):
        return {k: _map_element(v, fn) for k, v in element.items()}
    return UNKNOWN


def _component(value: Any) -> Any:
    """One component of a from_tensor(s/_slices) structure, converted as tf.constant would."""
    if isinstance(value, Array):
        return value
    if isinstance(value, tuple):
        return tuple(_component(v) for v in value)
    if isinstance(value, dict):
        return {k: _component(v) for k, v in value.items()}
    if isinstance(value, (ListValue, bool, int, float, str)):
        converted = as_array(value, tf=True)
        return converted if converted is not None else UNKNOWN
    return UNKNOWN


def _firsts(element: Any, out: list[int | None]) -> None:
    if isinstance(element, Array):
        out.append(element.shape[0] if element.shape else None)
    elif isinstance(element, tuple):
        for e in element:
            _firsts(e, out)
    elif isinstance(element, dict):
        for e in element.values():
            _firsts(e, out)


def _slice_element(structure: Any) -> Any:
    """The element of ``from_tensor_slices(structure)``: every component without its first axis."""

    def drop(array: Array) -> Any:
        if array.shape is None:
            return derive(array, None, None)
        if not array.shape:
            return UNKNOWN  # a scalar cannot be sliced (TensorFlow raises)
        return derive(array, None, array.shape[1:])

    firsts: list[int | None] = []
    _firsts(structure, firsts)
    if len({f for f in firsts if f is not None}) > 1:
        return UNKNOWN  # TensorFlow refuses components with different first dimensions
    return _map_element(structure, drop)


def dataset(node: Any, element: Any, *, batched: bool | None = False, batch: Any = None, **extra: Any) -> Obj:
    return Obj(DATASET, node, {"element": element, "batch": batch, "batched": batched, **extra})


def batch_value(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return UNKNOWN


def with_leading(element: Any, size: int | None = None) -> Any:
    """Every component with one more leading axis (re-batching a batched dataset)."""
    return _map_element(element, lambda a: derive(a, None, None if a.shape is None else (size, *a.shape)))


def _is_identity(fn: Any) -> bool:
    """``lambda x: x`` / ``lambda x, y: (x, y)``."""
    if not isinstance(fn, Function) or not isinstance(fn.node, cst.Lambda):
        return False
    params = fn.node.params
    if params.posonly_params or params.kwonly_params or params.star_kwarg is not None \
            or isinstance(params.star_arg, cst.Param):
        return False
    names = [p.name.value for p in params.params]
    body = fn.node.body
    if len(names) == 1:
        return isinstance(body, cst.Name) and body.value == names[0]
    if isinstance(body, cst.Tuple) and len(body.elements) == len(names):
        return all(isinstance(e.value, cst.Name) and not isinstance(e, cst.StarredElement) and e.value.value == n
                   for e, n in zip(body.elements, names))
    return False


def _element_same(a: Any, b: Any) -> bool:
    if isinstance(a, Array) and isinstance(b, Array):
        return (a.shape, a.dtype) == (b.shape, b.dtype)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_element_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_element_same(a[k], b[k]) for k in a)
    return False


def _mapped(interp: Interpreter, site: CallSite, fn: Any, element: Any, batched: bool | None) -> Any:
    """The element of ``ds.map(fn)``: the script's function followed on the element, as tf.data
    traces it (a tuple element is unpacked into positional arguments; a batched dataset's
    components carry their batch axis, of unknown size since the last batch may be short).
    The result's components lose that axis again; one whose first axis is not the unknown
    batch axis, or anything not an array structure, is UNKNOWN, and so is the whole result when
    an input axis past the batch axis is unknown (a leading None might then be that axis).
    The function runs either way: models it calls are built on the batches they get."""
    from keraslint.source.expressions import (
        _Bound,  # expressions imports api, which imports this
    )

    if element is UNKNOWN or batched is None or not isinstance(fn, (Function, _Bound)) or site.star_args:
        return UNKNOWN
    parts = element if isinstance(element, tuple) else (element,)
    if batched:
        parts = tuple(with_leading(p) for p in parts)
    result = interp.call(fn, list(parts), {}, None)
    if batched and not _known_past_batch(parts):
        # an unknown axis could move to the front (x[0], a transpose): a leading None in the
        # result would not be the batch axis for certain
        return UNKNOWN

    def back(array: Array) -> Any:
        if not batched:
            return array
        if array.shape is None:
            return derive(array, None, None)
        if not array.shape or array.shape[0] is not None:
            return UNKNOWN  # the batch axis moved or was reduced away: not followed
        return derive(array, None, array.shape[1:])

    return _map_element(result, back)


def _known_past_batch(element: Any) -> bool:
    """Every component is an Array whose axes after the batch axis are all known."""
    if isinstance(element, Array):
        return element.shape is not None and len(element.shape) >= 1 and None not in element.shape[1:]
    if isinstance(element, tuple):
        return all(_known_past_batch(e) for e in element)
    if isinstance(element, dict):
        return all(_known_past_batch(e) for e in element.values())
    return False


_KEEPING_SPEC = frozenset({"shuffle", "prefetch", "repeat", "cache", "take", "skip", "filter", "with_options",
                           "shard", "ignore_errors", "take_while", "unique", "assert_cardinality", "apply_options"})
_UNKNOWN_RESULT = frozenset({"apply", "scan", "group_by_window",
                             "bucket_by_sequence_length", "sample_from_datasets", "choose_from_datasets",
                             "batch_by_sequence_length"})


def _dataset_method(interp: Interpreter, site: CallSite, ds: Obj) -> Any:
    method = site.name.rsplit(".", 1)[-1]
    data = ds.data
    element = data.get("element", UNKNOWN)
    batched = data.get("batched")
    batch = data.get("batch")
    if method in _KEEPING_SPEC:
        return dataset(site.node, element, batched=batched, batch=batch)
    if method == "batch":
        if batched is True:  # the inner batch axis: full batches only when their remainder was dropped
            element = with_leading(element, data.get("batch_length"))
        elif batched is None:
            element = UNKNOWN
        size = batch_value(site.arg(0, "batch_size"))
        drop = site.arg(1, "drop_remainder", default=False)
        return dataset(site.node, element, batched=True, batch=size, drop_remainder=drop,
                       batch_length=_batch_length(size, drop))
    if method == "padded_batch":
        def padded(a: Array) -> Array:
            return derive(a, None, None if a.shape is None else (None,) * len(a.shape))

        element = UNKNOWN if batched is not False else _map_element(element, padded)
        return dataset(site.node, element, batched=True, batch=batch_value(site.arg(0, "batch_size")))
    if method == "rebatch":
        return dataset(site.node, element, batched=batched, batch=batch_value(site.arg(0, "batch_size")))
    if method == "unbatch":
        if batched is True:
            return dataset(site.node, element, batched=False)
        if batched is False:
            return dataset(site.node, _slice_element(element), batched=False)
        return dataset(site.node, UNKNOWN, batched=None)
    if method == "map":
        fn = site.arg(0, "map_func")
        if not _is_identity(fn):
            element = _mapped(interp, site, fn, element, batched)
        return dataset(site.node, element, batched=batched, batch=batch)
    if method == "concatenate":
        other = site.arg(0, "dataset")
        if isinstance(other, Obj) and other.type == DATASET and other.data.get("batched") == batched \
                and _element_same(element, other.data.get("element")):
            same_batch = other.data.get("batch") == batch
            return dataset(site.node, element, batched=batched, batch=batch if same_batch else UNKNOWN)
        return dataset(site.node, UNKNOWN, batched=None)
    if method == "enumerate":
        index = make(site.node, (), "int64", type_=TENSOR)
        return dataset(site.node, (index, element) if batched is False else UNKNOWN, batched=batched, batch=batch)
    if method == "window":
        return _window(site, element, batched, data.get("batch_length"))
    if method in ("flat_map", "interleave"):  # interleave only mixes the order of the same elements
        return _flat_map(interp, site, site.arg(0, "map_func"), element, batched, data.get("batch_length"))
    if method in _UNKNOWN_RESULT:
        return dataset(site.node, UNKNOWN, batched=None)
    return NOT_MODELLED


# -- windows -------------------------------------------------------------------------------
# ``ds.window(size, shift=None, stride=1, drop_remainder=False)`` is a dataset of datasets: each
# element is the element structure with every component a small dataset of that component's
# consecutive values (tf.data's DatasetSpec). ``.flat_map(fn)`` flattens the datasets ``fn``
# returns; the usual ``fn`` is ``lambda w: w.batch(size)``. Its elements have ``size`` rows when
# the windows are full (``drop_remainder=True``), but tf.data's element_spec, the shape Keras
# traces the model with and checks the declared input against, leaves that axis None unless
# the batch itself drops its remainder (``w.batch(size, drop_remainder=True)``): keraslint
# gives the element_spec, so that a length Keras never checks is never a finding.


def _window(site: CallSite, element: Any, batched: bool | None, batch_length: int | None) -> Obj:
    size = site.arg(0, "size")
    if element is UNKNOWN or batched is None or site.star_args:
        return dataset(site.node, UNKNOWN, batched=None)
    if isinstance(size, int) and not isinstance(size, bool) and size <= 0:
        return dataset(site.node, UNKNOWN, batched=None)  # TensorFlow raises on a size <= 0

    def window(array: Array) -> Obj:
        values = with_leading(array, batch_length) if batched else array  # a window of batches
        return dataset(site.node, values, batched=False)

    return dataset(site.node, _map_element(element, window), batched=False)


def _batch_length(size: Any, drop_remainder: Any) -> int | None:
    """The batch axis of ``.batch(size, drop_remainder)`` in tf.data's element_spec: ``size``
    when the remainder is dropped (every batch is full), None otherwise."""
    if isinstance(size, int) and drop_remainder is True:
        return size
    return None


def _flat_map(interp: Interpreter, site: CallSite, fn: Any, element: Any, batched: bool | None,
              batch_length: int | None) -> Obj:
    """``ds.flat_map(fn)``, and ``interleave`` (the same elements in another order): ``fn``
    followed on the element as ``map`` does (a tuple unpacked into arguments, a window component
    a dataset); the elements are those of the dataset it returns,
    a batched one's with its batch axis (of the length ``_batch_length`` gives).
    Anything else, or a function not followed, gives UNKNOWN."""
    from keraslint.source.expressions import (
        _Bound,  # expressions imports api, which imports this
    )

    if element is UNKNOWN or batched is None or not isinstance(fn, (Function, _Bound)) or site.star_args:
        return dataset(site.node, UNKNOWN, batched=None)
    parts = element if isinstance(element, tuple) else (element,)
    if batched:
        parts = tuple(with_leading(p, batch_length) for p in parts)
    result = interp.call(fn, list(parts), {}, None)
    if not isinstance(result, Obj) or result.type != DATASET:
        return dataset(site.node, UNKNOWN, batched=None)
    inner, inner_batched = result.data.get("element", UNKNOWN), result.data.get("batched")
    if inner_batched is True:
        return dataset(site.node, with_leading(inner, result.data.get("batch_length")), batched=False)
    if inner_batched is False:
        return dataset(site.node, inner, batched=False)
    return dataset(site.node, UNKNOWN, batched=None)


def _zip(site: CallSite) -> Any:
    value = site.arg(0, "datasets")
    parts = tuple(site.args) if len(site.args) > 1 else value
    if isinstance(parts, ListValue):
        parts = tuple(parts.items)
    if isinstance(parts, Obj) and parts.type == DATASET:
        parts = (parts,)
    if not isinstance(parts, tuple) or not parts or not all(isinstance(p, Obj) and p.type == DATASET for p in parts):
        return dataset(site.node, UNKNOWN, batched=None)
    flags = {p.data.get("batched") for p in parts}
    batched = flags.pop() if len(flags) == 1 else None
    sizes = {p.data.get("batch") for p in parts}
    batch = sizes.pop() if len(sizes) == 1 else UNKNOWN
    element = tuple(p.data.get("element", UNKNOWN) for p in parts)
    if batched is None:
        element = UNKNOWN
    lengths = {p.data.get("batch_length") for p in parts}
    length = lengths.pop() if len(lengths) == 1 else None  # the shorter batches of zip are unknown
    return dataset(site.node, element, batched=batched, batch=batch if batched else None,
                   **({"batch_length": length} if batched and length else {}))


def _from_tensor_slices(site: CallSite) -> Any:
    value = site.arg(0, "tensors")
    return dataset(site.node, _slice_element(_component(value)))


def _from_tensors(site: CallSite) -> Any:
    return dataset(site.node, _component(site.arg(0, "tensors")))


def _range(site: CallSite) -> Any:
    return dataset(site.node, make(site.node, (), "int64", type_=TENSOR))


def _opaque_source(site: CallSite) -> Any:
    return dataset(site.node, UNKNOWN, batched=False)


SOURCES: dict[str, Callable[[CallSite], Any]] = {
    "tensorflow.data.Dataset.from_tensor_slices": _from_tensor_slices,
    "tensorflow.data.Dataset.from_tensors": _from_tensors,
    "tensorflow.data.Dataset.range": _range,
    "tensorflow.data.Dataset.zip": _zip,
    "tensorflow.data.Dataset.from_generator": _opaque_source,
    "tensorflow.data.Dataset.list_files": _opaque_source,
    "tensorflow.data.TFRecordDataset": _opaque_source,
    "tensorflow.data.TextLineDataset": _opaque_source,
}


def call(interp: Interpreter, site: CallSite) -> Any:
    """tf.data sources and Dataset methods; NOT_MODELLED for everything else."""
    try:
        if site.receiver is not None:
            if site.receiver.type == DATASET:
                return _dataset_method(interp, site, site.receiver)
            return NOT_MODELLED
        handler = SOURCES.get(site.name)
        return handler(site) if handler is not None else NOT_MODELLED
    except (ArithmeticError, ValueError, TypeError, RecursionError):
        return NOT_MODELLED  # nonsense arguments: the generic table answers UNKNOWN
