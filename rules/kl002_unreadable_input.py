from keraslint.diagnostics import Severity
from keraslint.rule import Invalid, Rule


class UnreadableInput(Rule):
    """The input is not readable as Python source (or as a Keras model file).

    ## What it does
    Reports files keraslint cannot read: binary files, bytes that are not valid in the
    file's encoding (UTF-8 unless a PEP 263 `# -*- coding: ... -*-` cookie says otherwise),
    unknown encodings, and files the operating system refuses to open. The message says
    why, in one line.

    ## Why is this bad?
    A file that cannot be decoded cannot be imported by Python either; more often the path
    points at something that is not a script (a data file, a model checkpoint).

    ## Example
    A script saved as Latin-1 without saying so:
    ```python
    label = "café"   # stored as the byte 0xE9
    ```

    Use instead: save it as UTF-8, or declare the encoding on the first line:
    ```python
    # -*- coding: latin-1 -*-
    label = "café"
    ```
    """

    code = "KL002"
    name = "unreadable-input"
    severity = Severity.ERROR
    summary = "not text/UTF-8, malformed notebook, unreadable model file"

    VALID = (
        '# -*- coding: latin-1 -*-\nlabel = "caf\xe9"\n',
    )
    INVALID = (
        Invalid(b'label = "caf\xe9"\n', line=1, message="cannot decode byte 0xe9"),
        Invalid(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", line=1, message="binary file"),
        Invalid(b"# -*- coding: klingon -*-\nx = 1\n", line=1, message="unknown encoding"),
    )

    def check(self, ctx):  # reported by the checker before any parsing happens
        return iter(())
