"""Plain Python on the script's own lists, tuples and dicts: ``name in FEATURES``, ``A + B`` and
``A * 2`` on lists, iterating a dict and its ``keys()``/``values()``/``items()``, ``len(d)``, the
builtins ``sorted``/``min``/``max``/``sum``/``abs``/``round``, ``functools.partial``, and the
``math`` module on numbers (``math.log(10000) / (half - 1)``, ``math.sqrt``, ``math.pi``).

Real scripts size their models this way: ``for name in FEATURE_NAMES: if name in NUMERIC: ...``
builds one ``Input`` per feature, ``FEATURES = NUMERIC + list(CATEGORICAL.keys())``. Each helper
gives an exact value only when every item it depends on is known, and NOT_MODELLED otherwise
(the caller then falls back to its unknown). A value the pass lost (UNKNOWN, a container it
forgot, a dict with ``UNKNOWN_KEYS``) never becomes a concrete answer.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from keraslint.source.containers import MAX_ITEMS, UNKNOWN_KEYS
from keraslint.source.values import NOT_MODELLED, FromOption, ListValue, Obj
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter

_PRIMITIVES = (int, float, str, bool, type(None), bytes)


def _const(value: Any) -> bool:
    if isinstance(value, _PRIMITIVES):
        return True
    return isinstance(value, tuple) and all(_const(v) for v in value)


def dict_keys(value: Any) -> list[str] | None:
    """The keys of a dict the script built, in insertion order; None when some may be missing."""
    if not isinstance(value, dict) or UNKNOWN_KEYS in value:
        return None
    return list(value)


def membership(left: Any, right: Any) -> Any:
    """``left in right`` for a constant ``left`` and a list, tuple or dict the pass knows; True
    as soon as an equal known item is found, False only when every item is a known constant."""
    if not _const(left):
        return NOT_MODELLED
    if isinstance(right, dict):
        if left in right:
            return True
        return False if UNKNOWN_KEYS not in right else NOT_MODELLED
    if isinstance(right, ListValue):
        items: Any = right.items
    elif isinstance(right, tuple):
        items = right
    else:
        return NOT_MODELLED
    undecided = False
    for item in items:
        if not _const(item):
            undecided = True  # an unknown item (or an object) may be equal
        elif item == left:
            return True
    return NOT_MODELLED if undecided else False


def none_test(left: Any, right: Any) -> Any:
    """``x.shape[-1] is None`` (or ``== None``) on an axis the model declares None (a dynamic_dim):
    True, as Keras reports that axis as None; NOT_MODELLED for anything else (an axis keraslint
    could not determine is unknown, never None)."""
    from keraslint.source.values import is_dynamic_dim

    if (left is None and is_dynamic_dim(right)) or (right is None and is_dynamic_dim(left)):
        return True
    return NOT_MODELLED


def binary_op(op: Any, left: Any, right: Any) -> Any:
    """``a + b`` on two lists (a new list), ``a * n`` and ``n * a`` on a list."""
    if op is operator.add and isinstance(left, ListValue) and isinstance(right, ListValue):
        if len(left.items) + len(right.items) > MAX_ITEMS:
            return NOT_MODELLED
        return ListValue([*left.items, *right.items])
    if op is operator.mul:
        lst, count = (left, right) if isinstance(left, ListValue) else (right, left)
        if isinstance(lst, ListValue) and type(count) in (int, FromOption):
            if len(lst.items) * max(count, 0) > MAX_ITEMS:
                return NOT_MODELLED
            return ListValue(list(lst.items) * count)
    return NOT_MODELLED


def dict_view(container: dict, name: str) -> Any:
    """``d.keys()``/``d.values()``/``d.items()`` as a tuple of what they yield now (a snapshot:
    scripts iterate them or pass them to ``list``), NOT_MODELLED when some key is not known."""
    keys = dict_keys(container)
    if keys is None:
        return NOT_MODELLED
    if name == "keys":
        return tuple(keys)
    if name == "values":
        return tuple(container[k] for k in keys)
    return tuple((k, container[k]) for k in keys)


def _numbers(items: list[Any] | None) -> list[Any] | None:
    if items is None or not all(type(v) in (int, float, bool, FromOption) for v in items):
        return None
    return items


def _items_of(interp: Interpreter, site: CallSite) -> list[Any] | None:
    """The items of the one iterable argument, or of the positional arguments (``max(a, b)``)."""
    if site.star_args:
        return None
    if len(site.args) == 1:
        return interp.sequence_items(site.args[0])
    return list(site.args) if site.args else None


def _sorted(interp: Interpreter, site: CallSite) -> Any:
    if site.star_args or len(site.args) != 1 or set(site.kwargs) - {"reverse"}:
        return NOT_MODELLED
    reverse = site.kwargs.get("reverse", False)
    items = interp.sequence_items(site.args[0])
    if items is None or not isinstance(reverse, bool) or not all(_const(v) for v in items):
        return NOT_MODELLED
    try:
        return ListValue(sorted(items, reverse=reverse))
    except TypeError:  # mixed types: the script's own TypeError, not ours to compute
        return NOT_MODELLED


def _extreme(pick: Any) -> Any:
    def extreme(interp: Interpreter, site: CallSite) -> Any:
        if site.kwargs:
            return NOT_MODELLED
        items = _numbers(_items_of(interp, site))
        return pick(items) if items else NOT_MODELLED

    return extreme


def _sum(interp: Interpreter, site: CallSite) -> Any:
    if site.kwargs or site.star_args or len(site.args) != 1:
        return NOT_MODELLED
    items = _numbers(interp.sequence_items(site.args[0]))
    return sum(int(v) if type(v) is FromOption else v for v in items) if items is not None else NOT_MODELLED


def _abs(interp: Interpreter, site: CallSite) -> Any:
    if site.kwargs or len(site.args) != 1 or type(site.args[0]) not in (int, float, FromOption):
        return NOT_MODELLED
    return abs(site.args[0])


def _round(interp: Interpreter, site: CallSite) -> Any:
    if site.kwargs or not 1 <= len(site.args) <= 2 or type(site.args[0]) not in (int, float, FromOption):
        return NOT_MODELLED
    if len(site.args) == 2 and type(site.args[1]) is not int:
        return NOT_MODELLED
    try:
        return round(*site.args)
    except (OverflowError, ValueError):  # round(float("inf")): the script's own error
        return NOT_MODELLED


@dataclass(frozen=True, eq=False)
class Partial:
    """``functools.partial(layers.LayerNormalization, epsilon=1e-6)``: calling it calls ``func``
    with the stored arguments first (keywords given at the call win, as in Python)."""

    func: Any
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


def _partial(interp: Interpreter, site: CallSite) -> Any:
    if site.star_args or not site.args:
        return NOT_MODELLED
    return Partial(site.args[0], tuple(site.args[1:]), dict(site.kwargs))


#: module constants scripts compute sizes and frequencies with (NumPy's spellings too)
CONSTANTS: dict[str, float] = {"math.pi": math.pi, "math.e": math.e, "math.tau": math.tau, "numpy.pi": math.pi,
                               "numpy.e": math.e}


def constant(name: str) -> Any:
    """``math.pi``: its value; NOT_MODELLED for any other name."""
    return CONSTANTS.get(name, NOT_MODELLED)


#: math functions of plain numbers; a domain error (math.log(0)) is the script's, left unknown
_MATH = {name: getattr(math, name) for name in (
    "log", "log2", "log10", "log1p", "exp", "expm1", "sqrt", "pow", "floor", "ceil", "trunc", "fabs", "sin", "cos",
    "tan", "tanh", "atan", "gcd", "isqrt", "factorial", "comb", "perm", "prod", "hypot")}
#: integer arguments past this are not computed (math.factorial(10**6) takes seconds)
_MAX_MATH_INT = 10_000


def _math(interp: Interpreter, site: CallSite) -> Any:
    fn = _MATH[site.name.split(".", 1)[1]]
    if site.kwargs or site.star_args or not site.args:
        return NOT_MODELLED
    args = site.args
    if site.name == "math.prod":
        items = _numbers(interp.sequence_items(args[0])) if len(args) == 1 else None
        if items is None:
            return NOT_MODELLED
        args = [tuple(int(v) if type(v) is FromOption else v for v in items)]
    elif not all(type(a) in (int, float, bool, FromOption) for a in args):
        return NOT_MODELLED
    if any(isinstance(a, int) and abs(a) > _MAX_MATH_INT for a in args) and site.name in (
            "math.factorial", "math.comb", "math.perm", "math.pow"):
        return NOT_MODELLED
    try:
        value = fn(*args)
    except (ValueError, TypeError, OverflowError, ZeroDivisionError):
        return NOT_MODELLED
    if isinstance(value, int) and value.bit_length() > 4_096:
        return NOT_MODELLED
    return value


#: what a call of a generator function gives, and what ``iter(x)`` gives: ``data["element"]`` is
#: what each step yields (the merge of every ``yield`` the body reached), ``data["of"]`` the value
#: ``iter`` was given
GENERATOR = "builtins.generator"
ITERATOR = "builtins.iterator"


def generator(node: Any, yields: list[Any]) -> Obj:
    """The generator a generator function's call gives: each step yields the merge of what its
    ``yield`` expressions gave (unknown when they disagree, or when none ran)."""
    from keraslint.source.values import merge_values

    step = yields[0] if yields else UNKNOWN
    for other in yields[1:]:
        step = merge_values(step, other)
    return Obj(GENERATOR, node, {"element": step})


def element(interp: Interpreter, value: Any) -> Any:
    """What one step of a generator or iterator gives; NOT_MODELLED for other values."""
    if isinstance(value, Obj) and value.type == GENERATOR:
        return value.data.get("element", UNKNOWN)
    if isinstance(value, Obj) and value.type == ITERATOR:
        from keraslint.source import api  # api dispatches to this module

        return api.element_of(interp, value.data["of"])
    return NOT_MODELLED


def _iter(interp: Interpreter, site: CallSite) -> Any:
    """``iter(train_ds)``: an iterator over a dataset, a generator or an array (whose ``next`` is
    any one element: they all have the same shape). Lists and tuples are not: ``next`` would
    give their first item, then the second."""
    if site.kwargs or site.star_args or len(site.args) != 1 or not isinstance(site.args[0], Obj):
        return NOT_MODELLED
    return Obj(ITERATOR, site.node, {"of": site.args[0]})


def _next(interp: Interpreter, site: CallSite) -> Any:
    """``next(iter(train_ds))``, ``next(gen)``: one element (no default: with one, the result
    may be the default)."""
    if site.kwargs or site.star_args or len(site.args) != 1:
        return NOT_MODELLED
    return element(interp, site.args[0])


CALLS = {
    "builtins.iter": _iter,
    "builtins.next": _next,
    **{f"math.{name}": _math for name in _MATH},
    "functools.partial": _partial,
    "builtins.sorted": _sorted,
    "builtins.min": _extreme(min),
    "builtins.max": _extreme(max),
    "builtins.sum": _sum,
    "builtins.abs": _abs,
    "builtins.round": _round,
}


def call(interp: Interpreter, site: CallSite) -> Any:
    handler = CALLS.get(site.name)
    if handler is None:
        return NOT_MODELLED
    return handler(interp, site)

