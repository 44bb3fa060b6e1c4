from keraslint.diagnostics import Severity
from keraslint.rule import Invalid, Rule, Valid


class UnusedNoqa(Rule):
    """A `# noqa` that suppresses nothing, or names a rule that does not exist (ruff's RUF100).

    ## What it does
    Reports a line-level `# noqa: KL...` or `# keraslint: ignore[KL...]` comment with a code
    that suppressed no finding on its line (*unused*), that names a rule not enabled for the
    file (*non-enabled*), or that names no keraslint rule at all (*unknown*, a typo such as
    `KL3O1`). Only keraslint's own codes are judged: `# noqa: E501` belongs to another linter
    and a blanket `# noqa` may serve one, so neither is reported. A comment that names KL010
    itself is kept as it is.

    A finding in a module may come only from another file's call (`train.py` calls the
    `make()` that `data.py` defines, and the finding is reported in `data.py`). So in a file
    whose top level only defines things, a code inside a function or class body that
    suppressed nothing in the file's own check is not judged unused: `--fix` would otherwise
    drop a suppression that a script's check needs. Unknown and non-enabled codes there are
    still reported.

    The rule is off by default (`--extend-select KL010`). An unknown code is also a warning on
    stderr whether KL010 is on or not, since it usually means a finding is not suppressed.

    The safe fix removes the codes that are not needed, and the whole directive when none is
    left, keeping any other text of the comment (`# noqa: KL301  stride is intended` becomes
    `# stride is intended`).

    ## Why is this bad?
    A stale `# noqa` hides the next real finding on that line, and a misspelt code suppresses
    nothing while looking as if it did.

    ## Example
    The model was fixed, the suppression stayed:
    ```python
    import keras
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.layers.Dense(1)])  # noqa: KL101
    ```

    Use instead:
    ```python
    import keras
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.layers.Dense(1)])
    ```
    """

    code = "KL010"
    name = "unused-noqa"
    severity = Severity.INFO
    summary = "a `# noqa` that suppresses nothing or names an unknown code (ruff's RUF100)"

    VALID = (
        "x = 1  # noqa: E501\n",  # another linter's code
        "x = 1  # noqa\n",  # a blanket noqa may serve another linter
        "x = 1  # noqa: KL301, KL010\n",  # kept on purpose
        Valid("import keras\nx = 1\n"),
    )
    INVALID = (
        Invalid("import keras\nx = 1  # noqa: KL3O1\n", line=2, message="unknown: `KL3O1`"),
        Invalid("import keras\nx = 1  # keraslint: ignore[KL999]\n", line=2, message="unknown: `KL999`"),
        # with only KL010 selected, KL101 is not enabled
        Invalid("import keras\nmodel = keras.Sequential()  # noqa: KL101\n", line=2, message="non-enabled: `KL101`"),
    )

    def check(self, ctx):  # reported by the checker once every other rule ran and was suppressed
        return iter(())
