from collections.abc import Iterator

from keraslint.context import Context
from keraslint.diagnostics import Pass, Severity
from keraslint.graph.contract import findings_for
from keraslint.rule import Finding, Invalid, Rule


class MissingChannelAxis(Rule):
    """A convolution or recurrent layer gets an input one rank short: no channel axis.

    ## What it does
    Reports a convolution or RNN whose input is declared without its channel/feature axis
    (`Conv1D(..., input_shape=(100,))`, `Conv2D` on `(28, 28)`), and data fed without it to a
    model that declares more than one channel (grayscale `(60000, 28, 28)` images into a
    model expecting `(28, 28, 3)`), with the change that fixes it.

    Not reported: data one rank short for a model that declares a single channel
    (`(60000, 28, 28)` MNIST images into `keras.Input((28, 28, 1))`): Keras 3 appends the
    missing axis of size 1 itself and trains (Keras 2 and `tf_keras` did not, so older
    scripts add it explicitly; both are correct on Keras 3).

    ## Why is this bad?
    A declaration without the channel axis fails when Keras builds the model ("expected
    min_ndim=3, found ndim=2"), after the imports and the data loading. Data without its
    channel axis for a model that expects several channels stops at the first batch.

    ## Example
    ```python
    (x_train, y_train), _ = keras.datasets.mnist.load_data()   # (60000, 28, 28)
    model = keras.Sequential([keras.Input((28, 28, 3)), keras.layers.Conv2D(32, 3), ...])
    model.fit(x_train, y_train)
    ```

    Use instead:
    ```python
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(32, 3), ...])
    model.fit(x_train[..., None], y_train)
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
        # Keras 3 adds the missing axis of size 1 itself
        "import numpy as np\nimport keras\nx = np.random.rand(600, 28, 28)\n"
        "m = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(4, 3)])\nm.predict(x)\n",
    )
    INVALID = (
        Invalid("import keras\nm = keras.Sequential([keras.layers.Conv1D(8, 3, input_shape=(100,))])\n", line=2,
                message="(100, 1)"),
        Invalid("import numpy as np\nimport keras\nx = np.random.rand(600, 28, 28)\n"
                "m = keras.Sequential([keras.Input((28, 28, 3)), keras.layers.Conv2D(4, 3)])\nm.predict(x)\n",
                line=5, message="Keras stops at the first batch"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        yield from findings_for(ctx, self.code)
