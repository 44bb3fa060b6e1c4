"""Turn a layer constructor call, in any Keras version's spelling, into Keras 3 keywords.

Positional arguments are named from the generated signature table; Keras 1/2 keywords
(``nb_filter``, ``border_mode``, ``subsample``, ``init``, ``output_dim`` ...) are renamed;
``input_shape``/``batch_input_shape``/``input_dim``/``input_length`` become the layer's
declared input shape. Positional arguments always get their Keras 3 meaning, whatever the
spelling: ``Convolution2D(32, 3, 3)`` is ``Conv2D(32, kernel_size=3, strides=3)`` under Keras 3
and tf.keras (Keras 1 read a 3x3 kernel there; KL403 says so), because that is the model the
script builds today.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from keraslint.ir.graph import Shape
from keraslint.ir.signatures import SIGNATURES
from keraslint.source.values import Array, ListValue, Ref
from keraslint.values import UNKNOWN

# Keras 1/2 keyword -> Keras 3 keyword (for every layer that had it).
_RENAMES: dict[str, str] = {
    "nb_filter": "filters",
    "filter_length": "kernel_size",
    "border_mode": "padding",
    "subsample": "strides",
    "subsample_length": "strides",
    "init": "kernel_initializer",
    "inner_init": "recurrent_initializer",
    "inner_activation": "recurrent_activation",
    "W_regularizer": "kernel_regularizer",
    "U_regularizer": "recurrent_regularizer",
    "b_regularizer": "bias_regularizer",
    "W_constraint": "kernel_constraint",
    "b_constraint": "bias_constraint",
    "bias": "use_bias",
    "atrous_rate": "dilation_rate",
    "pool_length": "pool_size",
    "dim_ordering": "data_format",
    "dropout_W": "dropout",
    "dropout_U": "recurrent_dropout",
}
# 1D pooling layers named their stride `stride` in Keras 1 (2D/3D ones already said `strides`).
_POOL_RENAMES = {"stride": "strides"}
# Dense and the recurrent layers called `units` `output_dim` in Keras 1 (Embedding still does).
_OUTPUT_DIM_IS_UNITS = frozenset({"Dense", "SimpleRNN", "LSTM", "GRU", "TimeDistributedDense"})
# Where Keras 2's own converters (keras/legacy/interfaces.py) renamed a keyword differently
# for one layer; SeparableConv2D's `init` became two initializers, so it is no rename at all.
_KIND_RENAMES: dict[str, dict[str, str]] = {
    "Embedding": {"init": "embeddings_initializer", "W_regularizer": "embeddings_regularizer",
                  "W_constraint": "embeddings_constraint"},
    "PReLU": {"init": "alpha_initializer"},
    "SeparableConv1D": {"init": "depthwise_initializer, pointwise_initializer"},
    "SeparableConv2D": {"init": "depthwise_initializer, pointwise_initializer"},
    "Dropout": {"p": "rate"},
    "GaussianDropout": {"p": "rate"},
    "GaussianNoise": {"sigma": "stddev"},
    "UpSampling1D": {"length": "size"},
}
_DROPPED = frozenset({"input_shape", "batch_input_shape", "batch_shape", "input_dim", "input_length",
                      "batch_size", "name", "trainable", "dtype", "weights", "consume_less", "dynamic"})


@dataclass(frozen=True)
class NormalizedLayer:
    config: dict[str, Any]
    name: str | None
    declared_input: Shape | None
    renamed: tuple[tuple[str, str], ...]


def plain(value: Any) -> Any:
    """A config value the shape engine can read: constants and tuples stay; activations given
    as functions become their names; anything else the source pass tracked becomes UNKNOWN."""
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    if isinstance(value, ListValue):
        value = tuple(value.items)
    if isinstance(value, tuple):
        items = tuple(plain(v) for v in value)
        return UNKNOWN if any(v is UNKNOWN for v in items) else items
    if isinstance(value, Ref):
        return value.name.rsplit(".", 1)[-1]
    if isinstance(value, Array) and value.shape == () and type(value.data.get("literal")) is float:
        # Dropout(rates[i]) of an np.linspace: a NumPy float of known value. A NumPy integer stays
        # unknown: Keras 3 refuses one as Dense(units) or Embedding(input_dim) (ValueError).
        return value.data["literal"]
    return UNKNOWN


def shape_literal(value: Any) -> tuple[Any, ...] | None:
    """A shape literal; elements that are not known ints are unknown dimensions (None)."""
    if isinstance(value, ListValue):
        value = tuple(value.items)
    if isinstance(value, tuple):
        return tuple(dim_literal(v) for v in value)
    dim = dim_literal(value)
    return (dim,) if dim is not None else None


def dim_literal(value: Any) -> int | None:
    value = plain(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def declared_input(kind: str, kwargs: Mapping[str, Any]) -> Shape | None:
    """The full input shape (batch axis first) a layer declares, if any."""
    for key in ("batch_input_shape", "batch_shape"):
        if key in kwargs:
            shape = shape_literal(kwargs[key])
            return shape
    if "input_shape" in kwargs:
        shape = shape_literal(kwargs["input_shape"])
        return None if shape is None else (None, *shape)
    if kind == "Embedding":
        if "input_length" in kwargs:
            return (None, dim_literal(kwargs["input_length"]))
        return None
    if "input_dim" in kwargs:
        dim = dim_literal(kwargs["input_dim"])
        if "input_length" in kwargs:
            return (None, dim_literal(kwargs["input_length"]), dim)
        return (None, dim)
    return None


def normalize_layer(kind: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> NormalizedLayer:
    """Keras 3 keywords for a call ``Kind(*args, **kwargs)``."""
    renamed: list[tuple[str, str]] = []
    config: dict[str, Any] = {}
    names = SIGNATURES.get(kind, ())
    for index, value in enumerate(args):
        if index < len(names):
            config.setdefault(names[index], value)
    keyword_rows = [k for k in ("nb_row", "nb_col", "kernel_dim1", "kernel_dim2", "kernel_dim3") if k in kwargs]
    if keyword_rows and "kernel_size" not in config:
        config["kernel_size"] = tuple(plain(kwargs[k]) for k in keyword_rows)
        renamed.append((", ".join(keyword_rows), "kernel_size"))
    for key, value in kwargs.items():
        if key in keyword_rows or (key in _DROPPED and not (kind == "Embedding" and key == "input_dim")):
            continue
        new = _KIND_RENAMES.get(kind, {}).get(key) or _RENAMES.get(key) or \
            (_POOL_RENAMES.get(key) if "Pooling1D" in kind else None)
        if key == "output_dim" and kind in _OUTPUT_DIM_IS_UNITS:
            new = "units"
        if new is not None:
            renamed.append((key, new))
            for part in new.split(", "):
                config[part] = value
            continue
        config[key] = value
    for key in list(config):
        if key == "layer" or key == "backward_layer":
            continue  # wrappers keep the inner layer object for the caller to convert
        config[key] = plain(config[key])
    if config.get("data_format") in ("th", "tf"):
        config["data_format"] = "channels_first" if config["data_format"] == "th" else "channels_last"
    if isinstance(config.get("padding"), str):
        config["padding"] = config["padding"].lower()
    name = plain(kwargs.get("name"))
    return NormalizedLayer(config, name if isinstance(name, str) else None, declared_input(kind, kwargs),
                           tuple(renamed))
