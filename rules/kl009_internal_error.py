from keraslint.diagnostics import Severity
from keraslint.rule import Rule


class InternalError(Rule):
    """A keraslint rule failed on this file; the other rules still ran.

    ## What it does
    When a rule raises an unexpected exception, keraslint reports it as KL009 on that file,
    naming the rule and the exception in one line, and carries on with every other rule and
    file. The exit code is then 2, so CI notices.

    ## Why is this bad?
    It is a bug in keraslint, not in your script. Please report it with the file (or a
    reduced version of it) and the message; meanwhile `--ignore` the failing rule's code,
    or add the file to `per-file-ignores`.

    ## Example
    ```text
    train.py:1:1: KL009 [error] rule KL301 (stride-drops-samples) failed: ZeroDivisionError: division by zero
    ```
    """

    code = "KL009"
    name = "internal-error"
    severity = Severity.ERROR
    summary = "a rule failed on this file; the others still ran"

    def check(self, ctx):  # reported by the checker around every other rule
        return iter(())
