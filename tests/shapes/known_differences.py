"""The documented, deliberate differences between the engine and Keras (docs/shape-engine.md).

``known_difference(case)`` decides from the generated case alone (never from either side's
answer) whether it falls under one of them; the oracle skips exactly those cases and counts them.

1. ``static-dimension``: Keras refuses to build a layer when a dimension it needs as a fixed
   number is unknown (None): the axis its weights are sized by, ConvLSTM's spatial axes,
   GroupNormalization's and Normalization's axes, a Dot contraction or MultiHeadAttention
   value/key axis compared against a known size. Unknown is not wrong, so the engine accepts,
   keeps the dependent sizes unknown and reports ``params=None``.
2. ``time-distributed-rank``: TimeDistributed hands its inner layer the per-step shape without
   the inner layer's input-rank check; Keras then computes a meaningless shape (or fails later).
   The engine applies the inner layer's rank check and raises ``rank``.
"""

from __future__ import annotations

import re
from typing import Any

from keraslint.shapes import LayerSpec, Shape

from .oracle_cases import Case

_CONV_FAMILY = re.compile(r"^(Conv[123]D(Transpose)?|SeparableConv[12]D|DepthwiseConv[12]D|ConvLSTM[123]D)$")

# Inner layers whose Keras InputSpec fixes the rank exactly (TimeDistributed skips that check).
_FIXED_RANK = {
    "MaxPooling1D": 3,
    "MaxPooling2D": 4,
    "GlobalAveragePooling1D": 3,
    "LSTM": 3,
}


def known_difference(case: Case) -> str | None:
    return _known(case.kind, case.config, case.inputs)


def _known(kind: str, config: dict[str, Any], inputs: list[Shape]) -> str | None:
    if kind == "TimeDistributed":
        inner: LayerSpec = config["layer"]
        x = inputs[0]
        if len(x) < 3:
            return None
        step = (x[0], *x[2:])
        fixed = _FIXED_RANK.get(inner.kind)
        if fixed is not None and len(step) != fixed:
            return "time-distributed-rank"
        return _known(inner.kind, dict(inner.config), [step])
    if kind == "Bidirectional":
        return _known(config["layer"].kind, dict(config["layer"].config), inputs)
    return "static-dimension" if _needs_static(kind, config, inputs) else None


def _needs_static(kind: str, config: dict[str, Any], inputs: list[Shape]) -> bool:
    """True when Keras needs a fixed size at an axis where this case has None."""
    x = inputs[0] if inputs else ()
    if kind in ("Dense", "SimpleRNN", "LSTM", "GRU"):
        return len(x) >= 2 and x[-1] is None
    if _CONV_FAMILY.match(kind):
        lead = 2 if kind.startswith("ConvLSTM") else 1
        rank = int(kind.removesuffix("Transpose").rstrip("D")[-1])
        if len(x) != rank + lead + 1:
            return False
        first = config.get("data_format") == "channels_first"
        channels = x[lead] if first else x[-1]
        spatial = x[lead + 1 :] if first else x[lead:-1]
        return channels is None or (kind.startswith("ConvLSTM") and None in spatial)
    if kind == "PReLU":
        shared = config.get("shared_axes")
        shared = [] if shared is None else shared if isinstance(shared, list) else [shared]
        if any(not 0 <= a - 1 < len(x) - 1 for a in shared):
            return False
        return any(d is None for i, d in enumerate(x[1:], start=1) if i not in shared)
    if kind in ("BatchNormalization", "GroupNormalization"):
        return _none_at(x, [config.get("axis", -1)])
    if kind == "LayerNormalization":
        axis = config.get("axis", -1)
        return _none_at(x, axis if isinstance(axis, list) else [axis])
    if kind == "Normalization":
        axis = config.get("axis", -1)
        axes = [] if axis is None else [axis] if isinstance(axis, int) else list(axis)
        return _none_at(x, axes)
    if kind == "EinsumDense":
        return _einsum_needs_static(config, x)
    if kind == "Dot":
        return _dot_needs_static(config, inputs)
    if kind == "MultiHeadAttention":
        if len(inputs) < 2:
            return False
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        if None in (query[-1], value[-1], key[-1]):
            return True
        a, b = value[1:-1], key[1:-1]
        return a != b and len(a) == len(b) and all(p is None or q is None or p == q for p, q in zip(a, b))
    if kind == "AdditiveAttention":
        return config.get("use_scale", True) and len(inputs) >= 2 and inputs[0][-1] is None
    return False


def _none_at(x: Shape, axes: list[Any]) -> bool:
    # Out-of-range axes are rejected by both sides; not this difference.
    if any(not -len(x) <= a < len(x) for a in axes):
        return False
    return any(x[a] is None for a in axes)


def _einsum_needs_static(config: dict[str, Any], x: Shape) -> bool:
    equation = re.sub(r"\.\.\.", "0", config["equation"])
    inputs_spec, weight_spec, output_spec = re.split(r",|->", equation)
    left = inputs_spec.startswith("0")
    letters = inputs_spec.replace("0", "")
    if len(x) < len(letters):
        return False
    sizes = dict(zip(letters, x[len(x) - len(letters) :] if left else x[: len(letters)]))
    partial = config["output_shape"]
    partial = [partial] if isinstance(partial, int) else list(partial)
    out_letters = output_spec.replace("0", "")[1:] if not left else output_spec.replace("0", "")
    declared = dict(zip(out_letters[-len(partial) :], partial))
    # An axis shared by input and output: Keras compares the declared size with the input's.
    if any(sizes.get(letter, 0) is None and declared.get(letter) is not None for letter in letters):
        return True
    for letter in weight_spec:
        if letter in declared:
            if declared[letter] is None:
                return True
        elif sizes.get(letter, 0) is None:
            return True
    return False


def _dot_needs_static(config: dict[str, Any], inputs: list[Shape]) -> bool:
    if len(inputs) != 2:
        return False
    a, b = inputs
    axes = config["axes"]
    if isinstance(axes, int):
        axes = [axes % len(a), axes % len(b)] if axes < 0 else [axes, axes]
    try:
        left, right = a[axes[0]], b[axes[1]]
    except IndexError:
        return False
    return (left is None) != (right is None)
