"""scikit-learn's toy-data generators (``sklearn.datasets.make_moons`` ...): the shapes of the
arrays they return, from their arguments and documented defaults (scikit-learn 1.3+,
compared with scikit-learn itself in tests/source/test_sklearn_datasets.py).

Their samples are drawn, so only shapes and dtypes are known; a sample count given per class
(a tuple) adds up, any other non-literal argument leaves its axis unknown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from keraslint.source.array_registry import handles
from keraslint.source.array_shapes import dim
from keraslint.source.array_values import make
from keraslint.source.values import ListValue
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter


def _samples(value: Any) -> int | None:
    """``n_samples``: an int, or per-class counts (a tuple or list of ints) that add up."""
    if isinstance(value, ListValue):
        value = tuple(value.items)
    if isinstance(value, tuple):
        counts = [dim(v) for v in value]
        return None if any(c is None for c in counts) else sum(counts)  # type: ignore[misc]
    return dim(value)


def _pair(site: CallSite, n: int | None, features: int | None, targets: int | None = 1) -> tuple[Any, Any]:
    source = f"sklearn.datasets.{site.name.rsplit('.', 1)[-1]}"
    x = make(site.node, (n, features), "float64", source=source)
    y_shape = (n,) if targets == 1 else (n, targets)
    return x, make(site.node, y_shape, "float64" if "regression" in source else "int64", source=source)


@handles("sklearn.datasets.make_moons", "sklearn.datasets.make_circles")
def _two_features(interp: Interpreter, site: CallSite) -> Any:
    return _pair(site, _samples(site.arg(0, "n_samples", default=100)), 2)


@handles("sklearn.datasets.make_blobs")
def _blobs(interp: Interpreter, site: CallSite) -> Any:
    features = dim(site.arg(1, "n_features", default=2))
    samples = site.arg(0, "n_samples", default=100)
    pair = _pair(site, _samples(samples), features)
    centers = site.arg(None, "centers", default=None)
    per_class = samples.items if isinstance(samples, ListValue) else samples if isinstance(samples, tuple) else None
    # sklearn: 3 centers by default, one per count when counts are given
    count = dim(centers) if centers is not None else 3 if dim(samples) is not None else \
        len(per_class) if per_class is not None else None
    return _with_extra(site, pair, "return_centers", (count, features))


@handles("sklearn.datasets.make_classification")
def _classification(interp: Interpreter, site: CallSite) -> Any:
    return _pair(site, dim(site.arg(0, "n_samples", default=100)), dim(site.arg(1, "n_features", default=20)))


@handles("sklearn.datasets.make_regression")
def _regression(interp: Interpreter, site: CallSite) -> Any:
    targets = site.arg(None, "n_targets", default=1)
    features = dim(site.arg(1, "n_features", default=100))
    targets = targets if dim(targets) is not None else None
    pair = _pair(site, dim(site.arg(0, "n_samples", default=100)), features, targets)
    return _with_extra(site, pair, "coef", (features,) if targets == 1 else (features, targets))


def _with_extra(site: CallSite, pair: tuple[Any, Any], flag: str, shape: tuple) -> Any:
    """``(X, y)``, or ``(X, y, extra)`` when ``flag=True`` asks for the centers or coefficients;
    unknown when the flag is not a literal."""
    wanted = site.arg(None, flag, default=False)
    if wanted is False:
        return pair
    if wanted is True:
        return (*pair, make(site.node, shape, "float64"))
    return UNKNOWN
