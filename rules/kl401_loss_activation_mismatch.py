from collections.abc import Iterator

import libcst as cst

from keraslint.context import Context
from keraslint.diagnostics import Fix, Pass, Severity
from keraslint.fix_edits import fix, replace
from keraslint.graph.layers import output_activation, source_of
from keraslint.ir.graph import Layer
from keraslint.rule import Finding, Invalid, Rule
from keraslint.source.training import CROSSENTROPY_LOSSES


class LossActivationMismatch(Rule):
    """The output layer's activation does not fit the loss.

    ## What it does
    Compares the activation of the layer that produces the model output with the loss given
    to `compile` (as a string, a function or a loss object with its `from_logits`):

    * a 1-unit `softmax` output (always exactly 1.0, so the model cannot learn anything);
    * `softmax` with `binary_crossentropy`;
    * `sigmoid` with `categorical_crossentropy` on more than one unit;
    * `softmax` with `from_logits=True` (the loss applies a second softmax);
    * an output whose activation cannot produce probabilities (`relu`, `tanh`, `elu`, `selu`,
      `softplus`, `leaky_relu`, ... as `activation=`, an `Activation` layer or a `ReLU`/`ELU`
      layer after the last `Dense`, or inside `TimeDistributed(Dense(...))`) with a cross-entropy
      whose `from_logits` is False;
    * a linear output with a cross-entropy whose `from_logits` is False (warning: the loss
      expects probabilities and clips raw scores).

    With `from_logits=True` any activation other than softmax/sigmoid gives no finding: a relu or
    tanh in front of logits is odd, but the loss is computed on them as scores.

    ## Why is this bad?
    Keras trains all of these without an error. A 1-unit softmax is constant; the others
    compute the wrong gradients, so the model trains badly or plateaus with no hint why. A
    cross-entropy without `from_logits` clips its input to [1e-7, 1 - 1e-7] before the log: relu
    or softplus outputs above 1 and tanh/elu outputs below 0 are clipped, their gradient is zero
    there, and the loss reported is not the model's.

    ## Example
    ```python
    keras.layers.Dense(1, activation="softmax")
    model.compile(loss="binary_crossentropy")
    ```

    Use instead:
    ```python
    keras.layers.Dense(1, activation="sigmoid")
    model.compile(loss="binary_crossentropy")
    ```
    """

    code = "KL401"
    name = "loss-activation-mismatch"
    severity = Severity.ERROR
    severity_note = "warning where the loss only likely misreads the output: raw scores to a probability loss, outputs it divides by their sum"
    pass_ = Pass.GRAPH
    summary = "e.g. 1-unit softmax, softmax + binary_crossentropy, logits vs `from_logits`"

    VALID = (
        ("import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation='sigmoid')])\n"
        "m.compile(optimizer='adam', loss='binary_crossentropy')\n"),
        ("import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])\n"
        "m.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))\n"),
        ("import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Activation('softmax')])\n"
        "m.compile(loss='categorical_crossentropy')\n"),
        ("import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.ReLU()])\n"
        "m.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))\n"),
        ("import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation='relu')])\n"
        "m.compile(loss='mse')\n"),
        ("import keras\nm = keras.Sequential([keras.Input((5, 4)),\n"
        "    keras.layers.TimeDistributed(keras.layers.Dense(3, activation='softmax'))])\n"
        "m.compile(loss='categorical_crossentropy')\n"),
    )
    INVALID = (
        Invalid("import keras\nm = keras.Sequential([keras.Input((4,)),\n    keras.layers.Dense(1, activation='softmax')])\n"
                "m.compile(optimizer='adam', loss='binary_crossentropy')\n", line=3, message="always outputs 1.0"),
        Invalid("import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation='softmax')])\n"
                "m.compile(loss='binary_crossentropy')\n", line=2, message="softmax"),
        Invalid("import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation='sigmoid')])\n"
                "m.compile(loss=keras.losses.categorical_crossentropy)\n", line=2, message="sigmoid"),
        Invalid("import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation='softmax')])\n"
                "m.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))\n", line=2, message="from_logits=True"),
        Invalid("import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])\n"
                "m.compile(loss='sparse_categorical_crossentropy')\n", line=2, message="from_logits"),
        Invalid("import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation='relu')])\n"
                "m.compile(loss='binary_crossentropy')\n", line=2, message="relu outputs lie in [0, inf)"),
        Invalid("import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Activation('tanh')])\n"
                "m.compile(loss='categorical_crossentropy')\n", line=2, message="tanh"),
        Invalid("import keras\nm = keras.Sequential([keras.Input((5, 4)),\n"
                "    keras.layers.TimeDistributed(keras.layers.Dense(3, activation='elu'))])\n"
                "m.compile(loss='sparse_categorical_crossentropy')\n", line=3, message="elu"),
        Invalid("import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation='relu')])\n"
                "m.compile(loss='categorical_crossentropy')\n", line=2, message="divides them by their sum"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        for obj, model in ctx.model_objects():
            outputs = model.graph.outputs
            shapes = model.output_shapes()
            if len(outputs) != 1:
                continue
            activation, node = output_activation(outputs[0].node)
            if activation is None or node.layer is None:
                continue
            if node.layer.kind == "ReLU" and node.layer.config.get("max_value") is not None:
                continue  # a capped ReLU(max_value=1.0) stays within [0, 1]
            # The layer's own units when a shape error upstream left the output shape unknown.
            units = shapes[0][-1] if shapes and shapes[0] is not None else node.layer.config.get("units")
            if not isinstance(units, int):
                continue
            where = source_of(node)
            if activation == "softmax" and units == 1:
                yield Finding(f"{node.layer.label} has 1 unit with softmax, which always outputs 1.0 (softmax "
                              f"normalises over the units); use activation=\"sigmoid\" for a binary output",
                              node=where, fix=_sigmoid_fix(ctx, node.layer))
                continue
            compiled = obj.data.get("compile")
            loss = compiled.loss if compiled is not None else None
            if loss is None or loss.name is None:
                continue
            finding = _mismatch(activation, units, loss.name, loss.from_logits)
            if finding is not None:
                message, severity = finding
                yield Finding(f"{node.layer.label} ends in {activation} ({units} unit{'' if units == 1 else 's'}) but the loss is "
                              f"{loss.name}{' with from_logits=True' if loss.from_logits else ''}: {message}",
                              node=where, severity=severity)


# Activations whose outputs cannot be probabilities, and their range.
NOT_PROBABILITIES = {
    "relu": "[0, inf)", "relu6": "[0, 6]", "softplus": "(0, inf)", "exponential": "(0, inf)", "elu": "(-1, inf)",
    "selu": "(-1.76, inf)", "leaky_relu": "(-inf, inf)", "prelu": "(-inf, inf)", "gelu": "(-0.17, inf)",
    "silu": "(-0.28, inf)", "swish": "(-0.28, inf)", "mish": "(-0.31, inf)", "tanh": "(-1, 1)", "softsign": "(-1, 1)",
}
_NON_NEGATIVE = frozenset({"relu", "relu6", "softplus", "exponential"})
# Losses that divide the outputs by their sum before clipping (keras/src/backend/*/nn.py).
_NORMALISING = frozenset({"categorical_crossentropy", "categorical_focal_crossentropy"})


def _mismatch(activation: str, units: int | None, loss: str, from_logits: bool | None) -> tuple[str, Severity] | None:
    if loss not in CROSSENTROPY_LOSSES:
        return None
    if activation == "softmax" and from_logits:
        return "the loss applies a second softmax to probabilities; drop from_logits=True", Severity.ERROR
    if activation == "softmax" and loss.startswith("binary") and (units or 0) > 1:
        return ("softmax makes the units compete, binary cross-entropy scores each independently; use sigmoid "
                "(multi-label) or categorical_crossentropy (one class)"), Severity.ERROR
    if activation == "sigmoid" and loss in ("categorical_crossentropy", "sparse_categorical_crossentropy") \
            and (units or 0) > 1:
        return ("categorical cross-entropy expects probabilities that sum to 1; use softmax (one class) or "
                "binary_crossentropy (multi-label)"), Severity.ERROR
    if activation in NOT_PROBABILITIES and from_logits is False:
        return _not_probabilities(activation, loss)
    if activation == "linear" and from_logits is False:
        return ("the loss expects probabilities but gets raw scores; pass from_logits=True to the loss or add an "
                "activation"), Severity.WARNING
    return None


def _not_probabilities(activation: str, loss: str) -> tuple[str, Severity] | None:
    probability = "sigmoid" if loss.startswith("binary") else "softmax"
    advice = f"use activation=\"{probability}\", or no activation and from_logits=True"
    outputs = f"{activation} outputs lie in {NOT_PROBABILITIES[activation]}, they are not probabilities"
    if loss in _NORMALISING and activation in _NON_NEGATIVE:
        if activation == "exponential":
            return None  # exp divided by its sum is exactly a softmax
        # The loss turns non-negative outputs into a distribution: it trains, badly.
        dead = (f", so a unit at 0 costs log(1e-7) with no gradient back through the {activation} (and all units "
                f"at 0 give NaN)") if activation != "softplus" else ""
        return f"{outputs}; the loss divides them by their sum{dead}; {advice}", Severity.WARNING
    if loss in _NORMALISING:
        return (f"{outputs}; the loss divides them by their sum, which negative outputs make meaningless "
                f"(it can be 0 or negative); {advice}"), Severity.ERROR
    return (f"{outputs}; the loss clips them to [1e-7, 1 - 1e-7], so wherever they leave that range the loss is "
            f"wrong and its gradient is 0; {advice}"), Severity.ERROR


def _sigmoid_fix(ctx: Context, layer: Layer) -> Fix | None:
    """`activation="softmax"` -> `activation="sigmoid"` when it is written as a string literal
    in the layer's own call (unsafe: it changes what the model computes)."""
    call = layer.node
    if not isinstance(call, cst.Call) or ctx.module is None:
        return None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "activation" and isinstance(arg.value, cst.SimpleString):
            quote = arg.value.quote
            return fix("Use a sigmoid output", [replace(ctx, arg.value, f"{quote}sigmoid{quote}")], safe=False)
    return None
