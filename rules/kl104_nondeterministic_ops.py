from collections.abc import Iterator

import libcst as cst

from keraslint.context import Context
from keraslint.diagnostics import Severity
from keraslint.rule import Finding, Invalid, Rule


class NondeterministicOps(Rule):
    """Seeds are set, but TensorFlow's op determinism is never enabled.

    ## What it does
    In a script that seeds TensorFlow and builds or trains a model, reports the first seed
    call when `tf.config.experimental.enable_op_determinism()` is never called (and
    `TF_DETERMINISTIC_OPS` is not set through `os.environ`). This is advice (info): it is
    not selected by default; enable it with `--extend-select KL104`.

    ## Why is this bad?
    Seeds fix the random numbers, not the order of floating-point reductions: several GPU
    kernels (cuDNN convolutions, scatter/segment ops) and multi-threaded CPU ops sum in a
    varying order, so seeded runs can still drift apart.

    ## Example
    ```python
    tf.keras.utils.set_random_seed(42)
    model.fit(x, y)
    ```

    Use instead:
    ```python
    tf.keras.utils.set_random_seed(42)
    tf.config.experimental.enable_op_determinism()  # slower, but repeatable
    model.fit(x, y)
    ```
    """

    code = "KL104"
    name = "nondeterministic-ops"
    severity = Severity.INFO
    summary = "seeded, but op determinism not enabled"

    VALID = (
        "import tensorflow as tf\ntf.config.experimental.enable_op_determinism()\ntf.random.set_seed(42)\n"
        "m = tf.keras.Sequential()\n",
        "import os\nimport tensorflow as tf\nos.environ['TF_DETERMINISTIC_OPS'] = '1'\ntf.random.set_seed(42)\n"
        "m = tf.keras.Sequential()\n",
        "import tensorflow as tf\ntf.random.set_seed(42)\n",  # no model: nothing to make deterministic
    )
    INVALID = (
        Invalid("import tensorflow as tf\nimport numpy as np\ntf.random.set_seed(42)\nnp.random.seed(42)\n"
                "m = tf.keras.Sequential()\n", line=3, message="enable_op_determinism"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        facts = ctx.facts.seeding
        if facts.determinism or not facts.models:
            return
        tf_seeds = [s for s in facts.seeds if "tensorflow" in s.generators]
        if tf_seeds:
            yield Finding(
                "Seeds are set but op determinism is not: GPU kernels and multi-threaded ops may still "
                "give different results run to run; call `tf.config.experimental.enable_op_determinism()`",
                node=tf_seeds[0].node.func if isinstance(tf_seeds[0].node, cst.Call) else tf_seeds[0].node,
            )
