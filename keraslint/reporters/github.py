"""``github``: workflow commands that GitHub Actions turns into annotations on the diff."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from keraslint.diagnostics import Diagnostic, Location

_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(diagnostics: Sequence[Diagnostic], *,
                  file_location: Callable[[Diagnostic], tuple[Location, Location] | None] | None = None,
                  **_: Any) -> str:
    """One workflow command per finding. A notebook's finding points at the line of the
    ``.ipynb`` file (its JSON) where the cell's source line is written, the only lines GitHub
    can annotate; the message starts with the cell and line inside it."""
    lines = []
    for d in diagnostics:
        where = file_location(d) if file_location is not None and d.cell is not None else None
        start, end = where or (d.location, d.end_location)
        properties = ",".join([
            f"file={_escape_property(d.filename)}",
            f"line={start.row}",
            f"col={start.column}",
            f"endLine={end.row}",
            f"endColumn={end.column}",
            f"title={_escape_property(f'keraslint ({d.code})')}",
        ])
        cell = f"cell {d.cell}, line {d.location.row}: " if d.cell is not None else ""
        lines.append(f"::{_COMMAND[d.severity.value]} {properties}::{_escape_data(cell + d.code + ' ' + d.message)}")
    return "".join(line + "\n" for line in lines)
