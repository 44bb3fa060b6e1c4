"""Ask real Keras what a layer does with an input: the symbolic call a model build performs."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

from keraslint.shapes import LayerSpec, Shape  # noqa: E402

# Layers Keras calls with a list of tensors (MultiHeadAttention takes them as separate arguments).
LIST_INPUT = {
    "Add",
    "Subtract",
    "Multiply",
    "Average",
    "Maximum",
    "Minimum",
    "Concatenate",
    "Dot",
    "Attention",
    "AdditiveAttention",
}

_calls = 0


@dataclass(frozen=True)
class KerasOutcome:
    accepted: bool
    outputs: tuple[Shape, ...] = ()
    params: int | None = None
    error: str = ""


def build_layer(spec: LayerSpec) -> Any:
    config = dict(spec.config)
    for key in ("layer", "backward_layer"):
        if isinstance(config.get(key), LayerSpec):
            config[key] = build_layer(config[key])
    if spec.kind == "Lambda":
        config["function"] = lambda x: x
    return getattr(keras.layers, spec.kind)(**config)


def run_keras(spec: LayerSpec, inputs: list[Shape]) -> KerasOutcome:
    """Build the layer, call it on symbolic tensors, count its weights; any exception is a rejection."""
    global _calls
    _calls += 1
    if _calls % 400 == 0:
        # Thousands of throwaway layers otherwise pile up in Keras' global state.
        keras.backend.clear_session()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            layer = build_layer(spec)
            if spec.kind == "InputLayer":
                out: Any = layer.output
            else:
                tensors = [keras.KerasTensor(shape) for shape in inputs]
                # A list for merge/attention layers; else one tensor, or MultiHeadAttention's
                # query, value[, key] as separate arguments.
                out = layer(tensors) if spec.kind in LIST_INPUT else layer(*tensors)
            params = layer.count_params()
        except Exception as exc:  # Keras rejects with ValueError, TypeError, IndexError, ...
            return KerasOutcome(False, error=f"{type(exc).__name__}: {str(exc)[:300]}")
    outputs = tuple(tuple(t.shape) for t in keras.tree.flatten(out))
    return KerasOutcome(True, outputs, params)
