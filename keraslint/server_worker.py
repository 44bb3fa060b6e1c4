"""The language server's checks, run in a child process the server can kill and replace.

A check may not end on its own: libcst's native parser cannot be interrupted (``x = f[0][0]...``
parses for minutes), constant folding can grow gigabytes, and a segfault in the parser would
take the editor's server with it. So the server never checks in its own process: one child
(``CheckWorker``) takes one request at a time over a pipe, under the CLI's per-file budget
(SIGALRM inside the child, as ``keraslint check`` does) and an address-space limit, and the
server waits at most the budget plus a grace period. A child that overruns, crashes or runs a
check a newer version of the document made stale is killed; the next request starts a new one.

The child is started with ``sys.path[0]`` removed: the server runs in the user's project
folder, and a ``typing.py`` or ``libcst/`` there must never be imported in keraslint's place.
"""

from __future__ import annotations

import os
import pickle
import queue
import signal
import struct
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from keraslint.checker import INTERNAL_ERROR
from keraslint.diagnostics import Diagnostic, Fix, Location, Pass, Severity

__all__ = ["Cancelled", "CheckWorker", "Outcome", "Target", "WorkerError", "fix_all", "run_check"]

#: time the server waits beyond the budget before it kills the child: the child's own SIGALRM
#: answers a slow analysis within the budget; only an uninterruptible parse needs the kill
GRACE_SECONDS = 3.0
_FIX_ROUNDS = 5
_HEADER = struct.Struct(">Q")


@dataclass(frozen=True)
class Target:
    path: Path  # for the settings lookup
    cwd: Path  # the workspace folder: config messages and displayed names are relative to it
    filename: str  # how messages name the file
    on_disk: bool  # a file: URI (excludes apply); False for untitled documents


@dataclass
class Outcome:
    diagnostics: list[Diagnostic]
    notes: list[str]  # configuration problems to show the user (once each)
    dependencies: frozenset[Path] = frozenset()
    elsewhere: list[tuple[Path, Diagnostic]] = field(default_factory=list)


class Cancelled(Exception):
    """The check was stopped because a newer version of the document (or shutdown) made it stale."""


class WorkerError(Exception):
    """The check raised inside the child; ``str()`` carries the child's traceback."""


# --------------------------------------------------------------------------- the checks


def run_check(target: Target, text: str, buffers: dict[Path, str] | None = None) -> Outcome:
    """One check, as the CLI would run it: the settings for the path, then keraslint on the
    editor's text (with the other open documents' texts standing in for their files)."""
    # Imported here: the server imports this module for the handle, the child for the checks.
    from keraslint.checker import check_source, with_budget
    from keraslint.config import ConfigError, SettingsResolver, load_settings
    from keraslint.discovery import UsageError, collect_files
    from keraslint.registry import rule_infos
    from keraslint.run import _budget, ignored_in, option_specs, selected_rules  # the CLI's own budget and selection
    from keraslint.selection import UnknownSelectorError
    from keraslint.source.module_files import open_buffers
    from keraslint.source.parsing import reuse_statements

    infos, specs = rule_infos(), option_specs()
    notes: list[str] = []
    path, cwd = target.path, target.cwd
    try:
        resolver = SettingsResolver(rules=infos, options=specs, cwd=cwd)
        settings = resolver.for_path(path)
        if target.on_disk and path.exists():
            try:
                if not collect_files([path], resolver, force_exclude=True):
                    return Outcome([], notes)  # excluded by the configuration
            except UsageError:
                pass  # vanished meanwhile: check it anyway
        # per-file-ignores apply where each finding lands (keraslint.run.located_ignores)
        selected = selected_rules(path, settings, infos, apply_per_file=False)
        settings_for = resolver.for_path
    except (ConfigError, UnknownSelectorError) as exc:
        # As `keraslint check` would refuse to run; here the defaults keep the editor useful.
        notes.append(f"keraslint: {exc} (using the default settings)")
        settings = load_settings(None, rules=infos, options=specs, cwd=cwd)
        selected = selected_rules(path, settings, infos, apply_per_file=False)
        settings_for = lambda _path: settings  # noqa: E731 - the defaults for every file
    # This process re-checks the same documents edit after edit: the statements an edit did not
    # touch keep their parse (and positions), and no coverage summary is made (never shown here).
    with open_buffers(buffers or {}), reuse_statements():
        report = with_budget(_budget(), target.filename, selected, lambda: check_source(
            text, target.filename, selected=selected, options=settings.options,
            script_dir=path.parent if target.on_disk else None, path=path if target.on_disk else None,
            summarize=False))
    off_here = ignored_in(path, settings, infos)
    own = [d for d in report.diagnostics if d.filename == target.filename and d.code not in off_here]
    # Other modules' findings are named relative to this process's folder (display_path).
    elsewhere = [((Path.cwd() / d.filename).resolve(), d) for d in report.diagnostics
                 if d.filename != target.filename]
    off: dict[Path, frozenset[str]] = {}
    for where, _ in elsewhere:
        if where not in off:
            try:
                found = settings_for(where)
            except (ConfigError, UnknownSelectorError):
                found = None  # an imported module's own broken configuration: not this check's
            off[where] = ignored_in(where, found, infos)
    elsewhere = [(where, d) for where, d in elsewhere if d.code not in off[where]]
    return Outcome(own, notes, frozenset(Path(p) for p in report.dependencies), elsewhere)


def fix_all(target: Target, text: str, fixes: list[Fix]) -> str:
    """The text with the safe fixes applied; overlapping ones need another round on the re-checked text."""
    from keraslint.fixes import apply as apply_fixes

    for _ in range(_FIX_ROUNDS):
        text, applied = apply_fixes(text, fixes)
        if applied == len(fixes) or not applied:
            break
        fixes = [d.fix for d in run_check(target, text).diagnostics
                 if d.fix is not None and d.fix.applicability == "safe"]
        if not fixes:
            break
    return text


_HANDLERS = {"check": run_check, "fix_all": fix_all}


def stopped(filename: str, why: str) -> Outcome:
    """What the editor shows when the check could not finish: one KL009, as the CLI reports it."""
    diagnostic = Diagnostic(code=INTERNAL_ERROR[0], name=INTERNAL_ERROR[1], severity=Severity.ERROR,
                            pass_=Pass.SOURCE, message=why, filename=filename, location=Location(1, 1),
                            end_location=Location(1, 2))
    return Outcome([diagnostic], [])


# --------------------------------------------------------------------------- framing


def _write_frame(stream: IO[bytes], payload: Any) -> None:
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    """``size`` bytes, fewer only at the end of the stream (an unbuffered pipe returns what it has)."""
    data = stream.read(size) or b""
    if len(data) == size:
        return data
    chunks, got = [data], len(data)
    while got < size:
        more = stream.read(size - got)
        if not more:
            break
        chunks.append(more)
        got += len(more)
    return b"".join(chunks)


def _read_frame(stream: IO[bytes]) -> Any:
    """The next message, or None at the end of the stream (the other side is gone)."""
    header = _read_exactly(stream, _HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    data = _read_exactly(stream, size)
    if len(data) < size:
        return None
    return pickle.loads(data)  # only ever our own process on the other end


# --------------------------------------------------------------------------- the child


def memory_limit_bytes() -> int | None:
    """The child's address space: the CLI's per-file limit (KERASLINT_FILE_MEMORY, 4 GB by
    default; a check needs a few hundred MB), so runaway folding stops long before it swaps."""
    from keraslint.run import _memory_limit

    return _memory_limit()


def _limit_memory() -> None:
    try:
        import resource
    except ImportError:  # not POSIX: the budget still bounds the time
        return
    wanted = memory_limit_bytes()
    if wanted is None:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft == resource.RLIM_INFINITY or soft > limit:
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        except (ValueError, OSError):
            pass


def _die_with_the_server(server: int) -> None:
    """A check stuck in the parser holds the GIL and never reads the closed pipe: ask Linux to
    kill this child when the server dies (an editor killed with SIGKILL), so none is orphaned."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != server:  # the server died before the line above took effect
        os._exit(1)


def child_main(server: int) -> None:
    """The child's loop: one request in, one answer out, until the server closes the pipe."""
    _die_with_the_server(server)
    # The protocol owns the real stdout; anything printed during a check goes to stderr instead.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    # Unbuffered: whether a request is waiting is asked of the pipe (select), so none may sit
    # unseen in a read-ahead buffer.
    requests = sys.stdin.buffer.raw
    _limit_memory()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # an editor's Ctrl-C is for the server
    _write_frame(replies, ("ready", None))
    while True:
        request = _read_frame(requests)
        if request is None:
            return
        kind, args = request
        # Summaries of other modules' calls, like the folders' real paths, hold for one run of
        # the project as it is on disk: a request may follow the creation of a module that an
        # earlier one looked for in vain, or a folder replaced by a link.
        from keraslint.source import consulted, summaries

        summaries.clear()
        consulted.forget_folders()
        try:
            reply = ("ok", _HANDLERS[kind](*args))
        except MemoryError:
            reply = ("memory", None)
        except Exception as exc:  # noqa: BLE001 - reported to the server, which logs it
            reply = ("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
        _write_frame(replies, reply)
        del reply
        _collect_while_idle(requests)


#: how long the child must wait for the next request before it collects its whole heap
IDLE_SECONDS = 1.0


def _collect_while_idle(requests: IO[bytes]) -> None:
    """The garbage of the check just answered is collected now, between requests, and what is
    left (keraslint's modules and caches, the kept parses) is frozen out of later collections:
    the cyclic collector otherwise walks that whole heap again during the next check, ~15% of a
    re-check of a 1,000-line file. That collection walks only what the check allocated (~1 ms);
    a walk of the frozen heap too, for the cycles among entries the caches dropped since, costs
    ~100 ms on a 1,000-line file and waits until no request came for ``IDLE_SECONDS``, so an
    edit made right after a check is not queued behind it. Skipped when a request is waiting."""
    import gc
    import select

    def waiting(timeout: float) -> bool:
        try:
            return bool(select.select([requests], [], [], timeout)[0])
        except (OSError, ValueError):
            return False

    if waiting(0):
        return
    gc.collect()
    gc.freeze()
    if not waiting(IDLE_SECONDS):
        gc.unfreeze()
        gc.collect()
        gc.freeze()


_CHILD = "import sys; del sys.path[0]; from keraslint.server_worker import child_main; child_main({pid})"


# --------------------------------------------------------------------------- the server's side


class CheckWorker:
    """The server's handle on the child: ``check``/``fix`` block the calling thread (never the
    event loop) until the answer, the deadline, or ``want`` asking for another version of the
    document. One request at a time."""

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self._lock = threading.Lock()  # one request in flight
        self._state = threading.Lock()  # guards _proc, _running, _newest, _cancelled, _closed
        self._proc: subprocess.Popen[bytes] | None = None
        self._answers: queue.Queue[Any] = queue.Queue()
        self._running: tuple[str, Any] | None = None
        #: per document, the version last asked for: a request for any other is stale
        self._newest: dict[str, Any] = {}
        self._cancelled = False
        self._closed = False

    def start(self) -> None:
        """Start the child now (it takes a moment to import keraslint), if none is running."""
        with self._state:
            if self._closed or (self._proc is not None and self._proc.poll() is None):
                return
            # (Linux's parent-death signal follows the thread that starts the child: here the
            # event loop's or the check thread, both alive until the server stops)
            command = [sys.executable, "-c", _CHILD.format(pid=os.getpid())]
            self._proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None)
            self._answers = answers = queue.Queue()
            stream = self._proc.stdout
            threading.Thread(target=self._read, args=(stream, answers), daemon=True,
                             name="keraslint-worker-reader").start()

    @staticmethod
    def _read(stream: IO[bytes], answers: queue.Queue[Any]) -> None:
        try:
            while (message := _read_frame(stream)) is not None:
                answers.put(message)
        except Exception:  # noqa: BLE001 - a garbled pipe is a dead child
            pass
        answers.put(None)
        stream.close()  # here, not in _kill: closing a stream another thread reads would wait for it

    @property
    def pid(self) -> int | None:
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def check(self, job: tuple[str, Any], target: Target, text: str, buffers: dict[Path, str]) -> Outcome:
        """``job`` (the document's key and version) is what ``want`` matches. A check that
        overruns or crashes is a KL009 for the file, and the child is replaced."""
        status, value = self._call(job, "check", (target, text, buffers))
        if status == "ok":
            return value
        if status == "error":
            raise WorkerError(value)
        return stopped(target.filename, value)

    def fix(self, job: tuple[str, Any], target: Target, text: str, fixes: list[Fix]) -> str:
        status, value = self._call(job, "fix_all", (target, text, fixes))
        if status == "ok":
            return value
        raise WorkerError(value if status == "error" else f"applying the fixes: {value}")

    def _call(self, job: tuple[str, Any], kind: str, args: tuple[Any, ...]) -> tuple[str, Any]:
        with self._lock:
            self.start()
            with self._state:
                if self._closed or self._proc is None or self._newest.get(job[0], job[1]) != job[1]:
                    raise Cancelled
                proc, answers = self._proc, self._answers
                self._running, self._cancelled = job, False
            try:
                return self._exchange(proc, answers, kind, args)
            finally:
                with self._state:
                    self._running = None
                if proc.poll() is not None:
                    self.start()  # the replacement imports keraslint while nothing waits for it

    def _exchange(self, proc: subprocess.Popen[bytes], answers: queue.Queue[Any], kind: str,
                  args: tuple[Any, ...]) -> tuple[str, Any]:
        try:
            assert proc.stdin is not None
            _write_frame(proc.stdin, (kind, args))
        except OSError:
            pass  # the child is gone: its reader reports the end below
        deadline = time.monotonic() + self.budget + GRACE_SECONDS if self.budget > 0 else None
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                self._kill(proc)
                return "stopped", (f"analysis stopped after the {self.budget:g} s per-file budget; the file was not "
                                   f"checked (set KERASLINT_FILE_BUDGET to change the budget)")
            try:
                answer = answers.get(timeout=left)
            except queue.Empty:
                continue
            if answer is None:
                self._kill(proc)
                if self._cancelled or self._closed:
                    raise Cancelled
                return "stopped", f"the check crashed ({_how_it_ended(proc)}); the file was not checked"
            status, value = answer
            if status == "ready":
                continue
            if status == "memory":
                self._kill(proc)  # a MemoryError may have left the child half-broken
                limit = memory_limit_bytes()
                size = f" {limit / 1024 ** 3:g} GB" if limit else ""
                return "stopped", f"the check ran out of its{size} memory limit; the file was not checked"
            return status, value

    def want(self, key: str, version: Any) -> bool:
        """Version ``version`` of document ``key`` is the one to check now: a request for
        another version that is running is stopped (the child is killed), one that has not
        started yet raises Cancelled when it does. Returns whether one was stopped."""
        with self._state:
            self._newest[key] = version
            running, proc = self._running, self._proc
            if running is None or running[0] != key or running[1] == version:
                return False
            self._cancelled = True
        if proc is not None:
            self._kill(proc)
        return True

    def forget(self, key: str) -> None:
        """The document was closed."""
        with self._state:
            self._newest.pop(key, None)

    def close(self) -> None:
        """Stop the child for good: later requests raise Cancelled."""
        with self._state:
            self._closed = True
            proc = self._proc
        if proc is not None:
            self._kill(proc)

    @staticmethod
    def _kill(proc: subprocess.Popen[bytes]) -> None:
        if proc.poll() is None:
            proc.kill()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        try:
            if proc.stdin is not None:
                proc.stdin.close()
        except OSError:
            pass


def _how_it_ended(proc: subprocess.Popen[bytes]) -> str:
    code = proc.poll()
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"
