"""Statements of the source pass: how each kind of statement changes the abstract state.

A mixin of ``Interpreter`` (keraslint/source/interpreter.py), split off so that each file holds
one concern: this one the statements and assignment, ``expressions.py`` the expressions.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import libcst as cst

from keraslint.source import (
    api,
    cli_args,
    containers,
    instances,
    pandas_sources,
    python_builtins,
    summarized_loops,
    unknown_notes,
)
from keraslint.source.frames import MISSING, Frame
from keraslint.source.limits import _BLOCK_FRAMES, MAX_UNROLL, MAX_UNROLL_TOTAL, RAISED
from keraslint.source.modules import LazyName, ModuleValue
from keraslint.source.names import canonical
from keraslint.source.tree import child_nodes
from keraslint.source.values import (
    NOT_MODELLED,
    ClassValue,
    Function,
    ListValue,
    Obj,
    Ref,
)
from keraslint.values import UNKNOWN


#: (interpreter class, statement class) -> its ``_stmt_`` method or None
_STMT_HANDLERS: dict[tuple[type, type], Any] = {}


class StatementsMixin:
    def exec_block(self, body: Sequence[cst.CSTNode] | cst.BaseSuite) -> None:
        if isinstance(body, cst.IndentedBlock):
            statements: Sequence[cst.CSTNode] = body.body
        elif isinstance(body, cst.SimpleStatementSuite):
            statements = body.body
        else:
            statements = body  # type: ignore[assignment]
        if self.frames + _BLOCK_FRAMES > self.max_frames:
            if self.summaries is not None and self.summaries.recording:
                self.summaries.refuse(intrinsic=False)  # the real stack's depth: the caller's
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
        key = (type(self), type(node))
        handler = _STMT_HANDLERS.get(key, MISSING)
        if handler is MISSING:  # looked up once per statement class, not per statement run
            handler = _STMT_HANDLERS[key] = getattr(type(self), f"_stmt_{type(node).__name__}", None)
        if handler is not None:
            handler(self, node)
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
            unknown_notes.after_assign(self, self.frame, target.target, node.value, value)

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
                bound, value = alias.asname.name.value, self.project_module(dotted)
                self.frame.vars[bound] = value if value is not None else Ref(canonical(dotted), dotted)
            else:
                top = dotted.split(".")[0]
                value = self.project_module(top)
                if value is not None and dotted != top:
                    self.project_module(dotted)  # `import pkg.sub` runs pkg.sub (eagerly if it must)
                self.frame.vars[top] = value if value is not None else Ref(canonical(top), top)

    def _stmt_ImportFrom(self, node: cst.ImportFrom) -> None:
        level = len(node.relative)
        name = _dotted(node.module) if node.module is not None else None
        module = self.project_module_from(name, level)
        if module is not None:
            self._import_from_project(node, module)
            return
        if level or name is None:
            if isinstance(node.names, cst.ImportStar):
                self.unknown_effects()
                return
            for alias in node.names:
                self.frame.vars[_bound_name(alias)] = UNKNOWN
            return
        if isinstance(node.names, cst.ImportStar):
            self.frame.star_modules.append(name)
            return
        for alias in node.names:
            dotted = f"{name}.{_dotted(alias.name)}"
            value = python_builtins.constant(canonical(dotted))  # from math import pi
            self.frame.vars[_bound_name(alias)] = Ref(canonical(dotted), dotted) if value is NOT_MODELLED else value

    def _import_from_project(self, node: cst.ImportFrom, module: Any) -> None:
        loader = self.loader
        if isinstance(node.names, cst.ImportStar):
            self.frame.vars.update(loader.star_names(self, module))
            return
        for alias in node.names:
            attr = _dotted(alias.name)
            frame = module.frame
            if frame is not None and module.state == "done" and attr in frame.vars:
                value = frame.vars[attr]
            elif (sub := loader.find(f"{module.name}.{attr}") if module.package_dir is not None else None) is not None:
                value = sub  # `from pkg import submodule`
                if loader.eager(sub):
                    loader.run(self, sub)
            else:
                value = LazyName(module, attr)
            self.frame.vars[_bound_name(alias)] = value

    def _stmt_If(self, node: cst.If) -> None:
        test = self.truth(self.eval(node.test))
        orelse = node.orelse
        if test is True:
            self.exec_block(node.body)
        elif test is False:
            self._exec_orelse(orelse)
        else:
            before = dict(self.frame.vars)
            self.branch(lambda: self.exec_block(node.body), lambda: self._exec_orelse(orelse))
            unknown_notes.after_undecided_if(self, node.test, before)

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
                    self._exec_loop_body(node.body)
            finally:
                self.unrolled = saved
        else:
            element = api.element_of(self, iterable)

            def once() -> None:
                self.assign(node.target, element)
                self._exec_loop_body(node.body)

            grown = summarized_loops.appended_lists(node.body, self.frame.vars) if items else None
            if grown is not None and not self.exhausted:
                self._summarized_loop(once, grown, len(items))
            else:
                self.branch(once, lambda: None)
        if node.orelse is not None:
            self.exec_block(node.orelse.body)

    #: list id -> the items a summarized loop's body appended to it (containers.call_method)
    append_recorder: dict[int, list[Any]] | None = None

    def _summarized_loop(self, once: Any, grown: dict[str, tuple[ListValue, int]], trips: int) -> None:
        """A loop too long to unroll whose body appends data to lists (summarized_loops): the
        body runs twice, the lists get what every iteration appends ``trips`` times."""
        saved = self.append_recorder
        runs: list[dict[int, list[Any]]] = []
        try:
            for _ in range(2):
                self.append_recorder = {id(lst): [] for lst, _ in grown.values()}
                self.branch(once, lambda: None)  # the merge with "not run" is what the next run starts from
                runs.append(self.append_recorder)
        finally:
            self.append_recorder = saved
        for lst, per_iteration in grown.values():
            added = summarized_loops.repeated(runs[0][id(lst)], runs[1][id(lst)], per_iteration, trips,
                                              len(lst.items)) if isinstance(lst, ListValue) else None
            if added is None:
                containers.forget(lst)
            else:
                lst.items.extend(added)

    def _stmt_While(self, node: cst.While) -> None:
        self.eval(node.test)
        self.branch(lambda: self._exec_loop_body(node.body), lambda: None)
        if node.orelse is not None:
            self.exec_block(node.orelse.body)

    def _exec_loop_body(self, body: cst.BaseSuite) -> None:
        """One run of a loop body; the calls in it know they are in a loop (KL101 reads it)."""
        self.loop_depth += 1
        try:
            self.exec_block(body)
        finally:
            self.loop_depth -= 1

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
        if self.in_checked_file():  # another module's functions run only when called
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
        inherited: list[ClassValue] = []
        record = instances.is_record(self, node)
        for arg in node.bases:
            value = self.eval(arg.value)
            if isinstance(value, Ref) and value.name.startswith("keras."):
                base = value.name
            elif isinstance(value, Ref) and value.name in instances.RECORD_BASES:
                record = True
            elif isinstance(value, ClassValue):
                if value.base:
                    base = value.base
                methods = {**self.methods.get(id(value.node), {}), **methods}
                inherited.append(value)
        # Methods are followed when called (a `Trainer.seed_all()` that seeds must count); a
        # Keras subclass's __init__, build and call are run by subclass.py.
        own: list[Function] = []
        for statement in node.body.body if isinstance(node.body, cst.IndentedBlock) else ():
            if isinstance(statement, cst.FunctionDef):
                kind = "method"
                for decorator in statement.decorators:
                    if isinstance(decorator.decorator, cst.Name) and decorator.decorator.value == "staticmethod":
                        kind = "static"
                    elif isinstance(decorator.decorator, cst.Name) and decorator.decorator.value == "classmethod":
                        kind = "class"
                    elif isinstance(decorator.decorator, cst.Name) and decorator.decorator.value == "property":
                        kind = "property"
                    elif isinstance(decorator.decorator, cst.Attribute) and decorator.decorator.attr.value in (
                            "setter", "deleter"):
                        kind = "setter"
                fn = Function(node=statement, scope=self.frame, name=f"{node.name.value}.{statement.name.value}",
                              defaults=self._defaults(statement.params))
                own.append(fn)
                if kind != "setter":
                    methods[statement.name.value] = (fn, kind)
        self.methods[id(node)] = methods
        attrs, fields = instances.class_body(self, node, inherited, record)
        cls = ClassValue(node=node, name=node.name.value, base=base, attrs=attrs, fields=fields, parents=inherited)
        for fn in own:
            fn.owner = cls
        self.frame.vars[node.name.value] = cls

    # -- assignment --------------------------------------------------------------------
    def assign(self, target: cst.BaseExpression, value: Any) -> None:
        if isinstance(target, cst.Name):
            if self.activations and target.value in _globals_of(self.activations[-1].function.node):
                self.write_outside(self.frame.module, target.value, value)  # `global n` in the function
            else:
                self.frame.vars[target.value] = value
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = target.elements
            items = self.sequence_items(value)
            stars = [i for i, e in enumerate(elements) if isinstance(e, cst.StarredElement)]
            if items is not None and not stars and len(items) == len(elements):
                for element, item in zip(elements, items):
                    self.assign(element.value, item)
            elif items is not None and len(stars) == 1 and len(items) >= len(elements) - 1:
                # `x, *state = rnn(inputs)`: the starred name takes the middle, as a list
                star, tail = stars[0], len(elements) - stars[0] - 1
                for element, item in zip(elements[:star], items[:star]):
                    self.assign(element.value, item)
                self.assign(elements[star].value, ListValue(list(items[star:len(items) - tail])))
                for element, item in zip(elements[star + 1:], items[len(items) - tail:]):
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
            elif not pandas_sources.set_item(self, container, keys, value):
                containers.set_item(self, container, keys, value)
        elif isinstance(target, cst.Attribute):
            self.set_attribute(self.eval(target.value), target.attr.value, value)

    def set_attribute(self, owner: Any, name: str, value: Any) -> None:
        """``owner.name = value`` (or ``setattr(owner, "name", value)``)."""
        if isinstance(owner, ModuleValue) and self.loader is not None:
            frame = self.loader.run(self, owner)  # `config.NUM_CLASSES = 4`: what its readers see
            if frame is not None:
                self.write_outside(frame, name, value)
            return
        cli_args.set_attribute(self, owner, name, value)
        pandas_sources.set_attribute(self, owner, name, value)
        instances.set_attribute(self, owner, name, value)
        instances.set_class_attribute(self, owner, name, value)

    def write_outside(self, frame: Frame, name: str, value: Any) -> None:
        """A name of another scope set from here: a module's (``config.X = v``, ``global X``).
        Where the write may not run, or in the exploratory run of a function nobody calls, the
        name is unknown from here on; a summary cannot stand for a run that writes one."""
        if self.summaries is not None and self.summaries.recording:
            self.summaries.refuse()
        frame.vars[name] = UNKNOWN if self.uncertain or not self.reachable else value



#: id of a FunctionDef -> (the node, the names its ``global`` statements declare)
_GLOBALS: dict[int, tuple[cst.CSTNode, frozenset[str]]] = {}


def _globals_of(node: cst.CSTNode) -> frozenset[str]:
    """The names a function declares ``global`` (outside its nested functions and classes)."""
    entry = _GLOBALS.get(id(node))
    if entry is not None and entry[0] is node:
        return entry[1]
    names: set[str] = set()
    if isinstance(node, cst.FunctionDef):
        stack = list(child_nodes(node.body))
        while stack:
            current = stack.pop()
            if isinstance(current, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                continue
            if isinstance(current, cst.Global):
                names.update(n.name.value for n in current.names)
            stack.extend(child_nodes(current))
    if len(_GLOBALS) > 4_000:
        _GLOBALS.clear()
    _GLOBALS[id(node)] = (node, frozenset(names))
    return _GLOBALS[id(node)][1]


def _walk(node: cst.CSTNode) -> list[cst.CSTNode]:
    """``node`` and all its descendants, iteratively."""
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(child_nodes(current))
    return found


def _bound_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return _dotted(alias.name).split(".")[0]


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return "?"
