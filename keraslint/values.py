"""The one "unknown" marker shared by the source pass, the model IR and the shape engine.

Unknown is not wrong: anything that cannot be resolved statically is UNKNOWN, it flows
through every computation, and no rule ever reports a finding because of it alone.
"""

from __future__ import annotations

from typing import Final


class _Unknown:
    __slots__ = ()
    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        raise TypeError("UNKNOWN has no truth value; compare with `is UNKNOWN`")

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()

