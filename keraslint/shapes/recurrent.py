"""Recurrent layers: SimpleRNN, LSTM, GRU and the ConvLSTM family."""

from __future__ import annotations

from keraslint.shapes.args import Args
from keraslint.shapes.conv import Geometry, conv_spatial
from keraslint.shapes.dims import Dim, check_rank, mul, prod, total
from keraslint.shapes.errors import UnsupportedLayer
from keraslint.shapes.registry import register, result, single
from keraslint.shapes.spec import LayerResult, Shape

# Gates per cell (kernel blocks) and how many state tensors return_state adds.
_GATES = {"SimpleRNN": 1, "GRU": 3, "LSTM": 4}
_STATES = {"SimpleRNN": 1, "GRU": 1, "LSTM": 2}


def _output_flags(args: Args) -> tuple[bool, bool]:
    sequences = args.flag("return_sequences", False)
    state = args.flag("return_state", False)
    if sequences is None or state is None:
        # Which of them decides the number and rank of outputs; nothing sensible to guess.
        raise UnsupportedLayer(args.kind, "unknown return_sequences/return_state")
    return sequences, state


@register("SimpleRNN", "LSTM", "GRU")
def _rnn(args: Args, inputs: list[Shape]) -> LayerResult:
    units = args.integer("units")
    use_bias = args.flag("use_bias", True)
    reset_after = args.flag("reset_after", True) if args.kind == "GRU" else False
    x = single(args, inputs)
    check_rank(args.kind, x, ndim=3, layout="(batch, timesteps, features)")
    sequences, state = _output_flags(args)
    batch, steps, features = x
    gates = _GATES[args.kind]
    weights = mul(gates, total(mul(features, units), mul(units, units)))
    if use_bias is None or reset_after is None:
        bias: Dim = None
    else:
        # GRU with reset_after keeps separate input and recurrent biases.
        bias = mul(gates * (2 if reset_after else 1), units) if use_bias else 0
    output: Shape = (batch, steps, units) if sequences else (batch, units)
    states: list[Shape] = [(batch, units)] * _STATES[args.kind] if state else []
    return result(output, *states, params=total(weights, bias))


@register("ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D")
def _conv_lstm(args: Args, inputs: list[Shape]) -> LayerResult:
    rank = int(args.kind[-2])
    filters = args.integer("filters")
    kernel = args.ints("kernel_size", rank)
    strides = args.ints("strides", rank, 1)
    padding = args.padding()
    data_format = args.data_format()
    dilation = args.ints("dilation_rate", rank, 1)
    if any(s is not None and s > 1 for s in strides) and any(d is not None and d > 1 for d in dilation):
        raise args.fail("strides > 1 is not supported together with dilation_rate > 1")
    use_bias = args.flag("use_bias", True)
    x = single(args, inputs)
    geo = Geometry(args, x, rank, data_format, time_axis=True)
    spatial = conv_spatial(args, geo, kernel, strides, padding, dilation)
    sequences, state = _output_flags(args)
    full = geo.assemble(spatial, filters)
    per_step = full[2:]
    batch = x[0]
    output: Shape = full if sequences else (batch, *per_step)
    states: list[Shape] = [(batch, *per_step)] * 2 if state else []
    four = mul(4, filters)
    input_kernel = mul(prod(kernel), geo.channels, four)
    recurrent_kernel = mul(prod(kernel), filters, four)
    bias = None if use_bias is None else (four if use_bias else 0)
    return result(output, *states, params=total(input_kernel, recurrent_kernel, bias))
