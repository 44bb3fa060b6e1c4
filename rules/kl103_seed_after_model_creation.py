from collections.abc import Iterator
from typing import Any

import libcst as cst

from keraslint.context import Context
from keraslint.diagnostics import Severity
from keraslint.rule import Finding, Invalid, Rule
from keraslint.source.seeding import ModelEvent, SeedEvent, initialises_weights, is_used, model_layers, uses_after
from keraslint.source.values import Obj


class SeedAfterModelCreation(Rule):
    """The global seed is set only after layers or a model were already created.

    ## What it does
    Reports a TensorFlow seed call (`keras.utils.set_random_seed`, `tf.random.set_seed`,
    `tf.set_random_seed`) that runs after layers with weights (or a model holding them) were
    created on the same path with no seed in effect, when that model is still trained or
    used after the seed, and names the line that created them. Loops are followed: a seed
    at the end of a loop body comes too late for the model built at its start. A model
    thrown away before the seed (its name rebound before any training) and a layer that is
    never put in a model that is used do not count.

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
        # the early model is thrown away: the one trained is built after the seed
        "import keras\nm = keras.Sequential([keras.layers.Dense(1)])\nkeras.utils.set_random_seed(1)\n"
        "m = keras.Sequential([keras.layers.Dense(1)])\nm.fit(x, y)\n",
        # a bare layer expression that is never used
        "import keras\nkeras.layers.Dense(4)\nkeras.utils.set_random_seed(1)\n"
        "m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])\nm.fit(x, y)\n",
        # layers added after the seed: the empty Sequential had nothing to initialise
        "import keras\nm = keras.Sequential()\nkeras.utils.set_random_seed(1)\nm.add(keras.layers.Dense(1))\n"
        "m.fit(x, y)\n",
        "import tensorflow as tf\n"
        "def build(seed):\n    tf.random.set_seed(seed)\n    return tf.keras.Sequential([tf.keras.layers.Dense(1)])\n"
        "for seed in [42, 100, 1234]:\n    build(seed).fit(x, y)\n",
    )
    INVALID = (
        Invalid("import keras\nm = keras.Sequential([keras.layers.Dense(1)])\nkeras.utils.set_random_seed(1)\n"
                "m.fit(x, y)\n", line=3, message="model created at line 2"),
        Invalid("import tensorflow as tf\nfor seed in [1, 2]:\n    m = tf.keras.Sequential([tf.keras.layers.Dense(1)])\n"
                "    tf.random.set_seed(seed)\n    m.fit(x, y)\n", line=4, message="line 3"),
        Invalid("import tensorflow as tf\ndense = tf.keras.layers.Dense(4)\ntf.random.set_seed(0)\n"
                "m = tf.keras.Sequential([tf.keras.Input((3,)), dense])\nm.predict(x)\n",
                line=3, message="layer created at line 2"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        timeline = ctx.facts.seeding.timeline
        pending: list[ModelEvent] = []
        for index, event in enumerate(timeline):
            if isinstance(event, ModelEvent) and event.tf_state == "no" and event.action in ("create", "layer"):
                pending.append(event)
            elif isinstance(event, SeedEvent) and "tensorflow" in event.generators and pending:
                late = _still_used(pending, timeline, index)
                pending = []
                if not late:
                    continue
                # Layers are evaluated before the model that holds them: name the model if there is one.
                culprit = next((e for e in late if e.action == "create"), late[0])
                what = "layer" if culprit.action == "layer" else "model"
                where = ctx.where(culprit.node)
                move_before = ctx.where(late[0].entry or late[0].node)
                if culprit.entry is not None:
                    where += f" (in `{ctx.code(culprit.entry, 40)}` at {ctx.where(culprit.entry)})"
                yield Finding(
                    f"Seed set after the {what} created at {where} was initialised without it: its weights "
                    f"differ on every run; move this call before {move_before}",
                    node=event.node.func if isinstance(event.node, cst.Call) else event.node,
                )


def _still_used(pending: list[ModelEvent], timeline: list[Any], seed_at: int) -> list[ModelEvent]:
    """The events before the seed whose random weights are still trained or used after it: a
    weighted layer in a model used later, or such a model. An object thrown away (its name
    rebound before any training) or a layer never put in a used model does not count."""
    used, layer_ids = uses_after(timeline, seed_at)
    late_layers = [e for e in pending if e.action == "layer" and isinstance(e.obj, Obj)
                   and e.obj.data["layer"].id in layer_ids and initialises_weights(e.obj.data["layer"])]
    late_ids = {e.obj.data["layer"].id for e in late_layers}
    late: list[ModelEvent] = []
    for event in pending:
        if event.action == "create" and is_used(event.obj, used):
            layers = model_layers(event.obj)
            # A model whose layers are unknown (a subclass) holds whatever its __init__ built.
            if layers is None or any(layer.id in late_ids for layer in layers):
                late.append(event)
        elif event in late_layers:
            late.append(event)
    return late
