"""Arrays of new data: NumPy's random draws (module functions and Generator/RandomState
methods), TensorFlow's random tensors, and arrays read from files (np.load, loadtxt).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from keraslint.source.array_dtypes import _kind, dtype_name
from keraslint.source.array_registry import Handler, _dtype_kw, _size_shape, handles
from keraslint.source.array_shapes import _is_int, _is_number, broadcast, shape_arg
from keraslint.source.array_values import TENSOR, as_array, derive, make, unknown
from keraslint.source.values import NOT_MODELLED, VALUE_RANGE
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter


# numpy.random -----------------------------------------------------------------------------

@handles("numpy.random.rand", "numpy.random.randn")
def _rand(interp: Interpreter, site: CallSite) -> Any:
    if site.star_args:
        return unknown(site.node, dtype="float64")
    return make(site.node, shape_arg(tuple(site.args)) if site.args else (), "float64")


def _sized(size_position: int, dtype: str | None = "float64", params: tuple[int, ...] = (),
           names: tuple[str, ...] = ()) -> Handler:
    """Draws with a ``size`` argument; without it, the broadcast shape of the parameters."""

    def draw(interp: Interpreter, site: CallSite) -> Any:
        size = site.arg(size_position, "size", default=None)
        if size is None:
            shape: tuple | None = ()
            for position, name in zip(params, names):
                param = site.arg(position, name, default=None)
                if param is not None and not _is_number(param):
                    shape = broadcast(shape, (as_array(param) or unknown(None)).shape)
        else:
            shape = shape_arg(size)
        return make(site.node, shape, _dtype_kw(site, None, dtype))

    return draw


handles("numpy.random.random", "numpy.random.random_sample", "numpy.random.sample", "numpy.random.ranf")(_sized(0))
handles("numpy.random.normal", "numpy.random.uniform", "numpy.random.logistic", "numpy.random.laplace",
          "numpy.random.gumbel")(_sized(2, params=(0, 1), names=("loc", "scale")))
handles("numpy.random.standard_normal", "numpy.random.standard_cauchy")(_sized(0))
handles("numpy.random.exponential", "numpy.random.rayleigh")(_sized(1, params=(0,), names=("scale",)))
handles("numpy.random.beta")(_sized(2, params=(0, 1), names=("a", "b")))
handles("numpy.random.gamma")(_sized(2, params=(0, 1), names=("shape", "scale")))
handles("numpy.random.lognormal")(_sized(2, params=(0, 1), names=("mean", "sigma")))


@handles("numpy.random.randint", "numpy.random.random_integers")
def _randint(interp: Interpreter, site: CallSite) -> Any:
    shape = _size_shape(site.arg(2, "size", default=None))
    dtype = _dtype_kw(site, 3, "int64")
    result = make(site.node, shape, dtype, one_hot=False)
    low, high = site.arg(0, "low", default=None), site.arg(1, "high", default=None)
    if site.name == "numpy.random.randint" and not site.star_args and _is_int(low) and (high is None or _is_int(high)):
        bounds = (0, low) if high is None else (low, high)  # randint(5) draws from [0, 5)
        if 0 <= bounds[0] < bounds[1]:
            result.data[VALUE_RANGE] = bounds
    return result


@handles("numpy.random.binomial", "numpy.random.poisson")
def _counts(interp: Interpreter, site: CallSite) -> Any:
    position = 2 if site.name.endswith("binomial") else 1
    return make(site.node, _size_shape(site.arg(position, "size", default=None)), "int64")


@handles("numpy.random.choice")
def _choice(interp: Interpreter, site: CallSite) -> Any:
    population = site.arg(0, "a")
    shape = _size_shape(site.arg(1, "size", default=None))
    if _is_int(population):
        return make(site.node, shape, "int64", one_hot=False)
    pool = as_array(population)
    if pool is None:
        return make(site.node, shape, None)
    dtype = pool.dtype
    return make(site.node, shape, dtype, one_hot=False if _kind(dtype) in "iu" else None, source=pool.source,
                scaled=pool.scaled)


@handles("numpy.random.permutation")
def _permutation(interp: Interpreter, site: CallSite) -> Any:
    value = site.arg(0, "x")
    if _is_int(value):
        return make(site.node, (value,), "int64")
    base = as_array(value)
    if base is None:
        return unknown(site.node)
    return derive(base, site.node, base.shape)


# random tensors -----------------------------------------------------------------------------

def _tf_random(default: str, dtype_position: int) -> Handler:
    def draw(interp: Interpreter, site: CallSite) -> Any:
        shape = shape_arg(site.arg(0, "shape"))
        return make(site.node, shape, _dtype_kw(site, dtype_position, default), type_=TENSOR)

    return draw


handles("tensorflow.random.normal", "tensorflow.random_normal", "tensorflow.random.truncated_normal",
          "tensorflow.truncated_normal")(_tf_random("float32", 3))
handles("tensorflow.random.uniform", "tensorflow.random_uniform")(_tf_random("float32", 3))


# np.load ------------------------------------------------------------------------------------

@handles("numpy.load")
def _np_load(interp: Interpreter, site: CallSite) -> Any:
    from keraslint.source import npy

    path = site.arg(0, "file")
    if not isinstance(path, str):
        return UNKNOWN  # could be an .npz archive as well as an array
    source = f"np.load({path!r})"
    if path.lower().endswith(".npz"):
        return UNKNOWN
    header = npy.read_header(getattr(interp, "script_dir", None), path)
    if header is None:
        return unknown(site.node, source=source)
    shape, dtype = header
    return make(site.node, shape, dtype, source=source)


@handles("numpy.loadtxt", "numpy.genfromtxt")
def _np_text(interp: Interpreter, site: CallSite) -> Any:
    """A text file's table: its shape is the file's (never read), so unknown, but the array
    says where it came from; loadtxt/genfromtxt give float64 unless told otherwise."""
    path = site.arg(0, "fname")
    leaf = site.name.rsplit(".", 1)[-1]
    source = f"np.{leaf}({path!r})" if isinstance(path, str) else f"np.{leaf}(...)"
    dtype_value = site.arg(1, "dtype", default=float)
    dtype = None if site.star_args or dtype_value is None else "float64" if dtype_value is float \
        else dtype_name(dtype_value)
    if site.has(None, "unpack") or site.has(None, "converters"):
        return UNKNOWN  # a tuple of columns, or values of any type
    return unknown(site.node, dtype=dtype, source=source)


# numpy.random.Generator / RandomState methods -------------------------------------------------------

def _generator_call(interp: Interpreter, site: CallSite) -> Any:
    method = site.name.rsplit(".", 1)[-1]
    size_positions = {"random": 0, "random_sample": 0, "standard_normal": 0, "normal": 2, "uniform": 2,
                      "integers": 2, "randint": 2, "exponential": 1, "choice": 1, "binomial": 2, "poisson": 1}
    if method in ("rand", "randn"):
        return _rand(interp, site)
    if method == "permutation":
        return _permutation(interp, site)
    if method == "choice":
        return _choice(interp, site)
    if method not in size_positions:
        return NOT_MODELLED
    size = site.arg(size_positions[method], "size", default=None)
    shape = _size_shape(size)
    if method in ("integers", "randint"):
        return make(site.node, shape, _dtype_kw(site, 3, "int64"), one_hot=False)
    if method in ("binomial", "poisson"):
        return make(site.node, shape, "int64")
    return make(site.node, shape, _dtype_kw(site, None, "float64"))
