"""The weight shapes stored in a ``.weights.h5`` (Keras 3) or legacy ``.h5`` file, for KL308.

Only metadata is read: group names, the shapes of datasets (never their values) and, in a
legacy file, the ``layer_names``/``weight_names`` string attributes. Nothing is executed or
unpickled. Links are followed only when they are hard links inside the file (an external link
would open another file, a soft link may loop), and every count is bounded, as the saved-model
reader bounds the config (keraslint.ir.saved_limits): an attribute must be a bounded array of
strings, a group may hold at most ``MAX_MEMBERS`` members. Anything unexpected gives None:
no file facts, no finding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_MEMBERS = 10_000
"""Members of one group keraslint looks at (a layer has a handful of weights)."""
MAX_NAMES = 100_000
"""Names in one ``layer_names``/``weight_names`` attribute (EfficientNetB7 has ~800 layers)."""
MAX_ATTRIBUTE_BYTES = 16 * 1024 * 1024
"""An attribute larger than this is not read (saved_limits' config cap)."""
MAX_FILE_BYTES = 1 << 40
"""Files larger than this are not opened at all."""

WeightShape = tuple[int, ...]


@dataclass
class Keras3Weights:
    """A ``.weights.h5`` file: per object path (``layers/dense_1``), the shapes of its variables
    in order (``vars/0``, ``vars/1`` ...); a path whose ``vars`` group is missing is absent."""

    paths: dict[str, tuple[WeightShape, ...]]
    #: the file has the Keras 2.13 fallback layout Keras also tries: no verdict on missing paths
    fallback: bool = False


@dataclass
class LegacyWeights:
    """A legacy ``.h5`` file: the layers with weights, in the file's order, with their shapes."""

    layers: list[tuple[str, tuple[WeightShape, ...]]]


def read_weight_shapes(path: Path, keras3: bool) -> Keras3Weights | LegacyWeights | None:
    """The stored shapes, or None when the file is missing, unreadable or not as expected."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            return None
        import h5py
    except (OSError, ImportError):
        return None
    try:
        try:
            handle = h5py.File(path, "r", locking=False)
        except TypeError:  # h5py older than 3.5 has no `locking`
            handle = h5py.File(path, "r")
    except Exception:  # noqa: BLE001 - h5py raises OSError and more for non-HDF5 bytes
        return None
    try:
        with handle:
            return _keras3(h5py, handle) if keras3 else _legacy(h5py, handle)
    except Exception:  # noqa: BLE001 - a malformed file is no fact, never a traceback
        return None


class _Reader:
    def __init__(self, h5py: Any) -> None:
        self.h5py = h5py

    def child(self, group: Any, name: str) -> Any:
        """``group[name]`` when it is a hard link inside the file; None otherwise."""
        if not isinstance(group, self.h5py.Group) or not name or "/" in name:
            return None
        link = group.get(name, getlink=True)
        if not isinstance(link, self.h5py.HardLink):
            return None
        return group[name]

    def members(self, group: Any) -> list[str] | None:
        if not isinstance(group, self.h5py.Group) or len(group) > MAX_MEMBERS:
            return None
        return [str(name) for name in group]

    def shape(self, dataset: Any) -> WeightShape | None:
        if not isinstance(dataset, self.h5py.Dataset) or dataset.shape is None:
            return None
        return tuple(int(d) for d in dataset.shape)

    def names(self, group: Any, key: str) -> list[str] | None:
        """A string-array attribute (Keras may chunk it as ``key0``, ``key1`` ...)."""
        attrs = group.attrs
        keys = [key] if key in attrs else []
        while key not in attrs and f"{key}{len(keys)}" in attrs:
            keys.append(f"{key}{len(keys)}")
            if len(keys) > MAX_MEMBERS:
                return None
        found: list[str] = []
        for name in keys:
            attribute = self.h5py.h5a.open(group.id, name.encode())
            count = math.prod(attribute.shape or ())
            if count > MAX_NAMES or attribute.get_storage_size() > MAX_ATTRIBUTE_BYTES:
                return None
            if attribute.dtype.kind == "f" and count == 0:
                continue  # an empty list is saved as an empty float array
            if self.h5py.check_string_dtype(attribute.dtype) is None:
                return None
            for item in attrs[name]:
                found.append(item.decode("utf8") if isinstance(item, bytes) else str(item))
            if len(found) > MAX_NAMES:
                return None
        return found


def _keras3(h5py: Any, handle: Any) -> Keras3Weights | None:
    reader = _Reader(h5py)
    paths: dict[str, tuple[WeightShape, ...]] = {}
    budget = [MAX_MEMBERS * 10]

    def walk(group: Any, prefix: str, depth: int) -> bool:
        if depth > 8:
            return True
        names = reader.members(group)
        if names is None:
            return False
        budget[0] -= len(names)
        if budget[0] < 0:
            return False
        for name in names:
            child = reader.child(group, name)
            if child is None:
                continue
            if name == "vars":
                count = reader.members(child)
                if count is None:
                    return False
                shapes = []
                for index in range(len(count)):
                    shape = reader.shape(reader.child(child, str(index)))
                    if shape is None:
                        return False
                    shapes.append(shape)
                paths[prefix] = tuple(shapes)
            elif isinstance(child, h5py.Group) and not walk(child, f"{prefix}/{name}" if prefix else name, depth + 1):
                return False
        return True

    layers = reader.child(handle, "layers")
    if layers is None or not walk(layers, "layers", 1):
        return None
    return Keras3Weights(paths, fallback="_layer_checkpoint_dependencies" in handle)


def _legacy(h5py: Any, handle: Any) -> LegacyWeights | None:
    reader = _Reader(h5py)
    root = handle
    if "layer_names" not in handle.attrs and "model_weights" in handle:
        root = reader.child(handle, "model_weights")
        if root is None:
            return None
    layer_names = reader.names(root, "layer_names")
    if layer_names is None:
        return None
    layers = []
    for name in layer_names:
        group = _nested(reader, root, name)
        if group is None:
            return None
        weight_names = reader.names(group, "weight_names")
        if weight_names is None:
            return None
        if not weight_names:
            continue
        shapes = []
        for weight in weight_names:
            shape = reader.shape(_nested(reader, group, weight))
            if shape is None:
                return None
            shapes.append(shape)
        layers.append((name, tuple(shapes)))
    return LegacyWeights(layers)


def _nested(reader: _Reader, group: Any, path: str) -> Any:
    for part in path.split("/"):
        group = reader.child(group, part)
        if group is None:
            return None
    return group
