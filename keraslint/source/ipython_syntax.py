"""IPython's special syntax in a notebook cell, read the way IPython itself reads it.

A model of IPython's ``inputtransformer2.TransformerManager`` (IPython 7 to 9): the cell is
tokenised as Python, and special syntax is recognised only where a token can start it: an
escape (``%magic``, ``!shell``, ``?x``, ``,f a``, ``;f a``, ``/f a``) as the first token of a
*logical* line, ``x = %magic`` / ``x = !cmd`` after a top-level ``=``, and ``obj?`` ending a
logical line. A ``%`` that continues an open bracket (``print("%d"\\n    % n)``) or sits inside
a string is therefore Python. One piece of syntax is replaced at a time, then the cell is
tokenised again, because what follows special syntax need not tokenise as Python.

The replacements are IPython's own (``get_ipython().system('ls')``), so the cell runs through
the source pass as IPython would run it: unknown calls, no findings. Unlike IPython, every
physical line an escape consumes through its trailing backslashes stays as an empty line, so
rows in the program still match rows in the cell.
"""

from __future__ import annotations

import re
import tokenize
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from keraslint.lines import text_lines

_ESCAPES = frozenset({"!", "?", "%", ",", ";", "/"})
_DOUBLE_ESCAPES = frozenset({"!!", "??"})
_OPENING, _CLOSING = frozenset("([{"), frozenset(")]}")
# IPython's _help_end_re: only a dotted name (or literal index) may precede a trailing ?/??.
_HELP_END = re.compile(r"(%{0,2}(?!\d)[\w*]+(\.(?!\d)[\w*]+|\[-?[0-9]+\])*)(\?\??)$")
# Tokenizer errors IPython turns into an ERRORTOKEN that ends the stream (tokenutil.py):
# they are what shell text looks like to Python, not incomplete input.
_CAUGHT_ERRORS = ("unterminated string literal", "invalid non-printable character",
                  "after line continuation character", "invalid decimal literal", "invalid binary literal",
                  "invalid octal literal", "invalid hexadecimal literal", "in binary literal", "in octal literal",
                  "expected EOF")
# IPython's TRANSFORM_LOOP_LIMIT: a bound, so no input keeps the loop changing forever.
_MAX_TRANSFORMS = 500


# Cell magics whose body is ordinary Python; any other (%%bash, %%writefile ...) is not Python.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "python", "python3",
                                "tensorflow_version"})


def cell_to_python(cell: str) -> str:
    """A notebook cell as the Python IPython runs, row for row: a cell in another language
    (``%%bash``) becomes comments, the body of ``%%time`` and friends is read as a cell again
    (those magics run it through IPython's transforms)."""
    lines = text_lines(cell)
    # IPython drops leading blank lines before it looks for a cell magic on the first line.
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or not lines[first].lstrip().startswith("%%"):
        return line_syntax_to_python(cell)
    magic = lines[first].lstrip()[2:].split(maxsplit=1)[0] if lines[first].lstrip()[2:].strip() else ""
    if magic not in PYTHON_CELL_MAGICS:
        return "\n".join("# " + line for line in lines)
    body = [line_syntax_to_python("\n".join(lines[first + 1:]))] if first + 1 < len(lines) else []
    return "\n".join([*lines[:first], "pass  # " + lines[first].strip(), *body])


def line_syntax_to_python(cell: str) -> str:
    """``cell`` (code without a cell magic) as the Python IPython runs, row for row."""
    text = cell if cell.endswith("\n") else cell + "\n"
    lines = text_lines(text, keepends=True)
    for _ in range(_MAX_TRANSFORMS):
        changed = _transform_once(lines)
        if changed is None:
            break
        lines = changed
    out = "".join(lines)
    return out if cell.endswith("\n") else out[:-1]


def _tokens(lines: list[str]) -> Iterator[tokenize.TokenInfo]:
    try:
        yield from tokenize.generate_tokens(iter(lines).__next__)
    except tokenize.TokenError as exc:
        if not any(error in str(exc.args[0]) for error in _CAUGHT_ERRORS):
            raise
        yield tokenize.TokenInfo(tokenize.ERRORTOKEN, "", (1, 0), (1, 0), "")


def _tokens_by_line(lines: list[str]) -> list[list[tokenize.TokenInfo]] | None:
    """Tokens grouped by logical line (brackets join physical lines); None when the cell does
    not tokenise at all (an inconsistent dedent), which IPython cannot run either."""
    groups: list[list[tokenize.TokenInfo]] = [[]]
    depth = 0
    try:
        for token in _tokens(lines):
            groups[-1].append(token)
            if token.type == tokenize.NEWLINE or (token.type == tokenize.NL and depth <= 0):
                groups.append([])
            elif token.type == tokenize.OP and token.string in _OPENING:
                depth += 1
            elif token.type == tokenize.OP and token.string in _CLOSING and depth > 0:
                depth -= 1
    except tokenize.TokenError:
        pass  # the cell ends inside a bracket or a string: what came before still counts
    except SyntaxError:
        return None
    if not groups[-1]:
        groups.pop()
    return groups


@dataclass(frozen=True)
class _Match:
    line: int
    """0-based physical line where the special syntax starts."""
    column: int
    priority: int
    apply: Callable[[list[str], int, int], list[str] | None]
    """(lines, line, column) -> the transformed lines, None when IPython's transform refuses."""


def _transform_once(lines: list[str]) -> list[str] | None:
    groups = _tokens_by_line(lines)
    if groups is None:
        return None
    found = [m for m in (_magic_assign(groups), _system_assign(groups), _escaped(groups), _help_end(groups)) if m]
    for match in sorted(found, key=lambda m: (m.line, m.column, m.priority)):
        result = match.apply(lines, match.line, match.column)
        if result is not None:
            return result
    return None


def _first_code_token(group: list[tokenize.TokenInfo]) -> int | None:
    index = 0
    while index < len(group) and group[index].type in (tokenize.INDENT, tokenize.DEDENT):
        index += 1
    return index if index < len(group) else None


def _assign_index(group: list[tokenize.TokenInfo]) -> int | None:
    """The first ``=`` outside brackets (IPython does not support ``a = b = %foo``)."""
    depth = 0
    for index, token in enumerate(group):
        if token.string == "=" and depth == 0:
            return index
        if token.string in _OPENING:
            depth += 1
        elif token.string in _CLOSING and depth > 0:
            depth -= 1
    return None


def _magic_assign(groups: list[list[tokenize.TokenInfo]]) -> _Match | None:
    for group in groups:
        at = _assign_index(group)
        if at is not None and at + 2 < len(group) and group[at + 1].string == "%" \
                and group[at + 2].type == tokenize.NAME:
            row, column = group[at + 1].start
            return _Match(row - 1, column, 10, _assignment("%"))
    return None


def _system_assign(groups: list[list[tokenize.TokenInfo]]) -> _Match | None:
    for group in groups:
        at = _assign_index(group)
        if at is None or group[at].line.strip().startswith("="):
            continue
        # Before Python 3.12, `!` and the space before it are ERRORTOKENs; from 3.12 `!` is an OP.
        index = at + 1
        while index < len(group) and group[index].type == tokenize.ERRORTOKEN and group[index].string.isspace():
            index += 1
        if index < len(group) and group[index].string == "!":
            row, column = group[index].start
            return _Match(row - 1, column, 10, _assignment("!"))
    return None


def _escaped(groups: list[list[tokenize.TokenInfo]]) -> _Match | None:
    for group in groups:
        first = _first_code_token(group)
        if first is not None and group[first].string in _ESCAPES:
            row, column = group[first].start
            return _Match(row - 1, column, 10, _escaped_command)
    return None


def _help_end(groups: list[list[tokenize.TokenInfo]]) -> _Match | None:
    for group in groups:
        if len(group) > 2 and group[-2].string == "?":
            first = _first_code_token(group)
            assert first is not None
            row, column = group[first].start
            q_row = group[-2].start[0] - 1
            return _Match(row - 1, column, 5, lambda lines, line, col: _help_call(lines, line, col, q_row))
    return None


def _continued_end(lines: list[str], start: int) -> int:
    """The last physical line of a statement continued with trailing backslashes."""
    end = start
    while lines[end].endswith("\\\n"):
        end += 1
        if end >= len(lines):
            break
    return end


def _assembled(lines: list[str], line: int, column: int, end: int) -> str:
    parts = [lines[line][column:], *lines[line + 1:end + 1]]
    return " ".join([p.rstrip()[:-1] for p in parts[:-1]] + [parts[-1].rstrip()])


def _replace(lines: list[str], start: int, end: int, new_line: str) -> list[str]:
    """IPython's one-line replacement, with the consumed lines left empty to keep the rows."""
    return [*lines[:start], new_line, *(["\n"] * (end - start)), *lines[end + 1:]]


def _assignment(escape: str) -> Callable[[list[str], int, int], list[str] | None]:
    def apply(lines: list[str], line: int, column: int) -> list[str]:
        end = min(_continued_end(lines, line), len(lines) - 1)
        rhs = _assembled(lines, line, column, end)
        if escape == "%":
            name, _, args = rhs[1:].partition(" ")
            call = f"get_ipython().run_line_magic({name!r}, {args!r})"
        else:
            call = f"get_ipython().getoutput({rhs[1:]!r})"
        return _replace(lines, line, end, lines[line][:column] + call + "\n")
    return apply


def _escaped_command(lines: list[str], line: int, column: int) -> list[str] | None:
    end = min(_continued_end(lines, line), len(lines) - 1)
    text = _assembled(lines, line, column, end)
    escape, content = (text[:2], text[2:]) if text[:2] in _DOUBLE_ESCAPES else (text[:1], text[1:])
    call = _escape_call(escape, content)
    if call is None:
        return None
    return _replace(lines, line, end, lines[line][:column] + call + "\n")


def _escape_call(escape: str, content: str) -> str | None:
    """IPython's ``tr`` table: what each escape runs."""
    if escape == "!":
        return f"get_ipython().system({content!r})"
    if escape == "!!":
        return f"get_ipython().getoutput({content!r})"
    if escape in ("?", "??"):
        return _help_call_text(content, escape) if content else "get_ipython().show_usage()"
    name, _, args = content.partition(" ")
    if escape == "%":
        return f"get_ipython().run_line_magic({name!r}, {args!r})"
    if escape == ",":
        return '{}("{}")'.format(name, '", "'.join(args.split()))
    if escape == ";":
        return f'{name}("{args}")'
    if escape == "/":
        return None if name == "" else f"{name}({', '.join(args.split())})"
    return ""


def _help_call_text(target: str, escape: str) -> str:
    method = "pinfo2" if escape == "??" else "psearch" if "*" in target else "pinfo"
    name, _, args = f"{method} {target}".partition(" ")
    return f"get_ipython().run_line_magic({name.lstrip('%')!r}, {args!r})"


def _help_call(lines: list[str], line: int, column: int, q_line: int) -> list[str] | None:
    piece = "".join(lines[line:q_line + 1])
    match = _HELP_END.search(piece[column:])
    if match is None:
        return None
    call = _help_call_text(match.group(1), match.group(3))
    return _replace(lines, line, q_line, piece[:column] + call + "\n")
