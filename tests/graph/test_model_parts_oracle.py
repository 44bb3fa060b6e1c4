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
