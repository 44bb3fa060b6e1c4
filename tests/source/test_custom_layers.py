"""Custom layers followed without running them: weights from add_weight, shapes from
compute_output_shape or call, unknowns with a reason, rules through them, and classmethods
that construct instances."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
from keras import layers
"""

MY_DENSE = """
class MyDense(layers.Layer):
    def __init__(self, units, activation=None):
        super().__init__()
        self.units = units
        self.activation = keras.activations.get(activation)
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units))
        self.b = self.add_weight(shape=(self.units,), initializer="zeros")
    def call(self, x):
        return self.activation(tf.matmul(x, self.w) + self.b)
"""


def analysed(code: str):
    graphs = analyze(cst.parse_module(HEADER + code)).models.graphs()
    return [analyze_model(graph) for graph in graphs]


def custom_nodes(model) -> list:
    return [n for n in model.order if n.layer is not None and n.layer.kind == "Opaque"]


def test_a_call_keraslint_does_not_model_leaves_the_layer_unknown_with_the_reason() -> None:
    (model,) = analysed("""
class Cumulative(layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],))
    def call(self, x):
        return tf.scan(lambda a, b: a + b, x * self.w)
inputs = keras.Input((10, 4))
model = keras.Model(inputs, layers.Dense(2)(Cumulative()(inputs)))
""")
    (node,) = custom_nodes(model)
    assert model.result(node).output is None
    assert model.result(node).params is None
    assert node.layer.unknown_reason == "custom layer Cumulative: call() uses tf.scan, not modelled"
    assert model.output_shapes() == [None] and model.total_params() is None


def test_compute_output_shape_wins_over_call_and_unknown_dimensions_stay_unknown() -> None:
    (model,) = analysed("""
import pandas as pd
width = pd.read_csv("cfg.csv").shape[1]
class Project(layers.Layer):
    def __init__(self, units):
        super().__init__()
        self.units = units
    def call(self, x):
        return tf.scan(lambda a, b: a + b, x)
    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1], self.units)
inputs = keras.Input((10, 4))
model = keras.Model(inputs, Project(width)(inputs))
""")
    (node,) = custom_nodes(model)
    assert model.result(node).output == (None, 10, None)  # the width is not known, and not guessed
    assert model.result(node).params == 0


def test_weights_made_in_an_undecided_branch_or_with_unknown_shape_make_the_count_unknown() -> None:
    (model,) = analysed("""
import sys
class Maybe(layers.Layer):
    def build(self, input_shape):
        if len(sys.argv) > 2:
            self.b = self.add_weight(shape=(input_shape[-1],))
        self.w = self.add_weight(shape=(input_shape[-1],))
    def call(self, x):
        return x * self.w
inputs = keras.Input((6,))
model = keras.Model(inputs, Maybe()(inputs))
""")
    (node,) = custom_nodes(model)
    assert model.result(node).output == (None, 6)
    assert model.result(node).params is None


def test_tf_variables_and_sub_layers_make_the_count_unknown_but_keep_the_shape() -> None:
    models = analysed("""
class WithVariable(layers.Layer):
    def build(self, input_shape):
        self.w = tf.Variable(tf.zeros((input_shape[-1], 3)))
    def call(self, x):
        return tf.matmul(x, self.w)
class Mixed(layers.Layer):
    def __init__(self):
        super().__init__()
        self.proj = layers.Dense(4)
    def build(self, input_shape):
        self.s = self.add_weight(shape=(4,))
    def call(self, x):
        return self.proj(x) * self.s
    def compute_output_shape(self, input_shape):
        return input_shape[:-1] + (4,)
inputs = keras.Input((5,))
a = keras.Model(inputs, WithVariable()(inputs))
b = keras.Model(inputs, Mixed()(inputs))
""")
    for model in models:
        (node,) = custom_nodes(model)
        assert model.result(node).output in ((None, 3), (None, 4))
        assert model.result(node).params is None  # Keras 3 ignores tf.Variable, tf.keras 2 counts it


def test_a_shared_custom_layer_counts_its_weights_once() -> None:
    (model,) = analysed(MY_DENSE + """
a = keras.Input((8,))
b = keras.Input((8,))
shared = MyDense(4)
model = keras.Model([a, b], layers.concatenate([shared(a), shared(b)]))
""")
    assert model.output_shapes() == [(None, 8)]
    assert model.total_params() == 8 * 4 + 4


def test_a_layer_called_on_a_list_gets_a_list_of_shapes() -> None:
    (model,) = analysed("""
class WeightedSum(layers.Layer):
    def build(self, input_shape):
        self.alpha = self.add_weight(shape=(len(input_shape),))
    def call(self, inputs):
        a, b = inputs
        return a * self.alpha[0] + b * self.alpha[1]
    def compute_output_shape(self, input_shape):
        return input_shape[0]
x = keras.Input((3,))
y = keras.Input((3,))
model = keras.Model([x, y], WeightedSum()([x, y]))
""")
    (node,) = custom_nodes(model)
    assert model.result(node).output == (None, 3)
    assert model.result(node).params == 2


def test_custom_layer_feeding_a_sample_dropping_convolution_is_reported() -> None:
    code = HEADER + """
class Scale(layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
    def call(self, x):
        return x * self.w
inputs = keras.Input((100, 3))
x = Scale()(inputs)
x = layers.Conv1D(8, 5, strides=3)(x)
model = keras.Model(inputs, layers.Dense(1)(layers.GlobalAveragePooling1D()(x)))
"""
    report = check_source(code, "t.py", selected={"KL301"})
    (diagnostic,) = report.diagnostics
    assert "drops the last 2 timesteps" in diagnostic.message


def test_custom_layer_in_a_subclassed_model_reaches_the_rules() -> None:
    code = HEADER + MY_DENSE + """
class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.body = MyDense(16, activation="relu")
        self.head = layers.Dense(1, activation="softmax")
    def call(self, x):
        return self.head(self.body(x))
model = Net()
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(np.zeros((8, 12)), np.zeros((8, 1)), epochs=1)
"""
    report = check_source(code, "t.py", selected={"KL401"})
    assert [d.code for d in report.diagnostics] == ["KL401"]


def test_correct_custom_layer_models_give_no_finding() -> None:
    code = HEADER + MY_DENSE + """
keras.utils.set_random_seed(0)
class Net(keras.Model):
    def __init__(self, classes=3):
        super().__init__()
        self.body = MyDense(16, activation="relu")
        self.head = layers.Dense(classes, activation="softmax")
    def call(self, x):
        return self.head(self.body(x))
x = np.random.rand(32, 12).astype("float32")
y = np.random.randint(0, 3, size=(32,))
model = Net()
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=1)
inputs = keras.Input((12,))
functional = keras.Model(inputs, layers.Dense(3, activation="softmax")(MyDense(8, "relu")(inputs)))
functional.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
functional.fit(x, y, epochs=1)
"""
    report = check_source(code, "t.py", selected=ALL - {"KL104"})
    assert report.diagnostics == []


def test_classmethod_constructors_give_instances() -> None:
    code = HEADER + MY_DENSE + """
class Net(keras.Model):
    def __init__(self, hidden, classes):
        super().__init__()
        self.body = MyDense(hidden, activation="relu")
        self.head = layers.Dense(classes)
    @classmethod
    def from_config(cls, config):
        return cls(**config)
    def call(self, x):
        return self.head(self.body(x))
class Trainer:
    def __init__(self, epochs, width):
        self.epochs = epochs
        self.width = width
    @classmethod
    def from_args(cls, args):
        return cls(args["epochs"], width=args["width"])
trainer = Trainer.from_args({"epochs": 3, "width": 7})
model = Net.from_config({"hidden": 8, "classes": 2})
model.predict(np.zeros((4, trainer.width)))
"""
    facts = analyze(cst.parse_module(code))
    (graph,) = facts.models.graphs()
    model = analyze_model(graph)
    assert model.output_shapes() == [(None, 2)]
    assert model.total_params() == (7 * 8 + 8) + (8 * 2 + 2)
    trainer = facts.globals["trainer"]
    assert trainer.data["attrs"] == {"epochs": 3, "width": 7}


def test_keras_ops_on_symbolic_tensors_stay_unmodelled() -> None:
    """The element-wise functions model arrays (a layer's call on a known shape); on a
    functional model's symbolic tensors they give what they gave before: nothing known."""
    facts = analyze(cst.parse_module(HEADER + """
inputs = keras.Input((4,))
x = keras.ops.relu(inputs)
y = tf.nn.relu(np.zeros((3, 4)))
"""))
    assert not hasattr(facts.globals["x"], "shape")
    assert facts.globals["y"].shape == (3, 4)


def test_shapes_command_lists_the_custom_layer_with_its_parameters(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(HEADER + MY_DENSE + """
inputs = keras.Input((20,))
model = keras.Model(inputs, layers.Dense(3)(MyDense(32, activation="relu")(inputs)))
""")
    out = subprocess.run([sys.executable, "-m", "keraslint", "shapes", "train.py", "--output-format", "json"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120, check=True).stdout
    (model,) = json.loads(out)
    custom = next(layer for layer in model["layers"] if layer["kind"] == "MyDense")
    assert custom["output_shape"] == [None, 32] and custom["params"] == 20 * 32 + 32
    assert model["total_params"] == 20 * 32 + 32 + 32 * 3 + 3


def test_weights_made_in_a_comprehension_are_an_unknown_number_of_weights() -> None:
    (model,) = analysed("""
class Stack(layers.Layer):
    def build(self, input_shape):
        self.ws = [self.add_weight(shape=(input_shape[-1], input_shape[-1])) for _ in range(3)]
    def call(self, x):
        return x
    def compute_output_shape(self, input_shape):
        return input_shape
inputs = keras.Input((4,))
model = keras.Model(inputs, Stack()(inputs))
""")
    (node,) = custom_nodes(model)
    assert model.result(node).output == (None, 4)
    assert model.result(node).params is None


def test_an_input_axis_keraslint_does_not_know_leaves_only_what_depends_on_it_unknown() -> None:
    (model,) = analysed("""
import pandas as pd
frame = pd.read_csv("data.csv")
class Project(layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], 3))
    def call(self, x):
        return x @ self.w
inputs = keras.Input((frame.shape[1],))
model = keras.Model(inputs, layers.Dense(2)(Project()(inputs)))
""")
    (node,) = custom_nodes(model)
    assert model.result(node).output == (None, 3)
    assert model.result(node).params is None  # the kernel's first axis is the unknown width
    assert node.layer.unknown_reason is None
    assert model.output_shapes() == [(None, 2)]
