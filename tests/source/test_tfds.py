"""tensorflow_datasets: tfds.load / tfds.builder(...).as_dataset from the catalog, and the
pipelines scripts build on them."""

from __future__ import annotations

import pytest

from keraslint.checker import check_source
from keraslint.source import tf_data, tfds_catalog
from keraslint.source.values import Array, ListValue, Obj
from keraslint.values import UNKNOWN

from . import run

HEAD = "import tensorflow as tf\nimport tensorflow_datasets as tfds\n"


def spec(value: object) -> object:
    if isinstance(value, Array):
        return value.shape, value.dtype
    if isinstance(value, tuple):
        return tuple(spec(v) for v in value)
    if isinstance(value, dict):
        return {k: spec(v) for k, v in value.items()}
    return value


def element(value: object) -> tuple[object, object, object]:
    """(element spec, batched, batch) of a dataset."""
    assert isinstance(value, Obj) and value.type == tf_data.DATASET, value
    return spec(value.data["element"]), value.data["batched"], value.data.get("batch")


MNIST_PAIR = (((28, 28, 1), "uint8"), ((), "int64"))


def test_one_split_as_supervised_is_an_unbatched_image_label_pair() -> None:
    found = run(HEAD + "ds = tfds.load('mnist', split='train', as_supervised=True)\n")
    assert element(found["ds"]) == (MNIST_PAIR, False, None)
    image, label = found["ds"].data["element"]
    assert (image.scaled, label.one_hot, image.source) == (False, False, "tfds.load('mnist')")


def test_without_as_supervised_the_element_is_the_features_dict() -> None:
    found = run(HEAD + "ds = tfds.load('cifar10', split='test')\n")
    assert element(found["ds"]) == ({"id": ((), "string"), "image": ((32, 32, 3), "uint8"),
                                     "label": ((), "int64")}, False, None)


@pytest.mark.parametrize(("split", "kind"), [
    ("['train[:80%]', 'train[80%:90%]', 'train[90%:]']", ListValue),
    ("('train[:60%]', 'train[60%:]', 'test')", tuple),
    ("[tfds.Split.TRAIN, tfds.Split.TEST]", ListValue),
])
def test_a_list_of_splits_gives_one_dataset_each(split: str, kind: type) -> None:
    found = run(HEAD + f"result = tfds.load('mnist', split={split}, as_supervised=True)\n")
    result = found["result"]
    assert isinstance(result, kind)
    items = result.items if isinstance(result, ListValue) else result
    assert len(items) == split.count(",") + 1
    assert all(element(d) == (MNIST_PAIR, False, None) for d in items)


def test_no_split_gives_every_split_by_name() -> None:
    found = run(HEAD + "data = tfds.load('cycle_gan/horse2zebra', as_supervised=True)\nh = data['trainA']\n")
    assert set(found["data"]) == {"trainA", "trainB", "testA", "testB"}
    assert element(found["h"]) == ((((None, None, 3), "uint8"), ((), "int64")), False, None)


def test_with_info_gives_the_info_with_classes_and_example_counts() -> None:
    found = run(HEAD + "(train, test), info = tfds.load('tf_flowers', split=['train[:80%]', 'train[80%:]'],"
                       " with_info=True, as_supervised=True)\n"
                       "classes = info.features['label'].num_classes\n"
                       "count = info.splits['train'].num_examples\n"
                       "shape = info.features['image'].shape\n"
                       "part = info.splits['train[:80%]']\n")
    assert (found["classes"], found["count"], found["shape"]) == (5, 3670, (None, None, 3))
    assert found["part"] is UNKNOWN  # a sub-split's count is not catalogued
    assert element(found["train"])[0] == (((None, None, 3), "uint8"), ((), "int64"))


def test_batch_size_batches_the_dataset() -> None:
    found = run(HEAD + "ds = tfds.load('imdb_reviews', split='train[:80%]', batch_size=64, as_supervised=True)\n"
                       "whole = tfds.load('mnist', split='test', batch_size=-1)\n")
    assert element(found["ds"]) == ((((), "string"), ((), "int64")), True, 64)
    assert element(found["whole"])[1:] == (True, UNKNOWN)


@pytest.mark.parametrize(("name", "features"), [
    ("'penguins/processed'", {"features": ((4,), "float32"), "species": ((), "int64")}),
    ("'penguins'", {"features": ((4,), "float32"), "species": ((), "int64")}),  # the default config
    ("'mnist:3.0.1'", {"image": ((28, 28, 1), "uint8"), "label": ((), "int64")}),
    ("'oxford_iiit_pet:3.*.*'", {"file_name": ((), "string"), "image": ((None, None, 3), "uint8"),
                                 "label": ((), "int64"), "segmentation_mask": ((None, None, 1), "uint8"),
                                 "species": ((), "int64")}),
])
def test_configs_and_versions(name: str, features: dict) -> None:
    found = run(HEAD + f"ds = tfds.load({name}, split='train')\n")
    assert element(found["ds"])[0] == features


def test_the_truth_of_as_supervised_is_the_value_tfds_tests() -> None:
    found = run(HEAD + "a, b = tfds.load('caltech101', split=['train', 'test'], as_supervised='true')\n")
    assert element(found["a"])[0] == (((None, None, 3), "uint8"), ((), "int64"))


def test_supervised_keys_may_be_a_dict_of_features() -> None:
    found = run(HEAD + "ds = tfds.load('penguins/simple', split='train', as_supervised=True)\n")
    inputs, target = element(found["ds"])[0]
    assert set(inputs) == {"body_mass_g", "culmen_depth_mm", "culmen_length_mm", "flipper_length_mm",
                           "island", "sex", "species"}
    assert target == ((), "int64")


def test_builder_as_dataset() -> None:
    found = run(HEAD + "builder = tfds.builder('stl10')\nbuilder.download_and_prepare()\n"
                       "ds = builder.as_dataset(split='unlabelled', as_supervised=True, batch_size=16)\n"
                       "classes = builder.info.features['label'].num_classes\n")
    assert element(found["ds"]) == ((((96, 96, 3), "uint8"), ((), "int64")), True, 16)
    assert found["classes"] == 10


@pytest.mark.parametrize("call", [
    "tfds.load('my_private_dataset', split='train')",         # not in the catalog
    "tfds.load('mnist:9.*.*', split='train')",                # a version not catalogued
    "tfds.load('cycle_gan', split='trainA')",                 # a config not catalogued
    "tfds.load('mnist', split='validation')",                 # a split mnist does not have
    "tfds.load('mnist', split='train[::2]')",                 # not TFDS's split syntax
    "tfds.load('mnist', split=tfds.even_splits('train', n=2))",
    "tfds.load('mnist', split=name)",                         # a split not known here
    "tfds.load(name, split='train')",
    "tfds.load('mnist', split='train', decoders={'image': tfds.decode.SkipDecoding()})",
    "tfds.load('mnist', split='train', read_config=tfds.ReadConfig(add_tfds_id=True))",
    "tfds.load('mnist', split='train', with_info=flag)",
    "tfds.load('mnist', split='train', **options)",
    "tfds.builder('mnist', config='other').as_dataset(split='train')",
    "tfds.load('iris', split='train', as_supervised=flag)",
    "tfds.load('mnist', 'train')",                            # split is keyword-only: TFDS raises
])
def test_what_is_not_known_stays_unknown(call: str) -> None:
    found = run(HEAD + f"ds = {call}\n")
    value = found["ds"]
    assert value is UNKNOWN or element(value)[0] is UNKNOWN


def test_an_unread_batch_size_leaves_batching_unknown() -> None:
    found = run(HEAD + "ds = tfds.load('mnist', split='train', batch_size=size)\n")
    assert element(found["ds"]) == (UNKNOWN, None, None)


def test_the_common_pipelines_keep_the_shapes() -> None:
    found = run(HEAD + """
IMG = 128
def preprocess(image, label):
    image = tf.image.resize(image, (IMG, IMG))
    return tf.cast(image, tf.float32) / 255.0, label
def from_dict(sample):
    return tf.cast(sample["image"], tf.float32) / 255.0, sample["label"]
a = (tfds.load('tf_flowers', split='train', as_supervised=True)
     .map(lambda x, y: (tf.image.resize(x, (IMG, IMG)), y)).shuffle(100).batch(32).prefetch(2))
b = tfds.load('cats_vs_dogs', split='train', as_supervised=True).map(preprocess).cache().batch(8)
c = tfds.load('mnist', split='test').map(from_dict).batch(16)
resize_and_rescale = tf.keras.Sequential([tf.keras.layers.Resizing(64, 64), tf.keras.layers.Rescaling(1 / 255)])
d = (tfds.load('horses_or_humans', split='train', as_supervised=True)
     .map(lambda x, y: (resize_and_rescale(x), y)).batch(4))
""")
    assert element(found["a"]) == ((((128, 128, 3), "float32"), ((), "int64")), True, 32)
    assert element(found["b"]) == ((((128, 128, 3), "float32"), ((), "int64")), True, 8)
    assert element(found["c"]) == ((((28, 28, 1), "float32"), ((), "int64")), True, 16)
    assert found["c"].data["element"][0].scaled is True
    assert element(found["d"])[0][0][0] == (64, 64, 3)


def test_catalog_lookup() -> None:
    assert tfds_catalog.lookup("emnist").features["label"].num_classes == 62  # byclass, the default
    assert tfds_catalog.lookup("oxford_iiit_pet").version == "4.0.0"
    assert "head_bbox" not in tfds_catalog.lookup("oxford_iiit_pet:3.2.0").features
    assert tfds_catalog.lookup("oxford_iiit_pet:3.1.*") is None
    assert tfds_catalog.lookup("coco/2017") is None


def test_every_supervised_key_is_a_feature() -> None:
    for name, specs in tfds_catalog.CATALOG.items():
        for s in specs:
            if s.supervised is not None:
                inputs, target = s.supervised
                keys = set(inputs.values()) if isinstance(inputs, dict) else {inputs}
                assert keys | {target} <= set(s.features), name
            assert s.splits, name


MODEL = """
import tensorflow as tf
import tensorflow_datasets as tfds
from tensorflow import keras

train = tfds.load("mnist", split="train", as_supervised=True)
train = train.map(lambda x, y: (tf.cast(x, tf.float32) / 255.0, y)).batch(32)
model = keras.Sequential([
    keras.layers.Conv2D(8, 3, activation="relu", input_shape={shape}),
    keras.layers.Flatten(),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(train, epochs=1)
"""


def test_a_wrong_input_shape_for_tfds_mnist_is_kl201() -> None:
    report = check_source(MODEL.format(shape="(28, 28, 3)"), "t.py", selected={"KL201", "KL202"})
    assert [d.code for d in report.diagnostics] in (["KL201"], ["KL202"])
    wrong = check_source(MODEL.format(shape="(32, 32, 1)"), "t.py", selected={"KL201", "KL202"})
    assert [d.code for d in wrong.diagnostics] == ["KL201"]


def test_the_right_input_shape_for_tfds_mnist_is_clean() -> None:
    report = check_source(MODEL.format(shape="(28, 28, 1)"), "t.py", selected={"KL201", "KL202", "KL205"})
    assert report.diagnostics == []


def test_a_cyclegan_pipeline_random_crop_ops_cast_and_zip() -> None:
    found = run(HEAD + """
from keras import ops
def preprocess(img, label):
    img = tf.image.random_flip_left_right(img)
    img = tf.image.resize(img, [286, 286])
    img = tf.image.random_crop(img, size=[256, 256, 3])
    return ops.cast(img, dtype="float32") / 127.5 - 1.0
data = tfds.load("cycle_gan/horse2zebra", as_supervised=True)
horses = data["trainA"].map(preprocess).cache().shuffle(256).batch(1)
zebras = data["trainB"].map(preprocess).cache().shuffle(256).batch(1)
pairs = tf.data.Dataset.zip((horses, zebras))
""")
    image = ((256, 256, 3), "float32")
    assert element(found["pairs"]) == ((image, image), True, 1)


def test_every_import_spelling_reaches_the_same_function() -> None:
    found = run("import tensorflow_datasets\nfrom tensorflow_datasets import load, builder as make\n"
                "a = tensorflow_datasets.load('mnist', split='test', as_supervised=True)\n"
                "b = load('mnist', split='test', as_supervised=True)\n"
                "c = make('mnist').as_dataset(split='test', as_supervised=True)\n")
    assert all(element(found[k]) == (MNIST_PAIR, False, None) for k in "abc")


SUBCLASS = """
import numpy as np
import keras

class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.conv = keras.layers.Conv2D(4, 3)
        self.pool = keras.layers.GlobalAveragePooling2D()
        self.head = keras.layers.Dense(2)

    def call(self, images):
        return self.head(self.pool(self.conv(images)))

model = Net()
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(np.zeros((4, 24, 24, 3), "float32"), np.zeros(4, "int32"), verbose=0)
result = model.evaluate(np.zeros((4, 38, 38, 3), "float32"), np.zeros(4, "int32"), verbose=0)
"""


def test_a_subclassed_model_built_on_its_first_data_takes_other_sizes_its_layers_take() -> None:
    # as bit.py does: trained on random crops, evaluated on the resized images
    report = check_source(SUBCLASS, "t.py", selected={"KL201", "KL202"})
    assert report.diagnostics == []
    import os

    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    scope: dict = {}
    exec(SUBCLASS, scope)  # noqa: S102 - Keras trains and evaluates it
    assert "result" in scope
