from collections.abc import Iterator

import libcst as cst

from keraslint.context import Context
from keraslint.diagnostics import Fix, Pass, Severity
from keraslint.fix_edits import fix, replace
from keraslint.rule import Finding, Invalid, Rule


class BatchSizeInInputShape(Rule):
    """`input_shape` includes the sample axis.

    ## What it does
    Reports a model whose declared input equals the full shape of the data it is fed
    (typically `input_shape=X.shape`), or whose first declared dimension is the sample count
    of that data. Keras adds the batch axis itself.

    ## Why is this bad?
    The model then expects every sample to be the whole data set. With `input_shape=X.shape`
    Keras fails with "expected shape=(None, 1000, 20), found shape=(32, 20)" on the first batch.
    When only the first declared dimension is the sample count (`input_shape=(N, 3)` for data
    `(N, 100, 3)`), a functional model stops the same way, while a `Sequential` model whose
    layers accept any length trains on the data without the declared shape ever being
    checked: then the finding is a warning, and the message says which happens.

    ## Example
    ```python
    model = keras.Sequential([keras.layers.Dense(1, input_shape=X.shape)])
    model.fit(X, y)
    ```

    Use instead:
    ```python
    model = keras.Sequential([keras.Input(shape=X.shape[1:]), keras.layers.Dense(1)])
    model.fit(X, y)
    ```
    """

    code = "KL203"
    name = "batch-size-in-input-shape"
    severity = Severity.ERROR
    severity_note = "warning where Keras trains on the data anyway"
    pass_ = Pass.GRAPH
    summary = "`input_shape` includes the sample axis"

    VALID = (
        "import numpy as np\nimport keras\nX = np.random.rand(1000, 20)\ny = np.random.rand(1000)\n"
        "m = keras.Sequential([keras.Input(shape=X.shape[1:]), keras.layers.Dense(1)])\nm.fit(X, y)\n",
    )
    INVALID = (
        Invalid("import numpy as np\nimport keras\nX = np.random.rand(1000, 20)\ny = np.random.rand(1000)\n"
                "m = keras.Sequential([keras.layers.Dense(1, input_shape=X.shape)])\nm.fit(X, y)\n",
                line=5, message="X.shape[1:]"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        for problem in ctx.contract_problems:
            if problem.code == self.code:
                yield Finding(problem.message, node=problem.node, fix=_slice_fix(ctx, problem.declaration),
                              severity=problem.severity)


def _slice_fix(ctx: Context, declaration: cst.BaseExpression | None) -> Fix | None:
    """`input_shape=X.shape` -> `input_shape=X.shape[1:]` (unsafe: it changes the model)."""
    if declaration is None or not (isinstance(declaration, cst.Attribute) and declaration.attr.value == "shape"):
        return None
    text = ctx.module.code_for_node(declaration)
    return fix("Drop the sample axis from the declared shape", [replace(ctx, declaration, f"{text}[1:]")], safe=False)
