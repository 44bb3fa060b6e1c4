"""The TF1 tutorial loader ``input_data.read_data_sets`` (keraslint/source/tf1_sources.py).

The module is gone from TensorFlow 2, so these shapes follow its documented behaviour
(TF 1.x ``tensorflow/contrib/learn/python/learn/datasets/mnist.py``): 60000 training rows of
which ``validation_size`` (5000) go to validation, 10000 test rows, images ``(N, 784)`` float32
in [0, 1], labels ``(N, 10)`` float64 one-hot or ``(N,)`` uint8.
"""

from __future__ import annotations

import pytest

from . import run

HEAD = "import tensorflow as tf\nfrom tensorflow.examples.tutorials.mnist import input_data\n"


def _values(call: str, *names: str) -> list:
    values = run(HEAD + f"mnist = {call}\n" + "".join(f"{n} = mnist.{n.replace('_', '.')}\n" for n in names))
    return [values[n] for n in names]


def test_one_hot_labels_and_flat_images() -> None:
    images, labels, test_labels = _values('input_data.read_data_sets("MNIST_data/", one_hot=True)',
                                          "train_images", "train_labels", "test_labels")
    assert (images.shape, images.dtype, images.scaled) == ((55000, 784), "float32", True)
    assert (labels.shape, labels.dtype, labels.one_hot) == ((55000, 10), "float64", True)
    assert test_labels.shape == (10000, 10)


def test_class_index_labels_without_one_hot() -> None:
    (labels,) = _values('input_data.read_data_sets("MNIST_data/")', "validation_labels")
    assert (labels.shape, labels.dtype, labels.one_hot) == ((5000,), "uint8", False)


def test_unflattened_raw_images_and_no_validation_split() -> None:
    (images,) = _values('input_data.read_data_sets("d", reshape=False, validation_size=0, dtype=tf.uint8)',
                        "train_images")
    assert (images.shape, images.dtype, images.scaled) == ((60000, 28, 28, 1), "uint8", False)


def test_next_batch_and_num_examples() -> None:
    values = run(HEAD + 'mnist = input_data.read_data_sets("d", one_hot=True)\n'
                 "xs, ys = mnist.train.next_batch(128)\nn = mnist.train.num_examples\n")
    assert values["xs"].shape == (128, 784)
    assert values["ys"].shape == (128, 10)
    assert values["n"] == 55000


@pytest.mark.parametrize("call", [
    'input_data.read_data_sets("d", one_hot=flag)',
    'input_data.read_data_sets("d", validation_size=size)',
])
def test_unknown_arguments_leave_the_shapes_unknown(call: str) -> None:
    values = run("import sys\nflag = sys.argv == []\nsize = len(sys.argv)\n" + HEAD
                 + f"mnist = {call}\nx = mnist.train.labels\ny = mnist.train.images\n")
    assert values["x"].shape is None or values["y"].shape[0] is None
