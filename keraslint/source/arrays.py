"""What NumPy and TensorFlow array calls return: arrays as (shape, dtype) values.

Every function returns NOT_MODELLED for anything it does not model, so the caller can fall
back; an array whose shape cannot be worked out is an Array with unknown dimensions (or
unknown rank), never a guess.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from keraslint.source.values import NOT_MODELLED, Array

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter

ARRAY = "numpy.ndarray"


def call(interp: Interpreter, site: CallSite) -> Any:
    return NOT_MODELLED


def attribute(interp: Interpreter, array: Array, name: str) -> Any:
    return NOT_MODELLED


def subscript(interp: Interpreter, array: Array, indices: list[Any]) -> Any:
    return NOT_MODELLED


def binary_op(interp: Interpreter, op: Any, left: Any, right: Any) -> Any:
    return NOT_MODELLED
