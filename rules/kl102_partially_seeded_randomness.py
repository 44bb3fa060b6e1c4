from collections.abc import Iterator

from keraslint.context import Context
from keraslint.diagnostics import Severity
from keraslint.rule import Finding, Invalid, Rule
from keraslint.source.seeding import GENERATOR_LABEL, SeedEvent


class PartiallySeededRandomness(Rule):
    """The script seeds some random generators but draws from one that is not seeded.

    ## What it does
    In a script that sets at least one seed, reports each draw from a generator that is
    certainly not seeded at that point:

    * `np.random.*` before any `np.random.seed(...)`, and a `np.random.default_rng()` /
      `RandomState()` / `random.Random()` created without a seed;
    * `random.*` before any `random.seed(...)`;
    * `tf.random.*` ops and `Dataset.shuffle` without `seed=` before any TensorFlow seed;
    * calls that draw from NumPy's global generator behind your back: `train_test_split`
      without `random_state`, `ImageDataGenerator.flow*` and `image_dataset_from_directory`
      without `seed`.

    `keras.utils.set_random_seed` seeds Python, NumPy and TensorFlow at once. Scripts that
    seed nothing are left to KL101.

    ## Why is this bad?
    The author clearly wants reproducible runs, yet part of the randomness (often the data:
    synthetic arrays, the train/test split, augmentation order) still changes on every run,
    so results do not reproduce and comparisons between runs are noise.

    ## Example
    ```python
    import numpy as np
    import tensorflow as tf

    X = np.random.rand(2000, 50, 4)      # data differs on every run
    tf.random.set_seed(42)
    ```

    Use instead:
    ```python
    import numpy as np
    import tensorflow as tf

    tf.keras.utils.set_random_seed(42)   # Python, NumPy and TensorFlow
    X = np.random.rand(2000, 50, 4)
    ```
    """

    code = "KL102"
    name = "partially-seeded-randomness"
    severity = Severity.WARNING
    summary = "some RNGs seeded, others used unseeded (numpy, `random`, tf, shuffles)"

    VALID = (
        "import keras\nimport numpy as np\nkeras.utils.set_random_seed(1)\nx = np.random.rand(10, 3)\n",
        "import numpy as np\nx = np.random.rand(10, 3)\n",  # nothing seeded at all: KL101's business
        "import numpy as np\nimport tensorflow as tf\ntf.random.set_seed(0)\nrng = np.random.default_rng(7)\nx = rng.normal(size=3)\n",
        "import tensorflow as tf\ntf.random.set_seed(0)\nds = tf.data.Dataset.from_tensor_slices(x).shuffle(100)\n",
        "import numpy as np\nfrom sklearn.model_selection import train_test_split\nnp.random.seed(0)\n"
        "a, b, c, d = train_test_split(x, y, test_size=0.2)\n",
    )
    INVALID = (
        Invalid("import numpy as np\nimport tensorflow as tf\nX = np.random.rand(20, 5)\ntf.random.set_seed(1)\n",
                line=3, message="np.random.rand"),
        Invalid("import random\nimport tensorflow as tf\ntf.random.set_seed(1)\nrandom.shuffle(items)\n",
                line=4, message="random.shuffle"),
        Invalid("import tensorflow as tf\nfrom sklearn.model_selection import train_test_split\n"
                "tf.random.set_seed(3)\nx1, x2, y1, y2 = train_test_split(x, y)\n", line=4, message="random_state"),
        Invalid("import numpy as np\nimport tensorflow as tf\ntf.random.set_seed(3)\nrng = np.random.default_rng()\n"
                "noise = rng.normal(size=10)\n", line=5, message="without a seed"),
        Invalid("import numpy as np\nnp.random.seed(0)\nimport tensorflow as tf\n"
                "ds = tf.data.Dataset.from_tensor_slices(x)\nds = ds.shuffle(1000)\n", line=5, message="`ds.shuffle` draws from TensorFlow"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        facts = ctx.facts.seeding
        if not facts.seeds:
            return
        seeded = sorted({g for seed in facts.seeds for g in seed.generators})
        first_seed = {g: next(s for s in facts.seeds if g in s.generators) for g in seeded}

        def where(seed: SeedEvent) -> str:
            return f"`{ctx.code(seed.node.func)}` at {ctx.where(seed.node)}"

        for draw in facts.draws:
            if draw.state != "no":
                continue
            if draw.generator == "instance":
                yield Finding(f"`{ctx.code(draw.node)}` draws from a generator created without a seed; {draw.advice}",
                              node=draw.node)
                continue
            label = GENERATOR_LABEL[draw.generator]
            if draw.generator in first_seed:
                seed = first_seed[draw.generator]
                context = f"which is not seeded at this point ({where(seed)} comes later or on another path)"
            else:
                others = ", ".join(where(first_seed[g]) for g in seeded)
                context = f"which is never seeded (the script only seeds with {others})"
            yield Finding(
                f"`{ctx.code(draw.node)}` draws from {label}, {context}: this part of the run is not "
                f"reproducible; {draw.advice}, or use `keras.utils.set_random_seed(...)` (seeds Python, NumPy and "
                f"TensorFlow at once)",
                node=draw.node,
            )
