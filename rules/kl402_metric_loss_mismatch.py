from collections.abc import Iterator

from keraslint.context import Context
from keraslint.diagnostics import Pass, Severity
from keraslint.rule import Finding, Invalid, Rule
from keraslint.source.training import REGRESSION_LOSSES, is_accuracy


class MetricLossMismatch(Rule):
    """An accuracy metric on a regression loss.

    ## What it does
    Reports `compile(metrics=["accuracy"])` (or `acc`, `binary_accuracy`, `Accuracy()` ...)
    when the loss is a regression loss: mean squared/absolute (percentage/logarithmic)
    error, Huber, log-cosh, Poisson, cosine similarity.

    ## Why is this bad?
    Accuracy counts exact matches; a regression output almost never equals its target, so
    the metric sits near 0 (or, with Keras's guessing of the accuracy variant, measures
    something unrelated) and people tune models against a meaningless number.

    ## Example
    ```python
    model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])
    ```

    Use instead:
    ```python
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    ```
    """

    code = "KL402"
    name = "metric-loss-mismatch"
    severity = Severity.WARNING
    pass_ = Pass.SOURCE
    summary = "accuracy on a regression loss"

    VALID = (
        "import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"
        "m.compile(optimizer='adam', loss='mse', metrics=['mae'])\n",
        "import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation='sigmoid')])\n"
        "m.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])\n",
    )
    INVALID = (
        Invalid("import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"
                "m.compile(optimizer='adam', loss='mse', metrics=['accuracy'])\n", line=3, message="mean_squared_error"),
        Invalid("from tensorflow import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"
                "m.compile(loss=keras.losses.Huber(), metrics=[keras.metrics.Accuracy()])\n", line=3),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        for obj, _ in ctx.model_objects():
            compiled = obj.data.get("compile")
            if compiled is None or compiled.loss is None or compiled.loss.name not in REGRESSION_LOSSES:
                continue
            accuracy = [m for m in compiled.metrics if is_accuracy(m)]
            if accuracy:
                yield Finding(f"Metric {accuracy[0]!r} counts exact matches, but the loss {compiled.loss.name} is a "
                              f"regression loss: the number is meaningless; use 'mae' or 'mse' as the metric",
                              node=compiled.node)
