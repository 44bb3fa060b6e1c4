from collections.abc import Iterator

from keraslint.context import Context
from keraslint.diagnostics import Severity
from keraslint.fixes import fix, replace
from keraslint.rule import Finding, Invalid, Rule


class LegacyKerasApi(Rule):
    """A name or argument that Keras 3 removed or renamed.

    ## What it does
    Reports Keras 1/2 spellings, each with its modern form: `lr=` (→ `learning_rate=`),
    `decay=`, `nb_epoch=` (→ `epochs=`), `samples_per_epoch=`, `fit_generator` /
    `evaluate_generator` / `predict_generator` (→ `fit` / `evaluate` / `predict`),
    `border_mode=`, `init=`, `subsample=`, `nb_filter=`, `output_dim=`, `dim_ordering=`,
    `Convolution2D` and friends, `CuDNNLSTM`, `Merge`, Keras 2 module paths
    (`keras.layers.convolutional`), and `input_shape=`/`input_dim=` on layers (Keras 3 wants
    `keras.Input(shape=...)`). Advice (info), not selected by default.

    ## Why is this bad?
    Under Keras 3 (the `keras` that `pip install tensorflow` brings today) these raise
    `TypeError: Unrecognized keyword arguments` or `AttributeError`, or they are silently
    ignored; the script only works on an old, pinned Keras.

    ## Example
    ```python
    model.compile(optimizer=keras.optimizers.Adam(lr=1e-3), loss="mse")
    model.fit_generator(batches, nb_epoch=10)
    ```

    Use instead:
    ```python
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="mse")
    model.fit(batches, epochs=10)
    ```
    """

    code = "KL403"
    name = "legacy-keras-api"
    severity = Severity.INFO
    summary = "names removed in Keras 3 (`lr=`, `nb_epoch`, `fit_generator`, `input_dim` ...)"

    VALID = (
        "import keras\nopt = keras.optimizers.Adam(learning_rate=1e-3)\n"
        "m = keras.Sequential([keras.Input((4,)), keras.layers.Conv1D(8, 3)])\nm.fit(x, y, epochs=3)\n",
    )
    INVALID = (
        Invalid("import keras\nopt = keras.optimizers.Adam(lr=1e-3)\n", line=2, message="`lr=` is `learning_rate=`"),
        Invalid("from keras.models import Sequential\nm = Sequential()\nm.fit_generator(gen, nb_epoch=3)\n", count=2,
                line=3),
        Invalid("from keras.layers import Convolution2D\nc = Convolution2D(32, 3, 3, border_mode='same')\n", count=2,
                line=2, message="`Convolution2D` is `Conv2D`"),
        Invalid("import tensorflow as tf\nm = tf.keras.Sequential([tf.keras.layers.Dense(4, input_dim=8)])\n",
                line=2, message="keras.Input"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        if ctx.facts is None:
            return
        for use in ctx.facts.legacy:
            repair = None
            if use.new is not None:
                repair = fix(f"Rename `{use.old}` to `{use.new}`", [replace(ctx, use.node, use.new)], safe=use.safe_rename)
            yield Finding(use.advice, node=use.node, fix=repair)
