"""EinsumDense, following Keras' own equation analysis (including its output-order quirk)."""

from __future__ import annotations

import re
from typing import Any

from keraslint.shapes.args import REQUIRED, Args, is_unknown
from keraslint.shapes.dims import Dim, fmt, prod, total
from keraslint.shapes.errors import ShapeError, UnsupportedLayer
from keraslint.shapes.registry import register, result, single
from keraslint.shapes.spec import LayerResult, Shape

_FORMS = (
    (re.compile(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)"), False),
    (re.compile(r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)"), True),
    (re.compile(r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0"), False),
)


@register("EinsumDense")
def _einsum_dense(args: Args, inputs: list[Shape]) -> LayerResult:
    equation = args.raw("equation", REQUIRED)
    raw_output = args.raw("output_shape", REQUIRED)
    bias_axes = args.raw("bias_axes", None)
    if is_unknown(equation) or is_unknown(raw_output):
        raise UnsupportedLayer(args.kind, "unknown equation or output_shape")
    partial = [raw_output] if isinstance(raw_output, int) else list(raw_output)
    partial = [None if is_unknown(d) else d for d in partial]
    x = single(args, inputs)
    # Keras matches with re.match: a prefix match is enough, trailing text is ignored.
    dotted = re.sub(r"\.\.\.", "0", equation)
    for pattern, left_elided in _FORMS:  # noqa: B007 - the matching form's flag is used below
        match = pattern.match(dotted)
        if match:
            break
    else:
        raise args.fail(
            f"invalid equation {equation!r}; expected [X],[Y]->[Z], ...[X],[Y]->...[Z] or [X]...,[Y]->[Z]..."
        )
    input_spec, weight_spec, output_spec = match.groups()
    try:
        return _analyze(args, x, input_spec, weight_spec, output_spec, partial, bias_axes, left_elided)
    except IndexError:
        raise ShapeError(
            "incompatible",
            f"EinsumDense equation {equation!r} with output_shape={raw_output!r} does not fit input {fmt(x)}",
            actual=len(x),
        ) from None


def _analyze(
    args: Args,
    x: Shape,
    input_spec: str,
    weight_spec: str,
    output_spec: str,
    partial: list[Dim],
    bias_axes: Any,
    left_elided: bool,
) -> LayerResult:
    elided = len(x) - len(input_spec)
    output: list[Dim] = [x[0], *partial]
    if elided > 0 and left_elided:
        # Keras inserts each elided axis at position 1, which reverses their order; the shape it
        # reports (and builds the next layer with) is reproduced as is.
        for i in range(1, elided):
            output.insert(1, x[i])
    elif elided > 0:
        for i in range(len(x) - elided, len(x)):
            output.append(x[i])
    if left_elided:
        input_map = {dim: i + elided - len(x) for i, dim in enumerate(input_spec)}
        output_map = {dim: i + elided for i, dim in enumerate(output_spec)}
    else:
        input_map = {dim: i for i, dim in enumerate(input_spec)}
        output_map = {dim: i for i, dim in enumerate(output_spec)}
    for dim in input_spec:
        size = x[input_map[dim]]
        if dim in output_map:
            wanted = output[output_map[dim]]
            # Keras also fails when the input size is unknown; unknown is not wrong here.
            if wanted is not None and size is not None and wanted != size:
                raise ShapeError(
                    "incompatible",
                    f"EinsumDense axis '{dim}' has size {size} in the input {fmt(x)} but {wanted} in output_shape",
                    axis=input_map[dim],
                    expected=wanted,
                    actual=size,
                )
    for dim in output_spec:
        if dim not in input_spec and dim not in weight_spec:
            raise args.fail(f"output axis '{dim}' appears in neither the input nor the weight spec")
    kernel: list[Dim] = []
    for dim in weight_spec:
        if dim in output_map:
            kernel.append(output[output_map[dim]])
        elif dim in input_map:
            kernel.append(x[input_map[dim]])
        else:
            raise args.fail(f"weight axis '{dim}' appears in neither the input nor the output spec")
    bias: list[Dim] = []
    if bias_axes is not None:
        if is_unknown(bias_axes):
            return result(tuple(output), params=None)
        offset = elided if left_elided else 0
        sizes = {char: output[i + offset] for i, char in enumerate(output_spec)}
        for char in bias_axes:
            if char not in output_spec:
                raise args.fail(f"bias axis '{char}' is not in the output spec '{output_spec}'")
        first = min(output_spec.find(char) for char in bias_axes)
        bias = [sizes[char] if char in bias_axes else 1 for char in output_spec[first:]]
    return result(tuple(output), params=total(prod(kernel), prod(bias) if bias_axes is not None else 0))
