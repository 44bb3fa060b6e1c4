"""Models built from another model's parts (issue 9 coverage): ``model.input``/``model.inputs``,
``model.output(s)``, ``model.layers[i]``, ``model.get_layer(name=...)``/``(index=...)`` and their
``.input``/``.output``/``.name``, lists and dicts of such tensors, a custom layer that returns a
list, a model saved and loaded back, and the reasons given where Keras itself gives no tensor.
The numbers are compared with Keras in tests/graph/test_model_parts_oracle.py."""

from __future__ import annotations

from keraslint.checker import check_source
from keraslint.registry import all_rules
from keraslint.summary import ModelSummary, summarize

ALL = {r.code for r in all_rules()}


def summaries(source: str) -> list[ModelSummary]:
    return summarize(check_source(source, "t.py", selected=ALL))


def codes(source: str) -> list[str]:
    return sorted(d.code for d in check_source(source, "t.py", selected=ALL - {"KL101", "KL104"}).diagnostics)


def at(source: str, line: int) -> ModelSummary:
    (found,) = [s for s in summaries(source) if s.line == line]
    return found


MULTI_INPUT = """\
import keras
from keras import layers
a = keras.Input((4,), name="a")
b = keras.Input((6,), name="b")
x = layers.concatenate([layers.Dense(8, name="da")(a), layers.Dense(8, name="db")(b)])
out = layers.Dense(2, name="head")(x)
model = keras.Model([a, b], out)
features = keras.Model(model.input, model.get_layer("da").output)
both = keras.Model(model.inputs, [model.get_layer(name="head").input, model.output])
"""


def test_model_input_of_a_multi_input_model_is_its_list() -> None:
    features = at(MULTI_INPUT, 8)
    assert features.fully_shaped
    assert features.inputs == [(None, 4), (None, 6)] and features.outputs == [(None, 8)]
    both = at(MULTI_INPUT, 9)
    assert both.fully_shaped and both.outputs == [(None, 16), (None, 2)]


def test_model_input_keeps_the_dict_it_was_built_with() -> None:
    source = """\
import keras
inputs = {"b": keras.Input((3,), name="b"), "a": keras.Input((5,), name="a")}
x = keras.layers.concatenate([inputs["a"], inputs["b"]])
outputs = {"score": keras.layers.Dense(1)(x), "logits": keras.layers.Dense(4)(x)}
model = keras.Model(inputs, outputs)
again = keras.Model(model.input, model.output)
"""
    again = at(source, 6)
    # Keras flattens dicts by sorted key: inputs a, b; outputs logits, score
    assert again.fully_shaped and again.inputs == [(None, 5), (None, 3)] and again.outputs == [(None, 4), (None, 1)]


SEQUENTIAL = """\
import keras
from keras import layers
m = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(8, 3, name="c1"), layers.MaxPooling2D(),
                      layers.Flatten(), layers.Dense(10)])
m.add(layers.Dense(3, name="last"))
fe = keras.Model(m.inputs, m.layers[-2].output)
fe2 = keras.Model(inputs=m.inputs, outputs=[m.get_layer("c1").output, m.get_layer(index=2).output])
"""


def test_layers_of_a_sequential_leave_out_its_input_and_follow_add() -> None:
    assert at(SEQUENTIAL, 6).outputs == [(None, 10)]
    assert at(SEQUENTIAL, 7).outputs == [(None, 26, 26, 8), (None, 1352)]  # index 2: the Flatten


CHAIN = """\
import keras
from keras import layers
i = keras.Input((8,))
x = layers.Dense(4, name="a")(i)
x = layers.Dense(2, name="b")(x)
f = keras.Model(i, x)
g = keras.Model(f.input, f.layers[1].output)
names = [layer.name for layer in f.layers[1:]]
h = keras.Model(f.layers[0].output, f.get_layer(names[-1]).output)
"""


def test_layers_of_a_functional_chain_start_with_its_input_layer() -> None:
    assert at(CHAIN, 7).outputs == [(None, 4)]
    assert at(CHAIN, 9).outputs == [(None, 2)]  # `names` is ["a", "b"]


def test_layers_of_a_branching_model_follow_keras_order() -> None:
    source = MULTI_INPUT + "last = keras.Model(model.inputs, model.layers[-1].output)\n"
    assert at(source, 10).outputs == [(None, 2)]  # the order itself: test_model_parts_oracle.py


def test_layers_of_a_model_with_ops_on_tensors_are_unknown_not_guessed() -> None:
    # Keras 3 records `x + y` as an operation, not a layer: keraslint's graph is not Keras' there
    source = MULTI_INPUT.replace("out = layers.Dense(2, name=\"head\")(x)", "out = layers.Dense(2, name=\"head\")(x + 1)")
    source += "guess = keras.Model(model.inputs, model.layers[-1].output)\n"
    guess = at(source, 10)
    assert not guess.fully_shaped and guess.outputs == []
    assert codes(source) == []


VGG = """\
import keras
vgg = keras.applications.VGG19(weights="imagenet", include_top=False)
named = {layer.name: layer.output for layer in vgg.layers[1:]}
extractor = keras.Model(inputs=vgg.inputs, outputs=named)
picked = dict([(name, vgg.get_layer(name).output) for name in ["block5_conv2", "block1_conv1"]])
style = keras.Model(inputs=vgg.inputs, outputs=picked)
"""


def test_vgg_layers_and_dicts_of_their_outputs() -> None:
    extractor = at(VGG, 4)
    assert extractor.fully_shaped and len(extractor.outputs) == 21
    # sorted keys: block1_conv1 first, block5_pool last
    assert extractor.outputs[0] == (None, None, None, 64) and extractor.outputs[-1] == (None, None, None, 512)
    style = at(VGG, 6)
    assert style.fully_shaped and style.outputs == [(None, None, None, 64), (None, None, None, 512)]


def test_inner_layers_of_other_backbones_come_from_the_measured_table() -> None:
    source = """\
import keras
model = keras.applications.InceptionV3(weights="imagenet", include_top=False)
outputs = dict([(layer.name, layer.output) for layer in [model.get_layer(n) for n in ["mixed4", "mixed5"]]])
extractor = keras.Model(inputs=model.inputs, outputs=outputs)
"""
    (summary,) = summaries(source)
    assert summary.fully_shaped and len(summary.outputs) == 2, summary.unknown
    assert all(shape[-1] == 768 for shape in summary.outputs)  # mixed4 and mixed5 (Keras: 768 channels)


MIL = """\
import keras
from keras import layers, ops

class Attention(layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[0][1], 1))

    def call(self, inputs):
        scores = ops.stack([ops.tensordot(x, self.w, axes=1) for x in inputs])
        alpha = ops.softmax(scores, axis=0)
        return [alpha[i] for i in range(alpha.shape[0])]

inputs, embeddings = [], []
shared = layers.Dense(8)
for _ in range(3):
    inp = layers.Input((4,))
    inputs.append(inp)
    embeddings.append(shared(inp))
alpha = Attention(name="alpha")(embeddings)
weighted = [layers.multiply([alpha[i], embeddings[i]]) for i in range(len(alpha))]
concat = layers.concatenate(weighted, axis=1)
model = keras.Model(inputs, layers.Dense(2, activation="softmax")(concat))
attention = keras.Model(model.input, model.get_layer("alpha").output)
"""


def test_a_custom_layer_returning_a_list_gives_a_list_of_tensors() -> None:
    model = at(MIL, 22)
    assert model.fully_shaped and model.outputs == [(None, 2)]
    assert model.total_params == 40 + 8 + 50
    attention = at(MIL, 23)
    assert attention.fully_shaped and attention.outputs == [(None, 1)] * 3


def test_correct_models_built_from_other_models_have_no_finding() -> None:
    for source in (MULTI_INPUT, SEQUENTIAL, CHAIN, VGG, MIL):
        assert codes(source) == [], source


SAVED = """\
import keras
from keras import layers

class Pretraining(keras.Model):
    def train_step(self, data):
        return {}

def encoder_block(x, i):
    return layers.LayerNormalization(name=f"encoder_{i}_norm")(layers.Dense(16)(x))

i = keras.Input((10,))
x = i
for n in range(2):
    x = encoder_block(x, n)
pretrained = Pretraining(i, layers.Dense(5)(x))
pretrained.save("pretrained.keras")
loaded = keras.models.load_model("pretrained.keras", custom_objects={"Pretraining": Pretraining})
backbone = keras.Model(loaded.input, loaded.get_layer("encoder_1_norm").output)
unknown = keras.models.load_model("elsewhere.keras")
other = keras.Model(unknown.input, unknown.get_layer("dense").output)
"""


def test_a_model_saved_and_loaded_back_keeps_its_architecture() -> None:
    pretrained = at(SAVED, 15)  # a Model subclass with no __init__ of its own: keras.Model(inputs, outputs)
    assert pretrained.fully_shaped and pretrained.outputs == [(None, 5)]
    backbone = at(SAVED, 18)
    assert backbone.fully_shaped and backbone.outputs == [(None, 16)]


def test_a_model_loaded_from_a_file_keraslint_does_not_read_says_so() -> None:
    other = at(SAVED, 20)
    assert not other.fully_shaped
    assert any("a model loaded from a file" in why for why in other.unknown)


def test_where_keras_gives_no_tensor_the_reason_says_why() -> None:
    source = """\
import keras
from keras import layers
i = keras.Input((4,), name="image")
shared = layers.Dense(4, name="shared")
m = keras.Model(i, shared(shared(i)))
p = keras.Model(m.get_layer(name="image").input, m.output)
q = keras.Model(m.input, m.get_layer("shared").output)
"""
    p, q = at(source, 6), at(source, 7)
    assert any("an InputLayer has no input" in why for why in p.unknown)
    assert any("applied 2 times" in why for why in q.unknown)


def test_f_string_layer_names_are_known() -> None:
    from tests.source.test_instances import env

    v = env("i = 3\nx = 0.5\na = f'enc_{i}_ffn'\nb = f'{x:.2f}-{i:03d}{{lit}}'\nc = f'{unknown}'\nd = f'{i=}'\n")
    assert (v["a"], v["b"]) == ("enc_3_ffn", "0.50-003{lit}")
    from keraslint.values import UNKNOWN

    assert v["c"] is UNKNOWN and v["d"] is UNKNOWN


def test_a_subclass_returning_nested_dicts_is_flattened_as_keras_does() -> None:
    source = """\
import keras
from keras import layers

class TwoHeads(keras.Model):
    def __init__(self):
        super().__init__()
        self.a = layers.Dense(3)
        self.b = layers.Dense(2)

    def call(self, x):
        return {"z": {"second": self.b(x)}, "y": [self.a(x)]}

model = TwoHeads()
model.build((None, 7))
"""
    (summary,) = summaries(source)
    assert summary.fully_shaped and summary.outputs == [(None, 3), (None, 2)]  # "y" sorts before "z"


STYLE = """\
import numpy as np
import tensorflow as tf

def vgg_layers(layer_names):
    vgg = tf.keras.applications.VGG19(include_top=False, weights="imagenet")
    vgg.trainable = False
    outputs = [vgg.get_layer(name).output for name in layer_names]
    return tf.keras.Model([vgg.input], outputs)

def gram_matrix(input_tensor):
    result = tf.linalg.einsum("bijc,bijd->bcd", input_tensor, input_tensor)
    input_shape = tf.shape(input_tensor)
    num_locations = tf.cast(input_shape[1] * input_shape[2], tf.float32)
    return result / num_locations

class StyleContentModel(tf.keras.models.Model):
    def __init__(self, style_layers, content_layers):
        super().__init__()
        self.vgg = vgg_layers(style_layers + content_layers)
        self.style_layers = style_layers
        self.content_layers = content_layers
        self.num_style_layers = len(style_layers)

    def call(self, inputs):
        preprocessed = tf.keras.applications.vgg19.preprocess_input(inputs * 255.0)
        outputs = self.vgg(preprocessed)
        style_outputs, content_outputs = outputs[:self.num_style_layers], outputs[self.num_style_layers:]
        style_outputs = [gram_matrix(output) for output in style_outputs]
        content = {name: value for name, value in zip(self.content_layers, content_outputs)}
        style = {name: value for name, value in zip(self.style_layers, style_outputs)}
        return {"content": content, "style": style}

extractor = StyleContentModel(["block1_conv1", "block2_conv1"], ["block5_conv2"])
results = extractor(tf.constant(np.zeros((1, 32, 48, 3), dtype="float32")))
"""


def test_a_subclass_calling_a_feature_extractor_is_followed_through_its_outputs() -> None:
    """The style-transfer tutorial's model: a VGG extractor built from get_layer outputs, a gram
    matrix (einsum divided by the number of positions, a size known only when it runs) and a
    nested dict of outputs."""
    subclass = next(s for s in summaries(STYLE) if s.kind == "subclass")
    assert subclass.fully_shaped
    assert subclass.outputs == [(None, 2, 3, 512), (None, 64, 64), (None, 128, 128)]
    assert codes(STYLE) == []


def test_sizes_known_only_when_the_model_runs_stay_scalars() -> None:
    from tests.source.test_instances import env

    v = env("import tensorflow as tf\nimport keras\nx = keras.Input((None, 5, 8))\ns = tf.shape(x)\n"
            "n = tf.cast(s[1] * s[2], tf.float32)\nk = tf.cast(s[2] * 2, tf.int32)\ny = x / n\nz = tf.cast(7, tf.float32)\n")
    from keraslint.source.values import is_dynamic_dim

    assert is_dynamic_dim(v["n"]) and v["k"] == 10 and v["z"] == 7.0  # 5 * 2: a number


def test_an_inference_model_from_a_loaded_seq2seq_model() -> None:
    """lstm_seq2seq's sampling models: the trained model is saved and loaded back, and its parts
    are taken by position (``model.layers[2]`` is the encoder in Keras 3's order) and unpacked."""
    source = """\
import keras
from keras import layers
encoder_inputs = keras.Input(shape=(None, 7))
_, state_h, state_c = layers.LSTM(4, return_state=True)(encoder_inputs)
decoder_inputs = keras.Input(shape=(None, 5))
decoder_lstm = layers.LSTM(4, return_sequences=True, return_state=True)
decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=[state_h, state_c])
model = keras.Model([encoder_inputs, decoder_inputs], layers.Dense(5, activation="softmax")(decoder_outputs))
model.save("s2s_model.keras")
model = keras.models.load_model("s2s_model.keras")
encoder_outputs, state_h_enc, state_c_enc = model.layers[2].output
encoder_model = keras.Model(model.input[0], [state_h_enc, state_c_enc])
h, c = keras.Input(shape=(4,)), keras.Input(shape=(4,))
out, h2, c2 = model.layers[3](model.input[1], initial_state=[h, c])
decoder_model = keras.Model([model.input[1], h, c], [model.layers[4](out), h2, c2])
"""
    assert at(source, 12).outputs == [(None, 4), (None, 4)]
    decoder = at(source, 15)
    assert decoder.fully_shaped and decoder.outputs == [(None, None, 5), (None, 4), (None, 4)]
    assert codes(source) == []


BLOCKS = """\
import keras
from keras import layers

class Block(layers.Layer):
    def __init__(self, width, name):
        super().__init__(name=name)
        self.a = layers.Dense(width)
        self.b = layers.Dense(1)

    def call(self, x):
        y = self.a(x)
        return y, self.b(y)

i = keras.Input((6,))
x, _ = Block(4, name="blk_1")(i)
x, _ = Block(3, name="blk_2")(x)
model = keras.Model(i, layers.Dense(2)(x))
vis = keras.Model(model.input, [model.get_layer(name).output[1] for name in ["blk_1", "blk_2"]])
"""


def test_a_script_layer_of_keras_layers_returning_several_tensors_is_one_layer() -> None:
    """involution.py: a layer built from Keras layers whose call returns (output, kernel). To
    Keras it is one layer with all its weights, also where the model uses one of its outputs,
    and `get_layer(name).output[1]` is its second output."""
    model = at(BLOCKS, 17)
    assert model.fully_shaped and model.total_params == 60  # Keras: both Dense of each block
    assert [r.kind for r in model.layers][1:3] == ["Block", "Block"]
    vis = at(BLOCKS, 18)
    assert vis.fully_shaped and vis.outputs == [(None, 1), (None, 1)] and vis.total_params == 52
    assert codes(BLOCKS) == []


def test_a_progress_bar_over_models_is_a_loop_over_them() -> None:
    source = """\
import keras
from tqdm import tqdm

def create_model():
    inputs = [keras.Input((4,)) for _ in range(2)]
    x = keras.layers.concatenate([keras.layers.Dense(3, name="alpha")(inputs[0]), inputs[1]])
    return keras.Model(inputs, keras.layers.Dense(1)(x))

trained = [model for model in tqdm([create_model()])]
for model in trained:
    inter = keras.Model(model.input, model.get_layer("alpha").output)
"""
    inter = at(source, 11)
    assert inter.fully_shaped and inter.inputs == [(None, 4), (None, 4)] and inter.outputs == [(None, 3)]


DISTANCES = """\
import keras
import tensorflow as tf
from keras import layers

class DistanceLayer(layers.Layer):
    def call(self, anchor, positive, negative):
        ap_distance = tf.reduce_sum(tf.square(anchor - positive), -1)
        an_distance = tf.reduce_sum(tf.square(anchor - negative), -1)
        return (ap_distance, an_distance)

embedding = layers.Dense(16)
a, p, n = keras.Input((8,), name="anchor"), keras.Input((8,), name="positive"), keras.Input((8,), name="negative")
distances = DistanceLayer()(embedding(a), embedding(p), embedding(n))
siamese = keras.Model(inputs=[a, p, n], outputs=distances)
"""


def test_a_custom_layer_returning_a_tuple_on_positional_tensors() -> None:
    siamese = at(DISTANCES, 14)  # siamese_network.py
    assert siamese.fully_shaped and siamese.outputs == [(None,), (None,)]
    assert codes(DISTANCES) == []


def test_get_layer_of_a_name_not_followed_says_so() -> None:
    source = """\
import keras
i = keras.Input((4,))
side = keras.layers.Dense(2, name="alpha")(i)
model = keras.Model(i, keras.layers.Dense(1)(unknown_function(side)))
inter = keras.Model(model.input, model.get_layer("alpha").output)
"""
    inter = at(source, 5)
    assert not inter.fully_shaped
    assert any("no layer of that name among the layers of the model keraslint followed" in why
               for why in inter.unknown)
    assert codes(source) == []


PATCHES = """\
import keras
import tensorflow as tf
from keras import layers

class Patches(layers.Layer):
    def __init__(self, padding):
        super().__init__()
        self.padding = padding
        self.mix = layers.Dense(4)

    def call(self, x):
        patches = tf.image.extract_patches(images=x, sizes=[1, 3, 3, 1], strides=[1, 2, 2, 1],
                                           rates=[1, 1, 1, 1], padding=self.padding)
        return self.mix(patches), x

i = keras.Input((9, 10, 2))
valid, _ = Patches("VALID")(i)
same, _ = Patches("SAME")(i)
model = keras.Model(i, [valid, same])
"""


def test_tf_image_extract_patches_in_a_layer_returning_two_tensors() -> None:
    model = at(PATCHES, 19)
    assert model.fully_shaped and model.outputs == [(None, 4, 4, 4), (None, 5, 5, 4)]
    assert model.total_params == 2 * (18 * 4 + 4)
