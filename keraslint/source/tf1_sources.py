"""The TF1 tutorial loader ``input_data.read_data_sets(dir, one_hot=...)`` (tensorflow.examples
.tutorials.mnist): a ``Datasets(train, validation, test)`` namedtuple of ``DataSet`` objects with
``images``, ``labels``, ``num_examples`` and ``next_batch(n)``.

The loader's documented behaviour (TF 1.x ``mnist.py``; the module is not in TF 2, so no
oracle can run it): ``validation_size=5000`` rows of the 60000 training images go to
``validation``; images are ``(N, 784)`` float32 scaled to [0, 1] (``reshape=False``:
``(N, 28, 28, 1)``; ``dtype=tf.uint8``: raw uint8); labels are ``(N, 10)`` float64 one-hot with
``one_hot=True``, ``(N,)`` uint8 class indices otherwise. The objects are attribute bags of the
argparse-namespace kind (cli_args.py reads their attributes), so ``mnist.train.images`` needs
no new attribute hook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from keraslint.source.array_registry import handles, register
from keraslint.source.array_shapes import _is_int
from keraslint.source.array_values import make
from keraslint.source.cli_args import NAMESPACE
from keraslint.source.values import NOT_MODELLED, Array, Method, Obj, Ref

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter

_TRAIN_ROWS, _TEST_ROWS = 60000, 10000
_SOURCE = "input_data.read_data_sets(...)"


@handles("tensorflow.examples.tutorials.mnist.input_data.read_data_sets")
def _read_data_sets(interp: Interpreter, site: CallSite) -> Any:
    one_hot = site.arg(2, "one_hot", default=False)
    dtype = site.arg(3, "dtype", default=None)
    reshape = site.arg(4, "reshape", default=True)
    validation_size = site.arg(5, "validation_size", default=5000)
    if site.star_args or site.arg(1, "fake_data", default=False) is not False:
        return Obj(NAMESPACE, site.node, {"values": {}})
    raw = isinstance(dtype, Ref) and dtype.name.endswith("uint8")
    if dtype is not None and not raw and not (isinstance(dtype, Ref) and dtype.name.endswith("float32")):
        return Obj(NAMESPACE, site.node, {"values": {}})
    known_split = _is_int(validation_size) and not isinstance(validation_size, bool) \
        and 0 <= validation_size <= _TRAIN_ROWS
    rows = {"train": _TRAIN_ROWS - validation_size if known_split else None,
            "validation": validation_size if known_split else None, "test": _TEST_ROWS}
    parts = {}
    for split, n in rows.items():
        pixels = (784,) if reshape is True else (28, 28, 1) if reshape is False else None
        images = make(site.node, None if pixels is None else (n, *pixels), "uint8" if raw else "float32",
                      scaled=not raw, source=_SOURCE)
        if one_hot is True:
            labels: Array = make(site.node, (n, 10), "float64", one_hot=True, source=_SOURCE)
        elif one_hot is False:
            labels = make(site.node, (n,), "uint8", one_hot=False, source=_SOURCE)
        else:
            labels = make(site.node, None, None, source=_SOURCE)
        part = Obj(NAMESPACE, site.node, {"values": {
            "images": images, "labels": labels, "num_examples": n}, "mnist_split": True})
        # a namespace's attribute is its value: the method is one, called as NAMESPACE.next_batch
        part.data["values"]["next_batch"] = Method(part, "next_batch")
        parts[split] = part
    return Obj(NAMESPACE, site.node, {"values": parts})


def _next_batch(interp: Interpreter, site: CallSite) -> Any:
    """``mnist.train.next_batch(100)``: the next 100 rows of images and labels."""
    receiver = site.receiver
    if receiver is None or not receiver.data.get("mnist_split"):
        return NOT_MODELLED
    size = site.arg(0, "batch_size")
    n = size if _is_int(size) and not isinstance(size, bool) else None
    batch = []
    for key in ("images", "labels"):
        whole = receiver.data["values"][key]
        shape = None if whole.shape is None else (n, *whole.shape[1:])
        batch.append(make(site.node, shape, whole.dtype, scaled=whole.scaled, one_hot=whole.one_hot,
                          source=whole.source))
    return tuple(batch)


register(NAMESPACE + ".next_batch", _next_batch)
