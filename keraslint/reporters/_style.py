"""Lines of styled text for the text formats, turned into a string: ANSI-styled, or plain with no
escape codes at all.

A ``Line`` holds what rich's ``Text.assemble`` would (segments, some with a rich style name) but
rich loads only when a line is printed in colour: a hook whose output goes to a pipe never pays
for importing it (~20 ms of a one-file run)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from keraslint.diagnostics import Severity

if TYPE_CHECKING:
    from rich.style import Style

SEVERITY_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}
PATH_STYLE = "bold"

# rich's Text drops these control characters from what it holds (rich.control.strip_control_codes);
# the same here, so a line reads as it did when it was a rich Text
_STRIP = {code: None for code in (7, 8, 11, 12, 13)}


class Line:
    """One line of output: plain strings and (text, style) pairs, in order."""

    __slots__ = ("segments",)

    def __init__(self, *segments: str | tuple[str, str]) -> None:
        self.segments = [(part.translate(_STRIP), None) if isinstance(part, str) else
                         (part[0].translate(_STRIP), part[1]) for part in segments]

    @property
    def plain(self) -> str:
        return "".join(text for text, _ in self.segments)


def to_string(line: Line, color: bool) -> str:
    """The line with ANSI styles for its styled segments (rich's own codes), or plain. Styled
    here, not by a rich Console: printing through one costs ~0.3 ms a line, 20 s for 20,000 findings."""
    if not color:
        return line.plain
    from rich.color import ColorSystem

    return "".join(_style(style).render(text, color_system=ColorSystem.STANDARD) if style and text else text
                   for text, style in line.segments)


@functools.lru_cache(maxsize=64)
def _style(style: str) -> Style:
    from rich.style import Style

    return Style.parse(style)
