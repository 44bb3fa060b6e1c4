"""Everything a rule may read about one file, computed once and shared by all rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from keraslint.diagnostics import Location
from keraslint.source.analysis import SourceFacts


@dataclass
class Context:
    filename: str
    source: str
    module: cst.Module
    facts: SourceFacts
    options: Mapping[str, Any] = field(default_factory=dict)
    _positions: Mapping[cst.CSTNode, Any] | None = field(default=None, repr=False)

    def span(self, node: cst.CSTNode) -> tuple[Location, Location]:
        """1-based start and exclusive end of ``node``.

        Positions are resolved lazily, once per file and only when something is reported:
        libcst's PositionProvider costs ~0.8 s on an 1,800-line file (NOTES.md), more than
        the whole analysis, and most files report nothing.
        """
        if self._positions is None:
            wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            self._positions = wrapper.resolve(PositionProvider)
        code_range = self._positions[node]
        return (
            Location(code_range.start.line, code_range.start.column + 1),
            Location(code_range.end.line, code_range.end.column + 1),
        )

    def line_of(self, node: cst.CSTNode) -> int:
        return self.span(node)[0].row

    def code(self, node: cst.CSTNode, limit: int = 60) -> str:
        """The source text of ``node`` as the user wrote it (shortened), for messages."""
        text = " ".join(self.module.code_for_node(node).split())
        return text if len(text) <= limit else text[: limit - 3] + "..."
