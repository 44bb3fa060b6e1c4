from collections.abc import Iterator

from keraslint.context import Context
from keraslint.diagnostics import Fix, Severity
from keraslint.fixes import after_imports, fix, insert_line, keras_alias
from keraslint.rule import Finding, Invalid, Rule


class UnseededTraining(Rule):
    """A model is built or trained, and no global seed is ever set.

    ## What it does
    Follows the script in execution order (into the functions it calls) and reports the
    first place where a model is created or trained when no global seed has been set on
    that path: `keras.utils.set_random_seed`, `tf.keras.utils.set_random_seed`,
    `tf.random.set_seed` or TF1's `tf.set_random_seed`. A seed set inside the function that
    builds the model counts for that model. Seeds set in only one branch of an `if` are
    "maybe" and are not reported.

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
    )
    INVALID = (
        Invalid("import tensorflow as tf\nmodel = tf.keras.models.Sequential([\n    tf.keras.layers.Dense(10),\n])\n",
                line=2, message="no global seed"),
        Invalid("from keras.models import Sequential\nfrom keras.layers import Dense\n"
                "def main():\n    m = Sequential()\n    m.add(Dense(1))\n    m.fit(x, y)\n"
                "if __name__ == '__main__':\n    main()\n", line=4),
        Invalid("import keras\nmodel = keras.models.load_model('m.keras')\nmodel.fit(x, y)\n",
                line=3, message="trained"),
        # numpy's seed does not seed weight initialisation
        Invalid("import numpy as np\nimport tensorflow as tf\nnp.random.seed(0)\n"
                "inp = tf.keras.Input((4,))\nm = tf.keras.Model(inp, tf.keras.layers.Dense(1)(inp))\n", line=5),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        facts = ctx.facts.seeding
        if any("tensorflow" in seed.generators for seed in facts.seeds):
            return  # seeded somewhere on the executed path: KL103 judges the order
        unseeded = [e for e in facts.models if e.action in ("create", "train") and e.tf_state == "no"]
        if not unseeded:
            return
        first = unseeded[0]
        what = "trained" if first.action == "train" else "created"
        rows = sorted({ctx.line_of(e.node): e.node for e in unseeded[1:]}.items())
        others = [ctx.where(node) for row, node in rows if row != ctx.line_of(first.node)]
        more = ""
        if others:
            more = f" (also unseeded: {', '.join(others[:5])}{', ...' if len(others) > 5 else ''})"
        partial = ""
        if facts.seeds:  # numpy or random seeded, TensorFlow not: a common misunderstanding
            partial = f" (`{ctx.code(facts.seeds[0].node.func)}` does not seed TensorFlow)"
        yield Finding(
            f"Model {what} with no global seed set{partial}: weight initialisation, dropout and shuffling "
            f"differ on every run{more}; call `keras.utils.set_random_seed(...)` before building the model",
            node=first.node,
            fix=self._seed_fix(ctx),
        )

    @staticmethod
    def _seed_fix(ctx: Context) -> Fix | None:
        """Insert `<keras>.utils.set_random_seed(42)` right after the imports (unsafe: it changes
        every random number the run draws)."""
        alias, import_line = keras_alias(ctx.facts.globals)
        body = ctx.module.body
        index = after_imports(ctx.module)
        row = ctx.span(body[index])[0].row if index < len(body) else len(ctx.source.splitlines()) + 1
        if index < len(body):
            # Keep comments and blank lines that lead into the next statement where they are.
            leading = body[index].leading_lines
            row -= len(leading)
        line = f"{import_line}{alias}.utils.set_random_seed(42)\n"
        return fix("Seed Python, NumPy and TensorFlow right after the imports", [insert_line(row, line)], safe=False)
