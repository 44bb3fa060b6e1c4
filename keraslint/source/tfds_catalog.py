"""What the common TensorFlow Datasets yield: feature specs, supervised keys, splits.

Provenance: the features and supervised keys are what ``tfds.builder(name).info`` reports in
tensorflow-datasets 4.9.10 (read offline: no data is downloaded); the split names and example
counts are those of the TFDS catalog (tensorflow.org/datasets/catalog/<name>) for the same
versions. ``scripts/gen_tfds_catalog.py`` prints these entries again from an installed
tensorflow-datasets (split counts need its dataset metadata, so they are printed only when the
installed library has them).

Only datasets of a fixed structure are listed (classification, segmentation masks, text,
tabular): a name not here is unknown to keraslint, never guessed at. ``oxford_iiit_pet`` keeps
its 3.2.0 entry too because scripts pin ``"oxford_iiit_pet:3.*.*"``; 4.0.0 added ``head_bbox``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Feature:
    """One feature connector: ``kind`` is image, class_label, text or tensor."""

    kind: str
    shape: tuple[int | None, ...]
    dtype: str
    num_classes: int | None = None


@dataclass(frozen=True)
class Spec:
    """One version of one dataset (config)."""

    version: str
    features: MappingProxyType[str, Feature]
    #: (inputs, target) as ``as_supervised=True`` yields them: a feature name, or a dict of names
    supervised: tuple[Any, str] | None
    #: split name -> number of examples
    splits: MappingProxyType[str, int] = field(default_factory=lambda: MappingProxyType({}))


def _image(*shape: int | None) -> Feature:
    return Feature("image", shape, "uint8")


def _label(num_classes: int) -> Feature:
    return Feature("class_label", (), "int64", num_classes)


_TEXT = Feature("text", (), "string")


def _tensor(shape: tuple[int | None, ...], dtype: str) -> Feature:
    return Feature("tensor", shape, dtype)


def _spec(version: str, features: dict[str, Feature], supervised: tuple[Any, str] | None,
          splits: dict[str, int]) -> Spec:
    return Spec(version, MappingProxyType(features), supervised, MappingProxyType(splits))


_MNIST_LIKE = {"image": _image(28, 28, 1), "label": _label(10)}
_TRAIN_TEST_60K = {"train": 60000, "test": 10000}
_CIFAR10 = {"id": _TEXT, "image": _image(32, 32, 3), "label": _label(10)}
_PENGUIN_SIMPLE = {
    "body_mass_g": _tensor((), "float32"), "culmen_depth_mm": _tensor((), "float32"),
    "culmen_length_mm": _tensor((), "float32"), "flipper_length_mm": _tensor((), "float32"),
    "island": _label(3), "sex": _label(3), "species": _label(3),
}
_PET_3 = {"file_name": _TEXT, "image": _image(None, None, 3), "label": _label(37),
          "segmentation_mask": _image(None, None, 1), "species": _label(2)}
_SUPERVISED = ("image", "label")

#: "name" or "name/config" -> its versions, the default (newest) first
CATALOG: MappingProxyType[str, tuple[Spec, ...]] = MappingProxyType({
    "mnist": (_spec("3.0.1", _MNIST_LIKE, _SUPERVISED, _TRAIN_TEST_60K),),
    "fashion_mnist": (_spec("3.0.1", _MNIST_LIKE, _SUPERVISED, _TRAIN_TEST_60K),),
    "kmnist": (_spec("3.0.1", _MNIST_LIKE, _SUPERVISED, _TRAIN_TEST_60K),),
    "emnist/byclass": (_spec("3.1.0", {"image": _image(28, 28, 1), "label": _label(62)}, _SUPERVISED,
                             {"train": 697932, "test": 116323}),),
    "emnist/balanced": (_spec("3.1.0", {"image": _image(28, 28, 1), "label": _label(47)}, _SUPERVISED,
                              {"train": 112800, "test": 18800}),),
    "cifar10": (_spec("3.0.2", _CIFAR10, _SUPERVISED, {"train": 50000, "test": 10000}),),
    "cifar100": (_spec("3.0.2", {"coarse_label": _label(20), "id": _TEXT, "image": _image(32, 32, 3),
                                 "label": _label(100)}, _SUPERVISED, {"train": 50000, "test": 10000}),),
    "svhn_cropped": (_spec("3.1.0", _CIFAR10, _SUPERVISED, {"train": 73257, "test": 26032, "extra": 531131}),),
    "stl10": (_spec("1.0.0", {"image": _image(96, 96, 3), "label": _label(10)}, _SUPERVISED,
                    {"train": 5000, "test": 8000, "unlabelled": 100000}),),
    "tf_flowers": (_spec("3.0.1", {"image": _image(None, None, 3), "label": _label(5)}, _SUPERVISED,
                         {"train": 3670}),),
    "cats_vs_dogs": (_spec("4.0.1", {"image": _image(None, None, 3), "image/filename": _TEXT, "label": _label(2)},
                           _SUPERVISED, {"train": 23262}),),
    "horses_or_humans": (_spec("3.0.0", {"image": _image(300, 300, 3), "label": _label(2)}, _SUPERVISED,
                               {"train": 1027, "test": 256}),),
    "rock_paper_scissors": (_spec("3.0.0", {"image": _image(300, 300, 3), "label": _label(3)}, _SUPERVISED,
                                  {"train": 2520, "test": 372}),),
    "beans": (_spec("0.1.0", {"image": _image(500, 500, 3), "label": _label(3)}, _SUPERVISED,
                    {"train": 1034, "validation": 133, "test": 128}),),
    "caltech101": (_spec("3.0.2", {"image": _image(None, None, 3), "image/file_name": _TEXT, "label": _label(102)},
                         _SUPERVISED, {"train": 3060, "test": 6084}),),
    "oxford_flowers102": (_spec("2.1.1", {"file_name": _TEXT, "image": _image(None, None, 3), "label": _label(102)},
                                _SUPERVISED, {"train": 1020, "validation": 1020, "test": 6149}),),
    "food101": (_spec("2.0.0", {"image": _image(None, None, 3), "label": _label(101)}, _SUPERVISED,
                      {"train": 75750, "validation": 25250}),),
    "omniglot": (_spec("3.0.0", {"alphabet": _label(50), "alphabet_char_id": _tensor((), "int64"),
                                 "image": _image(105, 105, 3), "label": _label(1623)}, _SUPERVISED,
                       {"train": 19280, "test": 13180, "small1": 2720, "small2": 3120}),),
    "oxford_iiit_pet": (
        _spec("4.0.0", {**_PET_3, "head_bbox": _tensor((4,), "float32")}, _SUPERVISED,
              {"train": 3680, "test": 3669}),
        _spec("3.2.0", _PET_3, _SUPERVISED, {"train": 3680, "test": 3669}),
    ),
    "cycle_gan/horse2zebra": (_spec("3.0.0", {"image": _image(None, None, 3), "label": _label(2)}, _SUPERVISED,
                                    {"trainA": 1067, "trainB": 1334, "testA": 120, "testB": 140}),),
    "imdb_reviews/plain_text": (_spec("1.0.0", {"label": _label(2), "text": _TEXT}, ("text", "label"),
                                      {"train": 25000, "test": 25000, "unsupervised": 50000}),),
    "iris": (_spec("2.1.0", {"features": _tensor((4,), "float32"), "label": _label(3)}, ("features", "label"),
                   {"train": 150}),),
    "penguins/processed": (_spec("1.0.0", {"features": _tensor((4,), "float32"), "species": _label(3)},
                                 ("features", "species"), {"train": 334}),),
    "penguins/simple": (_spec("1.0.0", _PENGUIN_SIMPLE, ({k: k for k in _PENGUIN_SIMPLE}, "species"),
                              {"train": 344}),),
})

#: the config ``tfds.load("emnist")`` picks: the builder's first (default) config
DEFAULT_CONFIGS: MappingProxyType[str, str] = MappingProxyType({
    "emnist": "byclass", "imdb_reviews": "plain_text", "penguins": "processed",
})


def _version_matches(pattern: str, version: str) -> bool:
    """TFDS version specs: ``3.0.1``, ``3.*.*``, ``3.2.*``."""
    wanted, have = pattern.split("."), version.split(".")
    return len(wanted) == len(have) and all(w in ("*", h) for w, h in zip(wanted, have))


def lookup(name: str) -> Spec | None:
    """The spec ``tfds.load(name)`` reads, for ``name`` as scripts spell it (``"mnist"``,
    ``"penguins/processed"``, ``"oxford_iiit_pet:3.*.*"``); None when not catalogued or when
    the version asked for is not one listed."""
    base, _, version = name.strip().partition(":")
    if "/" not in base and base in DEFAULT_CONFIGS:
        base = f"{base}/{DEFAULT_CONFIGS[base]}"
    specs = CATALOG.get(base)
    if not specs:
        return None
    if not version:
        return specs[0]
    return next((s for s in specs if _version_matches(version, s.version)), None)
