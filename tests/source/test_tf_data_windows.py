"""tf.data ``window``/``flat_map``: the element shapes keraslint gives, checked against TensorFlow.

keraslint gives tf.data's ``element_spec`` (the shapes Keras traces a model with and checks
its declared input against), axis for axis; the batch axis of a batched dataset, which
keraslint leaves None, may be concrete in the spec. The elements TensorFlow produces must fit.
"""

from __future__ import annotations

import numpy as np
import pytest

from keraslint.source.values import Array, Obj
from keraslint.values import UNKNOWN

from . import run

HEAD = "import numpy as np\nimport tensorflow as tf\n"
DATA = "x = np.zeros((23, 3), 'float32')\ny = np.arange(23)\n"


def _ours(code: str) -> Obj:
    value = run(HEAD + DATA + code)["ds"]
    assert isinstance(value, Obj) and value.type == "tensorflow.data.Dataset", value
    return value


def _theirs(code: str) -> object:
    import tensorflow as tf

    scope: dict = {"tf": tf, "np": np}
    exec(compile(DATA + code, "<test>", "exec"), scope)  # noqa: S102 - code written by this test
    return scope["ds"]


def _leaves(value: object) -> list:
    if isinstance(value, (tuple, list)):
        return [leaf for part in value for leaf in _leaves(part)]
    if isinstance(value, dict):
        return [leaf for key in sorted(value) for leaf in _leaves(value[key])]
    return [value]


PIPELINES = [
    # the time-series idiom: windows of 10 rows, each batched whole
    "ds = tf.data.Dataset.from_tensor_slices(x).window(10, shift=1, drop_remainder=True)"
    ".flat_map(lambda w: w.batch(10))",
    "ds = tf.data.Dataset.from_tensor_slices(x).window(10, shift=1, drop_remainder=True)"
    ".flat_map(lambda w: w.batch(10)).map(lambda w: (w[:-1], w[-1:]))",
    "ds = tf.data.Dataset.from_tensor_slices(x).window(10, shift=1, drop_remainder=True)"
    ".flat_map(lambda w: w.batch(10)).map(lambda w: (w[:-1], w[-1:])).batch(4)",
    "ds = tf.data.Dataset.from_tensor_slices(x).window(10, 2, 1, True).flat_map(lambda w: w.batch(10))",
    "ds = tf.data.Dataset.from_tensor_slices(x).window(6, shift=3, stride=2, drop_remainder=True)"
    ".flat_map(lambda w: w.batch(6))",
    # a batch larger than the window, or one that divides it
    "ds = tf.data.Dataset.from_tensor_slices(x).window(4, drop_remainder=True).flat_map(lambda w: w.batch(9))",
    "ds = tf.data.Dataset.from_tensor_slices(x).window(10, drop_remainder=True).flat_map(lambda w: w.batch(5))",
    # one that does not
    "ds = tf.data.Dataset.from_tensor_slices(x).window(10, drop_remainder=True).flat_map(lambda w: w.batch(3))",
    # short windows at the end (drop_remainder=False)
    "ds = tf.data.Dataset.from_tensor_slices(x).window(10, shift=1).flat_map(lambda w: w.batch(10))",
    "ds = tf.data.Dataset.from_tensor_slices(x).window(10, shift=1)"
    ".flat_map(lambda w: w.batch(10, drop_remainder=True))",
    "ds = tf.data.Dataset.from_tensor_slices(x).window(5, drop_remainder=True).flat_map(lambda w: w)",
    "ds = tf.data.Dataset.from_tensor_slices(x).window(10, shift=1, drop_remainder=True)"
    ".flat_map(lambda w: w.batch(10, drop_remainder=True)).map(lambda w: (w[:-1], w[-1:])).batch(4)",
    "ds = tf.data.Dataset.from_tensor_slices((x, y)).window(5, shift=1, drop_remainder=True)"
    ".flat_map(lambda a, b: tf.data.Dataset.zip((a.batch(5, drop_remainder=True), b.batch(5, drop_remainder=True))))",
    # (features, label) windows: each component is a dataset, the function gets them unpacked
    "ds = tf.data.Dataset.from_tensor_slices((x, y)).window(5, shift=1, drop_remainder=True)"
    ".flat_map(lambda a, b: tf.data.Dataset.zip((a.batch(5), b.batch(5))))",
    "ds = tf.data.Dataset.from_tensor_slices((x, y)).window(5, shift=1, drop_remainder=True)"
    ".flat_map(lambda a, b: a.batch(5))",
    # windows of batches
    "ds = tf.data.Dataset.from_tensor_slices(x).batch(4, drop_remainder=True).window(2, drop_remainder=True)"
    ".flat_map(lambda w: w.batch(2))",
    # a named function, and flat_map that is not over windows
    "def seq(w):\n    return w.batch(8, drop_remainder=True)\n"
    "ds = tf.data.Dataset.from_tensor_slices(x).window(8, shift=4).flat_map(seq).batch(2)",
    "ds = tf.data.Dataset.from_tensor_slices(x).batch(5).flat_map(lambda b: tf.data.Dataset.from_tensor_slices(b))",
    # interleave: flat_map's elements in another order
    "ds = tf.data.Dataset.from_tensor_slices(x).window(6, shift=2, drop_remainder=True)"
    ".interleave(lambda w: w.batch(6, drop_remainder=True), cycle_length=2)",
    "ds = tf.data.Dataset.from_tensor_slices(x).batch(5).interleave(lambda b: tf.data.Dataset.from_tensor_slices(b), "
    "cycle_length=3, block_length=2, num_parallel_calls=tf.data.AUTOTUNE)",
    # batches of batches: the inner axis is known only when its remainder was dropped
    "ds = tf.data.Dataset.from_tensor_slices(x).batch(4, drop_remainder=True).batch(2)",
    "ds = tf.data.Dataset.from_tensor_slices(x).take(20).batch(4).batch(5)",
    "ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(3, drop_remainder=True).batch(2, drop_remainder=True)",
]


@pytest.mark.parametrize("code", PIPELINES)
def test_window_flat_map_shapes_are_tensorflow_element_spec(code: str) -> None:
    ours = _ours(code + "\n")
    real = _theirs(code + "\n")
    element = ours.data["element"]
    batched = ours.data["batched"]
    ours_leaves, spec_leaves = _leaves(element), _leaves(real.element_spec)
    assert len(ours_leaves) == len(spec_leaves)
    produced = [_leaves(item) for item in real.as_numpy_iterator()]
    assert produced, "the pipeline should produce elements"
    for index, (mine, spec) in enumerate(zip(ours_leaves, spec_leaves)):
        assert isinstance(mine, Array) and mine.shape is not None, (code, element)
        assert mine.dtype == spec.dtype.name
        expected = tuple(spec.shape)[1:] if batched else tuple(spec.shape)
        assert mine.shape == expected, (code, mine.shape, spec.shape)
        shape = (None, *mine.shape) if batched else mine.shape
        for item in produced:
            actual = item[index].shape
            assert len(actual) == len(shape) and all(o is None or o == a for o, a in zip(shape, actual))


def test_the_idiom_length_keras_does_not_check_is_unknown() -> None:
    """Every element of the idiom has 10 rows, but element_spec says None, and so Keras traces
    the model: a model declared for 11 rows (an LSTM) trains. keraslint gives the spec."""
    code = ("ds = tf.data.Dataset.from_tensor_slices(x).window(10, shift=1, drop_remainder=True)"
            ".flat_map(lambda w: w.batch(10))\n")
    assert tuple(_theirs(code).element_spec.shape) == (None, 3)
    assert {item.shape for item in _theirs(code).as_numpy_iterator()} == {(10, 3)}
    assert _ours(code).data["element"].shape == (None, 3)


@pytest.mark.parametrize("code", [
    "ds = tf.data.Dataset.from_tensor_slices(x).window(10, drop_remainder=True).flat_map(parse)",
    "ds = tf.data.Dataset.from_tensor_slices(x).window(10, drop_remainder=True).flat_map(lambda w: w.take(3).batch(3))",
    "ds = tf.data.Dataset.from_tensor_slices(x).window(n, drop_remainder=True).flat_map(lambda w: w.batch(10))",
    "ds = tf.data.Dataset.from_tensor_slices(x).window(10, drop_remainder=d).flat_map(lambda w: w.batch(10))",
    "ds = tf.data.Dataset.from_tensor_slices(x).window(10, drop_remainder=True).flat_map(lambda w: w.batch(k))",
    "ds = tf.data.TFRecordDataset('f').window(10, drop_remainder=True).flat_map(lambda w: w.batch(10))",
])
def test_what_is_not_followed_is_never_a_concrete_length(code: str) -> None:
    element = _ours(code + "\n").data["element"]
    assert element is UNKNOWN or isinstance(element, Array) and (element.shape is None or element.shape[0] is None)


def test_window_elements_are_datasets() -> None:
    ours = _ours("ds = tf.data.Dataset.from_tensor_slices((x, y)).window(4, drop_remainder=True)\n")
    first, second = ours.data["element"]
    assert first.type == second.type == "tensorflow.data.Dataset"
    assert first.data["element"].shape == (3,) and second.data["element"].shape == ()
    assert ours.data["batched"] is False


def test_a_window_of_size_zero_is_unknown() -> None:
    assert _ours("ds = tf.data.Dataset.from_tensor_slices(x).window(0)\n").data["element"] is UNKNOWN


@pytest.mark.parametrize(("code", "expected"), [
    ("ds = tf.data.Dataset.from_tensor_slices(x).window(10, shift=1, drop_remainder=True)"
     ".flat_map(lambda w: w.batch(10, drop_remainder=True)).map(lambda w: (w[:-1], w[-1:])).batch(4)",
     ((9, 3), (1, 3))),
    ("ds = tf.data.Dataset.from_tensor_slices(x).window(10, shift=1, drop_remainder=True)"
     ".flat_map(lambda w: w.batch(10)).map(lambda w: (w[:-1], w[-1:])).batch(4)", ((None, 3), (None, 3))),
    ("ds = tf.data.Dataset.from_tensor_slices((x, y)).window(5, shift=1, drop_remainder=True)"
     ".flat_map(lambda a, b: tf.data.Dataset.zip((a.batch(5, drop_remainder=True), b.batch(5, drop_remainder=True))))",
     ((5, 3), (5,))),
    ("ds = tf.data.Dataset.from_tensor_slices(x).window(10).flat_map(lambda w: w.batch(10))", (None, 3)),
])
def test_the_shapes_keraslint_gives(code: str, expected: tuple) -> None:
    element = _ours(code + "\n").data["element"]
    shapes = tuple(part.shape for part in element) if isinstance(element, tuple) else element.shape
    assert shapes == expected
