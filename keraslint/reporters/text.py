"""``full`` and ``concise``: the formats people read in a terminal."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from keraslint.diagnostics import Diagnostic, Severity
from keraslint.plural import plural
from keraslint.printable import printable
from keraslint.reporters._style import PATH_STYLE, SEVERITY_STYLE, Line, to_string
from keraslint.reporters.statistics import count_by_rule

SourceLine = Callable[[Diagnostic], "str | None"]


def fixable(d: Diagnostic, unsafe_fixes: bool) -> bool:
    """Whether ``--fix`` (with ``--unsafe-fixes`` when given) would apply this finding's fix."""
    return d.fix is not None and (d.fix.applicability == "safe" or unsafe_fixes)


def summary(diagnostics: Sequence[Diagnostic], files_checked: int, unsafe_fixes: bool = False) -> str:
    """The closing lines: counts by severity, then (as ruff) how many findings --fix would fix
    and how many more --unsafe-fixes would."""
    if not diagnostics:
        return f"All checks passed! ({plural(files_checked, 'file')} checked)"
    by_severity = Counter(d.severity for d in diagnostics)
    parts = [plural(by_severity[s], s.value) for s in Severity if by_severity[s]]
    files = len({d.filename for d in diagnostics})
    text = f"Found {plural(len(diagnostics), 'problem')} ({', '.join(parts)}) in {plural(files, 'file')}"
    applicable = sum(fixable(d, unsafe_fixes) for d in diagnostics)
    hidden = sum(d.fix is not None and not fixable(d, unsafe_fixes) for d in diagnostics)
    hint = f" ({plural(hidden, 'hidden fix')} can be enabled with the --unsafe-fixes option)" if hidden else ""
    if applicable:
        text += f"\n[*] {applicable} fixable with the --fix option{hint}."
    elif hidden:
        text += f"\nNo fixes available{hint}."
    return text


def _header(d: Diagnostic, unsafe_fixes: bool = False) -> Line:
    where = f"cell {d.cell}:" if d.cell is not None else ""
    # ruff's mark of a finding --fix would fix, right after the code
    mark = " [*]" if fixable(d, unsafe_fixes) else ""
    return Line(
        (printable(d.filename), PATH_STYLE),
        f":{where}{d.location.row}:{d.location.column}: ",
        (printable(d.code), f"bold {SEVERITY_STYLE[d.severity]}"),
        f"{mark} [{d.severity.value}] {printable(d.message)}",
    )


TAB_WIDTH = 4  # ruff shows tabs as 4 columns; rich would expand them anyway when colouring


def _shown(text: str) -> str:
    return printable(text).expandtabs(TAB_WIDTH)


def _snippet(d: Diagnostic, line: str) -> list[Line]:
    line = line.rstrip("\r\n")
    start = min(max(d.location.column - 1, 0), len(line))
    # A span that runs onto later rows is underlined to the end of its first row.
    end = d.end_location.column - 1 if d.end_location.row == d.location.row else len(line)
    end = max(min(end, len(line)), start)
    # Columns count characters; measure the line as it is shown (tabs expanded, control
    # characters escaped) so the carets sit under the right ones.
    indent = len(_shown(line[:start]))
    width = max(len(_shown(line[:end])) - indent, 1)
    gutter = str(d.location.row)
    blank = " " * len(gutter)
    lines = [
        Line(f"{gutter} | {_shown(line)}"),
        Line(f"{blank} | {' ' * indent}", ("^" * width, SEVERITY_STYLE[d.severity])),
    ]
    if d.fix is not None:
        lines.append(Line(f"{blank} = help: {printable(d.fix.message)} ({printable(d.fix.applicability)} fix)"))
    return lines


def _statistics_table(diagnostics: Sequence[Diagnostic]) -> list[Line]:
    rows = count_by_rule(diagnostics)
    count_w = max(len(str(r.count)) for r in rows)
    codes = {r.code: printable(r.code) for r in rows}
    names = {r.name: printable(r.name) for r in rows}
    code_w = max(len(code) for code in codes.values())
    name_w = max(len(name) for name in names.values())
    return [
        Line(
            f"{r.count:>{count_w}}  ",
            (f"{codes[r.code]:<{code_w}}", f"bold {SEVERITY_STYLE[Severity(r.severity)]}"),
            f"  {names[r.name]:<{name_w}}  {r.severity}",
        )
        for r in rows
    ]


def _finish(blocks: list[str], diagnostics: Sequence[Diagnostic], files_checked: int, sep: str,
            show_summary: bool = True, unsafe_fixes: bool = False) -> str:
    if not show_summary:  # --quiet: the findings and nothing else
        return sep.join(blocks) + "\n" if blocks else ""
    tail = summary(diagnostics, files_checked, unsafe_fixes)
    if not blocks:
        return tail + "\n"
    return sep.join(blocks) + "\n\n" + tail + "\n"


def render_full(
    diagnostics: Sequence[Diagnostic],
    *,
    files_checked: int,
    source_line: SourceLine,
    color: bool,
    statistics: bool = False,
    summary: bool = True,
    unsafe_fixes: bool = False,
    **_: Any,
) -> str:
    if statistics:
        return render_concise(diagnostics, files_checked=files_checked, color=color, statistics=True,
                              summary=summary, unsafe_fixes=unsafe_fixes)
    blocks = []
    for d in diagnostics:
        lines = [_header(d, unsafe_fixes)]
        source = source_line(d)
        if source is not None:
            lines += _snippet(d, source)
        blocks.append("\n".join(to_string(t, color) for t in lines))
    return _finish(blocks, diagnostics, files_checked, "\n\n", summary, unsafe_fixes)


def render_concise(
    diagnostics: Sequence[Diagnostic],
    *,
    files_checked: int,
    color: bool,
    statistics: bool = False,
    summary: bool = True,
    unsafe_fixes: bool = False,
    **_: Any,
) -> str:
    lines = (
        _statistics_table(diagnostics) if statistics and diagnostics
        else [_header(d, unsafe_fixes) for d in diagnostics]
    )
    return _finish([to_string(t, color) for t in lines], diagnostics, files_checked, "\n", summary, unsafe_fixes)
