"""Scopes of the abstract interpreter: one Frame per module or followed function call."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from keraslint.values import UNKNOWN


@dataclass(eq=False)
class Frame:
    """Variables of one scope. ``vars`` is replaced (never mutated in place) by branch merges,
    so a Function that captured this Frame sees the merged names at call time, as Python's
    late binding does."""

    vars: dict[str, Any] = field(default_factory=dict)
    parent: Frame | None = None
    star_modules: list[str] = field(default_factory=list)

    def lookup(self, name: str) -> Any:
        frame: Frame | None = self
        while frame is not None:
            if name in frame.vars:
                return frame.vars[name]
            frame = frame.parent
        return _MISSING

    @property
    def module(self) -> Frame:
        frame = self
        while frame.parent is not None:
            frame = frame.parent
        return frame


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


_MISSING: Any = _Missing()
MISSING = _MISSING

__all__ = ["Frame", "MISSING", "UNKNOWN"]
