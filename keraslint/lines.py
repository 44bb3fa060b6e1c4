"""Lines as Python's tokenizer, libcst and LSP count them: only ``\\r\\n``, ``\\r`` and ``\\n`` end one.

``str.splitlines()`` also splits at ``\\f``, ``\\v``, ``\\x1c``-``\\x1e``, ``\\x85``, U+2028 and
U+2029, so after any of them every row (and a snippet's text and columns) would be off.
"""

from __future__ import annotations

import re

__all__ = ["LINE_BREAK", "line_starts", "split_lines", "text_lines"]

LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LINE_WITH_BREAK = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def line_starts(text: str) -> list[int]:
    """The offset where each line starts (a final line break starts a last, empty line)."""
    return [0, *(match.end() for match in LINE_BREAK.finditer(text))]


def split_lines(text: str) -> list[str]:
    """The lines without their breaks, as LSP counts them: a final break gives a last, empty line."""
    return LINE_BREAK.split(text)


def text_lines(text: str, *, keepends: bool = False) -> list[str]:
    """The lines (without their breaks unless ``keepends``), as an editor numbers the rows of a
    file: like ``split_lines``, but the empty line after a final break is not a row of its own."""
    if keepends:
        return _LINE_WITH_BREAK.findall(text)
    lines = LINE_BREAK.split(text)
    if lines and not lines[-1]:
        lines.pop()
    return lines
