"""``keraslint check --fix`` and ``--diff``: apply the findings' fixes to scripts and notebooks,
write each file whole and atomically, and report what is left (called by keraslint.run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

from keraslint.checker import FileReport, check_notebook, check_source, sort_diagnostics
from keraslint.config import SettingsResolver
from keraslint.diagnostics import Fix
from keraslint.plural import plural
from keraslint.printable import printable
from keraslint.reporters import render, use_color
from keraslint.run import (EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, CheckOptions, _selected, _write_source, ignores_for,
                           located_ignores, unique_findings)
from keraslint.selection import RuleInfo
from keraslint.writing import NotWritten, write_fixed


def _wanted(report: FileReport, options: CheckOptions) -> list[Fix]:
    return [d.fix for d in report.diagnostics
            if d.fix is not None and (d.fix.applicability == "safe" or options.unsafe_fixes)]


def _fixed_source(report: FileReport, options: CheckOptions, recheck: Any) -> tuple[str, int, list[str]]:
    """Apply fixes until none is left (overlapping ones need another round); bounded. Also
    returns why fixes were refused (their result would not compile)."""
    source, total, refused = report.source or "", 0, []
    for _ in range(5):
        fixes = _wanted(report, options)
        if not fixes:
            break
        from keraslint.fixes import apply_fixes  # only a --fix/--diff run loads the fix machinery

        result = apply_fixes(source, fixes)
        refused += [f"{fix.message}: {why}" for fix, why in result.refused]
        source, total = result.text, total + result.applied
        if not result.applied:
            break
        report = recheck(source)
    return source, total, refused


def _encoded(report: FileReport, text: str) -> bytes:
    """The text in the file's own encoding; a BOM the file had is written back (utf-8-sig)."""
    return text.encode(report.encoding or "utf-8")


def fix_files(files: list[Path], reports: list[FileReport], resolver: SettingsResolver, options: CheckOptions,
               infos: list[RuleInfo], *, stdout: TextIO, stderr: TextIO) -> int:
    """--fix / --diff: fixes work on scripts (not notebooks or saved models); what is left is reported.

    A file is only ever replaced whole and atomically (keraslint.writing); one that cannot be
    written (read-only, full disk, changed meanwhile) is reported and the run goes on."""
    is_stdin = [str(p) for p in options.paths] == ["-"]
    fixed_count, changed, remaining, failed = 0, 0, [], False
    ignored = ignores_for(resolver, options, infos)
    for path, report in zip(files, reports):
        if report.notebook is not None and report.context is not None and report.data is not None:
            outcome = _fix_notebook(path, report, resolver, options, infos, is_stdin, ignored, stdout=stdout,
                                    stderr=stderr)
            if outcome is None:
                failed = True
                remaining.append(report)
                continue
            report, count = outcome
            fixed_count += count
            changed += count > 0
            remaining.append(report)
            continue
        if report.source is None or report.notebook is not None or report.context is None:
            if is_stdin and not options.diff:
                _write_source(stdout, report.data or b"")  # untouched: never the report in its place
            remaining.append(report)
            continue
        # as the first check ran: the rules before per-file-ignores, which then apply where each
        # finding is, and the project's modules followed (their findings stay in the report)
        selected = _selected(path, resolver.for_path(path), options, infos, per_file=False)
        settings = resolver.for_path(path)

        def recheck(text: str, name: str = report.filename, path: Path = path) -> FileReport:
            again = check_source(text, name, selected=selected, options=settings.options, script_dir=path.parent,
                                 path=path if path.exists() else None)
            located_ignores([again], ignored)
            return again

        new_source, count, refused = _fixed_source(report, options, recheck)
        for reason in refused:
            stderr.write(f"keraslint: {printable(report.filename)}: fix not applied ({printable(reason)})\n")
        if options.diff:
            if new_source != report.source:
                from keraslint.fixes import unified_diff

                stdout.write(unified_diff(report.filename, report.source, new_source))
                changed += 1
            fixed_count += count
            continue
        if new_source != report.source:
            if is_stdin:
                _write_source(stdout, _encoded(report, new_source))
            else:
                try:
                    write_fixed(path, report.data if report.data is not None else _encoded(report, report.source),
                                _encoded(report, new_source))
                except NotWritten as exc:
                    stderr.write(f"keraslint: error: {printable(report.filename)}: not fixed, {printable(str(exc))}\n")
                    failed = True
                    remaining.append(report)
                    continue
            changed += 1
            fixed_count += count
            report = recheck(new_source)
        elif is_stdin:
            _write_source(stdout, report.data if report.data is not None else _encoded(report, new_source))
        remaining.append(report)
    if options.diff:
        if options.verbosity >= 0:
            stderr.write(f"keraslint: {plural(fixed_count, 'fix')} available in {plural(changed, 'file')}\n")
        return EXIT_FINDINGS if changed else EXIT_OK
    diagnostics = sort_diagnostics(unique_findings(remaining))
    by_name = {r.filename: r for r in remaining}
    # With `-` stdout carries the source (an editor's format-on-save reads it): the report goes to stderr.
    report_to = stderr if is_stdin else stdout
    if (diagnostics or not is_stdin) and options.verbosity > -2:
        report_to.write(render(options.output_format, diagnostics, files_checked=len(files),
                               source_line=lambda d: by_name[d.filename].source_line(d.location.row, d.cell)
                               if d.filename in by_name else None,
                               color=use_color(report_to), statistics=options.statistics,
                               summary=options.verbosity >= 0, unsafe_fixes=options.unsafe_fixes))
    if fixed_count and options.verbosity >= 0:
        stderr.write(f"keraslint: fixed {plural(fixed_count, 'problem')} in {plural(changed, 'file')}\n")
    if failed or any(r.internal_error for r in remaining):
        return EXIT_ERROR
    return EXIT_FINDINGS if diagnostics and not options.exit_zero else EXIT_OK


def _fix_notebook(path: Path, report: FileReport, resolver: SettingsResolver, options: CheckOptions,
                  infos: list[RuleInfo], is_stdin: bool, ignored: Any, *, stdout: TextIO,
                  stderr: TextIO) -> tuple[FileReport, int] | None:
    """--fix / --diff on a notebook (keraslint.notebook_fixes): the report left and how many
    fixes were applied (or are available, with --diff); None when the file could not be written."""
    from keraslint.notebook_fixes import fix_notebook, notebook_diff

    settings = resolver.for_path(path)
    selected = _selected(path, settings, options, infos, per_file=False)

    def recheck(data: bytes) -> FileReport:
        again = check_notebook(data, report.filename, selected=selected, options=settings.options,
                               script_dir=path.parent)
        located_ignores([again], ignored)
        again.data = data
        return again

    def wanted(current: FileReport) -> list[Fix]:
        # a finding in a module the notebook imports is that module's to fix, not the notebook's
        return [d.fix for d in current.diagnostics if d.filename == report.filename and d.fix is not None
                and (d.fix.applicability == "safe" or options.unsafe_fixes)]

    fixed = fix_notebook(report, wanted, recheck)
    for reason in fixed.refused:
        stderr.write(f"keraslint: {printable(report.filename)}: fix not applied ({printable(reason)})\n")
    changed = fixed.data != report.data
    if options.diff:
        stdout.write(notebook_diff(report.filename, fixed))
        return report, fixed.applied if changed else 0
    if is_stdin:
        _write_source(stdout, fixed.data)
    elif changed:
        try:
            write_fixed(path, report.data or b"", fixed.data)
        except NotWritten as exc:
            stderr.write(f"keraslint: error: {printable(report.filename)}: not fixed, {printable(str(exc))}\n")
            return None
    return (fixed.report or report), fixed.applied if changed else 0
