"""Hypothesis strategies: for every supported layer, constructor configs and input shapes.

They deliberately include the unlucky cases users hit: inputs too short for the kernel, strides
that do not divide, a rank one short or one long, channel counts that do not split into groups,
merge inputs that disagree, unknown (None) dimensions and out-of-range axes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from keraslint.shapes import LayerSpec, Shape


@dataclass(frozen=True)
class Case:
    kind: str
    config: dict[str, Any]
    inputs: list[Shape] = field(default_factory=list)

    @property
    def spec(self) -> LayerSpec:
        return LayerSpec(self.kind, self.config)


Draw = Callable[[st.SearchStrategy[Any]], Any]


def chance(draw: Draw, percent: int) -> bool:
    return bool(draw(st.integers(0, 99)) < percent)


def pick(draw: Draw, values: list[Any]) -> Any:
    return draw(st.sampled_from(values))


def num(draw: Draw, lo: int, hi: int) -> int:
    return int(draw(st.integers(lo, hi)))


def dim(draw: Draw, lo: int = 1, hi: int = 12, none: int = 8) -> int | None:
    return None if chance(draw, none) else num(draw, lo, hi)


def batch(draw: Draw) -> int | None:
    return num(draw, 1, 4) if chance(draw, 12) else None


def shape(draw: Draw, rank: int, lo: int = 1, hi: int = 12, none: int = 8) -> Shape:
    return (batch(draw),) + tuple(dim(draw, lo, hi, none) for _ in range(rank - 1))


def skew_rank(draw: Draw, rank: int, percent: int = 8) -> int:
    """Usually ``rank``; sometimes one short or one long (the classic missing channel axis)."""
    if chance(draw, percent):
        return max(1, rank + pick(draw, [-1, 1]))
    return rank


def maybe(draw: Draw, config: dict[str, Any], key: str, strategy: st.SearchStrategy[Any], percent: int = 60) -> None:
    if chance(draw, percent):
        config[key] = draw(strategy)


def int_or_tuple(draw: Draw, n: int, lo: int, hi: int) -> Any:
    values = tuple(num(draw, lo, hi) for _ in range(n))
    if chance(draw, 50) or len(set(values)) == 1:
        return values[0] if chance(draw, 60) else (values[0],) * n
    return values


def data_format(draw: Draw, config: dict[str, Any]) -> str:
    fmt = pick(draw, ["channels_last", "channels_first"])
    if fmt == "channels_first" or chance(draw, 30):
        config["data_format"] = fmt
    return fmt


def padding_value(draw: Draw, modes: list[str]) -> str:
    mode = pick(draw, modes)
    return mode.upper() if chance(draw, 8) else mode


def image(draw: Draw, rank: int, fmt: str, *, lo: int = 1, hi: int = 12, channels_hi: int = 8, time_axis: bool = False) -> Shape:
    """An input for a rank-``rank`` conv-style layer, with the rank itself sometimes off."""
    total = skew_rank(draw, rank + 2 + int(time_axis))
    spatial_count = max(0, total - 2 - int(time_axis))
    spatial = [dim(draw, lo, hi) for _ in range(spatial_count)]
    channels = dim(draw, 1, channels_hi, none=5)
    head: list[int | None] = [batch(draw)] + ([dim(draw, 1, 5)] if time_axis else [])
    body = [channels] + spatial if fmt == "channels_first" else spatial + [channels]
    return tuple(head + body)


# --------------------------------------------------------------------------- convolutions


def _rank(kind: str) -> int:
    return int(kind.removesuffix("Transpose").rstrip("D")[-1])


@st.composite
def conv_case(draw: Draw, kind: str) -> Case:
    rank = _rank(kind)
    transpose = kind.endswith("Transpose")
    depthwise = kind.startswith("Depthwise")
    separable = kind.startswith("Separable")
    config: dict[str, Any] = {"kernel_size": int_or_tuple(draw, rank, 1, 5)}
    groups = 1
    if not depthwise:
        config["filters"] = num(draw, 1, 8)
    if kind.startswith("Conv") and not transpose and chance(draw, 25):
        groups = num(draw, 1, 3)
        config["groups"] = groups
        if not chance(draw, 10):
            config["filters"] = groups * num(draw, 1, 3)
    dilated = chance(draw, 25)
    strided = chance(draw, 45)
    if strided and (not dilated or chance(draw, 10)):
        config["strides"] = int_or_tuple(draw, rank, 1, 4)
    if dilated and (not strided or chance(draw, 10)):
        config["dilation_rate"] = int_or_tuple(draw, rank, 1, 3)
    modes = ["valid", "same"] + (["causal"] if kind == "Conv1D" or chance(draw, 3) else [])
    maybe(draw, config, "padding", st.just(padding_value(draw, modes)), 70)
    fmt = data_format(draw, config)
    maybe(draw, config, "use_bias", st.booleans(), 30)
    maybe(draw, config, "activation", st.sampled_from(["relu", "linear", None]), 20)
    if depthwise or separable:
        maybe(draw, config, "depth_multiplier", st.integers(1, 3), 40)
    if transpose and chance(draw, 35):
        strides = config.get("strides", 1)
        top = max(strides) if isinstance(strides, tuple) else strides
        config["output_padding"] = num(draw, 0, max(0, top - 1) + (1 if chance(draw, 10) else 0))
    x = image(draw, rank, fmt, lo=1, hi=14 if rank == 1 else 9)
    if groups > 1 and chance(draw, 70):
        # Mostly channel counts that split into the groups; sometimes not.
        channel_axis = 1 if fmt == "channels_first" else len(x) - 1
        if len(x) > 1 and x[channel_axis] is not None:
            x = x[:channel_axis] + (groups * num(draw, 1, 3),) + x[channel_axis + 1 :]
    return Case(kind, config, [x])


# --------------------------------------------------------------------------- pooling


@st.composite
def pooling_case(draw: Draw, kind: str) -> Case:
    rank = int(kind[-2])
    config: dict[str, Any] = {}
    if chance(draw, 75):
        config["pool_size"] = int_or_tuple(draw, rank, 1, 4)
    if chance(draw, 45):
        config["strides"] = int_or_tuple(draw, rank, 1, 4)
    maybe(draw, config, "padding", st.just(padding_value(draw, ["valid", "same"])), 60)
    fmt = data_format(draw, config)
    return Case(kind, config, [image(draw, rank, fmt, hi=12 if rank < 3 else 7)])


@st.composite
def global_pooling_case(draw: Draw, kind: str) -> Case:
    rank = int(kind[-2])
    config: dict[str, Any] = {}
    fmt = data_format(draw, config)
    maybe(draw, config, "keepdims", st.booleans(), 50)
    return Case(kind, config, [image(draw, rank, fmt, hi=6)])


# --------------------------------------------------------------------------- reshaping


@st.composite
def upsampling_case(draw: Draw, kind: str) -> Case:
    rank = int(kind[-2])
    config: dict[str, Any] = {}
    fmt = "channels_last"
    if rank == 1:
        maybe(draw, config, "size", st.integers(1, 4))
    else:
        maybe(draw, config, "size", st.just(int_or_tuple(draw, rank, 1, 3)))
        fmt = data_format(draw, config)
        if rank == 2:
            maybe(draw, config, "interpolation", st.sampled_from(["nearest", "bilinear"]), 30)
    return Case(kind, config, [image(draw, rank, fmt, hi=6)])


def _pairs(draw: Draw, rank: int, hi: int) -> Any:
    form = pick(draw, ["int", "pair", "pairs"]) if rank > 1 else pick(draw, ["int", "pair"])
    if form == "int":
        return num(draw, 0, hi)
    if rank == 1 or form == "pair":
        return tuple(num(draw, 0, hi) for _ in range(2 if rank == 1 else rank))
    return tuple(tuple(num(draw, 0, hi) for _ in range(2)) for _ in range(rank))


@st.composite
def padding_case(draw: Draw, kind: str) -> Case:
    rank = int(kind[-2])
    config: dict[str, Any] = {}
    maybe(draw, config, "padding", st.just(_pairs(draw, rank, 3)), 70)
    fmt = data_format(draw, config)
    return Case(kind, config, [image(draw, rank, fmt, hi=6)])


@st.composite
def cropping_case(draw: Draw, kind: str) -> Case:
    rank = int(kind[-2])
    config: dict[str, Any] = {}
    maybe(draw, config, "cropping", st.just(_pairs(draw, rank, 3)), 80)
    fmt = "channels_last" if rank == 1 else data_format(draw, config)
    return Case(kind, config, [image(draw, rank, fmt, hi=8)])


@st.composite
def flatten_case(draw: Draw, kind: str) -> Case:
    config: dict[str, Any] = {}
    data_format(draw, config)
    return Case(kind, config, [shape(draw, num(draw, 1, 5), hi=6)])


@st.composite
def reshape_case(draw: Draw, kind: str) -> Case:
    x = shape(draw, num(draw, 2, 4), hi=6, none=6)
    known = [d for d in x[1:] if d is not None]
    size = 1
    for d in known:
        size *= d
    # Factor the per-sample size into a new target, then maybe spoil it or put a -1 in.
    target: list[int] = []
    rest = size
    for _ in range(num(draw, 0, 2)):
        divisors = [d for d in range(1, rest + 1) if rest % d == 0]
        f = pick(draw, divisors)
        target.append(f)
        rest //= f
    target.append(rest)
    if chance(draw, 15):
        i = num(draw, 0, len(target) - 1)
        target[i] += num(draw, 1, 3)
    if chance(draw, 40):
        target[num(draw, 0, len(target) - 1)] = -1
    if chance(draw, 3):
        target = [-1, -1]
    draw(st.randoms()).shuffle(target)
    return Case(kind, {"target_shape": tuple(target)}, [x])


@st.composite
def permute_case(draw: Draw, kind: str) -> Case:
    n = num(draw, 1, 4)
    dims = list(range(1, n + 1))
    draw(st.randoms()).shuffle(dims)
    if chance(draw, 5):
        dims[0] = n + 1
    rank = skew_rank(draw, n + 1)
    return Case(kind, {"dims": tuple(dims)}, [shape(draw, rank, hi=6)])


@st.composite
def repeat_vector_case(draw: Draw, kind: str) -> Case:
    return Case(kind, {"n": num(draw, 1, 5)}, [shape(draw, skew_rank(draw, 2), hi=8)])


# --------------------------------------------------------------------------- core


ANY_RANK = st.integers(1, 5)


@st.composite
def dense_case(draw: Draw, kind: str) -> Case:
    config: dict[str, Any] = {"units": num(draw, 1, 16)}
    maybe(draw, config, "use_bias", st.booleans(), 30)
    maybe(draw, config, "activation", st.sampled_from(["relu", "softmax", "sigmoid", None]), 30)
    rank = pick(draw, [1, 2, 2, 3, 3, 4])
    return Case(kind, config, [shape(draw, rank, hi=16, none=6)])


@st.composite
def embedding_case(draw: Draw, kind: str) -> Case:
    config = {"input_dim": num(draw, 1, 50), "output_dim": num(draw, 1, 16)}
    maybe(draw, config, "mask_zero", st.booleans(), 20)
    return Case(kind, config, [shape(draw, num(draw, 1, 3), hi=20)])


@st.composite
def elementwise_case(draw: Draw, kind: str) -> Case:
    config: dict[str, Any] = {}
    if kind == "Activation":
        config["activation"] = pick(draw, ["relu", "tanh", "softmax", "linear"])
    elif kind == "ReLU":
        maybe(draw, config, "max_value", st.sampled_from([None, 6.0, 1.0, -1.0]), 30)
        maybe(draw, config, "negative_slope", st.sampled_from([0.0, 0.1, -0.2]), 30)
        maybe(draw, config, "threshold", st.sampled_from([0.0, 0.5]), 20)
    elif kind == "LeakyReLU":
        maybe(draw, config, "negative_slope", st.sampled_from([0.3, 0.01, -0.1]), 50)
    elif kind == "ELU":
        maybe(draw, config, "alpha", st.sampled_from([1.0, 0.5]), 30)
    elif kind == "Softmax":
        maybe(draw, config, "axis", st.sampled_from([-1, 1, 2, -2, 5]), 40)
    elif kind in ("Dropout", "AlphaDropout", "GaussianDropout"):
        config["rate"] = pick(draw, [0.0, 0.1, 0.5, 0.9, 1.0, 1.5, -0.1])
        if kind == "Dropout":
            maybe(draw, config, "seed", st.integers(0, 5), 20)
    elif kind == "GaussianNoise":
        config["stddev"] = pick(draw, [0.0, 0.1, 0.5, 1.0, 2.0])
    elif kind == "ActivityRegularization":
        maybe(draw, config, "l1", st.sampled_from([0.0, 0.01]), 50)
    elif kind == "Masking":
        maybe(draw, config, "mask_value", st.sampled_from([0.0, -1.0]), 50)
    elif kind == "Rescaling":
        config["scale"] = pick(draw, [1 / 255, 2.0])
        maybe(draw, config, "offset", st.sampled_from([0.0, -1.0]), 40)
    return Case(kind, config, [shape(draw, draw(ANY_RANK), hi=10)])


@st.composite
def spatial_dropout_case(draw: Draw, kind: str) -> Case:
    rank = int(kind[-2])
    config: dict[str, Any] = {"rate": pick(draw, [0.1, 0.5, 1.2])}
    fmt = "channels_last" if rank == 1 else data_format(draw, config)
    return Case(kind, config, [image(draw, rank, fmt, hi=6)])


@st.composite
def prelu_case(draw: Draw, kind: str) -> Case:
    rank = num(draw, 1, 4)
    config: dict[str, Any] = {}
    if chance(draw, 50) and rank > 1:
        axes = sorted(set(num(draw, 1, rank - 1) for _ in range(num(draw, 1, 2))))
        if chance(draw, 8):
            axes.append(rank + num(draw, 0, 2))
        config["shared_axes"] = axes if len(axes) > 1 or chance(draw, 50) else axes[0]
    return Case(kind, config, [shape(draw, rank, hi=8)])


@st.composite
def lambda_case(draw: Draw, kind: str) -> Case:
    if chance(draw, 75):
        output_shape: Any = tuple(dim(draw, 1, 8) for _ in range(num(draw, 0, 3)))
    else:
        output_shape = [tuple(dim(draw, 1, 8) for _ in range(num(draw, 1, 3))) for _ in range(2)]
    return Case(kind, {"output_shape": output_shape}, [shape(draw, num(draw, 1, 4), hi=8)])


@st.composite
def input_layer_case(draw: Draw, kind: str) -> Case:
    dims = tuple(dim(draw, 1, 32) for _ in range(num(draw, 0, 4)))
    form = pick(draw, ["shape", "shape+batch", "batch_shape", "both"])
    if form == "shape":
        config: dict[str, Any] = {"shape": dims}
    elif form == "shape+batch":
        config = {"shape": dims, "batch_size": num(draw, 1, 16)}
    elif form == "batch_shape":
        config = {"batch_shape": (batch(draw),) + dims}
    else:
        config = {"shape": dims, "batch_shape": (None,) + dims}
    return Case(kind, config, [])


# --------------------------------------------------------------------------- normalization


@st.composite
def batch_norm_case(draw: Draw, kind: str) -> Case:
    rank = num(draw, 2, 5)
    config: dict[str, Any] = {}
    maybe(draw, config, "axis", st.sampled_from([-1, 1, 2, 3, -2, rank, -rank - 1]), 40)
    maybe(draw, config, "center", st.booleans(), 30)
    maybe(draw, config, "scale", st.booleans(), 30)
    maybe(draw, config, "renorm", st.booleans(), 15)
    return Case(kind, config, [shape(draw, rank, hi=10)])


@st.composite
def layer_norm_case(draw: Draw, kind: str) -> Case:
    rank = num(draw, 2, 4)
    config: dict[str, Any] = {}
    if chance(draw, 50):
        config["axis"] = pick(draw, [-1, 1, -2, [1, 2], [-1, -2], rank, [1, rank]])
    maybe(draw, config, "center", st.booleans(), 30)
    maybe(draw, config, "scale", st.booleans(), 30)
    maybe(draw, config, "rms_scaling", st.booleans(), 20)
    return Case(kind, config, [shape(draw, rank, hi=8)])


@st.composite
def group_norm_case(draw: Draw, kind: str) -> Case:
    rank = num(draw, 2, 4)
    config: dict[str, Any] = {}
    groups = pick(draw, [1, 2, 3, 4, -1, 32, 0])
    if groups != 32 or chance(draw, 50):
        config["groups"] = groups
    maybe(draw, config, "axis", st.sampled_from([-1, 1, rank]), 25)
    maybe(draw, config, "center", st.booleans(), 20)
    maybe(draw, config, "scale", st.booleans(), 20)
    x = shape(draw, rank, hi=12)
    if chance(draw, 60) and groups > 0 and x[-1] is not None:
        x = x[:-1] + (groups * num(draw, 1, 3),)
    return Case(kind, config, [x])


@st.composite
def unit_norm_case(draw: Draw, kind: str) -> Case:
    rank = num(draw, 2, 4)
    config: dict[str, Any] = {}
    maybe(draw, config, "axis", st.sampled_from([-1, 1, [1, 2], rank, -rank - 1]), 50)
    return Case(kind, config, [shape(draw, rank, hi=8)])


@st.composite
def normalization_case(draw: Draw, kind: str) -> Case:
    rank = num(draw, 2, 4)
    config: dict[str, Any] = {}
    axis = pick(draw, [-1, -1, None, 1, (1, 2), rank])
    if axis != -1 or chance(draw, 30):
        config["axis"] = axis
    x = shape(draw, rank, hi=6)
    if chance(draw, 35):
        form = pick(draw, ["scalar", "vector", "bad-vector", "mismatch"])
        last = x[-1] if x[-1] is not None else 3
        if form == "scalar":
            config["mean"], config["variance"] = 0.5, 2.0
        elif form == "vector":
            config["mean"], config["variance"] = [0.0] * last, [1.0] * last
        elif form == "bad-vector":
            config["mean"], config["variance"] = [0.0] * (last + 1), [1.0] * (last + 1)
        else:
            config["mean"], config["variance"] = [0.0] * last, [1.0] * (last + 1)
    return Case(kind, config, [x])


# --------------------------------------------------------------------------- einsum


_EINSUM = [
    ("ab,bc->ac", 2, lambda x, u: u, "c"),
    ("abc,cd->abd", 3, lambda x, u: (x[1], u), "d"),
    ("abc,cd->abd", 3, lambda x, u: (None, u), "d"),
    ("abc,cde->abde", 3, lambda x, u: (x[1], u, 2), "de"),
    ("abc,bcd->ad", 3, lambda x, u: (u,), "d"),
    ("...b,bc->...c", 0, lambda x, u: u, "c"),
    ("ab...,bc->ac...", 0, lambda x, u: (u,), "c"),
    ("abc,cd->abd", 3, lambda x, u: ((x[1] or 1) + 1, u), "d"),
]


@st.composite
def einsum_case(draw: Draw, kind: str) -> Case:
    equation, rank, output, bias = pick(draw, _EINSUM)
    rank = rank or num(draw, 2, 4)
    x = shape(draw, skew_rank(draw, rank, 5), hi=8, none=6)
    config: dict[str, Any] = {"equation": equation, "output_shape": output(x + (None,) * 3, num(draw, 1, 8))}
    if chance(draw, 50):
        config["bias_axes"] = bias
    return Case(kind, config, [x])


# --------------------------------------------------------------------------- recurrent


def rnn_config(draw: Draw, kind: str) -> dict[str, Any]:
    config: dict[str, Any] = {"units": num(draw, 1, 8)}
    maybe(draw, config, "return_sequences", st.booleans(), 60)
    maybe(draw, config, "return_state", st.booleans(), 35)
    maybe(draw, config, "use_bias", st.booleans(), 20)
    if kind == "GRU":
        maybe(draw, config, "reset_after", st.booleans(), 40)
    return config


@st.composite
def rnn_case(draw: Draw, kind: str) -> Case:
    x = shape(draw, skew_rank(draw, 3), hi=10)
    return Case(kind, rnn_config(draw, kind), [x])


@st.composite
def conv_lstm_case(draw: Draw, kind: str) -> Case:
    rank = int(kind[-2])
    config: dict[str, Any] = {"filters": num(draw, 1, 4), "kernel_size": int_or_tuple(draw, rank, 1, 3)}
    if chance(draw, 35):
        config["strides"] = int_or_tuple(draw, rank, 1, 3)
    elif chance(draw, 20):
        config["dilation_rate"] = int_or_tuple(draw, rank, 1, 2)
    maybe(draw, config, "padding", st.sampled_from(["valid", "same", "Same"]), 50)
    fmt = data_format(draw, config)
    maybe(draw, config, "return_sequences", st.booleans(), 50)
    maybe(draw, config, "return_state", st.booleans(), 30)
    maybe(draw, config, "use_bias", st.booleans(), 20)
    x = image(draw, rank, fmt, hi=7 if rank < 3 else 4, channels_hi=4, time_axis=True)
    return Case(kind, config, [x])


@st.composite
def bidirectional_case(draw: Draw, kind: str) -> Case:
    inner_kind = pick(draw, ["SimpleRNN", "LSTM", "GRU"])
    inner = rnn_config(draw, inner_kind)
    config: dict[str, Any] = {"layer": LayerSpec(inner_kind, inner)}
    maybe(draw, config, "merge_mode", st.sampled_from(["concat", "sum", "mul", "ave", None]), 50)
    if chance(draw, 20):
        backward = dict(inner, go_backwards=not chance(draw, 10))
        if chance(draw, 30):
            backward["units"] = num(draw, 1, 8)
        if chance(draw, 10):
            backward["return_sequences"] = not backward.get("return_sequences", False)
        config["backward_layer"] = LayerSpec(inner_kind, backward)
    elif chance(draw, 5):
        config["layer"] = LayerSpec(inner_kind, dict(inner, go_backwards=True))
    return Case(kind, config, [shape(draw, skew_rank(draw, 3), hi=8)])


_TIME_DISTRIBUTED_INNER = {
    "Dense": (2, lambda d: {"units": num(d, 1, 8)}),
    "Conv1D": (3, lambda d: {"filters": num(d, 1, 4), "kernel_size": num(d, 1, 4)}),
    "Conv2D": (4, lambda d: {"filters": num(d, 1, 4), "kernel_size": num(d, 1, 3)}),
    "MaxPooling1D": (3, lambda d: {"pool_size": num(d, 1, 3)}),
    "MaxPooling2D": (4, lambda d: {}),
    "GlobalAveragePooling1D": (3, lambda d: {}),
    "Flatten": (2, lambda d: {}),
    "Dropout": (2, lambda d: {"rate": 0.5}),
    "BatchNormalization": (2, lambda d: {}),
    "Embedding": (1, lambda d: {"input_dim": 10, "output_dim": num(d, 1, 4)}),
    "LSTM": (3, lambda d: {"units": num(d, 1, 4)}),
}


@st.composite
def time_distributed_case(draw: Draw, kind: str) -> Case:
    inner_kind = pick(draw, sorted(_TIME_DISTRIBUTED_INNER))
    rank, make = _TIME_DISTRIBUTED_INNER[inner_kind]
    config = {"layer": LayerSpec(inner_kind, make(draw))}
    return Case(kind, config, [shape(draw, skew_rank(draw, rank + 1), hi=7)])


# --------------------------------------------------------------------------- merging


def _variant(draw: Draw, base: Shape) -> Shape:
    """Another merge input: mostly the same shape, sometimes broadcastable, unknown or wrong."""
    dims = list(base)
    for i in range(1, len(dims)):
        roll = num(draw, 0, 99)
        if roll < 10:
            dims[i] = 1
        elif roll < 16:
            dims[i] = None
        elif roll < 22:
            dims[i] = num(draw, 1, 6)
    if chance(draw, 10) and len(dims) > 2:
        dims = [dims[0]] + dims[2:]
    if chance(draw, 6):
        dims[0] = num(draw, 1, 3)
    return tuple(dims)


@st.composite
def elementwise_merge_case(draw: Draw, kind: str) -> Case:
    base = shape(draw, num(draw, 2, 4), hi=6)
    count = 2 if kind == "Subtract" and not chance(draw, 8) else num(draw, 1, 3)
    return Case(kind, {}, [base] + [_variant(draw, base) for _ in range(count - 1)])


@st.composite
def concatenate_case(draw: Draw, kind: str) -> Case:
    rank = num(draw, 2, 4)
    config: dict[str, Any] = {}
    axis = pick(draw, [-1, -1, 1, 2, -2, 0, 3, rank, -rank - 1])
    if axis != -1 or chance(draw, 30):
        config["axis"] = axis
    base = shape(draw, rank, hi=6)
    others = []
    for _ in range(num(draw, 0, 2)):
        dims = list(base)
        target = axis if -rank <= axis < rank else -1
        dims[target] = dim(draw, 1, 6)
        if chance(draw, 15):
            i = num(draw, 1, rank - 1)
            dims[i] = dim(draw, 1, 6, none=30)
        if chance(draw, 6):
            dims = dims + [1]
        others.append(tuple(dims))
    return Case(kind, config, [base] + others)


@st.composite
def dot_case(draw: Draw, kind: str) -> Case:
    r1, r2 = num(draw, 2, 4), num(draw, 2, 4)
    a = list(shape(draw, r1, hi=6))
    b = list(shape(draw, r2, hi=6))
    if chance(draw, 50):
        axes: Any = pick(draw, [1, -1, 2])
        i = axes % r1 if axes < 0 else axes
        j = axes % r2 if axes < 0 else axes
    else:
        i, j = num(draw, 1, r1 - 1), num(draw, 1, r2 - 1)
        axes = (i, j) if chance(draw, 70) else (i - r1, j - r2)
    if i < r1 and j < r2 and not chance(draw, 10):
        b[j] = a[i]
    if chance(draw, 10):
        b[0] = num(draw, 1, 3)
    count = 3 if chance(draw, 3) else 2
    inputs = [tuple(a), tuple(b)] + [tuple(a)] * (count - 2)
    return Case(kind, {"axes": axes}, inputs)


# --------------------------------------------------------------------------- attention


@st.composite
def mha_case(draw: Draw, kind: str) -> Case:
    config: dict[str, Any] = {"num_heads": num(draw, 1, 3), "key_dim": num(draw, 1, 6)}
    maybe(draw, config, "value_dim", st.integers(1, 6), 30)
    if chance(draw, 25):
        config["output_shape"] = pick(draw, [num(draw, 1, 8), (num(draw, 1, 8),), (2, 3)])
    maybe(draw, config, "use_bias", st.booleans(), 25)
    maybe(draw, config, "use_gate", st.booleans(), 15)
    rank = pick(draw, [3, 3, 3, 4, 2])
    if rank == 4 and chance(draw, 40):
        config["attention_axes"] = pick(draw, [(1,), (2,), (1, 2), 2, (-2,), (7,)])
    query = shape(draw, rank, hi=8)
    value = shape(draw, rank if not chance(draw, 8) else max(2, rank - 1), hi=8)
    inputs = [query, value]
    if chance(draw, 35):
        key = list(value)
        key[-1] = dim(draw, 1, 8, none=5)
        if chance(draw, 12) and len(key) > 2:
            key[1] = dim(draw, 1, 8)
        inputs.append(tuple(key))
    return Case(kind, config, inputs)


@st.composite
def attention_case(draw: Draw, kind: str) -> Case:
    config: dict[str, Any] = {}
    maybe(draw, config, "use_scale", st.booleans(), 50)
    if kind == "Attention":
        maybe(draw, config, "score_mode", st.sampled_from(["dot", "concat"]), 40)
    rank = pick(draw, [3, 3, 2, 4])
    query = shape(draw, rank, hi=8)
    value = list(shape(draw, rank, hi=8))
    if chance(draw, 70):
        value[-1] = query[-1]
    inputs = [query, tuple(value)]
    if chance(draw, 30):
        inputs.append(tuple(value))
    if chance(draw, 4):
        inputs = inputs[:1]
    return Case(kind, config, inputs)


# --------------------------------------------------------------------------- registry


def _for(kinds: list[str], factory: Callable[[str], st.SearchStrategy[Case]]) -> dict[str, Callable[[], st.SearchStrategy[Case]]]:
    return {k: (lambda k=k: factory(k)) for k in kinds}


def _n(prefix: str, suffix: str = "D", ranks: tuple[int, ...] = (1, 2, 3)) -> list[str]:
    return [f"{prefix}{r}{suffix}" for r in ranks]


STRATEGIES: dict[str, Callable[[], st.SearchStrategy[Case]]] = {
    **_for(_n("Conv") + _n("Conv", "DTranspose") + _n("SeparableConv", ranks=(1, 2)) + _n("DepthwiseConv", ranks=(1, 2)), conv_case),
    **_for(_n("MaxPooling") + _n("AveragePooling"), pooling_case),
    **_for(_n("GlobalMaxPooling") + _n("GlobalAveragePooling"), global_pooling_case),
    **_for(_n("UpSampling"), upsampling_case),
    **_for(_n("ZeroPadding"), padding_case),
    **_for(_n("Cropping"), cropping_case),
    **_for(["Flatten"], flatten_case),
    **_for(["Reshape"], reshape_case),
    **_for(["Permute"], permute_case),
    **_for(["RepeatVector"], repeat_vector_case),
    **_for(["Dense"], dense_case),
    **_for(["EinsumDense"], einsum_case),
    **_for(["Embedding"], embedding_case),
    **_for(
        [
            "Activation", "ReLU", "LeakyReLU", "ELU", "Softmax", "Dropout", "AlphaDropout",
            "GaussianDropout", "GaussianNoise", "ActivityRegularization", "Masking", "Identity",
            "Rescaling",
        ],
        elementwise_case,
    ),
    **_for(_n("SpatialDropout"), spatial_dropout_case),
    **_for(["PReLU"], prelu_case),
    **_for(["Lambda"], lambda_case),
    **_for(["InputLayer"], input_layer_case),
    **_for(["BatchNormalization"], batch_norm_case),
    **_for(["LayerNormalization"], layer_norm_case),
    **_for(["GroupNormalization"], group_norm_case),
    **_for(["UnitNormalization"], unit_norm_case),
    **_for(["Normalization"], normalization_case),
    **_for(["SimpleRNN", "LSTM", "GRU"], rnn_case),
    **_for(_n("ConvLSTM"), conv_lstm_case),
    **_for(["Bidirectional"], bidirectional_case),
    **_for(["TimeDistributed"], time_distributed_case),
    **_for(["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"], elementwise_merge_case),
    **_for(["Concatenate"], concatenate_case),
    **_for(["Dot"], dot_case),
    **_for(["MultiHeadAttention"], mha_case),
    **_for(["Attention", "AdditiveAttention"], attention_case),
}
