"""``github``: workflow commands that GitHub Actions turns into annotations on the diff."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from keraslint.diagnostics import Diagnostic

_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(diagnostics: Sequence[Diagnostic], **_: Any) -> str:
    lines = []
    for d in diagnostics:
        properties = ",".join([
            f"file={_escape_property(d.filename)}",
            f"line={d.location.row}",
            f"col={d.location.column}",
            f"endLine={d.end_location.row}",
            f"endColumn={d.end_location.column}",
            f"title={_escape_property(f'keraslint ({d.code})')}",
        ])
        cell = f"cell {d.cell}: " if d.cell is not None else ""
        lines.append(f"::{_COMMAND[d.severity.value]} {properties}::{_escape_data(cell + d.code + ' ' + d.message)}")
    return "".join(line + "\n" for line in lines)
