"""The value types of the shape engine: what goes in (a layer and its input shapes) and what comes out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# A full tensor shape, batch axis included; None is a dimension nobody can know statically.
Shape = tuple[int | None, ...]


@dataclass(frozen=True)
class LayerSpec:
    """One Keras layer as the source pass saw it.

    ``kind`` is the Keras 3 class name (``"Conv1D"``); ``config`` holds the constructor keyword
    arguments with positional ones already named. Values may be ``keraslint.values.UNKNOWN``.
    Wrappers carry their inner layer as a nested ``LayerSpec`` under ``config["layer"]``.
    """

    kind: str
    config: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LayerResult:
    """What a layer produces: one shape per output tensor and the parameter count.

    ``params`` is what Keras' ``count_params()`` reports after building (trainable and
    non-trainable weights together), or None when it depends on something unknown.
    """

    outputs: tuple[Shape, ...]
    params: int | None
    dynamic: tuple[frozenset[int], ...] = ()
    """For a layer whose own code keraslint followed (a custom layer's ``call``), per output: the
    None axes Keras itself leaves None (``ops.reshape(x, (batch, -1, 12))``), as opposed to the
    ones keraslint could not size."""
    unsized_by: str | None = None
    """For such a layer, the first call in its code that left an axis unsized (for reasons)."""

    @property
    def output(self) -> Shape:
        """The first (usually only) output shape."""
        return self.outputs[0]
