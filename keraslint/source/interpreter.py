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

import ast
import builtins
import operator
import sys
from collections.abc import Sequence
from pathlib import Path
from dataclasses import dataclass, field
from typing import Any, Protocol

import libcst as cst

from keraslint.source import api, containers
from keraslint.source.frames import MISSING, Frame
from keraslint.source.names import canonical, star_exports
from keraslint.source.values import ClassValue, Function, ListValue, Method, Obj, Ref, merge_values
from keraslint.values import UNKNOWN

MAX_CALL_DEPTH = 6
# Calls that run a function of the script for it (the usual `main` entry points).
ENTRY_POINT_RUNNERS = frozenset({"absl.app.run", "tensorflow.app.run", "tensorflow.compat.v1.app.run", "fire.Fire",
                                 "typer.run"})
# A function body is followed at most this many times per file; after that its calls are
# unknown. Training scripts call a builder a handful of times; parsers and libraries that call
# each other everywhere would otherwise re-run the same bodies combinatorially.
MAX_CALLS_PER_FUNCTION = 32
MAX_EVAL_DEPTH = 120
MAX_UNROLL = 64
#: bound on the product of the lengths of nested unrolled loops (six nested ``range(60)`` loops
#: took the whole step budget, ~3 s, on a 7-line script)
MAX_UNROLL_TOTAL = 1024
DEFAULT_BUDGET = 200_000
_MAX_CONST_LEN = 10_000
#: constant ints wider than this become UNKNOWN (``x = x * x`` in a loop would otherwise never end)
_MAX_INT_BITS = 4_096
#: Python frames kept free below the recursion limit for trackers, the API model and the caller
_FRAME_MARGIN = 150
#: rough Python frames one nested block / one nested expression costs the interpreter
_BLOCK_FRAMES = 6
_EVAL_FRAMES = 2
#: ``returned`` when the path ended in ``raise`` (an enclosing ``try`` may catch it)
RAISED = "raise"


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


_BIN_OPS: dict[type, Any] = {
    cst.Add: operator.add,
    cst.Subtract: operator.sub,
    cst.Multiply: operator.mul,
    cst.Divide: operator.truediv,
    cst.FloorDivide: operator.floordiv,
    cst.Modulo: operator.mod,
    cst.Power: operator.pow,
    cst.MatrixMultiply: operator.matmul,
}

_COMPARE_OPS: dict[type, Any] = {
    cst.Equal: operator.eq,
    cst.NotEqual: operator.ne,
    cst.LessThan: operator.lt,
    cst.LessThanEqual: operator.le,
    cst.GreaterThan: operator.gt,
    cst.GreaterThanEqual: operator.ge,
    cst.Is: operator.is_,
    cst.IsNot: operator.is_not,
    cst.In: lambda a, b: a in b,
    cst.NotIn: lambda a, b: a not in b,
}

_PRIMITIVES = (int, float, str, bool, type(None), bytes)


def _is_const(value: Any) -> bool:
    if isinstance(value, _PRIMITIVES):
        return True
    return isinstance(value, tuple) and all(_is_const(v) for v in value)


class Interpreter:
    """Runs a module once; trackers collect facts as it goes."""

    def __init__(self, module: cst.Module, trackers: Sequence[Tracker] = (), *, budget: int = DEFAULT_BUDGET,
                 script_dir: Path | None = None) -> None:
        self.module = module
        self.trackers = list(trackers)
        self.budget = budget
        self.steps = 0
        self.frame = Frame(vars={"__name__": "__main__"})
        self.module_frame = self.frame
        #: the folder of the script, for files it names relatively (np.load headers); None: stdin
        self.script_dir = script_dir
        self.followed: dict[int, int] = {}
        #: False, True after ``return``, RAISED after ``raise``
        self.returned: bool | str = False
        self.reachable = True
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
        #: product of the lengths of the unrolled loops being run
        self.unrolled = 1
        # Python frames this walk may use, estimated (run() measures the real stack): deep
        # nesting and deep call chains degrade to UNKNOWN instead of a RecursionError.
        self.frames = 0
        self.max_frames = sys.getrecursionlimit() - _FRAME_MARGIN

    # -- driving -------------------------------------------------------------------
    def run(self) -> None:
        depth, frame = 0, sys._getframe()
        while frame is not None:
            depth, frame = depth + 1, frame.f_back
        self.max_frames = sys.getrecursionlimit() - depth - _FRAME_MARGIN
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

    def _run_detached(self) -> None:
        """Run functions the script defines but never calls, with unknown arguments, so the
        graph pass still sees the models they build; their events are marked unreachable."""
        self.reachable = False
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
        return self.uncertain_depth > 0

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

    # -- statements --------------------------------------------------------------------
    def exec_block(self, body: Sequence[cst.CSTNode] | cst.BaseSuite) -> None:
        if isinstance(body, cst.IndentedBlock):
            statements: Sequence[cst.CSTNode] = body.body
        elif isinstance(body, cst.SimpleStatementSuite):
            statements = body.body
        else:
            statements = body  # type: ignore[assignment]
        if self.frames + _BLOCK_FRAMES > self.max_frames:
            self.unknown_effects()
            return
        self.frames += _BLOCK_FRAMES
        try:
            for statement in statements:
                if self.returned:
                    return
                self.steps += 1
                self.exec_stmt(statement)
        finally:
            self.frames -= _BLOCK_FRAMES

    def exec_stmt(self, node: cst.CSTNode) -> None:
        handler = getattr(self, f"_stmt_{type(node).__name__}", None)
        if handler is not None:
            handler(node)
            return
        # Statements without a model (match, async for ...): run each body as "maybe".
        blocks = [child for child in node.children if isinstance(child, cst.BaseSuite)]
        for child in node.children:
            if isinstance(child, cst.BaseExpression):
                self.eval(child)
        for block in blocks:
            self.branch(lambda b=block: self.exec_block(b), lambda: None)

    def _stmt_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self.exec_block(node.body)

    def _stmt_Expr(self, node: cst.Expr) -> None:
        self.eval(node.value)

    def _stmt_Assign(self, node: cst.Assign) -> None:
        value = self.eval(node.value)
        for target in node.targets:
            self.assign(target.target, value)

    def _stmt_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self.assign(node.target, self.eval(node.value))

    def _stmt_AugAssign(self, node: cst.AugAssign) -> None:
        current = self.eval(node.target)
        value = self.eval(node.value)
        if isinstance(current, (ListValue, dict)):
            # ``rows += [...]`` and ``d |= {...}`` change the object itself, which aliases share.
            extended = containers.add_in_place(self, current, value) \
                if isinstance(current, ListValue) and isinstance(node.operator, cst.AddAssign) else None
            if extended is None:
                containers.forget(current)
            self.assign(node.target, extended if extended is not None else UNKNOWN)
            return
        aug_to_bin = {
            cst.AddAssign: operator.add, cst.SubtractAssign: operator.sub,
            cst.MultiplyAssign: operator.mul, cst.DivideAssign: operator.truediv,
            cst.FloorDivideAssign: operator.floordiv, cst.ModuloAssign: operator.mod,
        }
        op = aug_to_bin.get(type(node.operator))
        self.assign(node.target, self._arith(op, current, value) if op else UNKNOWN)

    def _stmt_Return(self, node: cst.Return) -> None:
        value = self.eval(node.value) if node.value is not None else None
        if self.activations:
            self.activations[-1].returns.append(value)
        self.returned = True

    def _stmt_Raise(self, node: cst.Raise) -> None:
        if node.exc is not None:
            self.eval(node.exc)
        self.returned = RAISED

    def _stmt_Assert(self, node: cst.Assert) -> None:
        self.eval(node.test)

    def _stmt_Del(self, node: cst.Del) -> None:
        targets = node.target.elements if isinstance(node.target, (cst.Tuple, cst.List)) else [node.target]
        for target in targets:
            target = getattr(target, "value", target) if isinstance(target, cst.Element) else target
            if isinstance(target, cst.Name):
                self.frame.vars.pop(target.value, None)
            elif isinstance(target, cst.Subscript):
                containers.forget(self.eval(target.value))

    def _stmt_Pass(self, node: cst.CSTNode) -> None:
        return None

    _stmt_Break = _stmt_Continue = _stmt_Global = _stmt_Nonlocal = _stmt_Pass

    def _stmt_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = _dotted(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.frame.vars[alias.asname.name.value] = Ref(canonical(dotted), dotted)
            else:
                top = dotted.split(".")[0]
                self.frame.vars[top] = Ref(canonical(top), top)

    def _stmt_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None:
            module = None
        else:
            module = _dotted(node.module)
        if isinstance(node.names, cst.ImportStar):
            if module is not None:
                self.frame.star_modules.append(module)
            return
        for alias in node.names:
            name = _dotted(alias.name)
            bound = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else name
            if module is None:
                self.frame.vars[bound] = UNKNOWN
            else:
                dotted = f"{module}.{name}"
                self.frame.vars[bound] = Ref(canonical(dotted), dotted)

    def _stmt_If(self, node: cst.If) -> None:
        test = self.truth(self.eval(node.test))
        orelse = node.orelse
        if test is True:
            self.exec_block(node.body)
        elif test is False:
            self._exec_orelse(orelse)
        else:
            self.branch(lambda: self.exec_block(node.body), lambda: self._exec_orelse(orelse))

    def _exec_orelse(self, orelse: cst.If | cst.Else | None) -> None:
        if isinstance(orelse, cst.If):
            self._stmt_If(orelse)
        elif isinstance(orelse, cst.Else):
            self.exec_block(orelse.body)

    def _stmt_For(self, node: cst.For) -> None:
        iterable = self.eval(node.iter)
        items = self.sequence_items(iterable)
        if (items is not None and len(items) <= MAX_UNROLL and self.unrolled * len(items) <= MAX_UNROLL_TOTAL
                and not self.exhausted):
            saved, self.unrolled = self.unrolled, self.unrolled * max(len(items), 1)
            try:
                for item in items:
                    if self.returned:
                        break
                    self.assign(node.target, item)
                    self.exec_block(node.body)
            finally:
                self.unrolled = saved
        else:
            def once() -> None:
                self.assign(node.target, UNKNOWN)
                self.exec_block(node.body)

            self.branch(once, lambda: None)
        if node.orelse is not None:
            self.exec_block(node.orelse.body)

    def _stmt_While(self, node: cst.While) -> None:
        self.eval(node.test)
        self.branch(lambda: self.exec_block(node.body), lambda: None)
        if node.orelse is not None:
            self.exec_block(node.orelse.body)

    def _stmt_Try(self, node: cst.Try) -> None:
        self.exec_block(node.body)
        if node.handlers:
            handlers = [lambda h=h: self._exec_handler(h) for h in node.handlers]
            if self.returned == RAISED:
                # The body certainly raised: a handler runs, or the exception propagates (a path
                # that contributes nothing to what follows). Without this, a caught ``raise``
                # at module level ended the analysis of the whole script.
                self.returned = False
                self.branch(lambda: setattr(self, "returned", RAISED), *handlers)
            else:
                self.branch(lambda: None, *handlers)
        if node.orelse is not None:
            self.exec_block(node.orelse.body)
        if node.finalbody is not None:
            returned, self.returned = self.returned, False
            self.exec_block(node.finalbody.body)
            self.returned = self.returned or returned

    _stmt_TryStar = _stmt_Try

    def _exec_handler(self, handler: cst.ExceptHandler | cst.ExceptStarHandler) -> None:
        if handler.type is not None:
            self.eval(handler.type)
        if handler.name is not None and isinstance(handler.name.name, cst.Name):
            self.assign(handler.name.name, UNKNOWN)
        self.exec_block(handler.body)

    def _stmt_Match(self, node: cst.Match) -> None:
        """Each case is one alternative; so is "no case matched" unless the last case is ``case _:``.
        (The generic fallback ran nothing: case bodies are MatchCase children, not suites.)"""
        self.eval(node.subject)
        blocks = [lambda c=case: self._exec_case(c) for case in node.cases]
        last = node.cases[-1] if node.cases else None
        if not (last is not None and isinstance(last.pattern, cst.MatchAs) and last.pattern.pattern is None
                and last.guard is None):
            blocks.append(lambda: None)
        self.branch(*blocks)

    def _exec_case(self, case: cst.MatchCase) -> None:
        for sub in _walk(case.pattern):
            if isinstance(sub, (cst.MatchAs, cst.MatchStar)) and isinstance(sub.name, cst.Name):
                self.assign(sub.name, UNKNOWN)
            elif isinstance(sub, cst.MatchMapping) and isinstance(sub.rest, cst.Name):
                self.assign(sub.rest, UNKNOWN)
        if case.guard is not None:
            self.eval(case.guard)
        self.exec_block(case.body)

    def _stmt_With(self, node: cst.With) -> None:
        for item in node.items:
            value = self.eval(item.item)
            if item.asname is not None:
                self.assign(item.asname.name, UNKNOWN if not isinstance(value, Obj) else value)
        self.exec_block(node.body)

    def _stmt_FunctionDef(self, node: cst.FunctionDef) -> None:
        for decorator in node.decorators:
            self.eval(decorator.decorator)
        fn = Function(node=node, scope=self.frame, name=node.name.value, defaults=self._defaults(node.params))
        self.frame.vars[node.name.value] = fn
        self.defined.append(fn)

    def _defaults(self, params: cst.Parameters) -> dict[str, Any]:
        defaults: dict[str, Any] = {}
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            if param.default is not None:
                defaults[param.name.value] = self.eval(param.default)
        return defaults

    def _stmt_ClassDef(self, node: cst.ClassDef) -> None:
        base: str | None = None
        methods: dict[str, tuple[Function, str]] = {}
        for arg in node.bases:
            value = self.eval(arg.value)
            if isinstance(value, Ref) and value.name.startswith("keras."):
                base = value.name
            elif isinstance(value, ClassValue) and value.base:
                base = value.base
            elif isinstance(value, ClassValue):
                methods = {**self.methods.get(id(value.node), {}), **methods}
        # Methods of plain script classes are followed when called (a `Trainer.seed_all()`
        # that seeds must count); those of Keras subclasses stay with the API model.
        for statement in node.body.body if isinstance(node.body, cst.IndentedBlock) else ():
            if isinstance(statement, cst.FunctionDef):
                kind = "method"
                for decorator in statement.decorators:
                    if isinstance(decorator.decorator, cst.Name) and decorator.decorator.value == "staticmethod":
                        kind = "static"
                    elif isinstance(decorator.decorator, cst.Name) and decorator.decorator.value == "classmethod":
                        kind = "class"
                fn = Function(node=statement, scope=self.frame, name=f"{node.name.value}.{statement.name.value}",
                              defaults=self._defaults(statement.params))
                methods[statement.name.value] = (fn, kind)
        self.methods[id(node)] = methods
        self.frame.vars[node.name.value] = ClassValue(node=node, name=node.name.value, base=base)

    # -- assignment --------------------------------------------------------------------
    def assign(self, target: cst.BaseExpression, value: Any) -> None:
        if isinstance(target, cst.Name):
            self.frame.vars[target.value] = value
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = target.elements
            items = self.sequence_items(value)
            starred = any(isinstance(e, cst.StarredElement) for e in elements)
            if items is not None and not starred and len(items) == len(elements):
                for element, item in zip(elements, items):
                    self.assign(element.value, item)
            else:
                for element in elements:
                    self.assign(element.value, UNKNOWN)
        elif isinstance(target, cst.StarredElement):
            self.assign(target.value, UNKNOWN)
        elif isinstance(target, cst.Subscript):
            container = self.eval(target.value)
            keys = [self.eval(e.slice.value) if isinstance(e.slice, cst.Index) else UNKNOWN for e in target.slice]
            if isinstance(container, Ref):
                self._emit(f"{container.name}.__setitem__", f"{container.spelled}.__setitem__",
                           target, [*keys, value], {}, None)
            else:
                containers.set_item(self, container, keys, value)
        elif isinstance(target, cst.Attribute):
            self.eval(target.value)

    # -- expressions -------------------------------------------------------------------
    def eval(self, node: cst.BaseExpression | None) -> Any:
        if node is None:
            return None
        self.steps += 1
        if self.eval_depth > MAX_EVAL_DEPTH or self.frames + _EVAL_FRAMES > self.max_frames:
            return UNKNOWN
        self.eval_depth += 1
        self.frames += _EVAL_FRAMES
        try:
            handler = getattr(self, f"_eval_{type(node).__name__}", None)
            if handler is None:
                for child in node.children:
                    if isinstance(child, cst.BaseExpression):
                        self.eval(child)
                return UNKNOWN
            return handler(node)
        finally:
            self.eval_depth -= 1
            self.frames -= _EVAL_FRAMES

    def _eval_Name(self, node: cst.Name) -> Any:
        name = node.value
        value = self.frame.lookup(name)
        if value is not MISSING:
            return value
        for module in reversed(self.frame.module.star_modules):
            exported = star_exports(module)
            if exported is not None and name in exported:
                dotted = f"{module}.{name}"
                return Ref(canonical(dotted), dotted)
        if name in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[name]
        if hasattr(builtins, name):
            return Ref(f"builtins.{name}", f"builtins.{name}")
        return UNKNOWN

    def _eval_Attribute(self, node: cst.Attribute) -> Any:
        base = self.eval(node.value)
        attr = node.attr.value
        if isinstance(base, Ref):
            spelled = f"{base.spelled}.{attr}"
            return Ref(canonical(spelled), spelled)
        if isinstance(base, Obj):
            bound = self._script_method(base, attr)
            return bound if bound is not None else api.attribute(self, base, attr)
        if isinstance(base, ClassValue) and base.base is None:
            fn, kind = self.methods.get(id(base.node), {}).get(attr, (None, ""))
            if fn is not None:
                return _Bound(fn, base) if kind == "class" else fn
        if isinstance(base, (ListValue, dict)):
            return containers.ContainerMethod(base, attr)
        return UNKNOWN

    def _script_method(self, obj: Obj, attr: str) -> Any:
        """``obj.attr`` on an instance of a script class: the method, bound unless static."""
        cls = obj.data.get("script_class") if obj.type.startswith("script.") else None
        if not isinstance(cls, ClassValue):
            return None
        fn, kind = self.methods.get(id(cls.node), {}).get(attr, (None, ""))
        if fn is None:
            return None
        return fn if kind == "static" else _Bound(fn, cls if kind == "class" else obj)

    def _eval_Integer(self, node: cst.Integer) -> Any:
        try:
            return ast.literal_eval(node.value)
        except (ValueError, SyntaxError):  # more digits than int() converts (Python 3.11+)
            return UNKNOWN

    _eval_Float = _eval_Imaginary = _eval_Integer

    def _eval_SimpleString(self, node: cst.SimpleString) -> Any:
        try:
            return ast.literal_eval(node.value)
        except (ValueError, SyntaxError):
            return UNKNOWN

    def _eval_ConcatenatedString(self, node: cst.ConcatenatedString) -> Any:
        left, right = self.eval(node.left), self.eval(node.right)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        return UNKNOWN

    def _eval_Ellipsis(self, node: cst.Ellipsis) -> Any:
        return ...

    def _eval_Tuple(self, node: cst.Tuple) -> Any:
        items = [self.eval(e.value) for e in node.elements]
        if any(isinstance(e, cst.StarredElement) for e in node.elements):
            return UNKNOWN
        return tuple(items)

    def _eval_List(self, node: cst.List) -> Any:
        items = [self.eval(e.value) for e in node.elements]
        if any(isinstance(e, cst.StarredElement) for e in node.elements):
            return UNKNOWN
        return ListValue(items)

    def _eval_Dict(self, node: cst.Dict) -> Any:
        """A dict literal with string keys (``from_tensor_slices({"a": x})``); else unknown."""
        items: dict[str, Any] = {}
        known = True
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                key, value = self.eval(element.key), self.eval(element.value)
                if isinstance(key, str):
                    items[key] = value
                    continue
            else:
                self.eval(element.value)
            known = False
        return items if known else UNKNOWN

    def _eval_Lambda(self, node: cst.Lambda) -> Any:
        return Function(node=node, scope=self.frame, name="<lambda>", defaults=self._defaults(node.params))

    def _eval_UnaryOperation(self, node: cst.UnaryOperation) -> Any:
        value = self.eval(node.expression)
        if not _is_const(value):
            symbol = {cst.Minus: "-", cst.Plus: "+", cst.BitInvert: "~"}.get(type(node.operator))
            return api.unary_op(self, symbol, value, node) if symbol else UNKNOWN
        try:
            if isinstance(node.operator, cst.Minus):
                return -value
            if isinstance(node.operator, cst.Plus):
                return +value
            if isinstance(node.operator, cst.Not):
                return not value
            if isinstance(node.operator, cst.BitInvert):
                return ~value
        except TypeError:
            return UNKNOWN
        return UNKNOWN

    def _eval_BinaryOperation(self, node: cst.BinaryOperation) -> Any:
        left, right = self.eval(node.left), self.eval(node.right)
        return self._arith(_BIN_OPS.get(type(node.operator)), left, right, node)

    def _arith(self, op: Any, left: Any, right: Any, node: cst.BaseExpression | None = None) -> Any:
        if op is None or not (_is_const(left) and _is_const(right)):
            return api.binary_op(self, op, left, right, node)
        if op is operator.mul and (isinstance(left, (str, tuple, bytes)) or isinstance(right, (str, tuple, bytes))):
            count = right if isinstance(left, (str, tuple, bytes)) else left
            if not isinstance(count, int) or count * max(len(left if not isinstance(left, int) else right), 1) > _MAX_CONST_LEN:
                return UNKNOWN
        if op is operator.pow and isinstance(right, (int, float)) and abs(right) > 64:
            return UNKNOWN
        if _too_big(op, left, right):
            return UNKNOWN
        try:
            result = op(left, right)
        except Exception:  # noqa: BLE001 - the script's own arithmetic error is not ours to report
            return UNKNOWN
        if isinstance(result, (str, tuple, bytes)) and len(result) > _MAX_CONST_LEN:
            return UNKNOWN  # e.g. "%100000000d" % 1
        return result

    def _eval_BooleanOperation(self, node: cst.BooleanOperation) -> Any:
        left = self.eval(node.left)
        truth = self.truth(left)
        if isinstance(node.operator, cst.And):
            if truth is False:
                return left
            right = self.eval(node.right)
            return right if truth is True else UNKNOWN
        if truth is True:
            return left
        right = self.eval(node.right)
        return right if truth is False else UNKNOWN

    def _eval_Comparison(self, node: cst.Comparison) -> Any:
        left = self.eval(node.left)
        result: Any = True
        for target in node.comparisons:
            right = self.eval(target.comparator)
            op = _COMPARE_OPS.get(type(target.operator))
            if result is True and op is not None and len(node.comparisons) == 1 and not (
                    _is_const(left) and _is_const(right)):
                result = api.compare(self, op, left, right, node)  # x > 0 on an array: a mask
            elif result is UNKNOWN or op is None or not (_is_const(left) and _is_const(right)):
                result = UNKNOWN
            else:
                try:
                    result = result and bool(op(left, right))
                except TypeError:
                    result = UNKNOWN
            left = right
        return result

    def _eval_IfExp(self, node: cst.IfExp) -> Any:
        truth = self.truth(self.eval(node.test))
        if truth is True:
            return self.eval(node.body)
        if truth is False:
            return self.eval(node.orelse)
        return merge_values(self.eval(node.body), self.eval(node.orelse))

    def _eval_NamedExpr(self, node: cst.NamedExpr) -> Any:
        value = self.eval(node.value)
        self.assign(node.target, value)
        return value

    def _eval_Subscript(self, node: cst.Subscript) -> Any:
        base = self.eval(node.value)
        indices: list[Any] = []
        for element in node.slice:
            part = element.slice
            if isinstance(part, cst.Index):
                indices.append(self.eval(part.value))
            else:
                indices.append(slice(self.eval(part.lower), self.eval(part.upper), self.eval(part.step)))
        return api.subscript(self, base, indices, node)

    def _eval_comprehension(self, node: cst.BaseComp) -> Any:
        """Evaluate a comprehension's parts once with unknown targets (its calls still count)."""
        saved = self.frame
        self.frame = Frame(parent=saved)
        try:
            clause: cst.CompFor | None = node.for_in
            while clause is not None:
                self.eval(clause.iter)
                self.assign(clause.target, UNKNOWN)
                for condition in clause.ifs:
                    self.eval(condition.test)
                clause = clause.inner_for_in
            if isinstance(node, cst.DictComp):
                self.eval(node.key)
                self.eval(node.value)
            else:
                self.eval(node.elt)  # type: ignore[attr-defined]
        finally:
            self.frame = saved
        return UNKNOWN

    _eval_ListComp = _eval_SetComp = _eval_GeneratorExp = _eval_DictComp = _eval_comprehension

    def _eval_Call(self, node: cst.Call) -> Any:
        func = self.eval(node.func)
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        star = False
        for arg in node.args:
            value = self.eval(arg.value)
            if arg.star:
                star = True
                if arg.star == "*" and isinstance(self.sequence_items(value), list):
                    args.extend(self.sequence_items(value) or [])
                    star = False
            elif arg.keyword is not None:
                kwargs[arg.keyword.value] = value
            else:
                args.append(value)
        return self.call(func, args, kwargs, node, star)

    def call(self, func: Any, args: list[Any], kwargs: dict[str, Any], node: cst.Call | None, star: bool = False) -> Any:
        if isinstance(func, Function):
            if star:
                return self.call_function(func, [], {}, node, unknown_args=True)
            return self.call_function(func, args, kwargs, node)
        if isinstance(func, Ref):
            return self._emit(func.name, func.spelled, node, args, kwargs, None, star)
        if isinstance(func, Method):
            receiver = func.receiver
            name = f"{receiver.type}.{func.name}"
            return self._emit(name, name, node, args, kwargs, receiver, star)
        if isinstance(func, _Bound):
            return self.call(func.function, [func.receiver, *args], kwargs, node, star)
        if isinstance(func, ClassValue):
            if func.base is not None:
                return self._emit(f"{func.base}#subclass", func.name, node, args, kwargs, None, star)
            instance = Obj(type=f"script.{func.name}", node=node, data={"script_class": func})
            init = self._script_method(instance, "__init__")
            if init is not None:
                self.call(init, args, kwargs, node, star)
            return instance
        if isinstance(func, Obj):
            return self._emit(f"{func.type}.__call__", f"{func.type}.__call__", node, args, kwargs, func, star)
        if isinstance(func, containers.ContainerMethod):
            return containers.call_method(self, func, args, kwargs)
        # A callee we know nothing about may fill the lists and dicts it is given.
        self._forget_containers(args, kwargs)
        return UNKNOWN

    @staticmethod
    def _forget_containers(args: list[Any], kwargs: dict[str, Any]) -> None:
        for value in (*args, *kwargs.values()):
            containers.forget(value)

    def _emit(self, name: str, spelled: str, node: cst.BaseExpression | None, args: list[Any], kwargs: dict[str, Any],
              receiver: Obj | None, star: bool = False) -> Any:
        site = CallSite(name=name, spelled=spelled, node=node, args=args, kwargs=kwargs,  # type: ignore[arg-type]
                        receiver=receiver, reachable=self.reachable, stack=tuple(self.call_nodes), star_args=star)
        result = site.result = api.call(self, site)
        for tracker in self.trackers:
            tracker.on_call(site)
        if name in ENTRY_POINT_RUNNERS:
            self._run_entry_point(args, kwargs, node)
        return result

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
            self.unknown_effects()
            self._forget_containers(args, kwargs)
            return UNKNOWN
        self.followed[id(fn.node)] = followed + 1
        self.entered.add(id(fn.node))
        frame = Frame(parent=fn.scope)
        self._bind(fn, frame, args, kwargs, unknown=detached or unknown_args)
        saved_frame, saved_returned = self.frame, self.returned
        self.frame, self.returned = frame, False
        activation = _Activation(fn)
        self.activations.append(activation)
        if node is not None:
            self.call_nodes.append(node)
        try:
            if isinstance(fn.node, cst.Lambda):
                return self.eval(fn.node.body)
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
        if isinstance(params.star_arg, cst.Param):
            frame.vars[params.star_arg.name.value] = UNKNOWN
        if params.star_kwarg is not None:
            frame.vars[params.star_kwarg.name.value] = UNKNOWN

    # -- helpers -----------------------------------------------------------------------
    def truth(self, value: Any) -> bool | None:
        if _is_const(value):
            return bool(value)
        if isinstance(value, ListValue):
            return bool(value.items)
        return None

    def sequence_items(self, value: Any) -> list[Any] | None:
        if isinstance(value, tuple):
            return list(value)
        if isinstance(value, ListValue):
            return list(value.items)
        if isinstance(value, str) and len(value) <= MAX_UNROLL:
            return list(value)
        return api.sequence_items(self, value)


@dataclass(frozen=True)
class _Bound:
    """A script method bound to its instance (or class, for a classmethod)."""

    function: Function
    receiver: Any


def _too_big(op: Any, left: Any, right: Any) -> bool:
    """Whether ``op(left, right)`` on constants would build a huge value (checked before computing)."""
    if op is operator.add and isinstance(left, (str, tuple, bytes)) and isinstance(right, (str, tuple, bytes)):
        return len(left) + len(right) > _MAX_CONST_LEN
    if not (isinstance(left, int) and isinstance(right, int)):
        return False
    if op is operator.mul:
        return left.bit_length() + right.bit_length() > _MAX_INT_BITS
    if op is operator.pow:
        return right > 0 and left.bit_length() * right > _MAX_INT_BITS
    return False


def _walk(node: cst.CSTNode) -> list[cst.CSTNode]:
    """``node`` and all its descendants, iteratively."""
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(current.children)
    return found


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return "?"

