from collections.abc import Iterator

from keraslint.context import Context
from keraslint.diagnostics import Fix, Severity
from keraslint.fix_edits import after_imports, fix, insert_line, keras_alias
from keraslint.rule import Finding, Invalid, Rule
from keraslint.source.seeding import (ModelEvent, fresh_weights, initialises_weights, is_used, model_layers,
                                      stochastic_layers, uses_after)
from keraslint.source.values import Obj


class UnseededTraining(Rule):
    """A model is built or trained, and no global seed is ever set.

    ## What it does
    Follows the script in execution order (into the functions it calls) and reports the
    first place where, with no global seed set on that path (`keras.utils.set_random_seed`,
    `tf.keras.utils.set_random_seed`, `tf.random.set_seed` or TF1's `tf.set_random_seed`),
    a model is trained, or a model with freshly initialised weights is created and then
    used (`predict`, `evaluate`, `model(x)`, `save`...). The message says what differs
    between runs: the initial weights, dropout masks, the order `fit` shuffles the data in.

    A seed set inside the function that builds the model counts for that model. Seeds set
    in only one branch of an `if` are "maybe" and are not reported. A model that only
    re-wires a loaded or pretrained network (`load_model`, `keras.applications.X(weights=
    "imagenet")`, `from_preset`) and is never trained has nothing random in it (feature
    extractors, Grad-CAM, deep dream, style transfer), and a model that is built but never
    trained or used has random weights that never matter: neither is reported. Nor is a
    model that only re-wires the layers of one created before (an end-to-end wrapper around
    a trained classifier): the first one is what is reported. A single `model(x)` at the top
    level of a script (building the model, printing its output shape) is not a use; calls
    in loops and functions (custom training loops, train steps) are.

    ## Why is this bad?
    Weight initialisation, dropout masks and `fit`'s shuffling all draw from TensorFlow's
    random generator. Without a seed every run starts from different weights, so two runs
    of the same script give different accuracies and a change cannot be told apart from
    noise.

    ## Example
    ```python
    import tensorflow as tf

    model = tf.keras.Sequential([tf.keras.layers.Dense(10)])
    model.fit(x, y)
    ```

    Use instead:
    ```python
    import tensorflow as tf

    tf.keras.utils.set_random_seed(42)  # seeds Python, NumPy and TensorFlow
    model = tf.keras.Sequential([tf.keras.layers.Dense(10)])
    model.fit(x, y)
    ```
    """

    code = "KL101"
    name = "unseeded-training"
    severity = Severity.WARNING
    summary = "model built/trained with no global seed"

    VALID = (
        "import keras\nkeras.utils.set_random_seed(0)\nmodel = keras.Sequential([keras.layers.Dense(1)])\n",
        # the seed inside the builder counts for the model it builds
        "import tensorflow as tf\n"
        "def build(seed):\n"
        "    tf.random.set_seed(seed)\n"
        "    return tf.keras.Sequential([tf.keras.layers.Dense(1)])\n"
        "for s in [1, 2]:\n"
        "    build(s).fit(x, y)\n",
        # a library module that only defines a builder is the caller's business
        "from tensorflow import keras\n"
        "def build():\n"
        "    return keras.Sequential([keras.layers.Dense(1)])\n",
        # seeded in one branch only: "maybe", not reported
        "import tensorflow as tf\nif args.seed:\n    tf.random.set_seed(args.seed)\nmodel = tf.keras.Sequential()\n",
        "import numpy as np\nx = np.zeros((3, 4))\n",
        # built, never trained or used: its random weights never matter
        "import keras\nmodel = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])\nmodel.summary()\n",
        # a feature extractor over a pretrained network, never trained
        "import keras\nbase = keras.applications.VGG19(weights='imagenet', include_top=False)\n"
        "extractor = keras.Model(base.inputs, base.get_layer('block5_conv1').output)\n"
        "features = extractor(images)\n",
        "import keras\nbase = keras.models.load_model('m.keras')\ninp = keras.Input((32, 32, 3))\n"
        "probe = keras.Model(inp, base(inp))\nprobe.predict(x)\n",
        # one call at the top level builds the model or shows its output shape
        "import keras\nmodel = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])\n"
        "print(model(keras.ops.zeros((1, 4))).shape)\n",
    )
    INVALID = (
        Invalid("import tensorflow as tf\nmodel = tf.keras.models.Sequential([\n    tf.keras.layers.Dense(10),\n])\n"
                "model.predict(x)\n", line=2, message="no global seed set: its initial weights differ"),
        # a new head on a pretrained backbone: fresh weights, and training shuffles
        Invalid("import keras\nbase = keras.applications.MobileNetV2(include_top=False)\ninp = keras.Input((96, 96, 3))\n"
                "out = keras.layers.Dense(2)(keras.layers.GlobalAveragePooling2D()(base(inp)))\n"
                "model = keras.Model(inp, out)\nmodel.fit(x, y)\n", line=5,
                message="its initial weights differ"),
        Invalid("from keras.models import Sequential\nfrom keras.layers import Dense\n"
                "def main():\n    m = Sequential()\n    m.add(Dense(1))\n    m.fit(x, y)\n"
                "if __name__ == '__main__':\n    main()\n", line=4),
        Invalid("import keras\nmodel = keras.models.load_model('m.keras')\nmodel.fit(x, y)\n",
                line=3, message="trained with no global seed set: any weight initialisation, dropout or shuffling in it differs"),
        # numpy's seed does not seed weight initialisation
        Invalid("import numpy as np\nimport tensorflow as tf\nnp.random.seed(0)\n"
                "inp = tf.keras.Input((4,))\nm = tf.keras.Model(inp, tf.keras.layers.Dense(1)(inp))\nm.predict(x)\n", line=5),
        # a custom training loop calls the model in a loop
        Invalid("import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1)])\n"
                "for x, y in dataset:\n    with tf.GradientTape() as tape:\n        loss = tf.reduce_mean((model(x) - y) ** 2)\n",
                line=2, message="its initial weights differ"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        facts = ctx.facts.seeding
        if any("tensorflow" in seed.generators for seed in facts.seeds):
            return  # seeded somewhere on the executed path: KL103 judges the order
        used, _ = uses_after(facts.timeline, 0)
        unseeded: list[ModelEvent] = []
        earlier: set[int] = set()  # layers of models created before: re-wiring them draws nothing new
        for event in facts.models:
            if event.action == "create":
                layers = model_layers(event.obj) or []
                new = any(initialises_weights(layer) and layer.id not in earlier for layer in layers) \
                    or isinstance(event.obj, Obj) and event.obj.data.get("fresh")
                earlier.update(layer.id for layer in layers)
                if event.tf_state == "no" and new and fresh_weights(event.obj) and is_used(event.obj, used):
                    unseeded.append(event)
            elif event.action == "train" and event.tf_state == "no":
                unseeded.append(event)
        unseeded = [e for e in unseeded if _what_differs(e, unseeded) is not None]
        if not unseeded:
            return
        first = unseeded[0]
        what = "trained" if first.action == "train" else "created"
        rows = sorted({ctx.line_of(e.node): e.node for e in unseeded[1:]}.items())
        others = [ctx.where(node) for row, node in rows if row != ctx.line_of(first.node)]
        more = ""
        if others:
            more = f" (also unseeded: {'; '.join(others[:5])}{'; ...' if len(others) > 5 else ''})"
        partial = ""
        if facts.seeds:  # numpy or random seeded, TensorFlow not: a common misunderstanding
            partial = f" (`{ctx.code(facts.seeds[0].node.func)}` does not seed TensorFlow)"
        yield Finding(
            f"Model {what} with no global seed set{partial}: {_what_differs(first, unseeded)} "
            f"on every run{more}; call `keras.utils.set_random_seed(...)` before building the model",
            node=first.node,
            fix=self._seed_fix(ctx),
        )

    @staticmethod
    def _seed_fix(ctx: Context) -> Fix | None:
        """Insert `<keras>.utils.set_random_seed(42)` right after the imports (unsafe: it changes
        every random number the run draws)."""
        body = ctx.module.body
        index = after_imports(ctx.module)
        # only names imported above the insertion point: `import keras` may come later in the file
        alias, import_line = keras_alias(ctx.facts.globals, ctx.module, index)
        row = ctx.span(body[index])[0].row if index < len(body) else len(ctx.source.splitlines()) + 1
        if index < len(body):
            # Keep comments and blank lines that lead into the next statement where they are.
            leading = body[index].leading_lines
            row -= len(leading)
        line = f"{import_line}{alias}.utils.set_random_seed(42)\n"
        return fix("Seed Python, NumPy and TensorFlow right after the imports", [insert_line(row, line)], safe=False)


def _what_differs(first: ModelEvent, events: list[ModelEvent]) -> str | None:
    """What is random in this run, as far as the script shows it; None when nothing is."""
    trained = [e for e in events if e.action == "train" and (e.obj is first.obj or first.action == "create")]
    if first.action == "train":
        trained = [first, *trained]
    parts = []
    fresh = fresh_weights(first.obj)
    if fresh:
        parts.append("its initial weights")
    if trained:
        dropout = stochastic_layers(first.obj)
        if dropout:
            parts.append("its dropout masks")
        shuffles = [e.shuffles for e in trained]
        if True in shuffles:
            parts.append("the order `fit` shuffles the samples in")
        if not parts and (fresh is None or dropout is None or None in shuffles):
            parts.append("any weight initialisation, dropout or shuffling in it")
    if not parts:
        return None
    verb = "differ" if len(parts) > 1 or parts[0].endswith("s") or parts[0].startswith("any") else "differs"
    if parts[0].startswith("any"):
        verb = "differs"
    return (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]) + f" {verb}"
