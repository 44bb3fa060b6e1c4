from collections.abc import Iterator

from keraslint.context import Context
from keraslint.diagnostics import Pass, Severity
from keraslint.graph.layers import source_of
from keraslint.graph.propagate import ChannelMismatch
from keraslint.rule import Finding, Invalid, Rule


class ChannelCountMismatch(Rule):
    """A tensor with C channels reaches a layer or model built for another channel count.

    ## What it does
    Reports when the channel axis of what reaches a model (or a layer whose weights already
    exist) differs from the channel count it was built for: an inner model declared for 1
    channel called on 3, a shared layer first called on 16 features and then on 32. Both
    numbers are in the message.

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
        "import keras\nd_in = keras.Input((28, 28, 3))\ndecoder = keras.Model(d_in, keras.layers.Conv2D(8, 3)(d_in))\n"
        "image = keras.Input((28, 28, 3))\nm = keras.Model(image, decoder(image))\n",
    )
    INVALID = (
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
