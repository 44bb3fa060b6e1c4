"""Hypothesis strategies: for every supported layer, constructor configs and input shapes.

They deliberately include the unlucky cases users hit: inputs too short for the kernel, strides
that do not divide, a rank one short or one long, channel counts that do not split into groups,
merge inputs that disagree, unknown (None) dimensions and out-of-range axes.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
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


class Dice:
    """Random choices for one generated case.

    Hypothesis' own integer draws lean hard towards boundary values, which would turn "8% of
    the time" into "a third of the time"; a Random seeded by hypothesis keeps the stated odds
    and stays reproducible under ``derandomize=True``.
    """

    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
        self.r: random.Random = draw(st.randoms(use_true_random=False))

    def chance(self, percent: int) -> bool:
        return self.r.randrange(100) < percent

    def pick(self, values: Sequence[Any]) -> Any:
        return self.r.choice(list(values))

    def num(self, lo: int, hi: int) -> int:
        return self.r.randint(lo, hi)

    def shuffle(self, items: list[Any]) -> None:
        self.r.shuffle(items)

    def dim(self, lo: int = 1, hi: int = 12, none: int = 8) -> int | None:
        return None if self.chance(none) else self.num(lo, hi)

    def batch(self) -> int | None:
        return self.num(1, 4) if self.chance(12) else None

    def shape(self, rank: int, lo: int = 1, hi: int = 12, none: int = 8) -> Shape:
        return (self.batch(),) + tuple(self.dim(lo, hi, none) for _ in range(rank - 1))

    def skew_rank(self, rank: int, percent: int = 8) -> int:
        """Usually ``rank``; sometimes one short or one long (the classic missing channel axis)."""
        if self.chance(percent):
            return max(1, rank + self.pick([-1, 1]))
        return rank

    def maybe(self, config: dict[str, Any], key: str, values: Sequence[Any], percent: int = 60) -> None:
        """Set ``key`` (to one of ``values``) only sometimes, so Keras' defaults get exercised."""
        if self.chance(percent):
            config[key] = self.pick(values)

    def int_or_tuple(self, n: int, lo: int, hi: int) -> Any:
        values = tuple(self.num(lo, hi) for _ in range(n))
        if self.chance(50) or len(set(values)) == 1:
            return values[0] if self.chance(60) else (values[0],) * n
        return values

    def data_format(self, config: dict[str, Any]) -> str:
        fmt = self.pick(["channels_last", "channels_first"])
        if fmt == "channels_first" or self.chance(30):
            config["data_format"] = fmt
        return fmt

    def padding_value(self, modes: list[str]) -> str:
        mode = self.pick(modes)
        return mode.upper() if self.chance(8) else mode

    def image(
        self, rank: int, fmt: str, *, lo: int = 1, hi: int = 12, channels_hi: int = 8, time_axis: bool = False
    ) -> Shape:
        """An input for a rank-``rank`` conv-style layer, with the rank itself sometimes off."""
        total = self.skew_rank(rank + 2 + int(time_axis))
        spatial = [self.dim(lo, hi) for _ in range(max(0, total - 2 - int(time_axis)))]
        channels = self.dim(1, channels_hi, none=5)
        head: list[int | None] = [self.batch()] + ([self.dim(1, 5)] if time_axis else [])
        body = [channels] + spatial if fmt == "channels_first" else spatial + [channels]
        return tuple(head + body)


# --------------------------------------------------------------------------- convolutions


def _rank(kind: str) -> int:
    return int(kind.removesuffix("Transpose").rstrip("D")[-1])


@st.composite
def conv_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    rank = _rank(kind)
    transpose = kind.endswith("Transpose")
    depthwise = kind.startswith("Depthwise")
    separable = kind.startswith("Separable")
    config: dict[str, Any] = {"kernel_size": d.int_or_tuple(rank, 1, 5)}
    groups = 1
    if not depthwise:
        config["filters"] = d.num(1, 8)
    if kind.startswith("Conv") and not transpose and d.chance(25):
        groups = d.num(1, 3)
        config["groups"] = groups
        if not d.chance(10):
            config["filters"] = groups * d.num(1, 3)
    dilated = d.chance(25)
    strided = d.chance(45)
    if strided and (not dilated or d.chance(10)):
        config["strides"] = d.int_or_tuple(rank, 1, 4)
    if dilated and (not strided or d.chance(10)):
        config["dilation_rate"] = d.int_or_tuple(rank, 1, 3)
    modes = ["valid", "same"] + (["causal"] if kind == "Conv1D" or d.chance(3) else [])
    d.maybe(config, "padding", [d.padding_value(modes)], 70)
    fmt = d.data_format(config)
    d.maybe(config, "use_bias", [True, False], 30)
    d.maybe(config, "activation", ["relu", "linear", None], 20)
    if depthwise or separable:
        d.maybe(config, "depth_multiplier", list(range(1, 4)), 40)
    if transpose and d.chance(35):
        strides = config.get("strides", 1)
        top = max(strides) if isinstance(strides, tuple) else strides
        config["output_padding"] = d.num(0, max(0, top - 1) + (1 if d.chance(10) else 0))
    if d.chance(3):
        # Invalid constructor values: a kernel tuple of the wrong length, no filters at all.
        config["kernel_size"] = (3,) * (rank + 1)
    elif d.chance(3) and "filters" in config:
        config["filters"] = d.pick([0, 4.0])
    x = d.image(rank, fmt, lo=1, hi=14 if rank == 1 else 9)
    if groups > 1 and d.chance(70):
        # Mostly channel counts that split into the groups; sometimes not.
        channel_axis = 1 if fmt == "channels_first" else len(x) - 1
        if len(x) > 1 and x[channel_axis] is not None:
            x = x[:channel_axis] + (groups * d.num(1, 3),) + x[channel_axis + 1 :]
    return Case(kind, config, [x])


# --------------------------------------------------------------------------- pooling


@st.composite
def pooling_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    rank = int(kind[-2])
    config: dict[str, Any] = {}
    # AveragePooling has no default pool_size; leave it out only rarely there.
    if d.chance(75) or (kind.startswith("Average") and not d.chance(5)):
        config["pool_size"] = d.int_or_tuple(rank, 1, 4)
    if d.chance(45):
        config["strides"] = d.int_or_tuple(rank, 1, 4)
    d.maybe(config, "padding", [d.padding_value(["valid", "same"])], 60)
    fmt = d.data_format(config)
    return Case(kind, config, [d.image(rank, fmt, hi=12 if rank < 3 else 7)])


@st.composite
def global_pooling_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    rank = int(kind[-2])
    config: dict[str, Any] = {}
    fmt = d.data_format(config)
    d.maybe(config, "keepdims", [True, False], 50)
    return Case(kind, config, [d.image(rank, fmt, hi=6)])


# --------------------------------------------------------------------------- reshaping


@st.composite
def upsampling_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    rank = int(kind[-2])
    config: dict[str, Any] = {}
    fmt = "channels_last"
    if rank == 1:
        d.maybe(config, "size", list(range(1, 5)))
    else:
        d.maybe(config, "size", [d.int_or_tuple(rank, 1, 3)])
        fmt = d.data_format(config)
        if rank == 2:
            d.maybe(config, "interpolation", ["nearest", "bilinear"], 30)
    return Case(kind, config, [d.image(rank, fmt, hi=6)])


def _pairs(d: Dice, rank: int, hi: int) -> Any:
    form = d.pick(["int", "pair", "pairs"]) if rank > 1 else d.pick(["int", "pair"])
    if form == "int":
        return d.num(0, hi)
    if rank == 1 or form == "pair":
        return tuple(d.num(0, hi) for _ in range(2 if rank == 1 else rank))
    return tuple(tuple(d.num(0, hi) for _ in range(2)) for _ in range(rank))


@st.composite
def padding_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    rank = int(kind[-2])
    config: dict[str, Any] = {}
    d.maybe(config, "padding", [_pairs(d, rank, 3)], 70)
    fmt = d.data_format(config)
    return Case(kind, config, [d.image(rank, fmt, hi=6)])


@st.composite
def cropping_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    rank = int(kind[-2])
    config: dict[str, Any] = {}
    d.maybe(config, "cropping", [_pairs(d, rank, 3)], 80)
    fmt = "channels_last" if rank == 1 else d.data_format(config)
    return Case(kind, config, [d.image(rank, fmt, hi=8)])


@st.composite
def flatten_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    config: dict[str, Any] = {}
    d.data_format(config)
    return Case(kind, config, [d.shape(d.num(1, 5), hi=6)])


@st.composite
def reshape_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    x = d.shape(d.num(2, 4), hi=6, none=6)
    size = 1
    for n in x[1:]:
        size *= n or 1
    # Factor the per-sample size into a new target, then maybe spoil it or put a -1 in.
    target: list[int] = []
    rest = size
    for _ in range(d.num(0, 2)):
        divisors = [f for f in range(1, rest + 1) if rest % f == 0]
        f = d.pick(divisors)
        target.append(f)
        rest //= f
    target.append(rest)
    if d.chance(15):
        i = d.num(0, len(target) - 1)
        target[i] += d.num(1, 3)
    if d.chance(40):
        target[d.num(0, len(target) - 1)] = -1
    if d.chance(3):
        target = [-1, -1]
    d.shuffle(target)
    return Case(kind, {"target_shape": tuple(target)}, [x])


@st.composite
def permute_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    n = d.num(1, 4)
    dims = list(range(1, n + 1))
    d.shuffle(dims)
    if d.chance(5):
        dims[0] = n + 1
    rank = d.skew_rank(n + 1)
    return Case(kind, {"dims": tuple(dims)}, [d.shape(rank, hi=6)])


@st.composite
def repeat_vector_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    return Case(kind, {"n": d.num(1, 5)}, [d.shape(d.skew_rank(2), hi=8)])


# --------------------------------------------------------------------------- core


@st.composite
def dense_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    config: dict[str, Any] = {"units": d.num(1, 16) if not d.chance(3) else d.pick([0, 8.0])}
    d.maybe(config, "use_bias", [True, False], 30)
    d.maybe(config, "activation", ["relu", "softmax", "sigmoid", None], 30)
    rank = d.pick([1, 2, 2, 3, 3, 4])
    return Case(kind, config, [d.shape(rank, hi=16, none=6)])


@st.composite
def embedding_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    config = {"input_dim": d.num(1, 50), "output_dim": d.num(1, 16)}
    d.maybe(config, "mask_zero", [True, False], 20)
    return Case(kind, config, [d.shape(d.num(1, 3), hi=20)])


@st.composite
def elementwise_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    config: dict[str, Any] = {}
    if kind == "Activation":
        config["activation"] = d.pick(["relu", "tanh", "softmax", "linear"])
    elif kind == "ReLU":
        d.maybe(config, "max_value", [None, 6.0, 1.0, -1.0], 30)
        d.maybe(config, "negative_slope", [0.0, 0.1, -0.2], 30)
        d.maybe(config, "threshold", [0.0, 0.5], 20)
    elif kind == "LeakyReLU":
        d.maybe(config, "negative_slope", [0.3, 0.01, -0.1], 50)
    elif kind == "ELU":
        d.maybe(config, "alpha", [1.0, 0.5], 30)
    elif kind == "Softmax":
        d.maybe(config, "axis", [-1, 1, 2, -2, 5], 40)
    elif kind in ("Dropout", "AlphaDropout", "GaussianDropout"):
        config["rate"] = d.pick([0.0, 0.1, 0.5, 0.9, 1.0, 1.5, -0.1])
        if kind == "Dropout":
            d.maybe(config, "seed", list(range(0, 6)), 20)
    elif kind == "GaussianNoise":
        config["stddev"] = d.pick([0.0, 0.1, 0.5, 1.0, 2.0])
    elif kind == "ActivityRegularization":
        d.maybe(config, "l1", [0.0, 0.01], 50)
    elif kind == "Masking":
        d.maybe(config, "mask_value", [0.0, -1.0], 50)
    elif kind == "Rescaling":
        config["scale"] = d.pick([1 / 255, 2.0])
        d.maybe(config, "offset", [0.0, -1.0], 40)
    return Case(kind, config, [d.shape(d.num(1, 5), hi=10)])


@st.composite
def image_preprocessing_case(draw: Any, kind: str) -> Case:
    """Resizing, cropping and augmentation layers on image batches (and the odd other rank)."""
    d = Dice(draw)
    config: dict[str, Any] = {}
    if kind in ("Resizing", "CenterCrop", "RandomCrop"):
        config["height"], config["width"] = d.num(1, 12), d.num(1, 12)
        d.maybe(config, "data_format", ["channels_last", "channels_first"], 30)
        if kind == "Resizing":
            d.maybe(config, "crop_to_aspect_ratio", [True, False], 20)
    elif kind == "RandomRotation":
        config["factor"] = d.pick([0.1, 0.25])
    elif kind == "RandomZoom":
        config["height_factor"] = d.pick([0.1, 0.2])
    elif kind == "RandomTranslation":
        config["height_factor"], config["width_factor"] = d.pick([0.1, 0.2]), d.pick([0.1, 0.2])
    elif kind in ("RandomContrast", "RandomBrightness"):
        config["factor"] = d.pick([0.1, 0.2])
    elif kind == "RandomFlip":
        d.maybe(config, "mode", ["horizontal", "vertical", "horizontal_and_vertical"], 50)
    rank = d.pick([4, 4, 4, 3, 5, 2])
    return Case(kind, config, [d.shape(rank, lo=2, hi=16)])


@st.composite
def spatial_dropout_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    rank = int(kind[-2])
    config: dict[str, Any] = {"rate": d.pick([0.1, 0.5, 1.2])}
    fmt = "channels_last" if rank == 1 else d.data_format(config)
    return Case(kind, config, [d.image(rank, fmt, hi=6)])


@st.composite
def prelu_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    rank = d.num(1, 4)
    config: dict[str, Any] = {}
    if d.chance(50) and rank > 1:
        axes = sorted(set(d.num(1, rank - 1) for _ in range(d.num(1, 2))))
        if d.chance(8):
            axes.append(rank + d.num(0, 2))
        config["shared_axes"] = axes if len(axes) > 1 or d.chance(50) else axes[0]
    return Case(kind, config, [d.shape(rank, hi=8)])


@st.composite
def lambda_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    if d.chance(75):
        output_shape: Any = tuple(d.dim(1, 8) for _ in range(d.num(0, 3)))
    else:
        output_shape = [tuple(d.dim(1, 8) for _ in range(d.num(1, 3))) for _ in range(2)]
    return Case(kind, {"output_shape": output_shape}, [d.shape(d.num(1, 4), hi=8)])


@st.composite
def input_layer_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    dims = tuple(d.dim(1, 32) for _ in range(d.num(0, 4)))
    form = d.pick(["shape", "shape+batch", "batch_shape", "both"])
    if form == "shape":
        config: dict[str, Any] = {"shape": dims}
    elif form == "shape+batch":
        config = {"shape": dims, "batch_size": d.num(1, 16)}
    elif form == "batch_shape":
        config = {"batch_shape": (d.batch(),) + dims}
    else:
        config = {"shape": dims, "batch_shape": (None,) + dims}
    return Case(kind, config, [])


# --------------------------------------------------------------------------- normalization


@st.composite
def batch_norm_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    rank = d.num(2, 5)
    config: dict[str, Any] = {}
    d.maybe(config, "axis", [-1, 1, 2, 3, -2, rank, -rank - 1], 40)
    d.maybe(config, "center", [True, False], 30)
    d.maybe(config, "scale", [True, False], 30)
    d.maybe(config, "renorm", [True, False], 15)
    return Case(kind, config, [d.shape(rank, hi=10)])


@st.composite
def layer_norm_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    rank = d.num(2, 4)
    config: dict[str, Any] = {}
    if d.chance(50):
        config["axis"] = d.pick([-1, 1, -2, [1, 2], [-1, -2], rank, [1, rank]])
    d.maybe(config, "center", [True, False], 30)
    d.maybe(config, "scale", [True, False], 30)
    d.maybe(config, "rms_scaling", [True, False], 20)
    return Case(kind, config, [d.shape(rank, hi=8)])


@st.composite
def group_norm_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    rank = d.num(2, 4)
    config: dict[str, Any] = {}
    groups = d.pick([1, 2, 3, 4, -1, 32, 0])
    if groups != 32 or d.chance(50):
        config["groups"] = groups
    d.maybe(config, "axis", [-1, 1, rank], 25)
    d.maybe(config, "center", [True, False], 20)
    d.maybe(config, "scale", [True, False], 20)
    x = d.shape(rank, hi=12)
    if d.chance(60) and groups > 0 and x[-1] is not None:
        x = x[:-1] + (groups * d.num(1, 3),)
    return Case(kind, config, [x])


@st.composite
def unit_norm_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    rank = d.num(2, 4)
    config: dict[str, Any] = {}
    d.maybe(config, "axis", [-1, 1, [1, 2], rank, -rank - 1], 50)
    return Case(kind, config, [d.shape(rank, hi=8)])


@st.composite
def normalization_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    rank = d.num(2, 4)
    config: dict[str, Any] = {}
    axis = d.pick([-1, -1, None, 1, (1, 2), rank])
    if axis != -1 or d.chance(30):
        config["axis"] = axis
    x = d.shape(rank, hi=6)
    if d.chance(35):
        form = d.pick(["scalar", "vector", "bad-vector", "mismatch"])
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
def einsum_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    equation, rank, output, bias = d.pick(_EINSUM)
    rank = rank or d.num(2, 4)
    x = d.shape(d.skew_rank(rank, 5), hi=8, none=6)
    config: dict[str, Any] = {"equation": equation, "output_shape": output(x + (None,) * 3, d.num(1, 8))}
    if d.chance(50):
        config["bias_axes"] = bias
    return Case(kind, config, [x])


# --------------------------------------------------------------------------- recurrent


def rnn_config(d: Dice, kind: str) -> dict[str, Any]:
    config: dict[str, Any] = {"units": d.num(1, 8) if not d.chance(3) else d.pick([0, 4.0])}
    d.maybe(config, "return_sequences", [True, False], 60)
    d.maybe(config, "return_state", [True, False], 35)
    d.maybe(config, "use_bias", [True, False], 20)
    if kind == "GRU":
        d.maybe(config, "reset_after", [True, False], 40)
    return config


@st.composite
def rnn_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    x = d.shape(d.skew_rank(3), hi=10)
    return Case(kind, rnn_config(d, kind), [x])


@st.composite
def conv_lstm_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    rank = int(kind[-2])
    config: dict[str, Any] = {"filters": d.num(1, 4), "kernel_size": d.int_or_tuple(rank, 1, 3)}
    if d.chance(35):
        config["strides"] = d.int_or_tuple(rank, 1, 3)
    elif d.chance(20):
        config["dilation_rate"] = d.int_or_tuple(rank, 1, 2)
    d.maybe(config, "padding", ["valid", "same", "Same"], 50)
    fmt = d.data_format(config)
    d.maybe(config, "return_sequences", [True, False], 50)
    d.maybe(config, "return_state", [True, False], 30)
    d.maybe(config, "use_bias", [True, False], 20)
    x = d.image(rank, fmt, hi=7 if rank < 3 else 4, channels_hi=4, time_axis=True)
    return Case(kind, config, [x])


@st.composite
def bidirectional_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    inner_kind = d.pick(["SimpleRNN", "LSTM", "GRU", "LSTM", "GRU", "ConvLSTM1D"])
    rank = 3
    if inner_kind == "ConvLSTM1D":
        inner = {"filters": d.num(1, 3), "kernel_size": d.num(1, 3)}
        d.maybe(inner, "return_sequences", [True, False], 50)
        d.maybe(inner, "return_state", [True, False], 30)
        rank = 4
    else:
        inner = rnn_config(d, inner_kind)
    config: dict[str, Any] = {"layer": LayerSpec(inner_kind, inner)}
    d.maybe(config, "merge_mode", ["concat", "sum", "mul", "ave", None], 50)
    if d.chance(20):
        backward = dict(inner, go_backwards=not d.chance(10))
        if d.chance(30) and "units" in backward:
            backward["units"] = d.num(1, 8)
        if d.chance(10):
            backward["return_sequences"] = not backward.get("return_sequences", False)
        config["backward_layer"] = LayerSpec(inner_kind, backward)
    elif d.chance(5):
        config["layer"] = LayerSpec(inner_kind, dict(inner, go_backwards=True))
    return Case(kind, config, [d.shape(d.skew_rank(rank), hi=8)])


_TIME_DISTRIBUTED_INNER = {
    "Dense": (2, lambda d: {"units": d.num(1, 8)}),
    "Conv1D": (3, lambda d: {"filters": d.num(1, 4), "kernel_size": d.num(1, 4)}),
    "Conv2D": (4, lambda d: {"filters": d.num(1, 4), "kernel_size": d.num(1, 3)}),
    "MaxPooling1D": (3, lambda d: {"pool_size": d.num(1, 3)}),
    "MaxPooling2D": (4, lambda d: {}),
    "GlobalAveragePooling1D": (3, lambda d: {}),
    "Flatten": (2, lambda d: {}),
    "Dropout": (2, lambda d: {"rate": 0.5}),
    "BatchNormalization": (2, lambda d: {}),
    "Embedding": (1, lambda d: {"input_dim": 10, "output_dim": d.num(1, 4)}),
    "LSTM": (3, lambda d: {"units": d.num(1, 4)}),
}


@st.composite
def time_distributed_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    inner_kind = d.pick(sorted(_TIME_DISTRIBUTED_INNER))
    rank, make = _TIME_DISTRIBUTED_INNER[inner_kind]
    config = {"layer": LayerSpec(inner_kind, make(d))}
    return Case(kind, config, [d.shape(d.skew_rank(rank + 1), hi=7)])


# --------------------------------------------------------------------------- merging


def _variant(d: Dice, base: Shape) -> Shape:
    """Another merge input: mostly the same shape, sometimes broadcastable, unknown or wrong."""
    dims = list(base)
    for i in range(1, len(dims)):
        roll = d.num(0, 99)
        if roll < 10:
            dims[i] = 1
        elif roll < 16:
            dims[i] = None
        elif roll < 22:
            dims[i] = d.num(1, 6)
    if d.chance(10) and len(dims) > 2:
        dims = [dims[0]] + dims[2:]
    if d.chance(6):
        dims[0] = d.num(1, 3)
    return tuple(dims)


@st.composite
def elementwise_merge_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    base = d.shape(d.num(2, 4), hi=6)
    count = 2 if kind == "Subtract" and not d.chance(8) else d.num(1, 3)
    return Case(kind, {}, [base] + [_variant(d, base) for _ in range(count - 1)])


@st.composite
def concatenate_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    rank = d.num(2, 4)
    config: dict[str, Any] = {}
    axis = d.pick([-1, -1, 1, 2, -2, 0, 3, rank, -rank - 1])
    if axis != -1 or d.chance(30):
        config["axis"] = axis
    base = d.shape(rank, hi=6)
    others = []
    for _ in range(d.num(0, 2)):
        dims = list(base)
        target = axis if -rank <= axis < rank else -1
        dims[target] = d.dim(1, 6)
        if d.chance(15):
            i = d.num(1, rank - 1)
            dims[i] = d.dim(1, 6, none=30)
        if d.chance(6):
            dims = dims + [1]
        others.append(tuple(dims))
    return Case(kind, config, [base] + others)


@st.composite
def dot_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    r1, r2 = d.num(2, 4), d.num(2, 4)
    a = list(d.shape(r1, hi=6))
    b = list(d.shape(r2, hi=6))
    if d.chance(50):
        axes: Any = d.pick([1, -1, 2])
        i = axes % r1 if axes < 0 else axes
        j = axes % r2 if axes < 0 else axes
    else:
        i, j = d.num(1, r1 - 1), d.num(1, r2 - 1)
        axes = (i, j) if d.chance(70) else (i - r1, j - r2)
    if i < r1 and j < r2 and not d.chance(10):
        b[j] = a[i]
    if d.chance(10):
        b[0] = d.num(1, 3)
    count = 3 if d.chance(3) else 2
    inputs = [tuple(a), tuple(b)] + [tuple(a)] * (count - 2)
    return Case(kind, {"axes": axes}, inputs)


# --------------------------------------------------------------------------- attention


@st.composite
def mha_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    config: dict[str, Any] = {"num_heads": d.num(1, 3), "key_dim": d.num(1, 6)}
    d.maybe(config, "value_dim", list(range(1, 7)), 30)
    if d.chance(25):
        config["output_shape"] = d.pick([d.num(1, 8), (d.num(1, 8),), (2, 3)])
    d.maybe(config, "use_bias", [True, False], 25)
    d.maybe(config, "use_gate", [True, False], 15)
    rank = d.pick([3, 3, 3, 4, 2])
    if rank == 4 and d.chance(40):
        config["attention_axes"] = d.pick([(1,), (2,), (1, 2), 2, (-2,), (7,)])
    query = d.shape(rank, hi=8)
    value = d.shape(rank if not d.chance(8) else max(2, rank - 1), hi=8)
    inputs = [query, value]
    if d.chance(35):
        key = list(value)
        key[-1] = d.dim(1, 8, none=5)
        if d.chance(12) and len(key) > 2:
            key[1] = d.dim(1, 8)
        inputs.append(tuple(key))
    return Case(kind, config, inputs)


@st.composite
def attention_case(draw: Any, kind: str) -> Case:
    d = Dice(draw)
    config: dict[str, Any] = {}
    d.maybe(config, "use_scale", [True, False], 50)
    if kind == "Attention":
        d.maybe(config, "score_mode", ["dot", "concat"], 40)
    rank = d.pick([3, 3, 2, 4])
    query = d.shape(rank, hi=8)
    value = list(d.shape(rank, hi=8))
    if d.chance(70):
        value[-1] = query[-1]
    inputs = [query, tuple(value)]
    if d.chance(30):
        inputs.append(tuple(value))
    if d.chance(4):
        inputs = inputs[:1]
    return Case(kind, config, inputs)


# --------------------------------------------------------------------------- registry


def _for(
    kinds: list[str], factory: Callable[[str], st.SearchStrategy[Case]]
) -> dict[str, Callable[[], st.SearchStrategy[Case]]]:
    return {k: (lambda k=k: factory(k)) for k in kinds}


def _n(prefix: str, suffix: str = "D", ranks: tuple[int, ...] = (1, 2, 3)) -> list[str]:
    return [f"{prefix}{r}{suffix}" for r in ranks]


STRATEGIES: dict[str, Callable[[], st.SearchStrategy[Case]]] = {
    **_for(
        _n("Conv") + _n("Conv", "DTranspose") + _n("SeparableConv", ranks=(1, 2)) + _n("DepthwiseConv", ranks=(1, 2)),
        conv_case,
    ),
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
            "Activation",
            "ReLU",
            "LeakyReLU",
            "ELU",
            "Softmax",
            "Dropout",
            "AlphaDropout",
            "GaussianDropout",
            "GaussianNoise",
            "ActivityRegularization",
            "Masking",
            "Identity",
            "Rescaling",
        ],
        elementwise_case,
    ),
    **_for(_n("SpatialDropout"), spatial_dropout_case),
    **_for(["Resizing", "CenterCrop", "RandomCrop", "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
            "RandomContrast", "RandomBrightness"], image_preprocessing_case),
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
