from collections.abc import Iterator

from keraslint.context import Context
from keraslint.diagnostics import Pass, Severity
from keraslint.graph.contract import findings_for
from keraslint.rule import Finding, Invalid, Rule


class DataFormatMismatch(Rule):
    """Channels-first data or declarations meet `channels_last` convolutions.

    ## What it does
    Reports image data laid out channels-first, `(N, 3, 32, 32)`, fed to a model that
    expects channels-last `(32, 32, 3)`, and a model whose input is declared channels-first
    (a 1, 3 or 4 right after the batch axis and a large last axis) while its first
    convolution uses the default `data_format="channels_last"`. A
    `keras.config.set_image_data_format("channels_first")` (or `keras.backend.`'s) before the
    layers are built is followed, as Keras does: the layers that pass no `data_format` are
    channels-first. Set to a value keraslint cannot know, or where the call may not run, the
    layout of those layers is unknown and nothing is said about it.

    ## Why is this bad?
    A channels-last convolution on a `(3, 32, 32)` input sees a 3x32 image with 32
    channels: it trains without an error and learns nothing sensible. Data converted from
    PyTorch or read with OpenCV/PIL often has the other layout.

    ## Example
    ```python
    keras.layers.Conv2D(32, 3, input_shape=(3, 32, 32))
    ```

    Use instead:
    ```python
    keras.layers.Conv2D(32, 3, input_shape=(32, 32, 3))
    # or keep the layout and say so: data_format="channels_first"
    ```
    """

    code = "KL207"
    name = "data-format-mismatch"
    severity = Severity.WARNING
    pass_ = Pass.GRAPH
    summary = "channels-first data into channels_last layers (or the reverse)"

    VALID = (
        "import keras\nm = keras.Sequential([keras.layers.Conv2D(8, 3, input_shape=(32, 32, 3))])\n",
        "import keras\nm = keras.Sequential([keras.layers.Conv2D(8, 3, data_format='channels_first', "
        "input_shape=(3, 32, 32))])\n",
    )
    INVALID = (
        Invalid("import keras\nm = keras.Sequential([keras.layers.Conv2D(8, 3, input_shape=(3, 32, 32))])\n", line=2,
                message="channels-first"),
        Invalid("import numpy as np\nimport keras\nx = np.zeros((100, 3, 32, 32), dtype='float32')\n"
                "m = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(8, 3)])\nm.predict(x)\n",
                line=5, message="transpose"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        yield from findings_for(ctx, self.code)
