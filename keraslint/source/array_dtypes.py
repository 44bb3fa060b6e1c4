"""Dtypes: the NumPy names scripts spell them by, and the dtype an operation gives
(NumPy 2 promotion with NEP 50 weak Python scalars, TensorFlow's stricter rules).
"""

from __future__ import annotations

import operator
from typing import Any

from keraslint.source.values import Ref

# -- dtypes ------------------------------------------------------------------------------

_DTYPE_NAMES = {
    "float": "float64", "double": "float64", "float_": "float64", "f8": "float64", "d": "float64",
    "float32": "float32", "single": "float32", "f4": "float32", "f": "float32",
    "float16": "float16", "half": "float16", "f2": "float16", "e": "float16", "float64": "float64",
    "int": "int64", "int_": "int64", "intp": "int64", "long": "int64", "i8": "int64", "int64": "int64",
    "int32": "int32", "i4": "int32", "intc": "int32", "int16": "int16", "i2": "int16", "short": "int16",
    "int8": "int8", "i1": "int8", "byte": "int8",
    "uint8": "uint8", "u1": "uint8", "ubyte": "uint8", "B": "uint8", "uint16": "uint16", "u2": "uint16",
    "uint32": "uint32", "u4": "uint32", "uint64": "uint64", "u8": "uint64", "uint": "uint64",
    "bool": "bool", "bool_": "bool", "?": "bool", "b1": "bool",
    "complex64": "complex64", "complex128": "complex128", "complex": "complex128", "c8": "complex64",
    "c16": "complex128", "object": "object", "object_": "object", "O": "object",
    "str": "str", "str_": "str", "unicode": "str", "U": "str", "string": "string", "bfloat16": "bfloat16",
}


def dtype_name(value: Any) -> str | None:
    """``"float32"``, ``np.float32``, ``tf.float32``, ``float``, ``x.dtype`` ... -> a NumPy name."""
    if isinstance(value, str):
        text = value.lstrip("<>|=")
        return _DTYPE_NAMES.get(text)
    if isinstance(value, Ref):
        leaf = value.name.rsplit(".", 1)[-1]
        if value.name.startswith(("numpy.", "tensorflow.", "builtins.", "keras.")):
            return _DTYPE_NAMES.get(leaf)
    return None


def _kind(dtype: str | None) -> str:
    """NumPy's kind letter: b, i, u, f, c, O, U (``?`` when unknown)."""
    if dtype is None:
        return "?"
    if dtype == "bool":
        return "b"
    if dtype.startswith("uint"):
        return "u"
    if dtype.startswith("int"):
        return "i"
    if dtype.startswith(("float", "bfloat")):
        return "f"
    if dtype.startswith("complex"):
        return "c"
    if dtype == "object":
        return "O"
    return "U"


def _bits(dtype: str) -> int:
    digits = "".join(c for c in dtype if c.isdigit())
    return int(digits) if digits else 8


def promote(a: str | None, b: str | None) -> str | None:
    """``np.result_type`` of two array dtypes (NumPy 2)."""
    if a is None or b is None:
        return None
    if a == b:
        return a
    ka, kb = _kind(a), _kind(b)
    if "O" in (ka, kb):
        return "object"
    if "U" in (ka, kb) or "c" in (ka, kb) or "bfloat16" in (a, b):
        return None
    if ka == "b":
        return b
    if kb == "b":
        return a
    order = "iuf"
    if order.index(ka) > order.index(kb):
        a, b, ka, kb = b, a, kb, ka
    if ka == kb:
        return a if _bits(a) >= _bits(b) else b
    if ka == "i" and kb == "u":
        if _bits(a) > _bits(b):
            return a
        return f"int{2 * _bits(b)}" if _bits(b) < 64 else "float64"
    # integer with float
    ibits, fbits = _bits(a), _bits(b)
    if fbits == 16:
        return "float16" if ibits == 8 else "float32" if ibits == 16 else "float64"
    if fbits == 32:
        return "float32" if ibits <= 16 else "float64"
    return "float64"


def _weak(dtype: str | None, scalar: Any) -> str | None:
    """NumPy 2 (NEP 50): a Python scalar adopts the array's dtype when its kind allows."""
    if dtype is None:
        return None
    kind = _kind(dtype)
    if isinstance(scalar, bool):
        return dtype
    if isinstance(scalar, int):
        return "int64" if kind == "b" else dtype
    if isinstance(scalar, float):
        return "float64" if kind in "biu" else dtype
    return None


def _tf_truediv(dtype: str | None) -> str | None:
    if dtype is None:
        return None
    if _kind(dtype) in "iu":
        return "float32" if _bits(dtype) <= 16 else "float64"
    return dtype


def _scalar_dtype(value: Any, tf: bool) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int32" if tf else "int64"
    if isinstance(value, float):
        return "float32" if tf else "float64"
    if isinstance(value, complex):
        return "complex128"
    if isinstance(value, str):
        return "string" if tf else "str"
    return None


def _result_dtype(op: Any, left: Any, right: Any, ldtype: str | None, rdtype: str | None, lweak: bool, rweak: bool,
                  tf: bool) -> str | None:
    if tf:
        dtype = ldtype if not lweak else rdtype
        if not lweak and not rweak and ldtype != rdtype:
            return None
        return _tf_truediv(dtype) if op is operator.truediv else dtype
    if lweak and rweak:
        return None
    if lweak or rweak:
        strong, scalar = (rdtype, left) if lweak else (ldtype, right)
        if op is operator.pow and rweak and _kind(strong) == "b" and isinstance(scalar, int) \
                and not isinstance(scalar, bool):
            return "int8"  # NumPy's power loop for a boolean base with a Python int exponent (NEP 50)
        dtype = _weak(strong, scalar)
    else:
        dtype = promote(ldtype, rdtype)
    if dtype is None:
        return None
    kind = _kind(dtype)
    if op is operator.truediv and kind in "biu":
        return "float64"
    if op in (operator.floordiv, operator.pow, operator.mod) and kind == "b":
        return "int8"
    if op is operator.sub and kind == "b":
        return None  # NumPy refuses boolean subtraction
    return dtype


def _reduce_dtype(op: str, dtype: str | None) -> str | None:
    kind = _kind(dtype)
    if op in ("argmax", "argmin"):
        return "int64"
    if op in ("any", "all"):
        return "bool"
    if op in ("mean", "std", "var", "median", "nanmean", "nanstd"):
        return "float64" if kind in "biu" else dtype
    if op in ("sum", "prod", "nansum"):
        if kind == "b" or kind == "i":
            return "int64"
        if kind == "u":
            return "uint64"
        return dtype
    return dtype


def _float_result(dtype: str | None) -> str | None:
    """The dtype of np.log/np.sqrt ... of an array: the smallest float that holds its values."""
    kind = _kind(dtype)
    if kind in "biu":
        bits = 8 if kind == "b" else _bits(dtype or "")
        return "float16" if bits == 8 else "float32" if bits == 16 else "float64"
    return dtype if kind in "fc" else None


