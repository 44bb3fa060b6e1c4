"""What data-loading calls return: keras.datasets, tf.data pipelines, image directories.

A ``tf.data.Dataset`` is ``Obj(DATASET, node, {"element": ..., "batch": ..., "batched": ...})``:

* ``element`` -- the structure of one element *without* the batch axis: an Array, a tuple of
  elements (``(x, y)``), a dict, or UNKNOWN;
* ``batched`` -- True once ``.batch()`` was applied (the consumer then adds a batch axis),
  False for a dataset of single samples, None when not known;
* ``batch`` -- the batch size (int), UNKNOWN when not a literal, None when not batched.

An image iterator (``ImageDataGenerator().flow...``) is ``Obj(IMAGE_ITERATOR, node, {"x": Array,
"y": Array | None, "batch": int | UNKNOWN})`` whose arrays carry the batch axis (unknown).

Known datasets (``keras.datasets.*.load_data()``) give their documented shapes and dtypes,
checked against keras/src/datasets/*.py; nothing is downloaded. Anything not modelled returns
NOT_MODELLED (the generic table in ``api`` then answers UNKNOWN).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import libcst as cst

from keraslint.source import arrays
from keraslint.source.array_dtypes import dtype_name
from keraslint.source.array_values import (
    ARRAY,
    PANDAS_FRAME,
    PANDAS_SERIES,
    TENSOR,
    as_array,
    derive,
    make,
)
from keraslint.source.values import (
    NOT_MODELLED,
    VALUE_RANGE,
    Array,
    Function,
    ListValue,
    Obj,
    Ref,
)
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter

# The type names the other trackers key on (== api.DATASET ...; api imports this module).
DATASET = "tensorflow.data.Dataset"
IMAGE_DATA_GENERATOR = "keras.preprocessing.image.ImageDataGenerator"
IMAGE_ITERATOR = "keras.preprocessing.image.Iterator"


# -- keras.datasets ----------------------------------------------------------------------

class _Known:
    """One of keras.datasets: sample counts and per-sample shapes/dtypes."""

    def __init__(self, counts: tuple[int, int] | None, x: tuple[int, ...], x_dtype: str, y: tuple[int, ...],
                 y_dtype: str, *, image: bool = False, total: int | None = None, split_position: int | None = None,
                 maxlen_position: int | None = None) -> None:
        self.counts, self.x, self.x_dtype, self.y, self.y_dtype = counts, x, x_dtype, y, y_dtype
        self.image, self.total = image, total
        self.split_position, self.maxlen_position = split_position, maxlen_position


# keras/src/datasets/*.py: mnist/fashion_mnist assert their shapes; cifar10 builds uint8 arrays
# and reshapes labels to (N, 1); cifar100's labels come from a Python list (np.reshape -> int64);
# boston/california/reuters split with int(len(x) * (1 - test_split)) of 506/20640/11228 samples;
# imdb/reuters sequences are ragged object arrays.
KNOWN_DATASETS: dict[str, _Known] = {
    "mnist": _Known((60000, 10000), (28, 28), "uint8", (), "uint8", image=True),
    "fashion_mnist": _Known((60000, 10000), (28, 28), "uint8", (), "uint8", image=True),
    "cifar10": _Known((50000, 10000), (32, 32, 3), "uint8", (1,), "uint8", image=True),
    "cifar100": _Known((50000, 10000), (32, 32, 3), "uint8", (1,), "int64", image=True),
    "imdb": _Known((25000, 25000), (), "object", (), "int64", maxlen_position=3),
    "reuters": _Known(None, (), "object", (), "int64", total=11228, split_position=4, maxlen_position=3),
    "boston_housing": _Known(None, (13,), "float64", (), "float64", total=506, split_position=1),
    "california_housing": _Known(None, (8,), "float64", (), "float64", total=20640, split_position=2),
}


#: how many classes each classification dataset's labels count (keras/src/datasets/*.py)
_CLASSES = {"mnist": 10, "fashion_mnist": 10, "cifar10": 10, "imdb": 2, "reuters": 46}


def _load_data(site: CallSite, dataset: str) -> Any:
    known = KNOWN_DATASETS[dataset]
    source = f"keras.datasets.{dataset}"
    counts: tuple[int | None, int | None] | None = known.counts
    if known.total is not None:
        total = known.total
        if dataset == "california_housing":
            version = site.arg(0, "version", default="large")
            total = 600 if version == "small" else 20640 if version == "large" else None  # type: ignore[assignment]
        split = site.arg(known.split_position, "test_split", default=0.2)
        if total is not None and isinstance(split, (int, float)) and not isinstance(split, bool) and 0 <= split < 1:
            train = int(total * (1 - split))
            counts = (train, total - train)
        else:
            counts = (None, None)
    if known.maxlen_position is not None:
        maxlen = site.arg(known.maxlen_position, "maxlen", default=None)
        if maxlen is not None:
            counts = (None, None)  # sequences longer than maxlen are dropped
    assert counts is not None
    if site.star_args:
        counts = (None, None)

    classes = _CLASSES.get(dataset)
    if dataset == "cifar100":
        mode = site.arg(0, "label_mode", default="fine")
        classes = 100 if mode == "fine" else 20 if mode == "coarse" else None

    def pair(count: int | None) -> tuple[Array, Array]:
        x = make(site.node, (count, *known.x), known.x_dtype, scaled=False if known.image else None, source=source)
        y = make(site.node, (count, *known.y), known.y_dtype,
                 one_hot=False if known.y_dtype != "float64" else None, source=source)
        if classes is not None:
            y.data[VALUE_RANGE] = (0, classes)
        return x, y

    return pair(counts[0]), pair(counts[1])


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


def _batch_value(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return UNKNOWN


def _with_leading(element: Any, size: int | None = None) -> Any:
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
        parts = tuple(_with_leading(p) for p in parts)
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
_UNKNOWN_RESULT = frozenset({"flat_map", "interleave", "apply", "window", "scan", "group_by_window",
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
        if batched is True:
            element = _with_leading(element)
        elif batched is None:
            element = UNKNOWN
        return dataset(site.node, element, batched=True, batch=_batch_value(site.arg(0, "batch_size")),
                       drop_remainder=site.arg(1, "drop_remainder", default=False))
    if method == "padded_batch":
        def padded(a: Array) -> Array:
            return derive(a, None, None if a.shape is None else (None,) * len(a.shape))

        element = UNKNOWN if batched is not False else _map_element(element, padded)
        return dataset(site.node, element, batched=True, batch=_batch_value(site.arg(0, "batch_size")))
    if method == "rebatch":
        return dataset(site.node, element, batched=batched, batch=_batch_value(site.arg(0, "batch_size")))
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
    if method in _UNKNOWN_RESULT:
        return dataset(site.node, UNKNOWN, batched=None)
    return NOT_MODELLED


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
    return dataset(site.node, element, batched=batched, batch=batch if batched else None)


def _from_tensor_slices(site: CallSite) -> Any:
    value = site.arg(0, "tensors")
    return dataset(site.node, _slice_element(_component(value)))


def _from_tensors(site: CallSite) -> Any:
    return dataset(site.node, _component(site.arg(0, "tensors")))


def _range(site: CallSite) -> Any:
    return dataset(site.node, make(site.node, (), "int64", type_=TENSOR))


# -- directories -------------------------------------------------------------------------

_CHANNELS = {"rgb": 3, "grayscale": 1, "rgba": 4}


def _size(value: Any) -> tuple[int | None, int | None]:
    if isinstance(value, ListValue):
        value = tuple(value.items)
    if isinstance(value, tuple) and len(value) == 2:
        return arrays.dim(value[0]), arrays.dim(value[1])
    return None, None


def _class_count(classes: Any) -> int | None:
    if isinstance(classes, ListValue):
        return len(classes.items)
    if isinstance(classes, tuple):
        return len(classes)
    return None


def _image(node: Any, size: Any, color_mode: Any, channels_first: bool | None, *, scaled: bool | None,
           source: str, dtype: str | None = "float32", batch_axis: bool = True, type_: str = ARRAY) -> Array:
    h, w = _size(size)
    c = _CHANNELS.get(color_mode) if isinstance(color_mode, str) else None
    if channels_first is None:
        shape: tuple | None = None
    else:
        shape = (c, h, w) if channels_first else (h, w, c)
        if batch_axis:
            shape = (None, *shape)
    return make(node, shape, dtype, type_=type_, scaled=scaled, source=source)


def _channels_first(value: Any) -> bool | None:
    if value is None or value == "channels_last":
        return False
    if value == "channels_first":
        return True
    return None


def _source(function: str, directory: Any) -> str:
    return f"{function}({directory!r})" if isinstance(directory, str) else function


def image_dataset_from_directory(site: CallSite) -> Any:
    directory = site.arg(0, "directory")
    labels = site.arg(1, "labels", default="inferred")
    label_mode = site.arg(2, "label_mode", default="int")
    class_names = site.arg(3, "class_names", default=None)
    batch_size = site.arg(5, "batch_size", default=32)
    channels_first = _channels_first(site.arg(15, "data_format", default=None))
    source = _source("image_dataset_from_directory", directory)
    x = _image(site.node, site.arg(6, "image_size", default=(256, 256)), site.arg(4, "color_mode", default="rgb"),
               channels_first, scaled=False, source=source, batch_axis=False, type_=TENSOR)
    if labels is None or label_mode is None:
        element: Any = x
    elif label_mode == "int":
        element = (x, make(site.node, (), "int32", type_=TENSOR, one_hot=False, source=source))
    elif label_mode == "categorical":
        classes = _class_count(class_names)
        element = (x, make(site.node, (classes,), "float32", type_=TENSOR, one_hot=True, source=source))
    elif label_mode == "binary":
        element = (x, make(site.node, (1,), "float32", type_=TENSOR, one_hot=False, source=source))
    else:
        element = (x, UNKNOWN)
    if site.star_args:
        element = UNKNOWN
    if batch_size is None:
        result = dataset(site.node, element, batched=False)
    else:
        result = dataset(site.node, element, batched=True, batch=_batch_value(batch_size))
    if site.arg(10, "subset", default=None) == "both":
        return result, dataset(site.node, result.data["element"], batched=result.data["batched"],
                               batch=result.data["batch"])
    return result


def timeseries_dataset_from_array(site: CallSite) -> Any:
    data = as_array(site.arg(0, "data"))
    targets = site.arg(1, "targets")
    length = site.arg(2, "sequence_length")
    batch_size = site.arg(5, "batch_size", default=128)
    if data is None or data.shape is None or not data.shape or site.star_args:
        x: Any = UNKNOWN
    else:
        x = derive(data, None, (arrays.dim(length), *data.shape[1:]))
    if targets is None:
        element: Any = x
    else:
        y = as_array(targets)
        y_element = UNKNOWN if y is None or not y.shape else derive(y, None, y.shape[1:])
        element = (x, y_element)
    if batch_size is None:
        return dataset(site.node, element, batched=False)
    return dataset(site.node, element, batched=True, batch=_batch_value(batch_size))


def _other_directory_dataset(site: CallSite) -> Any:
    batch_size = site.arg(None, "batch_size", default=32)
    if batch_size is None:
        return dataset(site.node, UNKNOWN, batched=False)
    return dataset(site.node, UNKNOWN, batched=True, batch=_batch_value(batch_size))


def _opaque_source(site: CallSite) -> Any:
    return dataset(site.node, UNKNOWN, batched=False)


_SOURCES: dict[str, Callable[[CallSite], Any]] = {
    "tensorflow.data.Dataset.from_tensor_slices": _from_tensor_slices,
    "tensorflow.data.Dataset.from_tensors": _from_tensors,
    "tensorflow.data.Dataset.range": _range,
    "tensorflow.data.Dataset.zip": _zip,
    "tensorflow.data.Dataset.from_generator": _opaque_source,
    "tensorflow.data.Dataset.list_files": _opaque_source,
    "tensorflow.data.TFRecordDataset": _opaque_source,
    "tensorflow.data.TextLineDataset": _opaque_source,
    "keras.utils.image_dataset_from_directory": image_dataset_from_directory,
    "keras.utils.timeseries_dataset_from_array": timeseries_dataset_from_array,
    "keras.utils.text_dataset_from_directory": _other_directory_dataset,
    "keras.utils.audio_dataset_from_directory": _other_directory_dataset,
}


# -- ImageDataGenerator --------------------------------------------------------------------

def _generator(site: CallSite) -> Obj:
    """``ImageDataGenerator(...)``: remembers whether its images come out scaled."""
    kwargs = site.kwargs
    scales: bool | None = False
    if site.star_args or site.args:
        scales = None
    rescale = kwargs.get("rescale")
    if rescale is UNKNOWN:
        scales = None
    elif isinstance(rescale, (int, float)) and not isinstance(rescale, bool) and 0 < abs(rescale) <= 0.5:
        scales = True
    for flag in ("featurewise_std_normalization", "samplewise_std_normalization", "zca_whitening"):
        value = kwargs.get(flag, False)
        if value is True:
            scales = True
        elif value is not False and scales is not True:
            scales = None
    function = kwargs.get("preprocessing_function")
    if function is not None and scales is not True:
        if isinstance(function, Ref) and function.name.endswith("preprocess_input"):
            scales = True
        else:
            scales = None
    dtype = kwargs.get("dtype")
    return Obj(IMAGE_DATA_GENERATOR, site.node, {
        "scales": scales,
        "channels_first": _channels_first(kwargs.get("data_format")),
        "dtype": dtype_name(dtype) if dtype is not None else "float32",
    })


def _directory_labels(node: Any, class_mode: Any, classes: Any, x: Array, source: str) -> Array | None:
    if class_mode == "categorical":
        return make(node, (None, _class_count(classes)), "float32", one_hot=True, source=source)
    if class_mode == "binary":
        return make(node, (None,), "float32", one_hot=False, source=source)
    if class_mode == "sparse":
        return make(node, (None,), "int32", one_hot=False, source=source)
    if class_mode == "input":
        return x
    return None


def _flow(site: CallSite, generator: Obj) -> Any:
    method = site.name.rsplit(".", 1)[-1]
    config = generator.data
    scales = config.get("scales")
    channels_first = config.get("channels_first")
    dtype = config.get("dtype", "float32")
    if method == "flow":
        x_value = site.arg(0, "x")
        y_value = site.arg(1, "y", default=None)
        batch = _batch_value(site.arg(2, "batch_size", default=32))
        base = as_array(x_value) if not isinstance(x_value, tuple) else None
        if base is None:
            x = make(site.node, None, dtype)
        else:
            x = derive(base, site.node, None if not base.shape else (None, *base.shape[1:]), dtype,
                       type_=ARRAY, scaled=True if scales is True else base.scaled if scales is False else None,
                       one_hot=None)
        y: Array | None = None
        if y_value is not None:
            labels = as_array(y_value)
            y = make(site.node, None, None) if labels is None else derive(
                labels, site.node, None if not labels.shape else (None, *labels.shape[1:]), type_=ARRAY)
        return Obj(IMAGE_ITERATOR, site.node, {"x": x, "y": y, "batch": batch})
    if method == "flow_from_directory":
        positions = {"size": 1, "color": 2, "classes": 3, "mode": 4, "batch": 5}
        directory = site.arg(0, "directory")
    else:  # flow_from_dataframe
        positions = {"size": 5, "color": 6, "classes": 7, "mode": 8, "batch": 9}
        directory = site.arg(1, "directory", default=None)
    source = _source(method, directory)
    x = _image(site.node, site.arg(positions["size"], "target_size", default=(256, 256)),
               site.arg(positions["color"], "color_mode", default="rgb"), channels_first,
               scaled=scales, source=source, dtype=dtype)
    class_mode = site.arg(positions["mode"], "class_mode", default="categorical")
    y = _directory_labels(site.node, class_mode, site.arg(positions["classes"], "classes", default=None), x, source)
    if site.star_args:
        x, y = make(site.node, None, dtype, scaled=scales, source=source), None
    return Obj(IMAGE_ITERATOR, site.node, {
        "x": x, "y": y, "batch": _batch_value(site.arg(positions["batch"], "batch_size", default=32))})


# -- what a model is fed ---------------------------------------------------------------------

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
            return _with_leading(element)
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


# -- dispatch --------------------------------------------------------------------------------

def call(interp: Interpreter, site: CallSite) -> Any:
    """Data sources and pipeline steps; NOT_MODELLED for everything else."""
    try:
        return _call(interp, site)
    except (ArithmeticError, ValueError, TypeError, RecursionError):
        return NOT_MODELLED  # nonsense arguments: the generic table answers UNKNOWN


def _call(interp: Interpreter, site: CallSite) -> Any:
    name = site.name
    receiver = site.receiver
    if receiver is not None:
        if receiver.type == DATASET:
            return _dataset_method(interp, site, receiver)
        if receiver.type == IMAGE_DATA_GENERATOR and name.rsplit(".", 1)[-1] in (
                "flow", "flow_from_directory", "flow_from_dataframe"):
            return _flow(site, receiver)
        return NOT_MODELLED
    if name.startswith("keras.datasets.") and name.endswith(".load_data"):
        dataset_name = name[len("keras.datasets."):-len(".load_data")]
        if dataset_name in KNOWN_DATASETS:
            return _load_data(site, dataset_name)
        return NOT_MODELLED
    if name == IMAGE_DATA_GENERATOR:
        return _generator(site)
    handler = _SOURCES.get(name)
    if handler is not None:
        return handler(site)
    return NOT_MODELLED
