"""``keraslint check``: resolve settings and files, check each file, report, pick the exit code."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
import os
import sys
import time
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

from keraslint.cache import Cache, Entry
from keraslint.cache import key as cache_key
from keraslint.checker import (MAX_NOTEBOOK_BYTES, MAX_SOURCE_BYTES, FileReport, check_file, check_notebook,
                               check_source, is_model_file, not_checked, read_input, sort_diagnostics, unreadable,
                               with_budget, without_via)
from keraslint.config import ConfigError, OptionSpec, Settings, SettingsResolver, display_path, glob_problem
from keraslint.diagnostics import Diagnostic, Location
from keraslint.files import read_regular
from keraslint.lines import text_lines
from keraslint.printable import printable
from keraslint.progress import progress_bar
from keraslint.discovery import UsageError, _missing, collect_files, missing_reason
from keraslint.registry import all_rules, rule_infos
from keraslint.reporters import render, use_color
from keraslint.source import consulted
from keraslint.source.consulted import one_run
from keraslint.source.npy import read_header as read_npy_header
from keraslint.source.values import Array
from keraslint.source.reading import Unreadable, decode_source
from keraslint.selection import RuleInfo, UnknownSelectorError, per_file_ignored, resolve, validate_selector
from keraslint.verbose import VerboseLog, note_line
from keraslint.writing import NotWritten, write_report

if TYPE_CHECKING:
    from keraslint.source.notebook_json import JsonLocator

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


@dataclass
class CheckOptions:
    paths: Sequence[Path]
    output_format: str = "full"
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    #: --per-file-ignores GLOB:CODES from the command line (globs relative to the current folder),
    #: applied on top of the configured per-file-ignores
    per_file_ignores: list[tuple[str, list[str]]] = field(default_factory=list)
    exit_zero: bool = False
    statistics: bool = False
    #: after the report, what keraslint understood per file (models found, fully shaped, why not)
    show_coverage: bool = False
    #: print the files that would be checked / the settings of the first one, and stop
    show_files: bool = False
    show_settings: bool = False
    config: Path | None = None
    force_exclude: bool = False
    output_file: Path | None = None
    stdin_filename: str | None = None
    stdin: BinaryIO | None = None
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    no_cache: bool = False
    #: -2 --silent (fatal errors only), -1 --quiet (findings only), 0 normal, 1 --verbose
    verbosity: int = 0
    #: what saved models will be fed: a full shape (batch first) or a .npy file (header only)
    input_shape: tuple[int | None, ...] | None = None
    data: Path | None = None


def option_specs() -> dict[str, OptionSpec]:
    return {o.name: OptionSpec(o.name, o.type, o.default, o.help) for r in all_rules() for o in r.options}


def run_check(options: CheckOptions, *, stdout: TextIO, stderr: TextIO) -> int:
    infos = rule_infos()
    log = VerboseLog(stderr if options.verbosity > 0 else None)
    say = stderr.write if options.verbosity >= 0 else (lambda text: 0)  # notes and warnings
    missing: list[Path] = []
    try:
        for selector in [*(options.select or []), *options.extend_select, *options.ignore,
                         *(s for _, selectors in options.per_file_ignores for s in selectors)]:
            validate_selector(selector, infos)
        for pattern, _ in options.per_file_ignores:
            problem = glob_problem(pattern)
            if problem is not None:
                raise UsageError(f"--per-file-ignores: invalid pattern {pattern!r}: {problem}")
        resolver = SettingsResolver(rules=infos, options=option_specs(), forced=options.config)
        is_stdin = [str(p) for p in options.paths] == ["-"]
        if is_stdin:
            files = [Path(options.stdin_filename or "-")]
        else:
            files = _collect(options, resolver, missing)
            if missing and not files and len(missing) == len(options.paths):
                raise _missing(missing[0])  # nothing could be read: a usage error, as before
        if options.show_files and options.show_settings:
            raise UsageError("--show-files and --show-settings cannot be combined: give one")
        if options.show_files or options.show_settings:
            from keraslint.settings_report import show_files, show_settings

            if options.show_settings:
                stdout.write(show_settings(files[0] if files else options.paths[0], resolver, options, infos))
            else:
                stdout.write(show_files(files))
            return EXIT_OK
        log.settings(files, resolver)
        if (options.input_shape is not None or options.data is not None) and not any(map(is_model_file, files)):
            given = "--input-shape" if options.input_shape is not None else "--data"
            say(f"keraslint: warning: {given} describes the data a saved model (.keras, .h5) is fed; "
                f"no saved model is checked here (a script's data comes from its code), so it is ignored\n")
        if "KERASLINT_FILE_BUDGET" in os.environ and _budget_setting() is None:
            say(f"keraslint: warning: KERASLINT_FILE_BUDGET="
                f"{printable(os.environ['KERASLINT_FILE_BUDGET'])!s} is not a number of seconds; "
                f"using {FILE_BUDGET_SECONDS:g} s\n")
        if is_stdin:
            reports = [_check_stdin(resolver, options, infos)]
        else:
            reports = check_files(files, resolver, options, infos, progress=stderr)
            if missing:
                reports += [_missing_report(path) for path in missing]
                files = [*files, *missing]
        located_ignores(reports, ignores_for(resolver, options, infos))
        log.files(reports)
    except (UnknownSelectorError, ConfigError, UsageError) as exc:
        stderr.write(f"keraslint: error: {printable(str(exc))}\n")
        return EXIT_ERROR
    if not files:
        say(f"keraslint: warning: no Python files found under "
            f"{printable(', '.join(str(p) for p in options.paths))}\n")
    coverage_text = None
    if options.show_coverage:
        from keraslint.reporters.coverage import render_coverage

        for index, (path, report) in enumerate(zip(files, reports)):
            if report.coverage is None and path.exists():
                # A cache entry written before coverage was recorded: check this file again.
                settings = resolver.for_path(path)
                selected = _selected(path, settings, options, infos)
                again = with_budget(_budget(), report.filename, selected,
                                    lambda path=path, name=report.filename, selected=selected, settings=settings:
                                    check_file(path, name, selected=selected, options=settings.options))
                reports[index].coverage = again.coverage
        coverage_text = render_coverage([(r.filename, r.coverage) for r in reports])
    if options.fix or options.diff:
        from keraslint.fix_command import fix_files  # only a --fix/--diff run loads the fix machinery

        code = fix_files(files, reports, resolver, options, infos, stdout=stdout, stderr=stderr)
        if coverage_text is not None:
            stderr.write(coverage_text)  # stdout may carry the fixed source or a diff
        return code

    for note in dict.fromkeys(n for r in reports for n in r.notes):
        say(f"keraslint: {note_line(note)}\n")
    diagnostics = sort_diagnostics(unique_findings(reports))
    by_name = {r.filename: r for r in reports}
    imported_lines: dict[str, list[str]] = {}

    def source_line(diagnostic: Diagnostic) -> str | None:
        report = by_name.get(diagnostic.filename)
        if report is not None:
            return report.source_line(diagnostic.location.row, diagnostic.cell)
        lines = imported_lines.get(diagnostic.filename)
        if lines is None:  # a finding in a project module the checked files import
            lines = imported_lines[diagnostic.filename] = _read_lines(Path(diagnostic.filename))
        row = diagnostic.location.row
        return lines[row - 1] if 0 < row <= len(lines) else None

    output = render(options.output_format, diagnostics, files_checked=len(files), source_line=source_line,
                    color=use_color(stdout if options.output_file is None else None), statistics=options.statistics,
                    summary=options.verbosity >= 0, unsafe_fixes=options.unsafe_fixes,
                    file_location=_notebook_locations(files, reports))
    if options.verbosity < -1 and options.output_file is None:
        output = ""  # --silent: the exit code says it all
    # Machine formats keep their output parseable: coverage goes to stderr beside them.
    beside = coverage_text is not None and options.output_format in ("full", "concise")
    try:
        if output or coverage_text is not None or options.output_file is not None:
            write_report(output + ("\n" if output else "") + coverage_text if beside else output,
                         options.output_file, stdout)
    except NotWritten as exc:
        stderr.write(f"keraslint: error: {exc}\n")
        return EXIT_ERROR
    if coverage_text is not None and not beside:
        stderr.write(coverage_text)
    log.done()
    if any(r.internal_error for r in reports):
        return EXIT_ERROR
    if diagnostics and not options.exit_zero:
        return EXIT_FINDINGS
    return EXIT_OK


def _notebook_locations(files: Sequence[Path], reports: Sequence[FileReport]) -> \
        Callable[[Diagnostic], tuple[Location, Location] | None]:
    """Where a notebook's finding is in the notebook's JSON file (keraslint.source.notebook_json):
    each notebook is read again, once, only when a format asks."""
    notebooks = {r.filename: (p, r) for p, r in zip(files, reports) if r.notebook is not None}
    locators: dict[str, JsonLocator | None] = {}

    def locate(diagnostic: Diagnostic) -> tuple[Location, Location] | None:
        if diagnostic.cell is None or diagnostic.filename not in notebooks:
            return None
        if diagnostic.filename not in locators:
            path, report = notebooks[diagnostic.filename]
            data = report.data
            if data is None:
                try:
                    data = read_regular(path, MAX_NOTEBOOK_BYTES)
                except OSError:
                    data = None
            from keraslint.source.notebook_json import JsonLocator  # only when a notebook has findings

            locators[diagnostic.filename] = JsonLocator(data.decode("utf-8-sig", "replace")) if data else None
        locator = locators[diagnostic.filename]
        if locator is None:
            return None
        start = locator.locate(diagnostic.cell, diagnostic.location.row, diagnostic.location.column)
        if start is None:
            return None
        end = locator.locate(diagnostic.cell, diagnostic.end_location.row, diagnostic.end_location.column, end=True)
        return Location(*start), Location(*(end or start))

    return locate


def unique_findings(reports: Sequence[FileReport]) -> list[Diagnostic]:
    """Every finding once: a finding in an imported module that two checked files reach (or
    that the module's own check reports too) is the same finding, whichever call reached it."""
    found: list[Diagnostic] = []
    seen: set[tuple[Any, ...]] = set()
    files: dict[str, str] = {}  # a file reached under two spellings (../p/model.py, /abs/p/model.py) is one
    for report in reports:
        for diagnostic in report.diagnostics:
            name = files.get(diagnostic.filename)
            if name is None:
                name = files[diagnostic.filename] = consulted.resolved(Path(diagnostic.filename)) \
                    if diagnostic.filename != "-" else "-"
            key = (name, diagnostic.cell, diagnostic.location, diagnostic.code, without_via(diagnostic.message))
            if key not in seen:
                seen.add(key)
                found.append(diagnostic)
    return found


def _read_lines(path: Path) -> list[str]:
    try:
        return text_lines(decode_source(path.read_bytes()))
    except (OSError, Unreadable):
        return []


def _write_source(stdout: TextIO, data: bytes) -> None:
    """The source, byte for byte (its encoding and line endings), on stdout."""
    stdout.flush()
    buffer = getattr(stdout, "buffer", None)
    if buffer is not None:
        buffer.write(data)
        buffer.flush()
    else:  # an in-memory text stream (tests)
        stdout.write(data.decode("utf-8", "surrogateescape"))


def _check_stdin(resolver: SettingsResolver, options: CheckOptions, infos: list[RuleInfo]) -> FileReport:
    """``-``: the source comes from stdin; --stdin-filename names it for messages, config and ignores
    (and a name ending in .ipynb makes it a notebook, as the file would be)."""
    name = options.stdin_filename
    path = Path(name) if name else Path.cwd() / "-"
    notebook = path.suffix.lower() == ".ipynb"
    limit = MAX_NOTEBOOK_BYTES if notebook else MAX_SOURCE_BYTES
    stream = options.stdin or sys.stdin.buffer
    data = stream.read(limit + 1)
    if len(data) > limit:
        report = FileReport(name or "-")
        report.notes.append(f"{name or 'stdin'} is over the {limit / 1048576:g} MB limit for one file; skipped")
        if options.fix:
            data += stream.read()  # --fix echoes the source unchanged: all of it, never a truncated copy
        report.data = data
        return report
    selected = _selected(path, resolver.for_path(path), options, infos, per_file=False)
    settings = resolver.for_path(path)
    if notebook:
        report = check_notebook(data, name or "-", selected=selected, options=settings.options,
                                script_dir=path.parent)
    else:
        report = check_source(data, name or "-", selected=selected, options=settings.options,
                              script_dir=path.parent)
    report.data = data
    return report


def selected_rules(path: Path, settings: Settings, infos: Sequence[RuleInfo] | None = None, *,
                   select: Sequence[str] | None = None, extend_select: Sequence[str] = (),
                   ignore: Sequence[str] = (),
                   per_file_ignores: Sequence[tuple[str, Sequence[str]]] = (),
                   apply_per_file: bool = True) -> frozenset[str]:
    """The rule codes active for ``path``: command-line selectors over its configuration. The
    command line's ``per_file_ignores`` (globs relative to the current folder) add to the
    configured ones, as ruff's ``--per-file-ignores`` do. Without ``apply_per_file``: the rules
    to run on ``path``, whose findings may land in another file (``located_ignores``)."""
    infos = list(infos) if infos is not None else rule_infos()
    if select is not None:
        # A --select on the command line replaces the configured selection (ruff's layering).
        chosen = resolve(infos, select=select, extend_select=extend_select, ignore=ignore)
    else:
        where = f"`select = []` in {display_path(settings.path)}" if settings.path is not None else None
        chosen = resolve(infos, select=settings.select, extend_select=[*settings.extend_select, *extend_select],
                         ignore=[*settings.ignore, *ignore], origin=where)
    return chosen - ignored_in(path, settings, infos, per_file_ignores) if apply_per_file else chosen


def ignored_in(path: Path, settings: Settings | None, infos: Sequence[RuleInfo],
               per_file_ignores: Sequence[tuple[str, Sequence[str]]] = ()) -> frozenset[str]:
    """The codes the per-file-ignores switch off for findings in ``path``: its configuration's
    (None: none could be read), and the command line's (globs relative to the current folder)."""
    ignored = per_file_ignored(path, settings.root, settings.per_file_ignores, infos) \
        if settings is not None else frozenset()
    if per_file_ignores:
        table: dict[str, list[str]] = {}
        for pattern, selectors in per_file_ignores:
            table.setdefault(pattern, []).extend(selectors)
        ignored |= per_file_ignored(path, Path.cwd(), table, infos)
    return ignored


def _selected(path: Path, settings: Settings, options: CheckOptions, infos: list[RuleInfo], *,
              per_file: bool = True) -> frozenset[str]:
    return selected_rules(path, settings, infos, select=options.select, extend_select=options.extend_select,
                          ignore=options.ignore, per_file_ignores=options.per_file_ignores, apply_per_file=per_file)


def ignores_for(resolver: SettingsResolver, options: CheckOptions,
                infos: Sequence[RuleInfo]) -> Callable[[Path], frozenset[str]]:
    """``ignored`` for located_ignores. A file whose own configuration cannot be read (an
    imported module's broken pyproject.toml) keeps only the command line's entries: the run
    is the checked files', whose configurations were read, and it is not stopped for it."""
    def ignored(path: Path) -> frozenset[str]:
        try:
            settings: Settings | None = resolver.for_path(path)
        except (ConfigError, UnknownSelectorError):
            settings = None
        return ignored_in(path, settings, infos, options.per_file_ignores)
    return ignored


def located_ignores(reports: Sequence[FileReport], ignored: Callable[[Path], frozenset[str]]) -> None:
    """Per-file-ignores apply where a finding is reported, as ``# noqa`` does: a finding that a
    script's call makes in ``data.py`` obeys data.py's entry, and the script's entry hides only
    the script's own findings. So the rules run on every file with its selection before
    per-file-ignores (``_selected(per_file=False)``), and each finding is dropped here by its
    own file's (``ignored``: the codes switched off for a path)."""
    codes: dict[str, frozenset[str]] = {}
    for report in reports:
        kept = []
        for diagnostic in report.diagnostics:
            off = codes.get(diagnostic.filename)
            if off is None:
                off = codes[diagnostic.filename] = ignored(Path(diagnostic.filename))
            if diagnostic.code not in off:
                kept.append(diagnostic)
        report.diagnostics = kept


def _check_one(path: Path, resolver: SettingsResolver, options: CheckOptions, infos: list[RuleInfo]) -> FileReport:
    """One file checked as ``check`` would (``keraslint shapes`` marks its findings on layers)."""
    settings = resolver.for_path(path)
    selected = _selected(path, settings, options, infos, per_file=False)
    report = check_file(path, display_path(path), selected=selected, options=settings.options)
    located_ignores([report], ignores_for(resolver, options, infos))
    return report


#: with ``spawn`` (no ``fork``) a worker costs an import of keraslint: only worth it for many files
PARALLEL_MIN_FILES = 24
#: this many files or fewer (a pre-commit hook's few changed files, an editor's one) are checked
#: in this process: importing multiprocessing and forking workers cost more than the check (5
#: fixture files, medians of 21 cold runs on the loaded 2-core machine: 0.72 s -> 0.58 s wall,
#: 0.48 s -> 0.39 s CPU). The trade-off: here the per-file budget (SIGALRM) and the KL009 for a
#: file whose check raises still hold, but there is no memory limit, no CPU limit and no
#: watchdog, so a native crash of the parser ends the run and the alarm waits for native code
#: to return. The pre-parse (keraslint.source.parsing) refuses the inputs known to do that.
IN_PROCESS_MAX_FILES = 5
FILE_BUDGET_SECONDS = 20.0
#: address space per worker process: the largest file the parser accepts (MAX_NODES) peaks near
#: 0.75 GB of it (248,000 nodes: 720 MB), a training script near 50 MB; past this a runaway
#: analysis is stopped
FILE_MEMORY_MB = 4096


def _budget() -> float:
    found = _budget_setting()
    return FILE_BUDGET_SECONDS if found is None else found


def _budget_setting() -> float | None:
    """KERASLINT_FILE_BUDGET in seconds (0: no budget); None when it is not a finite number >= 0."""
    try:
        value = float(os.environ.get("KERASLINT_FILE_BUDGET", FILE_BUDGET_SECONDS))
    except ValueError:
        return None
    return value if 0 <= value < float("inf") else None


def _memory_limit() -> int | None:
    """KERASLINT_FILE_MEMORY (MB, 0: none) or the default, in bytes."""
    try:
        megabytes = float(os.environ.get("KERASLINT_FILE_MEMORY", FILE_MEMORY_MB))
    except ValueError:
        megabytes = FILE_MEMORY_MB
    return int(megabytes * 2 ** 20) if megabytes > 0 else None


def _run_jobs(jobs: list[_Job], advance: Callable[[int], None] = lambda n: None) -> list[FileReport]:
    """Each file in a worker process (keraslint.isolation): a file that crashes the parser, outlives
    its budget even in native code, or exhausts its memory is a KL009 for that file alone, and
    the other files are still checked. A few files are checked in this process instead
    (IN_PROCESS_MAX_FILES, and runs too short to pay for spawned workers). ``advance(1)`` is
    called as each file is done."""
    with one_run():
        return _run_pooled_or_here(jobs, advance)


def _run_pooled_or_here(jobs: list[_Job], advance: Callable[[int], None]) -> list[FileReport]:
    if len(jobs) <= IN_PROCESS_MAX_FILES:
        return _run_here(jobs, advance)
    # Loaded only for a pool: multiprocessing alone is a few milliseconds of every small run.
    from keraslint.isolation import Limits, cpu_count, default_start_method, run_isolated

    start_method = default_start_method()
    if start_method != "fork" and len(jobs) < PARALLEL_MIN_FILES:
        return _run_here(jobs, advance)
    workers = min(cpu_count(), 8, len(jobs))
    outcomes = run_isolated(jobs, _run_job, workers=workers, limits=Limits(_budget(), _memory_limit()),
                            start_method=start_method, on_done=lambda: advance(1))
    return [outcome if isinstance(outcome, FileReport) else not_checked(job.filename, job.selected, outcome.reason)
            for job, outcome in zip(jobs, outcomes)]


def _run_here(jobs: list[_Job], advance: Callable[[int], None]) -> list[FileReport]:
    """The jobs one by one in this process, each under its budget; a check that raises is that
    file's KL009 with the same words a worker's exception gets, and the next file is checked."""
    done = []
    for job in jobs:
        try:
            report = _run_job(job)
        except MemoryError:
            report = not_checked(job.filename, job.selected, "it ran out of memory")
        except Exception as exc:  # noqa: BLE001 - one file's crash is its finding, never a traceback
            report = not_checked(job.filename, job.selected, f"{type(exc).__name__}: {exc}".splitlines()[0])
        done.append(report)
        advance(1)
    return done


@dataclass(frozen=True)
class _Job:
    path: Path
    filename: str
    selected: frozenset[str]
    options: dict[str, Any]
    data: bytes | None
    model_input: Any = None


def _run_job(job: _Job) -> FileReport:
    """One file (in this process or a worker): checked under the per-file budget."""
    started = time.perf_counter()
    report = with_budget(_budget(), job.filename, job.selected,
                         lambda: check_file(job.path, job.filename, selected=job.selected, options=job.options,
                                            data=job.data, model_input=job.model_input))
    report.context = None  # the analysis stays in the worker; only findings travel back
    report.seconds = time.perf_counter() - started
    return report


def _from_cache(job: _Job, cached: Entry) -> FileReport:
    report = FileReport(job.filename, list(cached.diagnostics), dependencies=dict(cached.dependencies),
                        coverage=cached.coverage, notes=list(cached.notes), from_cache=True)
    data = job.data or b""
    try:
        if job.path.suffix.lower() == ".ipynb":
            from keraslint.source.notebook import read_notebook  # only notebooks pay for the reader

            report.notebook = read_notebook(data)
        else:
            report.source = decode_source(data)
    except Unreadable:
        pass
    return report


def _collect(options: CheckOptions, resolver: SettingsResolver, missing: list[Path] | None = None) -> list[Path]:
    """Scripts and notebooks under the paths; a TensorFlow SavedModel folder named explicitly is
    checked as one input (and reported as unsupported) rather than walked for scripts. Paths
    that do not exist go to ``missing`` when it is given (else they raise UsageError)."""
    saved_models = [p for p in options.paths if p.is_dir() and (p / "saved_model.pb").exists()]
    others = [p for p in options.paths if p not in saved_models]
    files = collect_files(others, resolver, force_exclude=options.force_exclude, extensions=(".py", ".ipynb"),
                          missing=missing) if others else []
    return sorted([*files, *saved_models], key=lambda p: p.as_posix())


def _missing_report(path: Path) -> FileReport:
    """A path named on the command line that is not there: KL002 for it (ruff's E902), while
    the other paths are still checked."""
    filename = display_path(path)
    return FileReport(filename, [unreadable(filename, f"Cannot read {filename}: it {missing_reason(path)}")])


def _model_input(options: CheckOptions) -> Array | None:
    """--input-shape 32,50,8 or --data X.npy as the Array a saved model is fed."""
    if options.input_shape is not None:
        return Array("numpy.ndarray", None, shape=options.input_shape, source="--input-shape")
    if options.data is not None:
        header = read_npy_header(None, str(options.data.resolve()))
        if header is None:
            raise UsageError(f"--data {options.data}: not a readable .npy file")
        shape, dtype = header
        return Array("numpy.ndarray", None, shape=shape, dtype=dtype, source=str(options.data))
    return None


def check_files(files: list[Path], resolver: SettingsResolver, options: CheckOptions,
                infos: list[RuleInfo], progress: TextIO | None = None) -> list[FileReport]:
    """Check files in order: cached results first, then the rest, in a process pool when there
    are many (the output order never depends on it). With ``progress`` (a stream), a progress
    bar may show on it (keraslint.progress decides)."""
    with progress_bar(len(files), options.output_format, progress) as advance:
        return _check_files(files, resolver, options, infos, advance)


def _check_files(files: list[Path], resolver: SettingsResolver, options: CheckOptions, infos: list[RuleInfo],
                 advance: Callable[[int], None]) -> list[FileReport]:
    use_cache = not (options.no_cache or options.fix or options.diff)
    cache = Cache() if use_cache else None
    reports: list[FileReport | None] = []
    todo: list[tuple[int, _Job, str | None]] = []
    for path in files:
        settings = resolver.for_path(path)
        selected = frozenset(_selected(path, settings, options, infos, per_file=False))
        filename = display_path(path)
        data: bytes | None = None
        if not is_model_file(path):
            read = read_input(path, filename, selected)
            if isinstance(read, FileReport):
                reports.append(read)
                advance(1)
                continue
            data = read
        job = _Job(path, filename, selected, dict(settings.options), data, _model_input(options))
        entry = cache_key(data, filename, selected, settings.options) if cache and data is not None else None
        cached = cache.get(entry, filename) if cache and entry else None
        if cached is not None:
            reports.append(_from_cache(job, cached))
            advance(1)
            continue
        todo.append((len(reports), job, entry))
        reports.append(None)
    if options.fix or options.diff:
        # Fixes need the analysis (positions, the tree): checked here, one by one. The bytes
        # stay with the report: the file is compared with them again just before it is written.
        done = []
        for _, job, _ in todo:
            done.append(with_budget(_budget(), job.filename, job.selected,
                                    lambda job=job: check_file(job.path, job.filename, selected=job.selected,
                                                               options=job.options, data=job.data)))
            advance(1)
        for (_, job, _), report in zip(todo, done):
            report.data = job.data
    else:
        done = _run_jobs([job for _, job, _ in todo], advance)
    for (index, _, entry), report in zip(todo, done):
        reports[index] = report
        if cache is not None and entry is not None and not report.internal_error:
            cache.put(entry, report.diagnostics, report.dependencies, report.coverage, report.notes)
    return [r for r in reports if r is not None]
