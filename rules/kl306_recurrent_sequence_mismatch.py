from collections.abc import Iterator

from keraslint.context import Context
from keraslint.diagnostics import Pass, Severity
from keraslint.graph.contract import missing_channel_axis
from keraslint.graph.layers import fmt_shape, is_recurrent, source_of
from keraslint.graph.propagate import AnalyzedModel
from keraslint.ir.graph import Node
from keraslint.rule import Finding, Invalid, Rule


class RecurrentSequenceMismatch(Rule):
    """A recurrent layer is fed a 2D tensor: the recurrent layer before it returns only its
    last output.

    ## What it does
    Reports an `LSTM`, `GRU`, `SimpleRNN` (or `Bidirectional` of one) whose input has rank 2,
    and names the earlier recurrent layer that lacks `return_sequences=True`.

    ## Why is this bad?
    Recurrent layers need `(batch, timesteps, features)`. Keras raises
    "Input 0 of layer lstm_1 is incompatible with the layer: expected ndim=3, found ndim=2"
    when the model is built, which is only when the script runs.

    ## Example
    ```python
    keras.layers.LSTM(64, input_shape=(100, 8)),
    keras.layers.LSTM(32),
    ```

    Use instead:
    ```python
    keras.layers.LSTM(64, return_sequences=True, input_shape=(100, 8)),
    keras.layers.LSTM(32),
    ```
    """

    code = "KL306"
    name = "recurrent-sequence-mismatch"
    severity = Severity.ERROR
    pass_ = Pass.GRAPH
    summary = "recurrent layer fed rank-2 input (previous RNN lacks `return_sequences=True`)"

    VALID = (
        "import keras\nm = keras.Sequential([keras.Input((100, 8)), keras.layers.LSTM(64, return_sequences=True),\n"
        "    keras.layers.LSTM(32), keras.layers.Dense(1)])\n",
    )
    INVALID = (
        Invalid("from tensorflow.keras.models import Sequential\nfrom tensorflow.keras.layers import LSTM, Dense\n"
                "model = Sequential()\nmodel.add(LSTM(64, input_shape=(100, 8)))\nmodel.add(LSTM(32))\n"
                "model.add(Dense(1))\n", line=5, message="LSTM at line 4"),
        Invalid("import keras\nm = keras.Sequential([keras.Input((100, 8)), keras.layers.GRU(64),\n"
                "    keras.layers.Bidirectional(keras.layers.GRU(32))])\n", line=3, message="return_sequences=True"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        for model, node, result in ctx.graph_nodes():
            if result.error is None or result.error.kind != "rank" or not is_recurrent(node.layer):
                continue
            if missing_channel_axis(node, result):
                continue  # a declared input one rank short is KL204's
            shape = result.inputs[0] if result.inputs else None
            if shape is None or len(shape) != 2:
                continue
            previous = _previous_recurrent(model, node)
            label = node.layer.label if node.layer else "layer"
            if previous is not None and previous.layer is not None:
                where = f" at {ctx.where(previous.layer.node)}" if previous.layer.node is not None else ""
                cause = (f"{previous.layer.label}{where} returns only its last output; give it "
                         f"return_sequences=True")
            else:
                cause = "recurrent layers need (batch, timesteps, features)"
            yield Finding(f"{label} is fed a rank-2 tensor {fmt_shape(shape)}: {cause}", node=source_of(node))


def _previous_recurrent(model: AnalyzedModel, node: Node) -> Node | None:
    current = node
    while current.inputs:
        current = current.inputs[0].node
        if is_recurrent(current.layer):
            return current
    return None
