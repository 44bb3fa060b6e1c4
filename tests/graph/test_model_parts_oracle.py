"""Models built from another model's parts, against Keras: each script (the cases of
tests/source/test_model_parts.py, ``weights=None`` so nothing is downloaded) is checked by
keraslint and run under Keras, and every model keraslint shapes fully must have the output
shapes, in Keras' order, and the parameter count Keras builds."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from pathlib import Path

import pytest

from keraslint.checker import check_source
from keraslint.registry import all_rules
from keraslint.summary import summarize
from tests.source import test_model_parts as cases

keras = pytest.importorskip("keras")

ALL = {r.code for r in all_rules()}


def _compare(source: str, names: dict[int, str]) -> None:
    """``names``: the line of each model keraslint reports -> the script's variable for it."""
    ours = {s.line: s for s in summarize(check_source(source, "t.py", selected=ALL))}
    namespace: dict = {}
    exec(compile(source, "<case>", "exec"), namespace)  # our own test scripts
    for line, name in names.items():
        summary, model = ours[line], namespace[name]
        assert summary.fully_shaped, (name, summary.unknown)
        assert summary.outputs == [tuple(t.shape) for t in model.outputs], name
        assert summary.inputs == [tuple(t.shape) for t in model.inputs], name
        if summary.total_params is not None:
            assert summary.total_params == model.count_params(), name


def test_parts_of_multi_input_and_dict_models_match_keras() -> None:
    _compare(cases.MULTI_INPUT, {7: "model", 8: "features", 9: "both"})


def test_layers_of_sequential_and_chain_models_match_keras() -> None:
    _compare(cases.SEQUENTIAL, {6: "fe", 7: "fe2"})
    _compare(cases.CHAIN, {6: "f", 7: "g", 9: "h"})


def test_vgg_layer_dicts_match_keras() -> None:
    source = cases.VGG.replace('weights="imagenet"', "weights=None")
    _compare(source, {4: "extractor", 6: "style"})


def test_custom_layer_returning_a_list_matches_keras() -> None:
    _compare(cases.MIL, {22: "model", 23: "attention"})


def test_model_saved_and_loaded_back_matches_keras(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # the last two lines load a file that does not exist (keraslint says so; Keras would stop)
    source = "\n".join(cases.SAVED.splitlines()[:18]) + "\n"
    _compare(source, {15: "pretrained", 18: "backbone"})


def test_subclass_returning_nested_dicts_matches_keras() -> None:
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
    (summary,) = summarize(check_source(source, "t.py", selected=ALL))
    namespace: dict = {}
    exec(compile(source, "<case>", "exec"), namespace)
    outputs = keras.tree.flatten(namespace["model"](keras.Input((7,))))
    assert summary.outputs == [tuple(t.shape) for t in outputs]
    assert summary.total_params == namespace["model"].count_params()


def test_style_transfer_extractor_matches_keras() -> None:
    source = cases.STYLE.replace('weights="imagenet"', "weights=None")
    (summary,) = [s for s in summarize(check_source(source, "t.py", selected=ALL)) if s.kind == "subclass"]
    namespace: dict = {}
    exec(compile(source, "<case>", "exec"), namespace)
    outputs = keras.tree.flatten(namespace["results"])
    # eager outputs have the batch of the data; keraslint's model shapes have None there
    assert summary.outputs == [(None, *tuple(t.shape)[1:]) for t in outputs]


ORDERS = {
    "branches": """\
a = keras.Input((4,), name="a")
b = keras.Input((6,), name="b")
left = layers.Dense(8, name="left2")(layers.Dense(8, name="left1")(a))
right = layers.Dense(8, name="right")(b)
model = keras.Model([a, b], layers.Dense(2, name="head")(layers.concatenate([left, right], name="cat")))
""",
    "shared_and_unused_input": """\
a = keras.Input((4,), name="a")
b = keras.Input((4,), name="b")
unused = keras.Input((3,), name="unused")
shared = layers.Dense(5, name="shared")
s = layers.add([shared(a), shared(layers.Dense(4, name="pre")(b))], name="sum")
model = keras.Model([a, b, unused], [layers.Dense(1, name="out1")(s), layers.Dense(2, name="out2")(a)])
""",
    "seq2seq": """\
enc_in = keras.Input((None, 7), name="enc_in")
_, h, c = layers.LSTM(4, return_state=True, name="encoder")(enc_in)
dec_in = keras.Input((None, 5), name="dec_in")
seq, _, _ = layers.LSTM(4, return_sequences=True, return_state=True, name="decoder")(dec_in, initial_state=[h, c])
model = keras.Model([enc_in, dec_in], layers.Dense(5, activation="softmax", name="dense")(seq))
""",
    "nested_model": """\
inner_in = keras.Input((6,), name="inner_in")
inner = keras.Model(inner_in, layers.Dense(3, name="inner_dense")(inner_in), name="inner")
x = keras.Input((6,), name="x")
y = layers.Dense(6, name="pre")(x)
model = keras.Model(x, layers.Dense(1, name="last")(layers.concatenate([inner(y), inner(x)], name="cat")))
""",
}


@pytest.mark.parametrize("case", sorted(ORDERS))
def test_layer_order_of_functional_models_matches_keras(case: str) -> None:
    from tests.source.test_instances import env

    source = "import keras\nfrom keras import layers\n" + ORDERS[case] + \
        "names = [layer.name for layer in model.layers]\nlast = keras.Model(model.inputs, model.layers[-1].output)\n"
    ours = env(source)["names"]
    namespace: dict = {}
    exec(compile(source, "<case>", "exec"), namespace)
    assert ours.items == namespace["names"]


def test_custom_layer_returning_a_tuple_matches_keras() -> None:
    _compare(cases.DISTANCES, {14: "siamese"})


def test_script_layer_returning_several_tensors_matches_keras() -> None:
    _compare(cases.BLOCKS, {17: "model", 18: "vis"})


def test_tf_extract_patches_matches_keras() -> None:
    _compare(cases.PATCHES, {19: "model"})
