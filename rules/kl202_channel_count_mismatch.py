from collections.abc import Iterator

from keraslint.context import Context
from keraslint.diagnostics import Pass, Severity
from keraslint.graph.contract import findings_for
from keraslint.graph.layers import source_of
from keraslint.graph.propagate import ChannelMismatch
from keraslint.rule import Finding, Invalid, Rule


class ChannelCountMismatch(Rule):
    """The data (or a tensor inside the model) has a different channel count than the model
    was built for.

    ## What it does
    Compares the channel axis (the last axis, or axis 1 for `channels_first` convolutions)
    of the data fed to `fit`/`evaluate`/`predict`/`model(x)` with the model's declared
    input, and, inside models, of a tensor reaching an inner model or a shared layer whose
    weights already exist. Reports both numbers and the lines that built the data and the
    model: a model declared `input_shape=(50, 8)` fed a `(10, 50, 32)` tensor built by
    concatenating zeros onto an 8-channel input; an inner model declared for 1 channel called
    on 3.

    ## Why is this bad?
    A model's first weights have one row per input channel. Fed a different count, Keras
    either fails when it runs or, for models built and saved earlier, the widened input
    meets weights trained for the old width: the extra channels are garbage to the model
    and training becomes erratic.

    ## Example
    ```python
    decoder_in = keras.Input((28, 28, 1))
    decoder = keras.Model(decoder_in, keras.layers.Conv2D(8, 3)(decoder_in))
    image = keras.Input((28, 28, 3))
    out = decoder(image)            # built for 1 channel, fed 3
    ```

    Use instead: declare the inner model for the channels it will receive,
    `keras.Input((28, 28, 3))`, or map the channels first (`Conv2D(1, 1)`).
    """

    code = "KL202"
    name = "channel-count-mismatch"
    severity = Severity.ERROR
    pass_ = Pass.GRAPH
    summary = "channel axis of data (or of a tensor reaching a layer) differs from what the model expects"

    VALID = (
        "import numpy as np\nimport tensorflow as tf\nx = np.zeros((10, 50, 8))\n"
        "m = tf.keras.Sequential([tf.keras.Input((50, 8)), tf.keras.layers.Conv1D(4, 3)])\ny = m(x)\n",
        "import keras\nd_in = keras.Input((28, 28, 3))\ndecoder = keras.Model(d_in, keras.layers.Conv2D(8, 3)(d_in))\n"
        "image = keras.Input((28, 28, 3))\nm = keras.Model(image, decoder(image))\n",
    )
    INVALID = (
        Invalid("import tensorflow as tf\ndata = tf.random.normal((10, 50, 8))\n"
                "wide = tf.concat([data, tf.zeros((10, 50, 24))], axis=-1)\n"
                "m = tf.keras.Sequential([tf.keras.layers.Conv1D(32, 3, input_shape=(50, 8))])\nout = m(wide)\n",
                line=5, message="The data has 32 channels (10, 50, 32) (built at line 3) but the model input was declared for 8"),
        # swapped (timesteps, channels): the channel axis is what the first layer checks
        Invalid("import numpy as np\nimport keras\nx = np.random.rand(64, 8, 50)\n"
                "m = keras.Sequential([keras.Input((50, 8)), keras.layers.Conv1D(4, 3), keras.layers.Flatten(),\n"
                "    keras.layers.Dense(1)])\nm.fit(x, np.zeros(64))\n", line=6,
                message="Keras stops at the first batch (`expected axis -1 of input shape to have value 8`); the "
                        "timesteps and channel axes look swapped"),
        Invalid("import keras\nd_in = keras.Input((28, 28, 1))\ndecoder = keras.Model(d_in, keras.layers.Conv2D(8, 3)(d_in))\n"
                "image = keras.Input((28, 28, 3))\nm = keras.Model(image, decoder(image))\n",
                line=5, message="built for 1 channel (None, 28, 28, 1) but is fed 3 channels"),
        Invalid("import keras\nshared = keras.layers.Dense(4)\na = keras.Input((16,))\nb = keras.Input((32,))\n"
                "m = keras.Model([a, b], [shared(a), shared(b)])\n", line=2, message="16 channels"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        for _, node, result in ctx.graph_nodes():
            if isinstance(result.error, ChannelMismatch):
                yield Finding(result.error.message, node=source_of(node))
        yield from findings_for(ctx, self.code)
