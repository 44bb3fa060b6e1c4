"""KL010 unused-noqa (ruff's RUF100): line-level suppressions that suppress nothing, name a rule
that is not enabled, or name no rule at all; and the stderr warning for unknown codes, which
is given whether KL010 is selected or not.

Only codes of keraslint's own form (``KL`` and digits) are judged: a ``# noqa: E501`` belongs
to another linter, and a blanket ``# noqa`` may serve one, so neither is ever reported.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from keraslint.diagnostics import Diagnostic, Edit, Fix, Location, Pass, Severity
from keraslint.suppression import Directive, Suppressions
from keraslint.verbose import WARNING

CODE, NAME = "KL010", "unused-noqa"
_OURS = "KL"


def _known(code: str, known: Collection[str]) -> bool:
    """A full rule code, or a prefix of one (``KL3``)."""
    return any(k.startswith(code) for k in known)


def _label(directive: Directive) -> str:
    return "`# noqa`" if directive.kind == "noqa" else "`# keraslint: ignore[...]`"


def unknown_code_warnings(filename: str, suppressions: Suppressions, known: Collection[str],
                          row_label: Callable[[int], str] | None = None) -> list[str]:
    """One warning per unknown keraslint code in a suppression comment (notes, see keraslint.verbose)."""
    from keraslint.selection import RuleInfo, suggest

    infos = [RuleInfo(code, code, "error") for code in sorted(known)]
    warnings = []
    for directive in suppressions.directives:
        for code in directive.codes or ():
            if code.startswith(_OURS) and not _known(code, known):
                where = row_label(directive.row) if row_label is not None else f"line {directive.row}"
                hint = suggest(code, infos)
                warnings.append(f"{WARNING}{filename} {where}: {_label(directive)} names "
                                f"unknown rule code {code}" + (f" (did you mean {hint}?)" if hint else ""))
    return warnings


def unused_noqa(filename: str, source_lines: Sequence[str], suppressions: Suppressions,
                selected: Collection[str], known: Collection[str],
                serves_importers: Callable[[int], bool] = lambda row: False) -> list[Diagnostic]:
    """KL010 findings for ``suppressions`` after every selected rule ran and its findings were
    suppressed. A comment that names KL010 itself keeps its codes on purpose: not reported.
    On a row where ``serves_importers`` is true (a function or class body of a module other
    files import), a code that suppressed nothing here is not judged unused: the finding it is
    for may come from a script's call, which this file's own check does not make."""
    found = []
    for directive in suppressions.directives:
        if directive.codes is None:
            continue
        unused, disabled, unknown = [], [], []
        for code in directive.codes:
            if not code.startswith(_OURS) or CODE.startswith(code):
                continue  # another tool's code, or one that covers this very rule
            if not _known(code, known):
                unknown.append(code)
            elif not any(s.startswith(code) for s in selected):
                disabled.append(code)
            elif (directive.row, code) not in suppressions.used and not serves_importers(directive.row):
                unused.append(code)
        if not (unused or disabled or unknown):
            continue
        if any(CODE.startswith(code) for code in directive.codes):
            continue  # a directive naming KL010 itself: the user keeps it on purpose
        parts = [f"{label}: {', '.join(f'`{c}`' for c in codes)}"
                 for label, codes in (("unused", unused), ("non-enabled", disabled), ("unknown", unknown)) if codes]
        line = source_lines[directive.row - 1] if directive.row <= len(source_lines) else directive.comment
        drop = {*unused, *disabled, *unknown}
        found.append(Diagnostic(
            code=CODE, name=NAME, severity=Severity.INFO, pass_=Pass.SOURCE,
            message=f"Unused {_label(directive)} directive ({'; '.join(parts)})", filename=filename,
            location=Location(directive.row, directive.start), end_location=Location(directive.row, directive.end),
            noqa_row=directive.row, fix=_removal(directive, line, drop)))
    return found


def _removal(directive: Directive, line: str, drop: set[str]) -> Fix:
    """Drop the unused codes; the whole directive when none is left, keeping any other text of
    the comment (``# noqa: KL301  keep this`` becomes ``# keep this``)."""
    kept = [code for code in directive.codes or () if code not in drop]
    row = directive.row
    if kept:
        edit = Edit(", ".join(kept), Location(row, directive.codes_start), Location(row, directive.codes_end))
        dropped = ", ".join(f"`{code}`" for code in directive.codes or () if code in drop)
        return Fix(f"Remove {dropped} from the directive", "safe", (edit,))
    comment_end = directive.comment_start + len(directive.comment)
    # the directive's place in its comment, 0-based within the comment text
    before = directive.comment[:directive.start - directive.comment_start]
    after = directive.comment[directive.end - directive.comment_start:]
    if before.strip() in ("", "#"):
        rest = after.strip()
        if not rest:  # the comment is only the directive: it goes, with the spaces before it
            code_end = len(line[:directive.comment_start - 1].rstrip())
            edit = Edit("", Location(row, code_end + 1), Location(row, comment_end))
        else:
            text = rest if rest.startswith("#") else f"# {rest}"
            edit = Edit(text, Location(row, directive.comment_start), Location(row, comment_end))
    else:  # after other comment text (a type-ignore): the directive and the spaces before it go
        start = directive.comment_start + len(before.rstrip())
        edit = Edit("", Location(row, start), Location(row, directive.end))
    return Fix(f"Remove the unused {_label(directive)} directive", "safe", (edit,))
