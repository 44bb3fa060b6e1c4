from collections.abc import Iterator
from typing import Any

from keraslint.context import Context
from keraslint.diagnostics import Pass, Severity
from keraslint.graph.layers import output_activation
from keraslint.rule import Finding, Invalid, Rule
from keraslint.source.keras_metrics import (ACCURACY, BINARY, CATEGORICAL, SPARSE, SPARSE_TOP_K, TOP_K, MetricSpec,
                                            labels_fit, meaningless, resolve)
from keraslint.source.label_values import is_real

_CLASS = {ACCURACY: "Accuracy", BINARY: "BinaryAccuracy", CATEGORICAL: "CategoricalAccuracy",
          SPARSE: "SparseCategoricalAccuracy", TOP_K: "TopKCategoricalAccuracy",
          SPARSE_TOP_K: "SparseTopKCategoricalAccuracy"}
_LABEL_METHODS = frozenset({"fit", "fit_generator", "evaluate", "evaluate_generator", "train_on_batch",
                            "test_on_batch"})


class MetricLossMismatch(Rule):
    """An accuracy metric that cannot measure this model.

    ## What it does
    Works out which accuracy Keras 3 computes for each entry of `compile(metrics=...)`
    (and `weighted_metrics=`) and reports the ones whose value does not depend on how good
    the model is:

    * `keras.metrics.Accuracy` (exact match) on a real-valued output (linear, sigmoid,
      softmax, tanh ...): predictions practically never equal the labels exactly;
    * `CategoricalAccuracy` or `SparseCategoricalAccuracy` on a 1-unit output: the argmax of
      one unit is always 0;
    * a top-k accuracy whose k is at least the number of output units: always 1.0;
    * `CategoricalAccuracy`, a top-k or `BinaryAccuracy` on a multi-unit output when the
      labels are integer class ids: they read the labels as one-hot or as one 0/1 per unit;
    * `BinaryAccuracy`, `SparseCategoricalAccuracy` or `Accuracy` when the labels are known
      to be real-valued (drawn from a continuous distribution, computed from such data, or
      `boston_housing`/`california_housing` prices), so never exactly 0, 1 or a class index.

    `metrics=["accuracy"]` (or `"acc"`, any case) is resolved as Keras resolves it, from
    the shapes of the labels and the output and never from the loss: a 1-unit output gets
    `BinaryAccuracy` (prediction > 0.5), labels of lower rank than the output or of width 1
    get `SparseCategoricalAccuracy`, anything else `CategoricalAccuracy` (argmax). Those
    are meaningful with a regression loss too (a sigmoid trained with MSE on 0/1 labels, a
    softmax trained with MSE on one-hot labels), so the loss alone is never reported.

    ## Why is this bad?
    Keras prints the number every epoch, and people tune models against it: one that sits
    at 0, or at the same value whatever the model predicts, hides whether training works.

    ## Example
    ```python
    model.add(keras.layers.Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", metrics=[keras.metrics.Accuracy()])
    ```

    Use instead:
    ```python
    model.compile(loss="binary_crossentropy", metrics=["accuracy"])  # BinaryAccuracy here
    ```
    """

    code = "KL402"
    name = "metric-loss-mismatch"
    severity = Severity.WARNING
    pass_ = Pass.GRAPH
    summary = "an accuracy metric that cannot measure the model (exact match, argmax of 1 unit, real labels)"

    VALID = (
        # multi-hot: five independent 0/1 labels, one per sigmoid unit (Keras's per-unit accuracy)
        "import keras\nimport numpy as np\ny = np.random.randint(0, 2, size=(16, 5))\n"
        "m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation='sigmoid')])\n"
        "m.compile(optimizer='adam', loss='binary_crossentropy', metrics=['binary_accuracy'])\n"
        "m.fit(np.random.rand(16, 4), y)\n",
        "import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"
        "m.compile(optimizer='adam', loss='mse', metrics=['mae'])\n",
        "import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation='sigmoid')])\n"
        "m.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])\n",
        # BinaryAccuracy thresholds at 0.5: meaningful on a sigmoid trained with MSE on 0/1 labels
        "import numpy as np\nimport keras\nx, y = np.random.rand(64, 4), np.random.randint(0, 2, (64, 1))\n"
        "m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation='sigmoid')])\n"
        "m.compile(optimizer='adam', loss='mse', metrics=['accuracy'])\nm.fit(x, y)\n",
        # CategoricalAccuracy is argmax against argmax: meaningful on a softmax trained with MSE
        "import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation='softmax')])\n"
        "m.compile(loss='mse', metrics=[keras.metrics.CategoricalAccuracy()])\n",
    )
    INVALID = (
        Invalid("import numpy as np\nimport keras\nx = np.random.rand(64, 4)\ny = x @ np.array([1.0, 2.0, 3.0, 4.0])\n"
                "m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"
                "m.compile(optimizer='adam', loss='mse', metrics=['accuracy'])\nm.fit(x, y)\n", line=6,
                message="is BinaryAccuracy here"),
        Invalid("from tensorflow import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"
                "m.compile(loss=keras.losses.Huber(), metrics=[keras.metrics.Accuracy()])\n", line=3,
                message="exactly equal"),
        Invalid("import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation='sigmoid')])\n"
                "m.compile(loss='binary_crossentropy', metrics=['categorical_accuracy'])\n", line=3,
                message="always 0"),
        Invalid("import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation='softmax')])\n"
                "m.compile(loss='categorical_crossentropy', metrics=['top_k_categorical_accuracy'])\n", line=3,
                message="always 1.0"),
        Invalid("import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation='sigmoid')])\n"
                "m.compile(loss='binary_crossentropy', metrics=[keras.metrics.Accuracy()])\n", line=3,
                message="sigmoid output"),
        Invalid("import numpy as np\nimport keras\nx, y = np.random.rand(64, 4), np.random.randint(0, 3, (64, 1))\n"
                "m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation='softmax')])\n"
                "m.compile(loss='sparse_categorical_crossentropy', metrics=['categorical_accuracy'])\nm.fit(x, y)\n",
                line=5, message="are class ids"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        labels_of: dict[int, list[Any]] = {}
        for feed in ctx.feeds:
            if feed.use.compiled is not None and feed.use.method in _LABEL_METHODS and feed.labels is not None:
                labels_of.setdefault(id(feed.use.compiled), []).append(feed.labels)
        compiles: dict[int, tuple[Any, Any]] = {}
        for obj, model in ctx.model_objects():
            for use in ctx.facts.models.uses if ctx.facts is not None else []:
                if use.model is obj and use.compiled is not None:
                    compiles.setdefault(id(use.compiled), (use.compiled, model))
            if obj.data.get("compile") is not None:
                compiles.setdefault(id(obj.data["compile"]), (obj.data["compile"], model))
        for compiled, model in compiles.values():
            outputs = model.output_shapes()
            if len(model.graph.outputs) != 1 or len(outputs) != 1 or outputs[0] is None or compiled.node is None:
                continue
            activation, _ = output_activation(model.graph.outputs[0].node)
            reported = set()
            for spec in compiled.metrics:
                for labels in labels_of.get(id(compiled), []) or [None]:
                    finding = _finding(ctx, spec, outputs[0], activation, labels)
                    if finding is not None and spec not in reported:
                        reported.add(spec)
                        yield Finding(finding, node=compiled.node)


def _written(spec: MetricSpec) -> str:
    if spec.form == "string":
        return f"metrics=[{spec.name!r}]"
    call = "()" if spec.form == "object" else ""
    return f"keras.metrics.{spec.name}{call}"


def _finding(ctx: Context, spec: MetricSpec, output: Any, activation: str | None, labels: Any) -> str | None:
    y_true = labels.shape if labels is not None else None
    resolved = resolve(spec, y_true, output)
    if resolved is None or not labels_fit(resolved.kind, y_true, output):
        return None  # labels Keras cannot compare with the output at all stop it: not this rule's case
    real = is_real(labels)
    # integer labels are class ids when there is one per sample (or per position): a (N, k)
    # array of 0/1 fed to k units is multi-hot, one independent label per unit
    ids = labels is not None and labels.one_hot is False and y_true is not None and output is not None and (
        len(y_true) < len(output) or y_true[-1] == 1)
    units = output[-1]
    verdict = meaningless(resolved, units, activation, real, ids)
    if verdict is None:
        return None
    if verdict.cause in ("real", "class_ids") and labels.node is not None:
        # positions cost a whole-file pass: only once there is a finding
        verdict = meaningless(resolved, units, activation, real, ids, f"the labels (built at {ctx.where(labels.node)})")
        assert verdict is not None
    what = _written(spec)
    if resolved.automatic:
        what += f" is {_CLASS[resolved.kind]} here (Keras picks it from the shapes of the labels and the output)"
    elif spec.form == "string":
        what += f" is {_CLASS[resolved.kind]}"
    # with real-valued labels no accuracy means anything, whatever made this one wrong
    advice = _advice("real" if real else verdict.cause, y_true, output)
    return f"{what}: {verdict.reason}; {advice}"


def _advice(cause: str, y_true: Any, output: Any) -> str:
    if cause == "real":
        return "use a regression metric such as 'mae' or 'mse'"
    if cause == "top_k":
        return f"use a k below {output[-1]}, or metrics=['accuracy']"
    if cause == "class_ids":
        return "use metrics=['accuracy'] or 'sparse_categorical_accuracy', which compare class ids with the argmax"
    automatic = resolve(MetricSpec("accuracy", "string"), y_true, output)
    if automatic is not None:
        return f"use metrics=['accuracy'], which Keras makes {_CLASS[automatic.kind]} for this output"
    return "use metrics=['accuracy'], which Keras matches to the labels and the output"
