"""Every fix, proved under Keras: each script is fixed, then the original and the fixed model
construction are both built by Keras and compared layer by layer (``get_config()`` without
names, output shapes, parameter counts), along with the optimizers and the fit/evaluate/predict
calls. A safe fix must build exactly the same thing; an unsafe one exactly its intended change.

Keras 3 is the truth for what a script does today. An original that Keras 3 rejects (`lr=`,
`nb_filter=`, `fit_generator` ...) is built as the Keras 2 it was written for did: Keras 3 with
Keras 2's own converters in front (`keras/legacy/interfaces.py` of Keras 2.2, transcribed
below), never with keraslint's tables. The fixed script must build under plain Keras 3.
The scripts are this file's own fixtures, executed in-process; no user code is run.
"""

from __future__ import annotations

import hashlib
import inspect
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest

from keraslint.checker import check_source
from keraslint.fix_command import _fixed_source
from keraslint.run import CheckOptions

keras = pytest.importorskip("keras")
np = pytest.importorskip("numpy")

# ---- Keras 2, as Keras 3 plus Keras 2's legacy converters

_DENSE = [("output_dim", "units"), ("init", "kernel_initializer"), ("W_regularizer", "kernel_regularizer"),
          ("b_regularizer", "bias_regularizer"), ("W_constraint", "kernel_constraint"),
          ("b_constraint", "bias_constraint"), ("bias", "use_bias")]
_CONV = [("nb_filter", "filters"), ("filter_length", "kernel_size"), ("subsample_length", "strides"),
         ("subsample", "strides"), ("border_mode", "padding"), *_DENSE[1:]]
_RECURRENT = [("output_dim", "units"), ("init", "kernel_initializer"), ("inner_init", "recurrent_initializer"),
              ("inner_activation", "recurrent_activation"), ("W_regularizer", "kernel_regularizer"),
              ("b_regularizer", "bias_regularizer"), ("U_regularizer", "recurrent_regularizer"),
              ("dropout_W", "dropout"), ("dropout_U", "recurrent_dropout")]


def _kernel_from_positionals(axes: int) -> Callable[[tuple, dict], tuple[tuple, dict]]:
    """conv2d_args_preprocessor / conv3d_args_preprocessor: Conv2D(16, 3, 3) is a 3x3 kernel."""
    def convert(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        if len(args) == 1 + axes and all(isinstance(a, int) for a in args[1:]):
            return (args[0], tuple(args[1:])), kwargs
        return args, kwargs
    return convert


def _drop_output_shape(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    kwargs.pop("output_shape", None)
    return _kernel_from_positionals(2)(args, kwargs)


def _atrous(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    kwargs["dilation_rate"] = kwargs.pop("atrous_rate", 1)
    return args, kwargs


def _separable(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    if "init" in kwargs:
        kwargs["depthwise_initializer"] = kwargs["pointwise_initializer"] = kwargs.pop("init")
    return _kernel_from_positionals(2)(args, kwargs)


# name in Keras 2 -> (Keras 3 class, keyword conversions, preprocessor)
_KERAS2_LAYERS: dict[str, tuple[str, list[tuple[str, str]], Any]] = {
    "Dense": ("Dense", _DENSE, None),
    "Dropout": ("Dropout", [("p", "rate")], None),
    "GaussianNoise": ("GaussianNoise", [("sigma", "stddev")], None),
    "Embedding": ("Embedding", [("init", "embeddings_initializer"), ("W_regularizer", "embeddings_regularizer"),
                                ("W_constraint", "embeddings_constraint")], None),
    "MaxPooling1D": ("MaxPooling1D", [("pool_length", "pool_size"), ("stride", "strides"),
                                      ("border_mode", "padding")], None),
    "MaxPooling2D": ("MaxPooling2D", [("border_mode", "padding")], None),
    "UpSampling1D": ("UpSampling1D", [("length", "size")], None),
    "LSTM": ("LSTM", _RECURRENT, None),
    "Conv1D": ("Conv1D", _CONV, None),
    "Convolution1D": ("Conv1D", _CONV, None),
    "AtrousConvolution1D": ("Conv1D", _CONV, _atrous),
    "Conv2D": ("Conv2D", _CONV, _kernel_from_positionals(2)),
    "Convolution2D": ("Conv2D", _CONV, _kernel_from_positionals(2)),
    "Conv3D": ("Conv3D", _CONV, _kernel_from_positionals(3)),
    "Convolution3D": ("Conv3D", _CONV, _kernel_from_positionals(3)),
    "SeparableConvolution2D": ("SeparableConv2D", [c for c in _CONV if c[0] not in ("init", "W_regularizer")],
                               _separable),
    "Deconvolution2D": ("Conv2DTranspose", _CONV, _drop_output_shape),
}
_KERAS2_GENERATOR_METHODS = {"fit_generator": "fit", "evaluate_generator": "evaluate", "predict_generator": "predict"}
_KERAS2_METHOD_CONVERSIONS = [("nb_epoch", "epochs"), ("val_samples", "steps"), ("nb_val_samples", "validation_steps")]


def _converted(name: str, kwargs: dict, conversions: list[tuple[str, str]]) -> dict:
    for old, new in conversions:
        if old in kwargs:
            if new in kwargs:
                raise TypeError(f"{name} received both `{old}` and `{new}`")  # as Keras 2 did
            kwargs[new] = kwargs.pop(old)
    return kwargs


def _keras2_layer(name: str, base: type, conversions: list[tuple[str, str]], preprocess: Any) -> type:
    def __init__(self, *args, **kwargs):
        if preprocess is not None:
            args, kwargs = preprocess(args, kwargs)
        base.__init__(self, *args, **_converted(name, kwargs, conversions))

    return type(name, (base,), {"__init__": __init__})


class _CuDNNLSTM(keras.layers.LSTM):
    """Keras 2's CuDNNLSTM, as far as the model goes: an LSTM with two bias vectors."""

    def build(self, sequences_shape):
        super().build(sequences_shape)
        self.second_bias = self.add_weight(shape=(4 * self.units,), initializer="zeros", name="recurrent_bias")


@contextmanager
def keras2(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with monkeypatch.context() as patch:
        for name, (target, conversions, preprocess) in _KERAS2_LAYERS.items():
            base = getattr(keras.layers, target)
            patch.setattr(keras.layers, name, _keras2_layer(name, base, conversions, preprocess), raising=False)
        patch.setattr(keras.layers, "CuDNNLSTM", _CuDNNLSTM, raising=False)
        for name in ("Adam", "SGD", "RMSprop"):
            optimizer = getattr(keras.optimizers, name)
            patch.setattr(keras.optimizers, name, _keras2_layer(name, optimizer, [("lr", "learning_rate")], None))
        for old, new in _KERAS2_GENERATOR_METHODS.items():
            def method(self, generator, *, _new=new, **kwargs):
                return getattr(self, _new)(generator, **_converted(old, kwargs, _KERAS2_METHOD_CONVERSIONS))
            patch.setattr(keras.Model, old, method, raising=False)
        original_fit = keras.Model.fit

        def fit(self, *args, **kwargs):
            return original_fit(self, *args, **_converted("fit", kwargs, [("nb_epoch", "epochs")]))
        patch.setattr(keras.Model, "fit", fit)
        yield


# ---- building a script and describing what it built


@dataclass
class Built:
    models: list[tuple[str, list[tuple[Any, ...]], int]] = field(default_factory=list)
    optimizers: list[tuple[str, dict]] = field(default_factory=list)
    calls: list[tuple[str, dict]] = field(default_factory=list)
    weights: list[str] = field(default_factory=list)
    #: built with Keras 2's converters (Keras 3 rejected it)
    keras2: bool = False
    #: what plain Keras 3 said, when it rejected the script
    rejected: str = ""

    def same(self) -> tuple[Any, ...]:
        return self.models, self.optimizers, self.calls


def _nameless(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _nameless(v) for k, v in value.items() if k != "name"}
    if isinstance(value, (list, tuple)):
        return type(value)(_nameless(v) for v in value)
    return value


def _keras_class(obj: object) -> str:
    return next(c.__name__ for c in type(obj).__mro__ if c.__module__.startswith("keras."))


def _argument(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return ("array", value.shape)
    if inspect.isgenerator(value):
        return "generator"
    return value


def _shape(layer: Any) -> Any:
    try:
        return tuple(layer.output.shape)
    except (AttributeError, ValueError):
        return None


def _describe(namespace: dict, calls: list) -> Built:
    built = Built(calls=calls)
    seen: set[int] = set()
    for name, value in sorted(namespace.items()):
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, keras.Model):
            layers = [(_keras_class(layer), _nameless(layer.get_config()), _shape(layer), layer.count_params())
                      for layer in value.layers]
            built.models.append((name, layers, value.count_params()))
            digest = hashlib.sha256(b"".join(np.asarray(w).tobytes() for w in value.get_weights()))
            built.weights.append(digest.hexdigest())
        elif isinstance(value, keras.optimizers.Optimizer):
            built.optimizers.append((_keras_class(value), _nameless(value.get_config())))
    return built


def _run(source: str, monkeypatch: pytest.MonkeyPatch, *, legacy: bool) -> Built:
    """Execute the script with fit/evaluate/predict recording their (bound) arguments, not training."""
    calls: list[tuple[str, dict]] = []
    with monkeypatch.context() as patch:
        for method in ("fit", "evaluate", "predict"):
            signature = inspect.signature(getattr(keras.Model, method))

            def record(self, *args, _method=method, _signature=signature, **kwargs):
                bound = _signature.bind(self, *args, **kwargs).arguments
                calls.append((_method, {k: _argument(v) for k, v in bound.items() if k != "self"}))

            patch.setattr(keras.Model, method, record)
        with keras2(monkeypatch) if legacy else nullcontext():
            namespace: dict[str, Any] = {}
            exec(compile(source, "<fixture>", "exec"), namespace)  # this file's own fixture scripts
        return _describe(namespace, calls)


def build(source: str, monkeypatch: pytest.MonkeyPatch, *, keras2_allowed: bool = True) -> Built:
    try:
        return _run(source, monkeypatch, legacy=False)
    except Exception as error:  # noqa: BLE001 - what Keras 3 makes of a legacy spelling
        if not keras2_allowed:
            raise
        rejected = f"{type(error).__name__}: {error}"
    built = _run(source, monkeypatch, legacy=True)
    built.keras2, built.rejected = True, rejected
    return built


# ---- the scripts


@dataclass(frozen=True)
class Case:
    id: str
    source: str
    codes: frozenset[str] = frozenset({"KL403"})
    unsafe: bool = False
    #: the intended change of an unsafe fix: (original, fixed) -> None, asserting
    change: Callable[[Built, Built], None] | None = None


LAYER_KEYWORDS = '''\
import keras
from keras.layers import Convolution1D, MaxPooling1D, Dense, Dropout, LSTM, Embedding, GaussianNoise, UpSampling1D
from keras.regularizers import l2

model = keras.Sequential([
    keras.Input((40,)),
    Embedding(100, 8, init="uniform", W_regularizer=l2(0.01)),
    Convolution1D(nb_filter=16, filter_length=3, border_mode="same", subsample_length=1, init="he_normal",
                  W_regularizer=l2(0.001), b_regularizer=l2(0.01), bias=True),
    MaxPooling1D(pool_length=2, stride=2, border_mode="valid"),
    GaussianNoise(sigma=0.1),
    UpSampling1D(length=2),
    LSTM(output_dim=12, init="glorot_uniform", inner_init="orthogonal", inner_activation="sigmoid",
         dropout_W=0.1, dropout_U=0.2, U_regularizer=l2(0.01), return_sequences=True),
    LSTM(6),
    Dropout(p=0.5),
    Dense(output_dim=3, init="normal", activation="softmax", W_constraint=keras.constraints.MaxNorm(2),
          b_constraint=keras.constraints.NonNeg(), bias=False),
])
'''

CONV_CLASSES = '''\
import keras
from keras.layers import Convolution2D
from keras.layers import SeparableConvolution2D, Deconvolution2D, Convolution3D

image = keras.Sequential([
    keras.Input((16, 16, 3)),
    Convolution2D(8, 3, activation="relu", border_mode="same"),
    keras.layers.Conv2D(8, (3, 3), subsample=(2, 2), border_mode="same"),
    keras.layers.MaxPooling2D(pool_size=(2, 2), border_mode="same"),
    SeparableConvolution2D(4, 3, border_mode="same"),
    keras.layers.Convolution2DTranspose(4, 3),
    Deconvolution2D(2, 3, subsample=(2, 2)),
])
volume = keras.Sequential([keras.Input((6, 6, 6, 1)), Convolution3D(4, 3, border_mode="same")])
'''

CASES = [
    Case("optimizer-lr", "import keras\nadam = keras.optimizers.Adam(lr=0.01)\n"
                         "sgd = keras.optimizers.SGD(lr=0.1, momentum=0.9)\n"),
    Case("layer-keywords", LAYER_KEYWORDS),
    Case("conv-classes-and-their-imports", CONV_CLASSES),
    Case("atrous-removed-class-import-renamed",
         "import keras\nfrom keras.layers import AtrousConvolution1D\n"
         "model = keras.Sequential([keras.Input((50, 2)), AtrousConvolution1D(8, 3, atrous_rate=2)])\n"),
    Case("aliased-import",
         "import keras\nfrom keras.layers import Convolution2D as C\n"
         "model = keras.Sequential([keras.Input((8, 8, 1)), C(4, 3), C(2, 3, border_mode='same')])\n"),
    Case("import-kept-for-other-uses",
         "import keras\nfrom keras.layers import Convolution2D\nKIND = Convolution2D\n"
         "model = keras.Sequential([keras.Input((8, 8, 1)), Convolution2D(4, 3)])\n"),
    Case("old-name-dropped-from-the-import",
         "import keras\nfrom keras.layers import (\n    AtrousConvolution1D,\n    Conv1D,\n)\n"
         "model = keras.Sequential([keras.Input((50, 2)), AtrousConvolution1D(8, 3), Conv1D(2, 3)])\n"),
    Case("tf-keras", "import tensorflow as tf\n"
                     "model = tf.keras.Sequential([tf.keras.Input((8, 8, 1)), tf.keras.layers.Convolution2D(4, 3)])\n"),
    Case("fit-and-generators", '''\
import keras
import numpy as np

model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")


def batches():
    while True:
        yield np.zeros((2, 3)), np.zeros((2, 1))


model.fit(np.zeros((4, 3)), np.zeros((4, 1)), 2, nb_epoch=2, verbose=0)
model.fit_generator(batches(), steps_per_epoch=2, nb_epoch=3, verbose=0)
model.evaluate_generator(batches(), steps=2)
model.predict_generator(batches(), steps=1, verbose=0)
'''),
]


def _only_strides_changed(original: Built, fixed: Built) -> None:
    assert not original.keras2  # Keras 3 builds it: the stride-3 model is what it does today
    ((_, before, _),), ((_, after, _),) = original.models, fixed.models
    assert before[0][1]["kernel_size"] == after[0][1]["kernel_size"] == (3, 3)
    assert (before[0][1]["strides"], after[0][1]["strides"]) == ((3, 3), (1, 1))
    assert {**before[0][1], "strides": None} == {**after[0][1], "strides": None}
    assert (before[0][2], after[0][2]) == ((None, 9, 9, 16), (None, 26, 26, 16))
    assert before[0][3] == after[0][3] == 16 * 3 * 3 + 16


def _keras1_meaning_where_keras3_fails(original: Built, fixed: Built) -> None:
    assert original.keras2 and "'int' object has no attribute 'lower'" in original.rejected  # Keras 3: padding=3
    assert fixed.same() == original.same()  # the kernel Keras 1 meant
    assert fixed.models[0][1][0][1]["kernel_size"] == (3, 3, 3)


def _one_bias_vector(original: Built, fixed: Built) -> None:
    ((_, before, total_before),), ((_, after, total_after),) = original.models, fixed.models
    assert [layer[:3] for layer in before] == [layer[:3] for layer in after]  # same LSTM, same shapes
    assert total_before - total_after == 4 * 8


def _sigmoid_head(original: Built, fixed: Built) -> None:
    (_, before, _), (_, after, _) = original.models[0], fixed.models[0]
    assert (before[-1][1]["activation"], after[-1][1]["activation"]) == ("softmax", "sigmoid")
    assert [{**layer[1], "activation": None} for layer in before] == [{**layer[1], "activation": None} for layer in after]
    assert [layer[2:] for layer in before] == [layer[2:] for layer in after]


def _batch_axis_dropped(original: Built, fixed: Built) -> None:
    (_, before, params_before), (_, after, params_after) = original.models[0], fixed.models[0]
    assert before[0][2] == (None, 100, 1) and after[0][2] == (None, 1)  # Dense over 100 rows of 8 -> over 8
    assert params_before == params_after == 9


UNSAFE = [
    Case("convolution2d-keras1-kernel",
         "import keras\nfrom keras.layers import Convolution2D\n"
         "model = keras.Sequential([keras.Input((28, 28, 1)), Convolution2D(16, 3, 3)])\n",
         unsafe=True, change=_only_strides_changed),
    Case("convolution3d-keras1-kernel",
         "import keras\nmodel = keras.Sequential([keras.Input((8, 8, 8, 1)), keras.layers.Convolution3D(4, 3, 3, 3)])\n",
         unsafe=True, change=_keras1_meaning_where_keras3_fails),
    Case("cudnn-lstm", "import keras\nmodel = keras.Sequential([keras.Input((10, 4)), keras.layers.CuDNNLSTM(8)])\n",
         unsafe=True, change=_one_bias_vector),
    Case("kl401-sigmoid", "import keras\nmodel = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3),\n"
                          "    keras.layers.Dense(1, activation='softmax')])\n"
                          "model.compile(optimizer='adam', loss='binary_crossentropy')\n",
         codes=frozenset({"KL401"}), unsafe=True, change=_sigmoid_head),
    Case("kl203-batch-axis", "import numpy as np\nimport keras\nX = np.zeros((100, 8))\n"
                             "model = keras.Sequential([keras.layers.Dense(1, input_shape=X.shape)])\n"
                             "model.fit(X, np.zeros(100))\n",
         codes=frozenset({"KL203"}), unsafe=True, change=_batch_axis_dropped),
]


def fixed_text(case: Case) -> str:
    report = check_source(case.source, "t.py", selected=case.codes)
    assert any(d.fix is not None for d in report.diagnostics), [d.message for d in report.diagnostics]
    if case.unsafe:
        assert any(d.fix is not None and d.fix.applicability == "unsafe" for d in report.diagnostics)
    text, applied, refused = _fixed_source(report, CheckOptions(paths=[], unsafe_fixes=case.unsafe),
                                           lambda t: check_source(t, "t.py", selected=case.codes))
    assert applied and text != case.source and not refused
    left = check_source(text, "t.py", selected=case.codes).diagnostics
    assert not [d.message for d in left if d.fix is not None and (d.fix.applicability == "safe" or case.unsafe)]
    return text


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_safe_fixes_build_the_same_model(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    fixed = fixed_text(case)
    original = build(case.source, monkeypatch)
    after = build(fixed, monkeypatch, keras2_allowed=False)  # the fixed script is plain Keras 3
    assert after.same() == original.same(), fixed


@pytest.mark.parametrize("case", UNSAFE, ids=lambda c: c.id)
def test_unsafe_fixes_make_exactly_their_change(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    fixed = fixed_text(case)
    original = build(case.source, monkeypatch)
    after = build(fixed, monkeypatch, keras2_allowed=False)
    assert case.change is not None
    case.change(original, after)


SEEDED = ("import keras\nimport numpy as np\nX, Y = np.zeros((4, 4)), np.zeros((4, 3))\n"
          "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])\n"
          "model.compile(optimizer='adam', loss='mse')\nmodel.fit(X, Y)\n")


@pytest.mark.parametrize("source", [
    SEEDED,
    # `import keras` after other statements: the seed inserted after the leading imports imports it itself
    pytest.param(SEEDED.replace("import keras\n", "").replace("model = ", "import keras\nmodel = "), id="late-import"),
])
def test_seed_fix_makes_the_weights_reproducible(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fixed = fixed_text(Case("kl101", source, codes=frozenset({"KL101"}), unsafe=True))
    before = [build(source, monkeypatch) for _ in range(2)]
    after = [build(fixed, monkeypatch, keras2_allowed=False) for _ in range(2)]
    assert before[0].same() == after[0].same()  # the same model ...
    assert before[0].weights != before[1].weights  # ... whose weights differed on every run
    assert after[0].weights == after[1].weights  # ... and now do not


def test_keras3_is_the_truth_for_convolution2d() -> None:
    config = keras.layers.Convolution2D(16, 3, 3).get_config()
    assert (config["kernel_size"], config["strides"]) == ((3, 3), (3, 3))
    config = keras.layers.Convolution1D(16, 3, 2).get_config()
    assert (config["kernel_size"], config["strides"]) == ((3,), (2,))


def test_renames_that_would_change_the_call_are_not_offered() -> None:
    cases = {
        "import keras\nm = keras.Sequential()\nm.fit_generator(gen, 10, 3)\n": "fit_generator",
        "import keras\nm = keras.Sequential()\nm.fit_generator(gen, steps_per_epoch=10, workers=4)\n": "fit_generator",
        "import keras\nm = keras.Sequential()\nm.predict_generator(gen, 5)\n": "predict_generator",
        "import keras\nc = keras.layers.Deconvolution2D(4, 3, output_shape=(None, 8, 8, 4))\n": "Deconvolution2D",
        "import keras\nc = keras.layers.MaxPooling2D(stride=2)\n": "stride",
        "import keras\nc = keras.layers.Convolution2D(16, 3, 3, 'same')\n": "Convolution2D",
    }
    for source, old in cases.items():
        report = check_source(source, "t.py", selected={"KL403"})
        (finding,) = [d for d in report.diagnostics if f"`{old}" in d.message] or [None]
        assert finding is None or finding.fix is None or finding.fix.applicability == "unsafe", (source, finding)
