"""Data sources: keras.datasets, tf.data pipelines, directory iterators and datasets."""

from __future__ import annotations

import libcst as cst
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keraslint.source import api, fed_data, keras_data_sources, tf_data
from keraslint.source.analysis import analyze
from keraslint.source.values import Array, Obj
from keraslint.values import UNKNOWN

from . import run

HEAD = "import numpy as np\nimport tensorflow as tf\nfrom tensorflow import keras\n"


def spec(value: object) -> object:
    """(shape, dtype) of an Array, recursively through tuples."""
    if isinstance(value, Array):
        return value.shape, value.dtype
    if isinstance(value, tuple):
        return tuple(spec(v) for v in value)
    if isinstance(value, dict):
        return {k: spec(v) for k, v in value.items()}
    return value


def test_type_names_are_the_ones_trackers_key_on() -> None:
    assert (tf_data.DATASET, keras_data_sources.IMAGE_DATA_GENERATOR, keras_data_sources.IMAGE_ITERATOR) == (
        api.DATASET, api.IMAGE_DATA_GENERATOR, api.IMAGE_ITERATOR)


# -- keras.datasets --------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "x_train", "y_train", "x_test", "y_test", "x_dtype", "y_dtype"), [
    ("mnist", (60000, 28, 28), (60000,), (10000, 28, 28), (10000,), "uint8", "uint8"),
    ("fashion_mnist", (60000, 28, 28), (60000,), (10000, 28, 28), (10000,), "uint8", "uint8"),
    ("cifar10", (50000, 32, 32, 3), (50000, 1), (10000, 32, 32, 3), (10000, 1), "uint8", "uint8"),
    ("cifar100", (50000, 32, 32, 3), (50000, 1), (10000, 32, 32, 3), (10000, 1), "uint8", "int64"),
    ("imdb", (25000,), (25000,), (25000,), (25000,), "object", "int64"),
    ("reuters", (8982,), (8982,), (2246,), (2246,), "object", "int64"),
    ("boston_housing", (404, 13), (404,), (102, 13), (102,), "float64", "float64"),
    ("california_housing", (16512, 8), (16512,), (4128, 8), (4128,), "float64", "float64"),
])
def test_known_datasets(name: str, x_train: tuple, y_train: tuple, x_test: tuple, y_test: tuple, x_dtype: str,
                        y_dtype: str) -> None:
    found = run(HEAD + f"(x_train, y_train), (x_test, y_test) = keras.datasets.{name}.load_data()\n")
    assert spec(found["x_train"]) == (x_train, x_dtype)
    assert spec(found["y_train"]) == (y_train, y_dtype)
    assert spec(found["x_test"]) == (x_test, x_dtype)
    assert spec(found["y_test"]) == (y_test, y_dtype)
    assert found["x_train"].source == f"keras.datasets.{name}"
    image = name in ("mnist", "fashion_mnist", "cifar10", "cifar100")
    assert found["x_train"].scaled is (False if image else None)
    if y_dtype != "float64":
        assert found["y_train"].one_hot is False


@pytest.mark.parametrize(("code", "train", "test"), [
    ("keras.datasets.boston_housing.load_data(test_split=0.1)", (455, 13), (51, 13)),
    ("keras.datasets.california_housing.load_data(version='small')", (480, 8), (120, 8)),
    ("keras.datasets.california_housing.load_data(test_split=0.25)", (15480, 8), (5160, 8)),
    ("keras.datasets.reuters.load_data(num_words=10000, test_split=0.3)", (7859,), (3369,)),
    ("keras.datasets.imdb.load_data(num_words=10000)", (25000,), (25000,)),
    ("keras.datasets.imdb.load_data(maxlen=200)", (None,), (None,)),
    ("keras.datasets.boston_housing.load_data(test_split=split)", (None, 13), (None, 13)),
])
def test_dataset_arguments(code: str, train: tuple, test: tuple) -> None:
    found = run(HEAD + f"(a, b), (c, d) = {code}\n")
    assert (found["a"].shape, found["c"].shape) == (train, test)


def test_the_split_arithmetic_is_keras_own() -> None:
    # keras/src/datasets: x_train = x[: int(len(x) * (1 - test_split))]
    for total, split in ((506, 0.2), (20640, 0.2), (11228, 0.2), (506, 0.1), (600, 0.2)):
        train = int(total * (1 - split))
        assert len(np.arange(total)[:train]) == train


def test_dataset_spellings() -> None:
    code = ("import tensorflow as tf\nimport keras\nfrom keras.datasets import mnist\n"
            "from tensorflow.keras.datasets import cifar10\n"
            "a = tf.keras.datasets.mnist.load_data()\nb = mnist.load_data()\nc = cifar10.load_data()\n"
            "d = keras.datasets.fashion_mnist.load_data()\n")
    found = run(code)
    assert found["a"][0][0].shape == found["b"][0][0].shape == (60000, 28, 28)
    assert found["c"][1][1].shape == (10000, 1)
    assert found["d"][0][1].shape == (60000,)


def test_unknown_dataset_is_not_modelled() -> None:
    found = run(HEAD + "x = keras.datasets.something_new.load_data()\n")
    assert found["x"] is UNKNOWN


def test_tuple_unpacking_in_steps() -> None:
    found = run(HEAD + "train, test = keras.datasets.mnist.load_data()\nx, y = train\n")
    assert spec(found["x"]) == ((60000, 28, 28), "uint8")


# -- tf.data ---------------------------------------------------------------------------------

MNIST = HEAD + "(x, y), (xt, yt) = keras.datasets.mnist.load_data()\nx = x / 255.0\n"


def dataset(code: str, name: str = "ds") -> Obj:
    value = run(code)[name]
    assert isinstance(value, Obj) and value.type == api.DATASET, value
    return value


def test_from_tensor_slices_of_an_array() -> None:
    ds = dataset(MNIST + "ds = tf.data.Dataset.from_tensor_slices(x)\n")
    assert spec(ds.data["element"]) == ((28, 28), "float64")
    assert ds.data["batched"] is False


def test_from_tensor_slices_of_a_pair() -> None:
    ds = dataset(MNIST + "ds = tf.data.Dataset.from_tensor_slices((x, y))\n")
    assert spec(ds.data["element"]) == (((28, 28), "float64"), ((), "uint8"))
    element = ds.data["element"]
    assert element[0].scaled is True and element[1].one_hot is False
    assert element[0].source == "keras.datasets.mnist"


def test_from_tensor_slices_of_lists() -> None:
    ds = dataset(HEAD + "ds = tf.data.Dataset.from_tensor_slices(([[1.0, 2.0], [3.0, 4.0]], [0, 1]))\n")
    assert spec(ds.data["element"]) == (((2,), "float32"), ((), "int32"))


def test_from_tensor_slices_mismatched_lengths_is_unknown() -> None:
    ds = dataset(HEAD + "ds = tf.data.Dataset.from_tensor_slices((np.zeros((10, 2)), np.zeros(9)))\n")
    assert ds.data["element"] is UNKNOWN


def test_from_tensor_slices_of_a_dict() -> None:
    element = tf_data._slice_element({"a": Array("numpy.ndarray", None, shape=(10, 3), dtype="float32")})
    assert spec(element) == {"a": ((3,), "float32")}


def test_batch_and_spec_keeping_methods() -> None:
    code = MNIST + ("ds = tf.data.Dataset.from_tensor_slices((x, y))\n"
                    "ds = ds.shuffle(1000).batch(64).prefetch(tf.data.AUTOTUNE).repeat().cache().take(10).skip(1)\n")
    ds = dataset(code)
    assert ds.data["batched"] is True and ds.data["batch"] == 64
    assert spec(ds.data["element"]) == (((28, 28), "float64"), ((), "uint8"))


def test_batch_of_unknown_size() -> None:
    ds = dataset(MNIST + "ds = tf.data.Dataset.from_tensor_slices(x).batch(bs)\n")
    assert ds.data["batched"] is True and ds.data["batch"] is UNKNOWN


def test_batching_twice_adds_an_axis() -> None:
    ds = dataset(MNIST + "ds = tf.data.Dataset.from_tensor_slices(x).batch(8).batch(4)\n")
    assert spec(ds.data["element"]) == ((None, 28, 28), "float64")
    assert ds.data["batch"] == 4


def test_unbatch() -> None:
    found = run(MNIST + "a = tf.data.Dataset.from_tensor_slices(x).batch(8).unbatch()\n"
                        "b = tf.data.Dataset.from_tensors(x).unbatch()\n")
    assert spec(found["a"].data["element"]) == ((28, 28), "float64") and found["a"].data["batched"] is False
    assert spec(found["b"].data["element"]) == ((28, 28), "float64")


MAPS = [
    "lambda v, w: (v, w)",
    "lambda v, w: (v / 255.0, w)",
    "lambda v, w: (w, v)",
    "lambda v, w: v",
    "lambda v, w: (tf.cast(v, tf.float32), w)",
    "lambda v, w: (tf.expand_dims(v, -1), w)",
    "lambda v, w: (v[..., tf.newaxis], tf.one_hot(w, 10))",
    "lambda *parts: parts",  # the components arrive as the *args tuple
    "preprocess",
]


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("fn", MAPS)
def test_map_follows_the_function_as_tensorflow_traces_it(fn: str, batch_first: bool) -> None:
    """``ds.map(fn)`` runs the script's function on the element (its components unpacked into
    arguments, with the batch axis when batched first); TensorFlow's element_spec agrees."""
    import tensorflow as tf

    define = "def preprocess(v, w):\n    return tf.cast(v, tf.float32) * 2.0, w\n"
    pipeline = ".batch(4).map({fn})" if batch_first else ".map({fn}).batch(4)"
    code = (HEAD + "x = np.zeros((8, 28, 28), 'float64')\ny = np.zeros((8,), 'uint8')\n" + define
            + "ds = tf.data.Dataset.from_tensor_slices((x, y))" + pipeline.format(fn=fn) + "\n")
    ds = dataset(code)
    assert ds.data["batched"] is True and ds.data["batch"] == 4
    scope: dict = {"tf": tf, "np": np}
    exec(compile(code.replace(HEAD, ""), "<test>", "exec"), scope)  # noqa: S102 - code written by this test
    real = scope["ds"].element_spec
    ours = ds.data["element"]
    real_parts = real if isinstance(real, tuple) else (real,)
    our_parts = ours if isinstance(ours, tuple) else (ours,)
    assert len(our_parts) == len(real_parts)
    for mine, theirs in zip(our_parts, real_parts):
        assert ((None, *mine.shape), mine.dtype) == (tuple(theirs.shape), theirs.dtype.name)


@pytest.mark.parametrize("fn", [
    "lambda v, w: (tf.reshape(v, (4, -1)), w)",  # a concrete first axis: is it the batch axis?
    "lambda v, w: (tf.reduce_mean(v), w)",  # the batch axis reduced away
    "parse",  # not a function the script defines
])
def test_map_not_followed_is_unknown(fn: str) -> None:
    code = MNIST + f"ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(4).map({fn})\n"
    element = dataset(code).data["element"]
    assert element is UNKNOWN or isinstance(element, tuple) and element[0] is UNKNOWN


def test_map_of_a_single_component_identity() -> None:
    ds = dataset(MNIST + "ds = tf.data.Dataset.from_tensor_slices((x, y)).map(lambda pair: pair)\n")
    assert spec(ds.data["element"]) == (((28, 28), "float64"), ((), "uint8"))


def test_zip() -> None:
    code = MNIST + ("a = tf.data.Dataset.from_tensor_slices(x)\nb = tf.data.Dataset.from_tensor_slices(y)\n"
                    "ds = tf.data.Dataset.zip((a, b)).batch(16)\nds2 = tf.data.Dataset.zip(a, b)\n")
    found = run(code)
    assert spec(found["ds"].data["element"]) == (((28, 28), "float64"), ((), "uint8"))
    assert found["ds"].data["batch"] == 16
    assert spec(found["ds2"].data["element"]) == (((28, 28), "float64"), ((), "uint8"))
    assert found["ds2"].data["batched"] is False


def test_from_tensors_and_range() -> None:
    found = run(MNIST + "a = tf.data.Dataset.from_tensors((x, y))\nb = tf.data.Dataset.range(10)\n")
    assert spec(found["a"].data["element"]) == (((60000, 28, 28), "float64"), ((60000,), "uint8"))
    assert spec(found["b"].data["element"]) == ((), "int64")


def test_opaque_sources_and_methods_keep_the_type() -> None:
    code = HEAD + ("a = tf.data.TFRecordDataset('f.tfrecord').map(parse).batch(8)\n"
                   "b = tf.data.Dataset.from_generator(gen, output_types=tf.float32).shuffle(10, seed=1)\n"
                   "c = tf.data.Dataset.list_files('*.png').interleave(load).padded_batch(4)\n"
                   "d = keras.utils.text_dataset_from_directory('texts', batch_size=16)\n")
    found = run(code)
    for name in "abcd":
        assert found[name].type == api.DATASET
    assert found["a"].data["element"] is UNKNOWN and found["a"].data["batch"] == 8
    assert found["d"].data["batched"] is True and found["d"].data["batch"] == 16


def test_element_spec_against_tensorflow() -> None:
    import tensorflow as tf

    x = np.zeros((20, 5, 3), "float32")
    y = np.zeros((20,), "int64")
    real = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(4).batch(4).element_spec
    ds = dataset(HEAD + "x = np.zeros((20, 5, 3), 'float32')\ny = np.zeros((20,), 'int64')\n"
                        "ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(4).batch(4)\n")
    element = ds.data["element"]
    for ours, theirs in zip(element, real):
        assert (None, *ours.shape) == tuple(theirs.shape) and ours.dtype == theirs.dtype.name


def test_timeseries_dataset_from_array() -> None:
    code = HEAD + ("data = np.zeros((1000, 4), 'float32')\ntargets = np.zeros((1000,))\n"
                   "ds = keras.utils.timeseries_dataset_from_array(data, targets, sequence_length=10, batch_size=64)\n")
    ds = dataset(code)
    assert spec(ds.data["element"]) == (((10, 4), "float32"), ((), "float64"))
    assert ds.data["batch"] == 64


# -- image directories --------------------------------------------------------------------------

GEN = HEAD + "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"


def iterator(code: str, name: str = "it") -> Obj:
    value = run(code)[name]
    assert isinstance(value, Obj) and value.type == api.IMAGE_ITERATOR, value
    return value


def test_flow_from_directory_defaults() -> None:
    it = iterator(GEN + "it = ImageDataGenerator().flow_from_directory('data/train')\n")
    x, y = it.data["x"], it.data["y"]
    assert spec(x) == ((None, 256, 256, 3), "float32")
    assert x.scaled is False
    assert spec(y) == ((None, None), "float32") and y.one_hot is True
    assert it.data["batch"] == 32
    assert x.source == "flow_from_directory('data/train')"


@pytest.mark.parametrize(("kwargs", "x_shape", "y_spec", "one_hot"), [
    ("target_size=(150, 150), class_mode='binary'", (None, 150, 150, 3), ((None,), "float32"), False),
    ("target_size=(64, 64), color_mode='grayscale', class_mode='sparse'", (None, 64, 64, 1), ((None,), "int32"), False),
    ("color_mode='rgba', classes=['cat', 'dog', 'bird']", (None, 256, 256, 4), ((None, 3), "float32"), True),
    ("class_mode='input', target_size=(32, 32)", (None, 32, 32, 3), ((None, 32, 32, 3), "float32"), None),
    ("class_mode=None", (None, 256, 256, 3), None, None),
])
def test_flow_from_directory_options(kwargs: str, x_shape: tuple, y_spec: object, one_hot: object) -> None:
    it = iterator(GEN + f"it = ImageDataGenerator(rescale=1./255).flow_from_directory('d', {kwargs})\n")
    assert it.data["x"].shape == x_shape
    assert it.data["x"].scaled is True
    if y_spec is None:
        assert it.data["y"] is None
    else:
        assert spec(it.data["y"]) == y_spec and it.data["y"].one_hot is one_hot


def test_flow_from_directory_positional_and_batch() -> None:
    it = iterator(GEN + "gen = ImageDataGenerator(rescale=1.0 / 255)\n"
                        "it = gen.flow_from_directory('d', (100, 120), 'rgb', None, 'binary', 20)\n")
    assert it.data["x"].shape == (None, 100, 120, 3) and it.data["batch"] == 20


@pytest.mark.parametrize(("kwargs", "scaled"), [
    ("", False),
    ("rotation_range=20, horizontal_flip=True", False),
    ("rescale=1./255", True),
    ("rescale=1/255.0, zoom_range=0.2", True),
    ("samplewise_center=True, samplewise_std_normalization=True", True),
    ("preprocessing_function=tf.keras.applications.mobilenet_v2.preprocess_input", True),
    ("preprocessing_function=my_function", None),
    ("rescale=scale", None),
])
def test_generator_scaling(kwargs: str, scaled: object) -> None:
    it = iterator(GEN + f"it = ImageDataGenerator({kwargs}).flow_from_directory('d')\n")
    assert it.data["x"].scaled is scaled


def test_generator_channels_first() -> None:
    it = iterator(GEN + "it = ImageDataGenerator(data_format='channels_first').flow_from_directory('d', (64, 64))\n")
    assert it.data["x"].shape == (None, 3, 64, 64)


def test_flow_of_arrays() -> None:
    code = GEN + ("(x, y), _ = keras.datasets.cifar10.load_data()\ny = keras.utils.to_categorical(y, 10)\n"
                  "it = ImageDataGenerator(rotation_range=10).flow(x, y, batch_size=16)\n"
                  "it2 = ImageDataGenerator(rescale=1/255.).flow(x)\n")
    found = run(code)
    it = found["it"]
    assert spec(it.data["x"]) == ((None, 32, 32, 3), "float32") and it.data["x"].scaled is False
    assert it.data["y"].shape == (None, 10) and it.data["y"].one_hot is True
    assert it.data["batch"] == 16
    it2 = found["it2"]
    assert it2.data["x"].scaled is True and it2.data["y"] is None and it2.data["batch"] == 32


def test_flow_from_dataframe() -> None:
    it = iterator(GEN + "it = ImageDataGenerator(rescale=1/255).flow_from_dataframe(df, 'imgs', x_col='f', "
                        "y_col='c', target_size=(96, 96), class_mode='raw', batch_size=8)\n")
    assert it.data["x"].shape == (None, 96, 96, 3) and it.data["y"] is None and it.data["batch"] == 8


def test_image_dataset_from_directory_defaults() -> None:
    ds = dataset(HEAD + "ds = keras.utils.image_dataset_from_directory('photos')\n")
    x, y = ds.data["element"]
    assert spec(x) == ((256, 256, 3), "float32") and x.scaled is False
    assert spec(y) == ((), "int32") and y.one_hot is False
    assert ds.data["batched"] is True and ds.data["batch"] == 32


@pytest.mark.parametrize(("kwargs", "x_shape", "y_spec", "one_hot"), [
    ("image_size=(180, 180), label_mode='categorical'", (180, 180, 3), ((None,), "float32"), True),
    ("label_mode='categorical', class_names=['a', 'b', 'c']", (256, 256, 3), ((3,), "float32"), True),
    ("label_mode='binary', color_mode='grayscale'", (256, 256, 1), ((1,), "float32"), False),
    ("label_mode=None, color_mode='rgba'", (256, 256, 4), None, None),
    ("labels=None", (256, 256, 3), None, None),
])
def test_image_dataset_from_directory_options(kwargs: str, x_shape: tuple, y_spec: object, one_hot: object) -> None:
    ds = dataset(HEAD + f"ds = tf.keras.utils.image_dataset_from_directory('photos', {kwargs})\n")
    element = ds.data["element"]
    if y_spec is None:
        assert isinstance(element, Array) and element.shape == x_shape
    else:
        x, y = element
        assert x.shape == x_shape and spec(y) == y_spec and y.one_hot is one_hot


def test_image_dataset_batch_size_none_and_both_subsets() -> None:
    found = run(HEAD + "a = keras.utils.image_dataset_from_directory('p', batch_size=None)\n"
                       "b, c = keras.utils.image_dataset_from_directory('p', validation_split=0.2, subset='both', "
                       "seed=1, batch_size=8)\n"
                       "d = keras.preprocessing.image_dataset_from_directory('p').map(lambda a, b: (a / 255.0, b))\n")
    assert found["a"].data["batched"] is False
    assert found["b"].data["batch"] == found["c"].data["batch"] == 8
    assert found["d"].data["batched"] is True  # the map is followed on the batches
    assert spec(found["d"].data["element"]) == (((256, 256, 3), "float32"), ((), "int32"))
    assert found["d"].data["element"][0].scaled is True


def test_image_dataset_against_keras(tmp_path) -> None:
    import keras
    import tensorflow as tf

    png = tf.io.encode_png(np.zeros((30, 40, 3), "uint8")).numpy()
    for label in ("a", "b"):
        (tmp_path / label).mkdir()
        for i in range(2):
            (tmp_path / label / f"{i}.png").write_bytes(png)
    real = keras.utils.image_dataset_from_directory(str(tmp_path), image_size=(24, 20), label_mode="categorical",
                                                    batch_size=2, color_mode="grayscale")
    ds = dataset(HEAD + "ds = keras.utils.image_dataset_from_directory('p', image_size=(24, 20), "
                        "label_mode='categorical', batch_size=2, color_mode='grayscale')\n")
    x_spec, y_spec = real.element_spec
    x, y = ds.data["element"]
    assert (None, *x.shape) == tuple(x_spec.shape) and x.dtype == x_spec.dtype.name
    assert y.dtype == y_spec.dtype.name and len(y.shape) + 1 == len(y_spec.shape)


# -- the trackers still see the pipeline ---------------------------------------------------------

def test_seeding_tracker_still_sees_dataset_shuffles() -> None:
    code = HEAD + ("import keras\nds = tf.data.Dataset.from_tensor_slices(np.zeros((10, 2))).shuffle(10)\n"
                   "it = keras.preprocessing.image.ImageDataGenerator().flow_from_directory('d')\n")
    facts = analyze(cst.parse_module(code))
    names = {event.name for event in facts.seeding.draws}
    assert f"{api.DATASET}.shuffle" in names
    assert f"{api.IMAGE_DATA_GENERATOR}.flow_from_directory" in names


_ARGS = ["1", "0", "-1", "2.5", "'a'", "None", "True", "(2, 3)", "[1, 2]", "x", "n", "(x, y)", "[x, y]", "ds",
         "(ds, ds)", "lambda v: v", "'categorical'", "'binary'", "'grayscale'", "(64, 64)", "'both'", "{}"]
_SOURCES = (sorted(tf_data.SOURCES) + sorted(keras_data_sources.SOURCES)
            + [f"keras.datasets.{name}.load_data" for name in keras_data_sources.KNOWN_DATASETS])
_DS_METHODS = ["batch", "shuffle", "map", "prefetch", "unbatch", "padded_batch", "zip", "concatenate", "enumerate",
               "rebatch", "take", "window", "flat_map"]
_GEN_METHODS = ["flow", "flow_from_directory", "flow_from_dataframe"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_SOURCES + [f"ds.{m}" for m in _DS_METHODS] + [f"gen.{m}" for m in _GEN_METHODS]
                       + ["ImageDataGenerator"]),
       st.lists(st.sampled_from(_ARGS), max_size=4),
       st.lists(st.tuples(st.sampled_from(["batch_size", "label_mode", "class_mode", "image_size", "target_size",
                                           "color_mode", "rescale", "subset", "test_split", "maxlen", "labels"]),
                          st.sampled_from(_ARGS)), max_size=3, unique_by=lambda kv: kv[0]))
def test_nonsense_pipeline_arguments_never_crash(function: str, args: list, kwargs: list) -> None:
    spelled = function.replace("tensorflow.", "tf.").replace("keras.preprocessing.image.", "")
    call = f"{spelled}({', '.join([*args, *(f'{k}={v}' for k, v in kwargs)])})"
    code = (GEN + "import keras\n(x, y), _ = keras.datasets.mnist.load_data()\n"
            "ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(4)\ngen = ImageDataGenerator(rescale=1/255)\n"
            f"r = {call}\nr2 = r.batch(2)\n")
    found = run(code)
    assert "r" in found


@pytest.mark.parametrize("pipeline", [".batch(3)", "", ".batch(2).unbatch()", ".batch(4).batch(2)"])
def test_iteration_element_is_what_a_loop_over_the_dataset_binds(pipeline: str) -> None:
    """``for x, y in ds`` (api.element_of's hook): TensorFlow's element_spec, whose batch axes
    are unknown (the last batch may be short), and the real first batch fits it."""
    import tensorflow as tf

    code = (HEAD + "x = np.zeros((8, 5, 3), 'float32')\ny = np.zeros((8,), 'int64')\n"
            f"ds = tf.data.Dataset.from_tensor_slices((x, y)){pipeline}\n")
    ours = fed_data.iteration_element(dataset(code))
    scope: dict = {"tf": tf, "np": np}
    exec(compile(code.replace(HEAD, ""), "<test>", "exec"), scope)  # noqa: S102 - code written by this test
    specs, batch = scope["ds"].element_spec, next(iter(scope["ds"]))
    assert len(ours) == len(specs) == 2
    for mine, their_spec, real in zip(ours, specs, batch):
        assert (mine.shape, mine.dtype) == (tuple(their_spec.shape), their_spec.dtype.name)
        assert tf.TensorShape(mine.shape).is_compatible_with(real.shape)


def test_iteration_element_unknown_and_iterators() -> None:
    assert fed_data.iteration_element(dataset(HEAD + "ds = tf.data.TFRecordDataset('f').batch(2)\n")) is UNKNOWN
    assert fed_data.iteration_element(object()) is UNKNOWN
    it = iterator(HEAD + "it = keras.preprocessing.image.ImageDataGenerator().flow_from_directory('d', "
                         "target_size=(8, 9), class_mode='sparse')\n")
    assert spec(fed_data.iteration_element(it)) == (((None, 8, 9, 3), "float32"), ((None,), "int32"))


def test_map_on_batches_with_an_unknown_axis_is_unknown() -> None:
    """Batches of (None, None, 3): ``x[0]`` is (None, 3), whose leading None is not the batch
    axis; keraslint does not guess which None is which."""
    code = HEAD + ("x = tf.zeros((8, 5, 3))\nds = tf.data.Dataset.from_tensor_slices(x).padded_batch(4)"
                   ".map(lambda v: v[0])\n")
    assert dataset(code).data["element"] is UNKNOWN


def test_map_function_runs_so_models_it_calls_are_built() -> None:
    code = HEAD + ("x = np.zeros((8, 6, 6, 3), 'float32')\ny = np.zeros((8,), 'int64')\n"
                   "aug = keras.Sequential([keras.layers.RandomFlip('horizontal')])\n"
                   "ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(4).map(lambda a, b: (aug(a), b))\n")
    (graph,) = analyze(cst.parse_module(code)).models.graphs()
    assert graph.inputs[0].node.input_shape == (None, 6, 6, 3)


def test_a_loop_over_a_dataset_binds_its_batches() -> None:
    from keraslint.checker import check_source

    code = ("import numpy as np\nimport tensorflow as tf\nimport keras\nkeras.utils.set_random_seed(0)\n"
            "x = np.zeros((64, 20), 'float32')\ny = np.zeros((64, 1), 'float32')\n"
            "ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)\n"
            "model = keras.Sequential([keras.Input(shape=(WIDTH,)), keras.layers.Dense(1)])\n"
            "model.compile(loss='mse')\nfor xb, yb in ds:\n    model.train_on_batch(xb, yb)\n")
    wrong = check_source(code.replace("WIDTH", "16"), "t.py", selected={"KL201"}).diagnostics
    assert [d.code for d in wrong] == ["KL201"] and "(20 vs 16)" in wrong[0].message
    assert check_source(code.replace("WIDTH", "20"), "t.py", selected={"KL201"}).diagnostics == []
