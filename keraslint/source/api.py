"""What calls into Keras, TensorFlow, NumPy and friends return, as abstract values.

The interpreter asks this module for the result of every external call; anything not
modelled here is UNKNOWN. Types of the objects we follow are canonical dotted names, so a
method call on them is an API call named ``<type>.<method>`` (``keras.Model.fit``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from keraslint.ir.graph import Layer
from keraslint.source import (
    arrays,
    cli_args,
    config_files,
    containers,
    fed_data,
    keras_data_sources,
    label_values,
    model_parts,
    models,
    pandas_sources,
    python_builtins,
    subclass,
    tensor_ops,
    tf_data,
    tfds_sources,
    training,
)
from keraslint.source.modules import ModuleValue
from keraslint.source.names import layer_kind
from keraslint.source.limits import MAX_UNROLL
from keraslint.source.values import NOT_MODELLED, Array, ListValue, Method, Obj
from keraslint.values import UNKNOWN
from keraslint.vocabulary import REMOVED_LAYERS

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter

MODEL = models.MODEL
LAYER = models.LAYER
TENSOR = models.TENSOR
DATASET = "tensorflow.data.Dataset"
NP_GENERATOR = "numpy.random.Generator"
PY_RANDOM = "random.Random"
TF_GENERATOR = "tensorflow.random.Generator"
IMAGE_DATA_GENERATOR = "keras.preprocessing.image.ImageDataGenerator"
IMAGE_ITERATOR = "keras.preprocessing.image.Iterator"

MODEL_CONSTRUCTORS = frozenset({"keras.Sequential", "keras.Model", "keras.models.clone_model",
                                "keras.models.model_from_json", "keras.Model#subclass",
                                "keras.Sequential#subclass"})
TRAINING_METHODS = frozenset({"fit", "fit_generator", "train_on_batch"})

# tf.data sources and methods are modelled in tf_data.py, keras.datasets, the keras.utils
# dataset builders and ImageDataGenerator flows in keras_data_sources.py, tensorflow_datasets in
# tfds_sources.py.


def is_layer_constructor(name: str) -> bool:
    """``keras.layers.Conv1D`` and friends, including legacy and removed layer classes."""
    if not name.startswith("keras.layers."):
        return False
    leaf = name[len("keras.layers."):]
    return layer_kind(name) is not None or leaf in REMOVED_LAYERS or name == "keras.layers.Layer#subclass"


def _seeded(value: Any) -> bool | None:
    if value is UNKNOWN:
        return None
    return value is not None


def _new(type_: str, **data: Any) -> Callable[[Interpreter, CallSite], Any]:
    return lambda interp, site: Obj(type_, site.node, dict(data))


def _range(interp: Interpreter, site: CallSite) -> Any:
    args = site.args
    if site.kwargs or not args or not all(isinstance(a, int) and not isinstance(a, bool) for a in args):
        return UNKNOWN
    try:
        r = range(*args)
    except (TypeError, ValueError):
        return UNKNOWN
    return tuple(r) if len(r) <= 10_000 else UNKNOWN


def _len(interp: Interpreter, site: CallSite) -> Any:
    value = site.arg(0)
    if isinstance(value, (tuple, str)):
        return len(value)
    if isinstance(value, ListValue):
        return len(value.items)
    if (keys := python_builtins.dict_keys(value)) is not None:
        return len(keys)
    return UNKNOWN


def _convert(kind: type) -> Callable[[Interpreter, CallSite], Any]:
    def convert(interp: Interpreter, site: CallSite) -> Any:
        if len(site.args) != 1 or site.kwargs:
            return UNKNOWN
        value = site.args[0]
        if isinstance(value, ListValue):
            value = tuple(value.items)
        if kind in (tuple, list):
            items = interp.sequence_items(value)
            if items is None:
                items = _rows(interp, value)
            if items is None:
                return UNKNOWN
            return tuple(items) if kind is tuple else ListValue(list(items))
        if isinstance(value, Array) and value.shape == () and type(value.data.get("literal")) in (int, float) \
                and kind in (int, float):
            value = value.data["literal"]  # int(np.prod(shape)): a 0-d array whose number is known
        if isinstance(value, (int, float, str, bool)):
            try:
                return kind(value)
            except (TypeError, ValueError):
                return UNKNOWN
        return UNKNOWN

    return convert


def _rows(interp: Interpreter, value: Any) -> list[Any] | None:
    """``list(np.swapaxes(bags, 0, 1))``: the rows of an array whose first axis is known and
    short (each a row as ``x[i]`` gives it); None otherwise."""
    if not isinstance(value, Array) or not value.shape or type(value.shape[0]) is not int \
            or not 0 <= value.shape[0] <= MAX_UNROLL:
        return None
    return [subscript(interp, value, [i]) for i in range(value.shape[0])]


def _dict(interp: Interpreter, site: CallSite) -> Any:
    """``dict(units=64, ...)``, ``dict(base, key=...)`` and ``dict([(name, value), ...])``: a dict
    with string keys (a config, a model's named outputs)."""
    if site.star_args or len(site.args) > 1:
        return UNKNOWN
    base = site.args[0] if site.args else {}
    if not isinstance(base, dict):
        pairs = interp.sequence_items(base)
        if pairs is None or not all(isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) for p in pairs):
            return UNKNOWN
        base = dict(pairs)
    return {**base, **site.kwargs}


def _seeded_generator(type_: str, position: int, keyword: str) -> Callable[[Interpreter, CallSite], Any]:
    def make(interp: Interpreter, site: CallSite) -> Any:
        seed = site.arg(position, keyword, default=None)
        return Obj(type_, site.node, {"seeded": _seeded(seed)})

    return make


def _environ_get(interp: Interpreter, site: CallSite) -> Any:
    """``os.environ.get("EPOCHS", 10)``: a numeric default, as the script runs with nothing set.
    Other defaults stay unknown: a string or flag default (``"0"``, ``""``) usually switches
    something (a seed, determinism) that the environment is meant to turn on."""
    if len(site.args) == 2 and not site.kwargs and type(site.args[1]) in (int, float):
        return site.args[1]
    return UNKNOWN


def _progress_bar(interp: Interpreter, site: CallSite) -> Any:
    """``tqdm(models)``: a progress bar that yields the same items, so a loop over it is a loop
    over the list (anything else about it is unknown)."""
    items = site.arg(0, "iterable", default=None)
    return items if isinstance(items, (ListValue, tuple)) else UNKNOWN


def _setattr(interp: Interpreter, site: CallSite) -> Any:
    """``setattr(config, "NUM_CLASSES", 4)``: the attribute store it is. With a name that is not
    known, every value a project module or script object holds may have changed: unknown."""
    if len(site.args) != 3 or site.kwargs:
        return UNKNOWN
    owner, name, value = site.args
    if isinstance(name, str):
        interp.set_attribute(owner, name, value)
    elif isinstance(owner, ModuleValue) and interp.loader is not None:
        frame = interp.loader.run(interp, owner)
        for known in list(frame.vars) if frame is not None else ():
            if not known.startswith("__"):
                interp.write_outside(frame, known, UNKNOWN)
    elif isinstance(owner, Obj) and isinstance(owner.data.get("attrs"), dict):
        for known in list(owner.data["attrs"]):
            owner.data["attrs"][known] = UNKNOWN
    return None


_CALLS: dict[str, Callable[[Interpreter, CallSite], Any]] = {
    "builtins.setattr": _setattr,
    "builtins.range": _range,
    "builtins.len": _len,
    "builtins.int": _convert(int),
    "builtins.float": _convert(float),
    "builtins.str": _convert(str),
    "builtins.bool": _convert(bool),
    "builtins.tuple": _convert(tuple),
    "builtins.list": _convert(list),
    "builtins.dict": _dict,
    "builtins.zip": lambda interp, site: _iterator(interp, site),
    "builtins.enumerate": lambda interp, site: _iterator(interp, site),
    "keras.models.load_model": _new(MODEL, loaded=True),
    "numpy.random.default_rng": _seeded_generator(NP_GENERATOR, 0, "seed"),
    "numpy.random.RandomState": _seeded_generator(NP_GENERATOR, 0, "seed"),
    "random.Random": _seeded_generator(PY_RANDOM, 0, "x"),
    "tensorflow.random.Generator.from_seed": _seeded_generator(TF_GENERATOR, 0, "seed"),
    "tensorflow.random.Generator.from_non_deterministic_state": _new(TF_GENERATOR, seeded=False),
    "tensorflow.random.get_global_generator": _new(TF_GENERATOR, seeded=None),
    "os.environ.get": _environ_get,
    "tqdm.tqdm": _progress_bar,
    "tqdm.auto.tqdm": _progress_bar,
    "tqdm.notebook.tqdm": _progress_bar,
    "os.getenv": _environ_get,
}
for _name in MODEL_CONSTRUCTORS - {"keras.Sequential", "keras.Model"}:
    # Clones and models from JSON get new weights (KL101 says so); a subclass instance may as
    # well wrap a pretrained network (style transfer): unknown here, and subclass.py decides
    # once it has run the instance's __init__.
    _CALLS[_name] = _new(MODEL, fresh=_name.startswith("keras.models."))


def call(interp: Interpreter, site: CallSite) -> Any:
    """The abstract result of one external call."""
    # The specialised modules first (models, arrays, data pipelines), then the generic table.
    if site.receiver is not None:
        subclass.fed(interp, site)
        models.fed(site)
        pandas_sources.mutated(interp, site)
    for semantics in (models, training, arrays, tf_data, keras_data_sources, tfds_sources, cli_args,
                      config_files):
        result = semantics.call(interp, site)
        if result is not NOT_MODELLED:
            label_values.after_call(site, result)
            return result
    if (result := python_builtins.call(interp, site)) is not NOT_MODELLED:
        return result
    handler = _CALLS.get(site.name)
    if handler is not None:
        return handler(interp, site)
    if is_layer_constructor(site.name):  # removed layers (Merge ...) and Layer subclasses
        name = site.kwargs.get("name")  # what get_layer finds it by
        return Obj(LAYER, site.node, {"layer": Layer(kind="Opaque", config={}, node=site.node, pretrained=None,
                                                      spelled=site.spelled.rsplit(".", 1)[-1],
                                                      name=name if isinstance(name, str) else None)})
    return UNKNOWN


def attribute(interp: Interpreter, obj: Obj, name: str) -> Any:
    """``obj.name``: a method to call later, unless it is a modelled attribute."""
    if obj.type == TENSOR and name == "shape" and (dims := tensor_ops.static_dims(obj)) is not None:
        return dims
    if obj.type == MODEL and name in ("input", "inputs", "output", "outputs", "layers"):
        value = model_parts.layers_of(obj) if name == "layers" else model_parts.attribute(obj, name)
        # not followed: the attribute itself, so that a model built on it can say why
        return Method(obj, name) if value is NOT_MODELLED else value
    if obj.type == LAYER and name == "name":
        return model_parts.layer_name(obj)
    if obj.type == LAYER and name in ("output", "input"):
        # the tensors of its one application so far (so `out, h, c = lstm.output` unpacks); else
        # the attribute itself, for a model built on it to say why it is not a tensor
        value = model_parts.layer_attribute(Method(obj, name))
        return Method(obj, name) if value is NOT_MODELLED else value
    if isinstance(obj, Array):
        value = arrays.attribute(interp, obj, name)
        if value is not NOT_MODELLED:
            return value
    for semantics in (cli_args, config_files, tfds_sources, pandas_sources):
        value = semantics.attribute(obj, name)
        if value is not NOT_MODELLED:
            return value
    return Method(obj, name)


def subscript(interp: Interpreter, base: Any, indices: list[Any], node: Any = None) -> Any:
    if (tensor := tensor_ops.subscript(base, indices, node)) is not NOT_MODELLED:  # x[:, 0] on a Keras tensor
        return tensor
    if (frame := pandas_sources.subscript(base, indices, node)) is not NOT_MODELLED:  # df["a"], df.iloc[:, :3]
        return frame
    if isinstance(base, Array):
        value = arrays.subscript(interp, base, indices, node)
        label_values.after_subscript(base, value)
        return UNKNOWN if value is NOT_MODELLED else value
    if len(indices) != 1:
        return UNKNOWN
    index = indices[0]
    if isinstance(base, ListValue):
        base = tuple(base.items)
    if isinstance(base, (tuple, str)):
        if isinstance(index, int) and not isinstance(index, bool):
            return base[index] if -len(base) <= index < len(base) else UNKNOWN
        if isinstance(index, slice):
            parts = (index.start, index.stop, index.step)
            if all(p is None or (isinstance(p, int) and not isinstance(p, bool)) for p in parts):
                return base[slice(*parts)]
    if isinstance(base, dict):
        return containers.lookup(base, index)  # config dicts: CONFIG["units"]
    return UNKNOWN


def binary_op(interp: Interpreter, op: Any, left: Any, right: Any, node: Any = None) -> Any:
    if (joined := python_builtins.binary_op(op, left, right)) is not NOT_MODELLED:  # FEATURES + [...]
        return joined
    if (tensor := tensor_ops.binary_op(op, left, right, node)) is not NOT_MODELLED:  # a + b on Keras tensors
        return tensor
    value = config_files.binary_op(op, left, right)
    if value is not NOT_MODELLED:
        return value
    value = arrays.binary_op(interp, op, left, right, node)
    label_values.after_binary(op, left, right, value)
    return UNKNOWN if value is NOT_MODELLED else value


def unary_op(interp: Interpreter, op: str, value: Any, node: Any = None) -> Any:
    if (tensor := tensor_ops.unary_op(op, value, node)) is not NOT_MODELLED:  # -x on a Keras tensor
        return tensor
    result = arrays.unary_op(interp, op, value, node)
    label_values.after_unary(op, value, result)
    return UNKNOWN if result is NOT_MODELLED else result


def compare(interp: Interpreter, op: Any, left: Any, right: Any, node: Any = None) -> Any:
    result = arrays.compare(interp, op, left, right, node)
    return UNKNOWN if result is NOT_MODELLED else result


_ITERATORS = ("builtins.zip", "builtins.enumerate")


def element_of(interp: Interpreter, value: Any) -> Any:
    """One item of ``for item in value`` when the items are not known one by one: a row of an
    array (``for row in X``), a tuple of rows for ``zip(X, Y)``, ``(i, row)`` for ``enumerate``,
    a batch of a dataset."""
    if isinstance(value, Array) and value.shape:
        return subscript(interp, value, [0])
    if isinstance(value, Obj) and value.type == "builtins.zip":
        return tuple(element_of(interp, part) for part in value.data["of"])
    if isinstance(value, Obj) and value.type == "builtins.enumerate":
        return (UNKNOWN, element_of(interp, value.data["of"][0]))
    if (step := python_builtins.element(interp, value)) is not NOT_MODELLED:  # a generator, iter(...)
        return step
    return fed_data.iteration_element(value)  # `for x, y in train_ds`: a batch


def _iterator(interp: Interpreter, site: CallSite) -> Any:
    """``zip(X, Y)`` / ``enumerate(X)`` over arrays: what a loop over them binds (element_of)."""
    if site.kwargs or site.star_args or not site.args or site.name == "builtins.enumerate" and len(site.args) != 1:
        return UNKNOWN
    if not all(isinstance(a, Array) or isinstance(a, Obj) and a.type in _ITERATORS for a in site.args):
        return UNKNOWN
    return Obj(site.name, site.node, {"of": list(site.args)})


def sequence_items(interp: Interpreter, value: Any) -> list[Any] | None:
    """``[x for x in np.linspace(...)]``: the elements of a 1-d array whose values are known (a
    loop over any other array binds one row, element_of)."""
    if isinstance(value, Array) and value.shape is not None and len(value.shape) == 1 \
            and isinstance(value.data.get("literal"), tuple) and len(value.data["literal"]) == value.shape[0]:
        return [subscript(interp, value, [i]) for i in range(value.shape[0])]
    return None
