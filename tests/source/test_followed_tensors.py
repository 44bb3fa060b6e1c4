"""Tensors keraslint used to lose inside plain Keras code (issue 9's coverage): a reshape sized
by ``tf.shape(x)[0]``, ``tf.floor`` in a stochastic-depth layer, NumPy's arithmetic ufuncs as
functions, ``list(array)``. Each now has the shape Keras gives (tests/graph/
test_followed_tensors_oracle.py compares them with Keras); what keraslint cannot know stays
unknown, never a number."""

from __future__ import annotations

import libcst as cst

from keraslint.graph.propagate import analyze_model
from keraslint.source.analysis import analyze

from . import run

HEADER = """
import sys
import numpy as np
import keras
import tensorflow as tf
from keras import layers, ops
"""

#: DDPM's attention block: the attention map reshaped by sizes read from tf.shape(inputs)
ATTENTION = """
class AttentionBlock(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.norm = layers.GroupNormalization(groups=8)
        self.query = layers.Dense(units)
        self.key = layers.Dense(units)
        self.value = layers.Dense(units)
        self.proj = layers.Dense(units)

    def call(self, inputs):
        batch_size = tf.shape(inputs)[0]
        height = tf.shape(inputs)[1]
        width = tf.shape(inputs)[2]
        scale = tf.cast(self.units, tf.float32) ** (-0.5)
        inputs = self.norm(inputs)
        q, k, v = self.query(inputs), self.key(inputs), self.value(inputs)
        attn_score = tf.einsum("bhwc, bHWc->bhwHW", q, k) * scale
        attn_score = tf.reshape(attn_score, [batch_size, height, width, height * width])
        attn_score = tf.nn.softmax(attn_score, -1)
        attn_score = tf.reshape(attn_score, [batch_size, height, width, height, width])
        proj = tf.einsum("bhwHW,bHWc->bhwc", attn_score, v)
        return inputs + self.proj(proj)

inputs = keras.Input((8, 8, 16))
model = keras.Model(inputs, layers.Conv2D(4, 3)(AttentionBlock(16)(inputs)))
"""

#: DeiT's stochastic depth: a per-sample mask of shape (batch, 1, 1) floored
STOCHASTIC_DEPTH = """
class StochasticDepth(layers.Layer):
    def __init__(self, drop_prop, **kwargs):
        super().__init__(**kwargs)
        self.drop_prob = drop_prop

    def call(self, x, training=True):
        if training:
            keep_prob = 1 - self.drop_prob
            shape = (tf.shape(x)[0],) + (1,) * (len(x.shape) - 1)
            random_tensor = keep_prob + tf.random.uniform(shape, 0, 1)
            random_tensor = tf.floor(random_tensor)
            return (x / keep_prob) * random_tensor
        return x

inputs = keras.Input((10, 16))
x = StochasticDepth(0.1)(layers.Dense(16)(inputs))
model = keras.Model(inputs, layers.Add()([x, inputs]))
"""

#: a sequence of any length split into heads by the sizes ops.shape gives: both Nones are Keras's own
DYNAMIC_RESHAPE = """
inputs = keras.Input((None, 8))
x = layers.Dense(8)(inputs)
x = ops.reshape(x, (ops.shape(x)[0], ops.shape(x)[1], 2, 4))
model = keras.Model(inputs, layers.Dense(3)(x))
"""

#: the time-series tutorial's last-step baseline: the last step repeated, in a functional model
TILE = """
inputs = keras.Input((6, 4))
x = layers.Dense(4)(inputs)
model = keras.Model(inputs, layers.Dense(2)(ops.tile(x[:, -1:, :], [1, 24, 1])))
"""

#: keras.io's collaborative filtering: tensordot(axes=2) of two (batch, dims) embeddings contracts
#: the batch too (a scalar, broadcast back against the biases); tensordot with axis lists; and
#: tf.tensordot inside a custom layer
TENSORDOT = """
class Bilinear(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.proj = layers.Dense(6)

    def call(self, a, b):
        return tf.tensordot(self.proj(a), b, axes=[[2], [2]])

ids = keras.Input((2,), dtype="int32")
user = layers.Embedding(10, 8)(ids[:, 0])
movie = layers.Embedding(12, 8)(ids[:, 1])
rating = ops.sigmoid(ops.tensordot(user, movie, 2) + layers.Embedding(10, 1)(ids[:, 0]))
seq = keras.Input((5, 4))
other = keras.Input((3, 6))
pairs = ops.tensordot(layers.Dense(6)(seq), other, axes=([2], [2]))
model = keras.Model([ids, seq, other], [rating, pairs, Bilinear()(seq, other)])
"""


def _model(code: str):
    (graph,) = analyze(cst.parse_module(HEADER + code)).models.graphs()
    return analyze_model(graph)


def _reasons(model) -> list[str]:
    """Everything keraslint says it could not determine about the model."""
    return [*model.graph.unknown, *(r.reason for r in model.results.values() if r.reason)]


def test_a_reshape_sized_by_tf_shape_has_the_shape_keras_gives() -> None:
    model = _model(ATTENTION)
    assert _reasons(model) == []
    assert model.output_shapes() == [(None, 6, 6, 4)]
    assert model.total_params() == 1700


def test_the_batch_and_a_dynamic_axis_in_a_new_shape_stay_kerass_none_not_unknown() -> None:
    model = _model(DYNAMIC_RESHAPE)
    assert _reasons(model) == []
    assert model.output_shapes() == [(None, None, 2, 3)]
    assert not any(model.output_blind()[0])


def test_a_size_keraslint_does_not_know_leaves_the_reshape_unknown() -> None:
    model = _model("""
inputs = keras.Input((8, 8))
x = ops.reshape(inputs, (ops.shape(inputs)[0], int(sys.argv[1]), 64 // int(sys.argv[1])))
model = keras.Model(inputs, layers.Dense(3)(x))
""")
    assert model.output_shapes() == [None] or None in model.output_shapes()[0][1:]
    assert _reasons(model)


def test_a_floored_random_mask_keeps_the_shape_of_what_it_masks() -> None:
    model = _model(STOCHASTIC_DEPTH)
    assert _reasons(model) == []
    assert model.output_shapes() == [(None, 10, 16)]


def test_numpy_ufuncs_called_as_functions_are_their_operators() -> None:
    found = run(HEADER + """
x = np.zeros((60000, 28, 28), dtype=np.uint8)
a = np.divide(x, 255.0)
b = np.add(x, 1)
c = np.multiply(x, np.ones((28,)))
d = np.divide(x, 255.0, out=None)
""")
    assert (found["a"].shape, found["a"].dtype) == ((60000, 28, 28), "float64")
    assert found["b"].shape == found["c"].shape == (60000, 28, 28)
    assert getattr(found["d"], "shape", None) is None  # out= changes what it returns: not modelled


def test_list_of_an_array_gives_its_rows() -> None:
    found = run(HEADER + """
bags = [np.zeros((3, 28, 28)) for _ in range(10)]
data = list(np.swapaxes(bags, 0, 1))
first = data[0]
rows = tuple(np.zeros((2, 5)))
many = list(np.zeros((100000, 5)))
""")
    assert len(found["data"].items) == 3 and found["first"].shape == (10, 28, 28)
    assert [r.shape for r in found["rows"]] == [(5,), (5,)]
    assert getattr(found["many"], "items", None) is None  # too many rows to list one by one: unknown


def test_a_tiled_tensor_has_the_shape_keras_gives() -> None:
    model = _model(TILE)
    assert _reasons(model) == []
    assert model.output_shapes() == [(None, 24, 2)]


def test_tf_tile_in_a_subclassed_models_call_is_followed() -> None:
    """The tutorial's MultiStepLastBaseline: a model with no layer, only tf.tile."""
    (graph,) = analyze(cst.parse_module(HEADER + """
class MultiStepLastBaseline(keras.Model):
    def call(self, inputs):
        return tf.tile(inputs[:, -1:, :], [1, 24, 1])

model = MultiStepLastBaseline()
model.compile(loss="mse")
model.evaluate(np.zeros((10, 6, 4)), np.zeros((10, 24, 4)))
""")).models.graphs()
    assert analyze_model(graph).output_shapes() == [(None, 24, 4)]


def test_tf_tile_with_one_multiple_short_is_unknown_not_guessed() -> None:
    """TensorFlow wants one multiple per axis (NumPy's padding is keras.ops.tile's rule only)."""
    model = _model("""
inputs = keras.Input((6, 4))
model = keras.Model(inputs, tf.tile(layers.Dense(4)(inputs), [2, 1]))
""")
    assert model.output_shapes() == [None]
    assert _reasons(model)


def test_a_call_not_followed_on_data_of_unknown_shape_says_so() -> None:
    """The tutorial's Baseline indexes its input by a column read from a CSV and is fed a dataset
    keraslint cannot size: the reason names that data, not only the call."""
    (graph,) = analyze(cst.parse_module(HEADER + """
import pandas as pd
df = pd.read_csv(sys.argv[1])
column = {name: i for i, name in enumerate(df.columns)}["T"]

class Baseline(keras.Model):
    def __init__(self, label_index=None):
        super().__init__()
        self.label_index = label_index
    def call(self, inputs):
        if self.label_index is None:
            return inputs
        return inputs[:, :, self.label_index][:, :, tf.newaxis]

baseline = Baseline(label_index=column)
baseline.compile(loss="mse")
baseline.evaluate(tf.data.Dataset.from_tensor_slices(df.values).window(24))
""")).models.graphs()
    model = analyze_model(graph)
    assert model.output_shapes() in ([], [None])
    (reason,) = graph.unknown
    assert "on an input of unknown shape" in reason and "`tf.data.Dataset.from_tensor_slices" in reason


def test_tensordot_has_the_shape_keras_gives() -> None:
    model = _model(TENSORDOT)
    assert _reasons(model) == []
    assert model.output_shapes() == [(None, 1), (None, 5, None, 3), (None, 5, None, 3)]


def test_tensordot_of_contracted_sizes_that_differ_is_reported_not_guessed() -> None:
    model = _model("""
inputs = keras.Input((5, 4))
model = keras.Model(inputs, ops.tensordot(layers.Dense(6)(inputs), layers.Dense(3)(inputs), axes=([2], [2])))
""")
    assert model.output_shapes() == [None]
    (error,) = [r.error for r in model.results.values() if r.error is not None]
    assert "contracted sizes differ" in error.message and "(6 vs 3)" in error.message


def test_tf_tensordot_needs_its_axes() -> None:
    model = _model("""
class Dot(layers.Layer):
    def call(self, a):
        return tf.tensordot(a, a)

inputs = keras.Input((5, 4))
model = keras.Model(inputs, Dot()(inputs))
""")
    assert model.output_shapes() == [None]
