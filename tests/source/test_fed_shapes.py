"""The input shape an undeclared Sequential takes from the first data it is fed: arrays,
batched tf.data pipelines, image directories, ImageDataGenerator iterators. Keras is the
oracle: the same (test-written) code is run and its ``get_build_config()`` compared."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from pathlib import Path

import libcst as cst
import numpy as np
import pytest

from keraslint.source import fed_data, tf_data
from keraslint.source.analysis import analyze
from keraslint.source.values import Obj
from keraslint.values import UNKNOWN

HEAD = "import numpy as np\nimport tensorflow as tf\nimport keras\nfrom keras import layers\n"
MODEL = ("model = keras.Sequential([layers.Flatten(), layers.Dense(2)])\n"
         "model.compile(loss='mse')\n")


def ours(code: str) -> tuple | None:
    """The input shape keraslint gives the script's only model (None: unknown)."""
    (graph,) = analyze(cst.parse_module(code)).models.graphs()
    node = graph.inputs[0].node
    return node.input_shape if node.unknown_reason is None else None


def theirs(code: str) -> tuple:
    """The input shape Keras builds the model on when it runs the same code."""
    scope: dict = {}
    exec(compile(code, "<test>", "exec"), scope)  # noqa: S102 - code written by this test
    return tuple(scope["model"].get_build_config()["input_shape"])


PIPELINES = [
    # from_tensor_slices of a pair, batched, with spec-keeping steps
    "x = np.zeros((8, 5, 3), 'float32')\ny = np.zeros((8, 2), 'float32')\n"
    "ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(8).batch(4).cache().prefetch(tf.data.AUTOTUNE)\n",
    # batched, then repeated; a (x, y, weights) triple
    "x = np.zeros((8, 6), 'float32')\ny = np.zeros((8, 2), 'float32')\nw = np.ones((8,), 'float32')\n"
    "ds = tf.data.Dataset.from_tensor_slices((x, y, w)).batch(3).repeat()\n",
    # zip of two datasets
    "xs = tf.data.Dataset.from_tensor_slices(np.zeros((8, 4, 2), 'float32'))\n"
    "ys = tf.data.Dataset.from_tensor_slices(np.zeros((8, 2), 'float32'))\n"
    "ds = tf.data.Dataset.zip((xs, ys)).batch(2)\n",
    # an identity map keeps the element
    "x = np.zeros((8, 7), 'float32')\ny = np.zeros((8, 2), 'float32')\n"
    "ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(4).map(lambda a, b: (a, b))\n",
]


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_fit_on_a_batched_dataset_builds_the_model_as_keras_does(pipeline: str) -> None:
    code = HEAD + pipeline + MODEL + "model.fit(ds, epochs=1, steps_per_epoch=1, verbose=0)\n"
    assert ours(code) == theirs(code)


def test_image_directory_dataset_gives_image_size_whatever_the_files_are(tmp_path: Path) -> None:
    """image_dataset_from_directory resizes every image to image_size: the files' own sizes
    do not matter (two classes of images of different sizes here)."""
    tf = pytest.importorskip("tensorflow")
    for label, size in (("a", (31, 17)), ("b", (9, 40))):
        (tmp_path / label).mkdir()
        for i in range(2):
            png = tf.io.encode_png(np.zeros((*size, 3), "uint8")).numpy()
            (tmp_path / label / f"{i}.png").write_bytes(png)
    code = (HEAD + f"ds = keras.utils.image_dataset_from_directory({str(tmp_path)!r}, image_size=(12, 10), "
            "batch_size=2)\nds = ds.shuffle(4).prefetch(2)\n"
            "model = keras.Sequential([layers.Rescaling(1 / 255), layers.Conv2D(2, 3), layers.Flatten(), "
            "layers.Dense(2)])\nmodel.compile(loss='sparse_categorical_crossentropy')\n"
            "model.fit(ds, epochs=1, verbose=0)\n")
    assert ours(code) == theirs(code) == (None, 12, 10, 3)
    grey = code.replace("batch_size=2)", "batch_size=2, color_mode='grayscale')")
    assert ours(grey) == theirs(grey) == (None, 12, 10, 1)


def test_unbatched_dataset_gives_no_shape() -> None:
    """Keras takes each element of an unbatched dataset as a batch: the first axis of the
    element becomes the batch axis, which is a user error keraslint does not guess around."""
    code = (HEAD + "x = np.zeros((8, 5, 3), 'float32')\ny = np.zeros((8, 2), 'float32')\n"
            "ds = tf.data.Dataset.from_tensor_slices((x, y))\n" + MODEL + "model.fit(ds, verbose=0)\n")
    assert ours(code) is None


@pytest.mark.parametrize("code", [
    # element shape from files keraslint cannot read
    "ds = tf.data.TFRecordDataset('data.tfrecord').batch(4)\n",
    # a map whose function is not followed
    "ds = tf.data.Dataset.from_tensor_slices(np.zeros((8, 5), 'float32')).batch(4).map(parse)\n",
    # dict elements (a Sequential has one input)
    "ds = tf.data.Dataset.from_tensor_slices({'a': np.zeros((8, 5), 'float32')}).batch(4)\n",
    # batched an unknown number of times
    "ds = tf.data.Dataset.from_generator(gen).batch(2)\n",
])
def test_unknown_elements_stay_unknown(code: str) -> None:
    assert ours(HEAD + code + MODEL + "model.fit(ds)\n") is None


def test_fed_inputs_never_invents_a_size() -> None:
    ds = Obj(tf_data.DATASET, None, {"element": UNKNOWN, "batched": True, "batch": 4})
    assert fed_data.fed_inputs(ds) is None
    assert fed_data.fed_inputs(Obj(tf_data.DATASET, None, {"element": UNKNOWN, "batched": None})) is None


def test_image_data_generator_iterator() -> None:
    code = (HEAD + "gen = keras.preprocessing.image.ImageDataGenerator(rescale=1 / 255)\n"
            "it = gen.flow_from_directory('data/train', target_size=(20, 24), batch_size=8)\n"
            + MODEL + "model.fit(it)\n")
    assert ours(code) == (None, 20, 24, 3)  # flow_from_directory resizes to target_size


def reason(code: str) -> str | None:
    (graph,) = analyze(cst.parse_module(code)).models.graphs()
    return graph.inputs[0].node.unknown_reason


UNDECLARED = "input shape unknown: the model declares none (`keras.Input(...)` or `input_shape=`)"


def test_unknown_data_is_named_with_where_it_came_from() -> None:
    code = HEAD + "t = np.loadtxt('FordA_TRAIN.tsv', delimiter='\\t')\n" + MODEL + "model.fit(t[:, 1:], t[:, 0])\n"
    assert reason(code) == (f"{UNDECLARED}, and is first fed `t[:, 1:]` (fit), whose shape keraslint could not "
                            "determine (it comes from np.loadtxt('FordA_TRAIN.tsv'))")
    code = HEAD + "ds = tf.data.TFRecordDataset('f.tfrecord').batch(8)\n" + MODEL + "model.fit(ds)\n"
    assert reason(code) == (f"{UNDECLARED}, and is first fed `ds` (fit), whose shape keraslint could not "
                            "determine (a tf.data dataset whose elements keraslint could not determine)")


def test_reasons_that_stay_plain() -> None:
    # never fed; applied to a symbolic tensor (a model used as a layer); fed before layers are added
    assert reason(HEAD + MODEL) == UNDECLARED
    code = HEAD + "model = keras.Sequential([layers.Dense(2)])\ny = model(keras.Input((4,)))\n"
    assert reason(code) == UNDECLARED
    code = HEAD + "model = keras.Sequential()\nmodel.predict(data)\nmodel.add(layers.Dense(2))\n"
    assert reason(code) == UNDECLARED


def test_later_known_data_still_builds_the_model() -> None:
    code = HEAD + MODEL + "model.predict(data)\nmodel.fit(np.zeros((4, 3, 2), 'float32'), np.zeros((4, 2)))\n"
    assert ours(code) == (None, 3, 2)
