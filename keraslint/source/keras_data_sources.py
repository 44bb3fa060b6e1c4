"""Data sources Keras provides: keras.datasets, the keras.utils dataset builders (image and
text directories, time series) and ImageDataGenerator flows.

The keras.utils builders give tf.data datasets (``tf_data.DATASET``). An image iterator
(``ImageDataGenerator().flow...``) is ``Obj(IMAGE_ITERATOR, node, {"x": Array,
"y": Array | None, "batch": int | UNKNOWN})`` whose arrays carry the batch axis (unknown).

Known datasets (``keras.datasets.*.load_data()``) give their documented shapes and dtypes,
checked against keras/src/datasets/*.py; nothing is downloaded. Anything not modelled returns
NOT_MODELLED (the generic table in ``api`` then answers UNKNOWN).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from keraslint.source import arrays
from keraslint.source.array_dtypes import dtype_name
from keraslint.source.array_values import ARRAY, TENSOR, as_array, derive, make
from keraslint.source.tf_data import batch_value, dataset
from keraslint.source.values import NOT_MODELLED, VALUE_RANGE, Array, ListValue, Obj, Ref
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite

# The type names the other trackers key on (== api.IMAGE_DATA_GENERATOR ...).
IMAGE_DATA_GENERATOR = "keras.preprocessing.image.ImageDataGenerator"
IMAGE_ITERATOR = "keras.preprocessing.image.Iterator"
#: the ImageDataGenerator methods that give an image iterator
FLOW_METHODS = ("flow", "flow_from_directory", "flow_from_dataframe")


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
        result = dataset(site.node, element, batched=True, batch=batch_value(batch_size))
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
    return dataset(site.node, element, batched=True, batch=batch_value(batch_size))


def _other_directory_dataset(site: CallSite) -> Any:
    batch_size = site.arg(None, "batch_size", default=32)
    if batch_size is None:
        return dataset(site.node, UNKNOWN, batched=False)
    return dataset(site.node, UNKNOWN, batched=True, batch=batch_value(batch_size))


SOURCES: dict[str, Callable[[CallSite], Any]] = {
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
        batch = batch_value(site.arg(2, "batch_size", default=32))
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
        "x": x, "y": y, "batch": batch_value(site.arg(positions["batch"], "batch_size", default=32))})


def call(interp: Any, site: CallSite) -> Any:
    """keras.datasets, the keras.utils dataset builders and ImageDataGenerator flows;
    NOT_MODELLED for everything else."""
    try:
        return _call(site)
    except (ArithmeticError, ValueError, TypeError, RecursionError):
        return NOT_MODELLED  # nonsense arguments: the generic table answers UNKNOWN


def _call(site: CallSite) -> Any:
    name = site.name
    receiver = site.receiver
    if receiver is not None:
        if receiver.type == IMAGE_DATA_GENERATOR and name.rsplit(".", 1)[-1] in FLOW_METHODS:
            return _flow(site, receiver)
        return NOT_MODELLED
    if name.startswith("keras.datasets.") and name.endswith(".load_data"):
        dataset_name = name[len("keras.datasets."):-len(".load_data")]
        if dataset_name in KNOWN_DATASETS:
            return _load_data(site, dataset_name)
        return NOT_MODELLED
    if name == IMAGE_DATA_GENERATOR:
        return _generator(site)
    handler = SOURCES.get(name)
    if handler is not None:
        return handler(site)
    return NOT_MODELLED
