"""``keraslint shapes``: the models in each file, with their shapes, parameters and findings, as a
table, JSON or a diagram. It resolves settings and files as ``keraslint check`` does (keraslint.run)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from keraslint.checker import FileReport, with_budget
from keraslint.config import ConfigError, SettingsResolver, display_path
from keraslint.discovery import UsageError
from keraslint.printable import printable
from keraslint.progress import progress_bar
from keraslint.registry import rule_infos
from keraslint.reporters import use_color
from keraslint.run import (EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, CheckOptions, _budget, _check_one, _collect,
                           _write_source, option_specs)
from keraslint.selection import UnknownSelectorError
from keraslint.writing import NotWritten, write_binary, write_report


def run_shapes(paths: Sequence[Path], output_format: str, config: Path | None, *, stdout: TextIO,
               stderr: TextIO, output_file: Path | None = None) -> int:
    """``keraslint shapes``: the models in each file, with shapes, parameters and findings, as a
    table, JSON or a diagram (keraslint.reporters.diagram)."""
    from keraslint.reporters.diagram import IMAGE_FORMATS, DiagramError

    infos = rule_infos()
    options = CheckOptions(paths=paths, config=config)
    if output_format in IMAGE_FORMATS:
        # Said before the analysis, which can take a while: nothing can be drawn without `dot`.
        import shutil

        if shutil.which("dot") is None:
            stderr.write(f"keraslint: error: --output-format {output_format} needs Graphviz's `dot` program, "
                         "which is not on PATH (install Graphviz, or use --output-format dot or mermaid)\n")
            return EXIT_ERROR
        if output_file is None and _is_terminal(stdout):
            stderr.write(f"keraslint: error: not writing {output_format.upper()} to a terminal: "
                         "give --output-file FILE or redirect stdout\n")
            return EXIT_ERROR
    try:
        resolver = SettingsResolver(rules=infos, options=option_specs(), forced=config)
        files = _collect(options, resolver)
        reports, summaries = [], []
        with progress_bar(len(files), output_format, stderr) as advance:
            for path in files:
                # The same per-file budget as `check`: the table needs the analysis, so it runs here.
                found: list[Any] = []
                report = with_budget(_budget(), display_path(path), frozenset(s.code for s in infos),
                                     lambda path=path, found=found: _summarized(
                                         _check_one(path, resolver, options, infos), found))
                reports.append(report)
                summaries.extend(found)
                advance(1)
    except (UnknownSelectorError, ConfigError, UsageError) as exc:
        stderr.write(f"keraslint: error: {printable(str(exc))}\n")
        return EXIT_ERROR
    for report in reports:
        for note in report.notes:
            stderr.write(f"keraslint: note: {printable(note)}\n")
        for diagnostic in report.diagnostics:
            if diagnostic.code in ("KL001", "KL002", "KL009"):
                stderr.write(f"keraslint: {printable(diagnostic.filename)}: {printable(diagnostic.message)}\n")
    try:
        output = _shapes_output(summaries, output_format, stdout if output_file is None else None)
    except DiagramError as exc:  # `dot` missing or failing: one line
        stderr.write(f"keraslint: error: {exc}\n")
        return EXIT_ERROR
    try:
        if isinstance(output, bytes):
            if output_file is None:
                _write_source(stdout, output)
            else:
                write_binary(output, output_file)
        else:
            write_report(output, output_file, stdout)
    except NotWritten as exc:
        stderr.write(f"keraslint: error: {exc}\n")
        return EXIT_ERROR
    if any(r.internal_error for r in reports):
        return EXIT_ERROR
    # a file that could not be read or parsed was not shown: not a success, as `check` reports it
    unread = any(d.code in ("KL001", "KL002") for r in reports for d in r.diagnostics)
    return EXIT_FINDINGS if unread else EXIT_OK


def _shapes_output(summaries: Sequence[Any], output_format: str, terminal: TextIO | None) -> str | bytes:
    """What ``keraslint shapes`` prints in ``output_format`` (bytes for an image)."""
    import io
    import json

    from keraslint.reporters import diagram

    if output_format == "json":
        return json.dumps([s.to_json() for s in summaries], indent=2) + "\n"
    if output_format == "mermaid":
        return diagram.render_mermaid(summaries)
    if output_format == "dot":
        return diagram.render_dot(summaries)
    if output_format in diagram.IMAGE_FORMATS:
        return diagram.render_image(summaries, output_format)
    from rich.console import Console

    from keraslint.summary import render_table

    buffer = io.StringIO()
    color = terminal is not None and use_color(terminal)
    width = max(100, Console(file=terminal).width) if terminal is not None else 100
    render_table(summaries, Console(file=buffer, highlight=False, no_color=not color, force_terminal=color,
                                    width=width))
    return buffer.getvalue()


def _is_terminal(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):
        return False


def _summarized(report: FileReport, found: list[Any]) -> FileReport:
    from keraslint.summary import summarize

    found.extend(summarize(report))
    return report
