"""Spellings Keras 3 removed or renamed, found at the calls that use them (for KL403).

Each ``LegacyUse`` points at the exact piece of source to change (a keyword, a callee name),
so a later fix can rename it in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from keraslint.source import models
from keraslint.source.interpreter import CallSite
from keraslint.source.values import Obj
from keraslint.vocabulary import LEGACY_LAYER_ALIASES, REMOVED_LAYERS

_OPTIMIZER_KEYWORDS = {"lr": "learning_rate"}
_FIT_KEYWORDS = {"nb_epoch": "epochs"}
# Keras 2 counted samples where Keras 3 counts batches: not a rename, so advice only.
_FIT_ADVICE = {
    "samples_per_epoch": "`samples_per_epoch=` was removed; pass `steps_per_epoch=` (batches, not samples)",
    "nb_val_samples": "`nb_val_samples=` was removed; pass `validation_steps=` (batches, not samples)",
    "nb_worker": "`nb_worker=` was removed; Keras 3 `fit` has no worker pool for arrays (use tf.data)",
    "pickle_safe": "`pickle_safe=` was removed (it became `use_multiprocessing=` in Keras 2, gone in Keras 3)",
}
_GENERATOR_METHODS = {"fit_generator": "fit", "evaluate_generator": "evaluate", "predict_generator": "predict"}
_KERAS2_MODULES = ("keras.layers.convolutional.", "keras.layers.core.", "keras.layers.recurrent.",
                   "keras.layers.pooling.", "keras.layers.normalization.", "keras.layers.embeddings.",
                   "keras.layers.merge.", "keras.layers.wrappers.", "keras.layers.advanced_activations.",
                   "keras.layers.noise.", "keras.utils.np_utils.", "keras.engine.")
# Aliases Keras 3 still accepts as exact synonyms are not legacy (MaxPool2D ...); only these are.
_RENAMED_CLASSES = {k: v for k, v in LEGACY_LAYER_ALIASES.items()
                    if k.startswith(("Convolution", "Atrous", "Deconvolution", "CuDNN"))}


@dataclass(frozen=True)
class LegacyUse:
    node: cst.CSTNode = field(repr=False)
    old: str
    new: str | None
    """The Keras 3 spelling, when it is a plain rename (None: no drop-in replacement)."""
    advice: str
    #: True when replacing ``old`` by ``new`` at ``node`` keeps the meaning (a safe fix)
    safe_rename: bool = False


def _keyword(call: cst.CSTNode, name: str) -> cst.Name | None:
    if isinstance(call, cst.Call):
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == name:
                return arg.keyword
    return None


def _callee_name(call: cst.CSTNode) -> cst.CSTNode:
    func = call.func if isinstance(call, cst.Call) else call
    return func.attr if isinstance(func, cst.Attribute) else func


class LegacyTracker:
    """Interpreter tracker collecting LegacyUses at reachable and detached calls alike."""

    def __init__(self) -> None:
        self.uses: list[LegacyUse] = []

    def snapshot(self) -> None:
        return None

    def restore(self, snap: None) -> None:
        return None

    def join(self, a: None, b: None) -> None:
        return None

    def on_call(self, site: CallSite) -> None:
        call = site.node
        if not isinstance(call, cst.Call):
            return
        name, leaf = site.name, site.spelled.rsplit(".", 1)[-1]
        if any(site.spelled.startswith(prefix) for prefix in _KERAS2_MODULES):
            module = site.spelled.rsplit(".", 1)[0]
            self._add(_callee_name(call), module, None,
                      f"`{module}` is a Keras 2 module path; import `{leaf}` from `keras.layers`/`keras.utils`")
        result = site.result
        if isinstance(result, Obj) and result.type == models.LAYER and "layer" in result.data:
            layer = result.data["layer"]
            if leaf in _RENAMED_CLASSES:
                new = _RENAMED_CLASSES[leaf]
                same_meaning = not (leaf.startswith("Convolution") and layer.renamed and
                                    any(old.startswith("nb_row") for old, _ in layer.renamed))
                self._add(_callee_name(call), leaf, new, f"`{leaf}` is `{new}` in Keras 3", safe=same_meaning)
            if leaf in REMOVED_LAYERS:
                self._add(_callee_name(call), leaf, None,
                          f"`{leaf}` was removed in Keras 3; use the merge layers (`Add`, `Concatenate`, ...)")
            for old, new in layer.renamed:
                node = _keyword(call, old.split(",")[0].strip())
                if node is not None:
                    # dim_ordering's values change too ('th' -> 'channels_first'); nb_row/nb_col merge.
                    safe = old != "dim_ordering" and "," not in old
                    self._add(node, old, new, f"`{old}=` is `{new}=` in Keras 3", safe=safe)
            for key in ("input_shape", "input_dim", "batch_input_shape", "input_length"):
                node = _keyword(call, key)
                if node is None or layer.kind == "InputLayer" or (layer.kind == "Embedding" and key == "input_dim"):
                    continue  # Embedding's input_dim is its vocabulary size, not a shape
                self._add(node, key, None, f"`{key}=` on a layer is deprecated in Keras 3; start the model "
                                           f"with `keras.Input(shape=...)` instead")
        if name.startswith("keras.optimizers."):
            for old, new in _OPTIMIZER_KEYWORDS.items():
                node = _keyword(call, old)
                if node is not None:
                    self._add(node, old, new, f"`{old}=` is `{new}=` in Keras 3", safe=True)
            node = _keyword(call, "decay")
            if node is not None:
                self._add(node, "decay", None, "`decay=` was removed in Keras 3; pass a "
                                               "`keras.optimizers.schedules.LearningRateSchedule` as learning_rate")
        receiver = site.receiver
        if receiver is not None and receiver.type == models.MODEL:
            method = name.rsplit(".", 1)[-1]
            if method in _GENERATOR_METHODS:
                new = _GENERATOR_METHODS[method]
                self._add(_callee_name(call), method, new,
                          f"`{method}` was removed in Keras 3; `{new}` takes generators and datasets", safe=True)
            for old, new in _FIT_KEYWORDS.items():
                node = _keyword(call, old)
                if node is not None:
                    self._add(node, old, new, f"`{old}=` is `{new}=` in Keras 3", safe=True)
            for old, advice in _FIT_ADVICE.items():
                node = _keyword(call, old)
                if node is not None:
                    self._add(node, old, None, advice)

    def _add(self, node: cst.CSTNode, old: str, new: str | None, advice: str, *, safe: bool = False) -> None:
        self.uses.append(LegacyUse(node, old, new, advice, safe))
