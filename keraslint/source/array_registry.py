"""The tables of array-call handlers (functions by qualified name, array methods by name),
and the helpers handlers share to read their call site.

A name keeps the first handler registered for it: arrays.py imports the handler modules
before any other module can register, so the array model's own handlers always win over the
fallbacks other modules (custom layers, loops) add.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from keraslint.source.array_dtypes import dtype_name
from keraslint.source.array_shapes import shape_arg
from keraslint.source.array_values import ARRAY, TENSOR
from keraslint.source.values import Array

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter


Handler = Callable[["Interpreter", "CallSite"], Any]
MethodHandler = Callable[["Interpreter", "CallSite", Array], Any]
_FUNCTIONS: dict[str, Handler] = {}
_METHODS: dict[str, MethodHandler] = {}


def register(name: str, handler: Handler) -> None:
    """``handler`` computes calls of ``name``, unless a handler for it is registered already."""
    _FUNCTIONS.setdefault(name, handler)


def handles(*names: str) -> Callable[[Handler], Handler]:
    """Decorator: register the function for each of ``names``."""
    def decorate(fn: Handler) -> Handler:
        for name in names:
            register(name, fn)
        return fn

    return decorate


def handles_method(*names: str) -> Callable[[MethodHandler], MethodHandler]:
    """Decorator: the function computes the array methods ``names`` (``x.reshape(...)``)."""
    def decorate(fn: MethodHandler) -> MethodHandler:
        for name in names:
            _METHODS.setdefault(name, fn)
        return fn

    return decorate


def _is_tf(site: CallSite) -> bool:
    return site.name.startswith("tensorflow.")


def _out_type(site: CallSite) -> str:
    return TENSOR if _is_tf(site) else ARRAY


def _dtype_kw(site: CallSite, position: int | None, default: str | None) -> str | None:
    value = site.arg(position, "dtype", default=None)
    if value is None:
        return default
    return dtype_name(value)


def _size_shape(value: Any) -> tuple | None:
    """``size=``: None (absent) -> a scalar."""
    if value is None:
        return ()
    return shape_arg(value)

