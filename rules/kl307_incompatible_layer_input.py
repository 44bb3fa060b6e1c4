from collections.abc import Iterator

from keraslint.context import Context
from keraslint.diagnostics import Pass, Severity
from keraslint.graph.layers import fmt_shape, is_recurrent, source_of
from keraslint.graph.contract import missing_channel_axis
from keraslint.graph.propagate import ChannelMismatch
from keraslint.rule import Finding, Invalid, Rule

# Reported by their own rules: KL302 (collapse), KL306 (recurrent rank), KL202 (channels).
_ELSEWHERE = {"collapse"}


class IncompatibleLayerInput(Rule):
    """A layer cannot take the tensor it is given (or its own configuration is invalid).

    ## What it does
    Runs the model's shapes and reports any layer Keras would reject that no more specific
    rule covers: merge layers (`Concatenate`, `Add`, ...) whose inputs disagree (the message
    names the axis and both sizes), a `Reshape` whose target size differs from its input, a
    convolution given the wrong rank, a layer whose configuration Keras refuses, and so on.
    The message is the shape engine's explanation, with the numbers.

    ## Why is this bad?
    Keras raises when the model is built, which only happens when the script runs: after the
    imports, the data loading and sometimes an epoch.

    ## Example
    ```python
    a = keras.layers.Conv1D(8, 3)(inputs)     # (None, 48, 8)
    b = keras.layers.Conv1D(8, 5)(inputs)     # (None, 46, 8)
    keras.layers.Add()([a, b])
    ```

    Use instead: `padding="same"` on both branches (or crop one of them).
    """

    code = "KL307"
    name = "incompatible-layer-input"
    severity = Severity.ERROR
    pass_ = Pass.GRAPH
    summary = "any other layer that cannot take its input shape (merge, reshape, rank)"

    VALID = (
        "import keras\ninp = keras.Input((50, 4))\na = keras.layers.Conv1D(8, 3, padding='same')(inp)\n"
        "b = keras.layers.Conv1D(8, 5, padding='same')(inp)\nm = keras.Model(inp, keras.layers.Add()([a, b]))\n",
        "import keras\nm = keras.Sequential([keras.Input((6, 4)), keras.layers.Reshape((-1, 8))])\n",
    )
    INVALID = (
        Invalid("import keras\ninp = keras.Input((50, 4))\na = keras.layers.Conv1D(8, 3)(inp)\n"
                "b = keras.layers.Conv1D(8, 5)(inp)\nm = keras.Model(inp, keras.layers.Add()([a, b]))\n",
                line=5, message="48"),
        Invalid("import keras\nm = keras.Sequential([keras.Input((6, 4)), keras.layers.Reshape((5, 5))])\n", line=2,
                message="24"),
        Invalid("import keras\nm = keras.Sequential([keras.Input((10, 4)), keras.layers.Flatten(),\n"
                "    keras.layers.Conv1D(8, 3)])\n", line=3, message="rank"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        # A model whose declared input includes the sample axis (KL203) fails at its first layer
        # too; that consequence is not a second problem.
        batch_declared = {p.graph_id for p in ctx.contract_problems if p.code == "KL203"}
        for model, node, result in ctx.graph_nodes():
            error = result.error
            if model.graph.id in batch_declared and node.inputs and all(t.node.is_input for t in node.inputs):
                continue
            if error is None or error.kind in _ELSEWHERE or isinstance(error, ChannelMismatch):
                continue
            if error.kind == "rank" and is_recurrent(node.layer) and result.inputs and result.inputs[0] is not None \
                    and len(result.inputs[0]) == 2 and not missing_channel_axis(node, result):
                continue  # KL306 names the recurrent layer that lacks return_sequences
            if missing_channel_axis(node, result):
                continue  # KL204: the declared input lacks its channel axis
            if node.layer is not None and node.layer.kind == "Opaque":
                # a tensor op (`ops.matmul`): its message names it and the shapes
                yield Finding(error.message, node=source_of(node))
                continue
            label = node.layer.label if node.layer else "layer"
            inputs = ", ".join(fmt_shape(s) for s in result.inputs)
            yield Finding(f"{label} cannot take its input {inputs}: {error.message}", node=source_of(node))
