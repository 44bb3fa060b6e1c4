"""Everything a rule may read about one file, computed once and shared by all rules."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import libcst as cst

from keraslint.diagnostics import Location
from keraslint.lines import split_lines
from keraslint.graph.feeding import Feed, external_feed, feeds
from keraslint.graph.propagate import AnalyzedModel, NodeResult, analyze_model
from keraslint.ir.graph import ModelGraph, Node
from keraslint.config import display_path
from keraslint.source.analysis import SourceFacts
from keraslint.source.models import model_graph
from keraslint.source.module_files import Source
from keraslint.source.positions import Positions, positions


_INDENT = " \t\x0c"


def regenerated_indents(source: str, module: cst.Module) -> dict[int, tuple[int, int]]:
    """Rows whose indentation libcst regenerates differently from the file, with (libcst's
    indent width, the file's indent width).

    libcst's columns count the code it would print, and it prints a statement line's indent
    from its block: a form feed in the indentation (legal, Python's tokenizer resets the
    column there) is dropped, so every later column on that row would be off by one. Rows are
    the same on both sides (only \\n, \\r\\n and \\r end lines, as for libcst and LSP).
    """
    if "\x0c" not in source:
        return {}  # the only divergence known; skip the cost of printing the module
    generated = module.code
    if generated == source:
        return {}
    shifts: dict[int, tuple[int, int]] = {}
    # (libcst may drop a last lone \r: zip stops at the shorter side)
    for row, (mine, theirs) in enumerate(zip(split_lines(source), split_lines(generated)), start=1):
        if mine != theirs:
            ours, libcsts = len(mine) - len(mine.lstrip(_INDENT)), len(theirs) - len(theirs.lstrip(_INDENT))
            if mine[ours:] == theirs[libcsts:]:
                shifts[row] = (libcsts, ours)
    return shifts


@dataclass
class Context:
    filename: str
    source: str
    #: None for a saved model, which has no source (only graph rules run on it)
    module: cst.Module | None
    facts: SourceFacts | None
    graphs: list[ModelGraph] = field(default_factory=list)
    options: Mapping[str, Any] = field(default_factory=dict)
    #: data described on the command line for a saved model (--input-shape / --data)
    external_input: Any = None
    #: how messages name a row: "line 7", or "cell 3, line 2" in a notebook
    row_label: Any = None
    _positions: Positions | Mapping[cst.CSTNode, Any] | None = field(default=None, repr=False)
    #: positions of the imported modules' nodes, resolved one module at a time when needed
    _foreign: dict[int, Positions | Mapping[cst.CSTNode, Any]] = field(default_factory=dict, repr=False)
    _analyses: dict[int, AnalyzedModel] = field(default_factory=dict, repr=False)
    _indents: dict[int, tuple[int, int]] = field(default_factory=dict, repr=False)

    @cached_property
    def models(self) -> list[AnalyzedModel]:
        """Every model the script builds, with shapes run through it: computed once, on the
        first graph rule that asks, and shared by all of them."""
        return [self.analysis_of(graph) for graph in self.graphs]

    def analysis_of(self, graph: ModelGraph) -> AnalyzedModel:
        """The shapes of one model, computed once however many rules and uses ask."""
        if graph.id not in self._analyses:
            self._analyses[graph.id] = analyze_model(graph)
        return self._analyses[graph.id]

    def model_objects(self) -> Iterator[tuple[Any, AnalyzedModel]]:
        """Each model object the script builds (it carries ``compile`` settings) with its shapes."""
        if self.facts is None:
            return
        for obj in self.facts.models.objects:
            graph = model_graph(obj)
            if graph is not None:
                yield obj, self.analysis_of(graph)

    @cached_property
    def feeds(self) -> list[Feed]:
        """Every use of a model with the data it receives (fit, evaluate, predict, model(x) ...)."""
        if self.facts is None:
            if self.external_input is None or not self.graphs:
                return []
            return [external_feed(self.analysis_of(self.graphs[0]), self.external_input)]
        return list(feeds(self.facts.models.uses, self.analysis_of))

    @cached_property
    def contract_problems(self) -> list[Any]:
        """Data-vs-model disagreements, computed once for the rules KL201-KL207."""
        from keraslint.graph.contract import all_problems

        return all_problems(self)

    def graph_nodes(self) -> Iterator[tuple[AnalyzedModel, Node, NodeResult]]:
        """Every layer application in every model (and in the models they call)."""
        for model in self.models:
            yield from model.walk()

    def span(self, node: cst.CSTNode) -> tuple[Location, Location]:
        """1-based start and exclusive end of ``node`` (in the module that holds it: see
        ``source_of``).

        Positions are resolved lazily, once per file and only when something is reported:
        even computed as keraslint.source.positions does (~0.1 s on a 1,000-line file, where
        libcst's PositionProvider takes ~0.8 s), they cost more than most of the analysis,
        and most files report nothing.
        """
        code_range = self._own_positions().get(node)
        if code_range is None:
            found = self._foreign_position(node)
            if found is None:
                raise KeyError(f"{type(node).__name__} is in no module this file reached")
            code_range = found[1]
            return (Location(code_range.start.line, code_range.start.column + 1),
                    Location(code_range.end.line, code_range.end.column + 1))
        return (
            self._location(code_range.start.line, code_range.start.column),
            self._location(code_range.end.line, code_range.end.column),
        )

    def _own_positions(self) -> Positions | Mapping[cst.CSTNode, Any]:
        if self._positions is None:
            assert self.module is not None, "saved models have no source positions"
            self._positions = positions(self.module)
            self._indents = regenerated_indents(self.source, self.module)
        return self._positions

    def source_of(self, node: cst.CSTNode) -> Source | None:
        """The imported project module that holds ``node``; None for the checked file's own."""
        if self.module is None or self.facts is None or not self.facts.imported or node in self._own_positions():
            return None
        found = self._foreign_position(node)
        return found[0] if found is not None else None

    def _foreign_position(self, node: cst.CSTNode) -> tuple[Source, Any] | None:
        if self.facts is None:
            return None
        for index, source in enumerate(self.facts.imported):
            known = self._foreign.get(index)
            if known is None:
                known = self._foreign[index] = positions(source.module)
            if node in known:
                return source, known[node]
        return None

    def _location(self, row: int, column: int) -> Location:
        shift = self._indents.get(row)
        if shift is not None:
            generated, actual = shift
            column = actual + (column - generated) if column >= generated else min(column, actual)
        return Location(row, column + 1)

    def line_of(self, node: cst.CSTNode) -> int:
        return self.span(node)[0].row

    def where(self, node: cst.CSTNode) -> str:
        """``line 7`` (or ``cell 3, line 2`` in a notebook, ``model.py line 4`` in an imported
        module): how a message points at a node."""
        row = self.line_of(node)
        source = self.source_of(node)
        if source is not None:
            return f"{display_path(source.path)} line {row}"
        own = self.row_label(row) if self.row_label is not None else f"line {row}"
        # A finding may land in an imported module: its message must say which file "line 7" is in.
        return f"{self.filename} {own}" if self.facts is not None and self.facts.imported else own

    def origin_of(self, node: cst.CSTNode) -> cst.CSTNode | None:
        """For a node of an imported module: the call in the checked file that ran it."""
        if self.facts is None:
            return None
        return self.facts.origins.get(id(node))

    def code(self, node: cst.CSTNode, limit: int = 60) -> str:
        """The source text of ``node`` as the user wrote it (shortened), for messages."""
        text = " ".join(self.module.code_for_node(node).split())
        return text if len(text) <= limit else text[: limit - 3] + "..."
