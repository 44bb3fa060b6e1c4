"""Map every spelling of a Keras/TensorFlow/NumPy name onto one canonical qualified name.

Users write ``tf.keras.layers.Conv1D``, ``tensorflow.keras.layers.Conv1D``,
``keras.layers.convolutional.Convolution1D``, ``tf_keras.layers.Conv1D`` ... Rules should see
one name, ``keras.layers.Conv1D``; the spelling the user wrote is kept beside it for rules
about legacy API (KL403).
"""

from __future__ import annotations

import functools
from typing import Final

from keraslint.vocabulary import (
    KERAS_PREFIXES,
    MERGE_FUNCTIONS,
    REMOVED_LAYERS,
    canonical_layer_kind,
)

# Keras 1/2 and tf.keras homes of names that Keras 3 exposes at the top level.
_RELOCATED: Final[dict[str, str]] = {
    "keras.models.Sequential": "keras.Sequential",
    "keras.models.Model": "keras.Model",
    "keras.engine.sequential.Sequential": "keras.Sequential",
    "keras.engine.training.Model": "keras.Model",
    "keras.engine.functional.Functional": "keras.Model",
    "keras.layers.Input": "keras.Input",
    "keras.engine.input_layer.Input": "keras.Input",
    "keras.layers.InputLayer": "keras.layers.InputLayer",
    "keras.utils.np_utils.to_categorical": "keras.utils.to_categorical",
    "keras.utils.all_utils.to_categorical": "keras.utils.to_categorical",
    "keras.preprocessing.image_dataset_from_directory": "keras.utils.image_dataset_from_directory",
    "keras.preprocessing.image.image_dataset_from_directory": "keras.utils.image_dataset_from_directory",
    "keras.preprocessing.timeseries_dataset_from_array": "keras.utils.timeseries_dataset_from_array",
    "keras.saving.load_model": "keras.models.load_model",
    "keras.saving.save_model": "keras.models.save_model",
    "keras.variables.Variable": "keras.Variable",
    "tensorflow.random.set_random_seed": "tensorflow.random.set_seed",
    "tensorflow.compat.v1.set_random_seed": "tensorflow.set_random_seed",
    "tensorflow.compat.v1.random.set_random_seed": "tensorflow.set_random_seed",
    "sklearn.cross_validation.train_test_split": "sklearn.model_selection.train_test_split",
}

# Names a star import of these modules brings in, as far as keraslint cares.
_STAR_EXPORTS: Final[dict[str, frozenset[str]]] = {
    "keras": frozenset({"layers", "models", "utils", "optimizers", "losses", "metrics", "callbacks",
                        "backend", "datasets", "preprocessing", "regularizers", "initializers",
                        "Sequential", "Model", "Input", "activations", "applications", "ops", "saving"}),
    "keras.models": frozenset({"Sequential", "Model", "load_model", "save_model", "clone_model", "model_from_json"}),
    "keras.utils": frozenset({"to_categorical", "set_random_seed", "image_dataset_from_directory",
                              "timeseries_dataset_from_array", "text_dataset_from_directory", "plot_model",
                              "load_img", "img_to_array"}),
    "keras.optimizers": frozenset({"SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam", "Ftrl"}),
    "keras.losses": frozenset({
        "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
        "MeanSquaredError", "MeanAbsoluteError", "Huber", "binary_crossentropy",
        "categorical_crossentropy", "sparse_categorical_crossentropy", "mean_squared_error",
        "mean_absolute_error", "mse", "mae", "huber", "Hinge", "KLDivergence", "Poisson",
    }),
    "keras.preprocessing.image": frozenset({"ImageDataGenerator", "load_img", "img_to_array"}),
    "keras.utils.np_utils": frozenset({"to_categorical"}),
    "tensorflow": frozenset({"keras", "random", "data", "config", "compat", "set_random_seed"}),
}


# Keras 3's ops submodules whose every function is the same object at ``keras.ops`` (measured;
# ``keras.ops.image`` is not: its functions are only there).
_OPS_NAMESPACES: Final[tuple[str, ...]] = ("keras.ops.nn.", "keras.ops.numpy.", "keras.ops.linalg.")


@functools.lru_cache(maxsize=4096)
def canonical(qualname: str) -> str:
    """The canonical form of a dotted name (see the module docstring). Cached: it depends on the
    name alone, and the interpreter asks it about every call and attribute it evaluates."""
    name = qualname
    if name.startswith("tensorflow.compat.v1.") or name.startswith("tensorflow.compat.v2."):
        relocated = _RELOCATED.get(name)
        if relocated:
            return relocated
        name = "tensorflow." + name[len("tensorflow.compat.v1."):]
    for prefix in KERAS_PREFIXES:
        if name == prefix or name.startswith(prefix + "."):
            name = "keras" + name[len(prefix):]
            break
    if name.startswith("keras.src."):
        name = "keras." + name[len("keras.src."):]
    relocated = _RELOCATED.get(name)
    if relocated:
        return relocated
    for namespace in _OPS_NAMESPACES:
        if name.startswith(namespace) and name.count(".") == 3:
            return "keras.ops." + name[len(namespace):]
    parts = name.split(".")
    if len(parts) >= 3 and parts[0] == "keras" and parts[1] == "layers":
        last = parts[-1]
        if last == "Input":
            return "keras.Input"
        kind = canonical_layer_kind(last)
        if kind is not None or last in REMOVED_LAYERS:
            return f"keras.layers.{kind or last}"
        if last in MERGE_FUNCTIONS:
            return f"keras.layers.{last}"
    if len(parts) >= 3 and parts[0] == "keras" and parts[1] in {"models", "engine"}:
        last = parts[-1]
        if last in {"Sequential", "Model", "Input"}:
            return f"keras.{last}"
    return name


def layer_kind(qualname: str) -> str | None:
    """``keras.layers.Conv2D`` -> ``Conv2D`` for canonical names of layer classes."""
    if qualname.startswith("keras.layers."):
        kind = canonical_layer_kind(qualname[len("keras.layers."):])
        return kind
    return None


def star_exports(module: str) -> frozenset[str] | None:
    """Names ``from module import *`` binds that keraslint resolves (None: not a module we know)."""
    canon = canonical(module)
    # Keras 2 submodules (``from keras.layers.core import *``, ``keras.layers.convolutional``)
    # export layer classes too; a layer class itself (``keras.layers.Dense``) is no module.
    if canon == "keras.layers" or (canon.startswith("keras.layers.") and canon.islower()):
        from keraslint.vocabulary import LAYER_KINDS, LEGACY_LAYER_ALIASES

        return frozenset(LAYER_KINDS) | frozenset(LEGACY_LAYER_ALIASES) | frozenset(MERGE_FUNCTIONS) | {"Input"} | REMOVED_LAYERS
    return _STAR_EXPORTS.get(canon)
