"""Custom layers with weights of their own (``add_weight`` in ``build`` or ``__init__``) and with
``compute_output_shape``: the output shapes and parameter counts keraslint computes without
running the script equal what Keras builds from the same source (these tests exec scripts
they define themselves, never user code)."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import libcst as cst
import numpy as np
import pytest

from keraslint.graph.propagate import analyze_model
from keraslint.source.analysis import analyze

keras = pytest.importorskip("keras")

HEADER = """
import numpy as np
import keras
import tensorflow as tf
from keras import layers
"""

#: a projection whose call keraslint does not follow (tf.einsum): its shape comes from
#: compute_output_shape, its parameters from build
PROJECT = """
class Project(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform")
    def call(self, x):
        return tf.einsum("btd,du->btu", x, self.kernel)
    def compute_output_shape(self, input_shape):
        return input_shape[:-1] + (self.units,)
"""

#: a dense layer written by hand: weights made in build, call followed with the array semantics
MY_DENSE = """
class MyDense(layers.Layer):
    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros")
    def call(self, inputs):
        return self.activation(tf.matmul(inputs, self.w) + self.b)
"""

#: CycleGAN's padding layer, with its paddings as a list (Keras 3's ``ops.pad`` refuses a tensor)
REFLECT = """
from keras import ops
class ReflectionPadding2D(layers.Layer):
    def __init__(self, padding=(1, 1), **kwargs):
        self.padding = tuple(padding)
        super().__init__(**kwargs)
    def call(self, input_tensor, mask=None):
        padding_width, padding_height = self.padding
        padding_tensor = [[0, 0], [padding_height, padding_height], [padding_width, padding_width], [0, 0]]
        return ops.pad(input_tensor, padding_tensor, mode="reflect")
"""

#: weights made in __init__ (the input width is a constructor argument)
FIXED = """
class Fixed(layers.Layer):
    def __init__(self, input_dim=16, units=4):
        super().__init__()
        self.w = self.add_weight(shape=(input_dim, units), initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(units,), initializer="zeros", trainable=True)
    def call(self, x):
        return keras.ops.matmul(x, self.w) + self.b
"""

#: non-trainable state next to trainable weights; a gate with keras.ops
GATED = """
class Gated(layers.Layer):
    def __init__(self, units):
        super().__init__()
        self.units = units
    def build(self, input_shape):
        dim = input_shape[-1]
        self.kernel = self.add_weight(shape=(dim, self.units))
        self.gate = self.add_weight(shape=(dim, self.units))
        self.scale = self.add_weight(shape=(self.units,), initializer="ones", trainable=False)
        self.count = self.add_weight(initializer="zeros", trainable=False)
    def call(self, x):
        return keras.ops.relu(x @ self.kernel) * keras.ops.sigmoid(x @ self.gate) * self.scale
"""

#: element-wise weights on a sequence, then a sample-dropping convolution
SCALE = """
class Scale(layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
    def call(self, x):
        return x * self.w
"""

#: compute_output_shape written with a tuple, a list and tf.TensorShape
SHAPES = """
class Pool(layers.Layer):
    def call(self, x):
        return tf.reduce_mean(x, axis=1)
    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])
class Flat(layers.Layer):
    def call(self, x):
        return tf.reshape(x, (-1, 24))
    def compute_output_shape(self, input_shape):
        return [input_shape[0], input_shape[1] * input_shape[2]]
class Widen(layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], 2 * input_shape[-1]))
    def call(self, x):
        return tf.linalg.matmul(x, self.w)
    def compute_output_shape(self, input_shape):
        return tf.TensorShape([input_shape[0], 2 * input_shape[-1]])
"""

FUNCTIONAL = [
    pytest.param(PROJECT + """
inputs = keras.Input((10, 6))
x = Project(12)(inputs)
x = layers.Conv1D(4, 3)(x)
model = keras.Model(inputs, layers.Dense(1)(layers.GlobalAveragePooling1D()(x)))
""", id="compute_output_shape"),
    pytest.param(MY_DENSE + """
inputs = keras.Input((20,))
x = MyDense(32, activation="relu")(inputs)
x = MyDense(8)(x)
model = keras.Model(inputs, layers.Dense(3, activation="softmax")(x))
""", id="add_weight_in_build"),
    pytest.param(FIXED + """
inputs = keras.Input((16,))
model = keras.Model(inputs, layers.Dense(1)(Fixed(16, 4)(inputs)))
""", id="add_weight_in_init"),
    pytest.param(GATED + """
inputs = keras.Input((7,))
model = keras.Model(inputs, Gated(5)(inputs))
""", id="non_trainable_weights"),
    pytest.param(SCALE + """
inputs = keras.Input((50, 3))
x = Scale()(inputs)
x = layers.Conv1D(8, 5, strides=3)(x)
model = keras.Model(inputs, layers.Dense(2)(layers.Flatten()(x)))
""", id="elementwise_weights_rank3"),
    pytest.param(SHAPES + """
inputs = keras.Input((4, 6))
a = Pool()(inputs)
b = Widen()(Flat()(inputs))
model = keras.Model(inputs, layers.concatenate([a, b]))
""", id="tuple_list_tensorshape"),
    pytest.param(MY_DENSE + """
class Step(MyDense):
    def compute_output_shape(self, input_shape):  # TimeDistributed asks for it
        return (input_shape[0], self.units)
inputs = keras.Input((7, 3))
model = keras.Model(inputs, layers.TimeDistributed(Step(5, activation="relu"))(inputs))
""", id="time_distributed"),
    pytest.param(MY_DENSE + """
model = keras.Sequential([keras.Input((9,)), MyDense(4, activation="tanh"), layers.Dense(1)])
""", id="sequential"),
    pytest.param(REFLECT + """
inputs = keras.Input((32, 32, 3))
x = ReflectionPadding2D(padding=(3, 2))(inputs)
x = layers.Conv2D(8, 7)(x)
x = ReflectionPadding2D()(x)
model = keras.Model(inputs, layers.Conv2D(4, 3)(x))
""", id="reflection_padding"),
]


def _keras(code: str):
    namespace: dict = {}
    exec(compile(code, "<oracle>", "exec"), namespace)  # the test's own script
    return namespace["model"]


def _ours(code: str):
    (graph,) = analyze(cst.parse_module(code)).models.graphs()
    return analyze_model(graph)


@pytest.mark.parametrize("body", FUNCTIONAL)
def test_custom_layer_models_match_keras(body: str) -> None:
    code = HEADER + body
    ours = _ours(code)
    model = _keras(code)
    # the same layers (matched by class, in any topological order) with the same shapes and weights
    found = sorted((n.layer.spelled if n.layer.kind == "Opaque" else n.layer.kind, ours.result(n).output,
                    ours.result(n).params) for n in ours.order if n.layer is not None)
    built = sorted((layer.__class__.__name__, tuple(layer.output.shape), layer.count_params())
                   for layer in model.layers if layer.__class__.__name__ != "InputLayer")
    assert found == built
    assert ours.output_shapes() == [tuple(t.shape) for t in model.outputs]
    assert ours.total_params() == model.count_params()


def test_subclassed_model_with_a_custom_layer_matches_keras() -> None:
    code = HEADER + MY_DENSE + GATED + """
class Net(keras.Model):
    def __init__(self, hidden=16, classes=3):
        super().__init__()
        self.body = MyDense(hidden, activation="relu")
        self.gated = Gated(8)
        self.head = layers.Dense(classes, activation="softmax")
    def call(self, x):
        return self.head(self.gated(self.body(x)))
model = Net()
x = np.zeros((4, 12), dtype="float32")
model.predict(x, verbose=0)
"""
    ours = _ours(code)
    model = _keras(code)
    shape = tuple(model.predict(np.zeros((2, 12), dtype="float32"), verbose=0).shape)
    assert ours.output_shapes() == [(None, *shape[1:])]
    assert ours.total_params() == model.count_params()


def test_trainable_and_non_trainable_weights_are_counted_as_keras_counts_them() -> None:
    code = HEADER + GATED + """
inputs = keras.Input((7,))
model = keras.Model(inputs, Gated(5)(inputs))
"""
    ours = _ours(code)
    model = _keras(code)
    (node,) = [n for n in ours.order if n.layer is not None]
    custom = node.layer.config["custom_layer"]
    weights = custom.weights((None, 7))
    assert sum(w.size for w in weights if w.trainable) == sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert sum(w.size for w in weights if not w.trainable) == sum(
        int(np.prod(w.shape)) for w in model.non_trainable_weights)


#: a regression network written with TensorFlow NumPy: a subclassed *model* with weights of its
#: own, made in build in a loop over a config list and applied in call over ``zip`` of them
TNP_MODEL = """
import tensorflow.experimental.numpy as tnp
class TNPNet(keras.Model):
    def __init__(self, blocks=None, **kwargs):
        super().__init__(**kwargs)
        self.blocks = blocks
        self.block_weights = None
        self.biases = None
    def build(self, input_shape):
        current_shape = input_shape[1]
        self.block_weights = []
        self.biases = []
        for i, block in enumerate(self.blocks):
            self.block_weights.append(self.add_weight(shape=(current_shape, block), name=f"block-{i}"))
            self.biases.append(self.add_weight(shape=(block,), name=f"bias-{i}", initializer="zeros"))
            current_shape = block
        self.linear_layer = self.add_weight(shape=(current_shape, 1), name="linear_projector")
    def call(self, inputs):
        activations = inputs
        for w, b in zip(self.block_weights, self.biases):
            activations = tnp.matmul(activations, w) + b
            activations = tnp.maximum(activations, 0.0)
        return tnp.matmul(activations, self.linear_layer)
"""

#: the same as layers
TNP_DENSE = """
import tensorflow.experimental.numpy as tnp
def tnp_relu(x):
    return tnp.maximum(x, 0)
class TNPDense(keras.layers.Layer):
    def __init__(self, units, activation=None):
        super().__init__()
        self.units = units
        self.activation = activation
    def build(self, input_shape):
        self.w = self.add_weight(name="weights", shape=(input_shape[1], self.units), initializer="random_normal")
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")
    def call(self, inputs):
        outputs = tnp.matmul(inputs, self.w) + self.bias
        if self.activation:
            return self.activation(outputs)
        return outputs
"""


@pytest.mark.parametrize("blocks", [[3, 3], [8], [5, 4, 2]])
def test_subclassed_model_with_weights_of_its_own_matches_keras(blocks: list[int]) -> None:
    code = HEADER + TNP_MODEL + f"""
model = TNPNet(blocks={blocks!r})
x = np.zeros((16, 13), dtype="float32")
model.compile(loss="mse")
model.predict(x, verbose=0)
"""
    ours = _ours(code)
    model = _keras(code)
    shape = tuple(model.predict(np.zeros((2, 13), dtype="float32"), verbose=0).shape)
    assert ours.output_shapes() == [(None, *shape[1:])]
    assert ours.total_params() == model.count_params()


def test_tensorflow_numpy_layers_match_keras() -> None:
    code = HEADER + TNP_DENSE + """
model = keras.Sequential([keras.Input((13,)), TNPDense(3, activation=tnp_relu), layers.Dense(3), TNPDense(1)])
"""
    ours = _ours(code)
    model = _keras(code)
    assert ours.output_shapes() == [tuple(t.shape) for t in model.outputs]
    assert ours.total_params() == model.count_params()
    assert [ours.result(n).params for n in ours.order if n.layer is not None] == [
        layer.count_params() for layer in model.layers]


def test_layers_kept_in_lists_and_applied_over_zip_and_enumerate_match_keras() -> None:
    code = HEADER + """
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
model(np.zeros((4, 10), dtype="float32"))
"""
    ours = _ours(code)
    model = _keras(code)
    shape = tuple(model(np.zeros((2, 10), dtype="float32")).shape)
    assert ours.output_shapes() == [(None, *shape[1:])]
    assert ours.total_params() == model.count_params()


#: patches of an image (keras.io: object_detection_using_vision_transformer.py), sizes read
#: with ops.shape and tf.shape, the batch axis unknown
PATCHES = """
from keras import ops
class Patches(layers.Layer):
    def __init__(self, patch_size):
        super().__init__()
        self.patch_size = patch_size
    def call(self, images):
        input_shape = ops.shape(images)
        batch_size = input_shape[0]
        height, width, channels = input_shape[1], input_shape[2], input_shape[3]
        patches = keras.ops.image.extract_patches(images, size=self.patch_size)
        return ops.reshape(patches, (batch_size, (height // self.patch_size) * (width // self.patch_size),
                                     self.patch_size * self.patch_size * channels))
class Fold(layers.Layer):
    def call(self, images):
        n = tf.shape(images)[0]
        h = tf.shape(images)[1]
        return tf.reshape(images, (n, h * 2, -1))
"""


@pytest.mark.parametrize("size", [4, 8, 16])
def test_layers_reading_their_input_shape_match_keras(size: int) -> None:
    code = HEADER + PATCHES + f"""
inputs = keras.Input((32, 48, 3))
x = layers.Dense(4)(Patches({size})(inputs))
model = keras.Model(inputs, [x, Fold()(inputs)])
"""
    test_custom_layer_models_match_keras(code[len(HEADER):])


@pytest.mark.parametrize("where", ["__init__", "build"])
def test_a_model_with_layers_and_weights_of_its_own_counts_both_as_keras_does(where: str) -> None:
    weight = "self.scale = self.add_weight(shape=(4,), initializer='ones')"
    weight_in = (weight if where == "__init__" else "pass", weight if where == "build" else "pass")
    code = HEADER + f"""
class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(4)
        {weight_in[0]}
    def build(self, input_shape):
        self.bias = self.add_weight(shape=(input_shape[-1], 2), initializer="zeros")
        {weight_in[1]}
    def call(self, x):
        return self.dense(x) * self.scale
model = Net()
model(np.zeros((2, 3), dtype="float32"))
"""
    ours = _ours(code)
    model = _keras(code)
    assert ours.output_shapes() == [(None, 4)]
    assert ours.total_params() == model.count_params()


def test_a_subclassed_model_fed_a_dataset_is_built_as_keras_builds_it() -> None:
    import tensorflow as tf  # noqa: F401 - the script's own import

    code = HEADER + """
class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.conv = layers.Conv1D(8, 5, strides=3)
        self.pool = layers.GlobalAveragePooling1D()
        self.head = layers.Dense(3, activation="softmax")
    def call(self, x, training=False):
        return self.head(self.pool(self.conv(x)))
x = np.zeros((16, 100, 2), dtype="float32")
y = np.zeros((16,), dtype="int32")
ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)
model = Net()
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(ds, epochs=1, verbose=0)
"""
    ours = _ours(code)
    model = _keras(code)
    assert ours.output_shapes() == [(None, 3)]
    conv = tuple(model.conv.compute_output_shape((None, 100, 2)))
    assert [ours.result(n).output for n in ours.order if n.layer is not None] == [
        conv, tuple(model.pool.compute_output_shape(conv)), tuple(model.head.compute_output_shape((None, 8)))]
    assert ours.total_params() == model.count_params()


def test_a_dropout_layer_written_with_keras_random_matches_keras() -> None:
    test_custom_layer_models_match_keras("""
class MyDropout(layers.Layer):
    def __init__(self, rate):
        super().__init__()
        self.rate = rate
        self.seed_generator = keras.random.SeedGenerator(1337)
    def call(self, inputs):
        return keras.random.dropout(inputs, self.rate, seed=self.seed_generator)
inputs = keras.Input((6, 5))
model = keras.Model(inputs, layers.Dense(2)(MyDropout(0.5)(inputs)))
""")


def test_a_model_making_its_layers_and_weights_in_build_is_traced_through_them() -> None:
    code = HEADER + """
class Latent(keras.Model):
    def __init__(self, latent_dim=6, width=8):
        super().__init__()
        self.latent_dim = latent_dim
        self.width = width
    def build(self, input_shape):
        self.latent = self.add_weight(shape=(self.latent_dim, self.width), initializer="random_normal")
        self.project = layers.Dense(self.width)
        self.pool = layers.GlobalAveragePooling1D()
        self.head = layers.Dense(3)
        super().build(input_shape)
    def call(self, x):
        return self.head(self.pool(self.project(x)))
model = Latent()
model(np.zeros((2, 5, 4), dtype="float32"))
"""
    ours = _ours(code)
    model = _keras(code)
    kinds = sorted(n.layer.kind for n in ours.order if n.layer is not None)
    assert kinds == ["Dense", "Dense", "GlobalAveragePooling1D", "Opaque"]  # the layers, and its own weights
    assert ours.output_shapes() == [(None, 3)]
    assert ours.total_params() == model.count_params()


def test_a_constant_mask_made_with_keras_ops_from_numpy_matches_keras() -> None:
    # keras.io deep_neural_decision_forests.py: a feature mask from np.eye, converted and transposed
    code = HEADER + """
from keras import ops
one_hot = np.eye(8)
idx = np.random.choice(np.arange(8), 4, replace=False)
mask = ops.convert_to_tensor(one_hot[idx], dtype="float32")
inputs = keras.Input((8,))
model = keras.Model(inputs, layers.Dense(2)(ops.matmul(inputs, ops.transpose(mask))))
"""
    ours = _ours(code)
    model = _keras(code)
    assert ours.output_shapes() == [tuple(t.shape) for t in model.outputs]
    assert ours.total_params() == model.count_params()


def test_a_size_the_evaluation_cannot_read_is_unknown_not_dynamic() -> None:
    """A custom layer whose call pads by amounts keraslint cannot read: Keras knows the padded
    sizes, keraslint does not, so they are blind (``?``), never a declared-dynamic None."""
    code = HEADER + REFLECT.replace("ops.pad(input_tensor, padding_tensor", "tf.pad(input_tensor, np.load('p.npy')") + """
inputs = keras.Input((32, 32, 3))
model = keras.Model(inputs, ReflectionPadding2D()(inputs))
"""
    ours = _ours(code)
    (last,) = [n for n in ours.order if n.layer is not None]
    assert ours.result(last).output == (None, None, None, None)
    assert ours.result(last).blind_axes() == frozenset({1, 2, 3})


def test_tf_pad_reads_paddings_made_a_tensor_and_keras_ops_pad_does_not() -> None:
    """``tf.pad`` takes a constant tensor of paddings (its literal is kept); Keras 3's
    ``ops.pad`` cannot build from one (Keras stops), so keraslint leaves its sizes unknown."""
    body = REFLECT.replace("ops.pad(input_tensor, padding_tensor", "{pad}(input_tensor, "
                           "ops.convert_to_tensor(padding_tensor)") + """
inputs = keras.Input((32, 32, 3))
model = keras.Model(inputs, ReflectionPadding2D()(inputs))
"""
    tf_pad = HEADER + body.replace("{pad}", "tf.pad").replace('mode="reflect"', 'mode="REFLECT"')
    assert _ours(tf_pad).output_shapes() == [tuple(t.shape) for t in _keras(tf_pad).outputs] == [(None, 34, 34, 3)]
    ops_pad = HEADER + body.replace("{pad}", "ops.pad")
    with pytest.raises(TypeError, match="len is not well defined"):
        _keras(ops_pad)
    assert _ours(ops_pad).output_shapes() == [(None, None, None, None)]


#: keras.io's translation transformer, small: positions over a sequence of any length
#: (``ops.arange(ops.shape(x)[-1])`` on ``Input((None,))``), a decoder called on two positional
#: tensors, with a causal mask built from the dynamic length (the example's ``ops.tile`` by the
#: batch size is left out: Keras 3.15 cannot trace it, "Iterating over a symbolic tf.Tensor")
TRANSLATION = """
from keras import ops

class PositionalEmbedding(layers.Layer):
    def __init__(self, sequence_length, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.token_embeddings = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.position_embeddings = layers.Embedding(input_dim=sequence_length, output_dim=embed_dim)
    def call(self, inputs):
        length = ops.shape(inputs)[-1]
        positions = ops.arange(0, length, 1)
        return self.token_embeddings(inputs) + self.position_embeddings(positions)

class Decoder(layers.Layer):
    def __init__(self, embed_dim, num_heads, **kwargs):
        super().__init__(**kwargs)
        self.attention_1 = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.attention_2 = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.dense_proj = keras.Sequential([layers.Dense(32, activation="relu"), layers.Dense(embed_dim)])
        self.layernorm_1 = layers.LayerNormalization()
        self.layernorm_2 = layers.LayerNormalization()
    def call(self, inputs, encoder_outputs, mask=None):
        causal_mask = self.get_causal_attention_mask(inputs)
        out_1 = self.layernorm_1(inputs + self.attention_1(query=inputs, value=inputs, key=inputs,
                                                           attention_mask=causal_mask))
        out_2 = self.attention_2(query=out_1, value=encoder_outputs, key=encoder_outputs)
        return self.layernorm_2(out_2 + self.dense_proj(out_2))
    def get_causal_attention_mask(self, inputs):
        input_shape = ops.shape(inputs)
        batch_size, sequence_length = input_shape[0], input_shape[1]
        i = ops.arange(sequence_length)[:, None]
        j = ops.arange(sequence_length)
        mask = ops.cast(i >= j, dtype="int32")
        return ops.reshape(mask, (1, input_shape[1], input_shape[1]))

encoder_inputs = keras.Input(shape=(None,), dtype="int64")
decoder_inputs = keras.Input(shape=(None,), dtype="int64")
encoded = PositionalEmbedding(20, 100, 16)(encoder_inputs)
x = PositionalEmbedding(20, 100, 16)(decoder_inputs)
x = Decoder(16, 2)(x, encoded)
model = keras.Model([encoder_inputs, decoder_inputs], layers.Dense(100, activation="softmax")(x))
"""


def test_positions_over_a_dynamic_length_and_a_two_tensor_decoder_match_keras() -> None:
    code = HEADER + TRANSLATION
    *_, graph = analyze(cst.parse_module(code)).models.graphs()  # the last one: `model`
    ours = analyze_model(graph)
    model = _keras(code)
    assert ours.output_shapes() == [tuple(t.shape) for t in model.outputs] == [(None, None, 100)]
    assert ours.total_params() == model.count_params()
    # the None sequence axis is the model's own (declared dynamic), not a blind spot
    assert all(not ours.result(n).blind_axes() for n in ours.order if n.layer is not None)


def test_a_dynamic_length_is_never_a_number() -> None:
    """``ops.shape(x)[1]`` of a dynamic axis sizes ``ops.arange`` and nothing else: a layer sized
    by it, or arithmetic on it, is unknown (Keras itself could not build such a Dense)."""
    code = HEADER + """
from keras import ops

class Widen(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(4)
    def call(self, x):
        n = ops.shape(x)[1] * 2
        return self.dense(ops.reshape(x, (-1, n)))

inputs = keras.Input((None, 3))
model = keras.Model(inputs, Widen()(inputs))
"""
    ours = _ours(code)
    assert ours.output_shapes() in ([None], [(None, None)], [(None, 4)])
    assert ours.total_params() is None


def test_a_layer_with_weights_called_on_two_positional_tensors_matches_keras() -> None:
    # keras.io captcha_ocr's CTCLayer()(labels, x) shape: call(self, a, b), build on the first shape
    code = HEADER + """
class Gate(layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
    def call(self, x, context):
        return x * self.w + context

a = keras.Input((5, 8))
b = keras.Input((5, 8))
model = keras.Model([a, b], layers.Dense(2)(Gate()(a, b)))
"""
    ours = _ours(code)
    model = _keras(code)
    assert ours.output_shapes() == [tuple(t.shape) for t in model.outputs]
    assert ours.total_params() == model.count_params() == 8 + 18


def test_a_class_token_tiled_by_the_batch_size_of_a_model_fed_later_matches_keras() -> None:
    """keras.io's DeiT/ViT: ``call`` asks for ``tf.shape(inputs)[0]`` before the model is fed, so
    it is followed again once it is; the token tiled by that batch size joins the patches."""
    code = HEADER + """
from keras import ops

class ViT(keras.Model):
    def __init__(self):
        super().__init__()
        self.projection = keras.Sequential([layers.Conv2D(16, 4, strides=4), layers.Reshape((64, 16))])
        self.cls_token = self.add_weight(shape=(1, 1, 16), initializer="zeros")
        self.positional_embedding = self.add_weight(shape=(1, 65, 16), initializer="zeros")
        self.head = layers.Dense(10)

    def call(self, inputs):
        n = ops.shape(inputs)[0]
        patches = self.projection(inputs)
        tokens = ops.cast(ops.tile(self.cls_token, (n, 1, 1)), patches.dtype)
        encoded = self.positional_embedding + ops.concatenate([tokens, patches], axis=1)
        return self.head(encoded[:, 0])

model = ViT()
model(np.zeros((2, 32, 32, 3)))
"""
    (graph,) = [g for g in analyze(cst.parse_module(code)).models.graphs() if g.kind == "subclass"]
    ours = analyze_model(graph)
    model = _keras(code)
    assert ours.output_shapes() == [(None, 10)]
    assert ours.total_params() == model.count_params() == 784 + 16 + 65 * 16 + 170


def test_sub_layers_applied_to_keras_ops_of_constant_arrays_match_keras() -> None:
    """A position embedding over ``ops.expand_dims(ops.arange(...), 0)`` (the ViT PatchEncoder):
    keras.ops' reshaping functions on concrete arrays keep their known shape, so the sub-layer
    applied to them, and the sum with the projected patches, are shaped as Keras builds them."""
    code = HEADER + """
from keras import ops
class PatchEncoder(layers.Layer):
    def __init__(self, num_patches, projection_dim):
        super().__init__()
        self.num_patches = num_patches
        self.projection = layers.Dense(units=projection_dim)
        self.position_embedding = layers.Embedding(input_dim=num_patches, output_dim=projection_dim)
    def call(self, patch):
        positions = ops.expand_dims(ops.arange(start=0, stop=self.num_patches, step=1), axis=0)
        flat = ops.reshape(ops.squeeze(ops.expand_dims(positions, axis=-1), axis=-1), (1, self.num_patches))
        rows = ops.transpose(ops.expand_dims(ops.arange(self.num_patches), axis=1))
        return self.projection(patch) + self.position_embedding(flat) + self.position_embedding(rows)
inputs = keras.Input((16, 12))
model = keras.Model(inputs, layers.Flatten()(PatchEncoder(16, 8)(inputs)))
"""
    ours = _ours(code)
    model = _keras(code)
    assert ours.output_shapes() == [tuple(t.shape) for t in model.outputs]
    assert ours.total_params() == model.count_params()


#: keras.io's EANet patches: the batch size read with ``ops.shape`` (or ``tf.shape``) and passed
#: back to a reshape with -1, then a patch embedding adding positions
BATCH_PATCHES = """
from keras import ops

class PatchExtract(layers.Layer):
    def __init__(self, patch_size, **kwargs):
        super().__init__(**kwargs)
        self.patch_size = patch_size
    def call(self, x):
        B, C = {shape}(x)[0], {shape}(x)[-1]
        x = ops.image.extract_patches(x, self.patch_size)
        return {reshape}(x, (B, -1, self.patch_size * self.patch_size * C))

class PatchEmbedding(layers.Layer):
    def __init__(self, num_patch, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.num_patch = num_patch
        self.proj = layers.Dense(embed_dim)
        self.pos_embed = layers.Embedding(input_dim=num_patch, output_dim=embed_dim)
    def call(self, patch):
        pos = ops.arange(start=0, stop=self.num_patch, step=1)
        return self.proj(patch) + self.pos_embed(pos)

inputs = keras.Input((32, 32, 3))
patches = PatchExtract(2)(inputs)
x = PatchEmbedding(256, 64)(patches)
model = keras.Model(inputs, layers.Dense(10)(layers.GlobalAveragePooling1D()(x)))
"""


@pytest.mark.parametrize(("shape", "reshape"), [("ops.shape", "ops.reshape"), ("tf.shape", "tf.reshape")])
def test_a_reshape_by_the_batch_size_is_none_where_keras_leaves_it_none(shape: str, reshape: str) -> None:
    """``reshape(x, (batch, -1, 12))``: Keras itself cannot solve the -1 next to the batch size
    (``(None, None, 12)``), so that None is Keras's own, not a blind spot; the model is fully
    shaped, with Keras's shapes and parameter count."""
    code = HEADER + BATCH_PATCHES.format(shape=shape, reshape=reshape)
    ours, model = _ours(code), _keras(code)
    patches = next(n for n in ours.order if n.layer is not None and n.layer.spelled == "PatchExtract")
    assert ours.result(patches).output == tuple(model.layers[1].output.shape) == (None, None, 12)
    assert ours.result(patches).blind_axes() == frozenset()
    assert ours.result(patches).reason is None
    assert ours.output_shapes() == [tuple(t.shape) for t in model.outputs]
    assert ours.total_params() == model.count_params()


def test_an_axis_a_custom_layer_leaves_unsized_says_where() -> None:
    """A custom layer whose output has an axis keraslint could not size gives the reason, naming
    the call in its code that lost it (the coverage report never shows an unknown without one)."""
    code = HEADER + REFLECT.replace("ops.pad(input_tensor, padding_tensor", "tf.pad(input_tensor, np.load('p.npy')") + """
inputs = keras.Input((32, 32, 3))
model = keras.Model(inputs, ReflectionPadding2D()(inputs))
"""
    ours = _ours(code)
    (last,) = [n for n in ours.order if n.layer is not None]
    assert ours.result(last).reason == ("custom layer ReflectionPadding2D: call() leaves axes 1, 2, 3 of its "
                                        "output unsized at `tf.pad`")


def test_a_reshape_by_the_batch_size_with_another_unknown_stays_blind() -> None:
    """The -1 next to the batch size is Keras's None only when nothing else it depends on is
    unknown to keraslint: with a width read from a file it is a blind spot."""
    code = HEADER + BATCH_PATCHES.format(shape="ops.shape", reshape="ops.reshape").replace(
        "self.patch_size * self.patch_size * C", "int(np.load('w.npy'))")
    ours = _ours(code)
    patches = next(n for n in ours.order if n.layer is not None and n.layer.spelled == "PatchExtract")
    assert ours.result(patches).output == (None, None, None)
    assert ours.result(patches).blind_axes() == frozenset({1, 2})


def test_an_axis_unknown_before_a_custom_layer_stays_unknown_after_it() -> None:
    """An input axis keraslint could not size is not the model's own None: a second custom layer
    that cannot size it either leaves it unknown, never dynamic (CycleGAN's residual blocks)."""
    unread = REFLECT.replace("ops.pad(input_tensor, padding_tensor", "tf.pad(input_tensor, np.load('p.npy')")
    code = HEADER + unread + """
inputs = keras.Input((32, 32, 3))
model = keras.Model(inputs, ReflectionPadding2D()(ReflectionPadding2D()(inputs)))
"""
    ours = _ours(code)
    first, second = [n for n in ours.order if n.layer is not None]
    assert ours.result(second).output == (None, None, None, None)
    assert ours.result(first).blind_axes() == ours.result(second).blind_axes() == frozenset({1, 2, 3})


#: keras-core's custom-workflow demos: weights made as ``keras.Variable`` of an initializer's
#: value (Keras 3 tracks them as the layer's weights) instead of ``add_weight``
VARIABLES = """
from keras import ops, backend, initializers

class MyDense(layers.Layer):
    def __init__(self, units, name=None):
        super().__init__(name=name)
        self.units = units
    def build(self, input_shape):
        self.w = keras.Variable(initializers.GlorotUniform()((input_shape[-1], self.units)), name="kernel")
        self.b = keras.Variable(initializer=keras.initializers.Zeros(), shape=(self.units,), trainable=False)
    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

class MyModel(keras.Model):
    def __init__(self, hidden_dim, output_dim):
        super().__init__()
        self.dense1 = MyDense(hidden_dim)
        self.dense2 = MyDense(output_dim)
    def call(self, x):
        return self.dense2(tf.nn.relu(self.dense1(x)))

model = MyModel(hidden_dim=32, output_dim=4)
model(np.zeros((2, 16), dtype="float32"))
"""


def test_keras_variables_assigned_to_a_layer_count_as_its_weights() -> None:
    code = HEADER + VARIABLES
    ours, model = _ours(code), _keras(code)
    assert ours.output_shapes() == [(None, 4)]
    assert ours.total_params() == model.count_params() == 16 * 32 + 32 + 32 * 4 + 4


def test_a_variable_keras_3_does_not_have_leaves_the_count_unknown() -> None:
    """keras_core's ``backend.Variable`` is gone from Keras 3 (AttributeError): never counted as
    a weight, never silently dropped from the count either."""
    code = HEADER + VARIABLES.replace("self.w = keras.Variable(", "self.w = backend.Variable(")
    with pytest.raises(AttributeError, match="Variable"):
        _keras(code)
    assert _ours(code).total_params() is None
