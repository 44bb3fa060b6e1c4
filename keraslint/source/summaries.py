"""Another module's function called with nothing known about its arguments: run once per process.

The exploratory run of a function nobody calls (``Interpreter._run_detached``) calls what it
calls with unknown arguments, and in a project whose modules import each other those calls
reach the same functions of the same modules from every checked file: checking each of 2,000
modules re-ran up to 170 others' functions. Such a call (a top-level function of another
project module, every parameter unknown, during the exploratory run) depends only on the
function, on the modules it reads and on how many calls deep it may still go; so its run is
recorded once, as a *summary*, and later calls, from this file or any other checked in the same
process, take the summary instead of running the body again.

A summary is kept only when taking it is the same as running the body, for any checked file:

- it is run in a canonical context (its own step budget, call counters and stack, certain
  code outside any loop) so that what it finds does not depend on who called it first;
- every call it makes is *quiet*: each tracker says it would record nothing from it
  (``quiet(site)``; a tracker without that method keeps summaries off), so skipping the run
  loses no model, no legacy use and no finding;
- it reads no mutable value it did not create (a module-level list, a layer made at import):
  it cannot have changed what later code sees, and cannot depend on what earlier code did;
- it returns UNKNOWN, and the modules it reached are remembered (as bits) so that a file that
  takes the summary still lists them among its imports and cache dependencies, and runs them,
  when it needs them later, in the same canonical context;
- it did not reach the checked file itself as a module, nor a module the checked file loaded
  inside a branch or loop (whose top level may hold other values there).

Anything else aborts the recording before it has an effect (the modules it loaded are put back
as they were) and the call is run the ordinary way; a function whose run cannot be summarized is
remembered as such and not recorded again. The memo is dropped when a project file changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import libcst as cst

from keraslint.source import consulted, module_files, modules
from keraslint.source.frames import MISSING, Frame
from keraslint.source.limits import DEFAULT_BUDGET, ENTRY_POINT_RUNNERS, MAX_CALL_DEPTH
from keraslint.source.values import ClassValue, Function, ListValue, Method, Obj, Ref
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import Interpreter

#: entries kept before the memo is dropped (a bound for processes that check many projects)
MAX_ENTRIES = 50_000
_PLAIN = (type(None), bool, int, float, complex, str, bytes)
_RUNNERS = ENTRY_POINT_RUNNERS

#: key -> (the function's node, kept alive so that its id stays unique; the summary or None
#: when the function's run cannot be summarized)
_MEMO: dict[tuple[Any, ...], tuple[cst.CSTNode, Summary | None]] = {}
_GENERATION = [0]
#: counts for tests and the benchmark: summaries recorded, taken, and runs that could not be
STATS = {"recorded": 0, "taken": 0, "refused": 0}


@dataclass(frozen=True)
class Summary:
    #: the project modules the run found, read and ran (bits of module_files.file_bit)
    reached: int
    read: int
    ran: int
    #: the data files and absent module files the run looked for (consulted.py): the cache
    #: dependencies of every file that takes the summary, as of the file that recorded it
    consulted: frozenset[Path] = frozenset()


class _Abort(BaseException):
    """Unwinds a recording at the first thing a summary cannot stand for (a BaseException: the
    interpreter's ``except Exception`` guards around user arithmetic must not swallow it)."""

    def __init__(self, intrinsic: bool) -> None:
        super().__init__()
        self.intrinsic = intrinsic


def clear() -> None:
    """Drop every summary (a project file changed, or a new request of a long-lived process)."""
    _MEMO.clear()
    STATS.update(recorded=0, taken=0, refused=0)


@dataclass
class _Recording:
    key: tuple[Any, ...]
    reached: int = 0
    read: int = 0
    ran: int = 0
    #: objects the run made (ids; the objects are kept so that the ids stay theirs)
    made: dict[int, Any] = field(default_factory=dict)
    #: objects a module's top level made while the run loaded it: the module's state, which
    #: its own top level may use but the run's functions may not
    module_made: dict[int, Any] = field(default_factory=dict)
    #: > 0 while the run executes a module's top level (what it makes belongs to the module)
    in_module: int = 0
    #: the summary would depend on who called first (an inner call met an outer one)
    contextual: bool = False


@dataclass
class Session:
    """The summaries of one checked file's exploratory run."""

    trackers: list[Any]
    roots: tuple[Path, ...]
    script_dir: Path | None
    #: this file's own path as a project file's bit (it is no module of its own run)
    script_bit: int
    recordings: list[_Recording] = field(default_factory=list)
    #: a call is being recorded (read on every expression evaluated: a plain attribute)
    recording: bool = False
    #: files seen unchanged since their summaries were recorded (bits), once per checked file
    checked: int = 0

    @classmethod
    def start(cls, interp: Interpreter) -> Session | None:
        loader = interp.loader
        if module_files.generation() != _GENERATION[0]:  # a file read before has changed
            clear()
            _GENERATION[0] = module_files.generation()
        if loader is None or module_files.open_buffer_count():
            return None  # stdin, or an editor's unsaved texts: nothing shared with other checks
        if not all(callable(getattr(t, "quiet", None)) for t in interp.trackers):
            return None
        if len(_MEMO) > MAX_ENTRIES:
            clear()
        script = module_files.file_bit(loader.script) if loader.script is not None else 0
        return cls(interp.trackers, tuple(loader.roots), interp.script_dir, script)

    # -- the call ----------------------------------------------------------------------
    def call(self, interp: Interpreter, fn: Function, frame: Frame, node: cst.Call | None) -> Any:
        """What the call returns (UNKNOWN) when a summary stands for it, taken or recorded now;
        MISSING when it must run the ordinary way."""
        key = self._key(interp, fn, frame)
        if key is None:
            return MISSING
        for index, active in enumerate(self.recordings):
            if active.key == key:
                # Inside its own recording (a recursion across modules): not followed, as the
                # interpreter's own recursion check does; what is recorded in between depends on
                # where this recording started, so it is not kept.
                for inner in self.recordings[index + 1:]:
                    inner.contextual = True
                return UNKNOWN
        entry = _MEMO.get(key)
        if entry is not None:
            summary = entry[1]
            if summary is None or not self._take(interp, summary):
                return MISSING
            STATS["taken"] += 1
            return UNKNOWN
        return self._record(interp, key, fn, frame, node)

    def _key(self, interp: Interpreter, fn: Function, frame: Frame) -> tuple[Any, ...] | None:
        if not isinstance(fn.node, cst.FunctionDef) or interp.trackers is not self.trackers:
            return None
        scope = fn.scope
        if scope is None or scope.parent is not None or scope is interp.module_frame:
            return None  # a closure or nested function, or the checked file's own
        loader = interp.loader
        if loader is None or loader.module_of_frame(scope) is None or loader.running:
            return None
        if not frame.vars or any(value is not UNKNOWN for value in frame.vars.values()):
            return None
        from keraslint.source.interpreter import _is_generator  # it imports this module

        if _is_generator(fn.node, interp.generator_cache(fn)):
            return None
        return (id(fn.node), MAX_CALL_DEPTH - len(interp.activations), self.roots, self.script_dir)

    def _take(self, interp: Interpreter, summary: Summary) -> bool:
        loader = interp.loader
        assert loader is not None
        if summary.reached & (self.script_bit | loader.context_mask):
            return False
        # A file changed since (a long-lived process): every summary may be stale. Seen when it
        # was read again (the generation), or now, for the files this summary read.
        unchecked = summary.read & ~self.checked
        if module_files.generation() != _GENERATION[0] or unchecked and not _unchanged(unchecked):
            clear()
            _GENERATION[0] = module_files.generation()
            return False
        self.checked |= unchecked
        new = summary.reached & ~(loader.known_mask | loader.ghost_mask)
        if loader.count() + new.bit_count() > modules.MAX_MODULES:
            return False
        loader.ghost_mask |= new
        loader.ghost_read |= summary.read
        loader.ghost_ran |= summary.ran
        consulted.note_all(summary.consulted)
        for recording in self.recordings:
            recording.reached |= summary.reached
            recording.read |= summary.read
            recording.ran |= summary.ran
        return True

    def _record(self, interp: Interpreter, key: tuple[Any, ...], fn: Function, frame: Frame,
                node: cst.Call | None) -> Any:
        loader = interp.loader
        assert loader is not None
        recording = _Recording(key)
        state = mark(loader)
        saved = _canonical(interp)
        self.recordings.append(recording)
        self.recording = True
        result: Any = MISSING
        intrinsic = True
        looked_for: set[Path] = set()
        try:
            loader.observe_frame(fn.scope)  # its own module, and what that module's import reached
            with consulted.consulting() as looked_for:
                result = interp.enter_function(fn, frame, node)
        except _Abort as abort:
            intrinsic = abort.intrinsic
        finally:
            consulted.note_all(looked_for)  # the recording file depends on them too
            self.recordings.pop()
            self.recording = bool(self.recordings)
            exhausted = interp.exhausted
            _restore(interp, saved)
        if result is UNKNOWN and not exhausted and not recording.contextual:
            # what finding each module it reached looked at, wherever that happened in this file
            for module in loader.modules.values():
                if module_files.file_bit(module.path) & recording.reached:
                    looked_for |= module.looked_for
            summary = Summary(recording.reached, recording.read, recording.ran, frozenset(looked_for))
            _MEMO[key] = (fn.node, summary)
            STATS["recorded"] += 1
            for outer in self.recordings:
                outer.reached |= recording.reached
                outer.read |= recording.read
                outer.ran |= recording.ran
            return UNKNOWN
        # Put the modules it loaded back as they were; the ordinary run loads them again.
        reset(loader, state)
        if intrinsic and not recording.contextual:
            _MEMO[key] = (fn.node, None)  # the same wherever it is called from: not tried again
        STATS["refused"] += 1
        return MISSING

    # -- what the recorded run does -------------------------------------------------------
    def refuse(self, intrinsic: bool = True) -> None:
        """Something a summary cannot stand for happened: abort the recording."""
        raise _Abort(intrinsic)

    def reached(self, path: Path | None, context_loaded: bool, reached: int, read: int, ran: int) -> None:
        """The run reached a project module (``reached``/``read``/``ran``: its bit and those of
        what its top level reached, read and ran)."""
        if reached & self.script_bit or context_loaded:
            self.refuse(intrinsic=False)
        for recording in self.recordings:
            recording.reached |= reached
            recording.read |= read
            recording.ran |= ran

    def entering_module(self, delta: int) -> None:
        for recording in self.recordings:
            recording.in_module += delta

    def before_site(self, name: str, receiver: Any) -> None:
        """An API is about to be called on ``receiver``: only on what the run made."""
        if name.endswith("#subclass") or name in _RUNNERS or receiver is not None and not self._made(receiver):
            self.refuse()

    def after_site(self, interp: Interpreter, site: Any) -> None:
        """Trackers never see a recorded call: every one must say it would record nothing."""
        if not all(getattr(tracker, "quiet", lambda site: False)(site) for tracker in interp.trackers):
            self.refuse()
        result = site.result
        if isinstance(result, (Obj, ListValue, dict)):
            top = self.recordings[-1]
            for recording in self.recordings:
                (recording.module_made if top.in_module else recording.made)[id(result)] = result

    def _made(self, value: Any) -> bool:
        top = self.recordings[-1]
        return id(value) in top.made or top.in_module > 0 and id(value) in top.module_made

    def value(self, value: Any, depth: int = 0) -> None:
        """A value the run read: refused when it is mutable and not the run's own."""
        if value is UNKNOWN or value is MISSING or isinstance(value, _PLAIN):
            return
        if isinstance(value, (Ref, Function, ClassValue, modules.ModuleValue, modules.LazyName)):
            return
        if isinstance(value, tuple) and depth < 4:
            for item in value:
                self.value(item, depth + 1)
            return
        if isinstance(value, (Obj, ListValue, dict)) and self._made(value):
            return
        if isinstance(value, Method) and self._made(value.receiver):
            return
        self.refuse()

    def defaults(self, fn: Function) -> None:
        for value in fn.defaults.values():
            self.value(value)


def _unchanged(mask: int) -> bool:
    """Whether the files in ``mask`` are still the ones summaries were recorded on (one stat
    each, as reading an imported module costs)."""
    return all(module_files.read_source(source.path)[0] is source for source in module_files.files_of(mask))


def _canonical(interp: Interpreter) -> tuple[Any, ...]:
    """Give the interpreter the context a summary is recorded in; what it had, to restore."""
    saved = (interp.activations, interp.followed, interp.entered, interp.origins, interp.steps, interp.budget,
             interp.call_nodes, interp.entry_calls, interp.uncertain_depth, interp.loop_depth, interp.unrolled,
             interp.append_recorder, interp.eval_depth, interp.__dict__.get("_unknown_notes"))
    from keraslint.source.interpreter import pad_activations  # it imports this module

    interp.activations = pad_activations(len(interp.activations))
    interp.followed, interp.entered, interp.origins = {}, set(), {}
    interp.steps, interp.budget = 0, DEFAULT_BUDGET
    interp.call_nodes, interp.entry_calls = [], []
    interp.uncertain_depth = interp.loop_depth = 0
    interp.unrolled = 1
    interp.append_recorder = None
    interp.eval_depth = 0
    interp.__dict__["_unknown_notes"] = {}
    return saved


def _restore(interp: Interpreter, saved: tuple[Any, ...]) -> None:
    (interp.activations, interp.followed, interp.entered, interp.origins, interp.steps, interp.budget,
     interp.call_nodes, interp.entry_calls, interp.uncertain_depth, interp.loop_depth, interp.unrolled,
     interp.append_recorder, interp.eval_depth, notes) = saved
    if notes is None:
        interp.__dict__.pop("_unknown_notes", None)
    else:
        interp.__dict__["_unknown_notes"] = notes


def canonical_module_run(interp: Interpreter, run: Any) -> None:
    """Run a module's top level (``run()``) in the canonical context: a module a summary reached
    runs as it ran when the summary was recorded, wherever the file first reads it."""
    saved = (interp.uncertain_depth, interp.loop_depth, interp.unrolled, interp.append_recorder, interp.eval_depth,
             interp.steps, interp.budget)
    interp.uncertain_depth = interp.loop_depth = interp.eval_depth = 0
    interp.unrolled, interp.append_recorder = 1, None
    # Its steps are its own: whether it ran inside a recording or later, in the file that took
    # the summary, the file's count (and where its budget runs out) is the same.
    interp.steps, interp.budget = 0, DEFAULT_BUDGET
    try:
        run()
    finally:
        (interp.uncertain_depth, interp.loop_depth, interp.unrolled, interp.append_recorder,
         interp.eval_depth, interp.steps, interp.budget) = saved


# -- the loader's side (modules.Loader keeps the masks; what to do with them is here) --------
def ghost_sources(loader: modules.Loader) -> list[module_files.Source]:
    """The files a summary this file took reached and that it did not load itself."""
    if not loader.ghost_ran:
        return []
    loaded = 0
    for module in loader.modules.values():
        if module.source is not None:
            loaded |= module_files.file_bit(module.path)
    return module_files.files_of(loader.ghost_ran & ~loaded)


def ghost_reads(loader: modules.Loader) -> list[module_files.Source]:
    """The files a summary this file took read and that it did not read itself."""
    return [s for s in module_files.files_of(loader.ghost_read) if s.resolved not in loader.read]


def mark(loader: modules.Loader) -> tuple[Any, ...]:
    """The loader's state, for ``reset`` after a recording that is not kept."""
    fresh = {name for name, m in loader.modules.items() if m.state == "new"}
    return (set(loader.modules), fresh, len(loader.notes), set(loader.read), loader.known_mask, loader.ghost_mask,
            loader.context_mask, list(loader.running), loader.ghost_read, loader.ghost_ran,
            {name for name, m in loader.modules.items() if m.context_loaded})


def reset(loader: modules.Loader, state: tuple[Any, ...]) -> None:
    """Undo what a recording did to the loader: modules it found are forgotten, modules it
    ran are new again (the ordinary run runs them where Python would)."""
    (names, fresh, notes, read, loader.known_mask, loader.ghost_mask, loader.context_mask, loader.running,
     loader.ghost_read, loader.ghost_ran, contextual) = state
    for name, module in loader.modules.items():
        if name in names and name not in fresh:
            module.context_loaded = name in contextual
    for name in [n for n in loader.modules if n not in names or n in fresh]:
        module = loader.modules[name]
        if module.frame is not None:
            loader.by_frame.pop(id(module.frame), None)
        if name not in names:
            del loader.modules[name]
        else:
            module.source, module.frame, module.state, module.context_loaded = None, None, "new", False
            module.load_reached = module.load_read = module.load_ran = 0
            module.was_read = consulted.resolved(module.path) in read if module.path is not None else False
    del loader.notes[notes:]
    for key in [k for k in loader.read if k not in read]:
        del loader.read[key]
