"""Where each cell's source is in a notebook's JSON text, to edit it in place and to point at it.

``--fix`` changes only the ``"source"`` values of the cells it fixes: every other byte of the
file (outputs, metadata, indentation, key order, the escapes the writer chose, the final
newline) stays as it was, whatever wrote the notebook (nbformat's ``indent=1``, an editor's
``indent=2``, one line). The new source is written in the style of the old one: a list of
lines keeps its separators and each unchanged line's literal as written.

GitHub shows a notebook's annotations (``--output-format github``, SARIF code scanning) on the
lines of its JSON file, not of its cells: ``json_location`` turns a cell, row and column into
the line and column of the file where that character's string literal is.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from json.decoder import scanstring

from keraslint.lines import line_starts

__all__ = ["JsonLocator", "SourceValue", "cell_sources", "json_location", "replace_sources", "source_of"]

_WHITESPACE = " \t\n\r"
_STRUCTURE = re.compile(r'["\[\]{}]')
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null|NaN|-?Infinity")


class NotNotebookJson(ValueError):
    """The text is not the JSON object of a notebook (read_notebook has already refused worse)."""


@dataclass(frozen=True)
class SourceValue:
    """A cell's ``"source"`` value in the JSON text."""

    start: int
    end: int
    #: each string literal (with its quotes): one for a string value, one per item for a list
    literals: tuple[tuple[int, int], ...]
    is_list: bool

    def decoded(self, text: str) -> list[str]:
        return [scanstring(text, start + 1)[0] for start, _ in self.literals]


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in _WHITESPACE:
        index += 1
    return index


def _string_end(text: str, index: int) -> int:
    return scanstring(text, index + 1)[1]


def _value_end(text: str, index: int) -> int:
    """The offset just past the JSON value starting at ``index`` (no recursion: a hostile file
    may nest deeply; strings are skipped by json's own scanner)."""
    char = text[index:index + 1]
    if char == '"':
        return _string_end(text, index)
    if char in ("[", "{"):
        depth, position = 0, index
        while True:
            match = _STRUCTURE.search(text, position)
            if match is None:
                raise NotNotebookJson("unbalanced brackets")
            position = match.start()
            if text[position] == '"':
                position = _string_end(text, position)
                continue
            depth += 1 if text[position] in "[{" else -1
            position += 1
            if depth == 0:
                return position
    match = _SCALAR.match(text, index)
    if match is None:
        raise NotNotebookJson(f"unexpected {char!r} at offset {index}")
    return match.end()


def _members(text: str, index: int) -> list[tuple[str, int, int]]:
    """The (key, value start, value end) of the object at ``index``."""
    if text[index:index + 1] != "{":
        raise NotNotebookJson("expected an object")
    found = []
    position = _skip_space(text, index + 1)
    if text[position:position + 1] == "}":
        return found
    while True:
        if text[position:position + 1] != '"':
            raise NotNotebookJson("expected a key")
        key, position = scanstring(text, position + 1)
        position = _skip_space(text, position)
        if text[position:position + 1] != ":":
            raise NotNotebookJson("expected ':'")
        start = _skip_space(text, position + 1)
        end = _value_end(text, start)
        found.append((key, start, end))
        position = _skip_space(text, end)
        if text[position:position + 1] == ",":
            position = _skip_space(text, position + 1)
            continue
        if text[position:position + 1] == "}":
            return found
        raise NotNotebookJson("expected ',' or '}'")


def _elements(text: str, index: int) -> list[tuple[int, int]]:
    if text[index:index + 1] != "[":
        raise NotNotebookJson("expected a list")
    found = []
    position = _skip_space(text, index + 1)
    if text[position:position + 1] == "]":
        return found
    while True:
        end = _value_end(text, position)
        found.append((position, end))
        position = _skip_space(text, end)
        if text[position:position + 1] == ",":
            position = _skip_space(text, position + 1)
            continue
        if text[position:position + 1] == "]":
            return found
        raise NotNotebookJson("expected ',' or ']'")


def _last(members: list[tuple[str, int, int]], key: str) -> tuple[int, int] | None:
    """A key's value; json.loads keeps the last of duplicate keys, and so does this."""
    spans = [(start, end) for name, start, end in members if name == key]
    return spans[-1] if spans else None


def cell_sources(text: str) -> dict[int, SourceValue]:
    """Each cell's source value, by the cell's 1-based index among all cells (as findings count)."""
    start = _skip_space(text, 1 if text.startswith("\ufeff") else 0)
    cells = _last(_members(text, start), "cells")
    if cells is None:
        raise NotNotebookJson("no 'cells'")
    found = {}
    for number, (cell_start, _) in enumerate(_elements(text, cells[0]), start=1):
        if text[cell_start] != "{":
            continue
        value = _last(_members(text, cell_start), "source")
        if value is None:
            continue
        if text[value[0]] == '"':
            found[number] = SourceValue(value[0], value[1], (value,), False)
        elif text[value[0]] == "[":
            items = _elements(text, value[0])
            if all(text[a] == '"' for a, _ in items):
                found[number] = SourceValue(value[0], value[1], tuple(items), True)
    return found


# --- writing ---------------------------------------------------------------------------------

def _literal(value: str, ascii_only: bool) -> str:
    return json.dumps(value, ensure_ascii=ascii_only)


def _new_value(text: str, old: SourceValue, source: str, ascii_only: bool) -> str:
    if not old.is_list:
        literal = text[old.literals[0][0]:old.literals[0][1]]
        return literal if scanstring(literal, 1)[0] == source else _literal(source, ascii_only)
    # nbformat splits a source into lines with splitlines(keepends=True): so does this
    lines = source.splitlines(keepends=True)
    if not lines:
        return "[]"
    as_written: dict[str, str] = {}
    for (start, end), value in zip(old.literals, old.decoded(text)):
        as_written.setdefault(value, text[start:end])
    literals = [as_written.get(line) or _literal(line, ascii_only) for line in lines]
    if not old.literals:
        return "[" + ", ".join(literals) + "]"
    first_start, last_end = old.literals[0][0], old.literals[-1][1]
    lead, trail = text[old.start + 1:first_start], text[last_end:old.end - 1]
    separator = text[old.literals[0][1]:old.literals[1][0]] if len(old.literals) > 1 else "," + lead
    return "[" + lead + separator.join(literals) + trail + "]"


def replace_sources(text: str, sources: dict[int, str]) -> str:
    """``text`` with the source of each cell in ``sources`` (index -> new source) replaced."""
    values = cell_sources(text)
    # \\u escapes where the file has only ASCII (json.dumps' default); the characters themselves
    # where it has others (nbformat's ensure_ascii=False)
    ascii_only = text.isascii()
    out = text
    for number in sorted(sources, key=lambda n: values[n].start, reverse=True):
        old = values[number]
        out = out[:old.start] + _new_value(text, old, sources[number], ascii_only) + out[old.end:]
    return out


def source_of(text: str, value: SourceValue) -> str:
    return "".join(value.decoded(text))


# --- locations -------------------------------------------------------------------------------

def _raw_offset(literal: str, index: int) -> int:
    """Where the ``index``-th decoded character of a JSON string's content is in ``literal`` (its
    text between the quotes)."""
    raw = 0
    for _ in range(index):
        if raw >= len(literal):
            break
        if literal[raw] != "\\":
            raw += 1
        elif literal[raw + 1:raw + 2] == "u":
            # a surrogate pair written as two escapes is one character of the decoded text
            high = int(literal[raw + 2:raw + 6], 16) if len(literal) >= raw + 6 else 0
            raw += 12 if 0xD800 <= high < 0xDC00 and literal[raw + 6:raw + 8] == "\\u" else 6
        else:
            raw += 2
    return min(raw, len(literal))


class JsonLocator:
    """``json_location`` for many findings of one notebook: its JSON is scanned once."""

    def __init__(self, text: str) -> None:
        self.text = text
        try:
            self.values = cell_sources(text)
        except (NotNotebookJson, ValueError):
            self.values = {}
        self._newlines: list[int] | None = None

    def locate(self, cell: int, row: int, column: int, *, end: bool = False) -> tuple[int, int] | None:
        """The (line, column) of the JSON file, both 1-based, where the character at ``row``,
        ``column`` of cell ``cell``'s source is written. An ``end`` location at the end of a line
        stays on that line's literal. None when the cell or row is not there."""
        text, value = self.text, self.values.get(cell)
        if value is None:
            return None
        pieces = value.decoded(text)
        joined = "".join(pieces)
        starts = line_starts(joined)
        if not 0 < row <= len(starts) or not pieces:
            return None
        wanted = min(starts[row - 1] + column - 1, len(joined))
        offset, position = 0, value.start
        for (start, stop), piece in zip(value.literals, pieces):
            inside = wanted - offset
            if inside < len(piece) or (end and inside == len(piece)) or (start, stop) == value.literals[-1]:
                position = start + 1 + _raw_offset(text[start + 1:stop - 1], max(inside, 0))
                break
            offset += len(piece)
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", text)]
        line = bisect.bisect_left(self._newlines, position)  # newlines before it
        line_start = self._newlines[line - 1] + 1 if line else 0
        return line + 1, position - line_start + 1


def json_location(text: str, cell: int, row: int, column: int, *, end: bool = False) -> tuple[int, int] | None:
    """``JsonLocator(text).locate(...)`` for one location."""
    return JsonLocator(text).locate(cell, row, column, end=end)
