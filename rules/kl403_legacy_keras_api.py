from collections.abc import Iterator

import libcst as cst

from keraslint.context import Context
from keraslint.diagnostics import Edit, Fix, Severity
from keraslint.fix_edits import Names, class_rename_edits, fix, replace
from keraslint.rule import Finding, Invalid, Rule
from keraslint.source.legacy import LegacyUse


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

    `Convolution2D(16, 3, 3)` is reported for what it does today: Keras 1 read 16 filters of
    3x3, but in Keras 3 and tf.keras `Convolution2D` is `Conv2D`, whose third positional
    argument is `strides`, so the call builds a kernel of 3 moved 3 pixels at a time. The
    fix that restores the Keras 1 reading, `Conv2D(16, (3, 3))`, changes the model and is
    unsafe; a plain rename would silently keep the stride, so none is offered.

    The safe fixes (`--fix`) build exactly the model the original built (Keras 3's, or Keras
    2's where Keras 3 rejects the spelling): `lr=` → `learning_rate=`, `nb_epoch=` → `epochs=`,
    `fit_generator` → `fit`, Keras 1 layer keywords, and class renames, which rename or add the
    import too. A rename whose new keyword is already passed is not offered.

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
    summary = "names Keras 3 removed (`lr=`, `nb_epoch`, `fit_generator` ...) or deprecated (`input_dim=` on a layer)"

    VALID = (
        "import keras\nopt = keras.optimizers.Adam(learning_rate=1e-3)\n"
        "m = keras.Sequential([keras.Input((4,)), keras.layers.Conv1D(8, 3)])\nm.fit(x, y, epochs=3)\n",
    )
    INVALID = (
        Invalid("import keras\nopt = keras.optimizers.Adam(lr=1e-3)\n", line=2, message="`lr=` is `learning_rate=`"),
        Invalid("from keras.models import Sequential\nm = Sequential()\nm.fit_generator(gen, nb_epoch=3)\n", count=2,
                line=3),
        Invalid("from keras.layers import Convolution2D\nc = Convolution2D(32, 3, 3, border_mode='same')\n", count=2,
                line=2, message="is `Conv2D(32, kernel_size=3, strides=3)` in Keras 3"),
        Invalid("from keras.layers import Convolution2D\nc = Convolution2D(32, 3)\n", line=2,
                message="`Convolution2D` is `Conv2D`"),
        Invalid("import tensorflow as tf\nm = tf.keras.Sequential([tf.keras.layers.Dense(4, input_dim=8)])\n",
                line=2, message="keras.Input"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        if ctx.facts is None:
            return
        uses = ctx.facts.legacy
        names = Names(ctx.module) if any(use.imported_name and use.new for use in uses) else None
        # Bare class names each fix renames, by safety: an import may only be renamed when every
        # use of the name is renamed by fixes applied together with it.
        renamed: dict[bool, set[int]] = {True: set(), False: set()}
        for use in uses:
            if use.imported_name and use.new is not None:
                renamed[False].add(id(use.node))
                if self._safe(use):
                    renamed[True].add(id(use.node))
        for use in uses:
            yield Finding(use.advice, node=use.node, fix=self._repair(ctx, use, names, renamed))

    @staticmethod
    def _safe(use: LegacyUse) -> bool:
        return use.safe_rename and use.arguments is None

    def _repair(self, ctx: Context, use: LegacyUse, names: Names | None, renamed: dict[bool, set[int]]) -> Fix | None:
        if use.new is None:
            return None
        safe = self._safe(use)
        if use.imported_name and names is not None and isinstance(use.node, cst.Name):
            edits = class_rename_edits(ctx, names, use.node, use.old, use.new, renamed=renamed[safe],
                                       old_exists=use.old_exists)
            if edits is None:
                return None
        else:
            edits = [replace(ctx, use.node, use.new)]
        if use.arguments is not None:
            start, end = ctx.span(use.arguments.first)[0], ctx.span(use.arguments.last)[1]
            edits.append(Edit(use.arguments.text, start, end))
        return fix(use.fix_message or f"Rename `{use.old}` to `{use.new}`", edits, safe=safe)
