"""``--fix`` and ``--diff`` on notebooks: fixes edit the cells' sources, nothing else.

A notebook is checked as one program (keraslint.source.notebook), so its fixes are edits of
that program. Each is moved into the cell it falls in and applied twice: to the cell's Python
(what the program holds: the compile check runs there, as for a script) and, the same edits
at the same rows and columns, to the cell's source as written. A fix that spans two cells or
touches a line IPython rewrites (``!pip ...``, ``%time x = f()``) is not applied: its columns
in the program are not the cell's. The new sources are spliced into the JSON text
(keraslint.source.notebook_json), so outputs, metadata and formatting stay byte for byte.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass, field

from keraslint.checker import FileReport
from keraslint.diagnostics import Edit, Fix, Location
from keraslint.fixes import apply_fixes, unified_diff
from keraslint.lines import line_starts, text_lines
from keraslint.source.notebook import CellSpan, Notebook
from keraslint.source.notebook_json import cell_sources, replace_sources, source_of

__all__ = ["NotebookFixed", "fix_notebook", "notebook_diff"]

MAX_ROUNDS = 5


@dataclass
class NotebookFixed:
    data: bytes
    applied: int = 0
    #: why fixes were left out
    refused: list[str] = field(default_factory=list)
    #: each changed cell's source before and after, by cell index
    cells: dict[int, tuple[str, str]] = field(default_factory=dict)
    report: FileReport | None = None


def _cell_of(fix: Fix, notebook: Notebook, program_lines: list[str]) -> CellSpan | str:
    """The cell every edit of ``fix`` falls in, or why it cannot be applied to one."""
    found: CellSpan | None = None
    for edit in fix.edits:
        start = notebook.locate(edit.location.row)
        if start is None:
            return "it is outside every code cell"
        span, _ = start
        end = edit.end_location
        # an edit may end at the start of the row after its cell (a whole last line deleted)
        ends_after = end.row == span.first_row + span.rows and end.column == 1
        if not ends_after and (notebook.locate(end.row) or (None,))[0] is not span:
            return "it spans two cells"
        if found is not None and found is not span:
            return "its edits are in different cells"
        found = span
        last = end.row - 1 if end.column == 1 and end.row > edit.location.row else end.row
        cell_lines = text_lines(span.source)
        for row in range(edit.location.row, min(last, span.first_row + span.rows - 1) + 1):
            index = row - span.first_row
            if index >= len(cell_lines) or cell_lines[index] != program_lines[row - 1]:
                return f"it touches IPython syntax (cell {span.cell}, line {index + 1})"
    return found if found is not None else "it has no edits"


def _rebased(fix: Fix, span: CellSpan) -> Fix:
    shift = span.first_row - 1
    return Fix(fix.message, fix.applicability, tuple(
        Edit(e.content, Location(e.location.row - shift, e.location.column),
             Location(e.end_location.row - shift, e.end_location.column)) for e in fix.edits))


def _round(text: str, notebook: Notebook, fixes: list[Fix]) -> tuple[dict[int, str], int, list[str]]:
    """One round of fixes: the cells' new sources, how many fixes, why others were left out."""
    program = notebook.program
    program_lines = text_lines(program)
    starts = line_starts(program)
    values = cell_sources(text)
    by_cell: dict[int, tuple[CellSpan, list[Fix]]] = {}
    refused: list[str] = []
    for candidate in fixes:
        where = _cell_of(candidate, notebook, program_lines)
        if isinstance(where, str):
            refused.append(f"{candidate.message}: {where}")
            continue
        by_cell.setdefault(where.cell, (where, []))[1].append(_rebased(candidate, where))
    new_sources: dict[int, str] = {}
    applied = 0
    for number, (span, cell_fixes) in by_cell.items():
        value = values.get(number)
        written = source_of(text, value) if value is not None else None
        if written is None or written.rstrip("\n") != span.source:
            refused += [f"{f.message}: cell {number}'s source could not be found in the notebook's JSON"
                        for f in cell_fixes]
            continue
        # the cell's Python as the program holds it, its joining newline included
        python = program[starts[span.first_row - 1]:starts[span.first_row - 1 + span.rows]]
        checked = apply_fixes(python, cell_fixes)
        refused += [f"{f.message}: {why}" for f, why in checked.refused]
        if not checked.applied:
            continue
        fixed = apply_fixes(span.source + "\n", list(checked.fixes), check=False).text
        trailing = written[len(span.source):]  # the newlines the cell ended with
        new_sources[number] = fixed.removesuffix("\n") + trailing
        applied += checked.applied
    return new_sources, applied, refused


def fix_notebook(report: FileReport, wanted: Callable[[FileReport], list[Fix]],
                 recheck: Callable[[bytes], FileReport]) -> NotebookFixed:
    """Apply ``wanted(report)`` to the notebook ``report`` checked (its bytes in ``report.data``),
    checking it again (``recheck``) after each round until no fix is left; bounded."""
    data = report.data or b""
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    result = NotebookFixed(data, report=report)
    original: dict[int, str] = {}
    for _ in range(MAX_ROUNDS):
        notebook = report.notebook
        fixes = wanted(report)
        if notebook is None or not fixes:
            break
        text = result.data[len(bom):].decode("utf-8")
        values = cell_sources(text)
        new_sources, applied, refused = _round(text, notebook, fixes)
        result.refused += refused
        if not applied:
            break
        for number in new_sources:
            original.setdefault(number, source_of(text, values[number]))
        result.data = bom + replace_sources(text, new_sources).encode("utf-8")
        result.applied += applied
        report = recheck(result.data)
        result.report = report
    final = result.data[len(bom):].decode("utf-8")
    values = cell_sources(final) if original else {}
    for number, before in sorted(original.items()):
        after = source_of(final, values[number])
        if after != before:
            result.cells[number] = (before, after)
    return result


def notebook_diff(filename: str, fixed: NotebookFixed) -> str:
    """A unified diff per changed cell, named ``file.ipynb:cell N`` (as ruff names them)."""
    return "".join(unified_diff(f"{filename}:cell {number}", before if before.endswith("\n") else before + "\n",
                                after if after.endswith("\n") else after + "\n")
                   for number, (before, after) in fixed.cells.items())
