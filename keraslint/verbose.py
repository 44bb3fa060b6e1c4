"""``--verbose`` (which config files, which files, cache hits, timing, on stderr) and how the
notes a check leaves are printed."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from keraslint.config import SettingsResolver, display_path
from keraslint.plural import plural
from keraslint.printable import printable

if TYPE_CHECKING:
    from keraslint.checker import FileReport

#: a note that is a warning (an unknown code in a `# noqa`) starts with this; the rest are notes.
#: Notes are plain strings because they travel through worker processes and the cache.
WARNING = "warning: "


def note_line(note: str) -> str:
    """A note as its stderr line after ``keraslint: ``: ``warning: ...`` or ``note: ...``."""
    if note.startswith(WARNING):
        return WARNING + printable(note[len(WARNING):])
    return f"note: {printable(note)}"


class VerboseLog:
    """Writes ``keraslint: verbose: ...`` lines to ``stream``; does nothing when it is None."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream
        self.started = time.perf_counter()
        self.checked = 0

    def write(self, text: str) -> None:
        if self.stream is not None:
            self.stream.write(f"keraslint: verbose: {printable(text)}\n")

    def settings(self, files: Sequence[Path], resolver: SettingsResolver) -> None:
        if self.stream is None:
            return
        if resolver.forced is not None:
            self.write(f"using the settings of {display_path(resolver.forced.path)} (--config) for every file")
        else:
            used: dict[Path | None, int] = {}
            for path in files:
                origin = resolver.for_path(path).path
                used[origin] = used.get(origin, 0) + 1
            for origin, count in used.items():
                where = display_path(origin) if origin is not None else "the defaults (no [tool.keraslint] table found)"
                self.write(f"settings from {where} for {plural(count, 'file')}")
        self.write(f"{plural(len(files), 'file')} to check")

    def files(self, reports: Sequence[FileReport]) -> None:
        self.checked = len(reports)
        for report in reports:
            if report.from_cache:
                self.write(f"{report.filename}: from the cache")
            elif report.seconds is not None:
                self.write(f"{report.filename}: checked in {report.seconds:.3f} s")
            else:
                self.write(f"{report.filename}: checked")

    def done(self) -> None:
        self.write(f"{plural(self.checked, 'file')} in {time.perf_counter() - self.started:.3f} s")
