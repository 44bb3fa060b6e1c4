"""Applying fixes to the exact source text (rules build them with ``keraslint.fix_edits``).

Edits that overlap are left for another round; a result that would not compile is refused.
Only a --fix/--diff run and the language server load this module.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass


from keraslint.diagnostics import Fix, Location
from keraslint.lines import LINE_BREAK, line_starts, text_lines
from keraslint.printable import printable


def _offsets(source: str) -> list[int]:
    """Offsets where each line starts (keraslint.lines: form feeds and U+2028 end no line)."""
    return line_starts(source)


def _offset(starts: list[int], location: Location, size: int) -> int:
    if location.row > len(starts):
        return size  # past the last line (a file that ends without a newline): its end
    return min(starts[location.row - 1] + location.column - 1, size)


def newline_of(source: str) -> str:
    """The file's own line ending (its first one), so inserted lines match it."""
    match = LINE_BREAK.search(source)
    return match.group() if match else "\n"


@dataclass(frozen=True)
class Applied:
    text: str
    applied: int
    #: fixes left out because the text they produce does not compile, with the reason
    refused: tuple[tuple[Fix, str], ...] = ()
    #: the fixes applied (as many as ``applied``)
    fixes: tuple[Fix, ...] = ()


_Span = tuple[int, int, str]


def _spans(source: str, starts: list[int], newline: str, candidate: Fix) -> list[_Span]:
    spans = []
    for edit in candidate.edits:
        start, end = _offset(starts, edit.location, len(source)), _offset(starts, edit.end_location, len(source))
        content = edit.content.replace("\r\n", "\n").replace("\n", newline) if "\n" in edit.content else edit.content
        if start == end == len(source) and source and not source.endswith(("\n", "\r")) and content.endswith(newline):
            content = newline + content[:-len(newline)]  # a line added at the end keeps the file's last-line style
        spans.append((start, end, content))
    return spans


def _overlap(a: int, b: int, x: int, y: int) -> bool:
    if a == b or x == y:  # an insertion: inside or at either end of the other edit
        return x <= a <= y if a == b else a <= x <= b
    return a < y and x < b


def _conflicts(spans: list[_Span], taken: set[_Span]) -> bool:
    """Overlapping a chosen edit, or touching it with an insertion (whose order would be a
    guess); the very same edit is shared: renames of one imported name all carry the edit of
    its import."""
    return any(_overlap(a, b, x, y) and (a, b, c) != (x, y, z) for a, b, c in spans for x, y, z in taken)


def _build(source: str, spans: set[_Span]) -> str:
    text = source
    for start, end, content in sorted(spans, key=lambda s: (s[0], s[1]), reverse=True):
        text = text[:start] + content + text[end:]
    return text


def compile_error(text: str) -> str | None:
    """Why CPython refuses ``text`` (None when it compiles); its warnings are not ours to print."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(text, "<fixed>", "exec", dont_inherit=True)
        except SyntaxError as error:
            return f"{type(error).__name__}: {error.msg} (line {error.lineno})"
        except (ValueError, RecursionError, MemoryError) as error:
            return f"{type(error).__name__}: {error}"
    return None


def apply_fixes(source: str, fixes: Sequence[Fix], *, check: bool = True) -> Applied:
    """Apply as many fixes as do not overlap an earlier one, keeping only those whose result
    still compiles: a fix never turns a working file into a broken one. ``check=False`` applies
    them without compiling (a notebook cell with IPython syntax, whose fixes were checked on
    the Python it stands for)."""
    starts, newline = _offsets(source), newline_of(source)
    chosen: list[tuple[Fix, list[_Span]]] = []
    taken: set[_Span] = set()
    for candidate in fixes:
        spans = _spans(source, starts, newline, candidate)
        if _conflicts(spans, taken):
            continue  # overlaps a fix already chosen: the next run will pick it up
        chosen.append((candidate, spans))
        taken.update(spans)
    if not chosen:
        return Applied(source, 0)
    text = _build(source, taken)
    if not check or compile_error(text) is None:
        return Applied(text, len(chosen), fixes=tuple(f for f, _ in chosen))
    if (before := compile_error(source)) is not None:
        return Applied(source, 0, tuple((f, f"the file does not compile before fixing ({before})") for f, _ in chosen))
    # Some fix breaks the file: keep the others, one at a time (only on this rare path).
    kept: set[_Span] = set()
    applied, refused, kept_fixes = 0, [], []
    for candidate, spans in chosen:
        error = compile_error(_build(source, kept | set(spans)))
        if error is None:
            kept.update(spans)
            applied += 1
            kept_fixes.append(candidate)
        else:
            refused.append((candidate, error))
    return Applied(_build(source, kept), applied, tuple(refused), tuple(kept_fixes))


def apply(source: str, fixes: Sequence[Fix]) -> tuple[str, int]:
    """``apply_fixes`` as (new source, fixes applied)."""
    result = apply_fixes(source, fixes)
    return result.text, result.applied


def unified_diff(path: str, before: str, after: str) -> str:
    return "".join(difflib.unified_diff(text_lines(before, keepends=True), text_lines(after, keepends=True),
                                        fromfile=f"a/{printable(path)}", tofile=f"b/{printable(path)}"))
