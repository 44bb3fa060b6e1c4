"""Turn rich ``Text`` into a string: ANSI-styled, or plain with no escape codes at all."""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from keraslint.diagnostics import Severity

SEVERITY_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}
PATH_STYLE = "bold"


def to_string(text: Text, color: bool) -> str:
    if not color:
        return text.plain
    buffer = io.StringIO()
    # The caller already decided on colour (see use_color); isolate rich from the environment
    # (NO_COLOR, TERM, COLUMNS) and never let it wrap or re-highlight a line.
    console = Console(
        file=buffer,
        force_terminal=True,
        color_system="standard",
        no_color=False,
        width=1_000_000,
        soft_wrap=True,
        highlight=False,
        markup=False,
        emoji=False,
        _environ={},
    )
    console.print(text, end="")
    return buffer.getvalue()
