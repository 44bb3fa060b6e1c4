"""Arithmetic on dimensions that may be unknown (None), and the rank check every layer needs."""

from __future__ import annotations

from collections.abc import Iterable

from keraslint.shapes.errors import ShapeError
from keraslint.shapes.spec import Shape

Dim = int | None


def prod(dims: Iterable[Dim]) -> Dim:
    """Product of dimensions; None as soon as one is unknown."""
    result = 1
    for d in dims:
        if d is None:
            return None
        result *= d
    return result


def mul(*factors: Dim) -> Dim:
    return prod(factors)


def total(*terms: Dim) -> Dim:
    """Sum of parameter counts; None as soon as one is unknown."""
    result = 0
    for t in terms:
        if t is None:
            return None
        result += t
    return result


def fmt(shape: Iterable[Dim]) -> str:
    """A shape as Keras prints it: ``(None, 100)``, ``(3,)``."""
    items = [str(d) for d in shape]
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def check_rank(
    kind: str,
    shape: Shape,
    *,
    ndim: int | None = None,
    min_ndim: int | None = None,
    layout: str = "",
) -> None:
    """Raise the rank error Keras' InputSpec raises, with the layout the layer expects."""
    rank = len(shape)
    if ndim is not None and rank != ndim:
        expected: object = ndim
        wanted = f"rank {ndim}"
    elif min_ndim is not None and rank < min_ndim:
        expected = f">={min_ndim}"
        wanted = f"rank >= {min_ndim}"
    else:
        return
    where = f" {layout}" if layout else ""
    raise ShapeError(
        "rank",
        f"{kind} expects input of {wanted}{where}, got rank {rank}: {fmt(shape)}",
        expected=expected,
        actual=rank,
    )


def spatial_layout(rank: int, data_format: str | None, *, time_axis: bool = False) -> str:
    """Axis names for messages, e.g. ``(batch, steps, channels)``."""
    names = {1: ["steps"], 2: ["rows", "cols"], 3: ["dim1", "dim2", "dim3"]}.get(
        rank, [f"dim{i + 1}" for i in range(rank)]
    )
    head = ["batch", "time"] if time_axis else ["batch"]
    axes = head + ["channels"] + names if data_format == "channels_first" else head + names + ["channels"]
    return "(" + ", ".join(axes) + ")"
