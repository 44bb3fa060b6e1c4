"""``keraslint server``: a Language Server (LSP over stdio, pygls 2) for editors.

What it does:

- checks Python documents when they are opened, saved, and 0.3 s after the last change
  (a newer change cancels the pending run, and stops the check of an older version that is
  still running), with the settings the CLI would use for that path (the nearest
  ``pyproject.toml`` with ``[tool.keraslint]``; defaults without one; files the
  configuration excludes are not checked, as with ``check --force-exclude``);
- checks in a child process (``keraslint.server_worker``) under the CLI's per-file budget and a
  memory limit, so a document that would hang, crash or exhaust the parser is a KL009 for that
  document, and the server keeps answering, shuts down and exits whatever a check does;
- publishes every finding as an LSP diagnostic (0-based, end-exclusive ranges in the position
  encoding negotiated with the client; rule code, link to the explain page, severity);
- offers each fix as a quick fix (unsafe ones say so in the title) and all safe fixes at
  once as the ``source.fixAll.keraslint`` code action.

It never takes the editor down with it: a file that does not parse is a KL001 diagnostic like
any other finding, and an exception while checking is logged (``window/logMessage``) while the
previous diagnostics stay up. ``exit`` ends the process with 0 after ``shutdown`` and 1
without it, as the LSP specification says. Notebooks are out of scope: only ``python``
documents with a ``file:`` or ``untitled:`` URI are checked.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import traceback
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import PositionCodec, TextDocument

from keraslint import __version__
from keraslint.checker import without_via
from keraslint.config import display_path
from keraslint.diagnostics import Diagnostic, Edit, Fix, Location, Severity
from keraslint.lines import LINE_BREAK, split_lines
from keraslint.run import _budget  # the CLI's per-file budget, so both stop a file at the same point
from keraslint.server_worker import Cancelled, CheckWorker, Outcome, Target, WorkerError

__all__ = ["DEBOUNCE_SECONDS", "FIX_ALL_KIND", "KeraslintLanguageServer", "WorkerError", "create_server", "serve",
           "split_lines"]

logger = logging.getLogger(__name__)

SOURCE = "keraslint"
#: how long to wait after the last change before checking (a newer change restarts the wait)
DEBOUNCE_SECONDS = 0.3
FIX_ALL_KIND = "source.fixAll.keraslint"
_CHECKED_SCHEMES = ("file", "untitled")

_SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFO: lsp.DiagnosticSeverity.Information,
}

# --------------------------------------------------------------------------- positions


def to_position(lines: Sequence[str], location: Location, units: PositionCodec) -> lsp.Position:
    """keraslint's 1-based row and code-point column -> LSP's 0-based line and character
    (in the code units the client negotiated: UTF-16 unless it asked for UTF-8/32)."""
    line = location.row - 1
    if line < 0:
        return lsp.Position(line=0, character=0)
    if line >= len(lines):  # past the end (an insertion after the last line): the document's end
        line = len(lines) - 1
        return lsp.Position(line=line, character=units.client_num_units(lines[line]))
    column = min(max(location.column - 1, 0), len(lines[line]))
    return lsp.Position(line=line, character=units.client_num_units(lines[line][:column]))


def to_range(lines: Sequence[str], start: Location, end: Location, units: PositionCodec) -> lsp.Range:
    return lsp.Range(start=to_position(lines, start, units), end=to_position(lines, end, units))


def _key(position: lsp.Position) -> tuple[int, int]:
    return position.line, position.character


def _touches(a: lsp.Range, b: lsp.Range) -> bool:
    """The ranges overlap or meet (a cursor at either end of a finding is on it)."""
    return _key(a.start) <= _key(b.end) and _key(b.start) <= _key(a.end)


# --------------------------------------------------------------------------- state


@dataclass
class Checked:
    """The findings for one version of a document, and the text they were computed on."""

    version: int | None
    text: str
    diagnostics: list[Diagnostic]
    lsp_diagnostics: list[lsp.Diagnostic] = field(default_factory=list)
    #: the project modules this check read (resolved paths): editing one re-checks this document
    dependencies: frozenset[Path] = frozenset()
    #: findings this check made in those modules (shown in their documents when they are open)
    elsewhere: list[tuple[Path, Diagnostic]] = field(default_factory=list)


class KeraslintLanguageServer(LanguageServer):
    def __init__(self) -> None:
        # Full sync: the whole text on every change. Training scripts are small, and pygls's
        # incremental updates split lines with str.splitlines() (also at \f, \u2028 ...), which
        # would silently corrupt such documents.
        super().__init__(SOURCE, __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Full)
        self.debounce = DEBOUNCE_SECONDS
        self.checked: dict[str, Checked] = {}
        self._pending: dict[str, asyncio.Future[None]] = {}
        # One thread waits on the one child process: checks run one at a time, off the event
        # loop; a queued run that a newer version makes stale is dropped before it starts.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="keraslint-check")
        self.worker = CheckWorker(_budget())
        self._told: set[str] = set()
        self.shut_down = False

    # ---------------------------------------------------------------- documents

    def document(self, uri: str) -> TextDocument | None:
        """The open document at ``uri`` if it is one keraslint checks."""
        doc = self.workspace.text_documents.get(unquote(uri))
        if doc is None or (doc.language_id or "").lower() != "python":
            return None
        if urlparse(doc.uri).scheme not in _CHECKED_SCHEMES:
            return None
        return doc

    def schedule(self, uri: str, delay: float) -> None:
        """Check ``uri`` after ``delay`` seconds, replacing any run still pending for it."""
        self.cancel(uri)
        key = unquote(uri)
        task = asyncio.ensure_future(self._check_later(uri, delay))
        self._pending[key] = task

        def forget(done: asyncio.Future[None]) -> None:
            if self._pending.get(key) is done:
                del self._pending[key]

        task.add_done_callback(forget)

    def cancel(self, uri: str) -> None:
        task = self._pending.pop(unquote(uri), None)
        if task is not None:
            task.cancel()

    async def _check_later(self, uri: str, delay: float) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            doc = self.document(uri)
            if doc is None:
                return
            await self.check_now(doc)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - never let a check take the server down
            self.log(lsp.MessageType.Error, f"keraslint: checking {uri} failed: {exc!r}\n{traceback.format_exc()}")

    async def check_now(self, doc: TextDocument) -> Checked | None:
        """Check the document's current text in the worker and publish the result, unless the
        document changed (or closed) meanwhile: then a newer run is on its way. Returns the
        result for the text that was checked, or None when the check failed."""
        uri, version, text = doc.uri, doc.version, doc.source
        key = unquote(uri)
        loop = asyncio.get_running_loop()
        try:
            target = self.target(uri)
            buffers = self.open_texts(exclude=uri)
            self.worker.want(key, version)  # stops the check of an older version, running or queued
            outcome = await loop.run_in_executor(self._executor, self.worker.check, (key, version), target, text,
                                                 buffers)
        except asyncio.CancelledError:
            raise
        except Cancelled:
            return None  # stale, or the server is shutting down: the newer run publishes
        except Exception as exc:  # noqa: BLE001 - the previous diagnostics stay
            self.log(lsp.MessageType.Error,
                     f"keraslint: checking {uri} failed: {type(exc).__name__}: {exc}\n{traceback.format_exc()}")
            return None
        for note in outcome.notes:
            if note not in self._told:
                self._told.add(note)
                self.log(lsp.MessageType.Warning, note)
                self.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Warning, message=note))
        checked = Checked(version, text, outcome.diagnostics, dependencies=outcome.dependencies,
                          elsewhere=outcome.elsewhere)
        checked.lsp_diagnostics = self.to_lsp(checked)
        current = self.document(uri)
        if current is not None and current.version == version and current.source == text:
            before = self.checked.get(unquote(uri))
            self.checked[unquote(uri)] = checked
            self.publish(uri)
            touched = {p for p, _ in checked.elsewhere} | ({p for p, _ in before.elsewhere} if before else set())
            for other in self.open_uris():
                if other != unquote(uri) and self._path_of(other) in touched:
                    self.publish(other)
        return checked

    def publish(self, uri: str) -> None:
        """The document's own findings, plus those that checks of other open documents made in
        it (a layer in model.py made wrong by the call in train.py), each once."""
        key = unquote(uri)
        checked = self.checked.get(key)
        if checked is None:
            return
        path = self._path_of(key)
        extra = [d for other, c in self.checked.items() if other != key for p, d in c.elsewhere if p == path]
        seen = {(d.location, d.code, without_via(d.message)) for d in checked.diagnostics}
        added = []
        for d in extra:
            mark = (d.location, d.code, without_via(d.message))
            if mark not in seen:
                seen.add(mark)
                added.append(d)
        units = self.workspace.position_codec
        lines = split_lines(checked.text)
        diagnostics = checked.lsp_diagnostics + [self.to_lsp_diagnostic(d, lines, units) for d in added]
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=checked.version))

    def open_uris(self) -> list[str]:
        return [unquote(d.uri) for d in list(self.workspace.text_documents.values()) if self.document(d.uri)]

    @staticmethod
    def _path_of(uri: str) -> Path | None:
        fs_path = to_fs_path(uri)
        return Path(fs_path).resolve() if fs_path is not None else None

    def open_texts(self, exclude: str) -> dict[Path, str]:
        """The open documents' current texts by path: the modules a check imports are read from
        the editor, not from the disk."""
        texts = {}
        for uri in self.open_uris():
            path = self._path_of(uri)
            doc = self.document(uri)
            if uri != unquote(exclude) and path is not None and doc is not None:
                texts[path] = doc.source
        return texts

    def dependents(self, uri: str) -> list[str]:
        """The open documents whose last check read the module at ``uri``."""
        path = self._path_of(unquote(uri))
        return [other for other, c in self.checked.items() if other != unquote(uri) and path in c.dependencies]

    def clear(self, uri: str) -> None:
        self.cancel(uri)
        self.checked.pop(unquote(uri), None)
        self.worker.forget(unquote(uri))
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def recheck_all(self) -> None:
        for doc in list(self.workspace.text_documents.values()):
            if self.document(doc.uri) is not None:
                self.schedule(doc.uri, 0)

    # ---------------------------------------------------------------- settings and checking

    def _root_for(self, path: Path) -> Path:
        """The workspace folder holding ``path`` (the deepest), else the root, else its folder."""
        best: Path | None = None
        for folder in self.workspace.folders.values():
            folder_path = to_fs_path(folder.uri)
            if folder_path is None:
                continue
            candidate = Path(folder_path)
            if (candidate == path or candidate in path.parents) and (best is None or best in candidate.parents):
                best = candidate
        if best is None and self.workspace.root_path:
            root = Path(self.workspace.root_path)
            if root == path or root in path.parents:
                best = root
        return best or path.parent

    def target(self, uri: str) -> Target:
        """Where the document is and how messages name it (read here, on the event loop's
        thread: the workspace is not touched from the worker)."""
        fs_path = to_fs_path(uri)
        if fs_path is not None:
            path = Path(fs_path).absolute()
            cwd = self._root_for(path)
            return Target(path, cwd, display_path(path, cwd), on_disk=True)
        # untitled: the workspace's settings, as if the file were at its root
        cwd = Path(self.workspace.root_path) if self.workspace.root_path else Path.cwd()
        name = unquote(urlparse(uri).path) or "untitled"
        return Target(cwd / (name.rsplit("/", 1)[-1] or "untitled"), cwd, name, on_disk=False)

    # ---------------------------------------------------------------- conversions

    def to_lsp(self, checked: Checked) -> list[lsp.Diagnostic]:
        lines = split_lines(checked.text)
        units = self.workspace.position_codec
        return [self.to_lsp_diagnostic(d, lines, units) for d in checked.diagnostics]

    @staticmethod
    def to_lsp_diagnostic(d: Diagnostic, lines: Sequence[str], units: PositionCodec) -> lsp.Diagnostic:
        return lsp.Diagnostic(
            range=to_range(lines, d.location, d.end_location, units),
            severity=_SEVERITY.get(d.severity, lsp.DiagnosticSeverity.Warning),
            code=d.code,
            code_description=lsp.CodeDescription(href=d.url) if d.url else None,
            source=SOURCE,
            message=d.message,
        )

    def text_edits(self, edits: Sequence[Edit], lines: Sequence[str]) -> list[lsp.TextEdit]:
        units = self.workspace.position_codec
        return [lsp.TextEdit(range=to_range(lines, e.location, e.end_location, units), new_text=e.content)
                for e in edits]

    def workspace_edit(self, uri: str, version: int | None, edits: list[lsp.TextEdit]) -> lsp.WorkspaceEdit:
        """Versioned ``documentChanges`` when the client takes them (it then refuses an edit
        made for an older text), else plain ``changes``."""
        caps = self.client_capabilities
        versioned = bool(caps.workspace and caps.workspace.workspace_edit
                         and caps.workspace.workspace_edit.document_changes)
        if versioned:
            return lsp.WorkspaceEdit(document_changes=[lsp.TextDocumentEdit(
                text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                edits=edits)])
        return lsp.WorkspaceEdit(changes={uri: edits})

    # ---------------------------------------------------------------- code actions

    async def current(self, doc: TextDocument) -> Checked | None:
        """Findings for the document's text as it is now (checked afresh if it changed)."""
        checked = self.checked.get(unquote(doc.uri))
        if checked is not None and checked.text == doc.source:
            return checked
        return await self.check_now(doc)

    async def code_actions(self, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        doc = self.document(params.text_document.uri)
        if doc is None:
            return []
        only = params.context.only
        want_quick_fix = _wanted(only, lsp.CodeActionKind.QuickFix)
        want_fix_all = _wanted(only, FIX_ALL_KIND)
        if not (want_quick_fix or want_fix_all):
            return []
        checked = await self.current(doc)
        if checked is None:
            return []
        lines = split_lines(checked.text)
        actions: list[lsp.CodeAction] = []
        if want_quick_fix:
            for diagnostic, lsp_diagnostic in zip(checked.diagnostics, checked.lsp_diagnostics):
                if diagnostic.fix is None or not _touches(lsp_diagnostic.range, params.range):
                    continue
                fix = diagnostic.fix
                unsafe = fix.applicability != "safe"
                actions.append(lsp.CodeAction(
                    title=f"{SOURCE} ({diagnostic.code}): {fix.message}" + (" (unsafe)" if unsafe else ""),
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[lsp_diagnostic],
                    is_preferred=not unsafe,
                    edit=self.workspace_edit(doc.uri, checked.version, self.text_edits(fix.edits, lines)),
                ))
        if want_fix_all:
            safe = [d.fix for d in checked.diagnostics if d.fix is not None and d.fix.applicability == "safe"]
            new_text = await self._fix_all(doc, checked, safe) if safe else checked.text
            if new_text != checked.text:
                actions.append(lsp.CodeAction(
                    title=f"{SOURCE}: Apply all safe fixes",
                    kind=FIX_ALL_KIND,
                    edit=self.workspace_edit(doc.uri, checked.version, [self.replacement(checked.text, new_text)]),
                ))
        return actions

    async def _fix_all(self, doc: TextDocument, checked: Checked, fixes: list[Fix]) -> str:
        """The text with every safe fix applied (in the child: overlapping fixes re-check the
        text); the text unchanged when that cannot finish, so the quick fixes still stand."""
        try:
            return await asyncio.get_running_loop().run_in_executor(
                self._executor, self.worker.fix, (unquote(doc.uri), checked.version), self.target(doc.uri),
                checked.text, fixes)
        except Cancelled:
            return checked.text  # a newer version arrived: these fixes are stale
        except WorkerError as exc:
            self.log(lsp.MessageType.Error, f"keraslint: applying all fixes to {doc.uri} failed: {exc}")
            return checked.text

    def replacement(self, old: str, new: str) -> lsp.TextEdit:
        """One edit turning ``old`` into ``new``: the changed middle, so the cursor and folds
        outside it stay where they are."""
        prefix = 0
        limit = min(len(old), len(new))
        while prefix < limit and old[prefix] == new[prefix]:
            prefix += 1
        suffix = 0
        while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
            suffix += 1
        end_old, end_new = len(old) - suffix, len(new) - suffix
        # never start or end between \r and \n (LSP positions cannot point there)
        if 0 < prefix < len(old) and old[prefix - 1:prefix + 1] == "\r\n":
            prefix -= 1
        if 0 < end_old < len(old) and old[end_old - 1:end_old + 1] == "\r\n":
            end_old, end_new = end_old + 1, end_new + 1
        start, end = self._location(old, prefix), self._location(old, end_old)
        units = self.workspace.position_codec
        return lsp.TextEdit(range=to_range(split_lines(old), start, end, units), new_text=new[prefix:end_new])

    @staticmethod
    def _location(text: str, offset: int) -> Location:
        before = text[:offset]
        breaks = list(LINE_BREAK.finditer(before))
        if not breaks:
            return Location(1, offset + 1)
        return Location(len(breaks) + 1, offset - breaks[-1].end() + 1)

    # ---------------------------------------------------------------- messages

    def log(self, kind: lsp.MessageType, message: str) -> None:
        logger.log(logging.ERROR if kind == lsp.MessageType.Error else logging.INFO, "%s", message)
        try:
            self.window_log_message(lsp.LogMessageParams(type=kind, message=message))
        except Exception:  # noqa: BLE001 - the client is gone; stderr has it
            pass

    def stop_checks(self) -> None:
        """No check runs after this: pending ones are cancelled and the child is killed, so the
        thread waiting on it returns and the process can exit."""
        for uri in list(self._pending):
            self.cancel(uri)
        self.worker.close()
        self._executor.shutdown(wait=False, cancel_futures=True)


def _wanted(only: Sequence[str] | None, kind: str) -> bool:
    """``kind`` is asked for: no filter, or a filter naming it or a parent kind (``source``)."""
    if not only:
        return True
    return any(kind == wanted or kind.startswith(f"{wanted}.") for wanted in only)


def create_server() -> KeraslintLanguageServer:
    server = KeraslintLanguageServer()

    @server.feature(lsp.INITIALIZED)
    async def initialized(ls: KeraslintLanguageServer, params: lsp.InitializedParams) -> None:
        ls.worker.start()  # its imports overlap with the client opening the first document
        # Re-check the open documents when a pyproject.toml changes, if the client can tell us.
        caps = ls.client_capabilities.workspace
        watched = caps.did_change_watched_files if caps else None
        if watched is None or not watched.dynamic_registration:
            return
        try:
            await ls.client_register_capability_async(lsp.RegistrationParams(registrations=[lsp.Registration(
                id="keraslint-pyproject", method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=lsp.DidChangeWatchedFilesRegistrationOptions(
                    watchers=[lsp.FileSystemWatcher(glob_pattern="**/pyproject.toml"),
                              lsp.FileSystemWatcher(glob_pattern="**/*.py")]))]))
        except Exception as exc:  # noqa: BLE001 - optional nicety
            ls.log(lsp.MessageType.Info, f"keraslint: could not watch pyproject.toml files: {exc}")

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files_changed(ls: KeraslintLanguageServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        if any(change.uri.endswith("pyproject.toml") for change in params.changes):
            ls.recheck_all()
            return
        # A module changed on disk (a checkout, another editor): re-check the documents that import it.
        for other in {o for change in params.changes for o in ls.dependents(change.uri)}:
            ls.schedule(other, 0)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def configuration_changed(ls: KeraslintLanguageServer, params: lsp.DidChangeConfigurationParams) -> None:
        """keraslint reads pyproject.toml, not editor settings; accepted so clients that send
        it (most do) do not fill the log with 'unknown method' warnings."""

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: KeraslintLanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
        if ls.document(params.text_document.uri) is not None:
            ls.schedule(params.text_document.uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: KeraslintLanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
        if ls.document(params.text_document.uri) is not None:
            ls.schedule(params.text_document.uri, ls.debounce)
            for other in ls.dependents(params.text_document.uri):  # train.py imports this model.py
                ls.schedule(other, ls.debounce)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: KeraslintLanguageServer, params: lsp.DidSaveTextDocumentParams) -> None:
        if ls.document(params.text_document.uri) is not None:
            ls.schedule(params.text_document.uri, 0)
            for other in ls.dependents(params.text_document.uri):
                ls.schedule(other, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: KeraslintLanguageServer, params: lsp.DidCloseTextDocumentParams) -> None:
        ls.clear(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(
        code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=False))
    async def code_action(ls: KeraslintLanguageServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        try:
            return await ls.code_actions(params)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - no fixes is better than an error popup
            ls.log(lsp.MessageType.Error, f"keraslint: code actions failed: {exc!r}\n{traceback.format_exc()}")
            return []

    @server.feature(lsp.SHUTDOWN)
    def shutdown(ls: KeraslintLanguageServer, params: None) -> None:
        ls.shut_down = True
        ls.stop_checks()

    @server.feature(lsp.EXIT)
    def exit_(ls: KeraslintLanguageServer, params: None) -> None:
        ls.stop_checks()  # `exit` without `shutdown`: nothing may keep the process alive

    return server


def serve() -> int:
    """Run the server on stdin/stdout until the client sends ``exit`` (or closes the pipe).
    Returns the exit code: 0 after ``shutdown``, 1 without it (LSP; pygls's own SystemExit
    carrying that code is swallowed by ``start_io``)."""
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="keraslint-server: %(message)s")
    server = create_server()
    try:
        server.start_io()
    finally:
        server.stop_checks()
    return 0 if server.shut_down else 1
