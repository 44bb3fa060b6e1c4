"""Check one file: read, parse once, analyse once, run every selected rule, suppress.

A crash inside one rule becomes a KL009 finding for that file and the other rules still
report; KL001/KL002/KL009 are produced here, not by the rule modules that document them.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import threading
import traceback
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any


from keraslint.config import display_path
from keraslint.context import Context
from keraslint.diagnostics import Diagnostic, Location, Pass, Severity
from keraslint.lines import text_lines
from keraslint.registry import all_rules
from keraslint.rule import Finding, Rule
from keraslint.source.analysis import analyze
from keraslint.source.module_files import share_tree, shared_tree
from keraslint.source.parsing import NotParsed, parse, reusing
from keraslint.source.reading import (MAX_NOTEBOOK_BYTES, TooLarge, Unreadable, decode_source, read_bounded,
                                      source_encoding)
from keraslint.suppression import might_suppress, parse_suppressions

if TYPE_CHECKING:
    from keraslint.source.notebook import Notebook

INVALID_SYNTAX = ("KL001", "invalid-syntax")
UNREADABLE = ("KL002", "unreadable-input")
INTERNAL_ERROR = ("KL009", "internal-error")
_META_CODES = frozenset({INVALID_SYNTAX[0], UNREADABLE[0], INTERNAL_ERROR[0]})


@dataclass
class FileReport:
    filename: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    source: str | None = None
    #: the file's encoding (PEP 263), so fixes write it back the way it was read
    encoding: str | None = None
    #: the analysis the rules read (kept for `keraslint shapes`); None when the file did not parse
    context: Context | None = field(default=None, repr=False)
    notebook: Notebook | None = field(default=None, repr=False)
    #: the bytes as read, kept only for --fix: the file must still hold them when it is rewritten
    data: bytes | None = field(default=None, repr=False)
    #: the project's other modules the analysis read: resolved path -> sha256 of their bytes
    #: (a cached result is valid only while each still hashes the same)
    dependencies: dict[str, str] = field(default_factory=dict)
    #: what the analysis understood (models found, fully shaped, first unknown reasons): a JSON
    #: value, so it travels back from worker processes and through the cache
    coverage: Any = None
    #: what the user should know that is not a finding ("model.py does not parse: skipped")
    notes: list[str] = field(default_factory=list)
    #: for --verbose: how long the check took (None when it was not run), and whether the
    #: findings came from the cache
    seconds: float | None = None
    from_cache: bool = False
    #: (the source they were split from, its lines): split once, however many findings show a line
    _lines: tuple[str, list[str]] | None = field(default=None, repr=False, compare=False)

    @property
    def internal_error(self) -> bool:
        return any(d.code == INTERNAL_ERROR[0] for d in self.diagnostics)

    def source_line(self, row: int, cell: int | None = None) -> str | None:
        if cell is not None and self.notebook is not None:
            return self.notebook.source_line(cell, row)
        if self.source is None:
            return None
        if self._lines is None or self._lines[0] is not self.source:
            self._lines = (self.source, text_lines(self.source))
        lines = self._lines[1]
        return lines[row - 1] if 0 < row <= len(lines) else None


def _meta(code_name: tuple[str, str], filename: str, message: str, row: int = 1, column: int = 1,
          end: Location | None = None) -> Diagnostic:
    start = Location(row, column)
    return Diagnostic(code=code_name[0], name=code_name[1], severity=Severity.ERROR, pass_=Pass.SOURCE,
                      message=message, filename=filename, location=start,
                      end_location=end or Location(row, column + 1), noqa_row=None)


def unreadable(filename: str, message: str) -> Diagnostic:
    """A KL002 finding for ``filename`` (an input that could not be read at all)."""
    return _meta(UNREADABLE, filename, message)


#: a script larger than this is skipped with a note: libcst alone peaks near 190 MB per 100 KB of
#: dense code (docs/robustness.md), and a larger file is data, not a training script
MAX_SOURCE_BYTES = 2 * 1024 * 1024


def size_note(filename: str, size: int, limit: int) -> str:
    """The one line a file over the size limit gets instead of a check."""
    return f"{filename} is {size / 1048576:.1f} MB, over the {limit / 1048576:g} MB limit for one file; skipped"


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    detail = text[0] if text else ""
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def check_source(data: bytes | str, filename: str, *, selected: Collection[str],
                 options: Mapping[str, Any] | None = None, script_dir: Path | None = None,
                 row_label: Callable[[int], str] | None = None, path: Path | None = None,
                 notebook: Notebook | None = None, summarize: bool = True) -> FileReport:
    """Check one file's contents. ``selected`` holds the active rule codes; ``script_dir`` is the
    script's folder, where data files it names relatively and the project modules it imports
    are looked for; ``path`` is the file itself (so it never imports itself); ``notebook``, the
    notebook ``data`` is the joined program of (its coverage counts lines inside cells).
    ``summarize=False`` leaves ``coverage`` unset (the language server shows findings only, and
    the summary needs every model's positions: a third of a re-check of a 1,000-line file)."""
    report = FileReport(filename, notebook=notebook)
    report.coverage = {"models": [], "analysed": False}  # until the analysis runs
    try:
        text = data if isinstance(data, str) else decode_source(data)
        report.encoding = "utf-8" if isinstance(data, str) else source_encoding(data)
    except Unreadable as exc:
        if UNREADABLE[0] in selected:
            report.diagnostics.append(_meta(UNREADABLE, filename, f"Cannot read {filename}: {exc.reason}"))
        return report
    report.source = text
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_SOURCE_BYTES:
        report.notes.append(size_note(filename, size, MAX_SOURCE_BYTES))
        return report
    # A project's module checked here may have been parsed already as another file's import.
    share_as = path if notebook is None and not reusing() else None
    module = shared_tree(share_as, text) if share_as is not None else None
    try:
        if module is None:
            module = parse(text, filename)
            if share_as is not None:
                share_tree(share_as, text, module, checked=True)
    except NotParsed as exc:
        if exc.unsupported:
            # Valid code the parser's grammar lacks: nothing the user did wrong, so no finding
            # (nor exit 2), but they are told the file was skipped.
            report.notes.append(f"{filename} is {exc.message}")
            return report
        # A valid file over a parsing budget is not a syntax error: KL009 says it was not checked.
        code = INTERNAL_ERROR if exc.valid else INVALID_SYNTAX
        if code[0] in selected:
            report.diagnostics.append(_meta(code, filename, exc.message, exc.row, exc.column))
        return report

    try:
        facts = analyze(module, script_dir, path)
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the run
        if INTERNAL_ERROR[0] in selected:
            report.diagnostics.append(_meta(INTERNAL_ERROR, filename,
                                            f"the source pass failed on this file ({_one_line(exc)}); no rule ran"))
        return report
    report.dependencies = dict(facts.dependencies)
    report.notes = [f"{display_path(path)} (imported by {filename}) was skipped: {why}; its names are unknown"
                    for path, why in facts.module_notes]
    ctx = Context(filename=filename, source=text, module=module, facts=facts, graphs=facts.models.graphs(),
                  options=dict(options or {}), row_label=row_label)
    _run_rules(ctx, [r for r in all_rules() if r.code in selected and r.code not in _META_CODES], selected, report,
               summarize)
    return report


def check_model(path: Path, filename: str, *, selected: Collection[str],
                options: Mapping[str, Any] | None = None, data: Any = None) -> FileReport:
    """Check a saved model (.keras, .h5): only its JSON config is read, and the graph rules run.
    ``data`` (an Array) is what the model will be fed, for the data rules (KL201, KL202 ...)."""
    from keraslint.ir.saved import load_saved_model

    report = FileReport(filename)
    try:
        if not path.is_dir() and not stat.S_ISREG(os.stat(path).st_mode):
            # A FIFO named m.keras would block the reader until the per-file budget ran out.
            raise Unreadable("not a regular file")
        graphs = load_saved_model(path)
    except OSError as exc:
        if UNREADABLE[0] in selected:
            report.diagnostics.append(_meta(UNREADABLE, filename, f"Cannot read {filename}: "
                                                                  f"{exc.strerror or type(exc).__name__}"))
        return report
    except Unreadable as exc:
        if UNREADABLE[0] in selected:
            report.diagnostics.append(_meta(UNREADABLE, filename, f"Cannot read {filename}: {exc.reason}"))
        return report
    ctx = Context(filename=filename, source="", module=None, facts=None, graphs=graphs, options=dict(options or {}),
                  external_input=data)
    rules = [r for r in all_rules() if r.code in selected and r.code not in _META_CODES and r.pass_ is Pass.GRAPH]
    _run_rules(ctx, rules, selected, report)
    return report


def _run_rules(ctx: Context, rules: Sequence[type[Rule]], selected: Collection[str], report: FileReport,
               summarize: bool = True) -> None:
    raw: list[Diagnostic] = []
    for rule in rules:
        try:
            raw.extend(_to_diagnostic(rule, finding, ctx) for finding in _dedupe(rule().check(ctx)))
        except Exception as exc:  # noqa: BLE001 - a crashing rule must not lose the others' findings
            if INTERNAL_ERROR[0] in selected:
                where = traceback.extract_tb(exc.__traceback__)[-1]
                raw.append(_meta(INTERNAL_ERROR, ctx.filename,
                                 f"rule {rule.code} ({rule.name}) failed: {_one_line(exc)} "
                                 f"[{Path(where.filename).name}:{where.lineno}]"))
    # The file's own suppressions are read whenever it may hold one: KL010 and the warning for
    # unknown codes need them even when nothing was found.
    own = parse_suppressions(ctx.source) if ctx.source and might_suppress(ctx.source) else None
    if raw and ctx.source:
        # A finding in an imported module obeys that module's `# noqa` comments.
        suppressions = {}
        if ctx.facts is not None:
            suppressions = {display_path(m.path): parse_suppressions(m.text) for m in ctx.facts.imported}
        suppressions[ctx.filename] = own if own is not None else parse_suppressions(ctx.source)
        raw = [d for d in raw if d.code in _META_CODES or d.filename not in suppressions
               or not suppressions[d.filename].suppresses(d.code, d.noqa_row)]
    if own is not None:
        from keraslint.unused_noqa import CODE as UNUSED_NOQA, unknown_code_warnings, unused_noqa

        known = {r.code for r in all_rules()}
        report.notes.extend(unknown_code_warnings(ctx.filename, own, known, ctx.row_label))
        # After a rule crashed, its suppressions look unused: no KL010 then.
        if UNUSED_NOQA in selected and not any(d.code == INTERNAL_ERROR[0] for d in raw):
            raw.extend(unused_noqa(ctx.filename, text_lines(ctx.source), own, selected, known,
                                   _definition_rows(ctx)))
    report.diagnostics.extend(raw)
    report.context = ctx
    if not summarize:
        return
    # Computed here, while the analysis is alive: a worker process or the cache hands back only this JSON value.
    from keraslint.summary import coverage, summarize_context  # it imports this module

    try:
        report.coverage = coverage(summarize_context(ctx, ctx.filename, notebook=report.notebook))
    except Exception as exc:  # noqa: BLE001 - a failing coverage summary must not lose the findings
        report.coverage = {"models": [], "error": _one_line(exc)}


def _definition_rows(ctx: Context) -> Callable[[int], bool]:
    """Whether a row is inside the body of a function (a top-level one, or a method) of a module
    others import: a file whose top level only defines things, with no ``__main__`` block
    (that is a script, whose own check runs it) and not a notebook. A finding there may come
    only from another file's call; a ``def`` line itself (defaults, decorators) runs at import."""
    import libcst as cst

    from keraslint.source.module_files import has_effects, is_main_guard

    if ctx.module is None or ctx.row_label is not None or has_effects(ctx.module) or any(
            isinstance(s, cst.If) and is_main_guard(s.test) for s in ctx.module.body):
        return lambda row: False
    functions = []
    for statement in ctx.module.body:
        if isinstance(statement, cst.FunctionDef):
            functions.append(statement)
        elif isinstance(statement, cst.ClassDef) and isinstance(statement.body, cst.IndentedBlock):
            functions += [s for s in statement.body.body if isinstance(s, cst.FunctionDef)]
    spans = []
    for function in functions:
        start, end = ctx.span(function)
        body = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
        first = ctx.span(body[0])[0].row if body else end.row + 1  # `def f(): return x` keeps its line
        spans.append((first, end.row))
    return lambda row: any(first <= row <= last for first, last in spans)


def _dedupe(findings: Any) -> list[Finding]:
    """Loops and repeated calls run the same code more than once; report each place once."""
    seen: set[tuple[Any, ...]] = set()
    unique = []
    for finding in findings:
        key = (id(finding.node) if finding.node is not None else (finding.start, finding.end), finding.message)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique


#: how a finding in an imported module names the call of the checked file that caused it
VIA = " [via `{call}`, {where}]"


def without_via(message: str) -> str:
    """The message without its ``VIA`` suffix: the same finding reached from two files is one."""
    cut = message.rfind(" [via `")
    return message[:cut] if cut >= 0 and message.endswith("]") else message


def local_lines(message: str, filename: str) -> str:
    """``model.py line 10`` as ``line 10`` in a message about model.py: a message names another
    file's lines with the file and its own without, whichever file was checked (so the finding
    the module's own check reports and the one a script's import reaches read the same)."""
    if filename not in message:
        return message
    return re.sub(rf"(?<![\w./\\-]){re.escape(filename)} (?=(?:line|cell) \d)", "", message)


def _to_diagnostic(rule: type[Rule], finding: Finding, ctx: Context) -> Diagnostic:
    foreign = ctx.source_of(finding.node) if finding.node is not None else None
    if foreign is not None:
        # Reported where the code is; a fix would edit the checked file's text, so none is offered.
        start, end = ctx.span(finding.node)
        message = local_lines(finding.message, display_path(foreign.path))
        origin = ctx.origin_of(finding.node)
        if origin is not None:
            message += VIA.format(call=ctx.code(origin, 40), where=ctx.where(origin))
        return Diagnostic(code=rule.code, name=rule.name, severity=finding.severity or rule.severity,
                          pass_=rule.pass_, message=message, filename=display_path(foreign.path), location=start,
                          end_location=end, noqa_row=start.row)
    if finding.node is not None and ctx.module is not None:
        start, end = ctx.span(finding.node)
    else:
        start = finding.start or Location(1, 1)
        end = finding.end or Location(start.row, start.column + 1)
    return Diagnostic(code=rule.code, name=rule.name, severity=finding.severity or rule.severity, pass_=rule.pass_,
                      message=local_lines(finding.message, ctx.filename), filename=ctx.filename, location=start,
                      end_location=end,
                      noqa_row=start.row if ctx.module is not None else None, fix=finding.fix)


MODEL_SUFFIXES = (".keras", ".h5", ".hdf5")


def check_notebook(data: bytes, filename: str, *, selected: Collection[str],
                   options: Mapping[str, Any] | None = None, script_dir: Path | None = None) -> FileReport:
    """A notebook's code cells checked as one program; findings carry their cell."""
    try:
        from keraslint.source.notebook import read_notebook  # only notebooks pay for the reader

        notebook = read_notebook(data)
    except Unreadable as exc:
        report = FileReport(filename)
        if UNREADABLE[0] in selected:
            report.diagnostics.append(_meta(UNREADABLE, filename, f"Cannot read {filename}: {exc.reason}"))
        return report
    report = check_source(notebook.program, filename, selected=selected, options=options, script_dir=script_dir,
                          row_label=notebook.row_label, notebook=notebook)
    # Findings in an imported module keep that module's rows; only the notebook's own map to cells.
    report.diagnostics = [notebook.map_diagnostic(d) if d.filename == filename else d for d in report.diagnostics]
    report.notebook = notebook
    return report


def is_model_file(path: Path) -> bool:
    return path.suffix.lower() in MODEL_SUFFIXES or path.is_dir() and (path / "saved_model.pb").exists()


def read_input(path: Path, filename: str, selected: Collection[str]) -> bytes | FileReport:
    """The file's bytes, or a report carrying KL002 when the system will not give them (a note
    and no finding when the file is over the size limit)."""
    limit = MAX_NOTEBOOK_BYTES if path.suffix.lower() == ".ipynb" else MAX_SOURCE_BYTES
    try:
        if path.is_dir():
            raise OSError(0, "a folder")
        # A FIFO or a device named *.py would block or never end: read_bounded refuses them.
        return read_bounded(path, limit)
    except TooLarge as exc:
        report = FileReport(filename)
        report.notes.append(size_note(filename, exc.size, limit))
        return report
    except OSError as exc:
        report = FileReport(filename)
        if UNREADABLE[0] in selected:
            reason = "missing" if isinstance(exc, FileNotFoundError) else exc.strerror or type(exc).__name__
            report.diagnostics.append(_meta(UNREADABLE, filename, f"Cannot read {filename}: {reason}"))
        return report


def check_file(path: Path, filename: str, *, selected: Collection[str],
               options: Mapping[str, Any] | None = None, data: bytes | None = None,
               model_input: Any = None) -> FileReport:
    """Check a script, a notebook or a saved model (``data``: the bytes, if already read;
    ``model_input``: an Array a saved model will be fed)."""
    if is_model_file(path):
        return check_model(path, filename, selected=selected, options=options, data=model_input)
    if data is None:
        read = read_input(path, filename, selected)
        if isinstance(read, FileReport):
            return read
        data = read
    if path.suffix.lower() == ".ipynb":
        return check_notebook(data, filename, selected=selected, options=options, script_dir=path.parent)
    return check_source(data, filename, selected=selected, options=options, script_dir=path.parent, path=path)


def not_checked(filename: str, selected: Collection[str], why: str) -> FileReport:
    """The report of a file whose check did not finish: one KL009 (when selected) saying why."""
    report = FileReport(filename)
    if INTERNAL_ERROR[0] in selected:
        report.diagnostics.append(_meta(INTERNAL_ERROR, filename, f"the file was not checked: {why}"))
    return report


def with_budget(seconds: float, filename: str, selected: Collection[str], work: Callable[[], FileReport]) -> FileReport:
    """Run ``work`` under a wall-clock budget: a pathological file becomes KL009 instead of
    hanging a commit. Needs SIGALRM (POSIX, main thread); elsewhere it just runs."""
    if seconds <= 0 or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return work()

    def expire(signum: int, frame: object) -> None:
        raise _BudgetExceeded

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return work()
    except _BudgetExceeded:
        report = FileReport(filename)
        if INTERNAL_ERROR[0] in selected:
            report.diagnostics.append(_meta(INTERNAL_ERROR, filename,
                                            f"analysis stopped after the {seconds:g} s per-file budget; the file was "
                                            f"not checked (set KERASLINT_FILE_BUDGET to change the budget)"))
        return report
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _BudgetExceeded(BaseException):
    """BaseException, so no `except Exception` in a rule swallows it."""


def sort_diagnostics(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=Diagnostic.sort_key)
