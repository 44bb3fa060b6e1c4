"""The two ways a layer can fail to produce a shape."""

from __future__ import annotations

from typing import Any, Literal

ShapeErrorKind = Literal["rank", "channels", "collapse", "merge", "reshape", "incompatible", "config"]


class ShapeError(Exception):
    """Keras itself would reject this layer on this input (or this configuration).

    ``kind`` says which family of problem it is so rules can pick their own code:
    ``rank`` (wrong number of axes), ``channels`` (channel count does not fit, e.g. groups),
    ``collapse`` (an output dimension would be zero or negative), ``merge`` (inputs of a merge
    layer disagree), ``reshape`` (element count changes), ``incompatible`` (anything else about
    the input) and ``config`` (the constructor arguments alone are invalid).
    ``axis``/``expected``/``actual`` carry the numbers behind the message when there is one axis
    to point at.
    """

    def __init__(
        self,
        kind: ShapeErrorKind,
        message: str,
        *,
        axis: int | None = None,
        expected: Any = None,
        actual: Any = None,
    ) -> None:
        super().__init__(message)
        self.kind: ShapeErrorKind = kind
        self.message = message
        self.axis = axis
        self.expected = expected
        self.actual = actual

    def __repr__(self) -> str:
        return f"ShapeError({self.kind!r}, {self.message!r})"


class UnsupportedLayer(Exception):
    """The engine has no model of this layer (or cannot know even its output rank).

    Callers treat the layer as opaque: its outputs are unknown and nothing is reported on it.
    """

    def __init__(self, kind: str, reason: str = "") -> None:
        super().__init__(f"{kind}: {reason}" if reason else kind)
        self.kind = kind
        self.reason = reason
