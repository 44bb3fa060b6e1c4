"""Where each node of a libcst module is: the ranges of libcst's ``PositionProvider``, computed
about five times faster.

``MetadataWrapper(module).resolve(PositionProvider)`` costs ~0.8 s on a 1,000-line file: a visit
of the whole tree for the wrapper, then a code generation in which every node builds two frozen
``CodePosition`` dataclasses and every syntactic range goes through a generator-based context
manager. The language server pays that on every edit that reports anything. This runs the same
code generation (libcst's own ``_codegen``, so the ranges are libcst's by construction) with a
state that records plain tuples, and builds a ``CodeRange`` only for the nodes asked about.
tests/source/test_positions.py compares every node of the fixtures with ``PositionProvider``.

The state hooks (``before_codegen``, ``after_codegen``, ``record_syntactic_position``,
``add_token``, ``add_indent_tokens``) are libcst internals: should a libcst release change
them, ``positions`` falls back to ``PositionProvider`` rather than report a wrong place.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodePosition, CodeRange

#: the line breaks libcst's position providers count (libcst.metadata.position_provider)
_NEWLINE = re.compile(r"\r\n?|\n")

#: (start line, start column, end line, end column): lines 1-based, columns 0-based, as libcst's
_Range = tuple[int, int, int, int]


class Positions:
    """node -> ``CodeRange``, as the mapping ``PositionProvider`` resolves to (``get``, ``in``, ``[]``)."""

    __slots__ = ("_module", "_ranges")

    def __init__(self, module: cst.Module, ranges: dict[int, _Range]) -> None:
        self._module = module  # keeps the nodes alive, so their ids stay theirs
        self._ranges = ranges

    def __contains__(self, node: object) -> bool:
        return id(node) in self._ranges

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        start_line, start_column, end_line, end_column = self._ranges[id(node)]
        return CodeRange(CodePosition(start_line, start_column), CodePosition(end_line, end_column))

    def get(self, node: cst.CSTNode, default: Any = None) -> CodeRange | Any:
        return self[node] if id(node) in self._ranges else default

    def __len__(self) -> int:
        return len(self._ranges)


class _Syntactic:
    """``record_syntactic_position``'s context manager, without a generator per use."""

    __slots__ = ("_state", "_node", "_start_node", "_end_node", "_start")

    def __init__(self, state: _State, node: cst.CSTNode, start_node: cst.CSTNode | None,
                 end_node: cst.CSTNode | None) -> None:
        self._state, self._node, self._start_node, self._end_node = state, node, start_node, end_node

    def __enter__(self) -> None:
        self._start = (self._state.line, self._state.column)

    def __exit__(self, *exc: object) -> None:
        state = self._state
        ranges = state.ranges
        # As libcst: a range hoisted from child nodes overrides the one the tokens gave.
        start = ranges[id(self._start_node)][:2] if self._start_node is not None else self._start
        end = ranges[id(self._end_node)][2:] if self._end_node is not None else (state.line, state.column)
        ranges[id(self._node)] = (*start, *end)


class _State(CodegenState):
    """libcst's ``PositionProvidingCodegenState``, recording tuples keyed by node id."""

    # (CodegenState is slotted: new attributes need slots of their own)
    __slots__ = ("line", "column", "stack", "ranges")

    def __init__(self, module: cst.Module) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.line, self.column = 1, 0
        self.stack: list[tuple[int, int]] = []
        self.ranges: dict[int, _Range] = {}

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)  # Module's code generation looks at whether any was added
        if "\n" in value or "\r" in value:
            segments = _NEWLINE.split(value)
            self.line += len(segments) - 1
            self.column = len(segments[-1])
        else:
            self.column += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.stack.append((self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        start_line, start_column = self.stack.pop()
        key = id(node)
        if key not in self.ranges:  # a syntactic range recorded inside the node stands
            self.ranges[key] = (start_line, start_column, self.line, self.column)

    def record_syntactic_position(self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None,
                                  end_node: cst.CSTNode | None = None) -> _Syntactic:  # type: ignore[override]
        return _Syntactic(self, node, start_node, end_node)


#: id of a module the incremental parser stitched from kept statements -> (the module, what
#: gives its positions from the ranges kept with them); see keraslint.source.incremental
_STITCHED: dict[int, tuple[cst.Module, Callable[[], Any]]] = {}


def register(module: cst.Module, provider: Callable[[], Any]) -> None:
    """``positions(module)`` is ``provider()`` from now on (the module stays alive meanwhile)."""
    _STITCHED[id(module)] = (module, provider)


def forget(module: cst.Module) -> None:
    entry = _STITCHED.get(id(module))
    if entry is not None and entry[0] is module:
        del _STITCHED[id(module)]


def positions(module: cst.Module) -> Positions | Any:
    """The range of every node in ``module``, as ``PositionProvider`` gives it."""
    entry = _STITCHED.get(id(module))
    if entry is not None and entry[0] is module:
        return entry[1]()
    state = _State(module)
    try:
        module._codegen(state)
    except (AttributeError, TypeError, KeyError, IndexError):
        from libcst.metadata import MetadataWrapper, PositionProvider

        return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return Positions(module, state.ranges)
