from collections.abc import Iterator

from keraslint.context import Context
from keraslint.diagnostics import Pass, Severity
from keraslint.graph.contract import findings_for
from keraslint.rule import Finding, Invalid, Rule


class UnscaledInputData(Rule):
    """Raw 0-255 image data reaches `fit` without scaling.

    ## What it does
    Reports `uint8` image data (a known dataset such as MNIST or CIFAR, an explicit `uint8`
    array, or a directory iterator without `rescale=`) that reaches `fit` without being
    divided (`x / 255.0`), standardised, or scaled by the model before its first layer that
    computes with the values (a `Dense`, a convolution ...): a `Rescaling`, `Normalization` or
    normalization layer, or `keras.applications.*.preprocess_input`, also inside a nested
    model (a `data_augmentation` Sequential) and after augmentation, cropping, resizing or
    pooling layers, which keep the values in 0-255. A layer keraslint cannot see into (a
    custom layer, a `Lambda`, a pretrained network) might scale, so it is not reported.
    `astype("float32")` alone does not count. Advice (info), not selected by default.

    ## Why is this bad?
    Inputs in the hundreds saturate activations and make the default learning rates far too
    large: training is slow, unstable, or stuck at chance accuracy.

    ## Example
    ```python
    (x_train, y_train), _ = keras.datasets.mnist.load_data()
    model.fit(x_train, y_train)
    ```

    Use instead:
    ```python
    model.fit(x_train / 255.0, y_train)
    ```
    """

    code = "KL206"
    name = "unscaled-input-data"
    severity = Severity.INFO
    pass_ = Pass.GRAPH
    summary = "raw 0-255 integer data fed without scaling"

    VALID = (
        "import keras\n(x, y), _ = keras.datasets.mnist.load_data()\n"
        "m = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(10)])\n"
        "m.fit(x / 255.0, y)\n",
        "import keras\n(x, y), _ = keras.datasets.mnist.load_data()\n"
        "m = keras.Sequential([keras.Input((28, 28)), keras.layers.Rescaling(1 / 255), keras.layers.Flatten(),\n"
        "    keras.layers.Dense(10)])\nm.fit(x, y)\n",
        "import keras\n(x, y), _ = keras.datasets.mnist.load_data()\n"
        "augment = keras.Sequential([keras.layers.RandomRotation(0.1), keras.layers.RandomZoom(0.1)])\n"
        "m = keras.Sequential([keras.Input((28, 28, 1)), augment, keras.layers.Rescaling(1 / 255),\n"
        "    keras.layers.Conv2D(8, 3), keras.layers.Flatten(), keras.layers.Dense(10)])\nm.fit(x[..., None], y)\n",
    )
    INVALID = (
        Invalid("import keras\n(x, y), _ = keras.datasets.mnist.load_data()\n"
                "m = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(10)])\n"
                "m.fit(x.astype('float32'), y)\n", line=4, message="unscaled"),
        Invalid("import keras\n(x, y), _ = keras.datasets.mnist.load_data()\n"
                "augment = keras.Sequential([keras.layers.RandomRotation(0.1), keras.layers.RandomZoom(0.1)])\n"
                "m = keras.Sequential([keras.Input((28, 28, 1)), augment,\n"
                "    keras.layers.Conv2D(8, 3), keras.layers.Flatten(), keras.layers.Dense(10)])\nm.fit(x[..., None], y)\n",
                line=6, message="unscaled"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        yield from findings_for(ctx, self.code)
