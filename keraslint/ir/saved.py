"""Saved Keras models (``.keras`` zips and legacy ``.h5`` files) as the model IR.

Only the model's JSON configuration is read: ``config.json`` inside a ``.keras`` zip, the
``model_config`` root attribute of an HDF5 file. Weights are never opened, nothing is
unpickled, Keras and TensorFlow are never imported, and a Lambda layer's function is never
decoded (its layer keeps only a literal ``output_shape``). Both config dialects are read:

- Keras 3: ``module``/``class_name``/``config`` entries, ``inbound_nodes`` as
  ``[{"args": [<__keras_tensor__ with keras_history>], "kwargs": {...}}]``, InputLayer
  ``batch_shape``, ``build_config``.
- Keras 1/2 and tf.keras: ``inbound_nodes`` as ``[[["layer", node, tensor, {kwargs}], ...]]``,
  InputLayer ``batch_input_shape``, Sequential configs as a list or ``{"layers": [...]}`` whose
  first layer carries ``batch_input_shape``, Keras 1 keywords (``nb_filter``, ``border_mode``).

Anything malformed or hostile raises ``Unreadable`` with a one-line reason, never a traceback.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from keraslint.ir.graph import Layer, ModelGraph, Node, Shape, Tensor, output_count
from keraslint.ir.normalize import normalize_layer
from keraslint.ir.saved_limits import check_json_budget, checked_zip_directory, h5_attribute_problem
from keraslint.source.reading import Unreadable
from keraslint.values import UNKNOWN
from keraslint.vocabulary import canonical_layer_kind

__all__ = ["MAX_CONFIG_BYTES", "load_saved_model", "model_from_config"]

MAX_CONFIG_BYTES = 16 * 1024 * 1024
"""Larger configs are refused, inflated or not: 20 times EfficientNetB7's (saved_limits)."""
MAX_JSON_DEPTH = 200
"""Deeper JSON is refused; real configs stay under ~30 levels even with nested models."""
MAX_MODEL_NESTING = 32
"""Models inside models inside models ... deeper than this are refused."""
MAX_OUTPUTS = 1024
"""A tensor index past this (one layer with more outputs) is refused."""

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_MODEL_CLASSES = frozenset({"Sequential", "Functional", "Model"})
# Recurrent layers and how many state tensors return_state adds (as in keraslint.source.models).
# Activation layers serialized as a layer's ``activation`` (Dense(activation=LeakyReLU())).
_ACTIVATION_LAYER_NAMES = {"ReLU": "relu", "LeakyReLU": "leaky_relu", "Softmax": "softmax", "ELU": "elu"}
_ACTIVATION_KEYS = frozenset({"activation", "recurrent_activation"})
_ATTENTION_INPUTS = ("query", "value", "key")


class _Malformed(Exception):
    """Raised inside the builder; turned into Unreadable with the same one-line reason."""


# --------------------------------------------------------------------------- files


_DEPENDENCY = "dep:"  # marks refs passed by keyword (initial_state, mask): edges, not inputs

def load_saved_model(path: Path) -> list[ModelGraph]:
    """The model(s) in a saved ``.keras``/``.h5`` file: one ModelGraph for the top model;
    nested models are ``Layer(kind="Model", submodel=...)`` inside it."""
    path = Path(path)
    config = _read_config(path)
    return [model_from_config(config)]


def model_from_config(config: Any) -> ModelGraph:
    """The IR for a parsed model config (``{"class_name": ..., "config": ...}``)."""
    try:
        _check_depth(config)
        return _Builder().model(config, depth=0)
    except Unreadable:
        raise
    except _Malformed as exc:
        raise Unreadable(str(exc)) from None
    except RecursionError:
        raise Unreadable("model config is nested too deeply") from None
    except Exception as exc:  # noqa: BLE001 - hostile input must give a one-line reason, never a traceback
        raise Unreadable(f"malformed model config ({type(exc).__name__}: {_short(exc)})") from None


def _read_config(path: Path) -> Any:
    if path.name == "saved_model.pb" and path.is_file():
        path = path.parent  # the protobuf of a SavedModel folder, named directly
    if path.is_dir():
        if (path / "saved_model.pb").exists():
            raise Unreadable(f"SavedModel folders are not supported: '{path.name}' is a TensorFlow SavedModel; "
                             "save with model.save('m.keras')")
        raise Unreadable(f"'{path.name}' is a directory, not a saved model file")
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise Unreadable(exc.strerror or type(exc).__name__) from None
    suffix = path.suffix.lower()
    if head[:4] in _ZIP_MAGIC:
        text = _read_keras_zip(path)
        source = "config.json"
    elif head == _HDF5_MAGIC or suffix in (".h5", ".hdf5"):
        text = _read_h5(path)
        source = "model_config"
    elif suffix == ".keras":
        raise Unreadable("not a zip archive; a .keras model is a zip file holding config.json")
    else:
        raise Unreadable("not a saved Keras model (neither a .keras zip nor an HDF5 file)")
    check_json_budget(text, source)
    try:
        return json.loads(text)
    except RecursionError:
        raise Unreadable(f"{source} is nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, and ints too long to convert
        raise Unreadable(f"{source} is not valid JSON: {_short(exc)}") from None


def _read_keras_zip(path: Path) -> str:
    try:
        with path.open("rb") as handle, zipfile.ZipFile(checked_zip_directory(handle)) as archive:
            try:
                info = archive.getinfo("config.json")
            except KeyError:
                raise Unreadable("zip archive has no config.json; not a Keras 3 .keras model") from None
            if info.file_size > MAX_CONFIG_BYTES:
                raise Unreadable(_too_large("config.json", info.file_size))
            with archive.open(info) as member:
                data = member.read(MAX_CONFIG_BYTES + 1)
    except Unreadable:
        raise
    except zipfile.BadZipFile as exc:
        raise Unreadable(f"not a valid zip archive ({_short(exc)})") from None
    except (OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
        # Truncated archives, unsupported compression, encrypted members, bad CRCs, zlib errors.
        raise Unreadable(f"cannot read config.json from the zip archive ({type(exc).__name__}: {_short(exc)})") from None
    except Exception as exc:  # noqa: BLE001 - zlib.error and friends: still a one-line reason
        raise Unreadable(f"cannot read config.json from the zip archive ({type(exc).__name__})") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise Unreadable(_too_large("config.json", len(data)))
    return _decode(data, "config.json")


def _read_h5(path: Path) -> str:
    try:
        import h5py
    except ImportError:
        raise Unreadable("reading .h5 models needs the h5py package (pip install h5py)") from None
    try:
        try:
            handle = h5py.File(path, "r", locking=False)
        except TypeError:  # h5py older than 3.5 has no `locking`
            handle = h5py.File(path, "r")
    except Exception as exc:  # noqa: BLE001 - h5py raises OSError and more for non-HDF5 bytes
        raise Unreadable(f"not a readable HDF5 file ({_short(exc)})") from None
    try:
        with handle:
            if "model_config" not in handle.attrs:
                raise Unreadable("HDF5 file has no model_config attribute (a weights-only file from save_weights?); "
                                 "save the whole model with model.save('m.keras')")
            problem = h5_attribute_problem(h5py, h5py.h5a.open(handle.id, b"model_config"), MAX_CONFIG_BYTES)
            if problem is not None:
                raise Unreadable(problem)
            raw = handle.attrs["model_config"]
    except Unreadable:
        raise
    except Exception as exc:  # noqa: BLE001
        raise Unreadable(f"cannot read model_config from the HDF5 file ({type(exc).__name__}: {_short(exc)})") from None
    return _attribute_text(raw)


def _attribute_text(raw: Any) -> str:
    """The model_config attribute as text: str, bytes, numpy scalars or a one-element array."""
    if hasattr(raw, "shape") and hasattr(raw, "reshape") and getattr(raw, "size", None) == 1:
        raw = raw.reshape(-1)[0]
    if isinstance(raw, bytes):
        if len(raw) > MAX_CONFIG_BYTES:
            raise Unreadable(_too_large("model_config", len(raw)))
        return _decode(raw, "model_config")
    if isinstance(raw, str):
        if len(raw) > MAX_CONFIG_BYTES:
            raise Unreadable(_too_large("model_config", len(raw)))
        return raw
    raise Unreadable(f"model_config attribute is not text (got {type(raw).__name__})")


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"{source} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None


def _too_large(source: str, size: int) -> str:
    return f"{source} is {size / 1e6:.1f} MB, larger than the {MAX_CONFIG_BYTES // (1024 * 1024)} MB keraslint reads"


def _short(exc: BaseException, limit: int = 120) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_depth(value: Any) -> None:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise _Malformed(f"model config is nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


# --------------------------------------------------------------------------- config values


def _value(value: Any) -> Any:
    """A JSON config value as the IR holds it: lists become tuples, serialized objects
    (initializers, regularizers, dtype policies, numpy arrays) become UNKNOWN."""
    if isinstance(value, list):
        return tuple(_value(v) for v in value)
    if isinstance(value, dict):
        if value.get("class_name") == "__tuple__" and isinstance(value.get("config"), dict):
            inner = value["config"].get("value")
            if isinstance(inner, list):
                return tuple(_value(v) for v in inner)
        return UNKNOWN
    return value


def _activation(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict):
        config = value.get("config")
        if isinstance(config, str):  # Keras 3: {"class_name": "function", "config": "relu"}
            return config
        name = value.get("class_name")
        if isinstance(name, str) and name in _ACTIVATION_LAYER_NAMES and _builtin(value):
            return _ACTIVATION_LAYER_NAMES[name]
    return UNKNOWN


def _shape(value: Any) -> Shape | None:
    if not isinstance(value, (list, tuple)):
        return None
    return tuple(d if isinstance(d, int) and not isinstance(d, bool) and d >= 0 else None for d in value)


def _literal_shape(value: Any) -> tuple[Any, ...] | None:
    """Lambda ``output_shape`` when it is a literal shape (or a list of them), else None."""
    if isinstance(value, list) and all(d is None or (isinstance(d, int) and not isinstance(d, bool)) for d in value):
        return tuple(value)
    if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        shapes = [_literal_shape(v) for v in value]
        if all(s is not None for s in shapes):
            return tuple(shapes)
    return None


def _builtin(entry: dict[str, Any]) -> bool:
    """A Keras class (not a user's class that happens to share its name, nor a keras.ops op)."""
    module = entry.get("module")
    if module is not None:
        if not isinstance(module, str):
            return False
        parts = module.split(".")
        if parts[:2] == ["keras", "src"] or parts[:2] == ["tf_keras", "src"]:
            parts = parts[:1] + parts[2:]
        if parts[0] not in ("keras", "tf_keras") or "ops" in parts or (
                len(parts) > 1 and parts[1] not in ("layers", "models", "engine", "legacy")):
            return False
    registered = entry.get("registered_name")
    return registered is None or registered == entry.get("class_name")


def _str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise _Malformed(f"{what} is not a string")
    return value


def _index(value: Any, what: str, limit: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > limit:
        raise _Malformed(f"{what} is not a valid index ({repr(value)[:40]})")
    return value


# --------------------------------------------------------------------------- the builder

_Ref = tuple[str, int, int]  # (layer name, node index, tensor index)


class _Builder:
    def __init__(self) -> None:
        self.shared: dict[Any, Layer] = {}

    # ---- models

    def model(self, entry: Any, *, depth: int) -> ModelGraph:
        if depth > MAX_MODEL_NESTING:
            raise _Malformed(f"models are nested deeper than {MAX_MODEL_NESTING} levels")
        if not isinstance(entry, dict) or not isinstance(entry.get("class_name"), str):
            what = "a JSON object without a class_name" if isinstance(entry, dict) else f"a JSON {_json_type(entry)}"
            raise _Malformed(f"the config is {what}, not a Keras model")
        class_name = entry["class_name"]
        config = entry.get("config")
        if class_name not in _MODEL_CLASSES:
            if canonical_layer_kind(class_name) is not None and _builtin(entry):
                raise _Malformed(f"the config describes a {class_name} layer, not a model")
            raise _Malformed(f"'{class_name}' is a subclassed or custom model: its layers are not described in the "
                             "config; save a Sequential or functional model")
        if class_name == "Sequential" or isinstance(config, list):
            return self.sequential(entry, config, depth)
        return self.functional(config, depth)

    def sequential(self, entry: dict[str, Any], config: Any, depth: int) -> ModelGraph:
        name: str | None = None
        build_shape: Any = None
        if isinstance(config, list):  # Keras 1 / early Keras 2: the config is the layer list
            entries = config
        elif isinstance(config, dict):
            entries = config.get("layers")
            name = config.get("name") if isinstance(config.get("name"), str) else None
            build_shape = config.get("build_input_shape")
        else:
            raise _Malformed("Sequential config is neither a layer list nor an object with layers")
        if not isinstance(entries, list):
            raise _Malformed("Sequential config has no layer list")
        build_config = entry.get("build_config")
        if build_shape is None and isinstance(build_config, dict):
            build_shape = build_config.get("input_shape")
        input_shape: Shape | None = None
        input_name: str | None = None
        layers: list[Layer] = []
        for position, item in enumerate(entries):
            if not isinstance(item, dict):
                raise _Malformed(f"layer {position} of the Sequential model is not a JSON object")
            if item.get("class_name") == "InputLayer":
                if position == 0:
                    input_shape = self.input_layer_shape(item)
                    input_name = self.entry_name(item)
                continue
            layers.append(self.layer(item, depth))
        if input_shape is None and layers and layers[0].declared_input is not None:
            input_shape = layers[0].declared_input
        if input_shape is None:
            input_shape = _shape(build_shape)
        head = Node(layer=None, inputs=[], input_shape=input_shape, input_name=input_name)
        current = Tensor(head)
        for layer in layers:
            node = Node(layer=layer, inputs=[current], output_count=output_count(layer, {}))
            current = Tensor(node)
        return ModelGraph("sequential", inputs=[Tensor(head)], outputs=[current], name=name)

    def functional(self, config: Any, depth: int) -> ModelGraph:
        if not isinstance(config, dict):
            raise _Malformed("functional model config is not a JSON object")
        entries = config.get("layers")
        if not isinstance(entries, list):
            raise _Malformed("functional model config has no layer list")
        name = config.get("name") if isinstance(config.get("name"), str) else None
        inputs: dict[str, Node] = {}
        applied: dict[str, tuple[Layer, list[Node], list[list[tuple[str, _Ref]]]]] = {}
        for position, item in enumerate(entries):
            if not isinstance(item, dict):
                raise _Malformed(f"layer {position} of model '{name}' is not a JSON object")
            layer_name = self.entry_name(item)
            if layer_name is None:
                raise _Malformed(f"layer {position} of model '{name}' has no name")
            if layer_name in inputs or layer_name in applied:
                raise _Malformed(f"two layers are named '{layer_name}'")
            if item.get("class_name") == "InputLayer":
                inputs[layer_name] = Node(layer=None, inputs=[], input_shape=self.input_layer_shape(item),
                                          input_name=layer_name)
                continue
            layer = self.layer(item, depth)
            raw_nodes = item.get("inbound_nodes", [])
            if not isinstance(raw_nodes, list):
                raise _Malformed(f"inbound_nodes of layer '{layer_name}' is not a list")
            nodes: list[Node] = []
            refs: list[list[tuple[str, _Ref]]] = []
            for raw in raw_nodes:
                node_refs, call_kwargs = self.inbound_node(raw, layer, layer_name)
                nodes.append(Node(layer=layer, inputs=[], call_kwargs=call_kwargs,
                                  output_count=output_count(layer, call_kwargs)))
                refs.append(node_refs)
            applied[layer_name] = (layer, nodes, refs)

        def resolve(ref: _Ref, user: str) -> Tensor:
            target, node_index, tensor_index = ref
            if target in inputs:
                return Tensor(inputs[target], 0)
            if target not in applied:
                raise _Malformed(f"{user} refers to unknown layer '{target}'")
            nodes = applied[target][1]
            if node_index >= len(nodes):
                count = len(nodes)
                raise _Malformed(f"{user} refers to node {node_index} of layer '{target}', which has "
                                 f"{count} node{'' if count == 1 else 's'}")
            node = nodes[node_index]
            node.output_count = max(node.output_count, tensor_index + 1)
            return Tensor(node, tensor_index)

        for layer_name, (_, nodes, refs) in applied.items():
            for node, node_refs in zip(nodes, refs):
                node.inputs = [resolve(ref, f"layer '{layer_name}'") for key, ref in node_refs
                               if not key.startswith(_DEPENDENCY)]
                node.dependencies = [resolve(ref, f"layer '{layer_name}'") for key, ref in node_refs
                                     if key.startswith(_DEPENDENCY)]
        model_inputs = [resolve(ref, f"input_layers of model '{name}'") for ref in self.refs(config.get("input_layers"))]
        model_outputs = [resolve(ref, f"output_layers of model '{name}'")
                         for ref in self.refs(config.get("output_layers"))]
        if not model_outputs:
            raise _Malformed(f"functional model '{name}' has no outputs")
        _check_acyclic([n for _, nodes, _ in applied.values() for n in nodes])
        return ModelGraph("functional", inputs=model_inputs, outputs=model_outputs, name=name)

    # ---- layers

    @staticmethod
    def entry_name(item: dict[str, Any]) -> str | None:
        name = item.get("name")
        if not isinstance(name, str):
            config = item.get("config")
            name = config.get("name") if isinstance(config, dict) else None
        return name if isinstance(name, str) else None

    @staticmethod
    def input_layer_shape(item: dict[str, Any]) -> Shape | None:
        config = item.get("config")
        if not isinstance(config, dict):
            return None
        for key in ("batch_shape", "batch_input_shape"):
            if key in config:
                return _shape(config[key])
        for key in ("shape", "input_shape"):
            if key in config:
                shape = _shape(config[key])
                if shape is None:
                    return None
                batch = config.get("batch_size")
                return (batch if isinstance(batch, int) and not isinstance(batch, bool) else None, *shape)
        return None

    def layer(self, item: Any, depth: int) -> Layer:
        if not isinstance(item, dict):
            raise _Malformed("a layer entry is not a JSON object")
        class_name = _str(item.get("class_name"), "a layer's class_name")
        name = self.entry_name(item)
        shared_id = item.get("shared_object_id")
        if isinstance(shared_id, (int, str)) and not isinstance(shared_id, bool) and shared_id in self.shared:
            return self.shared[shared_id]  # Keras 3: one layer object serialized in two places
        if class_name in _MODEL_CLASSES and _builtin(item):
            submodel = self.model(item, depth=depth + 1)
            layer = Layer(kind="Model", config={}, name=name or submodel.name, spelled=class_name, submodel=submodel)
        else:
            layer = self.plain_layer(item, class_name, name, depth)
        if isinstance(shared_id, (int, str)) and not isinstance(shared_id, bool):
            self.shared[shared_id] = layer
        return layer

    def plain_layer(self, item: dict[str, Any], class_name: str, name: str | None, depth: int) -> Layer:
        kind = canonical_layer_kind(class_name) if _builtin(item) else None
        config = item.get("config")
        if kind is None or kind == "InputLayer" or not isinstance(config, dict):
            return Layer(kind="Opaque", config={}, name=name, spelled=class_name)
        if kind == "Lambda":
            # The function (marshalled bytecode or source) is never decoded: only the shape stays.
            shape = _literal_shape(config.get("output_shape"))
            return Layer(kind="Lambda", config={} if shape is None else {"output_shape": shape}, name=name,
                         spelled=class_name)
        kwargs: dict[str, Any] = {}
        for key, value in config.items():
            if not isinstance(key, str) or key.startswith("__"):
                continue
            if key in ("layer", "backward_layer"):
                kwargs[key] = self.layer(value, depth + 1) if isinstance(value, dict) else UNKNOWN
            elif key in _ACTIVATION_KEYS:
                kwargs[key] = _activation(value)
            else:
                kwargs[key] = _value(value)
        normalized = normalize_layer(kind, (), kwargs)
        return Layer(kind=kind, config=normalized.config, name=name or normalized.name, spelled=class_name,
                     declared_input=normalized.declared_input, renamed=normalized.renamed)

    # ---- inbound nodes

    def inbound_node(self, raw: Any, layer: Layer, layer_name: str) -> tuple[list[tuple[str, _Ref]], dict[str, Any]]:
        """One application of a layer: the tensors it is called on and its plain call keywords."""
        where = f"an inbound node of layer '{layer_name}'"
        refs: list[tuple[str, _Ref]] = []
        call_kwargs: dict[str, Any] = {}
        if isinstance(raw, dict):  # Keras 3
            args = raw.get("args", [])
            kwargs = raw.get("kwargs", {})
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                raise _Malformed(f"{where} is malformed")
            refs.extend(("", ref) for ref in self.keras3_tensors(args, where))
            for key, value in kwargs.items():
                found = list(self.keras3_tensors(value, where))
                if found:
                    if (layer.kind == "MultiHeadAttention" and key in _ATTENTION_INPUTS) or layer.kind == "Opaque":
                        refs.extend((key, ref) for ref in found)
                    else:
                        # A mask or an initial state: not an input the shape engine takes, but
                        # the model depends on it (its weights count): a dependency edge.
                        call_kwargs[key] = UNKNOWN
                        refs.extend((f"{_DEPENDENCY}{key}", ref) for ref in found)
                else:
                    call_kwargs[key] = _value(value)
        elif isinstance(raw, list):  # Keras 1/2: [["layer", node, tensor, {kwargs}], ...]
            for item in raw:
                if not isinstance(item, list) or len(item) not in (3, 4):
                    raise _Malformed(f"{where} is malformed")
                if item[0] == "_CONSTANT_VALUE":  # tf.keras: a constant argument of a TFOpLambda
                    continue
                refs.append(("", self.ref(item[:3], where)))
                extra = item[3] if len(item) == 4 else {}
                if not isinstance(extra, dict):
                    continue
                for key, value in extra.items():
                    if _is_ref(value):
                        if (layer.kind == "MultiHeadAttention" and key in _ATTENTION_INPUTS) or layer.kind == "Opaque":
                            refs.append((key, self.ref(value[:3], where)))
                        else:
                            call_kwargs[key] = UNKNOWN
                            refs.append((f"{_DEPENDENCY}{key}", self.ref(value[:3], where)))
                    else:
                        call_kwargs[key] = _value(value)
        else:
            raise _Malformed(f"{where} is malformed")
        dependencies = [r for r in refs if r[0].startswith(_DEPENDENCY)]
        refs = [r for r in refs if not r[0].startswith(_DEPENDENCY)]
        if layer.kind == "MultiHeadAttention":
            positional = [r for r in refs if r[0] == ""]
            named = {k: r for k, r in refs if k}
            ordered = positional + [("x", named[k]) for k in _ATTENTION_INPUTS if k in named]
            refs = ordered
        if not refs:
            call_kwargs["__unknown_input__"] = True  # called on constants only: nothing to follow
        return refs + dependencies, call_kwargs

    def keras3_tensors(self, value: Any, where: str) -> Iterator[_Ref]:
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                if item.get("class_name") == "__keras_tensor__":
                    config = item.get("config")
                    history = config.get("keras_history") if isinstance(config, dict) else None
                    yield self.ref(history, where)
                elif "class_name" not in item:  # a plain dict of tensors (dict inputs)
                    stack.extend(reversed(list(item.values())))

    def ref(self, value: Any, where: str) -> _Ref:
        if not isinstance(value, list) or len(value) < 3:
            raise _Malformed(f"{where} has a malformed tensor reference")
        return (_str(value[0], f"a layer name in {where}"), _index(value[1], f"a node index in {where}", 10**7),
                _index(value[2], f"a tensor index in {where}", MAX_OUTPUTS - 1))

    def refs(self, value: Any) -> list[_Ref]:
        """``input_layers``/``output_layers``: one reference, a list of them, or a dict of them."""
        if value is None:
            return []
        if _is_ref(value):
            return [self.ref(value, "the model's inputs/outputs")]
        if isinstance(value, dict):
            return [r for key in sorted(value, key=str) for r in self.refs(value[key])]
        if isinstance(value, list):
            return [r for item in value for r in self.refs(item)]
        raise _Malformed("the model's input_layers/output_layers are malformed")


def _json_type(value: Any) -> str:
    return {list: "list", str: "string", bool: "boolean", int: "number", float: "number"}.get(type(value), "null")


def _is_ref(value: Any) -> bool:
    return isinstance(value, list) and len(value) >= 3 and isinstance(value[0], str) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value[1:3])


def _check_acyclic(nodes: list[Node]) -> None:
    """Keras configs are DAGs; a hostile one may loop (``a`` fed by ``b`` fed by ``a``)."""
    state: dict[int, int] = {}  # 1 = on the current path, 2 = done
    for start in nodes:
        if state.get(start.id) == 2:
            continue
        stack: list[tuple[Node, int]] = [(start, 0)]
        state[start.id] = 1
        while stack:
            node, position = stack[-1]
            if position < len(node.inputs):
                stack[-1] = (node, position + 1)
                nxt = node.inputs[position].node
                mark = state.get(nxt.id)
                if mark == 1:
                    label = nxt.layer.name if nxt.layer is not None and nxt.layer.name else "?"
                    raise _Malformed(f"inbound_nodes form a cycle through layer '{label}'")
                if mark is None:
                    state[nxt.id] = 1
                    stack.append((nxt, 0))
            else:
                state[node.id] = 2
                stack.pop()
