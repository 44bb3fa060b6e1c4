"""Keras tensors through arithmetic, ``keras.ops``/``tf`` functions, slicing and model/layer
attributes: the model stays connected, its shapes are the ones Keras builds, and an op or
argument keraslint does not know leaves the output unknown with the reason (never a guess)."""

from __future__ import annotations

import libcst as cst
import pytest

from keraslint.checker import check_source
from keraslint.graph.propagate import analyze_model
from keraslint.registry import all_rules
from keraslint.source.analysis import analyze

ALL = {r.code for r in all_rules()}

HEADER = """
import numpy as np
import keras
import tensorflow as tf
from keras import layers, ops
"""


def analysed(code: str):
    graphs = analyze(cst.parse_module(HEADER + code)).models.graphs()
    return [analyze_model(graph) for graph in graphs]


def keras_shapes(code: str) -> list[list[tuple]]:
    """The output shapes Keras itself builds from the same code (the oracle)."""
    keras = pytest.importorskip("keras")
    scope: dict = {}
    exec(compile(HEADER + code, "<test>", "exec"), scope)  # noqa: S102 - test oracle on our own snippet
    models = [v for v in scope.values() if isinstance(v, keras.Model)]
    return [[tuple(t.shape) for t in m.outputs] for m in models]


TRANSFORMER = """
inputs = keras.Input((10, 16))
proj = layers.Dense(16)(inputs)
x = layers.LayerNormalization()(inputs + proj)
y = layers.Dense(32, activation="relu")(x)
y = layers.Dense(16)(y) * 0.5
x = layers.Add()([x, -y])
pooled = ops.mean(x, axis=1)
first = x[:, 0]
last3 = x[..., :3]
z = ops.concatenate([pooled, first, ops.reshape(last3, (-1, 30))], axis=-1)
z = ops.expand_dims(z, 1)
z = ops.squeeze(ops.transpose(z, (0, 2, 1)), -1)
scores = ops.matmul(x, ops.transpose(x, (0, 2, 1)))
model = keras.Model(inputs, [layers.Dense(3)(z), scores])
"""


def test_a_model_built_with_tensor_ops_has_the_shapes_keras_builds() -> None:
    (model,) = analysed(TRANSFORMER)
    assert model.graph.complete and not model.graph.unknown
    assert [list(model.output_shapes())] == keras_shapes(TRANSFORMER)
    assert all(r.blind_axes() == frozenset() for r in model.results.values())


def test_tf_functions_give_the_shapes_of_their_keras_ops_counterparts() -> None:
    """tf.keras scripts call tf.* on symbolic tensors (Keras 2 wraps them as TFOpLambda layers;
    Keras 3 refuses them): the shapes are those of the keras.ops function with the same meaning."""
    tf_code = (TRANSFORMER.replace("ops.mean(x, axis=1)", "tf.reduce_mean(x, axis=1)")
               .replace("ops.concatenate(", "tf.concat(").replace("ops.reshape(", "tf.reshape(")
               .replace("ops.expand_dims(", "tf.expand_dims(").replace("ops.matmul(", "tf.matmul("))
    assert tf_code.count("tf.") == 5
    (ours,) = analysed(tf_code)
    (reference,) = analysed(TRANSFORMER)
    assert ours.output_shapes() == reference.output_shapes()


ATTRIBUTES = """
inputs = keras.Input((8,))
head = layers.Dense(4, name="head")
base = keras.Model(inputs, head(layers.Dense(6)(inputs)))
extra = keras.Input((2,))
features = keras.Model(base.inputs, base.get_layer("head").output)
shifted = keras.Model(base.input, head.output + 1.0)
joined = keras.Model([extra] + base.inputs, ops.concatenate([extra, features.output], axis=1))
"""


def test_model_and_layer_attributes_and_lists_of_inputs_are_followed() -> None:
    models = analysed(ATTRIBUTES)
    assert all(m.graph.complete and not m.graph.unknown for m in models)
    assert [list(m.output_shapes()) for m in models] == keras_shapes(ATTRIBUTES)
    assert len(models[-1].graph.inputs) == 2


@pytest.mark.parametrize(("code", "reason"), [
    ("y = ops.reshape(x, (-1, n))", "`ops.reshape`: `newshape` is not known to keraslint"),
    ("y = x * unknown_array", "`x * unknown_array`: the other operand is a value keraslint did not follow"),
    ("y = tf.image.resize(x, (4, 4))", "`tf.image.resize`: not modelled by keraslint"),
    ("y = x[:, n]", "`x[:, n]`: an index keraslint does not model or could not determine"),
])
def test_unknown_ops_and_arguments_leave_the_output_unknown_with_the_reason(code: str, reason: str) -> None:
    (model,) = analysed(f"""
import sys
n = int(sys.argv[1])
unknown_array = np.load(sys.argv[2])
inputs = keras.Input((8, 8, 3))
x = layers.Conv2D(4, 3, padding="same")(inputs)
{code}
model = keras.Model(inputs, layers.Dense(2)(y))
""")
    assert model.graph.complete
    assert model.output_shapes() == [None]
    reasons = [r.reason for r in model.results.values() if r.reason]
    assert reasons == [reason]


def test_a_real_broadcast_mismatch_is_reported_and_correct_code_is_not() -> None:
    bad = HEADER + """
keras.utils.set_random_seed(0)
inputs = keras.Input((10, 8))
x = layers.Dense(4)(inputs)
model = keras.Model(inputs, x + inputs)
"""
    report = check_source(bad, "bad.py", selected=ALL - {"KL104"})
    assert [f.code for f in report.diagnostics] == ["KL307"]
    assert "(None, 10, 4) and (None, 10, 8)" in report.diagnostics[0].message
    good = HEADER + "keras.utils.set_random_seed(0)\n" + TRANSFORMER + "model.compile('adam', 'mse')\n"
    assert check_source(good, "good.py", selected=ALL - {"KL104"}).diagnostics == []


STATIC_SHAPES = """
inputs = keras.Input((12, 6))
x = layers.Dense(10)(inputs)
width = x.shape[-1]
y = layers.Dense(width * 2)(x)
y = layers.Reshape((ops.shape(y)[1] * ops.shape(y)[2],))(y)
z = layers.Dense(list(x.shape)[1])(y)
model = keras.Model(inputs, z)
"""


def test_static_shapes_of_keras_tensors_size_the_next_layers() -> None:
    """`x.shape[-1]`, `ops.shape(x)[1]` and `list(x.shape)` on a symbolic tensor are the sizes
    Keras knows when the layer is called."""
    (model,) = analysed(STATIC_SHAPES)
    assert model.graph.complete and not model.graph.unknown
    assert [list(model.output_shapes())] == keras_shapes(STATIC_SHAPES) == [[(None, 12)]]
    assert model.total_params() == (6 * 10 + 10) + (10 * 20 + 20) + (240 * 12 + 12)


@pytest.mark.parametrize("size", ["x.shape[0]", "ops.shape(x)[0]", "tf.shape(x)[0]", "x.shape[1]"])
def test_a_dynamic_or_undetermined_axis_is_unknown_never_a_number(size: str) -> None:
    """The batch axis is only known when the model runs, and an axis keraslint could not
    determine is not known at all: a layer sized by either stays unknown."""
    (model,) = analysed(f"""
import sys
inputs = keras.Input((int(sys.argv[1]), 6))
x = layers.Dense(10)(inputs)
model = keras.Model(inputs, layers.Dense({size})(x))
""")
    assert model.output_shapes() == [None] or model.output_shapes()[0][-1] is None


def test_reversed_lists_of_skip_connections_are_followed() -> None:
    """A U-Net's decoder walks its skips with `reversed(skips[:-1])`."""
    code = """
inputs = keras.Input((32, 32, 3))
x = inputs
skips = []
for filters in (8, 16, 32):
    x = layers.Conv2D(filters, 3, strides=2, padding="same")(x)
    skips.append(x)
for filters, skip in zip((16, 8), reversed(skips[:-1])):
    x = layers.Conv2DTranspose(filters, 3, strides=2, padding="same")(x)
    x = layers.Concatenate()([x, skip])
model = keras.Model(inputs, layers.Conv2DTranspose(3, 3, strides=2, padding="same")(x))
"""
    (model,) = analysed(code)
    assert model.graph.complete and not model.graph.unknown
    assert [list(model.output_shapes())] == keras_shapes(code)


def test_a_layer_applied_to_an_array_at_the_top_level_joins_no_model() -> None:
    """Outside a traced `call`, `layer(array)` is eager in Keras: the result is no part of a
    model, so a model built on it has an input keraslint did not follow."""
    (model,) = analysed("""
inputs = keras.Input((4,))
eager = layers.Dense(4)(np.ones((1, 4)))
model = keras.Model(inputs, layers.Add()([layers.Dense(4)(inputs), eager]))
""")
    assert model.output_shapes() == [None]


DICT_INPUTS = """
a = keras.Input((3,), name="a")
b = keras.Input((2,), name="b")
x = layers.Concatenate()([a, b])
model = keras.Model({"b": b, "a": a}, {"out": layers.Dense(1)(x)})
image = keras.Input((8, 8, 1), name="image")
base = keras.Model(image, layers.Flatten()(layers.Conv2D(2, 3)(image)))
head = keras.Model(base.get_layer("image").output, base.output)
"""


def test_dict_inputs_and_the_input_layer_of_a_model_are_followed() -> None:
    """`keras.Model({"b": b, "a": a}, ...)` flattens the dict in sorted key order, as Keras 3
    does; `model.get_layer("image").output` is the tensor of the Input named "image" (its
    `.input` is empty in Keras 3)."""
    models = analysed(DICT_INPUTS)
    assert all(m.graph.complete and not m.graph.unknown for m in models)
    assert [list(m.output_shapes()) for m in models] == keras_shapes(DICT_INPUTS)
    scope: dict = {}
    exec(compile(HEADER + DICT_INPUTS, "<test>", "exec"), scope)  # noqa: S102 - our own snippet
    assert [t.node.input_name for t in models[0].graph.inputs] == [t.name for t in scope["model"].inputs] == ["a", "b"]
