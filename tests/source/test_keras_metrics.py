"""KL402 against Keras: which accuracy Keras builds for each spelling (a generated table of
label shapes, output shapes and spellings, compared with Keras's own ``get_metric``, and
through ``compile`` with different losses), and which metrics are meaningless (real runs of
models with good and with bad weights, compared with what keraslint reports)."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

from keraslint.checker import check_source
from keraslint.source.keras_metrics import MetricSpec, resolve

keras = pytest.importorskip("keras")
compile_utils = pytest.importorskip("keras.src.trainers.compile_utils")
tf = pytest.importorskip("tensorflow")

_KINDS = {"accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
          "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy"}
_NAMES = ["Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy",
          "SparseTopKCategoricalAccuracy"]
_FUNCTIONS = ["binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy", "top_k_categorical_accuracy",
              "sparse_top_k_categorical_accuracy"]
SPELLINGS = ([MetricSpec(s, "string") for s in ("accuracy", "acc", "Accuracy", "ACC", "mae", *_NAMES, *_FUNCTIONS)]
             + [MetricSpec(n, "object") for n in _NAMES] + [MetricSpec(n, "class") for n in _NAMES]
             + [MetricSpec(f, "function") for f in _FUNCTIONS] + [MetricSpec("TopKCategoricalAccuracy", "object", 2)])
Y_PRED = [(1,), (3,), (5, 1), (5, 3)]
Y_TRUE = [(), (1,), (3,), (5,), (5, 1), (5, 3)]


def _identifier(spec: MetricSpec) -> Any:
    if spec.form == "string":
        return spec.name
    found = getattr(keras.metrics, spec.name)
    if spec.form == "object":
        return found(k=spec.k) if spec.k is not None else found()
    return found


def _keras_kind(metric: Any) -> tuple[str, int | None] | None:
    function = getattr(metric, "_fn", None)
    name = getattr(function, "__name__", None)
    if name not in _KINDS:
        return None
    kwargs = getattr(metric, "_fn_kwargs", {}) or {}
    return name, kwargs.get("k", 5) if "top_k" in name else None


def _ours(spec: MetricSpec, y_true: tuple | None, y_pred: tuple) -> tuple[str, int | None] | None:
    found = resolve(spec, None if y_true is None else (None, *y_true), (None, *y_pred))
    return None if found is None else (found.kind, found.k)


@pytest.mark.parametrize("spec", SPELLINGS, ids=lambda s: f"{s.form}-{s.name}-{s.k}")
def test_resolution_matches_keras_get_metric(spec: MetricSpec) -> None:
    for y_pred in Y_PRED:
        theirs = {}
        for y_true in Y_TRUE:
            metric = compile_utils.get_metric(_identifier(spec), np.zeros((2, *y_true)), np.zeros((2, *y_pred)))
            theirs[y_true] = _keras_kind(metric)
            assert _ours(spec, y_true, y_pred) == theirs[y_true], (y_true, y_pred)
        # with the labels unknown keraslint answers only when every label shape gives that answer
        unknown = _ours(spec, None, y_pred)
        if unknown is not None:
            assert set(theirs.values()) == {unknown}, (y_pred, theirs)


@pytest.mark.filterwarnings("ignore::SyntaxWarning")  # Keras warns about categorical_crossentropy on 1 unit
@pytest.mark.parametrize("loss", ["mse", "mae", "huber", "poisson", "binary_crossentropy", "categorical_crossentropy"])
def test_compile_resolves_accuracy_from_shapes_whatever_the_loss(loss: str) -> None:
    for units, labels in [(1, (8, 1)), (1, (8,)), (3, (8, 3)), (3, (8, 1)), (3, (8,))]:
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(units, activation="sigmoid")])
        model.compile(loss=loss, metrics=["accuracy", "acc"], run_eagerly=True)  # no graph tracing per model
        try:
            model.evaluate(np.zeros((8, 2)), np.zeros(labels), verbose=0)
        except Exception:  # noqa: BLE001 - the loss refuses these shapes (a ValueError or a TF error)
            continue
        built = [_keras_kind(m) for group in model._compile_metrics._flat_metrics for m in group.metrics]
        expected = _ours(MetricSpec("accuracy", "string"), labels[1:], (units,))
        assert built == [expected, expected], (loss, units, labels)


# -- which metrics mean something: real runs ------------------------------------------------

N, SEED = 64, 0
OUTPUTS = [(1, "sigmoid"), (1, "linear"), (3, "softmax"), (3, "sigmoid"), (3, "linear")]
LABELS = {1: ["binary", "real"], 3: ["ids", "ids_column", "onehot", "real"]}
METRICS = [MetricSpec("accuracy", "string"), MetricSpec("Accuracy", "object"), MetricSpec("binary_accuracy", "string"),
           MetricSpec("categorical_accuracy", "string"), MetricSpec("SparseCategoricalAccuracy", "object"),
           MetricSpec("top_k_categorical_accuracy", "string"), MetricSpec("TopKCategoricalAccuracy", "object", 2),
           MetricSpec("sparse_top_k_categorical_accuracy", "string")]
# Labels as keraslint sees them in a script (same shapes and kinds as the arrays of the run).
_SCRIPT_LABELS = {
    "binary": "np.random.randint(0, 2, ({n}, 1))",
    "ids": "np.random.randint(0, {k}, {n})",
    "ids_column": "np.random.randint(0, {k}, ({n}, 1))",
    "onehot": "keras.utils.to_categorical(np.random.randint(0, {k}, {n}), {k})",
    "real": "x @ np.random.normal(size=({d}, {units}))",
}


def _data(labels: str, units: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inputs whose class is the axis at +1 (the others at -1, plus noise), the labels, and
    the weights of a model that predicts them (for real-valued labels: the exact weights)."""
    rng = np.random.default_rng(SEED)
    classes = max(units, 2)
    c = rng.integers(0, classes, N)
    x = (np.eye(classes)[c] * 2 - 1 + rng.normal(0, 0.1, (N, classes))).astype("float32")
    if labels == "real":
        weights = rng.normal(size=(classes, units)).astype("float32")
        # noisy, as regression targets are: even the best model does not reproduce them exactly
        return x, x @ weights + rng.normal(0, 0.05, (N, units)).astype("float32"), weights
    y = {"binary": c.reshape(N, 1), "ids": c, "ids_column": c.reshape(N, 1), "onehot": np.eye(classes)[c]}[labels]
    weights = np.eye(classes, dtype="float32")[:, 1:] if units == 1 else np.eye(classes, dtype="float32")
    return x, y, weights


def _metric_values(units: int, activation: str, spec: MetricSpec, x: np.ndarray, y: np.ndarray,
                   weights: np.ndarray) -> tuple[float, float]:
    """The metric of a model that predicts the labels, and of one that predicts them wrongly:
    Keras's activation on the Dense outputs, and the metric built as compile builds it."""
    scale = 0.5 if activation == "linear" else 5.0
    if y.dtype.kind == "f" and not np.isin(y, (0, 1)).all():
        kernel, bias = weights, np.zeros(units)  # regression: the weights the targets were made with
    else:
        kernel, bias = scale * weights, np.full(units, 0.5 if activation == "linear" else 0.0)
    values = []
    for sign in (1, -1):
        output = keras.activations.get(activation)(x @ (sign * kernel) + bias.astype("float32"))
        metric = compile_utils.get_metric(_identifier(spec), y, output)
        metric.update_state(y, output)
        values.append(float(metric.result()))
    return values[0], values[1]


# A loss that accepts the labels in the script keraslint checks (the metric does not depend on
# it: see the compile test above).
_LOSS = {"ids": "sparse_categorical_crossentropy", "other": "mse"}


def _kind_of(y: np.ndarray) -> str:
    return "ids" if y.dtype.kind == "i" and (y.ndim == 1 or y.max() > 1) else "other"


def _keras_verdict(units: int, activation: str, labels: str, spec: MetricSpec) -> bool | None:
    """True: meaningless (the same value for a good and a bad model, or no credit for a good
    one); False: it tells them apart; None: Keras refuses the combination."""
    x, y, weights = _data(labels, units)
    try:
        good, bad = _metric_values(units, activation, spec, x, y, weights)
    except (ValueError, TypeError, tf.errors.InvalidArgumentError):
        return None
    meaningless = abs(good - bad) < 1e-6 or good < 0.5
    meaningful = good >= 0.9 and bad < good - 0.2
    assert meaningless != meaningful, (units, activation, labels, spec, good, bad)
    return meaningless


def _metric_source(spec: MetricSpec) -> str:
    if spec.form == "string":
        return repr(spec.name)
    return f"keras.metrics.{spec.name}(k={spec.k})" if spec.k is not None else f"keras.metrics.{spec.name}()"


def _keraslint_reports(units: int, activation: str, labels: str, spec: MetricSpec) -> bool:
    classes = max(units, 2)
    code = (f"import numpy as np\nimport keras\nx = np.random.rand({N}, {classes})\n"
            f"y = {_SCRIPT_LABELS[labels].format(n=N, k=classes, d=classes, units=units)}\n"
            f"model = keras.Sequential([keras.Input(({classes},)), keras.layers.Dense({units}, "
            f"activation={activation!r})])\n"
            f"model.compile(optimizer='adam', loss={_LOSS[_kind_of(_data(labels, units)[1])]!r}, "
            f"metrics=[{_metric_source(spec)}])\nmodel.fit(x, y)\n")
    return bool(check_source(code, "train.py", selected={"KL402"}).diagnostics)


CASES = [(units, activation, labels, spec) for (units, activation), spec in itertools.product(OUTPUTS, METRICS)
         for labels in LABELS[units] if labels != "real" or activation == "linear"]


@pytest.mark.parametrize(("units", "activation", "labels", "spec"), CASES,
                         ids=[f"{u}-{a}-{lab}-{s.form}-{s.name}-{s.k}" for u, a, lab, s in CASES])
def test_reported_exactly_when_keras_cannot_tell_a_good_model_from_a_bad_one(units: int, activation: str,
                                                                             labels: str, spec: MetricSpec) -> None:
    verdict = _keras_verdict(units, activation, labels, spec)
    # Keras refusing the labels for this metric is a crash, not a meaningless number: KL402
    # (which says the metric runs but means nothing) must stay silent there.
    assert _keraslint_reports(units, activation, labels, spec) == bool(verdict)
