from collections.abc import Iterator

from keraslint.context import Context
from keraslint.diagnostics import Pass, Severity
from keraslint.graph.contract import (
    label_outcome,
    lower_rank_consequence,
    unflattened_dense,
)
from keraslint.graph.layers import (
    CONVOLUTIONS,
    GLOBAL_POOLINGS,
    POOLINGS,
    SEQUENCE_TO_SEQUENCE,
    fmt_shape,
    is_recurrent,
    returns_sequences,
    source_of,
    window,
)
from keraslint.graph.losses import Outcome
from keraslint.graph.losses import spec as loss_spec
from keraslint.graph.propagate import AnalyzedModel
from keraslint.rule import Finding, Invalid, Rule


class DenseOnUnflattenedInput(Rule):
    """`Dense` is applied to a sequence or image tensor in a model meant to output one
    prediction per sample.

    ## What it does
    Reports a `Dense` layer whose input has rank 3 or more (a sequence, an image) when the
    model's output therefore keeps that rank, in a model that reduces its input with strided
    convolutions or pooling and shows no sequence-to-sequence intent (no recurrent layer
    returning sequences, no `TimeDistributed`, attention, upsampling or transposed
    convolution).

    When the script fits the model on labels of lower rank than that output (per-sample
    labels), the labels decide, strided layers or not: the finding says what Keras does with
    them under the compiled loss, an error when Keras stops (the cross-entropies: `Arguments
    target and output must have the same rank`), a warning when it broadcasts silently. Labels
    given per position (`(N, steps)` or `(N, steps, 1)`) mean the per-position output is
    intended: no finding.

    ## Why is this bad?
    `Dense` acts on the last axis only, independently for every timestep or pixel. The model
    outputs `(batch, steps, units)` instead of `(batch, units)`; with per-sample labels Keras
    broadcasts the loss over the steps or fails with a confusing shape error, and accuracy
    numbers mean something else than intended.

    ## Example
    ```python
    keras.layers.Conv1D(32, 3),
    keras.layers.MaxPooling1D(2),
    keras.layers.Dense(1, activation="sigmoid"),   # outputs (batch, 24, 1)
    ```

    Use instead:
    ```python
    keras.layers.Conv1D(32, 3),
    keras.layers.MaxPooling1D(2),
    keras.layers.GlobalAveragePooling1D(),         # or Flatten()
    keras.layers.Dense(1, activation="sigmoid"),
    ```
    """

    code = "KL305"
    name = "dense-on-unflattened-input"
    severity = Severity.WARNING
    severity_note = "error where Keras stops at the loss"
    pass_ = Pass.GRAPH
    summary = "Dense on a rank>=3 tensor reaches the output without Flatten/pooling"

    VALID = (
        "import keras\nm = keras.Sequential([keras.Input((50, 4)), keras.layers.Conv1D(8, 3), keras.layers.MaxPooling1D(2),\n"
        "    keras.layers.Flatten(), keras.layers.Dense(1)])\n",
        # sequence labelling: per-timestep output is the point
        "import keras\nm = keras.Sequential([keras.Input((50, 4)), keras.layers.LSTM(8, return_sequences=True),\n"
        "    keras.layers.Dense(3, activation='softmax')])\n",
        # no reduction: nothing says it is a per-sample model
        "import keras\nm = keras.Sequential([keras.Input((50, 4)), keras.layers.Dense(16), keras.layers.Dense(1)])\n",
        # labels per timestep: the per-position output is what is trained
        ("import numpy as np\nimport keras\nx = np.zeros((64, 50, 4))\ny = np.zeros((64, 24, 1))\n"
        "m = keras.Sequential([keras.Input((50, 4)), keras.layers.Conv1D(8, 3), keras.layers.MaxPooling1D(2),\n"
        "    keras.layers.Dense(1, activation='sigmoid')])\nm.compile(loss='binary_crossentropy')\nm.fit(x, y)\n"),
        # CTC wants logits per timestep, after a strided stack too, whatever the labels look like
        ("import numpy as np\nimport keras\nx = np.zeros((64, 50, 4))\ny = np.zeros(64)\n"
         "m = keras.Sequential([keras.Input((50, 4)), keras.layers.Conv1D(8, 3), keras.layers.MaxPooling1D(2),\n"
         "    keras.layers.Dense(6)])\nm.compile(loss='ctc')\nm.fit(x, y)\n"),
    )
    INVALID = (
        Invalid("import keras\nm = keras.Sequential([\n    keras.Input((50, 4)),\n    keras.layers.Conv1D(32, 3),\n"
                "    keras.layers.MaxPooling1D(2),\n    keras.layers.Dense(1, activation='sigmoid'),\n])\n",
                line=6, message="(None, 24, 32)"),
        Invalid("import numpy as np\nimport keras\nx = np.zeros((64, 50, 4))\ny = np.zeros((64, 1))\n"
                "m = keras.Sequential([keras.Input((50, 4)), keras.layers.Conv1D(8, 3),\n"
                "    keras.layers.Dense(1, activation='sigmoid')])\n"
                "m.compile(loss='binary_crossentropy')\nm.fit(x, y)\n", line=6, message="Keras stops at the first batch"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        for model in ctx.models:
            node = unflattened_dense(model)
            if node is None:
                continue
            outcomes = _label_outcomes(ctx, model)
            if outcomes is None:
                continue
            if outcomes and all(o.result == "ok" for _, o, _ in outcomes):
                continue  # labels per position: the per-position output is what the script trains for
            shape_in = model.result(node).inputs[0]
            message = (f"Dense is applied to a {fmt_shape(shape_in)} tensor, so it acts on each position's "
                       f"last axis separately and the model outputs {fmt_shape(model.output_shapes()[0])} "
                       f"instead of one prediction per sample")
            wrong = [(loss, o) for loss, o, lower in outcomes if lower and o.result != "ok"]
            if wrong:
                # the labels say the model is per-sample, whatever its layers look like
                loss, outcome = min(wrong, key=lambda w: w[1].result != "raises")
                consequence, severity = lower_rank_consequence(outcome, loss)
                yield Finding(f"{message}; {consequence}; add Flatten() or a global pooling layer before it",
                              node=source_of(node), severity=severity)
            elif _reduces_without_seq2seq(model):
                yield Finding(f"{message}; add Flatten() or a global pooling layer before it", node=source_of(node))


def _label_outcomes(ctx: Context, model: AnalyzedModel) -> list[tuple[str, Outcome, bool]] | None:
    """Keras's outcome for every labelled use of ``model`` with a known loss, and whether its
    labels have a lower rank than the output; None when a loss wants an output per position."""
    found = []
    for feed in ctx.feeds:
        compiled = feed.use.compiled
        outputs = feed.model.output_shapes()
        if feed.model.graph is not model.graph or compiled is None or compiled.loss is None or len(outputs) != 1:
            continue
        entry = loss_spec(compiled.loss.name)
        if entry is not None and entry.kind == "ctc":
            return None  # CTC takes one prediction per timestep: the per-position output is the point
        outcome = label_outcome(feed, outputs[0], compiled.loss.name, axis=compiled.loss.axis)
        if outcome is not None and feed.labels is not None and feed.labels.shape is not None:
            found.append((compiled.loss.name, outcome, len(feed.labels.shape) < len(outputs[0])))
    return found


def _reduces_without_seq2seq(model: AnalyzedModel) -> bool:
    reduces = False
    for node in model.order:
        layer = node.layer
        if layer is None:
            continue
        kind = layer.kind
        if kind in SEQUENCE_TO_SEQUENCE or kind in GLOBAL_POOLINGS or kind == "Flatten":
            return False
        if is_recurrent(layer) and returns_sequences(layer):
            return False
        if kind in POOLINGS or kind in CONVOLUTIONS:
            geometry = window(layer)
            if geometry is not None and any(s > 1 for s in geometry[1]):
                reduces = True
    return reduces
