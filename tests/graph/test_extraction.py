"""Model extraction from scripts: every construction style, and no guesses on what is unknown."""

from __future__ import annotations

import libcst as cst

from keraslint.checker import check_source
from keraslint.graph.propagate import analyze_model
from keraslint.registry import all_rules
from keraslint.source.analysis import analyze

ALL = {r.code for r in all_rules()}


def graphs(code: str) -> list:
    return analyze(cst.parse_module(code)).models.graphs()


def kinds(graph) -> list[str]:
    return [n.layer.kind for n in graph.nodes() if n.layer is not None]


def test_sequential_spellings() -> None:
    code = """
import tensorflow as tf
from tensorflow.keras import layers
a = tf.keras.Sequential([layers.Dense(4, input_shape=(3,)), layers.Dense(1)])
b = tf.keras.models.Sequential(layers=[layers.Dense(4, input_shape=(3,)), layers.Dense(1)])
c = tf.keras.Sequential()
c.add(layers.Dense(4, input_shape=(3,)))
c.add(layers.Dense(1))
units = [8, 4]
d = tf.keras.Sequential([tf.keras.Input((3,))])
for u in units:
    d.add(layers.Dense(u))
"""
    found = graphs(code)
    assert [kinds(g) for g in found] == [["Dense", "Dense"]] * 3 + [["Dense", "Dense"]]
    assert [analyze_model(g).output_shapes() for g in found] == [[(None, 1)]] * 3 + [[(None, 4)]]


def test_builder_functions_give_one_model_per_call() -> None:
    code = """
import keras
STEPS = 50
def make_model(steps=STEPS, dims=4):
    return keras.Sequential([keras.Input((steps, dims)), keras.layers.Conv1D(8, 3)])
m1 = make_model(steps=50, dims=4)
m2 = make_model(dims=6)
m3 = make_model(steps=STEPS * 2, dims=2 + 1)
"""
    shapes = [analyze_model(g).output_shapes()[0] for g in graphs(code)]
    assert shapes == [(None, 48, 8), (None, 48, 8), (None, 98, 8)]
    params = [analyze_model(g).total_params() for g in graphs(code)]
    assert params == [4 * 3 * 8 + 8, 6 * 3 * 8 + 8, 3 * 3 * 8 + 8]


def test_functional_with_two_inputs_and_outputs() -> None:
    code = """
from keras import Input, Model, layers
a = Input(shape=(10,), name="a")
b = Input(shape=(4,), name="b")
h = layers.concatenate([a, b])
out1 = layers.Dense(1, name="score")(h)
out2 = layers.Dense(3, activation="softmax", name="cls")(h)
model = Model(inputs=[a, b], outputs=[out1, out2])
"""
    (graph,) = graphs(code)
    analysis = analyze_model(graph)
    assert analysis.output_shapes() == [(None, 1), (None, 3)]
    assert analysis.total_params() == 14 * 1 + 1 + 14 * 3 + 3


def test_keras2_model_input_output_keywords_and_return_state() -> None:
    code = """
from keras.layers import Input, LSTM, Dense
from keras.models import Model
inp = Input(shape=(20, 3))
seq, h, c = LSTM(16, return_state=True)(inp)
model = Model(input=inp, output=Dense(1)(h))
"""
    (graph,) = graphs(code)
    assert analyze_model(graph).output_shapes() == [(None, 1)]


def test_subclassed_model_is_traced_from_call() -> None:
    """Layers made in __init__ (a list of them, reused in a loop) and wired in call; the input
    shape comes from the data the model is first fed."""
    code = """
import numpy as np
import keras
from keras import layers
keras.utils.set_random_seed(0)
class Net(keras.Model):
    def __init__(self, classes=10, **kwargs):
        super().__init__(**kwargs)
        self.blocks = [layers.Conv1D(16, 5, strides=3), layers.Conv1D(32, 3)]
        self.pool = layers.GlobalAveragePooling1D()
        self.use_dropout = False
        self.head = layers.Dense(classes, activation="softmax")
    def call(self, x, training=False):
        for block in self.blocks:
            x = block(x)
        if self.use_dropout:
            x = layers.Dropout(0.5)(x)
        return self.head(self.pool(x))
net = Net(classes=3)
net.compile(loss="categorical_crossentropy")
net.fit(np.zeros((64, 100, 8)), np.zeros((64, 3)))
"""
    (graph,) = graphs(code)
    assert graph.kind == "subclass" and graph.name == "Net"
    assert kinds(graph) == ["Conv1D", "Conv1D", "GlobalAveragePooling1D", "Dense"]
    result = analyze_model(graph)
    assert result.output_shapes() == [(None, 3)]
    # Keras: Conv1D(16, 5) on 8 channels 656, Conv1D(32, 3) 1,568, Dense(3) 99
    assert result.total_params() == 656 + 1568 + 99
    report = check_source(code, "t.py", selected=ALL)
    assert [d.code for d in report.diagnostics if d.code != "KL104"] == ["KL301"]  # the stride drops 2 timesteps


def test_subclassed_model_never_fed_has_unknown_shapes_and_no_findings() -> None:
    code = """
import keras
class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(10)
    def call(self, x):
        return self.dense(x)
net = Net()
"""
    (graph,) = graphs(code)
    assert analyze_model(graph).output_shapes() == [None]
    assert check_source(code, "t.py", selected=ALL - {"KL101"}).diagnostics == []


def test_subclass_built_with_a_shape_and_used_inside_a_functional_model() -> None:
    code = """
import keras
class Block(keras.Model):
    def __init__(self):
        super().__init__()
        self.conv = keras.layers.Conv2D(8, 3, padding="same")
    def call(self, x):
        return self.conv(x)
block = Block()
block.build((None, 32, 32, 3))
inp = keras.Input((32, 32, 3))
outer = keras.Model(inp, keras.layers.Flatten()(block(inp)))
"""
    block, outer = graphs(code)
    assert analyze_model(block).output_shapes() == [(None, 32, 32, 8)]
    assert analyze_model(outer).output_shapes() == [(None, 32 * 32 * 8)]


def test_unknown_pieces_give_unknown_shapes_not_findings() -> None:
    code = """
import keras, json, sys
cfg = json.load(open(sys.argv[1]))
extra = make_layers(cfg)
model = keras.Sequential([
    keras.Input((cfg["steps"], 8)),
    keras.layers.Conv1D(cfg["filters"], cfg["kernel"], strides=3),
    *extra,
    keras.layers.Dense(1),
])
inp = keras.Input((100, 3))
x = some_library.block(inp)
y = keras.layers.Conv1D(8, 5, strides=2)(x)
m2 = keras.Model(inp, y)
"""
    report = check_source(code, "t.py", selected=ALL - {"KL101"})
    assert report.diagnostics == []


def test_conditional_add_makes_what_follows_unknown() -> None:
    code = """
import keras
def build(pool):
    m = keras.Sequential([keras.Input((9, 2)), keras.layers.Conv1D(4, 3)])
    if pool:
        m.add(keras.layers.MaxPooling1D(4))
    m.add(keras.layers.Conv1D(4, 5))
    return m
model = build(flag)
"""
    report = check_source(code, "t.py", selected=ALL - {"KL101"})
    # With the pooling the last Conv1D would collapse (7 -> 1 -> -3); without it, it is fine:
    # no KL302. The pooling itself, whenever it is there, drops 3 of 7 steps: that is certain.
    assert [(d.code, d.location.row) for d in report.diagnostics] == [("KL301", 6)]


def test_known_condition_takes_one_branch() -> None:
    code = """
import keras
USE_POOL = True
m = keras.Sequential([keras.Input((9, 2)), keras.layers.Conv1D(4, 3)])
if USE_POOL:
    m.add(keras.layers.MaxPooling1D(4))
m.add(keras.layers.Conv1D(4, 5))
"""
    report = check_source(code, "t.py", selected={"KL302"})
    assert [d.code for d in report.diagnostics] == ["KL302"]


def test_model_output_attribute_for_transfer_learning() -> None:
    code = """
import keras
inp = keras.Input((16,))
base = keras.Model(inp, keras.layers.Dense(8)(inp))
head = keras.layers.Dense(2)(base.output)
model = keras.Model(base.input, head)
"""
    last = graphs(code)[-1]
    assert analyze_model(last).output_shapes() == [(None, 2)]


def test_findings_point_at_the_layer_line_inside_the_builder() -> None:
    code = """import keras

def build(length):
    return keras.Sequential([
        keras.Input((length, 1)),
        keras.layers.Conv1D(4, 2, strides=2),
    ])

a = build(8)
b = build(9)
"""
    report = check_source(code, "t.py", selected={"KL301"})
    (diagnostic,) = report.diagnostics
    assert diagnostic.location.row == 6
    assert "length 9 drops the last 1 timestep" in diagnostic.message


def test_pretrained_backbones_are_nested_models_and_ecosystem_models_opaque_layers() -> None:
    """keras.applications networks are shaped nested models (tests/source/test_applications.py);
    keras_hub/keras_nlp/keras_cv networks are opaque: the model around them is found, connected
    to its Input, and nothing after them gets a guessed shape."""
    code = """
import keras_core as keras
import keras_nlp
inputs = keras.Input((224, 224, 3))
base = keras.applications.MobileNetV2(include_top=False, weights="imagenet")
x = keras.applications.mobilenet_v2.preprocess_input(inputs)
x = base(x, training=False)
x = keras.layers.GlobalAveragePooling2D()(x)
model = keras.Model(inputs, keras.layers.Dense(5)(x))
tokens = keras.Input((64,), dtype="int32")
bert = keras_nlp.models.BertBackbone.from_preset("bert_tiny_en_uncased")
head = keras.Model(tokens, keras.layers.Dense(2)(bert(tokens)))
"""
    first, second = graphs(code)
    assert first.complete and second.complete
    assert kinds(first) == ["Identity", "Model", "GlobalAveragePooling2D", "Dense"]
    backbone = [n.layer for n in first.nodes() if n.layer is not None][1].submodel
    assert [n.layer.spelled for n in backbone.nodes() if n.layer is not None] == ["MobileNetV2"]
    assert analyze_model(first).output_shapes() == [(None, 5)]
    assert analyze_model(second).output_shapes() == [None]  # unknown, not a guess
    assert kinds(second) == ["Opaque", "Dense"]
    report = check_source(code, "t.py", selected=ALL)
    assert not [d for d in report.diagnostics if d.code.startswith(("KL2", "KL3"))]


def test_custom_layer_with_its_own_weights_is_one_node_with_its_weights_counted() -> None:
    code = """
import keras
class Scale(keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],))
    def call(self, x):
        return x * self.w
inp = keras.Input((8,))
model = keras.Model(inp, keras.layers.Dense(1)(Scale()(inp)))
"""
    (graph,) = graphs(code)
    assert kinds(graph) == ["Opaque", "Dense"]
    # Scale's weight (8, as add_weight says) plus Dense(1)'s 8 + 1: what Keras counts
    assert analyze_model(graph).total_params() == 17
