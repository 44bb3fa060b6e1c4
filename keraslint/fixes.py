"""Fixes: edits computed from the libcst tree, applied to the exact source text.

A fix replaces the text of CST nodes (a keyword, a callee, a string) or inserts lines; every
other byte of the file is kept, so formatting and comments survive. Safe fixes keep the
meaning of the code (renames of removed spellings); unsafe fixes change what the code does
(adding a seed, changing an activation) and need ``--unsafe-fixes``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

import libcst as cst

from keraslint.diagnostics import Edit, Fix, Location


def replace(ctx: object, node: cst.CSTNode, content: str) -> Edit:
    """Replace ``node``'s text with ``content``."""
    start, end = ctx.span(node)  # type: ignore[attr-defined]
    return Edit(content, start, end)


def insert_line(row: int, content: str) -> Edit:
    """Insert ``content`` (one or more whole lines) before line ``row``."""
    return Edit(content if content.endswith("\n") else content + "\n", Location(row, 1), Location(row, 1))


def fix(message: str, edits: Sequence[Edit], *, safe: bool) -> Fix:
    return Fix(message=message, applicability="safe" if safe else "unsafe", edits=tuple(edits))


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _offsets(source: str) -> list[int]:
    """Offsets where each line starts. Only \\n, \\r\\n and \\r end lines, as for libcst and
    LSP; str.splitlines() would also split at form feeds and U+2028 and shift every edit."""
    return [0, *(match.end() for match in _LINE_BREAK.finditer(source))]


def _offset(starts: list[int], location: Location) -> int:
    row = min(location.row, len(starts)) - 1
    return starts[row] + location.column - 1


def apply(source: str, fixes: Sequence[Fix]) -> tuple[str, int]:
    """Apply as many fixes as do not overlap an earlier one; returns (new source, fixes applied)."""
    starts = _offsets(source)
    chosen: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    applied = 0
    for candidate in fixes:
        spans = [(_offset(starts, e.location), _offset(starts, e.end_location), e.content) for e in candidate.edits]
        if any(a < y and x < b or a == b == x == y for a, b, _ in spans for x, y in taken):
            continue  # overlaps a fix already chosen: the next run will pick it up
        chosen.extend(spans)
        taken.extend((a, b) for a, b, _ in spans)
        applied += 1
    text = source
    for start, end, content in sorted(chosen, key=lambda s: (s[0], s[1]), reverse=True):
        text = text[:start] + content + text[end:]
    return text, applied


def unified_diff(path: str, before: str, after: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=f"a/{path}", tofile=f"b/{path}"))


def keras_alias(globals_: dict[str, object]) -> tuple[str | None, str]:
    """How the file itself spells the Keras package (``keras``, ``tf.keras`` ...), and the
    import line to add when it has none."""
    from keraslint.source.values import Ref

    for name, value in globals_.items():
        if isinstance(value, Ref) and value.name == "keras" and not value.spelled.startswith("tf_keras"):
            return name, ""
    for name, value in globals_.items():
        if isinstance(value, Ref) and value.name == "tensorflow":
            return f"{name}.keras", ""
    return "keras", "import keras\n"


def after_imports(module: cst.Module) -> int:
    """Index of the first top-level statement after the leading docstring and imports."""
    index = 0
    body = module.body
    if body and isinstance(body[0], cst.SimpleStatementLine) and isinstance(body[0].body[0], cst.Expr) \
            and isinstance(body[0].body[0].value, (cst.SimpleString, cst.ConcatenatedString)):
        index = 1
    last_import = None
    for position in range(index, len(body)):
        statement = body[position]
        if isinstance(statement, cst.SimpleStatementLine) and all(
                isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body):
            last_import = position
        elif isinstance(statement, (cst.If, cst.Try)) and last_import is not None and position == last_import + 1:
            continue  # `try: import x except ImportError: ...` belongs to the imports
        else:
            break
    return (last_import + 1) if last_import is not None else index
