"""``keraslint check``: resolve settings and files, check each file, report, pick the exit code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from keraslint.checker import FileReport, check_file, sort_diagnostics
from keraslint.config import ConfigError, OptionSpec, SettingsResolver, display_path
from keraslint.diagnostics import Diagnostic
from keraslint.discovery import UsageError, collect_files
from keraslint.registry import all_rules, rule_infos
from keraslint.reporters import render, use_color
from keraslint.selection import RuleInfo, UnknownSelectorError, per_file_ignored, resolve, validate_selector

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


@dataclass
class CheckOptions:
    paths: Sequence[Path]
    output_format: str = "full"
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exit_zero: bool = False
    statistics: bool = False
    config: Path | None = None
    force_exclude: bool = False


def option_specs() -> dict[str, OptionSpec]:
    return {o.name: OptionSpec(o.name, o.type, o.default, o.help) for r in all_rules() for o in r.options}


def run_check(options: CheckOptions, *, stdout: TextIO, stderr: TextIO) -> int:
    infos = rule_infos()
    try:
        for selector in [*(options.select or []), *options.extend_select, *options.ignore]:
            validate_selector(selector, infos)
        resolver = SettingsResolver(rules=infos, options=option_specs(), forced=options.config)
        files = collect_files(list(options.paths), resolver, force_exclude=options.force_exclude)
        reports = [_check_one(path, resolver, options, infos) for path in files]
    except (UnknownSelectorError, ConfigError, UsageError) as exc:
        stderr.write(f"keraslint: error: {exc}\n")
        return EXIT_ERROR
    if not files:
        stderr.write(f"keraslint: warning: no Python files found under {', '.join(str(p) for p in options.paths)}\n")

    diagnostics = sort_diagnostics([d for r in reports for d in r.diagnostics])
    by_name = {r.filename: r for r in reports}

    def source_line(diagnostic: Diagnostic) -> str | None:
        report = by_name.get(diagnostic.filename)
        return report.source_line(diagnostic.location.row) if report else None

    output = render(options.output_format, diagnostics, files_checked=len(files), source_line=source_line,
                    color=use_color(stdout), statistics=options.statistics)
    stdout.write(output)
    stdout.flush()
    if any(r.internal_error for r in reports):
        return EXIT_ERROR
    if diagnostics and not options.exit_zero:
        return EXIT_FINDINGS
    return EXIT_OK


def run_shapes(paths: Sequence[Path], output_format: str, config: Path | None, *, stdout: TextIO,
               stderr: TextIO) -> int:
    """``keraslint shapes``: the models in each file, with shapes, parameters and findings."""
    import json

    from rich.console import Console

    from keraslint.summary import render_table, summarize

    infos = rule_infos()
    options = CheckOptions(paths=paths, config=config)
    try:
        resolver = SettingsResolver(rules=infos, options=option_specs(), forced=config)
        files = collect_files(list(paths), resolver)
        reports = [_check_one(path, resolver, options, infos) for path in files]
    except (UnknownSelectorError, ConfigError, UsageError) as exc:
        stderr.write(f"keraslint: error: {exc}\n")
        return EXIT_ERROR
    for report in reports:
        for diagnostic in report.diagnostics:
            if diagnostic.code in ("KL001", "KL002"):
                stderr.write(f"keraslint: {diagnostic.filename}: {diagnostic.message}\n")
    summaries = [s for report in reports for s in summarize(report)]
    if output_format == "json":
        stdout.write(json.dumps([s.to_json() for s in summaries], indent=2) + "\n")
    else:
        render_table(summaries, Console(file=stdout, highlight=False, no_color=not use_color(stdout),
                                        width=max(100, Console(file=stdout).width)))
    return EXIT_ERROR if any(r.internal_error for r in reports) else EXIT_OK


def _check_one(path: Path, resolver: SettingsResolver, options: CheckOptions, infos: list[RuleInfo]) -> FileReport:
    settings = resolver.for_path(path)
    if options.select is not None:
        # A --select on the command line replaces the configured selection (ruff's layering).
        selected = resolve(infos, select=options.select, extend_select=options.extend_select, ignore=options.ignore)
    else:
        selected = resolve(infos, select=settings.select,
                           extend_select=[*settings.extend_select, *options.extend_select],
                           ignore=[*settings.ignore, *options.ignore])
    selected = selected - per_file_ignored(path, settings.root, settings.per_file_ignores, infos)
    return check_file(path, display_path(path), selected=selected, options=settings.options)
