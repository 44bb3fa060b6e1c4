"""scikit-learn preprocessing as scripts feed Keras with it: the scalers, LabelEncoder,
OneHotEncoder with known categories and PCA with an int ``n_components``.

A transformer is ``Obj("sklearn.preprocessing.<Class>", node, {...})``; ``fit``/``fit_transform``
record the array it was fitted on in ``data["fitted_on"]`` and the call in ``data["fitted_at"]``;
a scaler's output carries them in ``data[SCALED_BY]`` (KL208: a scaler fitted on the test data
that scales the training data). Every transform keeps the number of rows; the scalers keep the width and mark
the result scaled (KL206). A width sklearn decides from the data (OneHotEncoder without
``categories``, PCA without an int ``n_components``) stays unknown, and so does
OneHotEncoder's default sparse-matrix output (not an ndarray).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from keraslint.source.array_dtypes import _kind
from keraslint.source.array_registry import handles, register
from keraslint.source.array_shapes import _is_int
from keraslint.source.array_values import as_array, derive, make
from keraslint.source.values import NOT_MODELLED, Array, ListValue, Obj
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter

_PRE = "sklearn.preprocessing."
SCALERS = tuple(_PRE + name for name in (
    "StandardScaler", "MinMaxScaler", "RobustScaler", "MaxAbsScaler", "Normalizer", "QuantileTransformer",
    "PowerTransformer"))
LABEL_ENCODER = _PRE + "LabelEncoder"
ONE_HOT_ENCODER = _PRE + "OneHotEncoder"
PCA = "sklearn.decomposition.PCA"


def _new(site: CallSite, **data: Any) -> Obj:
    return Obj(site.name, site.node, {"fitted_on": None, "fitted_at": None, **data})


def _float_out(dtype: str | None) -> str | None:
    """sklearn's scalers and PCA keep float32/float64 input and give float64 for ints."""
    if dtype in ("float32", "float64"):
        return dtype
    if dtype is not None and _kind(dtype) in "iub":
        return "float64"
    return None


def _rows(array: Any) -> int | None:
    shape = array.shape if array is not None else None
    return shape[0] if shape else None


# -- the scalers -------------------------------------------------------------------------------

@handles(*SCALERS)
def _scaler(interp: Interpreter, site: CallSite) -> Any:
    return _new(site)


def _fit(interp: Interpreter, site: CallSite) -> Any:
    if site.receiver is None:
        return UNKNOWN  # the method called unbound, on no instance
    _fitted(site.receiver, as_array(site.arg(0, "X")), site)
    return site.receiver


def _fitted(transformer: Obj, x: Array | None, site: CallSite) -> None:
    transformer.data["fitted_on"] = x
    transformer.data["fitted_at"] = site.node


#: ``Array.data`` key on a scaler's output: ``Scaled(fitted_on, fitted_at, input)``, the array
#: the scaler was fitted on (None: not known), the fit call, and the array it transformed. KL208
#: reads it (a scaler fitted on the test data that transforms the training data).
SCALED_BY = "scaled_by"


class Scaled(NamedTuple):
    fitted_on: Array | None
    fitted_at: Any
    input: Array


def _scale(fits: bool) -> Any:
    def transform(interp: Interpreter, site: CallSite) -> Any:
        if site.receiver is None:
            return UNKNOWN  # the method called unbound, on no instance
        x = as_array(site.arg(0, "X"))
        if fits:
            _fitted(site.receiver, x, site)
        if x is None:
            return make(site.node, None, None, scaled=True)
        # sklearn accepts only 2-D data here: any other rank raises, so it is not modelled
        shape = x.shape if x.shape is not None and len(x.shape) == 2 else None
        result = derive(x, site.node, shape, _float_out(x.dtype), scaled=True, one_hot=None)
        result.data[SCALED_BY] = Scaled(site.receiver.data.get("fitted_on"), site.receiver.data.get("fitted_at"), x)
        return result

    return transform


for _cls in SCALERS:
    register(_cls + ".fit", _fit)
    register(_cls + ".fit_transform", _scale(True))
    register(_cls + ".transform", _scale(False))


# -- LabelEncoder --------------------------------------------------------------------------------

@handles(LABEL_ENCODER)
def _label_encoder(interp: Interpreter, site: CallSite) -> Any:
    return _new(site)


def _encode(fits: bool) -> Any:
    def encode(interp: Interpreter, site: CallSite) -> Any:
        if site.receiver is None:
            return UNKNOWN  # the method called unbound, on no instance
        y = as_array(site.arg(0, "y"))
        if fits:
            _fitted(site.receiver, y, site)
        # the class index of each label: (N,) int64, whatever the labels were
        n = _rows(y) if y is not None and y.shape is not None and len(y.shape) == 1 else None
        return make(site.node, (n,), "int64", one_hot=False, source=y.source if y is not None else None)

    return encode


register(LABEL_ENCODER + ".fit", _fit)
register(LABEL_ENCODER + ".fit_transform", _encode(True))
register(LABEL_ENCODER + ".transform", _encode(False))


# -- OneHotEncoder -------------------------------------------------------------------------------

@handles(ONE_HOT_ENCODER)
def _one_hot_encoder(interp: Interpreter, site: CallSite) -> Any:
    if site.star_args:
        return _new(site, width=None, dense=None)
    dense = _dense(site)
    return _new(site, width=_categories_width(site.arg(0, "categories", default="auto")), dense=dense)


def _dense(site: CallSite) -> bool | None:
    """``sparse_output=False`` (``sparse=False`` before sklearn 1.2) gives an ndarray; the
    default is a scipy sparse matrix."""
    for keyword in ("sparse_output", "sparse"):
        if keyword in site.kwargs:
            value = site.kwargs[keyword]
            return (not value) if isinstance(value, bool) else None
    return False


def _categories_width(categories: Any) -> int | None:
    """The one-hot width for ``categories=[[...], [...]]``: the sum of the list lengths."""
    if not isinstance(categories, (ListValue, tuple)):
        return None
    columns = categories.items if isinstance(categories, ListValue) else list(categories)
    width = 0
    for column in columns:
        if isinstance(column, ListValue):
            width += len(column.items)
        elif isinstance(column, tuple):
            width += len(column)
        else:
            return None
    return width


def _one_hot(fits: bool) -> Any:
    def encode(interp: Interpreter, site: CallSite) -> Any:
        encoder = site.receiver
        if encoder is None:
            return UNKNOWN  # the method called unbound, on no instance
        x = as_array(site.arg(0, "X"))
        if fits:
            _fitted(encoder, x, site)
        if encoder.data.get("dense") is not True:
            return NOT_MODELLED
        width = encoder.data.get("width")
        n = _rows(x) if x is not None and x.shape is not None and len(x.shape) == 2 else None
        return make(site.node, (n, width), "float64", one_hot=True, scaled=True,
                    source=x.source if x is not None else None)

    return encode


register(ONE_HOT_ENCODER + ".fit", _fit)
register(ONE_HOT_ENCODER + ".fit_transform", _one_hot(True))
register(ONE_HOT_ENCODER + ".transform", _one_hot(False))


# -- PCA -------------------------------------------------------------------------------------------

@handles(PCA)
def _pca(interp: Interpreter, site: CallSite) -> Any:
    n_components = site.arg(0, "n_components", default=None)
    width = n_components if _is_int(n_components) and not isinstance(n_components, bool) else None
    return _new(site, width=width)


def _project(fits: bool) -> Any:
    def project(interp: Interpreter, site: CallSite) -> Any:
        pca = site.receiver
        if pca is None:
            return UNKNOWN  # the method called unbound, on no instance
        x = as_array(site.arg(0, "X"))
        if fits:
            _fitted(pca, x, site)
        if x is None or x.shape is None or len(x.shape) != 2:
            return make(site.node, None, None)
        dtype = _float_out(x.dtype)
        if not fits:
            # the projection is computed in the fitted components' dtype as well
            fitted = pca.data.get("fitted_on")
            fitted_dtype = _float_out(fitted.dtype) if isinstance(fitted, Array) else None
            dtype = "float64" if "float64" in (dtype, fitted_dtype) else dtype if dtype == fitted_dtype else None
        return derive(x, site.node, (x.shape[0], pca.data.get("width")), dtype, one_hot=None)

    return project


register(PCA + ".fit", _fit)
register(PCA + ".fit_transform", _project(True))
register(PCA + ".transform", _project(False))
