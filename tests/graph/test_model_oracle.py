"""End-to-end oracle: scripts that build models go through the source pass, the IR and the
graph pass; Keras builds the same models (the test executes code it generated itself, never
user code) and must agree on every layer's output shape and on the parameter count."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import libcst as cst
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keraslint.graph.propagate import analyze_model
from keraslint.source.analysis import analyze

keras = pytest.importorskip("keras")

STYLES = {
    "keras": ("import keras\nfrom keras import layers\n", "keras.Sequential", "keras.Input"),
    "tf.keras": ("import tensorflow as tf\nlayers = tf.keras.layers\n", "tf.keras.Sequential", "tf.keras.Input"),
}


@st.composite
def conv_stacks(draw: st.DrawFn) -> tuple[str, int, list[str]]:
    """A Sequential 1D/2D conv stack written the way people write them."""
    rank = draw(st.sampled_from([1, 2]))
    size = draw(st.integers(12, 64))
    channels = draw(st.integers(1, 6))
    shape = (size, channels) if rank == 1 else (size, size, channels)
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["conv", "pool", "bn", "drop", "act"]))
        if kind == "conv":
            filters = draw(st.integers(1, 24))
            kernel = draw(st.integers(1, 5))
            strides = draw(st.integers(1, 3))
            padding = draw(st.sampled_from(["valid", "same"]))
            positional = draw(st.booleans())
            args = f"{filters}, {kernel}" if positional else f"filters={filters}, kernel_size={kernel}"
            lines.append(f"layers.Conv{rank}D({args}, strides={strides}, padding={padding!r}, activation='relu')")
        elif kind == "pool":
            pool = draw(st.integers(1, 3))
            lines.append(f"layers.MaxPooling{rank}D({pool})")
        elif kind == "bn":
            lines.append("layers.BatchNormalization()")
        elif kind == "drop":
            lines.append("layers.Dropout(0.25)")
        else:
            lines.append("layers.Activation('relu')")
    head = draw(st.sampled_from(["flatten", "global"]))
    lines.append("layers.Flatten()" if head == "flatten" else f"layers.GlobalAveragePooling{rank}D()")
    lines.append(f"layers.Dense({draw(st.integers(1, 10))}, activation='softmax')")
    return repr(shape), rank, lines


def _keras_model(code: str):
    namespace: dict = {}
    exec(compile(code, "<generated>", "exec"), namespace)  # our own generated model code
    return namespace["model"]


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(stack=conv_stacks(), style=st.sampled_from(sorted(STYLES)), builder=st.booleans())
def test_sequential_models_match_keras(stack: tuple[str, int, list[str]], style: str, builder: bool) -> None:
    shape, _, lines = stack
    imports, sequential, input_ = STYLES[style]
    body = ",\n        ".join([f"{input_}(shape={shape})", *lines])
    if builder:
        code = (f"{imports}\ndef build(shape):\n    return {sequential}([\n        "
                f"{body.replace(f'shape={shape}', 'shape=shape')}\n    ])\n\nmodel = build({shape})\n")
    else:
        code = f"{imports}\nmodel = {sequential}([\n        {body}\n])\n"
    (graph,) = analyze(cst.parse_module(code)).models.graphs()
    ours = analyze_model(graph)
    errors = [r.error for _, _, r in ours.walk() if r.error is not None]
    try:
        model = _keras_model(code)
    except ValueError:
        assert errors, f"Keras rejected this model but keraslint found nothing:\n{code}"
        return
    assert not errors, f"keraslint reported {errors} but Keras built:\n{code}"
    layer_nodes = [n for n in ours.order if n.layer is not None]
    assert len(layer_nodes) == len(model.layers)
    for node, layer in zip(layer_nodes, model.layers):
        assert ours.result(node).output == tuple(layer.output.shape), (code, layer.name)
    assert ours.total_params() == model.count_params(), code


def test_functional_model_with_shared_layer_and_nested_model_matches_keras() -> None:
    code = """
import keras
from keras import layers
encoder_in = keras.Input((32, 32, 3))
x = layers.Conv2D(8, 3, strides=2)(encoder_in)
x = layers.MaxPooling2D()(x)
encoder = keras.Model(encoder_in, layers.GlobalAveragePooling2D()(x))
a = keras.Input((32, 32, 3))
b = keras.Input((32, 32, 3))
shared = layers.Dense(16, activation="relu")
za = shared(encoder(a))
zb = shared(encoder(b))
merged = layers.concatenate([za, zb])
out = layers.Dense(1, activation="sigmoid")(merged)
model = keras.Model([a, b], out)
"""
    graphs = analyze(cst.parse_module(code)).models.graphs()
    ours = analyze_model(graphs[-1])
    model = _keras_model(code)
    assert ours.output_shapes() == [tuple(model.output.shape)]
    assert ours.total_params() == model.count_params()


def test_encoder_decoder_with_initial_state_and_a_layer_shared_with_an_inner_model() -> None:
    code = """
import keras
from keras import layers
enc_in = keras.Input((5, 3))
_, h, c = layers.LSTM(4, return_state=True)(enc_in)
dec_in = keras.Input((6, 2))
dec = layers.LSTM(4)(dec_in, initial_state=[h, c])
shared = layers.Dense(4)
inner_in = keras.Input((4,))
inner = keras.Model(inner_in, shared(inner_in))
out = shared(inner(dec))
model = keras.Model([enc_in, dec_in], out)
"""
    graphs = analyze(cst.parse_module(code)).models.graphs()
    ours = analyze_model(graphs[-1])
    model = _keras_model(code)
    assert ours.output_shapes() == [tuple(model.output.shape)]
    assert ours.total_params() == model.count_params()


def test_subclassed_model_traced_from_call_matches_keras() -> None:
    """A keras.Model subclass: layers in __init__ (a list reused in a loop, a flag), wired in
    call, input shape from the data it is fed. Keras builds it from the same code."""
    code = """
import numpy as np
import keras
from keras import layers
class Net(keras.Model):
    def __init__(self, widths=(8, 16), classes=4):
        super().__init__()
        self.blocks = [layers.Conv1D(widths[0], 3, strides=2), layers.Conv1D(widths[1], 3, strides=2)]
        self.norm = True
        self.bn = layers.BatchNormalization()
        self.pool = layers.GlobalAveragePooling1D()
        self.head = layers.Dense(classes, activation="softmax")
    def call(self, x, training=False):
        for block in self.blocks:
            x = block(x)
        if self.norm:
            x = self.bn(x, training=training)
        return self.head(self.pool(x))
model = Net(classes=3)
x = np.zeros((4, 50, 6), dtype="float32")
model.predict(x, verbose=0)
"""
    (graph,) = analyze(cst.parse_module(code)).models.graphs()
    ours = analyze_model(graph)
    model = _keras_model(code)
    shape = tuple(model.predict(np.zeros((2, 50, 6), dtype="float32"), verbose=0).shape)
    assert ours.output_shapes() == [(None, *shape[1:])]
    assert ours.total_params() == model.count_params()


def test_custom_layer_built_from_keras_layers_matches_keras() -> None:
    """`class ConvBlock(keras.layers.Layer)` whose call applies Keras layers: traced into the
    model's graph (a layer with add_weight stays opaque instead)."""
    code = """
import keras
from keras import layers
class ConvBlock(layers.Layer):
    def __init__(self, filters, **kwargs):
        super().__init__(**kwargs)
        self.conv = layers.Conv2D(filters, 3, padding="same")
        self.bn = layers.BatchNormalization()
        self.pool = layers.MaxPooling2D(2)
    def call(self, x, training=False):
        return self.pool(self.bn(self.conv(x), training=training))
inputs = keras.Input((32, 32, 3))
x = ConvBlock(16)(inputs)
x = ConvBlock(32)(x)
model = keras.Model(inputs, layers.Dense(10)(layers.Flatten()(x)))
"""
    (graph,) = analyze(cst.parse_module(code)).models.graphs()
    ours = analyze_model(graph)
    model = _keras_model(code)
    assert ours.output_shapes() == [tuple(model.output.shape)]
    assert ours.total_params() == model.count_params()


def test_sequential_without_a_declared_input_is_built_by_its_first_data() -> None:
    """No Input and no input_shape: Keras builds the model on the first data it gets, and so
    does keraslint (its layers' shapes and the parameter count then agree with Keras's)."""
    code = """
import numpy as np
import keras
from keras import layers
model = keras.Sequential([layers.Conv1D(8, 5, strides=3), layers.MaxPooling1D(2), layers.Flatten(),
                          layers.Dense(3, activation="softmax")])
model.compile(loss="categorical_crossentropy")
model.fit(np.zeros((4, 100, 6), dtype="float32"), np.zeros((4, 3)), verbose=0)
"""
    (graph,) = analyze(cst.parse_module(code)).models.graphs()
    ours = analyze_model(graph)
    model = _keras_model(code)
    # a model built from data has no symbolic output in Keras 3: walk its layers' shapes
    shape, theirs = (None, 100, 6), []
    for layer in model.layers:
        shape = tuple(layer.compute_output_shape(shape))
        theirs.append(shape)
    assert [ours.result(n).output for n in ours.order if n.layer is not None] == theirs
    assert tuple(model.predict(np.zeros((2, 100, 6), dtype="float32"), verbose=0).shape)[1:] == theirs[-1][1:]
    assert ours.total_params() == model.count_params()
    assert graph.inputs[0].node.fed_by is not None  # from data, not declared


def test_position_embedding_from_the_input_length_matches_keras() -> None:
    """`ops.arange(0, ops.shape(x)[-1])` embedded by a sub-layer and added to the token
    embedding (keras.io's TokenAndPositionEmbedding), and a layer sized by `x.shape[-1]`: the
    static shapes Keras gives at call time size the graph."""
    code = """
import keras
from keras import layers, ops
class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim):
        super().__init__()
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)
    def call(self, x):
        maxlen = ops.shape(x)[-1]
        positions = ops.arange(0, maxlen, 1)
        positions = self.pos_emb(positions)
        x = self.token_emb(x)
        return x + positions
inputs = keras.Input(shape=(40,), dtype="int32")
x = TokenAndPositionEmbedding(40, 500, 16)(inputs)
x = layers.Dense(x.shape[-1] * 2)(x)
x = layers.Reshape((x.shape[1] * x.shape[2],))(x)
model = keras.Model(inputs, layers.Dense(3)(x))
"""
    (graph,) = analyze(cst.parse_module(code)).models.graphs()
    ours = analyze_model(graph)
    model = _keras_model(code)
    assert ours.output_shapes() == [tuple(model.output.shape)]
    assert ours.total_params() == model.count_params()


def test_custom_layer_holding_a_sequential_inside_a_sequential_matches_keras() -> None:
    """An MLP-Mixer block: a custom layer whose call applies a Sequential it holds and a layer
    it uses twice, stacked in a Sequential (so the graph pass evaluates it on the input shape):
    its parameters are its sub-layers', each counted once."""
    code = """
import keras
from keras import layers
class MixerBlock(layers.Layer):
    def __init__(self, patches, hidden, **kwargs):
        super().__init__(**kwargs)
        self.mlp1 = keras.Sequential([layers.Dense(patches, activation="gelu"), layers.Dense(patches)])
        self.mlp2 = keras.Sequential([layers.Dense(hidden), layers.Dropout(0.1)])
        self.normalize = layers.LayerNormalization(epsilon=1e-6)
    def call(self, inputs):
        x = self.normalize(inputs)
        x_channels = keras.ops.transpose(x, axes=(0, 2, 1))
        mlp1_outputs = keras.ops.transpose(self.mlp1(x_channels), axes=(0, 2, 1))
        x = mlp1_outputs + inputs
        x_patches = self.normalize(x)
        return x + self.mlp2(x_patches)
inputs = keras.Input((12, 8))
blocks = keras.Sequential([MixerBlock(12, 8) for _ in range(2)])
x = blocks(inputs)
model = keras.Model(inputs, layers.Dense(3)(layers.GlobalAveragePooling1D()(x)))
"""
    (graph,) = [g for g in analyze(cst.parse_module(code)).models.graphs() if g.kind == "functional"]
    ours = analyze_model(graph)
    model = _keras_model(code)
    assert ours.output_shapes() == [tuple(model.output.shape)]
    assert ours.total_params() == model.count_params()


FNET_AND_GMLP = {
    "fnet": """
class Block(layers.Layer):
    def __init__(self, dim, **kwargs):
        super().__init__(**kwargs)
        self.ffn = keras.Sequential([layers.Dense(dim, activation="gelu"), layers.Dense(dim)])
        self.normalize1 = layers.LayerNormalization(epsilon=1e-6)
        self.normalize2 = layers.LayerNormalization(epsilon=1e-6)
    def call(self, inputs):
        x = keras.ops.fft2((inputs, keras.ops.zeros_like(inputs)))[0]
        x = self.normalize1(x + inputs)
        return self.normalize2(x + self.ffn(x))
blocks = keras.Sequential([Block(8) for _ in range(2)])
""",
    "gmlp": """
class Block(layers.Layer):
    def __init__(self, patches, dim, **kwargs):
        super().__init__(**kwargs)
        self.channel_projection1 = keras.Sequential([layers.Dense(dim * 2, activation="gelu")])
        self.channel_projection2 = layers.Dense(dim)
        self.spatial_projection = layers.Dense(patches, bias_initializer="Ones")
        self.normalize1 = layers.LayerNormalization(epsilon=1e-6)
        self.normalize2 = layers.LayerNormalization(epsilon=1e-6)
    def spatial_gating_unit(self, x):
        u, v = keras.ops.split(x, indices_or_sections=2, axis=2)
        v = self.normalize2(v)
        v_projected = keras.ops.transpose(self.spatial_projection(keras.ops.transpose(v, axes=(0, 2, 1))), axes=(0, 2, 1))
        return u * v_projected
    def call(self, inputs):
        x = self.normalize1(inputs)
        x_spatial = self.spatial_gating_unit(self.channel_projection1(x))
        return x + self.channel_projection2(x_spatial)
blocks = keras.Sequential([Block(12, 8) for _ in range(2)])
""",
}


@pytest.mark.parametrize("kind", sorted(FNET_AND_GMLP))
def test_fnet_and_gmlp_blocks_in_a_sequential_match_keras(kind: str) -> None:
    """keras.io's FNet (fft2 of the input and zeros_like) and gMLP (split into halves) blocks:
    custom layers holding Keras layers, evaluated on the input shape inside a Sequential."""
    code = "import keras\nfrom keras import layers\n" + FNET_AND_GMLP[kind] + """
inputs = keras.Input((12, 8))
model = keras.Model(inputs, layers.Dense(3)(layers.GlobalAveragePooling1D()(blocks(inputs))))
"""
    (graph,) = [g for g in analyze(cst.parse_module(code)).models.graphs() if g.kind == "functional"]
    ours = analyze_model(graph)
    model = _keras_model(code)
    assert ours.output_shapes() == [tuple(model.output.shape)]
    assert ours.total_params() == model.count_params()


LAMBDAS = """
import keras
import tensorflow as tf
from keras import layers, ops
inputs = keras.Input((24, 5))
x = layers.Lambda(lambda t: t[:, -3:, :])(inputs)
x = layers.Dense(4)(x)
x = layers.Lambda(lambda a: ops.divide(a, ops.convert_to_tensor(1e-9) + ops.sum(a, axis=-1, keepdims=True)))(x)
x = layers.Lambda(tf.expand_dims, arguments={"axis": 1})(x)
x = layers.Lambda(tf.nn.relu)(x)
image = keras.Input((32, 32, 3))
encoder = keras.Sequential([keras.Input((32, 32, 3)), layers.Rescaling(255.0),
                            layers.Lambda(keras.applications.mobilenet_v2.preprocess_input),
                            layers.Conv2D(4, 3), layers.GlobalAveragePooling2D()])
model = keras.Model([inputs, image], [x, encoder(image)])
"""


def test_lambda_layers_are_followed_through_their_function() -> None:
    """A Lambda without output_shape: Keras calls its function on the symbolic input, and so
    does keraslint (slices, keras.ops, tf functions with arguments=, preprocess_input)."""
    graph = analyze(cst.parse_module(LAMBDAS)).models.graphs()[-1]
    ours = analyze_model(graph)
    model = _keras_model(LAMBDAS)
    assert ours.output_shapes() == [tuple(t.shape) for t in model.outputs]
    assert ours.total_params() == model.count_params()


def test_a_lambda_that_creates_layers_stays_unknown() -> None:
    """Keras does not track the weights of layers made inside a Lambda's function: no guess."""
    code = "import keras\nfrom keras import layers\ninputs = keras.Input((8,))\n" \
           "model = keras.Model(inputs, layers.Lambda(lambda t: layers.Dense(3)(t))(inputs))\n"
    ours = analyze_model(analyze(cst.parse_module(code)).models.graphs()[-1])
    assert ours.total_params() is None


def _sized_by(width: str) -> str:
    return f"""
import numpy as np
import tensorflow as tf
import keras
from keras import layers
shape = (28, 28)
model = keras.Sequential([keras.Input((64,)), layers.Dense({width}, activation="sigmoid"), layers.Reshape(shape)])
"""


@pytest.mark.parametrize("width", ["int(np.prod(shape))", "int(tf.math.reduce_prod(shape).numpy())",
                                   "int(tf.reduce_prod(shape))", "int(np.prod((28, 28)))", "int(np.sum([400, 384]))"])
def test_a_width_computed_from_a_shape_tuple_matches_keras(width: str) -> None:
    """``Dense(int(np.prod(img_shape)))`` before a ``Reshape(img_shape)`` (GAN generators): the
    product of a literal shape, made a Python int, is the width Keras builds."""
    code = _sized_by(width)
    (graph,) = analyze(cst.parse_module(code)).models.graphs()
    ours = analyze_model(graph)
    model = _keras_model(code)
    built = (None, *model(np.zeros((2, 64), dtype="float32")).shape[1:])
    assert ours.output_shapes() == [built] == [(None, 28, 28)]
    assert ours.total_params() == model.count_params()


@pytest.mark.parametrize("width", ["np.prod(shape)", "tf.math.reduce_prod(shape).numpy()"])
def test_a_numpy_integer_width_is_not_taken_as_a_size(width: str) -> None:
    """Keras 3 refuses a NumPy integer as ``Dense(units)`` (ValueError at construction, as the
    TF autoencoder tutorial's ``tf.math.reduce_prod(shape).numpy()`` does): keraslint never
    shapes that layer as if it had been built."""
    code = _sized_by(width)
    with pytest.raises(ValueError, match="units"):
        _keras_model(code)
    (graph,) = analyze(cst.parse_module(code)).models.graphs()
    ours = analyze_model(graph)
    assert ours.total_params() is None


def test_a_built_in_layer_subclassed_for_its_call_is_shaped_as_the_layer_it_extends() -> None:
    """keras.io's standardized convolutions: ``layers.Conv2D`` subclasses overriding ``call`` or
    ``convolution_op`` only. Keras shapes them with Conv2D's own ``compute_output_shape`` and
    builds Conv2D's weights; so does keraslint."""
    code = """
import tensorflow as tf
import keras
from keras import layers

class StdConv(layers.Conv2D):
    def call(self, inputs):
        mean, var = tf.nn.moments(self.kernel, axes=[0, 1, 2], keepdims=True)
        result = self.convolution_op(inputs, (self.kernel - mean) / tf.sqrt(var + 1e-10))
        if self.use_bias:
            result = result + self.bias
        return result

class StdConvOp(layers.Conv2D):
    def convolution_op(self, inputs, kernel):
        mean, var = tf.nn.moments(kernel, axes=[0, 1, 2], keepdims=True)
        return tf.nn.conv2d(inputs, (kernel - mean) / tf.sqrt(var + 1e-10), padding="valid",
                            strides=list(self.strides))

class Scaled(layers.Dense):
    def call(self, inputs):
        return super().call(inputs) * 2.0

model = keras.Sequential([keras.layers.Input(shape=(28, 28, 1)), StdConv(32, kernel_size=(3, 3), activation="relu"),
                          layers.MaxPooling2D(pool_size=(2, 2)), StdConvOp(64, kernel_size=3, strides=2),
                          layers.Flatten(), Scaled(10, activation="softmax")])
"""
    (graph,) = analyze(cst.parse_module(code)).models.graphs()
    ours = analyze_model(graph)
    model = _keras_model(code)
    shapes = [ours.result(n).output for n in ours.order if n.layer is not None]
    assert shapes == [tuple(layer.output.shape) for layer in model.layers]
    assert ours.total_params() == model.count_params()


def test_a_built_in_layer_subclass_with_its_own_init_or_build_is_not_taken_for_the_base() -> None:
    """A subclass that changes its arguments or weights (``__init__``, ``build``) is followed as
    a custom layer, never shaped as the layer it extends."""
    code = """
import keras
from keras import layers

class Wide(layers.Dense):
    def __init__(self, units, **kwargs):
        super().__init__(units * 2, **kwargs)

model = keras.Sequential([keras.Input((8,)), Wide(4)])
"""
    (graph,) = analyze(cst.parse_module(code)).models.graphs()
    ours = analyze_model(graph)
    assert ours.output_shapes() != [(None, 4)]


def test_a_student_model_called_inside_a_trainers_call_is_shaped_from_that_call() -> None:
    """keras.io's DeiT: the trainer's ``call`` applies its student to ``inputs / 255.0``, and the
    student tiles a token by ``tf.shape(inputs)[0]``. The student is never fed data itself; the
    tensor it is applied to fixes its input (as Keras builds it then), and both are shaped."""
    code = """
import numpy as np
import tensorflow as tf
import keras
from keras import layers
class Student(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.cls_token = tf.Variable(tf.zeros((1, 1, 8)), name="cls")
        self.proj = layers.Dense(8)
        self.head = layers.Dense(3)
    def call(self, inputs):
        x = self.proj(inputs)
        cls = tf.cast(tf.tile(self.cls_token, (tf.shape(inputs)[0], 1, 1)), x.dtype)
        return self.head(tf.concat([cls, x], axis=1)[:, 0])
class Trainer(keras.Model):
    def __init__(self, student, **kwargs):
        super().__init__(**kwargs)
        self.student = student
    def call(self, inputs):
        return self.student(inputs / 255.0)
model = Trainer(Student())
x = np.zeros((4, 5, 6), dtype="float32")
model.predict(x, verbose=0)
"""
    graphs = {graph.name: graph for graph in analyze(cst.parse_module(code)).models.graphs()}
    model = _keras_model(code)
    shape = tuple(model.predict(np.zeros((2, 5, 6), dtype="float32"), verbose=0).shape)
    for name in ("Student", "Trainer"):
        ours = analyze_model(graphs[name])
        assert ours.output_shapes() == [(None, *shape[1:])], name


ATTACHED_CALL = """
import numpy as np
import keras
from keras import layers

class Net(keras.Model):
    def __init__(self, units):
        super().__init__()
        self.lstm = layers.LSTM(units, return_state=True)
        self.head = layers.Dense(3)

def call(self, inputs):
    x, *state = self.lstm(inputs)
    *_, carry = self.lstm(inputs)
    return self.head(x) + self.head(state[1]) + self.head(carry)

Net.call = call  # a notebook attaching a method cell by cell
model = Net(4)
model(np.zeros((2, 24, 5), dtype="float32"))
"""


def test_a_call_attached_to_the_class_after_its_body_is_followed_with_starred_unpacking() -> None:
    """``Net.call = call`` before the model is made is Net's call, as in Python; ``x, *state =``
    and ``*_, carry =`` of an LSTM's three outputs bind as Python binds them."""
    (graph,) = analyze(cst.parse_module(ATTACHED_CALL)).models.graphs()
    ours = analyze_model(graph)
    model = _keras_model(ATTACHED_CALL)
    built = (None, *model(np.zeros((2, 24, 5), dtype="float32")).shape[1:])
    assert ours.output_shapes() == [built] == [(None, 3)]
    assert ours.total_params() == model.count_params()


@pytest.mark.parametrize("setter", ["keras.config.set_image_data_format", "keras.backend.set_image_data_format"])
def test_a_global_channels_first_data_format_is_what_later_layers_use(setter: str) -> None:
    """Layers that pass no data_format take the global one (a model ported from PyTorch)."""
    code = f"""
import keras
from keras import layers
{setter}("channels_first")
model = keras.Sequential([
    keras.Input((3, 32, 30)),
    layers.Conv2D(8, 3, strides=2),
    layers.MaxPooling2D(2),
    layers.Conv2D(4, 3, data_format="channels_last"),
    layers.GlobalAveragePooling2D(),
    layers.Dense(10),
])
"""
    (graph,) = analyze(cst.parse_module(code)).models.graphs()
    ours = analyze_model(graph)
    try:
        model = _keras_model(code)
    finally:
        keras.config.set_image_data_format("channels_last")
    layer_nodes = [n for n in ours.order if n.layer is not None]
    assert [ours.result(n).output for n in layer_nodes] == [tuple(layer.output.shape) for layer in model.layers]
    assert ours.total_params() == model.count_params()


@pytest.mark.parametrize("sequences", [False, True])
def test_bidirectional_without_a_merge_mode_returns_two_tensors_as_in_keras(sequences: bool) -> None:
    code = f"""
import keras
from keras import layers
inp = keras.Input((10, 4))
outs = layers.Bidirectional(layers.LSTM(6, return_sequences={sequences}), merge_mode=None)(inp)
joined = layers.Concatenate()([outs[0], outs[1]])
both = layers.Concatenate()(outs)
model = keras.Model(inp, layers.Add()([layers.Dense(12)(joined), both]))
"""
    graphs = analyze(cst.parse_module(code)).models.graphs()
    ours = analyze_model(graphs[-1])
    model = _keras_model(code)
    assert ours.output_shapes() == [tuple(model.output.shape)]
    assert ours.total_params() == model.count_params()
    assert not [r.error for _, _, r in ours.walk() if r.error is not None]
