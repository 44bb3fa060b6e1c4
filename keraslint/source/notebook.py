"""Jupyter notebooks as one program: code cells in order, magics and shell lines neutralised.

Findings are mapped back to the cell they fall in (``cell`` is the 1-based index among all
cells, markdown included, as ruff reports it) and to a row inside that cell.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from keraslint.diagnostics import Diagnostic, Location
from keraslint.lines import text_lines
from keraslint.source.ipython_syntax import cell_to_python
from keraslint.source.reading import MAX_NOTEBOOK_BYTES, Unreadable

__all__ = ["MAX_NOTEBOOK_BYTES"]  # still importable from here


@dataclass(frozen=True)
class CellSpan:
    cell: int
    """1-based index among all cells of the notebook."""
    first_row: int
    """Row of the cell's first line in the joined program (1-based)."""
    rows: int
    source: str


@dataclass(frozen=True)
class Notebook:
    program: str
    cells: list[CellSpan]

    def locate(self, row: int) -> tuple[CellSpan, int] | None:
        for span in self.cells:
            if span.first_row <= row < span.first_row + span.rows:
                return span, row - span.first_row + 1
        return None

    def map_diagnostic(self, diagnostic: Diagnostic) -> Diagnostic:
        """The same finding, with ``cell`` set and rows counted inside that cell."""
        found = self.locate(diagnostic.location.row)
        if found is None:
            return diagnostic
        span, row = found
        end_row = diagnostic.end_location.row - span.first_row + 1
        end = diagnostic.end_location
        if end_row > span.rows or end_row < row:  # a span that runs past its cell stops at its end
            last = text_lines(span.source)[-1] if span.source else ""
            end = Location(span.rows, len(last) + 1)
        else:
            end = Location(end_row, end.column)
        noqa = diagnostic.noqa_row - span.first_row + 1 if diagnostic.noqa_row is not None else None
        return Diagnostic(code=diagnostic.code, name=diagnostic.name, severity=diagnostic.severity,
                          pass_=diagnostic.pass_, message=diagnostic.message, filename=diagnostic.filename,
                          location=Location(row, diagnostic.location.column), end_location=end, noqa_row=noqa,
                          cell=span.cell, fix=diagnostic.fix, url=diagnostic.url)

    def program_row(self, cell: int, row: int) -> int:
        """The inverse of ``locate``: row ``row`` of cell ``cell`` in the joined program."""
        for span in self.cells:
            if span.cell == cell:
                return span.first_row + row - 1
        return row

    def row_label(self, row: int) -> str:
        """A row of the joined program as the user sees it: ``cell 3, line 2``."""
        found = self.locate(row)
        return f"cell {found[0].cell}, line {found[1]}" if found else f"line {row}"

    def source_line(self, cell: int, row: int) -> str | None:
        for span in self.cells:
            if span.cell == cell:
                lines = text_lines(span.source)
                return lines[row - 1] if 0 < row <= len(lines) else None
        return None


def _json_int(text: str) -> int | None:
    """An integer of the notebook's JSON; one of over 4,300 digits (an execution count nobody
    wrote) is None, as int() would refuse it and abort the notebook."""
    return int(text) if len(text) <= 4_000 else None


def read_notebook(data: bytes) -> Notebook:
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise Unreadable(f"notebook larger than {MAX_NOTEBOOK_BYTES // (1024 * 1024)} MB")
    try:
        document = json.loads(data.decode("utf-8-sig"), parse_int=_json_int)
    except UnicodeDecodeError:
        raise Unreadable("notebook is not UTF-8 text") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        detail = f" at line {exc.lineno} column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise Unreadable(f"malformed notebook JSON{detail}") from None
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list):
        raise Unreadable("not a Jupyter notebook: no 'cells' list")
    spans: list[CellSpan] = []
    parts: list[str] = []
    row = 1
    for index, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        raw = cell.get("source", "")
        if isinstance(raw, list) and all(isinstance(part, str) for part in raw):
            text = "".join(raw)
        elif isinstance(raw, str):
            text = raw
        else:
            raise Unreadable(f"malformed notebook: cell {index} has a source that is not text")
        text = text.rstrip("\n")
        if not text.strip():
            continue
        count = len(text_lines(text))  # rows as Python counts them, not str.splitlines (\f, U+2028)
        spans.append(CellSpan(index, row, count, text))
        parts.append(cell_to_python(text))
        row += count
    return Notebook("\n".join(parts) + "\n" if parts else "", spans)
