"""Typer's parameter coercion without pydantic for the values keraslint's options take.

Typer 0.2x coerces every option value through a pydantic ``TypeAdapter``, built per parameter
on first use, defaults and ``None`` included: importing pydantic and building those adapters is
~100 ms of a cold ``keraslint check`` of one file (a pre-commit hook pays it on every commit).
This gives each parameter a stand-in that computes the same result as typer does for the plain
cases (no value, a string, a list of strings, an Enum choice, a path that needs no checks) and
hands every other value, and every value typer would refuse, to typer's own coercion, so errors
keep typer's messages. On a typer without these internals (an older or a newer one), nothing
is changed. tests/test_typer_params.py compares the two on every option of every command.
"""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

#: "not one of the plain cases": typer's own coercion decides
_TYPERS = object()

#: the typer releases whose coercion the stand-in was compared with (tests/test_typer_params.py);
#: on any other release it is not installed, so a typer that changes its internals (or its
#: coercion) only costs the ~100 ms back, never a different value
TESTED_TYPERS = ("0.29.",)


def active() -> bool:
    import typer  # imported by the CLI already; importlib.metadata would cost ~15 ms more

    return str(getattr(typer, "__version__", "")).startswith(TESTED_TYPERS)


def install() -> None:
    """Give typer's parameters the pydantic-free stand-in (once; a no-op on another typer)."""
    if not active():
        return
    try:
        from typer._coercion import build_runtime_param
        from typer.core import _TyperParameter
    except ImportError:
        return
    original = getattr(_TyperParameter, "get_runtime_param", None)
    if original is None or getattr(original, "_keraslint", False):
        return

    def get_runtime_param(self: Any) -> Any:
        if self._runtime_param is None:
            self._runtime_param = _Plain(lambda: build_runtime_param(self.type_descriptor))
        return self._runtime_param

    get_runtime_param._keraslint = True  # type: ignore[attr-defined]
    _TyperParameter.get_runtime_param = get_runtime_param


class _Plain:
    """A parameter's runtime coercion: the plain cases here, the rest typer's (built when needed)."""

    def __init__(self, build: Any) -> None:
        self._build = build
        self._typers: Any = None

    def typers(self) -> Any:
        if self._typers is None:
            self._typers = self._build()
        return self._typers

    def __getattr__(self, name: str) -> Any:
        return getattr(self.typers(), name)

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        result = plain_value(param, value, ctx)
        return self.typers().coerce(value, param=param, ctx=ctx) if result is _TYPERS else result


def plain_value(param: Any, value: Any, ctx: Any) -> Any:
    """What typer's coercion returns for ``value``, or ``_TYPERS`` when this does not know."""
    descriptor = param.type_descriptor
    info = descriptor.parameter_info
    if descriptor.file_annotation is not None or getattr(info, "parser", None) is not None:
        return _TYPERS
    multiple = param.multiple or param.nargs == -1
    if value is None:  # as typer's RuntimeParam.coerce
        return () if multiple else None
    annotation = descriptor.annotation
    if not multiple:
        return _leaf(annotation, info, value, ctx)
    if get_origin(annotation) is not list or not isinstance(value, (list, tuple)):
        return _TYPERS
    (inner,) = get_args(annotation) or (None,)
    items = [_leaf(inner, info, item, ctx) for item in value]
    return _TYPERS if any(item is _TYPERS for item in items) else items


def _leaf(annotation: Any, info: Any, value: Any, ctx: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _choice(annotation, info, value, ctx)
    if annotation is str:
        return value if type(value) is str else _TYPERS
    if annotation is Path and type(value) is str:
        return _path(info, value)
    return _TYPERS


def _choice(annotation: type[Enum], info: Any, value: Any, ctx: Any) -> Any:
    """typer's coerce_cli_choice, for a member or a string naming one."""
    if isinstance(value, annotation):
        return value
    if type(value) is not str:
        return _TYPERS
    normalize = getattr(ctx, "token_normalize_func", None) if ctx is not None else None

    def normalized(text: str) -> str:
        text = normalize(text) if normalize is not None else text
        return text if info.case_sensitive else text.casefold()

    wanted = normalized(value)
    for choice in annotation:
        if normalized(str(choice.value)) == wanted:
            return choice
    return _TYPERS  # typer says which choices there are


def _path(info: Any, value: str) -> Any:
    """typer's coerce_cli_path for a path option without checks (exists, resolve_path ...)."""
    if (not value or "\0" in value or info.exists or info.resolve_path or not info.file_okay or not info.dir_okay
            or info.writable or info.path_type is not None):
        return _TYPERS
    path = Path(value)
    try:
        os.stat(path)
    except OSError:
        return path  # a path that need not exist
    except ValueError:
        return _TYPERS
    if info.readable and not os.access(path, os.R_OK):
        return _TYPERS  # typer says it is not readable
    return path
