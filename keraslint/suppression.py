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

# A code is letters then a digit, then letters or digits: a misspelt `KL3O1` is still read as a
# code (an unknown one, which KL010 and a warning report) rather than ending the comment's parse.
_CODE = r"[A-Z]+[0-9][A-Z0-9]*"
_CODE_LIST = r"(?P<codes>" + _CODE + r"(?:\s*,\s*" + _CODE + r")*)"
_FILE = re.compile(r"#\s*keraslint\s*:\s*noqa(?:\s*:\s*" + _CODE_LIST + r")?\s*$", re.IGNORECASE)
_NOQA = re.compile(r"#\s*noqa(?::\s*" + _CODE_LIST + r")?(?![\w:])", re.IGNORECASE)
_IGNORE = re.compile(r"#\s*keraslint\s*:\s*ignore\[\s*" + _CODE_LIST + r"\s*\]", re.IGNORECASE)


@dataclass(frozen=True)
class Directive:
    """One line-level ``# noqa: ...`` or ``# keraslint: ignore[...]`` and where it is, for
    KL010 (unused-noqa) and its fix. Columns are 1-based character columns of the line."""

    row: int
    kind: str  # "noqa" | "ignore"
    codes: tuple[str, ...] | None  # as written (upper-cased); None: a blanket `# noqa`
    start: int  # the directive's first column
    end: int  # exclusive
    codes_start: int
    codes_end: int
    comment_start: int  # the comment's '#'
    comment: str  # the whole comment token


@dataclass
class Suppressions:
    by_line: dict[int, set[str]] = field(default_factory=dict)
    file_wide: set[str] = field(default_factory=set)
    directives: list[Directive] = field(default_factory=list)
    #: (row, selector) of the line-level selectors that suppressed a finding
    used: set[tuple[int, str]] = field(default_factory=set)

    def suppresses(self, code: str, row: int | None) -> bool:
        if _matches(code, self.file_wide):
            return True
        if row is None:
            return False
        selectors = self.by_line.get(row, set())
        hits = [s for s in selectors if s == ALL or code.startswith(s)]
        self.used.update((row, s) for s in hits)
        return bool(hits)


def _matches(code: str, selectors: set[str]) -> bool:
    return ALL in selectors or any(code.startswith(s) for s in selectors)


def _codes(match: re.Match[str]) -> set[str]:
    codes = match.group("codes")
    if not codes:
        return {ALL}
    return {c.strip().upper() for c in codes.split(",")}


def _comments_at(source: str) -> Iterable[tuple[int, int, str]]:
    """(row, 0-based column, text) of each comment. Tokenizing can fail late (rare: libcst
    accepted the file); then a line scan stands in."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.start[1], token.string
    except (tokenize.TokenError, SyntaxError, IndentationError):
        for row, line in enumerate(text_lines(source), start=1):
            position = line.find("#")
            if position >= 0:
                yield row, position, line[position:]


def might_suppress(source: str) -> bool:
    """A cheap test before tokenizing: can the file hold a suppression comment at all?"""
    lowered = source.lower()
    return "noqa" in lowered or "keraslint" in lowered


def parse_suppressions(source: str) -> Suppressions:
    result = Suppressions()
    for row, column, comment in _comments_at(source):
        file_match = _FILE.search(comment)
        if file_match:
            result.file_wide |= _codes(file_match)
            continue
        for kind, pattern in (("noqa", _NOQA), ("ignore", _IGNORE)):
            for match in pattern.finditer(comment):
                codes = _codes(match)
                result.by_line.setdefault(row, set()).update(codes)
                has_codes = match.group("codes") is not None
                start, end = match.span("codes") if has_codes else (match.end(), match.end())
                written = tuple(c.strip().upper() for c in match.group("codes").split(",")) if has_codes else None
                result.directives.append(Directive(row, kind, written, column + match.start() + 1,
                                                   column + match.end() + 1, column + start + 1, column + end + 1,
                                                   column + 1, comment))
    return result


def _comments(source: str) -> Iterable[tuple[int, str]]:
    """(row, text) of each comment."""
    for row, _, text in _comments_at(source):
        yield row, text
