"""Subclassed models and custom layers the corpus writes and keraslint used not to follow (issue 9,
coverage): models that compute with weights of their own, TensorFlow NumPy in a layer's call,
``zip``/``enumerate`` over the layers and weights a class keeps in lists. Each is followed to known
shapes, reaches the rules, and a correct one gives no finding."""

from __future__ import annotations

import libcst as cst

from keraslint.checker import check_source
from keraslint.graph.propagate import analyze_model
from keraslint.registry import all_rules
from keraslint.source.analysis import analyze

ALL = {r.code for r in all_rules()}

HEADER = """
import numpy as np
import keras
import tensorflow as tf
import tensorflow.experimental.numpy as tnp
from keras import layers
"""

#: a model with weights of its own and no Keras layer (keras.io: tensorflow_numpy_models.py)
TNP_NET = """
class TNPNet(keras.Model):
    def __init__(self, blocks=None, **kwargs):
        super().__init__(**kwargs)
        self.blocks = blocks
    def build(self, input_shape):
        current_shape = input_shape[1]
        self.block_weights = []
        self.biases = []
        for i, block in enumerate(self.blocks):
            self.block_weights.append(self.add_weight(shape=(current_shape, block), name=f"block-{i}"))
            self.biases.append(self.add_weight(shape=(block,), name=f"bias-{i}"))
            current_shape = block
        self.linear_layer = self.add_weight(shape=(current_shape, 1))
    def call(self, inputs):
        activations = inputs
        for w, b in zip(self.block_weights, self.biases):
            activations = tnp.maximum(tnp.matmul(activations, w) + b, 0.0)
        return tnp.matmul(activations, self.linear_layer)
"""


def analysed(code: str):
    return [analyze_model(graph) for graph in analyze(cst.parse_module(HEADER + code)).models.graphs()]


def test_a_model_with_weights_of_its_own_is_one_layer_followed_on_the_data_it_is_fed() -> None:
    (model,) = analysed(TNP_NET + """
model = TNPNet(blocks=[3, 3])
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((100, 13)), np.zeros((100, 1)))
""")
    assert model.output_shapes() == [(None, 1)]
    assert model.total_params() == 13 * 3 + 3 + 3 * 3 + 3 + 3 * 1
    assert model.graph.name == "TNPNet" and model.graph.unknown == []


def test_a_model_with_weights_of_its_own_reaches_the_label_rule_as_a_sequential_one_does() -> None:
    code = HEADER + TNP_NET + """
keras.utils.set_random_seed(0)
model = TNPNet(blocks=[4])
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((100, 13)), np.zeros((100, 5)))
"""
    same = code.replace("TNPNet(blocks=[4])", "keras.Sequential([layers.Dense(4), layers.Dense(1)])")
    found = [d.code for d in check_source(code, "t.py", selected={"KL205"}).diagnostics]
    assert found == ["KL205"]
    assert found == [d.code for d in check_source(same, "t.py", selected={"KL205"}).diagnostics]


def test_a_model_with_weights_of_its_own_made_where_the_pass_cannot_tell_stays_unknown() -> None:
    (model,) = analysed("""
import pandas as pd
blocks = list(pd.read_csv("cfg.csv")["units"])
""" + TNP_NET + """
model = TNPNet(blocks=blocks)
model.fit(np.zeros((100, 13)), np.zeros((100, 1)))
""")
    assert model.total_params() is None  # the loop over an unknown list: how many weights is unknown


def test_tensorflow_numpy_in_a_custom_layer_is_followed() -> None:
    (model,) = analysed("""
def tnp_relu(x):
    return tnp.maximum(x, 0)
class TNPDense(keras.layers.Layer):
    def __init__(self, units, activation=None):
        super().__init__()
        self.units = units
        self.activation = activation
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[1], self.units))
        self.bias = self.add_weight(shape=(self.units,))
    def call(self, inputs):
        outputs = tnp.matmul(inputs, self.w) + self.bias
        if self.activation:
            return self.activation(outputs)
        return outputs
model = keras.Sequential([TNPDense(3, activation=tnp_relu), layers.Dense(3), TNPDense(1)])
model.build((None, 13))
""")
    assert model.output_shapes() == [(None, 1)]
    assert model.total_params() == (13 * 3 + 3) + (3 * 3 + 3) + (3 + 1)


def test_zip_and_enumerate_over_lists_of_layers_unroll() -> None:
    (model,) = analysed("""
class Tower(keras.Model):
    def __init__(self, widths=(32, 16, 8)):
        super().__init__()
        self.hidden = []
        self.drops = []
        for i, w in enumerate(widths):
            self.hidden.append(layers.Dense(w, name=f"dense_{i}"))
            self.drops.append(layers.Dropout(0.1 * (i + 1)))
        self.head = layers.Dense(2)
    def call(self, x, training=False):
        for i, (dense, drop) in enumerate(zip(self.hidden, self.drops), start=1):
            x = drop(dense(x), training=training)
        return self.head(x)
model = Tower()
model(np.zeros((4, 10)))
""")
    assert model.output_shapes() == [(None, 2)]
    kinds = [n.layer.kind for n in model.order if n.layer is not None]
    assert kinds == ["Dense", "Dropout", "Dense", "Dropout", "Dense", "Dropout", "Dense"]


def test_zip_over_an_array_is_still_rows_of_the_array() -> None:
    code = HEADER + """
X = np.zeros((10, 3))
Y = np.zeros((10,))
for x, y in zip(X, Y):
    row = x
"""
    report = check_source(code, "t.py", selected=ALL)
    assert report.diagnostics == []


def test_correct_models_with_weights_of_their_own_give_no_finding() -> None:
    code = HEADER + TNP_NET + """
keras.utils.set_random_seed(0)
x = np.random.rand(100, 13).astype("float32")
y = np.random.rand(100, 1).astype("float32")
model = TNPNet(blocks=[3, 3])
model.compile(optimizer="adam", loss="mean_squared_error", metrics=["mae"])
model.fit(x, y, epochs=2, verbose=0)
model.evaluate(x, y, verbose=0)
"""
    report = check_source(code, "t.py", selected=ALL - {"KL104"})
    assert report.diagnostics == []


def test_tf_shape_gives_the_known_dimensions_and_unknown_ones_stay_unknown() -> None:
    (model,) = analysed("""
class Tile(layers.Layer):
    def call(self, x):
        shape = tf.shape(x)
        doubled = shape * 2          # element-wise in TensorFlow: not a tuple repeated
        grown = shape + (1,)         # nor a tuple concatenated
        return tf.reshape(x, (shape[0], shape[1] * shape[2]))
inputs = keras.Input((6, 5))
model = keras.Model(inputs, Tile()(inputs))
""")
    assert model.output_shapes() == [(None, 30)]


def test_whole_shape_tensor_arithmetic_is_unknown_not_a_tuple_operation() -> None:
    from keraslint.source.custom_layer_calls import ShapeTensor
    from keraslint.values import UNKNOWN

    shape = ShapeTensor((UNKNOWN, 6, 5))
    assert shape * 2 is UNKNOWN and shape + (1,) is UNKNOWN and (1,) + shape is UNKNOWN
    assert shape[1] == 6 and shape[0] is UNKNOWN and isinstance(shape[1:], ShapeTensor)


def test_a_layer_reading_its_input_shape_feeds_the_rules_and_a_correct_one_gives_no_finding() -> None:
    layer = """
from keras import ops
class Patches(layers.Layer):
    def __init__(self, patch_size):
        super().__init__()
        self.patch_size = patch_size
    def call(self, images):
        shape = ops.shape(images)
        patches = keras.ops.image.extract_patches(images, size=self.patch_size)
        count = (shape[1] // self.patch_size) * (shape[2] // self.patch_size)
        return ops.reshape(patches, (shape[0], count, self.patch_size * self.patch_size * shape[3]))
keras.utils.set_random_seed(0)
inputs = keras.Input((32, 32, 3))
x = Patches(8)(inputs)
"""
    bad = HEADER + layer + """
x = layers.Conv1D(8, 3, strides=2)(x)
model = keras.Model(inputs, layers.Dense(1)(layers.GlobalAveragePooling1D()(x)))
"""
    report = check_source(bad, "t.py", selected={"KL301"})
    assert [d.code for d in report.diagnostics] == ["KL301"]  # 16 patches: stride 2 drops the last one
    good = HEADER + layer + """
x = layers.Dense(16, activation="relu")(x)
model = keras.Model(inputs, layers.Dense(10, activation="softmax")(layers.GlobalAveragePooling1D()(x)))
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(np.random.rand(8, 32, 32, 3).astype("float32"), np.random.randint(0, 10, size=(8,)), epochs=1)
"""
    assert check_source(good, "t.py", selected=ALL - {"KL104"}).diagnostics == []


def test_weights_a_model_makes_next_to_its_layers_are_counted_or_unknown_never_left_out() -> None:
    (counted,) = analysed("""
class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(4)
        self.scale = self.add_weight(shape=(4,), initializer="ones")
    def call(self, x):
        return self.dense(x)
model = Net()
model(np.zeros((2, 3)))
""")
    assert counted.total_params() == 3 * 4 + 4 + 4
    (unknown,) = analysed("""
class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(4)
        self.token = tf.Variable(tf.zeros((1, 4)))
    def call(self, x):
        return self.dense(x)
model = Net()
model(np.zeros((2, 3)))
""")
    assert unknown.output_shapes() == [(None, 4)]
    assert unknown.total_params() is None  # tf.Variable: Keras 3 and tf.keras 2 count it differently


SUBCLASS_ON_DATASET = """
class Net(keras.Model):
    def __init__(self, strides):
        super().__init__()
        self.conv = layers.Conv1D(8, 5, strides=strides)
        self.pool = layers.GlobalAveragePooling1D()
        self.head = layers.Dense(3, activation="softmax")
    def call(self, x, training=False):
        return self.head(self.pool(self.conv(x)))
keras.utils.set_random_seed(0)
x = np.zeros((64, 100, 2), dtype="float32")
y = np.zeros((64,), dtype="int32")
ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(64).batch(8)
model = Net(STRIDES)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(ds, epochs=1)
"""


def test_a_subclassed_model_fed_a_batched_dataset_takes_the_elements_shape() -> None:
    (model,) = analysed(SUBCLASS_ON_DATASET.replace("STRIDES", "3"))
    assert model.graph.inputs[0].node.input_shape == (None, 100, 2)
    assert model.output_shapes() == [(None, 3)] and model.total_params() == 2 * 5 * 8 + 8 + 8 * 3 + 3
    bad = check_source(HEADER + SUBCLASS_ON_DATASET.replace("STRIDES", "3"), "t.py", selected={"KL301"})
    assert [d.code for d in bad.diagnostics] == ["KL301"]  # length 100, k=5, s=3 drops 2 timesteps
    good = check_source(HEADER + SUBCLASS_ON_DATASET.replace("STRIDES", "1"), "t.py", selected=ALL - {"KL104"})
    assert good.diagnostics == []


def test_a_subclassed_model_fed_an_unbatched_dataset_stays_unknown() -> None:
    (model,) = analysed(SUBCLASS_ON_DATASET.replace("STRIDES", "1").replace(".batch(8)", ""))
    assert model.graph.inputs[0].node.input_shape is None
