from keraslint.diagnostics import Severity
from keraslint.rule import Invalid, Rule


class InvalidSyntax(Rule):
    """The file cannot be parsed as Python.

    ## What it does
    Reports the first syntax error in a file, at the line and column where the parser gave
    up. No other rule can check a file that does not parse, so this finding replaces all of
    them for that file.

    ## Why is this bad?
    Python refuses to run the script at all; in a notebook or a long training script the
    error may only show up after the expensive imports.

    ## Example
    ```python
    model.fit(x_train, y_train epochs=10)
    ```

    Use instead:
    ```python
    model.fit(x_train, y_train, epochs=10)
    ```
    """

    code = "KL001"
    name = "invalid-syntax"
    severity = Severity.ERROR
    summary = "file cannot be parsed; location of the syntax error"

    VALID = ("x = 1\n",)
    INVALID = (
        Invalid("model.fit(x, y epochs=10)\n", line=1, message="Syntax error"),
        Invalid("def build(:\n    pass\n", line=1),
        Invalid("if True:\n    x = 1\n  y = 2\n", line=3),
    )

    def check(self, ctx):  # reported by the checker, which cannot build a Context for such files
        return iter(())
