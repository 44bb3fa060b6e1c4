"""Instances of the script's own classes: attributes on self, class attributes, dataclass and
NamedTuple configs, and a trainer class that keeps its model on self (issue 9, first part)."""

from __future__ import annotations

from typing import Any

import libcst as cst
import pytest

from keraslint.checker import check_source
from keraslint.registry import all_rules
from keraslint.source.analysis import analyze
from keraslint.source.interpreter import Interpreter
from keraslint.values import UNKNOWN

ALL = {r.code for r in all_rules()}


def env(code: str) -> dict[str, Any]:
    interp = Interpreter(cst.parse_module("from dataclasses import dataclass, field\nfrom typing import NamedTuple\n"
                                          + code))
    interp.run()
    return interp.module_frame.vars


def test_attributes_set_in_one_method_are_read_in_another() -> None:
    v = env("class A:\n    SCALE = 2\n    def __init__(self, n):\n        self.n = n\n        self.double()\n"
            "    def double(self):\n        self.m = self.n * self.SCALE\n"
            "a = A(4)\nb = a\nb.n = 10\nx, y, z = a.m, a.n, A.SCALE\n")
    assert (v["x"], v["y"], v["z"]) == (8, 10, 2)  # `b` is the same instance


def test_dataclass_and_namedtuple_configs() -> None:
    v = env("@dataclass(frozen=True)\nclass Config:\n    units: int = 64\n    depth: int = 2\n"
            "    tags: list = field(default_factory=list)\n"
            "class Shape(NamedTuple):\n    h: int\n    w: int = 28\n"
            "c = Config(depth=3)\nd = Config(8)\ns = Shape(14)\n"
            "a, b, e, f, g, h = c.units, c.depth, d.units, s.h, s.w, c.tags\n")
    assert (v["a"], v["b"], v["e"], v["f"], v["g"]) == (64, 3, 8, 14, 28)
    assert v["h"] is UNKNOWN  # default_factory: not evaluated


def test_a_dataclass_runs_its_post_init() -> None:
    """The generated ``__init__`` calls ``__post_init__``: what it sets and calls counts (a
    class count derived from the class names; a seed set there)."""
    v = env("@dataclass\nclass Cfg:\n    classes: tuple = ('cat', 'dog', 'eel')\n    num_classes: int = 2\n"
            "    def __post_init__(self):\n        self.num_classes = len(self.classes)\n"
            "        self.width = self.num_classes * 4\n"
            "c = Cfg()\nd = Cfg(('a',))\nn, w, m = c.num_classes, c.width, d.num_classes\n")
    assert (v["n"], v["w"], v["m"]) == (3, 12, 1)
    seeded = ("import keras\nfrom dataclasses import dataclass\n@dataclass\nclass Run:\n    seed: int = 0\n"
              "    def __post_init__(self):\n        keras.utils.set_random_seed(self.seed)\n"
              "Run()\nmodel = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n")
    assert [d.code for d in check_source(seeded, "t.py", selected=ALL).diagnostics if d.code == "KL101"] == []


@pytest.mark.parametrize("body", [
    "        if flag:\n            self.n = 3\n",
    "        for k in open('f'):\n            self.n = 3\n",
])
def test_an_attribute_set_where_it_may_not_run_is_unknown(body: str) -> None:
    v = env("class A:\n    def __init__(self):\n        self.n = 1\n" + body + "a = A()\nx = a.n\n")
    assert v["x"] is UNKNOWN


def test_never_set_is_unknown() -> None:
    v = env("class A:\n    pass\na = A()\nx = a.units\n")
    assert v["x"] is UNKNOWN


def test_a_trainer_class_is_checked_like_a_script() -> None:
    """The issue's case: a trainer keeps the model and its sizes on self and trains through
    self.model.fit(...): the channel mismatch is found, and the seed set in a method counts."""
    code = """\
import numpy as np
import keras
from dataclasses import dataclass

@dataclass
class Config:
    seq_len: int = 100
    features: int = 8

class Trainer:
    def __init__(self, config):
        self.config = config
        keras.utils.set_random_seed(0)
        self.model = self.build()

    def build(self):
        c = self.config
        return keras.Sequential([keras.Input((c.seq_len, c.features)), keras.layers.Conv1D(16, 3),
                                 keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(1)])

    def train(self, x, y):
        self.model.compile(loss="mse")
        self.model.fit(x, y)

Trainer(Config(features=4)).train(np.zeros((64, 100, 6)), np.zeros(64))
"""
    report = check_source(code, "train.py", selected=ALL)
    found = [(d.code, d.location.row) for d in report.diagnostics if d.code != "KL104"]
    assert found == [("KL202", 23)], report.diagnostics
    assert "declared for 4" in report.diagnostics[-1].message or any(
        "declared for 4" in d.message for d in report.diagnostics)


def test_super_init_properties_and_keyword_unpacking() -> None:
    v = env("class Base:\n    def __init__(self, units):\n        self.units = units\n"
            "class Child(Base):\n    def __init__(self, units, extra):\n        super().__init__(units)\n"
            "        self.extra = extra\n    @property\n    def width(self):\n        return self.units * 2\n"
            "def build(units, depth=1):\n    return units * depth\n"
            "c = Child(4, 1)\ncfg = {'units': 3, 'depth': 5}\nx, y, z = c.units, c.width, build(**cfg)\n"
            "w = build(**unknown)\n")
    assert (v["x"], v["y"], v["z"]) == (4, 8, 15)
    assert v["w"] is UNKNOWN


def test_functional_style_subclass_takes_its_graph_from_super_init() -> None:
    code = """\
import numpy as np
import keras
from keras import layers
keras.utils.set_random_seed(0)

class FuncNet(keras.Model):
    def __init__(self, length, channels, **kwargs):
        inputs = keras.Input((length, channels))
        x = layers.Conv1D(8, 3)(inputs)
        outputs = layers.Dense(1)(layers.GlobalAveragePooling1D()(x))
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)

net = FuncNet(100, 8)
net.compile(loss="mse")
net.fit(np.zeros((64, 100, 6)), np.zeros(64))
"""
    report = check_source(code, "train.py", selected=ALL)
    found = [(d.code, d.location.row) for d in report.diagnostics if d.code != "KL104"]
    assert found == [("KL202", 15)]
    assert "expected shape=(None, 100, 8)" in report.diagnostics[-1].message


def test_a_correct_trainer_and_subclassed_model_give_no_finding() -> None:
    code = """\
import numpy as np
import keras
from dataclasses import dataclass

@dataclass
class Config:
    classes: int = 3
    features: int = 8

class Net(keras.Model):
    def __init__(self, config):
        super().__init__()
        self.hidden = keras.layers.Dense(16, activation="relu")
        self.out = keras.layers.Dense(config.classes, activation="softmax")
    def call(self, x):
        return self.out(self.hidden(x))

class Trainer:
    def __init__(self, config):
        keras.utils.set_random_seed(0)
        self.model = Net(config)
        self.model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    def train(self, x, y):
        self.model.fit(x, y, epochs=2)

config = Config()
Trainer(config).train(np.random.rand(64, config.features), np.random.randint(0, config.classes, 64))
"""
    report = check_source(code, "train.py", selected=ALL)
    assert [d.code for d in report.diagnostics if d.code != "KL104"] == []


def test_a_class_attribute_set_after_the_class_body_is_read_by_its_instances() -> None:
    """``Config.units = 16`` after the class: instances read it, as in Python; set where the
    assignment may not run, it is unknown."""
    code = ("import sys\nimport keras\nclass Config:\n    units = 8\n"
            "Config.units = 16\ncfg = Config()\n"
            "if len(sys.argv) > 1:\n    Config.width = 4\n"
            "model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(cfg.units), keras.layers.Dense(Config.width)])\n")
    (graph,) = analyze(cst.parse_module(code)).models.graphs()
    dense, wide = [n.layer for n in graph.nodes() if n.layer is not None and n.layer.kind == "Dense"]
    assert dense.config["units"] == 16
    assert wide.config["units"] is UNKNOWN
