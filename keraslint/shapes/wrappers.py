"""Wrappers: Bidirectional and TimeDistributed, which run an inner LayerSpec through the engine."""

from __future__ import annotations

from keraslint.shapes.args import REQUIRED, Args, is_unknown
from keraslint.shapes.dims import Dim, check_rank, fmt, total
from keraslint.shapes.errors import UnsupportedLayer
from keraslint.shapes.registry import HANDLERS, register, result, single
from keraslint.shapes.spec import LayerResult, LayerSpec, Shape
from keraslint.plural import plural

_RECURRENT = {"SimpleRNN", "LSTM", "GRU", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"}


def _inner(args: Args, key: str) -> LayerSpec:
    spec = args.raw(key, REQUIRED)
    if is_unknown(spec) or not isinstance(spec, LayerSpec):
        raise UnsupportedLayer(args.kind, f"`{key}` is not a known layer")
    return spec


def _run(spec: LayerSpec, inputs: list[Shape]) -> LayerResult:
    handler = HANDLERS.get(spec.kind)
    if handler is None:
        raise UnsupportedLayer(spec.kind, "not modelled by the shape engine")
    return handler(Args(spec.kind, spec.config), inputs)


@register("Bidirectional")
def _bidirectional(args: Args, inputs: list[Shape]) -> LayerResult:
    forward = _inner(args, "layer")
    merge_mode = args.choice("merge_mode", ["sum", "mul", "ave", "concat", None], "concat")
    backward = _inner(args, "backward_layer") if args.raw("backward_layer", None) is not None else None
    if forward.kind not in _RECURRENT or (backward is not None and backward.kind not in _RECURRENT):
        raise UnsupportedLayer(args.kind, f"wrapping {forward.kind}")
    forward_backwards = forward.config.get("go_backwards", False)
    if backward is None:
        backward = LayerSpec(forward.kind, {**forward.config, "go_backwards": True})
    backward_backwards = backward.config.get("go_backwards", False)
    known = not is_unknown(forward_backwards) and not is_unknown(backward_backwards)
    if known and bool(forward_backwards) == bool(backward_backwards):
        raise args.fail("the forward and backward layers must differ in `go_backwards`")
    for attribute in ("stateful", "return_sequences", "return_state"):
        f, b = forward.config.get(attribute, False), backward.config.get(attribute, False)
        if not is_unknown(f) and not is_unknown(b) and bool(f) != bool(b):
            raise args.fail(f"the forward and backward layers disagree on `{attribute}` ({f} vs {b})")
    x = single(args, inputs)
    forward_result = _run(forward, [x])
    backward_result = _run(backward, [x])
    # Keras derives the merged shape from the forward layer alone (even when a custom backward
    # layer is wider or narrower); so does the engine, to report what Keras reports.
    output, *states = forward_result.outputs
    params = total(forward_result.params, backward_result.params)
    if is_unknown(merge_mode):
        # merge_mode=None would return two tensors; the output count itself is unknown.
        raise UnsupportedLayer(args.kind, "unknown merge_mode")
    if merge_mode is None:
        return result(output, output, *states, *states, params=params)
    if merge_mode == "concat":
        last: Dim = None if output[-1] is None else output[-1] * 2
        output = output[:-1] + (last,)
    return result(output, *states, *states, params=params)


@register("TimeDistributed")
def _time_distributed(args: Args, inputs: list[Shape]) -> LayerResult:
    inner = _inner(args, "layer")
    x = single(args, inputs)
    check_rank(args.kind, x, min_ndim=3, layout="(batch, time, ...)")
    inner_result = _run(inner, [(x[0], *x[2:])])
    if len(inner_result.outputs) != 1:
        raise UnsupportedLayer(args.kind, f"{inner.kind} has {plural(len(inner_result.outputs), 'output')}")
    step = inner_result.outputs[0]
    if not step:
        raise UnsupportedLayer(args.kind, f"{inner.kind} returned a scalar for {fmt(x)}")
    return result((step[0], x[1], *step[1:]), params=inner_result.params)
