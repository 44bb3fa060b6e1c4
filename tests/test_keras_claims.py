"""Severity is a promise: every claim keraslint makes about what Keras does is checked against Keras.

A finding's message may say that Keras stops ("Keras stops at the first batch", "Keras fails
when it builds the model") or that it runs ("Keras accepts it silently", "Keras broadcasts the
(N, 1) labels"). Error rules whose messages say neither state it once on their explain page
(KL306: "Keras raises"; KL401: "Keras trains all of these without an error"). Each script in
``SCRIPTS`` is built to trigger such claims. The test checks it with keraslint, sorts every claim
into "stops" or "runs" by its wording, then runs the same script under Keras 3 (TensorFlow
backend, CPU, one epoch on a few zeros) and asserts that

* a "stops" claim raises, on the line the finding points at (the message says where), and that
  any Keras error text the claim quotes ('Data cardinality is ambiguous', `expected shape=...`)
  is in the error Keras raised;
* a "runs" claim trains (or predicts) without an exception.

``QUIET`` holds the Keras 3 behaviours keraslint relies on to say nothing (a missing or extra
trailing axis of size 1 is added or dropped): no error finding, and Keras trains. All scripts run
in one subprocess (``import tensorflow`` costs seconds), each in its own namespace.
"""

from __future__ import annotations

import ast
import functools
import json
import os
import re
import subprocess
import sys

import pytest

from keraslint.checker import check_source
from keraslint.diagnostics import Severity
from keraslint.registry import all_rules

pytestmark = pytest.mark.slow

RULES = {rule.code: rule for rule in all_rules()}
# The wording of a claim, in its message; the earliest phrase in a message decides.
STOPS = ("Keras stops", "Keras fails", "Keras raises", "Keras rejects", "Keras refuses")
RUNS = ("Keras accepts it silently", "Keras broadcasts", "instead of failing", "trains without")
# Rules whose every finding carries the claim their explain page makes (used when the message
# itself says nothing): the phrase must still be on the page.
#: rules that point at the declaration to change, while Keras stops at the call that feeds the data
DECLARATION_ANCHORED = frozenset({"KL203"})
DOC_CLAIMS = {"KL203": ("Keras fails with", "stops"), "KL302": ("Keras refuses to build", "stops"),
              "KL306": ("Keras raises", "stops"), "KL307": ("Keras raises", "stops"),
              "KL401": ("Keras trains all of these without an error", "runs")}

HEAD = "import numpy as np\nimport keras\nfrom keras import layers\n"


def seq(shape: str, *stack: str) -> str:
    return f"m = keras.Sequential([keras.Input({shape}), {', '.join('layers.' + s for s in stack)}])"


def func(shape: str, *stack: str) -> str:
    out = "inp"
    for layer in stack:
        out = f"layers.{layer}({out})"
    return f"inp = keras.Input({shape})\nm = keras.Model(inp, {out})"


def fit(model: str, x: str, y: str = "(8, 1)", loss: str = "mse", call: str = "m.fit(x, y, epochs=1, verbose=0)") -> str:
    return (f"{HEAD}x = np.zeros({x})\ny = np.zeros({y})\n{model}\n"
            f"m.compile(optimizer='adam', loss={loss!r})\n{call}\n")


def labelled(y: str, loss: str, *stack: str) -> str:
    """A Sequential ``stack`` on 64 samples of 4 features, trained on labels ``y`` with ``loss``
    (an expression)."""
    return (f"{HEAD}np.random.seed(0)\nx = np.zeros((64, 4))\ny = {y}\n{seq('(4,)', *stack)}\n"
            f"m.compile(optimizer='adam', loss={loss})\nm.fit(x, y, epochs=1, verbose=0)\n")


def two_outputs(compile_args: str, y: str = "{'age': np.zeros((8, 1)), 'kind': np.zeros(8)}") -> str:
    """A model with outputs 'age' (1 unit) and 'kind' (3 classes), compiled with ``compile_args``."""
    return (f"{HEAD}LOSSES = {{'age': 'mse', 'kind': 'sparse_categorical_crossentropy'}}\n"
            f"inp = keras.Input((4,))\nm = keras.Model(inp, [layers.Dense(1, name='age')(inp), "
            f"layers.Dense(3, activation='softmax', name='kind')(inp)])\n"
            f"m.compile(optimizer='adam', {compile_args})\nm.fit(np.zeros((8, 4)), {y}, epochs=1, verbose=0)\n")


CONV1D = ("Conv1D(4, 3)", "GlobalAveragePooling1D()", "Dense(1)")
CONV2D = ("Conv2D(4, 3)", "GlobalAveragePooling2D()", "Dense(1)")
PREDICT = "m.predict(x, verbose=0)"

SCRIPTS = {
    # KL201: sample counts, and a different length on a non-channel axis
    "kl201_cardinality": fit(seq("(4,)", "Dense(1)"), "(8, 4)", "(6, 1)"),
    "kl201_functional_length": fit(func("(100, 3)", *CONV1D), "(8, 120, 3)"),
    "kl201_functional_length_predict": fit(func("(100, 3)", *CONV1D), "(8, 120, 3)", call=PREDICT),
    "kl201_functional_image_size": fit(func("(28, 28, 3)", *CONV2D), "(8, 32, 32, 3)"),
    "kl201_sequential_length_pooled": fit(seq("(100, 3)", *CONV1D), "(8, 120, 3)"),
    "kl201_sequential_length_rnn": fit(seq("(100, 3)", "SimpleRNN(2)", "Dense(1)"), "(8, 120, 3)"),
    "kl201_sequential_image_size_pooled": fit(seq("(28, 28, 3)", *CONV2D), "(8, 32, 32, 3)"),
    "kl201_sequential_length_flatten": fit(seq("(100, 3)", "Conv1D(4, 3)", "Flatten()", "Dense(1)"), "(8, 120, 3)"),
    # flat feature vectors have no channel axis: a different feature count is KL201
    "kl201_sequential_dense_features": fit(seq("(4,)", "Dense(1)"), "(8, 6)"),
    "kl201_functional_dense_features": fit(func("(4,)", "Dense(1)"), "(8, 6)", call=PREDICT),
    # KL202: the channel axis of sequences
    "kl202_sequential_conv": fit(seq("(100, 3)", *CONV1D), "(8, 100, 5)"),
    "kl202_sequential_lstm": fit(seq("(10, 3)", "LSTM(4)", "Dense(1)"), "(8, 10, 5)"),
    "kl202_sequential_swapped": fit(seq("(100, 3)", *CONV1D), "(8, 3, 100)"),
    "kl202_functional_conv": fit(func("(100, 3)", *CONV1D), "(8, 100, 5)"),
    # KL204: no channel axis for a model that declares several channels
    "kl204_sequential_rgb": fit(seq("(6, 6, 3)", *CONV2D), "(8, 6, 6)"),
    "kl204_functional_rgb": fit(func("(6, 6, 3)", *CONV2D), "(8, 6, 6)"),
    "kl204_sequential_lstm": fit(seq("(10, 4)", "LSTM(4)", "Dense(1)"), "(8, 10)"),
    # KL205: labels against the output layer
    "kl205_width_mse": fit(seq("(4,)", "Dense(3)"), "(8, 4)", "(8, 2)"),
    "kl205_rank1_labels_mse": fit(seq("(4,)", "Dense(4)"), "(8, 4)", "(8,)"),
    "kl205_rank1_labels_bce": fit(seq("(4,)", "Dense(4, activation='sigmoid')"), "(8, 4)", "(8,)", "binary_crossentropy"),
    "kl205_column_labels_mse": fit(seq("(4,)", "Dense(4)"), "(8, 4)", "(8, 1)"),
    "kl205_column_labels_mae": fit(seq("(4,)", "Dense(4)"), "(8, 4)", "(8, 1)", "mae"),
    "kl205_column_labels_bce": fit(seq("(4,)", "Dense(4, activation='sigmoid')"), "(8, 4)", "(8, 1)", "binary_crossentropy"),
    # KL205: labels of lower (or higher) rank than an output no Dense made per-position
    "kl205_lower_rank_conv_bce": fit(seq("(10, 3)", "Conv1D(1, 3, activation='sigmoid')"), "(8, 10, 3)", "(8, 1)",
                                     "binary_crossentropy"),
    "kl205_lower_rank_conv_cce": fit(seq("(10, 3)", "Conv1D(4, 3, activation='softmax')"), "(8, 10, 3)", "(8, 4)",
                                     "categorical_crossentropy"),
    "kl205_lower_rank_conv_scce": fit(seq("(10, 3)", "Conv1D(4, 3, activation='softmax')"), "(8, 10, 3)", "(8,)",
                                      "sparse_categorical_crossentropy"),
    "kl205_lower_rank_conv_mse": fit(seq("(10, 3)", "Conv1D(1, 3)"), "(8, 10, 3)", "(8, 1)"),
    "kl205_lower_rank_lstm_mse": fit(seq("(10, 3)", "LSTM(1, return_sequences=True)"), "(8, 10, 3)", "(8,)"),
    # KL205 per output: labels and losses keyed by output name, and in output order
    "kl205_per_output_dict": f"{HEAD}x = np.zeros((8, 4))\ninp = keras.Input((4,))\n"
                             f"m = keras.Model(inp, [layers.Dense(3, name='age')(inp), "
                             f"layers.Dense(2, activation='softmax', name='kind')(inp)])\n"
                             f"m.compile(optimizer='adam', loss={{'age': 'mse', 'kind': 'sparse_categorical_crossentropy'}}, "
                             f"loss_weights={{'age': 1.0, 'kind': 0.5}})\n"
                             f"m.fit(x, {{'age': np.zeros((8, 1)), 'kind': np.zeros(8)}}, epochs=1, verbose=0)\n",
    "kl205_per_output_list": f"{HEAD}x = np.zeros((8, 4))\ninp = keras.Input((4,))\n"
                             f"m = keras.Model(inp, [layers.Dense(1, name='age')(inp), "
                             f"layers.Conv1D(2, 1)(layers.Reshape((4, 1))(inp))])\n"
                             f"m.compile(optimizer='adam', loss=['mse', 'categorical_crossentropy'])\n"
                             f"m.fit(x, [np.zeros((8, 1)), np.zeros((8, 2))], epochs=1, verbose=0)\n",
    "kl205_higher_rank_cce": fit(seq("(4,)", "Dense(3, activation='softmax')"), "(8, 4)", "(8, 5, 3)",
                                 "categorical_crossentropy"),
    # rules whose claim is on their explain page
    "kl203_full_shape": fit("m = keras.Sequential([layers.Dense(1, input_shape=x.shape)])", "(8, 4)"),
    "kl203_samples_first_sequential": fit("m = keras.Sequential([layers.Conv1D(4, 3, input_shape=(8, 3)), "
                                          "layers.GlobalAveragePooling1D(), layers.Dense(1)])", "(8, 100, 3)"),
    "kl203_samples_first_functional": fit(func("(8, 3)", *CONV1D), "(8, 100, 3)"),
    "kl302_pooling_collapse": fit(seq("(8, 3)", *["MaxPooling1D(2)"] * 4, "Flatten()", "Dense(1)"), "(8, 8, 3)"),
    "kl306_stacked_lstm": fit(seq("(10, 3)", "LSTM(4)", "LSTM(4)", "Dense(1)"), "(8, 10, 3)"),
    "kl307_tensordot": f"{HEAD}inputs = keras.Input((5, 4))\nm = keras.Model(inputs, keras.ops.tensordot("
                       f"layers.Dense(6)(inputs), layers.Dense(3)(inputs), axes=([2], [2])))\n",
    "kl307_concatenate": f"{HEAD}a = keras.Input((4, 3))\nb = keras.Input((5, 2))\n"
                         f"m = keras.Model([a, b], layers.Concatenate()([a, b]))\n",
    # what keras.applications constructors reject (before any download), and a backbone built
    # for one size called on another
    "kl307_application_minimum": f"{HEAD}base = keras.applications.InceptionV3(weights=None, include_top=False, "
                                 f"input_shape=(64, 64, 3))\nm = keras.Model(base.input, base.output)\n",
    "kl307_application_imagenet_top": f"{HEAD}base = keras.applications.ResNet50(input_shape=(160, 160, 3))\n"
                                      f"m = keras.Model(base.input, base.output)\n",
    "kl307_application_other_size": f"{HEAD}base = keras.applications.MobileNetV2(alpha=0.35, weights=None, "
                                    f"include_top=False, input_shape=(96, 96, 3))\ninp = keras.Input((128, 128, 3))\n"
                                    f"m = keras.Model(inp, base(inp))\n",
    "kl401_softmax_one_unit": fit(seq("(4,)", "Dense(1, activation='softmax')"), "(8, 4)", loss="binary_crossentropy"),
    "kl401_softmax_bce": fit(seq("(4,)", "Dense(3, activation='softmax')"), "(8, 4)", "(8, 3)", "binary_crossentropy"),
    "kl401_sigmoid_cce": fit(seq("(4,)", "Dense(3, activation='sigmoid')"), "(8, 4)", "(8, 3)", "categorical_crossentropy"),
    # KL308: a pretrained matrix with a padding row the Embedding does not count, or wider vectors
    "kl308_embedding_rows": fit("matrix = np.zeros((51, 16))\n"
                                + seq("(6,)", "Embedding(50, 16, weights=[matrix])", "GlobalAveragePooling1D()",
                                      "Dense(1)"), "(8, 6)"),
    "kl308_embedding_width": fit("matrix = np.zeros((50, 32))\ne = layers.Embedding(50, 16, weights=[matrix], "
                                 "trainable=False)\n" + seq("(6,)", "GlobalAveragePooling1D()", "Dense(1)"), "(8, 6)"),
    # ... and set_weights on an Embedding, built into a model or not
    "kl308_set_weights_built": f"{HEAD}matrix = np.zeros((51, 16))\ne = layers.Embedding(50, 16)\n"
                               f"m = keras.Sequential([keras.Input((6,)), e])\ne.set_weights([matrix])\n",
    "kl308_set_weights_unbuilt": f"{HEAD}matrix = np.zeros((50, 32))\ne = layers.Embedding(50, 16)\n"
                                 f"e.set_weights([matrix])\n",
    # ... set_weights on any built layer or model, whose weight shapes follow its input
    "kl308_layer_set_weights_shape": f"{HEAD}d = layers.Dense(3)\nm = keras.Sequential([keras.Input((4,)), d])\n"
                                     f"d.set_weights([np.zeros((5, 3)), np.zeros(3)])\n",
    "kl308_layer_set_weights_count": f"{HEAD}c = layers.Conv2D(8, 3)\nm = keras.Sequential([keras.Input((9, 9, 3)), c])\n"
                                     f"c.set_weights([np.zeros((3, 3, 3, 8))])\n",
    "kl308_lstm_set_weights": f"{HEAD}r = layers.LSTM(4)\nm = keras.Sequential([keras.Input((5, 3)), r])\n"
                              f"r.set_weights([np.zeros((3, 4)), np.zeros((4, 4)), np.zeros(4)])\n",
    "kl308_model_set_weights_count": f"{HEAD}" + seq("(4,)", "Dense(3)", "Dropout(0.1)", "Dense(2)")
                                     + "\nm.set_weights([np.zeros((4, 3)), np.zeros(3)])\n",
    "kl308_model_set_weights_shape": f"{HEAD}" + func("(4,)", "Dense(3)", "BatchNormalization()", "Dense(2)")
                                     + "\nm.set_weights([np.zeros((4, 3)), np.zeros(3), np.ones(3), np.zeros(3), "
                                     "np.zeros(3), np.ones(3), np.zeros((3, 2)), np.zeros(4)])\n",
    "kl308_model_from_other_model": f"{HEAD}" + seq("(4,)", "Dense(3)", "Dense(2)")
                                    + "\nother = keras.Sequential([keras.Input((4,)), layers.Dense(8), layers.Dense(2)])\n"
                                    "m.set_weights(other.get_weights())\n",
    # activations that cannot produce probabilities, however the last layer sets them
    "kl401_relu_bce": fit(seq("(4,)", "Dense(1, activation='relu')"), "(8, 4)", loss="binary_crossentropy"),
    "kl401_tanh_layer_cce": fit(seq("(4,)", "Dense(3)", "Activation('tanh')"), "(8, 4)", "(8, 3)",
                                "categorical_crossentropy"),
    "kl401_relu_layer_sparse": fit(seq("(4,)", "Dense(3)", "ReLU()"), "(8, 4)", "(8,)",
                                   "sparse_categorical_crossentropy"),
    "kl401_time_distributed_elu": fit(seq("(5, 4)", "TimeDistributed(layers.Dense(3, activation='elu'))"),
                                      "(8, 5, 4)", "(8, 5)", "sparse_categorical_crossentropy"),
    # KL205: sparse class ids beyond the output's units (TensorFlow checks them on CPU)
    "kl205_ids_beyond_units": f"{HEAD}np.random.seed(0)\nx = np.zeros((64, 4))\ny = np.random.randint(0, 10, 64)\n"
                              + seq("(4,)", "Dense(5, activation='softmax')")
                              + "\nm.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\n"
                                "m.fit(x, y, epochs=1, verbose=0)\n",
    # KL205: label values the loss cannot read, and compile arguments per output
    "kl205_ids_divided": labelled("np.random.randint(0, 10, 64) / 255.0", "'sparse_categorical_crossentropy'",
                                  "Dense(10, activation='softmax')"),
    "kl205_rand_sparse": labelled("np.random.rand(64)", "'sparse_categorical_crossentropy'",
                                  "Dense(10, activation='softmax')"),
    "kl205_bce_class_ids": labelled("np.random.randint(0, 10, 64)", "'binary_crossentropy'",
                                    "Dense(1, activation='sigmoid')"),
    "kl205_to_categorical_width": labelled("keras.utils.to_categorical(np.random.randint(0, 5, 64), 5)",
                                           "'categorical_crossentropy'", "Dense(10, activation='softmax')"),
    "kl205_ignore_class_beyond": labelled("np.random.randint(0, 12, 64)",
                                          "keras.losses.SparseCategoricalCrossentropy(ignore_class=10)",
                                          "Dense(10, activation='softmax')"),
    "kl205_sparse_axis": labelled("np.random.randint(0, 3, (64, 5))",
                                  "keras.losses.SparseCategoricalCrossentropy(axis=1)", "Dense(15)", "Reshape((5, 3))",
                                  "Softmax()"),
    "kl205_loss_weights_count": two_outputs("loss=LOSSES, loss_weights=[1.0]"),
    "kl205_loss_weights_single_loss": two_outputs("loss='mse', loss_weights=[1.0, 2.0]", "[np.zeros((8, 1)), "
                                                  "np.zeros((8, 3))]"),
    "kl205_loss_weights_missing": two_outputs("loss=LOSSES, loss_weights={'age': 1.0}"),
    "kl205_metrics_unknown_output": two_outputs("loss=LOSSES, metrics={'age': 'mae', 'knd': 'accuracy'}"),
    # KL205: the losses with shape rules of their own
    "kl205_ctc_rank1_labels": fit(func("(20, 4)", "LSTM(8, return_sequences=True)", "Dense(6)"), "(8, 20, 4)",
                                  "(8,)", "ctc"),
    "kl205_circle_wide_labels": fit(seq("(4,)", "Dense(16)"), "(8, 4)", "(8, 3)", "circle"),
    "kl205_cgce_column_labels": labelled("np.random.randint(0, 3, (64, 1))",
                                         "keras.losses.CategoricalGeneralizedCrossEntropy()",
                                         "Dense(3, activation='softmax')"),
    "kl205_cgce_one_hot_labels": labelled("keras.utils.to_categorical(np.random.randint(0, 3, 64), 3)",
                                          "keras.losses.CategoricalGeneralizedCrossEntropy()",
                                          "Dense(3, activation='softmax')"),
    "kl205_dice_channels": fit(seq("(6, 6, 3)", "Conv2D(2, 3, padding='same', activation='sigmoid')"),
                               "(8, 6, 6, 3)", "(8, 6, 6, 1)", "dice"),
    "kl205_loss_dict_keys": two_outputs("loss={'age': 'mse', 'knd': 'mse'}", "[np.zeros((8, 1)), np.zeros((8, 3))]"),
}

# Keras 3 adds a missing trailing axis of size 1 and drops an extra one: nothing to report.
QUIET = {
    "missing_unit_axis_sequential": fit(seq("(5, 1)", "Conv1D(4, 3)", "Flatten()", "Dense(1)"), "(8, 5)"),
    "missing_unit_axis_functional": fit(func("(5, 1)", "Conv1D(4, 3)", "Flatten()", "Dense(1)"), "(8, 5)"),
    "missing_channel_axis_mnist": fit(seq("(6, 6, 1)", *CONV2D), "(8, 6, 6)"),
    "extra_unit_axis_sequential": fit(seq("(5,)", "Dense(1)"), "(8, 5, 1)"),
    # a vector of samples (length unknown statically) predicted by a model of input (None, 1)
    "predict_vector_unit_axis": f"{HEAD}x = np.zeros((int(np.random.randint(5, 10)), 2))[:, 0]\n" + seq("(1,)", "Dense(1)")
                                + "\nm.predict(x, verbose=0)\n",
    "extra_unit_axis_functional": fit(func("(5,)", "Dense(1)"), "(8, 5, 1)"),
    # labels per position, with the trailing 1 Keras squeezes or adds
    "per_position_labels_bce": fit(seq("(10, 3)", "Conv1D(1, 3, activation='sigmoid')"), "(8, 10, 3)", "(8, 8)",
                                   "binary_crossentropy"),
    "per_position_labels_dense_mse": fit(seq("(10, 3)", "Conv1D(4, 3)", "Dense(1)"), "(8, 10, 3)", "(8, 8, 1)"),
    # a backbone built for no size takes any
    "backbone_any_size": fit("base = keras.applications.MobileNetV2(alpha=0.35, weights=None, include_top=False)\n"
                             "inp = keras.Input((64, 80, 3))\n"
                             "m = keras.Model(inp, layers.Dense(1)(layers.GlobalAveragePooling2D()(base(inp))))",
                             "(8, 64, 80, 3)"),
    # Keras 3 keeps Embedding's weights=: a matrix of the table's shape trains
    # ignore_class masks the one id that reaches the units; extra weights and metrics for one output
    "ignore_class_masks_units": labelled("np.random.randint(0, 11, 64)",
                                         "keras.losses.SparseCategoricalCrossentropy(ignore_class=10)",
                                         "Dense(10, activation='softmax')"),
    "loss_weights_extra_key": two_outputs("loss=LOSSES, loss_weights={'age': 1.0, 'kind': 1.0, 'knd': 2.0}"),
    "loss_weights_single_loss_one": two_outputs("loss='mse', loss_weights=[2.0]",
                                                "[np.zeros((8, 1)), np.zeros((8, 3))]"),
    "metrics_dict_some_outputs": two_outputs("loss=LOSSES, metrics={'kind': 'accuracy'}"),
    "metrics_dict_single_output": fit(seq("(4,)", "Dense(1)"), "(8, 4)", call="m.compile(optimizer='adam', "
                                      "loss='mse', metrics={'foo': 'mae'})\nm.fit(x, y, epochs=1, verbose=0)"),
    # CTC's label sequences need not match the timesteps; Circle's ids per sample; CGCE's ids
    "ctc_label_sequences": fit(func("(20, 4)", "LSTM(8, return_sequences=True)", "Dense(6)"), "(8, 20, 4)",
                               "(8, 5)", "ctc"),
    "circle_ids": fit(seq("(4,)", "Dense(16)"), "(8, 4)", "(8, 1)", "circle"),
    "cgce_ids": labelled("np.random.randint(0, 3, 64)", "keras.losses.CategoricalGeneralizedCrossEntropy()",
                         "Dense(3, activation='softmax')"),
    "bce_zero_one_labels": labelled("np.random.randint(0, 2, 64)", "'binary_crossentropy'",
                                    "Dense(1, activation='sigmoid')"),
    # weights of the right shapes, from a list or from a model of the same layers
    "set_weights_fitting": f"{HEAD}" + seq("(4,)", "Dense(3)", "BatchNormalization()", "Dense(2)")
                           + "\nm.set_weights([np.zeros((4, 3)), np.zeros(3), np.ones(3), np.zeros(3), np.zeros(3), "
                           "np.ones(3), np.zeros((3, 2)), np.zeros(2)])\nd = m.layers[0]\n"
                           "other = keras.Sequential([keras.Input((4,)), layers.Dense(3), layers.BatchNormalization(), "
                           "layers.Dense(2)])\nm.set_weights(other.get_weights())\n",
    "set_weights_empty_unbuilt": f"{HEAD}a = keras.Sequential([layers.Dense(3)])\nb = keras.Sequential([layers.Dense(5)])\n"
                                 "b.set_weights(a.get_weights())\n",
    "embedding_weights_fit": fit("matrix = np.zeros((50, 16))\n" + seq("(6,)", "Embedding(50, 16, weights=[matrix])",
                                                                        "GlobalAveragePooling1D()", "Dense(1)"),
                                 "(8, 6)"),
}

RUNNER = r"""
import json, re, sys, traceback
for name, code in json.load(sys.stdin).items():
    try:
        exec(compile(code, name, "exec"), {"__name__": "__keras_claim__"})
        result = {"outcome": "runs"}
    except Exception as exc:  # the outcome under test
        lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == name]
        text = re.sub(r"\x1b\[[0-9;]*m", "", f"{type(exc).__name__}: {exc}").split("Arguments received by")[0]
        text = " ".join(text.replace("Exception encountered when calling", "in").split())
        result = {"outcome": "stops", "line": lines[-1] if lines else None, "error": text}
    print(json.dumps({"name": name, **result}), flush=True)
"""


@pytest.fixture(scope="module")
def keras_outcomes() -> dict[str, dict]:
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    done = subprocess.run([sys.executable, "-c", RUNNER], input=json.dumps({**SCRIPTS, **QUIET}), env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    results = {r["name"]: r for r in map(json.loads, done.stdout.splitlines())}
    assert set(results) == {*SCRIPTS, *QUIET}, done.stderr[-3000:]
    return results


@functools.cache
def findings(code: str) -> list:
    return check_source(code, "t.py", selected=set(RULES)).diagnostics


def claim(finding) -> tuple[str, bool] | None:
    """What the finding says Keras does with the script ("stops" or "runs"), and whether its
    message says it (else its explain page does); None when it makes no claim."""
    said = [(finding.message.find(p), kind) for kind, phrases in (("stops", STOPS), ("runs", RUNS))
            for p in phrases if p in finding.message]
    if said:
        return min(said)[1], True
    phrase, kind = DOC_CLAIMS.get(finding.code, ("", ""))
    return (kind, False) if phrase and phrase in (RULES[finding.code].__doc__ or "") else None


def quoted_errors(message: str) -> list[str]:
    """Keras error text a "stops" claim quotes: quoted words in the claim's clause that are
    not Python (`x[..., None]` is advice, `expected shape=(None, 3)` is Keras's message)."""
    start = min(message.find(p) for p in STOPS if p in message)
    clause = message[start:].split(";")[0]
    quotes = [a or b for a, b in re.findall(r"'([^']+)'|`([^`]+)`", clause)]
    return [q for q in quotes if not _is_python(q)]


def _is_python(text: str) -> bool:
    try:
        ast.parse(text, mode="eval")
    except SyntaxError:
        return False
    return True


CLAIMS = {name: [(f, *claim(f)) for f in findings(code) if claim(f)] for name, code in SCRIPTS.items()}


@pytest.mark.parametrize("name", SCRIPTS)
def test_script_makes_a_claim(name: str) -> None:
    found = [f"{f.code}: {f.message}" for f in findings(SCRIPTS[name])]
    assert CLAIMS[name], f"{name} no longer triggers a claim about Keras; its findings: {found}"


@pytest.mark.parametrize("name", SCRIPTS)
def test_claim_holds_under_keras(name: str, keras_outcomes: dict[str, dict]) -> None:
    result = keras_outcomes[name]
    for finding, said, in_message in CLAIMS[name]:
        source = "says" if in_message else f"is reported by a rule whose explain page says {said!r}:"
        what = f"{name}: {finding.code} {source} {finding.message!r}; Keras: {result.get('error', 'trained')[:400]}"
        assert result["outcome"] == said, what
        if said == "stops" and in_message:  # the message is about the call it points at, and quotes Keras
            if finding.code not in DECLARATION_ANCHORED:
                assert result["line"] == finding.location.row, \
                    f"stops on line {result['line']}, not the finding's: {what}"
            for quote in quoted_errors(finding.message):
                assert quote in result["error"], f"Keras's error does not say {quote!r}: {what}"


def test_every_error_rule_in_the_table_makes_a_claim() -> None:
    errors = {f.code for code in SCRIPTS.values() for f in findings(code) if f.severity is Severity.ERROR}
    claimed = {f.code for found in CLAIMS.values() for f, _, _ in found}
    assert errors <= claimed, f"error findings without a claim about Keras: {sorted(errors - claimed)}"


def test_table_covers_both_outcomes() -> None:
    said = {kind for found in CLAIMS.values() for _, kind, _ in found}
    assert said == {"stops", "runs"}


@pytest.mark.parametrize("name", QUIET)
def test_quiet_scripts_train(name: str, keras_outcomes: dict[str, dict]) -> None:
    errors = [f"{f.code}: {f.message}" for f in findings(QUIET[name]) if f.severity is Severity.ERROR]
    assert not errors, f"{name}: Keras 3 trains this script, keraslint reports {errors}"
    assert keras_outcomes[name]["outcome"] == "runs", keras_outcomes[name].get("error")
