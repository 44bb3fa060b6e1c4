from collections.abc import Iterator

from keraslint.context import Context
from keraslint.diagnostics import Pass, Severity
from keraslint.graph.contract import findings_for
from keraslint.rule import Finding, Invalid, Rule


class MissingChannelAxis(Rule):
    """A convolution or recurrent layer gets an input one rank short: no channel axis.

    ## What it does
    Reports a convolution or RNN whose input is declared without its channel/feature axis
    (`Conv1D(..., input_shape=(100,))`, `Conv2D` on `(28, 28)`), and data fed without it
    (`(60000, 28, 28)` MNIST images into a model expecting `(28, 28, 1)`), with the reshape
    that fixes it.

    ## Why is this bad?
    A declaration without the channel axis fails when Keras builds the model ("expected
    min_ndim=3, found ndim=2"), after the imports and the data loading. For data one rank short,
    Keras 2 and `tf.keras` raise on the first batch; Keras 3 quietly appends the axis when the
    model starts with `keras.Input` declaring one channel, so the same script breaks on the
    other Keras, and any other channel count fails.

    ## Example
    ```python
    (x_train, y_train), _ = keras.datasets.mnist.load_data()   # (60000, 28, 28)
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(32, 3), ...])
    model.fit(x_train, y_train)
    ```

    Use instead:
    ```python
    x_train = x_train[..., None]                               # (60000, 28, 28, 1)
    model.fit(x_train, y_train)
    ```
    """

    code = "KL204"
    name = "missing-channel-axis"
    severity = Severity.ERROR
    pass_ = Pass.GRAPH
    summary = "conv/recurrent input one rank short (`(100,)` for Conv1D, `(28, 28)` for Conv2D)"

    VALID = (
        "import keras\nm = keras.Sequential([keras.layers.Conv1D(8, 3, input_shape=(100, 1))])\n",
        "import numpy as np\nimport keras\nx = np.random.rand(600, 28, 28)[..., None]\n"
        "m = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(4, 3)])\nm.predict(x)\n",
    )
    INVALID = (
        Invalid("import keras\nm = keras.Sequential([keras.layers.Conv1D(8, 3, input_shape=(100,))])\n", line=2,
                message="(100, 1)"),
        Invalid("import numpy as np\nimport keras\nx = np.random.rand(600, 28, 28)\n"
                "m = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(4, 3)])\nm.predict(x)\n",
                line=5, message="x[..., None]"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        yield from findings_for(ctx, self.code)
