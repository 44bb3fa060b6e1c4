"""The source pass: one abstract execution of a script over its libcst tree.

Statements run in program order, following calls into the script's own functions (bounded
depth), with flow-sensitive variables: branches are executed on copies of the state and
merged (values that disagree become UNKNOWN), loops over literal sequences run once per
element. Every call to an external API becomes a ``CallSite`` that the API model
(``keraslint.source.api``) turns into a value and every tracker observes. Nothing of the
user's code is ever imported or executed.

Why hand-written: libcst's ScopeProvider/QualifiedNameProvider resolve names but not values,
and cost 1-2 s on a 1,800-line file (NOTES.md); this walk resolves imports itself and is the
single walk every rule shares.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import libcst as cst

from keraslint.source import (
    api,
    containers,
    instances,
    module_files,
    modules,
    parsing,
    python_builtins,
    subclass,
    summaries,
    unknown_notes,
)
from keraslint.source.expressions import ExpressionsMixin, _Bound, _is_const
from keraslint.source.frames import MISSING, Frame
from keraslint.source.limits import (  # noqa: F401 - the bounds are read here by tests and callers
    _FRAME_MARGIN,
    DEFAULT_BUDGET,
    ENTRY_POINT_RUNNERS,
    MAX_CALL_DEPTH,
    MAX_CALLS_PER_FUNCTION,
    MAX_EVAL_DEPTH,
    MAX_UNROLL,
    MAX_UNROLL_TOTAL,
    RAISED,
    frames_left,
)
from keraslint.source.statements import StatementsMixin
from keraslint.source.tree import child_nodes
from keraslint.source.values import (
    Array,
    ClassValue,
    Function,
    ListValue,
    Method,
    Obj,
    Ref,
    merge_values,
)
from keraslint.values import UNKNOWN


@dataclass
class CallSite:
    """One call of an external API, with its evaluated arguments."""

    name: str
    spelled: str
    #: the call (or, for ``obj[key] = value`` on an API object, the subscript target)
    node: cst.Call | cst.BaseExpression
    args: list[Any]
    kwargs: dict[str, Any]
    receiver: Obj | None
    reachable: bool
    stack: tuple[cst.Call, ...]
    star_args: bool = False
    #: inside a loop (unrolled or not) of the script
    in_loop: bool = False
    #: what the API model says the call returns (set before trackers see the site)
    result: Any = None

    def arg(self, position: int | None, keyword: str | None = None, default: Any = MISSING) -> Any:
        """The argument passed by keyword or position; ``default`` when absent, UNKNOWN when
        it may have been passed through ``*args``/``**kwargs``."""
        if keyword is not None and keyword in self.kwargs:
            return self.kwargs[keyword]
        if position is not None and position < len(self.args):
            return self.args[position]
        if self.star_args:
            return UNKNOWN
        return default

    def has(self, position: int | None, keyword: str | None = None) -> bool:
        return self.arg(position, keyword) is not MISSING


class Tracker(Protocol):
    """Observes API calls; keeps flow-sensitive state that branches fork and merge."""

    def on_call(self, site: CallSite) -> None: ...

    def snapshot(self) -> Any: ...

    def restore(self, snap: Any) -> None: ...

    def join(self, a: Any, b: Any) -> Any: ...

    # Optional: ``on_unknown()`` is called when the interpreter skips code that may have had
    # effects the tracker cares about (call depth, recursion, budget, nesting).


@dataclass
class _Snapshot:
    vars: dict[str, Any]
    returned: bool | str
    trackers: list[Any]


@dataclass
class _Activation:
    function: Function
    returns: list[Any] = field(default_factory=list)
    #: for a generator function: what its ``yield`` expressions gave
    yields: list[Any] | None = None


#: id of a FunctionDef -> (the node, whether it is a generator function), shared by the
#: interpreters of a language server (while parsing.reuse_statements() is on): nodes are
#: immutable and its re-parse keeps those of unchanged statements, so a re-check walks only the
#: functions an edit touched (the walks were ~30% of a re-check of a 1,000-line file). The node
#: is held so its id stays its own; the bound keeps the stale trees it holds under ~50 MB (a
#: function's is ~25 KB). A batch run never sees a node twice: each interpreter has its own.
_GENERATORS: dict[int, tuple[cst.FunctionDef, bool]] = {}
_MAX_GENERATORS = 2_000


def _is_generator(node: cst.FunctionDef, cache: dict[int, tuple[cst.FunctionDef, bool]]) -> bool:
    """Whether ``node`` is a generator function: a ``yield`` in its body, outside nested scopes.
    ``cache`` belongs to what keeps the tree alive: the interpreter for the checked file (the
    language server's shared one while re-parses reuse nodes), the module's Source for another
    module's functions (walking a body was a fifth of the time of a project whose every file
    calls into the same modules)."""
    entry = cache.get(id(node))
    if entry is not None and entry[0] is node:
        return entry[1]
    known, stack = False, child_nodes(node.body)
    while stack and not known:
        current = stack.pop()
        if isinstance(current, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            continue
        known = isinstance(current, cst.Yield)
        stack.extend(child_nodes(current))
    if len(cache) >= _MAX_GENERATORS:
        cache.clear()
    cache[id(node)] = (node, known)
    return known


#: stands for the callers of a summarized call (summaries.py): only how deep it is counts
_PAD_NODE = object()


def pad_activations(depth: int) -> list[_Activation]:
    """``depth`` activations of no function, so that a call recorded in its own context may go
    exactly as deep as it could where it was made."""
    return [_Activation(Function(node=_PAD_NODE, scope=None, name="", defaults={}))  # type: ignore[arg-type]
            for _ in range(depth)]


class Interpreter(StatementsMixin, ExpressionsMixin):
    """Runs a module once; trackers collect facts as it goes."""

    def __init__(self, module: cst.Module, trackers: Sequence[Tracker] = (), *, budget: int = DEFAULT_BUDGET,
                 script_dir: Path | None = None, script_path: Path | None = None) -> None:
        self.module = module
        self.trackers = list(trackers)
        self.budget = budget
        self.steps = 0
        self.frame = Frame(vars={"__name__": "__main__"})
        self.module_frame = self.frame
        #: the folder of the script, for files it names relatively (np.load headers); None: stdin
        self.script_dir = script_dir
        #: the project's other modules this file imports (None: stdin, nothing is looked for)
        self.loader = modules.Loader.for_script(script_dir, script_path)
        #: calls from this file into another module's code, innermost last: a finding there
        #: names the call that made it
        self.entry_calls: list[cst.Call] = []
        #: id of a node of another module (a layer's constructor ...) -> the call in this file
        #: that ran it (None: it ran when the module was imported)
        self.origins: dict[int, cst.Call | None] = {}
        self.followed: dict[int, int] = {}
        #: False, True after ``return``, RAISED after ``raise``
        self.returned: bool | str = False
        self.reachable = True
        #: ``keras.config.set_image_data_format(...)`` so far: the data_format of layers that do
        #: not pass one; None while never called (Keras's default, channels_last), UNKNOWN when
        #: set to something keraslint does not know or where the call may not run
        self.image_data_format: Any = None
        self.activations: list[_Activation] = []
        self.call_nodes: list[cst.Call] = []
        self.eval_depth = 0
        #: > 0 while running one side of an undecided branch (what happens there may not happen)
        self.uncertain_depth = 0
        self.defined: list[Function] = []
        self.entered: set[int] = set()
        #: methods of the script's own (non-Keras) classes, by id of the ClassDef node:
        #: name -> (function, "method" | "static" | "class")
        self.methods: dict[int, dict[str, tuple[Function, str]]] = {}
        #: id of a FunctionDef of this file -> (it, whether it is a generator function)
        self.generators: dict[int, tuple[cst.FunctionDef, bool]] = _GENERATORS if parsing.reusing() else {}
        #: summaries of other modules' calls during the exploratory run (None before it)
        self.summaries: summaries.Session | None = None
        #: product of the lengths of the unrolled loops being run
        self.unrolled = 1
        #: how many loops (unrolled or not) enclose the statement being run
        self.loop_depth = 0
        # Python frames this walk may use, estimated (run() measures the real stack): deep
        # nesting and deep call chains degrade to UNKNOWN instead of a RecursionError.
        self.frames = 0
        self.max_frames = sys.getrecursionlimit() - _FRAME_MARGIN

    # -- driving -------------------------------------------------------------------
    def run(self) -> None:
        self.max_frames = frames_left()
        self.exec_block(self.module.body)
        self._run_detached()

    def unknown_effects(self) -> None:
        """Code that may have had effects was skipped: trackers must stop trusting "certainly not"."""
        if not self.reachable:
            return
        for tracker in self.trackers:
            hook = getattr(tracker, "on_unknown", None)
            if hook is not None:
                hook()

    # -- the project's other modules -------------------------------------------------------
    def in_checked_file(self) -> bool:
        """Whether the code being run is the checked file's own (not an imported module's)."""
        return self.frame.module is self.module_frame

    def run_module(self, source: module_files.Source, frame: Frame) -> None:
        """Run an imported module's top level in its own frame (its ``return``/``raise`` state
        and the importing code's are separate)."""
        saved_frame, saved_returned = self.frame, self.returned
        self.frame, self.returned = frame, False
        session = self.summaries
        if session is not None:
            session.entering_module(1)
        try:
            self.exec_block(source.module.body)
        finally:
            self.frame, self.returned = saved_frame, saved_returned
            if session is not None:
                session.entering_module(-1)

    def generator_cache(self, fn: Function) -> dict[int, tuple[cst.FunctionDef, bool]]:
        """Where whether ``fn`` is a generator is remembered (see ``_is_generator``)."""
        scope = fn.scope.module if fn.scope is not None else None
        if scope is not None and scope is not self.module_frame and self.loader is not None:
            module = self.loader.module_of_frame(scope)
            if module is not None and module.source is not None:
                return module.source.generators
        return self.generators

    def project_module(self, dotted: str) -> modules.ModuleValue | None:
        """``import dotted``: the project module (run now if its top level has effects), or None
        when ``dotted`` is not one of the project's (an installed library)."""
        if self.loader is None:
            return None
        module = self.loader.find(dotted)
        if module is not None and self.loader.eager(module):
            self.loader.run(self, module)
        return module

    def project_module_from(self, name: str | None, level: int) -> modules.ModuleValue | None:
        """The module of ``from ..name import x`` when it is the project's."""
        if self.loader is None:
            return None
        package = self.frame.module.vars.get("__package__") if not self.in_checked_file() else self.loader.package
        absolute = self.loader.absolute(name, level, package if isinstance(package, str) else "")
        if absolute is None:
            return None
        return self.project_module(absolute)

    def _run_detached(self) -> None:
        """Run functions the script defines but never calls, with unknown arguments, so the
        graph pass still sees the models they build; their events are marked unreachable."""
        self.reachable = False
        self.summaries = summaries.Session.start(self)
        if self.loader is not None:
            self.loader.observer = self.summaries
        index = 0
        while index < len(self.defined):
            fn = self.defined[index]
            index += 1
            if id(fn.node) in self.entered or self.exhausted:
                continue
            saved = self.frame
            self.call_function(fn, [], {}, None, detached=True)
            self.frame = saved

    @property
    def uncertain(self) -> bool:
        if self.uncertain_depth <= 0:
            return False
        loader = self.loader
        if loader is not None and loader.running:
            module = loader.running[-1]
            if self.uncertain_depth == module.base_uncertain:
                # a module's top level asks, and only its importer's branch makes it uncertain
                loader.mark_context(module)
        return True

    @property
    def exhausted(self) -> bool:
        return self.steps > self.budget

    # -- state forking ---------------------------------------------------------------
    def snapshot(self) -> _Snapshot:
        return _Snapshot(dict(self.frame.vars), self.returned, [t.snapshot() for t in self.trackers])

    def restore(self, snap: _Snapshot) -> None:
        self.frame.vars = dict(snap.vars)
        self.returned = snap.returned
        for tracker, state in zip(self.trackers, snap.trackers):
            tracker.restore(state)

    def join(self, a: _Snapshot, b: _Snapshot) -> _Snapshot:
        # A path that returned contributes nothing to what follows the branch.
        if a.returned and not b.returned:
            return b
        if b.returned and not a.returned:
            return a
        names = a.vars.keys() | b.vars.keys()
        merged = {n: merge_values(a.vars.get(n, UNKNOWN), b.vars.get(n, UNKNOWN)) for n in names}
        trackers = [t.join(x, y) for t, x, y in zip(self.trackers, a.trackers, b.trackers)]
        return _Snapshot(merged, a.returned and b.returned, trackers)

    def branch(self, *blocks: Any) -> None:
        """Run alternative blocks (callables) from the current state and merge the results."""
        start = self.snapshot()
        results = []
        self.uncertain_depth += 1
        try:
            for block in blocks:
                self.restore(start)
                block()
                results.append(self.snapshot())
        finally:
            self.uncertain_depth -= 1
        merged = results[0]
        for other in results[1:]:
            merged = self.join(merged, other)
        self.restore(merged)

    def call(self, func: Any, args: list[Any], kwargs: dict[str, Any], node: cst.Call | None, star: bool = False) -> Any:
        if isinstance(func, Function):
            if star:
                return self.call_function(func, [], {}, node, unknown_args=True)
            return self.call_function(func, args, kwargs, node)
        if isinstance(func, Ref):
            if func.name == "builtins.super" and not args and not kwargs:
                found = instances.super_of(self)
                if found is not None:
                    return found
            return self._emit(func.name, func.spelled, node, args, kwargs, None, star)
        if isinstance(func, (instances.KerasInit, ClassValue)) and self.summaries is not None \
                and self.summaries.recording:
            self.summaries.refuse()  # an instance holds state a summary could not stand for
        if isinstance(func, instances.KerasInit):
            instances.keras_init(self, func, args, kwargs, node)
            return None
        if isinstance(func, Method):
            receiver = func.receiver
            name = f"{receiver.type}.{func.name}"
            return self._emit(name, name, node, args, kwargs, receiver, star)
        if isinstance(func, _Bound):
            return self.call(func.function, [func.receiver, *args], kwargs, node, star)
        if isinstance(func, ClassValue):
            if instances.as_builtin_layer(self, func):
                return self._emit(func.base, func.name, node, args, kwargs, None, star)
            if func.base is not None:
                result = self._emit(f"{func.base}#subclass", func.name, node, args, kwargs, None, star)
                if isinstance(result, Obj) and self.methods.get(id(func.node)):
                    subclass.instantiate(self, result, func, args, kwargs, node, star)
                return result
            instance = Obj(type=f"script.{func.name}", node=node, data={"script_class": func, "attrs": {}})
            init = self._script_method(instance, "__init__")
            if init is not None:
                self.call(init, args, kwargs, node, star)
            elif func.fields is not None:
                instances.fill_record(instance, func, [] if star else args, kwargs, star)
                post_init = self._script_method(instance, "__post_init__")  # the dataclass's own __init__ calls it
                if post_init is not None:
                    self.call(post_init, [], {}, node, False)
            return instance
        if isinstance(func, Obj):
            return self._emit(f"{func.type}.__call__", f"{func.type}.__call__", node, args, kwargs, func, star)
        if isinstance(func, containers.ContainerMethod):
            return containers.call_method(self, func, args, kwargs)
        if isinstance(func, python_builtins.Partial):
            return self.call(func.func, [*func.args, *args], {**func.kwargs, **kwargs}, node, star)
        # A callee we know nothing about may fill the lists and dicts it is given, unless it is a
        # method known only to read them (``df.category.isin(classes)``).
        if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
                and node.func.attr.value in containers.ARGUMENT_READERS):
            self._forget_containers(args, kwargs)
        return UNKNOWN

    @staticmethod
    def _forget_containers(args: list[Any], kwargs: dict[str, Any]) -> None:
        for value in (*args, *kwargs.values()):
            containers.forget(value)

    def _emit(self, name: str, spelled: str, node: cst.BaseExpression | None, args: list[Any], kwargs: dict[str, Any],
              receiver: Obj | None, star: bool = False) -> Any:
        site = CallSite(name=name, spelled=spelled, node=node, args=args, kwargs=kwargs,  # type: ignore[arg-type]
                        receiver=receiver, reachable=self.reachable, stack=tuple(self.call_nodes), star_args=star,
                        in_loop=self.loop_depth > 0)
        if node is not None and not self.in_checked_file():
            self._note_origin(node)
        session = self.summaries
        recording = session is not None and session.recording
        if recording:
            session.before_site(name, receiver)  # type: ignore[union-attr]
        result = site.result = api.call(self, site)
        unknown_notes.after_call(self, name, spelled, node, result)
        if recording:
            session.after_site(self, site)  # type: ignore[union-attr]
            return result  # quiet: no tracker records anything from it
        for tracker in self.trackers:
            tracker.on_call(site)
        if name in ENTRY_POINT_RUNNERS:
            self._run_entry_point(args, kwargs, node)
        return result

    def _note_origin(self, node: cst.BaseExpression) -> None:
        origin = self.entry_calls[-1] if self.entry_calls else None
        # the call, its callee (where seeding findings point) and its arguments (KL203's input_shape=)
        parts = [node, node.func, *(a.value for a in node.args)] if isinstance(node, cst.Call) else [node]
        for part in parts:
            if self.origins.get(id(part)) is None:
                self.origins[id(part)] = origin

    def _run_entry_point(self, args: list[Any], kwargs: dict[str, Any], node: Any) -> None:
        """`app.run(main)`, `fire.Fire(main)`, `tf.app.run()`: the runner calls the script's main
        (with arguments we cannot know), so follow it there rather than leaving it detached."""
        candidates = [*args, *kwargs.values()] or [self.module_frame.vars.get("main")]
        for candidate in candidates:
            if isinstance(candidate, Function):
                self.call_function(candidate, [], {}, node if isinstance(node, cst.Call) else None, unknown_args=True)

    def call_function(self, fn: Function, args: list[Any], kwargs: dict[str, Any], node: cst.Call | None,
                      *, detached: bool = False, unknown_args: bool = False) -> Any:
        followed = self.followed.get(id(fn.node), 0)
        if (len(self.activations) >= MAX_CALL_DEPTH or self.exhausted or followed >= MAX_CALLS_PER_FUNCTION
                or any(a.function.node is fn.node for a in self.activations)):
            # Not followed: it may have set a seed (or filled a list it was given) for all we know.
            if followed >= MAX_CALLS_PER_FUNCTION:
                unknown_notes.stopped_following(self, fn.node)
            self.unknown_effects()
            self._forget_containers(args, kwargs)
            return UNKNOWN
        self.followed[id(fn.node)] = followed + 1
        self.entered.add(id(fn.node))
        if self.loader is not None and self.loader.running:
            self.loader.calling_from_top_level()
        session = self.summaries
        if session is not None and session.recording:
            if session.recordings[-1].in_module:
                session.refuse()  # a module's top level that calls functions depends on where it is imported
            if fn.scope is not None and fn.scope.module is self.module_frame:
                session.refuse(intrinsic=False)  # the checked file's own code, reached from another module
            session.defaults(fn)
            if self.loader is not None and fn.scope is not None:
                self.loader.observe_frame(fn.scope.module)
        frame = Frame(parent=fn.scope)
        self._bind(fn, frame, args, kwargs, unknown=detached or unknown_args)
        if session is not None and not detached:
            summarized = session.call(self, fn, frame, node)
            if summarized is not MISSING:
                return summarized
        return self.enter_function(fn, frame, node)

    def enter_function(self, fn: Function, frame: Frame, node: cst.Call | None) -> Any:
        """Run ``fn``'s body in ``frame`` (its parameters bound); what it returns."""
        entering = node is not None and self.in_checked_file() and frame.module is not self.module_frame
        if entering:
            self.entry_calls.append(node)
        saved_frame, saved_returned = self.frame, self.returned
        self.frame, self.returned = frame, False
        activation = _Activation(fn)
        self.activations.append(activation)
        if node is not None:
            self.call_nodes.append(node)
        try:
            if isinstance(fn.node, cst.Lambda):
                return self.eval(fn.node.body)
            if _is_generator(fn.node, self.generator_cache(fn)):
                # Its body runs as it is iterated, maybe not at all: its effects are a "maybe"
                activation.yields = []
                self.branch(lambda: self.exec_block(fn.node.body), lambda: None)
                return python_builtins.generator(node, activation.yields)
            self.exec_block(fn.node.body)
            if not self.returned:
                activation.returns.append(None)
            if not activation.returns:
                return UNKNOWN  # every path raised (``def f(): raise ...`` was an IndexError)
            result = activation.returns[0]
            for other in activation.returns[1:]:
                result = merge_values(result, other)
            return result
        finally:
            self.activations.pop()
            if node is not None:
                self.call_nodes.pop()
            if entering:
                self.entry_calls.pop()
            self.frame, self.returned = saved_frame, saved_returned

    def _bind(self, fn: Function, frame: Frame, args: list[Any], kwargs: dict[str, Any], *, unknown: bool) -> None:
        params = fn.node.params
        positional = [*params.posonly_params, *params.params]
        for index, param in enumerate(positional):
            name = param.name.value
            if unknown:
                frame.vars[name] = UNKNOWN
            elif index < len(args):
                frame.vars[name] = args[index]
            elif name in kwargs:
                frame.vars[name] = kwargs[name]
            else:
                frame.vars[name] = fn.defaults.get(name, UNKNOWN)
        for param in params.kwonly_params:
            name = param.name.value
            frame.vars[name] = UNKNOWN if unknown else kwargs.get(name, fn.defaults.get(name, UNKNOWN))
        # The call's arguments are all known (a `*x` or `**x` that could not be spread makes the
        # call `unknown`): the extras are exactly the tuple and dict Python would bind.
        if isinstance(params.star_arg, cst.Param):
            frame.vars[params.star_arg.name.value] = UNKNOWN if unknown else tuple(args[len(positional):])
        if params.star_kwarg is not None:
            named = {p.name.value for p in (*positional, *params.kwonly_params)}
            extra = {k: v for k, v in kwargs.items() if k not in named}
            frame.vars[params.star_kwarg.name.value] = UNKNOWN if unknown else extra

    # -- helpers -----------------------------------------------------------------------
    def truth(self, value: Any) -> bool | None:
        if _is_const(value):
            return bool(value)
        if isinstance(value, ListValue):
            return bool(value.items)
        if isinstance(value, (Function, ClassValue)) or isinstance(value, Obj) and value.type == api.LAYER \
                and not isinstance(value, Array):
            return True  # `if activation:` on a layer or a function passed in: neither defines __bool__/__len__
        if isinstance(value, Array) and value.shape == () and type(value.data.get("literal")) in (int, float):
            return bool(value.data["literal"])  # `if rates[i]:` on a NumPy scalar or an eager 0-d tensor
        return None

    def sequence_items(self, value: Any) -> list[Any] | None:
        if isinstance(value, tuple):
            return list(value)
        if isinstance(value, ListValue):
            return list(value.items)
        if isinstance(value, str) and len(value) <= MAX_UNROLL:
            return list(value)
        if isinstance(value, dict):  # `for name in inputs`: its keys, when all are known
            return python_builtins.dict_keys(value)
        return api.sequence_items(self, value)


