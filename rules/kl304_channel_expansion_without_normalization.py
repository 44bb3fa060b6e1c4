from collections.abc import Iterator

from keraslint.context import Context
from keraslint.diagnostics import Pass, Severity
from keraslint.graph.layers import CONVOLUTIONS, NORMALIZATIONS, WEIGHTED, channels_last, source_of
from keraslint.graph.propagate import AnalyzedModel
from keraslint.ir.graph import Node
from keraslint.rule import Finding, Invalid, Option, Rule

_EXPANDERS = CONVOLUTIONS | {"Dense"}
#: activations whose outputs need no normalization: self-normalizing, or gates in [0, 1]
_NOT_FEATURES = ("selu", "sigmoid", "softmax", "hard_sigmoid")


class ChannelExpansionWithoutNormalization(Rule):
    """A layer widens the channels sharply and nothing normalizes them before the next layer.

    ## What it does
    Reports a convolution (or a `Dense` on features) whose output channels are at least
    `channel-expansion-ratio` times its input channels (default 4) and at least
    `channel-expansion-min` (default 32), when no `BatchNormalization`,
    `LayerNormalization` or `GroupNormalization` follows before the next weighted layer or
    the model output. Activations, dropout, pooling and reshapes in between do not count
    either way.

    Not reported: the first weighted layer after a model input, also when `Rescaling`,
    `Normalization`, padding, cropping or augmentation layers sit in between (raw features
    are always widened); a layer that is or feeds the model output, or the last hidden
    layer before it (a classifier head such as `Dense(128)` before `Dense(10)`);
    self-normalizing layers (`activation="selu"`); and gates (`activation="sigmoid"` or
    `"softmax"`: the excitation of a squeeze-and-excitation block, attention weights), whose
    outputs are weights in [0, 1] that multiply features, not features to normalize.

    This is advice (info, opt-in with `--extend-select KL304`): on published, correct code
    it was wrong more often than right. It does not apply where normalization is wrong by
    design: WGAN-GP critics (the gradient penalty is per sample, and BatchNormalization
    mixes samples; use LayerNormalization or nothing), small MLP heads, and models that
    normalize in a way keraslint does not see (weight normalization, custom layers).

    ## Why is this bad?
    A sharp widening multiplies the number of terms each following unit sums; without
    normalization the activations' scale drifts with the width, which slows or destabilises
    training, and the effect changes when the input width changes (the seed case: 8 channels
    fed 32).

    ## Example
    ```python
    keras.layers.Conv1D(16, 3),
    keras.layers.Conv1D(128, 3, activation="relu"),   # 8x wider
    keras.layers.Conv1D(64, 3),
    ```

    Use instead:
    ```python
    keras.layers.Conv1D(16, 3),
    keras.layers.Conv1D(128, 3),
    keras.layers.BatchNormalization(),
    keras.layers.Activation("relu"),
    keras.layers.Conv1D(64, 3),
    ```
    """

    code = "KL304"
    name = "channel-expansion-without-normalization"
    severity = Severity.INFO
    pass_ = Pass.GRAPH
    summary = "a layer widens channels sharply and no normalization follows before the next weighted layer"
    options = (
        Option("channel-expansion-ratio", float, 4.0, "how many times wider the output must be to count"),
        Option("channel-expansion-min", int, 32, "the smallest output width that counts"),
    )

    VALID = (
        "import keras\nm = keras.Sequential([keras.Input((50, 4)), keras.layers.Conv1D(16, 3),\n"
        "    keras.layers.Conv1D(128, 3), keras.layers.BatchNormalization(), keras.layers.Conv1D(8, 3)])\n",
        # the first layer on raw input features
        "import keras\nm = keras.Sequential([keras.Input((50, 4)), keras.layers.Conv1D(64, 3), keras.layers.Dense(1)])\n",
        "import keras\nm = keras.Sequential([keras.Input((50, 4)), keras.layers.Conv1D(16, 3),\n"
        "    keras.layers.Conv1D(128, 3, activation='selu'), keras.layers.Conv1D(8, 3)])\n",
        # the excitation of a squeeze-and-excitation block: a gate that multiplies the features
        ("import keras\ninp = keras.Input((16, 16, 64))\nx = keras.layers.Conv2D(64, 3, padding='same')(inp)\n"
         "s = keras.layers.GlobalAveragePooling2D(keepdims=True)(x)\n"
         "s = keras.layers.Conv2D(8, 1, activation='relu')(s)\n"
         "s = keras.layers.Conv2D(64, 1, activation='sigmoid')(s)\n"
         "out = keras.layers.Conv2D(4, 1)(keras.layers.Multiply()([x, s]))\nm = keras.Model(inp, out)\n"),
        "import keras\nm = keras.Sequential([keras.Input((50, 4)), keras.layers.Conv1D(16, 3), keras.layers.Conv1D(32, 3),\n"
        "    keras.layers.Dense(1)])\n",
        # the first weighted layer, behind layers without weights
        "import keras\nm = keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Rescaling(1 / 255),\n"
        "    keras.layers.RandomFlip(), keras.layers.ZeroPadding2D(), keras.layers.Conv2D(64, 3),\n"
        "    keras.layers.Conv2D(8, 3)])\n",
        "import keras\nnorm = keras.layers.Normalization()\nm = keras.Sequential([keras.Input((1,)), norm,\n"
        "    keras.layers.Dense(64, activation='relu'), keras.layers.Dense(1)])\n",
        # the output layer, and the head right before it
        "import keras\ninp = keras.Input((10,))\nh = keras.layers.Dense(8)(inp)\n"
        "out = keras.layers.Dense(512)(h)\nm = keras.Model(inp, out)\n",
        "import keras\nm = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(32, 5),\n"
        "    keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(128, activation='relu'),\n"
        "    keras.layers.Dense(10, activation='softmax')])\n",
    )
    INVALID = (
        Invalid("import keras\nm = keras.Sequential([\n    keras.Input((50, 4)),\n    keras.layers.Conv1D(16, 3),\n"
                "    keras.layers.Conv1D(128, 3, activation='relu'),\n    keras.layers.MaxPooling1D(),\n"
                "    keras.layers.Conv1D(8, 3),\n])\n", line=5, message="16 to 128 channels (8.0x)"),
        Invalid("import keras\nm = keras.Sequential([\n    keras.Input((32, 32, 3)),\n    keras.layers.Conv2D(8, 3),\n"
                "    keras.layers.Conv2D(64, 3),\n    keras.layers.Conv2D(64, 3),\n    keras.layers.Conv2D(10, 1),\n])\n",
                line=5, message="before Conv2D"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        values = self.option_values(ctx.options)
        ratio, minimum = values["channel-expansion-ratio"], values["channel-expansion-min"]
        for model, node, result in ctx.graph_nodes():
            layer = node.layer
            if layer is None or layer.kind not in _EXPANDERS or result.error or not result.inputs:
                continue
            if not channels_last(layer) or layer.config.get("activation") in _NOT_FEATURES:
                continue
            if _first_weighted(model, node):
                continue
            shape_in, shape_out = result.inputs[0], result.output
            if shape_in is None or shape_out is None or layer.kind == "Dense" and len(shape_in) != 2:
                continue
            c_in, c_out = shape_in[-1], shape_out[-1]
            if not c_in or not c_out or c_out < minimum or c_out < ratio * c_in:
                continue
            unnormalized = _first_unnormalized_stop(model, node)
            if unnormalized is None or unnormalized is node:
                continue
            if layer.kind == "Dense" and _is_output(model, unnormalized):
                continue  # a classifier head right before the output layer
            stop = "the model output" if unnormalized is node else f"{unnormalized.layer.label}"
            yield Finding(f"{layer.label} widens {c_in} to {c_out} channels ({c_out / c_in:.1f}x) and nothing "
                          f"normalizes them before {stop}; add BatchNormalization (or LayerNormalization) after it",
                          node=source_of(node))


def _first_unnormalized_stop(model: AnalyzedModel, start: Node) -> Node | None:
    """The first weighted layer (or ``start`` itself, standing for the model output) reached from
    ``start`` without passing a normalization layer; None when every path is normalized."""
    outputs = {t.node.id for t in model.graph.outputs}
    stack = [start]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if node.id in outputs:
            return start
        for consumer in model.consumers(node):
            if consumer.id in seen or consumer.layer is None:
                continue
            seen.add(consumer.id)
            if consumer.layer.kind in NORMALIZATIONS:
                continue
            if consumer.layer.kind in WEIGHTED:
                return consumer
            stack.append(consumer)
    return None


def _first_weighted(model: AnalyzedModel, node: Node) -> bool:
    """Whether only layers without weights lie between a model input and ``node``."""
    stack = [t.node for t in node.inputs]
    seen: set[int] = set()
    while stack:
        producer = stack.pop()
        if producer.id in seen or producer.is_input:
            continue
        seen.add(producer.id)
        if producer.layer is None or producer.layer.kind in WEIGHTED | {"Opaque", "Application"}:
            return False
        stack.extend(t.node for t in producer.inputs)
    return True


def _is_output(model: AnalyzedModel, node: Node) -> bool:
    """``node`` is a model output, or reaches one through layers without weights only."""
    outputs = {t.node.id for t in model.graph.outputs}
    stack, seen = [node], set()
    while stack:
        current = stack.pop()
        if current.id in outputs:
            return True
        for consumer in model.consumers(current):
            if consumer.id not in seen and consumer.layer is not None and consumer.layer.kind not in WEIGHTED:
                seen.add(consumer.id)
                stack.append(consumer)
    return False
