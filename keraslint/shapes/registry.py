"""Which function models which layer kind.

Layer modules register their handlers at import; ``engine`` imports them all. A handler takes the
layer's arguments and the list of input shapes and returns a LayerResult or raises ShapeError.
"""

from __future__ import annotations

from collections.abc import Callable

from keraslint.shapes.args import Args
from keraslint.shapes.dims import fmt
from keraslint.shapes.errors import ShapeError
from keraslint.shapes.spec import LayerResult, Shape

Handler = Callable[[Args, list[Shape]], LayerResult]

HANDLERS: dict[str, Handler] = {}


def register(*kinds: str) -> Callable[[Handler], Handler]:
    def decorate(fn: Handler) -> Handler:
        for kind in kinds:
            HANDLERS[kind] = fn
        return fn

    return decorate


def single(args: Args, inputs: list[Shape]) -> Shape:
    """The one input of a single-input layer."""
    if len(inputs) != 1:
        raise ShapeError(
            "incompatible",
            f"{args.kind} takes one input tensor, got {len(inputs)}: {', '.join(fmt(s) for s in inputs)}",
            expected=1,
            actual=len(inputs),
        )
    return inputs[0]


def result(*outputs: Shape, params: int | None = 0) -> LayerResult:
    return LayerResult(outputs=tuple(tuple(o) for o in outputs), params=params)
