"""``tensorflow_datasets``: what ``tfds.load(...)`` and ``tfds.builder(name).as_dataset(...)``
return, for the datasets of ``tfds_catalog``.

A split gives a tf.data dataset (the ``tf_data.DATASET`` object) whose element is the dict of
features, or the ``(inputs, target)`` pair of the supervised keys with ``as_supervised=True``;
``batch_size=`` batches it. A list or tuple of splits gives a list or tuple of datasets, no
split a dict of every split; ``with_info=True`` pairs the result with a ``DatasetInfo`` whose
``features[...]`` (``num_classes``, ``shape``) and ``splits[...]`` (``num_examples``) are read
from the catalog. A dataset not in the catalog, a split that cannot be read, or an argument
that changes what is decoded (``decoders=``, ``read_config=``, ``builder_kwargs=``) leaves the
call to the generic table: unknown.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from keraslint.source.array_values import TENSOR, make
from keraslint.source.tf_data import dataset
from keraslint.source.tfds_catalog import Feature, Spec, lookup
from keraslint.source.values import NOT_MODELLED, Array, ListValue, Obj, Ref
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter

BUILDER = "tensorflow_datasets.core.DatasetBuilder"
INFO = "tensorflow_datasets.core.DatasetInfo"
FEATURE = "tensorflow_datasets.features.FeatureConnector"
SPLIT_INFO = "tensorflow_datasets.core.SplitInfo"

# Arguments whose value changes the element's structure (a decoder skipping the image decode,
# ReadConfig(add_tfds_id=True), another config or version through the builder's kwargs).
_RESHAPING = ("decoders", "read_config", "builder_kwargs", "as_dataset_kwargs")

# name[slice] parts joined by "+": "train", "train[:80%]", "train[10:-10]", "train+test"
_SPLIT_PART = re.compile(r"([A-Za-z][\w-]*)(\[\s*(-?\d+%?)?\s*:\s*(-?\d+%?)?\s*\])?")
_SPLIT_CONSTANTS = {"TRAIN": "train", "TEST": "test", "VALIDATION": "validation", "ALL": "all"}


def _feature_value(node: Any, feature: Feature, source: str) -> Array:
    if feature.kind == "image":  # decoded pixels, 0-255
        return make(node, feature.shape, feature.dtype, type_=TENSOR, scaled=False, source=source)
    if feature.kind == "class_label":  # an integer class id
        return make(node, feature.shape, feature.dtype, type_=TENSOR, one_hot=False, source=source)
    return make(node, feature.shape, feature.dtype, type_=TENSOR, source=source)


def _element(node: Any, spec: Spec, supervised: bool, source: str) -> Any:
    if not supervised:
        return {name: _feature_value(node, f, source) for name, f in spec.features.items()}
    if spec.supervised is None:
        return UNKNOWN  # TFDS raises: the dataset has no supervised keys
    inputs, target = spec.supervised

    def value(key: Any) -> Any:
        if isinstance(key, dict):
            return {k: value(v) for k, v in key.items()}
        return _feature_value(node, spec.features[key], source)

    return value(inputs), value(target)


def _split_name(split: Any) -> str | None:
    if isinstance(split, Ref) and split.name.startswith("tensorflow_datasets.Split."):
        return _SPLIT_CONSTANTS.get(split.name.rsplit(".", 1)[-1])
    return split if isinstance(split, str) else None


def _readable(split: Any, spec: Spec) -> bool:
    """A split TFDS accepts for this dataset: every part names one of its splits."""
    name = _split_name(split)
    if name is None:
        return False
    for part in name.split("+"):
        match = _SPLIT_PART.fullmatch(part.strip())
        if match is None or (match.group(1) not in spec.splits and match.group(1) != "all"):
            return False
    return True


def _as_flag(value: Any) -> bool | None:
    """A literal's truth, as TFDS's ``if as_supervised:`` reads it (``"true"`` is true)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return bool(value)
    return None


def _datasets(site: CallSite, spec: Spec, name: str, split: Any, supervised: Any, batch_size: Any) -> Any:
    """One dataset per split, in the structure of ``split``."""
    flag = _as_flag(supervised)
    source = f"tfds.load({name!r})"
    element = UNKNOWN if flag is None else _element(site.node, spec, flag, source)

    def one() -> Obj:
        if batch_size is None:
            return dataset(site.node, element, batched=False)
        if isinstance(batch_size, int) and not isinstance(batch_size, bool) and batch_size > 0:
            return dataset(site.node, element, batched=True, batch=batch_size)
        if batch_size == -1:  # the whole split as one batch
            return dataset(site.node, element, batched=True, batch=UNKNOWN)
        return dataset(site.node, UNKNOWN, batched=None)

    if split is None:
        return {s: one() for s in spec.splits}
    if isinstance(split, (tuple, ListValue)):
        parts = tuple(split) if isinstance(split, tuple) else tuple(split.items)
        if not parts or not all(_readable(p, spec) for p in parts):
            return UNKNOWN
        return tuple(one() for _ in parts) if isinstance(split, tuple) else ListValue([one() for _ in parts])
    return one() if _readable(split, spec) else UNKNOWN


def _reshaped(site: CallSite) -> bool:
    return site.star_args or any(site.arg(None, k, default=None) is not None for k in _RESHAPING)


def _load(site: CallSite) -> Any:
    name = site.arg(0, "name")
    spec = lookup(name) if isinstance(name, str) else None
    if spec is None or _reshaped(site) or len(site.args) > 1:  # the rest is keyword-only: TFDS raises
        return NOT_MODELLED
    result = _datasets(site, spec, name, site.arg(None, "split", default=None),
                       site.arg(None, "as_supervised", default=False), site.arg(None, "batch_size", default=None))
    with_info = _as_flag(site.arg(None, "with_info", default=False))
    if with_info is None:
        return NOT_MODELLED
    return (result, Obj(INFO, site.node, {"spec": spec, "name": name})) if with_info else result


def _builder(site: CallSite) -> Any:
    name = site.arg(0, "name")
    spec = lookup(name) if isinstance(name, str) else None
    if spec is None or site.star_args or set(site.kwargs) - {"name", "data_dir", "try_gcs"}:
        return NOT_MODELLED  # config=/version= keywords pick another spec
    return Obj(BUILDER, site.node, {"spec": spec, "name": name})


def _as_dataset(site: CallSite, builder: Obj) -> Any:
    if _reshaped(site) or len(site.args) > 1:
        return NOT_MODELLED
    return _datasets(site, builder.data["spec"], builder.data["name"], site.arg(0, "split", default=None),
                     site.arg(None, "as_supervised", default=False), site.arg(None, "batch_size", default=None))


def call(interp: Interpreter, site: CallSite) -> Any:
    """``tfds.load``, ``tfds.builder`` and the builder's ``as_dataset``; NOT_MODELLED otherwise."""
    receiver = site.receiver
    if receiver is not None:
        if receiver.type == BUILDER and site.name.endswith(".as_dataset"):
            return _as_dataset(site, receiver)
        return NOT_MODELLED
    if site.name == "tensorflow_datasets.load":
        return _load(site)
    if site.name == "tensorflow_datasets.builder":
        return _builder(site)
    return NOT_MODELLED


def attribute(obj: Obj, name: str) -> Any:
    """``info.features["label"].num_classes``, ``info.splits["train"].num_examples``,
    ``builder.info``; NOT_MODELLED for anything else."""
    if obj.type == BUILDER and name == "info":
        return Obj(INFO, obj.node, dict(obj.data))
    if obj.type == INFO:
        spec: Spec = obj.data["spec"]
        if name == "features":
            return {k: Obj(FEATURE, obj.node, {"feature": f}) for k, f in spec.features.items()}
        if name == "splits":
            return {k: Obj(SPLIT_INFO, obj.node, {"num_examples": n}) for k, n in spec.splits.items()}
        if name == "supervised_keys":
            return spec.supervised
        return NOT_MODELLED
    if obj.type == FEATURE:
        feature: Feature = obj.data["feature"]
        if name == "num_classes" and feature.num_classes is not None:
            return feature.num_classes
        if name == "shape":
            return feature.shape
        return NOT_MODELLED
    if obj.type == SPLIT_INFO and name == "num_examples":
        return obj.data["num_examples"]
    return NOT_MODELLED
