"""Expressions of the source pass: what each kind of expression evaluates to.

A mixin of ``Interpreter`` (keraslint/source/interpreter.py); calls are dispatched back to the
interpreter (``self.call``), which follows the script's functions and asks the API model.
"""

from __future__ import annotations

import ast
import builtins
import functools
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import libcst as cst

from keraslint.source import api, containers, instances, modules, python_builtins
from keraslint.source.frames import MISSING, Frame
from keraslint.source.limits import (
    _EVAL_FRAMES,
    _MAX_CONST_LEN,
    _MAX_INT_BITS,
    MAX_EVAL_DEPTH,
    MAX_UNROLL,
    MAX_UNROLL_TOTAL,
)
from keraslint.source.names import canonical, star_exports
from keraslint.source.values import (
    NOT_MODELLED,
    ClassValue,
    Function,
    ListValue,
    Obj,
    Ref,
    merge_values,
)
from keraslint.values import UNKNOWN

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


@dataclass(frozen=True)
class _Bound:
    """A script method bound to its instance (or class, for a classmethod)."""

    function: Function
    receiver: Any


#: (interpreter class, node class) -> its ``_eval_`` method or None: looked up once, not per
#: evaluated node (a formatted name and an attribute search through the mixins each time)
_EVAL_HANDLERS: dict[tuple[type, type], Any] = {}


@functools.lru_cache(maxsize=8192)
def _literal(text: str) -> Any:
    """The value of a number or string literal's source text. Cached: the values are immutable,
    and ``literal_eval`` compiles the text each time (~5% of a re-check of a 1,000-line file)."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):  # more digits than int() converts (Python 3.11+)
        return UNKNOWN


class ExpressionsMixin:
    def eval(self, node: cst.BaseExpression | None) -> Any:
        if node is None:
            return None
        self.steps += 1
        if self.eval_depth > MAX_EVAL_DEPTH or self.frames + _EVAL_FRAMES > self.max_frames:
            if self.frames + _EVAL_FRAMES > self.max_frames and self.summaries is not None \
                    and self.summaries.recording:
                self.summaries.refuse(intrinsic=False)  # the real stack's depth: the caller's
            return UNKNOWN
        self.eval_depth += 1
        self.frames += _EVAL_FRAMES
        try:
            key = (type(self), type(node))
            handler = _EVAL_HANDLERS.get(key, MISSING)
            if handler is MISSING:
                handler = _EVAL_HANDLERS[key] = getattr(type(self), f"_eval_{type(node).__name__}", None)
            if handler is None:
                for child in node.children:
                    if isinstance(child, cst.BaseExpression):
                        self.eval(child)
                return UNKNOWN
            value = handler(self, node)
            session = self.summaries
            if session is not None and session.recording:
                session.value(value)  # a recorded call may read only what it made
            return value
        finally:
            self.eval_depth -= 1
            self.frames -= _EVAL_FRAMES

    def _eval_Name(self, node: cst.Name) -> Any:
        name = node.value
        value = self.frame.lookup(name)
        if isinstance(value, modules.LazyName):
            return self.loader.resolve(self, value)
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
            name = canonical(spelled)
            value = python_builtins.constant(name)
            return Ref(name, spelled) if value is NOT_MODELLED else value
        if isinstance(base, Obj):
            value = instances.get_attribute(base, attr)
            if value is not MISSING:
                return value
            bound = self._script_method(base, attr)
            if bound is not None:
                return bound
            return UNKNOWN if instances.is_instance(base) else api.attribute(self, base, attr)
        if isinstance(base, ClassValue):  # Net.from_config(cfg) on a Keras subclass too
            fn, kind = self.methods.get(id(base.node), {}).get(attr, (None, ""))
            if fn is not None:
                return _Bound(fn, base) if kind == "class" else fn
            return base.attrs.get(attr, UNKNOWN)
        if isinstance(base, (ListValue, dict)):
            return containers.ContainerMethod(base, attr)
        if isinstance(base, instances.Super):
            return instances.super_attribute(self, base, attr)
        if isinstance(base, modules.ModuleValue):
            return self.loader.attribute(self, base, attr)
        return UNKNOWN

    def _script_method(self, obj: Obj, attr: str) -> Any:
        """``obj.attr`` on an instance of a script class: the method, bound unless static."""
        cls = obj.data.get("script_class")
        if not isinstance(cls, ClassValue):
            return None
        fn, kind = self.methods.get(id(cls.node), {}).get(attr, (None, ""))
        if fn is None:
            return None
        if kind == "property":
            return self.call(fn, [obj], {}, None)
        return fn if kind == "static" else _Bound(fn, cls if kind == "class" else obj)

    def _eval_Integer(self, node: cst.Integer) -> Any:
        return _literal(node.value)

    _eval_Float = _eval_Imaginary = _eval_SimpleString = _eval_Integer

    def _eval_ConcatenatedString(self, node: cst.ConcatenatedString) -> Any:
        left, right = self.eval(node.left), self.eval(node.right)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        return UNKNOWN

    def _eval_FormattedString(self, node: cst.FormattedString) -> Any:
        """``f"encoder_{i}_ffn"``: the string, when every part is a known number, string or bool
        (layer names built in a loop are what ``get_layer`` later looks up); otherwise unknown.
        Every expression is evaluated either way (its calls count)."""
        pieces: list[str] | None = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                if pieces is not None and "\\" not in part.value:
                    pieces.append(part.value.replace("{{", "{").replace("}}", "}"))
                else:
                    pieces = None
                continue
            assert isinstance(part, cst.FormattedStringExpression)
            value = self.eval(part.expression)
            spec = part.format_spec
            if pieces is None or part.equal is not None or type(value) not in (int, float, str, bool) \
                    and not isinstance(value, int) or spec and not all(isinstance(p, cst.FormattedStringText)
                                                                       for p in spec):
                pieces = None
                continue
            if part.conversion == "r":
                value = repr(value)
            elif part.conversion in ("s", "a"):
                value = str(value) if part.conversion == "s" else ascii(value)
            try:
                pieces.append(format(value, "".join(p.value for p in spec or ()
                                                    if isinstance(p, cst.FormattedStringText))))
            except (ValueError, TypeError):
                pieces = None
        return "".join(pieces) if pieces is not None else UNKNOWN

    def _eval_Ellipsis(self, node: cst.Ellipsis) -> Any:
        return ...

    def _eval_Tuple(self, node: cst.Tuple) -> Any:
        items = self._elements(node.elements)
        return UNKNOWN if items is None else tuple(items)

    def _eval_List(self, node: cst.List) -> Any:
        items = self._elements(node.elements)
        return UNKNOWN if items is None else ListValue(items)

    def _elements(self, elements: Sequence[cst.BaseElement]) -> list[Any] | None:
        """The items of a list or tuple display, ``*known`` spread in; None when a starred part
        is not a known sequence (every element is still evaluated, for its calls)."""
        items: list[Any] = []
        known = True
        for element in elements:
            value = self.eval(element.value)
            if isinstance(element, cst.StarredElement):
                spread = self.sequence_items(value)
                if spread is None:
                    known = False
                else:
                    items.extend(spread)
            else:
                items.append(value)
        return items if known else None

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
        if op is operator.mod and isinstance(left, (str, bytes)) and _format_too_big(left, right):
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
            if isinstance(target.operator, (cst.In, cst.NotIn)):
                decided, positive = python_builtins.membership(left, right), isinstance(target.operator, cst.In)
            elif isinstance(target.operator, (cst.Is, cst.IsNot, cst.Equal, cst.NotEqual)):
                decided = python_builtins.none_test(left, right)
                positive = isinstance(target.operator, (cst.Is, cst.Equal))
            else:
                decided, positive = NOT_MODELLED, True
            if result is True and decided is not NOT_MODELLED:
                result = decided if positive else not decided
            elif result is True and op is not None and len(node.comparisons) == 1 and not (
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

    def _eval_Yield(self, node: cst.Yield) -> Any:
        """``yield x`` (``yield from xs``: one element of ``xs``), recorded for the generator
        function being run; what the caller sends back is not known."""
        if isinstance(node.value, cst.From):
            source = self.eval(node.value.item)
            items = self.sequence_items(source)
            if items is None:
                items = [api.element_of(self, source)]
        else:
            items = [self.eval(node.value) if node.value is not None else None]
        if self.activations and self.activations[-1].yields is not None:
            self.activations[-1].yields.extend(items)
        return UNKNOWN

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

    def _eval_ListComp(self, node: cst.ListComp) -> Any:
        """``[Block(w) for w in widths]`` over known items: one element per item, in order (as a
        ``for`` loop over them is unrolled); otherwise evaluated once, unknown."""
        items = self._unrolled_comprehension(node)
        return ListValue(items) if items is not None else self._eval_comprehension(node)

    def _eval_DictComp(self, node: cst.DictComp) -> Any:
        """``{name: keras.Input(...) for name in FEATURES}`` over known items, string keys: the
        dict Python builds; otherwise evaluated once, unknown."""
        pairs = self._unrolled_comprehension(node)
        if pairs is None or not all(isinstance(key, str) for key, _ in pairs):
            return self._eval_comprehension(node)
        return dict(pairs)

    def _unrolled_comprehension(self, node: cst.ListComp | cst.DictComp | cst.GeneratorExp) -> list[Any] | None:
        saved_frame, saved_unrolled = self.frame, self.unrolled
        self.frame = Frame(parent=saved_frame)
        self.loop_depth += 1
        try:
            out: list[Any] = []
            return out if self._unroll_clause(node, node.for_in, out) else None
        finally:
            self.frame, self.unrolled = saved_frame, saved_unrolled
            self.loop_depth -= 1

    def _unroll_clause(self, node: cst.ListComp | cst.DictComp | cst.GeneratorExp, clause: cst.CompFor | None,
                       out: list[Any]) -> bool:
        """Append the elements ``clause`` (and the clauses inside it) give (``(key, value)`` for a
        dict comprehension); False when an iterable or a condition is not known, or the unrolling
        would be too large."""
        if clause is None:
            if isinstance(node, cst.DictComp):
                key = self.eval(node.key)
                out.append((key, self.eval(node.value)))
            else:
                out.append(self.eval(node.elt))
            return True
        if clause.asynchronous is not None:
            return False
        items = self.sequence_items(self.eval(clause.iter))
        if (items is None or len(items) > MAX_UNROLL or self.unrolled * max(len(items), 1) > MAX_UNROLL_TOTAL
                or self.exhausted):
            return False
        self.unrolled *= max(len(items), 1)
        for item in items:
            self.assign(clause.target, item)
            keep = True
            for condition in clause.ifs:
                truth = self.truth(self.eval(condition.test))
                if truth is None:
                    return False
                keep = keep and truth
            if keep and not self._unroll_clause(node, clause.inner_for_in, out):
                return False
        return True

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

    _eval_SetComp = _eval_GeneratorExp = _eval_comprehension

    def _eval_Call(self, node: cst.Call) -> Any:
        func = self.eval(node.func)
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        star = False
        for arg in node.args:
            value = self._generator_argument(arg.value) if isinstance(arg.value, cst.GeneratorExp) \
                and isinstance(func, (Ref, containers.ContainerMethod)) else self.eval(arg.value)
            if arg.star == "*" and isinstance(self.sequence_items(value), list):
                args.extend(self.sequence_items(value) or [])
            elif arg.star == "**" and containers.known_keywords(value):
                kwargs.update(value)  # build_model(**cfg)
            elif arg.star:
                star = True
            elif arg.keyword is not None:
                kwargs[arg.keyword.value] = value
            else:
                args.append(value)
        return self.call(func, args, kwargs, node, star)

    def _generator_argument(self, node: cst.GeneratorExp) -> Any:
        """``sum(w for w in widths)``, ``tuple(d // 2 for d in shape)``: a generator consumed by
        the library call it is passed to, as the tuple of what it yields (known items only). A
        generator bound to a name, or passed to the script's own function, is not: it could be
        consumed twice, the second time empty."""
        items = self._unrolled_comprehension(node)
        return tuple(items) if items is not None else self._eval_comprehension(node)



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


#: one printf-style conversion: ``%[(key)][flags][width][.precision][length]type``
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([a-zA-Z%])")


def _format_too_big(template: str | bytes, args: Any) -> bool:
    """Whether ``template % args`` could exceed the constant bound: its widths and precisions
    (``"%*s" % (2000000000, "")`` is a 2 GB string) are read before anything is formatted."""
    text = template.decode("latin-1") if isinstance(template, bytes) else template
    values = list(args) if isinstance(args, tuple) else [args]
    position, total = 0, len(text)
    for match in _PERCENT_SPEC.finditer(text):
        for part in match.group(1, 2):
            if part == "*":
                size = values[position] if position < len(values) else 0
                position += 1
            else:
                size = int(part) if part and len(part) < 12 else (0 if not part else _MAX_CONST_LEN + 1)
            if isinstance(size, int) and abs(size) > _MAX_CONST_LEN:
                return True
            total += abs(size) if isinstance(size, int) else 0
        if match.group(3) != "%":
            value = values[position] if position < len(values) else None
            position += 1
            total += len(value) if isinstance(value, (str, bytes, tuple)) else 0
    return total > _MAX_CONST_LEN
