"""Plain Python on the script's own containers: membership, list concatenation, dict iteration and
views, dict comprehensions, generators consumed by a call, functools.partial and the numeric
builtins. Exact where every item is known, unknown otherwise (never a guess)."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from typing import Any

import libcst as cst
import pytest

from keraslint.graph.propagate import analyze_model
from keraslint.source.analysis import analyze
from keraslint.source.interpreter import Interpreter
from keraslint.source.values import ListValue
from keraslint.values import UNKNOWN


def env(code: str) -> dict[str, Any]:
    interp = Interpreter(cst.parse_module("import os\nimport functools\n" + code))
    interp.run()
    return interp.module_frame.vars


def plain(value: Any) -> Any:
    return value.items if isinstance(value, ListValue) else value


@pytest.mark.parametrize(("expr", "expected"), [
    ("'a' in ['a', 'b']", True),
    ("'z' in ['a', 'b']", False),
    ("'z' not in ['a', 'b']", True),
    ("'c' in {'c': 1}", True),
    ("'z' in {'c': 1}", False),
    ("['a'] + ['b', 'c']", ["a", "b", "c"]),
    ("['a'] * 3", ["a", "a", "a"]),
    ("2 * [0]", [0, 0]),
    ("list({'c': 1, 'd': 2}.keys())", ["c", "d"]),
    ("list({'c': 1, 'd': 2}.values())", [1, 2]),
    ("list({'c': 1}.items())", [("c", 1)]),
    ("len({'c': 1, 'd': 2})", 2),
    ("[k for k in {'c': 1, 'd': 2}]", ["c", "d"]),
    ("{k: len(k) for k in ['ab', 'c']}", {"ab": 2, "c": 1}),
    ("sum(len(k) for k in ['ab', 'c'])", 3),
    ("tuple(d // 2 for d in (4, 6))", (2, 3)),
    ("sorted(['b', 'a'])", ["a", "b"]),
    ("sorted([1, 3, 2], reverse=True)", [3, 2, 1]),
    ("max(3, 4)", 4),
    ("min([3, 4])", 3),
    ("sum([1, 2, 3])", 6),
    ("abs(-2)", 2),
    ("round(3.6)", 4),
    ("round(3.14159, 2)", 3.14),
])
def test_known_values_are_computed_as_python_does(expr: str, expected: Any) -> None:
    assert eval(expr) == expected
    assert plain(env(f"v = {expr}\n")["v"]) == expected


@pytest.mark.parametrize("expr", [
    "'z' in ['a', os.environ['X']]",      # an unknown item may be equal
    "'z' in unknown_dict",
    "'z' in d",                            # a dict whose updates were lost
    "len(d)",
    "list(d.keys())",
    "[1] + rows",                          # a list filled an unknown number of times
    "max(3, os.cpu_count())",
    "sum(x for x in os.listdir('.'))",
    "sorted([1, 'a'])",                    # the script's own TypeError
    "{k: 1 for k in os.listdir('.')}",
])
def test_unknown_items_give_unknown(expr: str) -> None:
    code = ("d = {'a': 1}\nfor k in os.listdir('.'):\n    d[k] = 1\n"
            "rows = []\nfor r in os.listdir('.'):\n    rows.append(r)\n")
    assert env(code + f"v = {expr}\n")["v"] is UNKNOWN


def test_a_generator_bound_to_a_name_stays_unknown() -> None:
    """It could be consumed twice (the second time empty): only a generator passed straight to a
    library call is expanded."""
    v = env("g = (x for x in [1, 2])\na = list(g)\nb = list(g)\n")
    assert v["a"] is UNKNOWN and v["b"] is UNKNOWN


def test_functools_partial_passes_its_arguments_first() -> None:
    v = env("def f(a, b, c=0):\n    return (a, b, c)\np = functools.partial(f, 1, c=3)\nv = p(2)\nw = p(2, c=4)\n")
    assert v["v"] == (1, 2, 3) and v["w"] == (1, 2, 4)


TABULAR = """
from functools import partial
import keras
from keras import layers, ops

NUMERIC = ["age", "hours"]
CATEGORICAL = {"job": ["a", "b", "c"], "city": ["x", "y"]}
FEATURES = NUMERIC + list(CATEGORICAL.keys())

def create_inputs():
    inputs = {}
    for name in FEATURES:
        if name in NUMERIC:
            inputs[name] = layers.Input(name=name, shape=(), dtype="float32")
        else:
            inputs[name] = layers.Input(name=name, shape=(), dtype="int32")
    return inputs

def mlp(units, norm):
    stack = []
    for u in units:
        stack.append(norm())
        stack.append(layers.Dense(u, activation="relu"))
    return keras.Sequential(stack)

inputs = create_inputs()
embedded = {name: layers.Embedding(len(CATEGORICAL[name]), 4)(inputs[name])
            for name in inputs if name not in NUMERIC}
numeric = [ops.expand_dims(inputs[name], -1) for name in inputs if name in NUMERIC]
x = layers.concatenate(list(embedded.values()) + numeric)
x = mlp([max(8, 2 * len(FEATURES)), sum(len(v) for v in CATEGORICAL.values())],
        partial(layers.LayerNormalization, epsilon=1e-6))(x)
model = keras.Model(inputs=inputs, outputs=layers.Dense(1, activation="sigmoid")(x))
"""


def test_a_model_sized_by_plain_python_matches_keras() -> None:
    """One Input per feature from a loop over a list built of a list and a dict's keys, a dict
    comprehension, membership tests, partial(...) as a layer factory: Keras builds the same."""
    keras = pytest.importorskip("keras")
    graph = analyze(cst.parse_module(TABULAR)).models.graphs()[-1]
    ours = analyze_model(graph)
    namespace: dict[str, Any] = {}
    exec(compile(TABULAR, "<tabular>", "exec"), namespace)  # our own model code, above
    model = namespace["model"]
    assert isinstance(model, keras.Model)
    assert ours.output_shapes() == [tuple(model.output.shape)]
    assert ours.total_params() == model.count_params()
    assert all("?" not in str(ours.result(n).output) for n in ours.order)


@pytest.mark.parametrize(("expr", "expected"), [
    ("math.log(10000) / (32 - 1)", 0.2971077539347156),
    ("math.sqrt(16)", 4.0),
    ("math.ceil(7 / 2)", 4),
    ("math.prod([2, 3, 4])", 24),
    ("int(math.pi * 100)", 314),
    ("pi", 3.141592653589793),
])
def test_the_math_module_on_numbers(expr: str, expected: Any) -> None:
    assert env(f"import math\nfrom math import pi\nv = {expr}\n")["v"] == expected


@pytest.mark.parametrize("expr", ["math.log(0)", "math.sqrt(-1)", "math.factorial(10**6)", "math.log(os.cpu_count())"])
def test_math_errors_and_unknown_arguments_stay_unknown(expr: str) -> None:
    assert env(f"import math\nv = {expr}\n")["v"] is UNKNOWN


def test_list_pop_takes_the_last_item_in_straight_line_code() -> None:
    v = env("a = [1, 2, 3]\nb = a.pop()\nc = a.pop(0)\ne = []\nfor f in os.listdir('.'):\n    e.append(f)\n"
            "g = e.pop()\n")
    assert (v["b"], v["c"], v["a"].items) == (3, 1, [2])
    assert v["g"] is UNKNOWN


UNET = """
import math
import keras
from keras import layers

def block(width):
    def apply(x):
        residual = x if x.shape[-1] == width else layers.Conv2D(width, 1)(x)
        x = layers.Conv2D(width, 3, padding="same")(x)
        return layers.Add()([x, residual])
    return apply

inputs = keras.Input((16, 16, 3))
x = layers.Conv2D(8, 1)(inputs)
skips = [x]
for width in [8, 16]:
    x = block(width)(x)
    skips.append(x)
    x = layers.AveragePooling2D(2)(x)
for width in reversed([8, 16]):
    x = layers.UpSampling2D()(x)
    x = layers.Concatenate()([x, skips.pop()])
    x = block(width)(x)
x = layers.Conv2D(int(math.sqrt(9)), 1)(x)
model = keras.Model(inputs, x)
"""


def test_a_unet_whose_skips_are_popped_matches_keras() -> None:
    """Skip connections pushed on a list in the encoder and popped in the decoder."""
    keras = pytest.importorskip("keras")
    ours = analyze_model(analyze(cst.parse_module(UNET)).models.graphs()[-1])
    namespace: dict[str, Any] = {}
    exec(compile(UNET, "<unet>", "exec"), namespace)  # our own model code, above
    model = namespace["model"]
    assert isinstance(model, keras.Model)
    assert ours.output_shapes() == [tuple(model.output.shape)]
    assert ours.total_params() == model.count_params()


def test_a_generator_function_yields_what_its_body_yields() -> None:
    """Each step of ``gen()`` is the merge of its ``yield`` values; ``next(iter(x))`` one element."""
    code = ("import numpy as np\n"
            "def batches():\n    for _ in range(20):\n        yield np.zeros((32, 128)), np.zeros((32, 4))\n"
            "def rows():\n    yield from [np.zeros((3, 2)), np.ones((3, 2))]\n"
            "def mixed(n):\n    yield np.zeros((n, 2))\n    yield np.zeros((5, 2))\n"
            "first = next(batches())\n"
            "a = next(rows())\nb = next(iter(np.zeros((5, 7))))\nc = next(mixed(4))\nd = next(iter([1, 2]))\n")
    v = env(code)
    assert [part.shape for part in v["first"]] == [(32, 128), (32, 4)]
    assert v["a"].shape == (3, 2) and v["b"].shape == (7,)
    assert v["c"] is UNKNOWN  # the yields disagree
    assert v["d"] is UNKNOWN  # an iterator over a list gives its first item, then the next


def test_a_generator_body_is_a_maybe() -> None:
    """It runs only as it is iterated: a list it fills is unknown afterwards, never empty or full."""
    v = env("seen = []\ndef gen():\n    seen.append(1)\n    yield 1\ng = gen()\nn = len(seen)\n")
    assert v["n"] is UNKNOWN


SUBCLASS_FED_BY_A_GENERATOR = """
import numpy as np
import keras
from keras import layers

class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = layers.Dense(16, activation="relu")
        self.out = layers.Dense(4)
    def call(self, x):
        return self.out(self.hidden(x))

def batches():
    for _ in range(3):
        yield np.random.random((32, 128)).astype("float32"), np.random.random((32, 4)).astype("float32")

model = Net()
for x, y in batches():
    pred = model(x)
"""


def test_a_subclassed_model_fed_by_a_generator_matches_keras() -> None:
    keras = pytest.importorskip("keras")
    ours = analyze_model(analyze(cst.parse_module(SUBCLASS_FED_BY_A_GENERATOR)).models.graphs()[-1])
    namespace: dict[str, Any] = {}
    exec(compile(SUBCLASS_FED_BY_A_GENERATOR, "<gen>", "exec"), namespace)  # our own model code, above
    model = namespace["model"]
    assert isinstance(model, keras.Model)
    assert ours.output_shapes() == [(None, *namespace["pred"].shape[1:])]
    assert ours.total_params() == model.count_params()


def test_an_axis_the_model_declares_none_is_none() -> None:
    """``x.shape[-1] is None`` on ``Input(shape=())``: Keras reports the axis as None."""
    code = ("import keras\nx = keras.Input(shape=())\ny = keras.Input(shape=(None, 4))\n"
            "a = x.shape[-1] is None\nb = y.shape[1] is not None\nc = y.shape[2] is None\nd = y.shape[1] == None\n")
    v = env(code)
    assert (v["a"], v["b"], v["c"], v["d"]) == (True, False, False, True)
