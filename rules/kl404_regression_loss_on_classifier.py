from collections.abc import Iterator

from keraslint.context import Context
from keraslint.diagnostics import Pass, Severity
from keraslint.graph.feeding import Feed
from keraslint.graph.layers import fmt_shape, output_activation, source_of
from keraslint.rule import Finding, Invalid, Rule
from keraslint.source.label_values import is_real
from keraslint.source.values import Array

# The losses that measure a distance to a number; poisson and cosine_similarity, also in
# REGRESSION_LOSSES, have uses on probability outputs and are left alone.
_DISTANCE_LOSSES = frozenset({"mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
                              "mean_squared_logarithmic_error", "huber", "log_cosh"})
_LABEL_METHODS = frozenset({"fit", "fit_generator", "train_on_batch"})


class RegressionLossOnClassifier(Rule):
    """A classifier's probability output is trained with a regression loss.

    ## What it does
    Reports a model whose output is a probability head (`softmax`, or `sigmoid` on more than one
    unit) compiled with `mse`, `mae`, `mape`, `msle`, `huber` or `log_cosh` and trained on labels
    known to be class labels: one-hot labels (`keras.utils.to_categorical`, `tf.one_hot`,
    `np.eye(k)[y]`) or integer class ids (`keras.datasets` labels such as MNIST's,
    `np.random.randint`). It names the loss that fits: `categorical_crossentropy` for one-hot
    labels on a softmax, `sparse_categorical_crossentropy` for integer ids, `binary_crossentropy`
    for multi-label sigmoid outputs.

    It says nothing when the labels are not known to be classes: a softmax trained with mse on
    soft targets (distillation, autoencoders, label distributions) is a deliberate choice. A
    1-unit sigmoid with mse is not reported either: keraslint cannot tell 0/1 labels from
    integer ids of another range there, and on 0/1 labels it learns a correct (if slower)
    classifier, which is not "very likely wrong".

    ## Why is this bad?
    Keras trains it without complaint, and accuracy often rises a little, then stalls. The
    gradient of a squared or absolute error through a softmax or sigmoid shrinks with p(1 - p):
    a confidently wrong prediction gets almost no gradient, so the model stops learning from
    exactly the samples it gets most wrong. Cross-entropy cancels that factor. This is the most
    common loss mistake in public collections of Keras bugs.

    ## Example
    ```python
    y_train = keras.utils.to_categorical(y_train, 10)
    model.add(keras.layers.Dense(10, activation="softmax"))
    model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])
    ```

    Use instead:
    ```python
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    ```
    """

    code = "KL404"
    name = "regression-loss-on-classifier"
    severity = Severity.WARNING
    pass_ = Pass.GRAPH
    summary = "a probability head (softmax, multi-unit sigmoid) trained with mse/mae/... on class labels"

    VALID = (
        # soft targets of unknown values: a deliberate choice (distillation)
        ("import numpy as np\nimport keras\nx = np.load('x.npy')\ny = np.load('teacher.npy')\n"
         "m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(10, activation='softmax')])\n"
         "m.compile(loss='mse')\nm.fit(x, y)\n"),
        ("import numpy as np\nimport keras\nx = np.random.rand(100, 8)\n"
         "y = keras.utils.to_categorical(np.random.randint(0, 10, 100), 10)\n"
         "m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(10, activation='softmax')])\n"
         "m.compile(loss='categorical_crossentropy')\nm.fit(x, y)\n"),
        # a 1-unit sigmoid with mse: see the docstring
        ("import numpy as np\nimport keras\nx = np.random.rand(100, 8)\ny = np.random.randint(0, 2, (100, 1))\n"
         "m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1, activation='sigmoid')])\n"
         "m.compile(loss='mse')\nm.fit(x, y)\n"),
        # a linear regression head on one-hot inputs' labels is not a probability head
        ("import numpy as np\nimport keras\nx = np.random.rand(100, 8)\n"
         "y = keras.utils.to_categorical(np.random.randint(0, 10, 100), 10)\n"
         "m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(10)])\nm.compile(loss='mse')\nm.fit(x, y)\n"),
    )
    INVALID = (
        Invalid("import numpy as np\nimport keras\nx = np.random.rand(100, 8)\n"
                "y = keras.utils.to_categorical(np.random.randint(0, 10, 100), 10)\n"
                "m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(10, activation='softmax')])\n"
                "m.compile(optimizer='adam', loss='mse')\nm.fit(x, y)\n", line=6, message="categorical_crossentropy"),
        Invalid("import keras\n(x, y), _ = keras.datasets.mnist.load_data()\n"
                "m = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),\n"
                "    keras.layers.Dense(10, activation='softmax')])\n"
                "m.compile(loss=keras.losses.MeanAbsoluteError())\nm.fit(x, y)\n", line=5,
                message="sparse_categorical_crossentropy"),
        Invalid("import numpy as np\nimport keras\nx = np.random.rand(100, 8)\ny = np.random.randint(0, 2, (100, 5))\n"
                "m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(5, activation='sigmoid')])\n"
                "m.compile(loss='mean_squared_error')\nm.fit(x, y)\n", line=6, message="binary_crossentropy"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        reported: set[int] = set()
        for feed in ctx.feeds:
            compiled = feed.use.compiled
            if compiled is None or id(compiled) in reported or feed.use.method not in _LABEL_METHODS:
                continue
            message = _finding(ctx, feed)
            if message is not None:
                reported.add(id(compiled))
                loss_node = compiled.loss.node if compiled.loss is not None else None
                yield Finding(message, node=loss_node or compiled.node)


def _class_labels(labels: Array | None) -> str | None:
    """"one-hot" or "ids" for labels known to be classes; None when they may be anything."""
    if labels is None or labels.shape is None or is_real(labels):
        return None
    if labels.one_hot is True:
        return "one-hot"
    integer = isinstance(labels.dtype, str) and labels.dtype.startswith(("int", "uint"))
    from_dataset = isinstance(labels.source, str) and labels.source.startswith("keras.datasets.")
    if labels.one_hot is False and (integer or from_dataset):
        return "ids"
    return None


def _finding(ctx: Context, feed: Feed) -> str | None:
    compiled = feed.use.compiled
    loss = compiled.loss if compiled is not None else None
    if loss is None or loss.name not in _DISTANCE_LOSSES or compiled.multiple_losses:
        return None
    graph = feed.model.graph
    outputs = feed.model.output_shapes()
    if len(graph.outputs) != 1 or len(outputs) != 1 or outputs[0] is None:
        return None
    output = outputs[0]
    units = output[-1]
    activation, node = output_activation(graph.outputs[0].node)
    if activation not in ("softmax", "sigmoid") or not isinstance(units, int) or units < 2 or node.layer is None:
        return None
    kind = _class_labels(feed.labels)
    if kind is None:
        return None
    labels = feed.labels
    assert labels is not None and labels.shape is not None
    width = labels.shape[-1] if len(labels.shape) == len(output) else 1
    if activation == "softmax":
        fits = "categorical_crossentropy" if kind == "one-hot" else "sparse_categorical_crossentropy"
    elif kind == "ids" and width == units:
        fits = "binary_crossentropy (each unit a 0/1 label)"
    elif kind == "one-hot":
        fits = ("categorical_crossentropy with a softmax output (one class per sample), or binary_crossentropy "
                "(multi-label)")
    else:
        fits = "sparse_categorical_crossentropy with a softmax output"
    what = "one-hot labels" if kind == "one-hot" else "integer labels" if width == units else "integer class-id labels"
    where = []
    if labels.source:
        where.append(f"from {labels.source}")
    if labels.node is not None:
        where.append(f"built at {ctx.where(labels.node)}")
    origin = f" ({', '.join(where)})" if where else ""
    head = source_of(node)
    at = f" at {ctx.where(head)}" if head is not None else ""
    return (f"{loss.name} trains the {activation} output {fmt_shape(output)} of {node.layer.label}{at} on {what} "
            f"{fmt_shape(labels.shape)}{origin}: a regression loss on class probabilities gives almost no gradient "
            f"to confidently wrong predictions, so it learns slowly and often stalls; use {fits}")
