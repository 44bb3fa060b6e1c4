from collections.abc import Iterator

import libcst as cst

from keraslint.context import Context
from keraslint.diagnostics import Severity
from keraslint.rule import Finding, Invalid, Rule
from keraslint.source.seeding import ModelEvent, SeedEvent


class SeedAfterModelCreation(Rule):
    """The global seed is set only after layers or a model were already created.

    ## What it does
    Reports a TensorFlow seed call (`keras.utils.set_random_seed`, `tf.random.set_seed`,
    `tf.set_random_seed`) that runs after layers or a model were created on the same path
    with no seed in effect, and names the line that created them. Loops are followed: a
    seed at the end of a loop body comes too late for the model built at its start.

    ## Why is this bad?
    Weights are drawn when layers are built. A seed set afterwards makes everything *after*
    it repeatable but not the initial weights, so runs still differ, while the script looks
    seeded to a reader.

    ## Example
    ```python
    model = keras.Sequential([keras.layers.Dense(10)])
    keras.utils.set_random_seed(42)
    model.fit(x, y)
    ```

    Use instead:
    ```python
    keras.utils.set_random_seed(42)
    model = keras.Sequential([keras.layers.Dense(10)])
    model.fit(x, y)
    ```
    """

    code = "KL103"
    name = "seed-after-model-creation"
    severity = Severity.WARNING
    summary = "seed set after layers/weights were created"

    VALID = (
        "import keras\nkeras.utils.set_random_seed(1)\nm = keras.Sequential([keras.layers.Dense(1)])\n",
        "import tensorflow as tf\n"
        "def build(seed):\n    tf.random.set_seed(seed)\n    return tf.keras.Sequential([tf.keras.layers.Dense(1)])\n"
        "for seed in [42, 100, 1234]:\n    build(seed).fit(x, y)\n",
    )
    INVALID = (
        Invalid("import keras\nm = keras.Sequential([keras.layers.Dense(1)])\nkeras.utils.set_random_seed(1)\n",
                line=3, message="model created at line 2"),
        Invalid("import tensorflow as tf\nfor seed in [1, 2]:\n    m = tf.keras.Sequential()\n"
                "    tf.random.set_seed(seed)\n    m.fit(x, y)\n", line=4, message="line 3"),
        Invalid("import tensorflow as tf\ndense = tf.keras.layers.Dense(4)\ntf.random.set_seed(0)\n",
                line=3, message="layer created at line 2"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        pending: list[ModelEvent] = []
        for event in ctx.facts.seeding.timeline:
            if isinstance(event, ModelEvent) and event.tf_state == "no" and event.action in ("create", "layer"):
                pending.append(event)
            elif isinstance(event, SeedEvent) and "tensorflow" in event.generators and pending:
                # Layers are evaluated before the model that holds them: name the model if there is one.
                culprit = next((e for e in pending if e.action == "create"), pending[0])
                what = "layer" if culprit.action == "layer" else "model"
                where = ctx.where(culprit.node)
                move_before = ctx.where(pending[0].entry or pending[0].node)
                if culprit.entry is not None:
                    where += f" (in `{ctx.code(culprit.entry, 40)}` at {ctx.where(culprit.entry)})"
                yield Finding(
                    f"Seed set after the {what} created at {where} was initialised without it: its weights "
                    f"differ on every run; move this call before {move_before}",
                    node=event.node.func if isinstance(event.node, cst.Call) else event.node,
                )
                pending = []
