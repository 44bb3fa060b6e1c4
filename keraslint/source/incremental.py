"""Re-parse only the top-level statements an edit changed (the language server's re-checks).

An editor sends the whole text of a document on every change, and a libcst parse of a 1,000-line
file costs ~90 ms, its positions ~35 ms more. Most of that text is what was parsed a moment ago,
so the last good parse of each document is kept: the text is split into the lines it shares with
that version at its start and its end, the top-level statements inside the changed lines (and the
one statement on either side of them, which an edit next to them can extend or re-attribute
comments to) are parsed alone as a small module, and the statements outside are the old libcst
nodes, with the position ranges already computed for them and their lines shifted.

It is only used where a full parse would give the same tree, and falls back to one otherwise:

* the span parses alone with CPython and with libcst (any error, budget or doubt: a full parse,
  which gives the canonical KL001 message and position);
* it begins and ends at top-level statement boundaries of both versions, the statement after
  it is the same text it was (so a continuation line, an open string or an indented comment did
  not carry into what follows), and it leaves no trailing comment to the module's footer;
* the module's detected indentation and line break (libcst's ``default_indent`` and
  ``default_newline``, which the blocks and newlines of the kept statements are relative to) stay
  those of the kept statements, and no bare ``\\r`` line break appears (line counting differs);
* the whole file stays within parsing's node budget (counted as an upper bound: the kept
  statements' count plus the new span's; a full parse recounts exactly when it reaches the cap).

tests/source/test_incremental.py compares the tree, every node's position and the findings with
a full parse after random edits.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import libcst as cst
from libcst.metadata import CodePosition, CodeRange

from keraslint.source import positions as positions_module
from keraslint.source.positions import _State

__all__ = ["Documents"]

#: one line with its line break (\r\n, \r or \n), or the last line without one
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
#: a statement whose first indented block could not be told without a walk: never reused across
#: a change of the module's default indentation
_UNKNOWN = object()
_SIMPLE_COMPOUND = (cst.FunctionDef, cst.ClassDef, cst.If, cst.For, cst.While, cst.With)
#: statement counts below which a full parse is as cheap as the bookkeeping
_MIN_STATEMENTS = 8


class _Chunk:
    """One top-level statement: its node, its line count (leading lines included) and the ranges
    of its nodes with its first line as line 1 (computed once, by libcst's own code generation)."""

    __slots__ = ("statement", "lines", "ranges", "first_indent")

    def __init__(self, statement: cst.BaseStatement, module: cst.Module, parsed_indent: str | None = None) -> None:
        """``module``: the one the statement is part of (its defaults shape the code);
        ``parsed_indent``: the default indentation of the module it was parsed in, when another."""
        self.statement = statement
        state = _State(module)
        statement._codegen(state)
        self.lines = state.line - 1
        self.ranges: dict[int, tuple[int, int, int, int]] = state.ranges
        self.first_indent = _first_indent(statement, parsed_indent or module.default_indent)


def _first_indent(statement: cst.BaseStatement, default: str) -> Any:
    """The indentation of the statement's first indented block (what libcst detects the module's
    default indentation from), None without one, _UNKNOWN when that needs a walk."""
    if not isinstance(statement, cst.BaseCompoundStatement):
        return None
    body = getattr(statement, "body", None)
    if isinstance(body, cst.IndentedBlock):
        return body.indent if body.indent is not None else default
    if isinstance(body, cst.SimpleStatementSuite) and isinstance(statement, _SIMPLE_COMPOUND) \
            and not getattr(statement, "orelse", None):
        return None
    return _UNKNOWN


@dataclass
class _Version:
    """The last good parse of one document."""

    text: str
    lines: list[str]
    module: cst.Module
    #: per statement of module.body; None until first needed (a full parse computes none)
    chunks: list[_Chunk] | None
    #: an upper bound of the file's syntax nodes (CPython's count)
    nodes: int

    def ensure_chunks(self) -> list[_Chunk]:
        if self.chunks is None:
            self.chunks = [_Chunk(statement, self.module) for statement in self.module.body]
        return self.chunks

    def positions(self) -> _Stitched:
        return _Stitched(self.module, self.ensure_chunks())


class _Stitched:
    """``Positions`` for a module made of chunks: each chunk's relative ranges, shifted by the
    line it starts at; the module, header and footer ranges by a code generation of those."""

    __slots__ = ("_module", "_chunks", "_frame", "_owner", "_offsets")

    def __init__(self, module: cst.Module, chunks: list[_Chunk]) -> None:
        self._module, self._chunks = module, chunks
        state = _State(module)
        state.before_codegen(module)
        for line in module.header:
            line._codegen(state)
        self._offsets = []
        for chunk in chunks:
            self._offsets.append(state.line - 1)
            state.line += chunk.lines
        for line in module.footer:
            line._codegen(state)
        state.after_codegen(module)
        self._frame = state.ranges
        self._owner: dict[int, int] | None = None

    def _range(self, node: object) -> tuple[int, int, int, int] | None:
        key = id(node)
        found = self._frame.get(key)
        if found is not None:
            return found
        if self._owner is None:
            owner: dict[int, int] = {}
            for index, chunk in enumerate(self._chunks):
                owner.update(dict.fromkeys(chunk.ranges, index))
            self._owner = owner
        index = self._owner.get(key)
        if index is None:
            return None
        start_line, start_column, end_line, end_column = self._chunks[index].ranges[key]
        offset = self._offsets[index]
        return start_line + offset, start_column, end_line + offset, end_column

    def __contains__(self, node: object) -> bool:
        return self._range(node) is not None

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        found = self._range(node)
        if found is None:
            raise KeyError(node)
        return CodeRange(CodePosition(found[0], found[1]), CodePosition(found[2], found[3]))

    def get(self, node: cst.CSTNode, default: Any = None) -> CodeRange | Any:
        found = self._range(node)
        return default if found is None else CodeRange(CodePosition(found[0], found[1]),
                                                       CodePosition(found[2], found[3]))

    def __len__(self) -> int:
        return len(self._frame) + sum(len(chunk.ranges) for chunk in self._chunks)


class _Doubt(Exception):
    """The span cannot stand in for a full parse: parse the whole text."""


#: (text) -> (module, CPython node count); raises parsing.NotParsed
FullParse = Callable[[str], tuple[cst.Module, int]]
#: (span text) -> CPython node count; raises anything for a span that does not parse
SpanCheck = Callable[[str], int]


class Documents:
    """The last good parse of the most recently parsed documents, by file name."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._versions: OrderedDict[str, _Version] = OrderedDict()
        #: how the last parse went, for the tests: "same", "reused", "full"
        self.last = ""
        #: the last error of the re-parse itself (a bug: the full parse answered instead), for the tests
        self.unforeseen: Exception | None = None

    def clear(self) -> None:
        for version in self._versions.values():
            positions_module.forget(version.module)
        self._versions.clear()

    def parse(self, text: str, filename: str, full: FullParse, check: SpanCheck, max_nodes: int) -> cst.Module:
        base = self._versions.get(filename)
        module = None
        if base is not None and _plain_line_breaks(text):
            if text == base.text:
                self._versions.move_to_end(filename)
                self.last = "same"
                return base.module
            try:
                version = _reparse(base, text, check, max_nodes)
            except _Doubt:
                version = None
            except Exception as exc:  # noqa: BLE001 - a case this code did not foresee: parse it all
                self.unforeseen = exc
                version = None
            if version is not None:
                module = version.module
                self.last = "reused"
        if module is None:
            module, nodes = full(text)  # NotParsed propagates: the last good version stays
            self.last = "full"
            if nodes < 0:  # parsed by libcst alone (CPython refused it): nothing to build on
                return module
            version = _Version(text, _LINE.findall(text), module, None, nodes)
        if base is not None:
            positions_module.forget(base.module)
        self._versions[filename] = version
        self._versions.move_to_end(filename)
        positions_module.register(module, version.positions)
        while len(self._versions) > self.size:
            _, dropped = self._versions.popitem(last=False)
            positions_module.forget(dropped.module)
        return module


def _plain_line_breaks(text: str) -> bool:
    """No bare \\r: libcst's line counting and the line split agree only on \\n and \\r\\n."""
    return "\r" not in text or text.count("\r") == text.count("\r\n")


def _reparse(base: _Version, text: str, check: SpanCheck, max_nodes: int) -> _Version | None:
    old_lines, new_lines = base.lines, _LINE.findall(text)
    old_module = base.module
    if len(old_module.body) < _MIN_STATEMENTS:
        return None
    chunks = base.ensure_chunks()
    n_old, n_new = len(old_lines), len(new_lines)
    limit = min(n_old, n_new)
    same_start = 0
    while same_start < limit and old_lines[same_start] == new_lines[same_start]:
        same_start += 1
    same_end = 0
    while same_end < limit - same_start and old_lines[n_old - 1 - same_end] == new_lines[n_new - 1 - same_end]:
        same_end += 1
    changed_end = n_old - same_end  # old lines [same_start, changed_end) differ
    header = _line_count(old_module.header, old_module)
    starts, line = [], header
    for chunk in chunks:
        starts.append(line)
        line += chunk.lines
    if line + _line_count(old_module.footer, old_module) != n_old:
        raise _Doubt  # the chunks do not add up to the text: trust nothing
    # The span: from the statement before the first changed line to the one after the last.
    first = 0
    while first < len(chunks) and starts[first] + chunks[first].lines <= same_start:
        first += 1
    first = max(first - 1, 0)
    after = first
    while after < len(chunks) and starts[after] < changed_end:
        after += 1
    # `after` is now the first statement wholly in the unchanged end: it is parsed again too
    keep_end = after + 1 if after < len(chunks) else len(chunks)
    at_start = first == 0
    at_end = keep_end == len(chunks)
    old_span_start = 0 if at_start else starts[first]
    old_span_end = n_old if at_end else starts[keep_end]
    new_span_end = n_new - (n_old - old_span_end)
    if at_start and at_end:
        return None  # nothing to keep
    span_text = "".join(new_lines[old_span_start:new_span_end])
    try:
        span_nodes = check(span_text)
        span = cst.parse_module(span_text)
    except Exception:  # noqa: BLE001 - whatever the span does, the full parse decides
        raise _Doubt from None
    if not span.body or base.nodes + span_nodes > max_nodes:
        raise _Doubt
    if "\n" in span_text or "\r" in span_text:
        if span.default_newline != old_module.default_newline:
            raise _Doubt
    if not at_end and (span.footer or not span.has_trailing_newline):
        raise _Doubt  # a comment the span ends with may belong to what follows in the file
    body = list(span.body)
    if not at_start and span.header:
        # Alone, the lines before the span's first statement are the span's header; in the
        # file they are that statement's leading lines.
        body[0] = body[0].with_changes(leading_lines=[*span.header, *body[0].leading_lines])
    if not at_end:
        # The statement after the changed lines must be the same text, alone: else the span
        # ended inside it (a continuation line) and what follows may attach differently.
        if span.code_for_node(body[-1]) != "".join(old_lines[starts[after]:old_span_end]):
            raise _Doubt
    fresh = [_Chunk(statement, old_module, span.default_indent) for statement in body]
    new_chunks = chunks[:first] + fresh + chunks[keep_end:]
    # libcst detects the default indentation from the first indented block of the file; the kept
    # statements' blocks are relative to the old one, the span's to its own.
    detected = "    "
    for chunk in new_chunks:
        if chunk.first_indent is _UNKNOWN:
            raise _Doubt
        if chunk.first_indent is not None:
            detected = chunk.first_indent
            break
    if detected != old_module.default_indent:
        raise _Doubt
    if any(chunk.first_indent is not None for chunk in fresh) and span.default_indent != detected:
        raise _Doubt
    module = old_module.with_changes(
        header=span.header if at_start else old_module.header,
        body=[chunk.statement for chunk in new_chunks],
        footer=span.footer if at_end else old_module.footer,
        has_trailing_newline=span.has_trailing_newline if at_end else old_module.has_trailing_newline)
    total = _line_count(module.header, module) + sum(chunk.lines for chunk in new_chunks) \
        + _line_count(module.footer, module)
    if total != n_new:
        raise _Doubt
    return _Version(text, new_lines, module, new_chunks, base.nodes + span_nodes)


def _line_count(lines: Any, module: cst.Module) -> int:
    state = _State(module)
    for line in lines:
        line._codegen(state)
    return state.line - 1
