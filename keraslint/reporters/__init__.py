"""Output formats for ``keraslint check``: text for people, JSON for editors and CI."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from keraslint.diagnostics import Diagnostic, Location

__all__ = ["FORMATS", "render", "use_color"]

FORMATS = ("full", "concise", "json", "json-lines", "github", "sarif")

#: format -> (module, function); a run imports only the reporter it prints with (a hook printing
#: text never loads the SARIF writer)
_RENDERERS: dict[str, tuple[str, str]] = {
    "full": ("text", "render_full"),
    "concise": ("text", "render_concise"),
    "json": ("machine", "render_json"),
    "json-lines": ("machine", "render_json_lines"),
    "github": ("github", "render_github"),
    "sarif": ("sarif", "render_sarif"),
}


def renderer(fmt: str) -> Callable[..., str]:
    """The function that renders ``fmt``; ValueError for an unknown format."""
    try:
        module, name = _RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown output format {fmt!r} (expected one of: {', '.join(FORMATS)})") from None
    return getattr(importlib.import_module(f"keraslint.reporters.{module}"), name)


def render(
    fmt: str,
    diagnostics: Sequence[Diagnostic],
    *,
    files_checked: int,
    source_line: Callable[[Diagnostic], str | None],
    color: bool,
    statistics: bool = False,
    summary: bool = True,
    unsafe_fixes: bool = False,
    file_location: Callable[[Diagnostic], tuple[Location, Location] | None] | None = None,
) -> str:
    """The whole report as one string (ending in a newline unless it is empty).

    ``diagnostics`` must already be sorted; ``source_line`` returns the text of the finding's
    first row, or None when it is not available (a saved model, an unreadable file). Without
    ``summary`` (--quiet) the text formats print the findings only; ``unsafe_fixes`` counts
    unsafe fixes as fixable in their ``[*]`` marks and summary. ``file_location`` gives a
    notebook finding's place in the notebook's JSON file (start, end), for the formats GitHub
    shows on a file's lines (``github``, ``sarif``).
    """
    return renderer(fmt)(
        diagnostics,
        files_checked=files_checked,
        source_line=source_line,
        color=color,
        statistics=statistics,
        summary=summary,
        unsafe_fixes=unsafe_fixes,
        file_location=file_location,
    )


def use_color(stream: Any) -> bool:
    """Colour only on a terminal; NO_COLOR turns it off and FORCE_COLOR on, NO_COLOR winning as in rich."""
    if os.environ.get("NO_COLOR", ""):
        return False
    if os.environ.get("FORCE_COLOR", ""):
        return True
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # a closed or detached stream
        return False
