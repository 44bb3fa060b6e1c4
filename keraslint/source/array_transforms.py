"""Functions computing an array from arrays: joining, reshaping and casting, labels
(to_categorical, one_hot), rescaling helpers, reductions, NumPy's unary ufuncs, and
sklearn's train_test_split/shuffle.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from keraslint.source.array_constructors import literal_ints
from keraslint.source.array_dtypes import (
    _float_result,
    _kind,
    _reduce_dtype,
    dtype_name,
    promote,
)
from keraslint.source.array_registry import (
    Handler,
    _dtype_kw,
    _is_tf,
    _out_type,
    handles,
    register,
)
from keraslint.source.array_shapes import (
    _axis,
    _dims,
    _Invalid,
    _is_int,
    _reshape_arg,
    _reshape_items,
    column_stack,
    concatenate,
    dim,
    dstack,
    expand_dims,
    hstack,
    moveaxis,
    reduce,
    reshape,
    size_of,
    squeeze,
    stack,
    swapaxes,
    transpose,
    vstack,
)
from keraslint.source.array_values import (
    TENSOR,
    _combine,
    as_array,
    derive,
    make,
    unknown,
)
from keraslint.source.values import (
    DYNAMIC_AXES,
    NOT_MODELLED,
    ONE_HOT_BY,
    Array,
    ListValue,
    is_dynamic_dim,
)
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter


# joining ------------------------------------------------------------------------------------

def _parts(interp: Interpreter, value: Any, tf: bool) -> list[Array] | None:
    items = interp.sequence_items(value) if isinstance(value, (tuple, ListValue)) else None
    if not items:
        return None
    arrays = [as_array(item, tf=tf) for item in items]
    if any(a is None for a in arrays):
        return None
    return arrays  # type: ignore[return-value]


def _joiner(shape_of: Callable[..., tuple | None], default_axis: Any, with_axis: bool = True) -> Handler:
    def join(interp: Interpreter, site: CallSite) -> Any:
        tf = _is_tf(site)
        keyword = "values" if tf else "arrays" if with_axis else "tup"
        parts = _parts(interp, site.arg(0, keyword, default=None), tf)
        if parts is None:
            return unknown(site.node, type_=_out_type(site))
        dtype: str | None = parts[0].dtype
        for p in parts[1:]:
            dtype = promote(dtype, p.dtype) if not tf else (dtype if dtype == p.dtype else None)
        shapes = [p.shape for p in parts]
        if with_axis:
            shape = shape_of(shapes, site.arg(1, "axis", default=default_axis))
        else:
            shape = shape_of(shapes)
        return _combine(parts, site.node, shape, dtype, _out_type(site))

    return join


handles("numpy.concatenate", "numpy.concat")(_joiner(concatenate, 0))
handles("tensorflow.concat")(_joiner(concatenate, UNKNOWN))
handles("numpy.stack", "tensorflow.stack")(_joiner(stack, 0))
handles("numpy.hstack")(_joiner(hstack, None, with_axis=False))
handles("numpy.vstack", "numpy.row_stack")(_joiner(vstack, None, with_axis=False))
handles("numpy.dstack")(_joiner(dstack, None, with_axis=False))
handles("numpy.column_stack")(_joiner(column_stack, None, with_axis=False))


# reshaping ----------------------------------------------------------------------------------

def _first_array(site: CallSite, keyword: str) -> Array | None:
    return as_array(site.arg(0, keyword), tf=_is_tf(site))


def _keyword(site: CallSite, numpy: str, tf: str) -> str:
    """The name of the array argument: NumPy's, TensorFlow's, or keras.ops' ``x``."""
    return "x" if site.name.startswith("keras.ops.") else tf if _is_tf(site) else numpy


def _shaped_type(site: CallSite) -> str:
    """keras.ops on an array gives a backend tensor (as custom_layer_calls' keras.ops.reshape)."""
    return TENSOR if site.name.startswith("keras.ops.") else _out_type(site)


@handles("numpy.expand_dims", "tensorflow.expand_dims", "keras.ops.expand_dims")
def _expand_dims(interp: Interpreter, site: CallSite) -> Any:
    base = _first_array(site, _keyword(site, "a", "input"))
    if base is None:
        return unknown(site.node, type_=_shaped_type(site))
    return derive(base, site.node, expand_dims(base.shape, site.arg(1, "axis", default=UNKNOWN)),
                  type_=_shaped_type(site), one_hot=None if base.one_hot else base.one_hot)


@handles("numpy.reshape", "tensorflow.reshape")
def _np_reshape(interp: Interpreter, site: CallSite) -> Any:
    base = _first_array(site, "a" if not _is_tf(site) else "tensor")
    if base is None:
        return unknown(site.node, type_=_out_type(site))
    if _is_tf(site) and (DYNAMIC_AXES in base.data or any(is_dynamic_dim(item)
                                                         for item in _reshape_items(site, 1, "shape") or ())):
        return reshape_tensor(base, site, 1, "shape")
    new = _reshape_arg(site, 1, "shape")
    return derive(base, site.node, reshape(base.shape, new), type_=_out_type(site),
                  one_hot=_reshaped_one_hot(base, new))


def reshape_tensor(base: Array, site: CallSite, first: int, keyword: str) -> Array:
    """``ops.reshape(x, (batch, -1, 12))`` / ``tf.reshape`` on a tensor in a layer's call, where the
    batch comes from ``ops.shape(x)[0]`` (a dynamic_dim): that axis is None as Keras leaves it,
    and so is a -1 next to it (TensorFlow's shape inference cannot solve it either, measured:
    ``(None, None, 12)``), but only when every other None it depends on is Keras's own too. Any
    other unknown leaves the axis unknown to keraslint (not in DYNAMIC_AXES)."""
    items = _reshape_items(site, first, keyword)
    marked = frozenset(i for i, item in enumerate(items or ()) if is_dynamic_dim(item))
    try:
        new = _reshape_arg(site, first, keyword) if not marked or items is None else _dims(
            tuple(UNKNOWN if i in marked else item for i, item in enumerate(items)), negative=True)
        shape = reshape(base.shape, new)
    except _Invalid:
        return derive(base, site.node, None, type_=TENSOR)
    result = derive(base, site.node, shape, type_=TENSOR)
    if not marked or shape is None or new is None:
        return result
    dynamic = set(marked)
    base_dynamic = base.data.get(DYNAMIC_AXES, frozenset())
    base_nones = {i for i, d in enumerate(base.shape or ()) if d is None}
    if -1 in new and shape[new.index(-1)] is None and base_nones <= base_dynamic and all(
            i in marked or isinstance(d, int) for i, d in enumerate(new)):
        dynamic.add(new.index(-1))
    result.data[DYNAMIC_AXES] = frozenset(dynamic)
    return result


def _reshaped_one_hot(base: Array, new: tuple | None) -> bool | None:
    if base.one_hot is not True:
        return base.one_hot
    if base.shape and new and base.shape[-1] is not None and new[-1] == base.shape[-1]:
        return True
    return None


@handles("numpy.transpose", "tensorflow.transpose")
def _np_transpose(interp: Interpreter, site: CallSite) -> Any:
    base = _first_array(site, "a")
    if base is None:
        return unknown(site.node, type_=_out_type(site))
    axes = site.arg(1, "axes" if not _is_tf(site) else "perm", default=None)
    return derive(base, site.node, transpose(base.shape, axes), type_=_out_type(site), one_hot=None)


@handles("numpy.squeeze", "tensorflow.squeeze", "keras.ops.squeeze")
def _np_squeeze(interp: Interpreter, site: CallSite) -> Any:
    base = _first_array(site, _keyword(site, "a", "input"))
    if base is None:
        return unknown(site.node, type_=_shaped_type(site))
    return derive(base, site.node, squeeze(base.shape, site.arg(1, "axis", default=None)), type_=_shaped_type(site))


@handles("numpy.swapaxes")
def _np_swapaxes(interp: Interpreter, site: CallSite) -> Any:
    base = _first_array(site, "a")
    if base is None:
        return unknown(site.node)
    return derive(base, site.node, swapaxes(base.shape, site.arg(1, "axis1"), site.arg(2, "axis2")), one_hot=None)


@handles("numpy.moveaxis")
def _np_moveaxis(interp: Interpreter, site: CallSite) -> Any:
    base = _first_array(site, "a")
    if base is None:
        return unknown(site.node)
    return derive(base, site.node, moveaxis(base.shape, site.arg(1, "source"), site.arg(2, "destination")),
                  one_hot=None)


@handles("tensorflow.cast", "tensorflow.dtypes.cast", "tensorflow.image.convert_image_dtype", "keras.ops.cast")
def _tf_cast(interp: Interpreter, site: CallSite) -> Any:
    base = as_array(site.arg(0, "x" if not site.name.endswith("convert_image_dtype") else "image"), tf=True)
    dtype = dtype_name(site.arg(1, "dtype"))
    if base is None:
        return unknown(site.node, type_=TENSOR, dtype=dtype)
    scaled = base.scaled
    if site.name.endswith("convert_image_dtype") and _kind(dtype) == "f" and _kind(base.dtype) in "iu":
        scaled = True  # convert_image_dtype rescales integers to [0, 1]
    result = derive(base, site.node, base.shape, dtype, type_=TENSOR, scaled=scaled)
    if DYNAMIC_AXES in base.data:
        result.data[DYNAMIC_AXES] = base.data[DYNAMIC_AXES]  # the same shape: the same None axes
    return result


@handles("numpy.tile", "tensorflow.tile", "keras.ops.tile")
def _tile(interp: Interpreter, site: CallSite) -> Any:
    """``np.tile(a, reps)`` (reps padded with 1s, or the shape with 1s, to the same length) and
    ``tf.tile(a, multiples)`` (one per axis). A multiple that is the length of a dynamic axis
    (``tf.tile(self.cls_token, (batch, 1, 1))``) gives that axis the model's None."""
    base = as_array(site.arg(0, "A" if site.name.startswith("numpy") else "input" if "tensorflow" in site.name
                             else "x"), tf=not site.name.startswith("numpy"))
    reps = site.arg(1, "reps" if site.name.startswith("numpy") else "multiples" if "tensorflow" in site.name
                    else "repeats")
    if isinstance(reps, ListValue):
        reps = tuple(reps.items)
    if isinstance(reps, int) and not isinstance(reps, bool):
        reps = (reps,)
    out = _out_type(site) if not site.name.startswith("numpy") else None
    if base is None or base.shape is None or not isinstance(reps, tuple) or site.star_args:
        return unknown(site.node, **({"type_": out} if out else {}))
    shape = tuple(base.shape)
    if not site.name.startswith("numpy") and len(reps) != len(shape):
        return unknown(site.node, type_=out or TENSOR)  # TensorFlow requires one multiple per axis
    width = max(len(shape), len(reps))
    shape = (1,) * (width - len(shape)) + shape
    reps = (1,) * (width - len(reps)) + reps
    dims: list[Any] = []
    dynamic: set[int] = set()
    for axis, (d, r) in enumerate(zip(shape, reps)):
        if is_dynamic_dim(r):
            dims.append(None)
            dynamic.add(axis)
        else:
            dims.append(d * r if isinstance(d, int) and _is_int(r) and r >= 0 else None)
    result = derive(base, site.node, tuple(dims), type_=out or base.type)
    if dynamic:
        result.data[DYNAMIC_AXES] = frozenset(dynamic)
    return result


@handles("numpy.ravel")
def _np_ravel(interp: Interpreter, site: CallSite) -> Any:
    base = _first_array(site, "a")
    if base is None:
        return unknown(site.node)
    return derive(base, site.node, (size_of(base.shape),), one_hot=None)


# labels -------------------------------------------------------------------------------------

@handles("keras.utils.to_categorical")
def _to_categorical(interp: Interpreter, site: CallSite) -> Any:
    base = as_array(site.arg(0, "x" if "y" not in site.kwargs else "y"))
    classes = site.arg(1, "num_classes", default=None)
    depth = classes if _is_int(classes) and classes > 0 else None
    dtype = dtype_name(site.kwargs["dtype"]) if "dtype" in site.kwargs else "float32" if (
        base is not None and base.type == TENSOR) else "float64"
    if base is None or base.shape is None:
        return make(site.node, None, dtype, one_hot=True, source=base.source if base else None)
    shape = base.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    result = make(site.node, (*shape, depth), dtype, type_=base.type, one_hot=True, source=base.source)
    if depth is not None:
        result.data[ONE_HOT_BY] = f"`{site.spelled.rsplit('.', 1)[-1]}` with num_classes={depth}"
    return result


@handles("tensorflow.one_hot", "keras.ops.one_hot")
def _tf_one_hot(interp: Interpreter, site: CallSite) -> Any:
    base = as_array(site.arg(0, "indices" if _is_tf(site) else "x"), tf=True)
    depth = site.arg(1, "depth" if _is_tf(site) else "num_classes", default=None)
    axis = site.arg(None, "axis", default=-1)
    dtype = _dtype_kw(site, None, "float32")
    if base is None or base.shape is None or axis is UNKNOWN:
        return make(site.node, None, dtype, type_=TENSOR, one_hot=True)
    shape = expand_dims(base.shape, axis)
    assert shape is not None
    position = _axis(axis, len(shape))
    shape = (*shape[:position], dim(depth), *shape[position + 1:])
    return make(site.node, shape, dtype, type_=TENSOR, one_hot=True if position == len(shape) - 1 else None,
                source=base.source)


# scaling helpers ----------------------------------------------------------------------------

@handles("tensorflow.image.per_image_standardization", "keras.utils.normalize")
def _standardised(interp: Interpreter, site: CallSite) -> Any:
    base = as_array(site.arg(0, "image" if _is_tf(site) else "x"), tf=_is_tf(site))
    if base is None:
        return unknown(site.node, type_=_out_type(site))
    dtype = "float32" if _is_tf(site) else base.dtype if _kind(base.dtype) == "f" else "float64"
    return derive(base, site.node, base.shape, dtype, type_=_out_type(site), scaled=True)


def _preprocess_input(interp: Interpreter, site: CallSite) -> Any:
    base = as_array(site.arg(0, "x"))
    if base is None:
        return unknown(site.node)
    dtype = base.dtype if _kind(base.dtype) == "f" else "float32" if base.dtype else None
    return derive(base, site.node, base.shape, dtype, scaled=True)


# sklearn ------------------------------------------------------------------------------------

def _split_sizes(n: int | None, test_size: Any, train_size: Any) -> tuple[int | None, int | None]:
    """sklearn's _validate_shuffle_split: (n_train, n_test)."""
    if test_size is None and train_size is None:
        test_size = 0.25
    if n is None or test_size is UNKNOWN or train_size is UNKNOWN:
        return None, None
    n_test = n_train = None
    if isinstance(test_size, float):
        n_test = math.ceil(test_size * n)
    elif _is_int(test_size):
        n_test = test_size
    if isinstance(train_size, float):
        n_train = math.floor(train_size * n)
    elif _is_int(train_size):
        n_train = train_size
    if n_train is None and n_test is not None:
        n_train = n - n_test
    elif n_test is None and n_train is not None:
        n_test = n - n_train
    if any(isinstance(size, float) and not 0 < size < 1 for size in (test_size, train_size)):
        return None, None  # sklearn raises
    if n_train is None or n_test is None or n_train <= 0 or n_test < 0 or n_train + n_test > n:
        return None, None  # sklearn raises (an empty train set, sizes beyond n)
    return n_train, n_test


@handles("sklearn.model_selection.train_test_split")
def _train_test_split(interp: Interpreter, site: CallSite) -> Any:
    if site.star_args:
        return NOT_MODELLED
    arrays = [as_array(value) for value in site.args]
    firsts = {a.shape[0] for a in arrays if a is not None and a.shape and a.shape[0] is not None}
    n = firsts.pop() if len(firsts) == 1 else None
    n_train, n_test = _split_sizes(n, site.kwargs.get("test_size"), site.kwargs.get("train_size"))
    results: list[Any] = []
    for array in arrays:
        if array is None:
            results.extend((UNKNOWN, UNKNOWN))
            continue
        for count in (n_train, n_test):
            shape = None if not array.shape else (count, *array.shape[1:])
            results.append(derive(array, site.node, shape))
    return tuple(results)


@handles("sklearn.utils.shuffle")
def _sk_shuffle(interp: Interpreter, site: CallSite) -> Any:
    if site.star_args or not site.args:
        return NOT_MODELLED
    n_samples = site.kwargs.get("n_samples")
    results = []
    for value in site.args:
        array = as_array(value)
        if array is None:
            results.append(UNKNOWN)
            continue
        shape = array.shape
        if shape and _is_int(n_samples):
            shape = (min(n_samples, shape[0]) if shape[0] is not None else None, *shape[1:])
        results.append(derive(array, site.node, shape))
    return results[0] if len(results) == 1 else tuple(results)


# reductions (as functions and methods) ---------------------------------------------------------

_REDUCTIONS = frozenset({"sum", "mean", "std", "var", "max", "min", "amax", "amin", "prod", "argmax", "argmin",
                         "median", "nanmean", "nanstd", "nansum", "nanmax", "nanmin", "any", "all", "ptp"})


def _reduction(site: CallSite, op: str, base: Array, arg_offset: int) -> Array:
    axis = site.arg(arg_offset, "axis", default=None)
    keepdims = site.kwargs.get("keepdims", False)
    if op in ("argmax", "argmin") and base.type == TENSOR and axis is None:
        axis = 0  # tf.argmax reduces axis 0 by default
    shape = reduce(base.shape, axis, keepdims)
    dtype = _dtype_kw(site, None, _reduce_dtype(op, base.dtype)) if op not in ("argmax", "argmin") else "int64"
    one_hot = False if op in ("argmax", "argmin") else None  # argmax of one-hot labels: class ids
    return derive(base, site.node, shape, dtype, one_hot=one_hot, scaled=None)


#: reductions computed on a literal sequence of ints (``np.prod(img_shape)``, the width of the
#: Dense that a generator reshapes into an image). The result is a NumPy (or TF) scalar, kept as
#: a 0-d array holding its number: Keras 3 refuses a NumPy integer as ``Dense(units)`` or
#: ``Embedding(input_dim)`` (ValueError, measured), so only ``int(...)`` makes it a size here.
_OF_INTS = {"sum": sum, "prod": math.prod, "max": max, "min": min}


def _function_reduction(interp: Interpreter, site: CallSite) -> Any:
    leaf = site.name.rsplit(".", 1)[-1]
    op = {"amax": "max", "amin": "min", "reduce_mean": "mean", "reduce_sum": "sum", "reduce_max": "max",
          "reduce_min": "min", "reduce_std": "std", "reduce_prod": "prod"}.get(leaf, leaf)
    given = site.arg(0, "a" if not _is_tf(site) else "input_tensor")
    if op in _OF_INTS and not isinstance(given, Array) and len(site.args) == 1 and not site.kwargs:
        ints = literal_ints(given)
        if isinstance(ints, tuple) and ints and all(isinstance(i, int) for i in ints):
            value = _OF_INTS[op](ints)
            return make(site.node, (), "int32" if _is_tf(site) else "int64", type_=_out_type(site),
                        data={"literal": value})
    base = as_array(given, tf=_is_tf(site))
    if base is None:
        return unknown(site.node, type_=_out_type(site))
    return _reduction(site, op, base, 1)


for _op in _REDUCTIONS:
    register(f"numpy.{_op}", _function_reduction)
for _op in ("reduce_mean", "reduce_sum", "reduce_max", "reduce_min", "reduce_std", "reduce_prod", "argmax", "argmin"):
    register(f"tensorflow.{_op}", _function_reduction)
    register(f"tensorflow.math.{_op}", _function_reduction)


_FLOAT_UFUNCS = frozenset({"log", "log1p", "log2", "log10", "exp", "expm1", "sqrt", "tanh", "sin", "cos"})
_KEEPING_UFUNCS = frozenset({"abs", "absolute", "floor", "ceil", "clip"})


def _elementwise(interp: Interpreter, site: CallSite) -> Any:
    """Unary element-wise functions (np.log, np.sqrt, np.abs, np.clip ...): same shape."""
    base = as_array(site.arg(0, "x" if not site.name.endswith("clip") else "a"))
    if base is None:
        return unknown(site.node)
    leaf = site.name.rsplit(".", 1)[-1]
    if leaf in _FLOAT_UFUNCS:
        return derive(base, site.node, base.shape, _float_result(base.dtype), scaled=None, one_hot=None)
    dtype = base.dtype if leaf != "clip" or _kind(base.dtype) != "b" else None
    return derive(base, site.node, base.shape, dtype)


for _op in _FLOAT_UFUNCS | _KEEPING_UFUNCS:
    register(f"numpy.{_op}", _elementwise)




def _pad_widths(value: Any, rank: int) -> list[tuple[int, int]] | None:
    """``pad_width`` as NumPy reads it: one int, one ``(before, after)`` pair for every axis, or a
    pair per axis (``tf.pad`` takes only the last form); None when not a literal of those."""
    def ints(v: Any) -> tuple[int, ...] | None:
        if isinstance(v, ListValue):
            v = tuple(v.items)
        if isinstance(v, int) and not isinstance(v, bool):
            return (v,)
        if isinstance(v, tuple) and all(isinstance(i, int) and not isinstance(i, bool) for i in v):
            return v
        return None

    flat = ints(value)
    if flat is not None:
        if len(flat) == 1:
            return [(flat[0], flat[0])] * rank
        return [(flat[0], flat[1])] * rank if len(flat) == 2 else None
    items = value.items if isinstance(value, ListValue) else value if isinstance(value, tuple) else None
    if items is None or len(items) != rank:
        return None
    pairs = [ints(item) for item in items]
    if any(p is None or len(p) not in (1, 2) for p in pairs):
        return None
    return [(p[0], p[-1]) for p in pairs]  # type: ignore[index]


@handles("numpy.pad", "tensorflow.pad", "keras.ops.pad")
def _pad(interp: Interpreter, site: CallSite) -> Any:
    """``np.pad(x, ((0, 0), (3, 3), (3, 3), (0, 0)))``, ``tf.pad``, ``keras.ops.pad`` (a custom
    reflection-padding layer): each axis grows by its padding; the mode does not change shapes."""
    base = site.arg(0, "array" if site.name.startswith("numpy.") else "tensor" if _is_tf(site) else "x")
    if not isinstance(base, Array) or base.shape is None:
        return NOT_MODELLED if not isinstance(base, Array) else derive(base, site.node, None)
    keyword = "paddings" if _is_tf(site) else "pad_width"
    given = site.arg(1, keyword)
    if isinstance(given, Array):
        # tf.pad(x, tf.constant([[0, 0], [3, 3], ...])): its literal, if kept. keras.ops.pad takes
        # only Python sizes: Keras 3 cannot build the layer from a tensor (len() of a symbolic tensor)
        given = given.data.get("literal", UNKNOWN) if site.name != "keras.ops.pad" else UNKNOWN
    widths = _pad_widths(given, len(base.shape))
    if widths is None or any(a < 0 or b < 0 for a, b in widths) or _is_tf(site) and not isinstance(
            given, (tuple, ListValue)):
        return derive(base, site.node, (None,) * len(base.shape))
    shape = tuple(None if d is None else d + a + b for d, (a, b) in zip(base.shape, widths))
    return derive(base, site.node, shape)
