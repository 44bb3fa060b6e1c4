from collections.abc import Iterator

from keraslint.context import Context
from keraslint.diagnostics import Pass, Severity
from keraslint.graph.propagate import AnalyzedModel
from keraslint.graph.layers import fmt_shape, source_of
from keraslint.ir.graph import Node
from keraslint.rule import Finding, Invalid, Rule


class DimensionCollapse(Rule):
    """A spatial dimension shrinks to zero or below.

    ## What it does
    Runs the model's shapes from its inputs and reports the layer at which a spatial axis
    (a sequence length, an image height or width) would become 0 or negative, with the chain
    of lengths that led there, e.g. `20 → 14 → 7 → 1 → 0`.

    ## Why is this bad?
    Keras refuses to build the model ("Computed output size would be negative"), but only
    when the script runs, after data loading; with a variable input length it fails on the
    first short batch instead. Too many `valid` convolutions and poolings for the input size
    is the usual cause.

    ## Example
    ```python
    keras.Sequential([
        keras.Input((20, 3)),
        keras.layers.Conv1D(8, 7),        # 14
        keras.layers.MaxPooling1D(2),     # 7
        keras.layers.Conv1D(8, 7),        # 1
        keras.layers.MaxPooling1D(2),     # 0
    ])
    ```

    Use instead: `padding="same"` on the convolutions, fewer poolings, or longer inputs.
    """

    code = "KL302"
    name = "dimension-collapse"
    severity = Severity.ERROR
    pass_ = Pass.GRAPH
    summary = "a spatial dimension reaches 0 or below"

    VALID = (
        "import keras\nm = keras.Sequential([keras.Input((20, 3)), keras.layers.Conv1D(8, 7, padding='same'),\n"
        "    keras.layers.MaxPooling1D(2), keras.layers.Conv1D(8, 7, padding='same'), keras.layers.MaxPooling1D(2)])\n",
    )
    INVALID = (
        Invalid("import keras\nm = keras.Sequential([\n    keras.Input((20, 3)),\n    keras.layers.Conv1D(8, 7),\n"
                "    keras.layers.MaxPooling1D(2),\n    keras.layers.Conv1D(8, 7),\n    keras.layers.MaxPooling1D(2),\n])\n",
                line=7, message="20 → 14 → 7 → 1 → 0"),
        Invalid("from tensorflow.keras import layers, models\nm = models.Sequential()\n"
                "m.add(layers.Conv2D(16, 5, input_shape=(8, 8, 1)))\nm.add(layers.Conv2D(16, 5))\n",
                line=4, message="8 → 4 → 0"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        for model, node, result in ctx.graph_nodes():
            error = result.error
            if error is None or error.kind != "collapse" or node.layer is None:
                continue
            chain = _chain(model, node, error.axis)
            value = error.actual if isinstance(error.actual, int) else 0
            lengths = " → ".join(str(n) for n in [*chain, value])
            shape = fmt_shape(result.inputs[0]) if result.inputs else "its input"
            yield Finding(f"{node.layer.label} on {shape} collapses axis {error.axis} to {value} "
                          f"(lengths from the input: {lengths}); use padding=\"same\", fewer downsampling layers "
                          f"or a longer input", node=source_of(node))


def _chain(model: AnalyzedModel, node: Node, axis: int | None) -> list[int]:
    """Lengths of ``axis`` from the model input to ``node``'s input (while the rank holds)."""
    lengths: list[int] = []
    current = node
    rank: int | None = None
    while current.inputs:
        producer = current.inputs[0].node
        shape = model.results[producer.id].outputs[current.inputs[0].index] if producer.id in model.results else None
        if shape is None or axis is None or axis >= len(shape) or (rank is not None and len(shape) != rank):
            break
        rank = len(shape)
        if shape[axis] is not None:
            lengths.append(shape[axis])
        current = producer
    lengths.reverse()
    # Adjacent duplicates come from layers that keep the length (activations, dropout ...).
    return [n for i, n in enumerate(lengths) if i == 0 or n != lengths[i - 1]]
