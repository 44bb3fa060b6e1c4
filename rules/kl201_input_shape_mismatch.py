from collections.abc import Iterator

from keraslint.context import Context
from keraslint.diagnostics import Pass, Severity
from keraslint.graph.contract import findings_for
from keraslint.rule import Finding, Invalid, Rule


class InputShapeMismatch(Rule):
    """The data fed to the model does not fit its declared input.

    ## What it does
    Follows the arrays the script builds (NumPy, TensorFlow, known datasets, `tf.data`
    pipelines, directory iterators) into `fit`, `evaluate`, `predict`, `train_on_batch`,
    ... and `model(x)`, and compares them, without the sample axis, with the model's
    declared input: a different rank, or a different size on a known axis other than the
    channels (those are KL202). Also reported:

    * `predict(x)` on a single sample without its batch axis (suggests `x[None]`);
    * inputs and labels with different sample counts;
    * the silent case: a `Sequential` model runs its layers one by one, so Keras accepts
      length-120 sequences into a model declared for 100 when its layers allow any length,
      but the user declared 100. (A functional model checks every axis of its input against
      its `Input` and stops at the first batch; the message says which happens.)

    Not reported: data whose only difference is a trailing axis of size 1 (`(N,)` into
    `Input((1,))`, `(N, 5, 1)` into `Input((5,))`): Keras 3 adds or drops it and trains.

    ## Why is this bad?
    Either Keras stops with a shape error after the data has loaded, or, worse, it accepts
    the data and the model silently trains on something other than what was designed.

    ## Example
    ```python
    x = np.random.rand(500, 120, 3)
    model = keras.Sequential([keras.Input((100, 3)), keras.layers.Conv1D(8, 5),
                              keras.layers.GlobalMaxPooling1D(), keras.layers.Dense(1)])
    model.fit(x, y)
    ```

    Use instead: declare the length the data has, `keras.Input((120, 3))` (or `(None, 3)`
    for variable lengths).
    """

    code = "KL201"
    name = "input-shape-mismatch"
    severity = Severity.ERROR
    severity_note = "warning where Keras trains on the data anyway"
    pass_ = Pass.GRAPH
    summary = "data fed to fit/evaluate/predict/call does not fit the model input"

    VALID = (
        "import numpy as np\nimport keras\nx = np.random.rand(500, 100, 3)\ny = np.random.randint(0, 2, 500)\n"
        "m = keras.Sequential([keras.Input((100, 3)), keras.layers.GlobalMaxPooling1D(), keras.layers.Dense(1)])\n"
        "m.fit(x, y)\nm.predict(x[:1])\n",
        # Keras 3 adds a missing trailing axis of size 1 (and drops an extra one): it trains
        "import numpy as np\nimport keras\nx = np.random.rand(500)\n"
        "m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])\nm.fit(x, np.zeros(500))\n",
        "import numpy as np\nimport keras\nx = np.random.rand(500, 5, 1)\ninp = keras.Input((5,))\n"
        "m = keras.Model(inp, keras.layers.Dense(1)(inp))\nm.fit(x, np.zeros(500))\n",
    )
    INVALID = (
        Invalid("import numpy as np\nimport keras\nx = np.random.rand(500, 120, 3)\n"
                "m = keras.Sequential([keras.Input((100, 3)), keras.layers.GlobalMaxPooling1D(), keras.layers.Dense(1)])\n"
                "m.fit(x, np.zeros(500))\n", line=5, message="on axis 1 (120 vs 100); Keras accepts it silently"),
        # a functional model checks every axis of its input
        Invalid("import numpy as np\nimport keras\nx = np.random.rand(500, 120, 3)\ninp = keras.Input((100, 3))\n"
                "m = keras.Model(inp, keras.layers.Dense(1)(keras.layers.GlobalMaxPooling1D()(inp)))\n"
                "m.fit(x, np.zeros(500))\n", line=6, message="Keras stops at the first batch"),
        Invalid("import numpy as np\nimport keras\nsample = np.random.rand(100, 3)\n"
                "m = keras.Sequential([keras.Input((100, 3)), keras.layers.GlobalMaxPooling1D(), keras.layers.Dense(1)])\n"
                "m.predict(sample)\n", line=5, message="x[None]"),
        Invalid("import numpy as np\nimport keras\nx = np.random.rand(500, 13)\ny = np.random.rand(400)\n"
                "m = keras.Sequential([keras.Input((13,)), keras.layers.Dense(1)])\nm.fit(x, y)\n",
                line=6, message="500 samples but the labels have 400"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        yield from findings_for(ctx, self.code)
