"""``# noqa`` and ``# keraslint: ...`` comments.

Line level: ``# noqa`` (everything on the line), ``# noqa: KL101, KL102``,
``# keraslint: ignore[KL101]``. File level, on a line of its own anywhere in the file:
``# keraslint: noqa`` (everything) or ``# keraslint: noqa: KL101``. Codes may be prefixes
(``KL1``). Comments are read with ``tokenize`` so a ``# noqa`` inside a string does not count;
this runs only for files that have findings.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass, field

from keraslint.lines import text_lines

ALL = "*"

_CODE_LIST = r"(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)"
_FILE = re.compile(r"#\s*keraslint\s*:\s*noqa(?:\s*:\s*" + _CODE_LIST + r")?\s*$", re.IGNORECASE)
_NOQA = re.compile(r"#\s*noqa(?::\s*" + _CODE_LIST + r")?(?![\w:])", re.IGNORECASE)
_IGNORE = re.compile(r"#\s*keraslint\s*:\s*ignore\[\s*" + _CODE_LIST + r"\s*\]", re.IGNORECASE)


@dataclass
class Suppressions:
    by_line: dict[int, set[str]] = field(default_factory=dict)
    file_wide: set[str] = field(default_factory=set)

    def suppresses(self, code: str, row: int | None) -> bool:
        if _matches(code, self.file_wide):
            return True
        return row is not None and _matches(code, self.by_line.get(row, set()))


def _matches(code: str, selectors: set[str]) -> bool:
    return ALL in selectors or any(code.startswith(s) for s in selectors)


def _codes(match: re.Match[str]) -> set[str]:
    codes = match.group("codes")
    if not codes:
        return {ALL}
    return {c.strip().upper() for c in codes.split(",")}


def _comments(source: str) -> Iterable[tuple[int, str]]:
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.string
    except (tokenize.TokenError, SyntaxError, IndentationError):
        # Tokenizing failed late (rare: libcst accepted the file). Fall back to a line scan.
        for row, line in enumerate(text_lines(source), start=1):
            position = line.find("#")
            if position >= 0:
                yield row, line[position:]


def parse_suppressions(source: str) -> Suppressions:
    result = Suppressions()
    for row, comment in _comments(source):
        file_match = _FILE.search(comment)
        if file_match:
            result.file_wide |= _codes(file_match)
            continue
        for pattern in (_NOQA, _IGNORE):
            for match in pattern.finditer(comment):
                result.by_line.setdefault(row, set()).update(_codes(match))
    return result
