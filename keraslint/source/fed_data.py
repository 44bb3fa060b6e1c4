"""What a model is fed, and a loop binds, from data values: arrays, tf.data datasets, image
iterators and pandas frames (``fit(value)``, ``for x, y in value``)."""

from __future__ import annotations

from typing import Any

from keraslint.source.array_values import PANDAS_FRAME, PANDAS_SERIES, as_array, derive
from keraslint.source.keras_data_sources import IMAGE_ITERATOR
from keraslint.source.tf_data import DATASET, with_leading
from keraslint.source.values import Array, Obj
from keraslint.values import UNKNOWN


def fed_inputs(value: Any) -> Array | None:
    """The input batch a model gets from ``fit(value)``/``predict(value)``/``model(value)``, as
    Keras builds a model on it: an Array with its batch axis first, or None when not known.

    An Array is itself; a *batched* tf.data dataset gives its element's x part (the first
    component of an ``(x, y[, w])`` tuple, or the whole element) with a batch axis of unknown
    size; an ImageDataGenerator iterator gives its x. An unbatched dataset (Keras takes each
    element as a batch, so the batch axis is whatever the element's first axis is), a dataset
    of unknown batching, dict or multi-input elements give None."""
    if isinstance(value, Array):
        return value if value.shape is not None else None
    if not isinstance(value, Obj):
        return None
    if value.type in (PANDAS_FRAME, PANDAS_SERIES):
        return as_array(value)  # Keras converts a DataFrame as np.asarray does
    if value.type == IMAGE_ITERATOR:
        x = value.data.get("x")
        return x if isinstance(x, Array) and x.shape is not None else None
    if value.type != DATASET or value.data.get("batched") is not True:
        return None
    element = value.data.get("element")
    if isinstance(element, tuple):
        element = element[0] if 2 <= len(element) <= 3 else None
    if not isinstance(element, Array) or element.shape is None:
        return None
    return derive(element, None, (None, *element.shape))


def iteration_element(value: Any) -> Any:
    """What ``for item in value`` (or ``next(iter(value))``) binds for a dataset or an image
    iterator: a batched dataset's element with its batch axis (of unknown size: the last batch
    may be short), an unbatched one's element as it is, an iterator's ``(x, y)`` batch (``x``
    without labels); UNKNOWN when not known. For the interpreter's loops (api.element_of)."""
    if isinstance(value, Obj) and value.type == DATASET:
        batched = value.data.get("batched")
        element = value.data.get("element", UNKNOWN)
        if batched is True:
            return with_leading(element)
        return element if batched is False else UNKNOWN
    if isinstance(value, Obj) and value.type == IMAGE_ITERATOR:
        x, y = value.data.get("x"), value.data.get("y")
        if not isinstance(x, Array):
            return UNKNOWN
        return x if y is None else (x, y) if isinstance(y, Array) else UNKNOWN
    return UNKNOWN


def describe_origin(value: Any) -> str:
    """Where data of unknown shape came from, as a clause for a coverage reason ("" if not known)."""
    if isinstance(value, Array) and value.source:
        return f" (it comes from {value.source})"
    if isinstance(value, Obj) and value.type == DATASET:
        if value.data.get("batched") is False:
            return " (an unbatched tf.data dataset: Keras takes each element as a batch)"
        return " (a tf.data dataset whose elements keraslint could not determine)"
    if isinstance(value, Obj) and value.type == IMAGE_ITERATOR:
        return " (an image iterator whose images keraslint could not determine)"
    return ""
