"""Spellings Keras 3 removed or renamed, found at the calls that use them (for KL403).

Each ``LegacyUse`` points at the exact piece of source to change (a keyword, a callee name),
so a later fix can rename it in place. A rename is *safe* only when the renamed call builds
the model the original built (under Keras 3, or under the Keras 2 it was written for when
Keras 3 rejects it): ``tests/test_fix_equivalence.py`` runs both under Keras to prove it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from keraslint.ir.normalize import plain
from keraslint.ir.signatures import SIGNATURES
from keraslint.source import models
from keraslint.source.interpreter import CallSite
from keraslint.source.trackers import StatelessTracker
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
# The keywords Keras 3's fit/evaluate/predict take: a generator call passing others (workers=,
# max_queue_size= ...) would fail after the rename. Positional arguments after the generator
# are never renamed: fit_generator(gen, 10) means steps_per_epoch=10, fit(gen, 10) means y=10.
_METHOD_KEYWORDS = {
    "fit": frozenset({"x", "y", "batch_size", "epochs", "verbose", "callbacks", "validation_split", "validation_data",
                      "shuffle", "class_weight", "sample_weight", "initial_epoch", "steps_per_epoch",
                      "validation_steps", "validation_batch_size", "validation_freq"}),
    "evaluate": frozenset({"x", "y", "batch_size", "verbose", "sample_weight", "steps", "callbacks", "return_dict"}),
    "predict": frozenset({"x", "batch_size", "verbose", "steps", "callbacks"}),
}
_KERAS2_MODULES = ("keras.layers.convolutional.", "keras.layers.core.", "keras.layers.recurrent.",
                   "keras.layers.pooling.", "keras.layers.normalization.", "keras.layers.embeddings.",
                   "keras.layers.merge.", "keras.layers.wrappers.", "keras.layers.advanced_activations.",
                   "keras.layers.noise.", "keras.utils.np_utils.", "keras.engine.")
# Aliases Keras 3 still accepts as exact synonyms are not legacy (MaxPool2D ...); only these are.
_RENAMED_CLASSES = {k: v for k, v in LEGACY_LAYER_ALIASES.items()
                    if k.startswith(("Convolution", "Atrous", "Deconvolution", "Separable", "Depthwise", "CuDNN"))}
# Of those, the ones Keras 3 still defines (as plain aliases: renaming them changes nothing);
# the others raise AttributeError under Keras 3. Checked by tests/test_fix_equivalence.py.
_KERAS3_ALIASES = frozenset({"Convolution1D", "Convolution2D", "Convolution3D", "Convolution2DTranspose",
                             "Convolution3DTranspose", "SeparableConvolution1D", "SeparableConvolution2D"})
# Keras 1 classes whose positional arguments after the filter count were the kernel size, one
# number per axis: Convolution2D(32, 3, 3). Keras 3 (and tf.keras) read the third number as
# `strides` and the fourth as `padding`.
_KERAS1_KERNEL_AXES = {"Convolution2D": 2, "AtrousConvolution2D": 2, "SeparableConvolution2D": 2,
                       "Deconvolution2D": 2, "Convolution3D": 3}
# Keywords every Keras 3 layer accepts besides its own parameters.
_LAYER_KEYWORDS = frozenset({"activity_regularizer", "trainable", "dtype", "autocast", "name", "input_dim",
                             "input_shape"})
_CUDNN_ADVICE = ("`{old}` was removed in Keras 3; `{new}` runs on cuDNN by itself when its arguments allow "
                 "(the defaults do), but it keeps one bias vector where `{old}` had two, so the model has fewer "
                 "weights and old weight files do not load as they are")


@dataclass(frozen=True)
class Rewrite:
    """A replacement for more than one node: the source from the start of ``first`` to the end
    of ``last`` becomes ``text``."""

    first: cst.CSTNode = field(repr=False)
    last: cst.CSTNode = field(repr=False)
    text: str


@dataclass(frozen=True)
class LegacyUse:
    node: cst.CSTNode = field(repr=False)
    old: str
    new: str | None
    """The Keras 3 spelling, when it is a plain rename (None: no drop-in replacement)."""
    advice: str
    #: True when replacing ``old`` by ``new`` at ``node`` keeps the meaning (a safe fix)
    safe_rename: bool = False
    #: what the fix says it does, when more than "Rename `old` to `new`" (an unsafe fix says why)
    fix_message: str = ""
    #: a rewrite of the call's arguments offered with the rename (always unsafe: it changes the model)
    arguments: Rewrite | None = None
    #: True when ``node`` is a class used by its bare name, so the import that binds it must follow
    imported_name: bool = False
    #: whether Keras 3 still defines ``old`` (so an import of it may stay)
    old_exists: bool = True


def _keyword(call: cst.CSTNode, name: str) -> cst.Name | None:
    if isinstance(call, cst.Call):
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == name:
                return arg.keyword
    return None


def _callee_name(call: cst.CSTNode) -> cst.CSTNode:
    func = call.func if isinstance(call, cst.Call) else call
    return func.attr if isinstance(func, cst.Attribute) else func


_CODE = cst.Module(body=[])


def _text(node: cst.CSTNode) -> str:
    return _CODE.code_for_node(node)


def _positional(call: cst.Call) -> list[cst.Arg]:
    return [arg for arg in call.args if arg.keyword is None and not arg.star]


def _accepts(kind: str, keyword: str) -> bool:
    """Whether the Keras 3 class ``kind`` takes ``keyword`` (unknown classes: no)."""
    return kind in SIGNATURES and (keyword in SIGNATURES[kind] or keyword in _LAYER_KEYWORDS)


class LegacyTracker(StatelessTracker):
    """Interpreter tracker collecting LegacyUses at reachable and detached calls alike."""

    def __init__(self) -> None:
        self.uses: list[LegacyUse] = []

    def quiet(self, site: CallSite) -> bool:
        """Whether ``on_call(site)`` would record nothing (summaries.py): tried, then undone."""
        before = len(self.uses)
        self.on_call(site)
        quiet = len(self.uses) == before
        del self.uses[before:]
        return quiet

    def on_call(self, site: CallSite) -> None:
        call = site.node
        if not isinstance(call, cst.Call):
            return
        name, leaf = site.name, site.spelled.rsplit(".", 1)[-1]
        if site.spelled.startswith(_KERAS2_MODULES):
            module = site.spelled.rsplit(".", 1)[0]
            self._add(_callee_name(call), module, None,
                      f"`{module}` is a Keras 2 module path; import `{leaf}` from `keras.layers`/`keras.utils`")
        result = site.result
        if isinstance(result, Obj) and result.type == models.LAYER and "layer" in result.data:
            layer = result.data["layer"]
            if leaf in _RENAMED_CLASSES and not site.star_args:
                self._class_rename(site, call, leaf, layer)
            if leaf in REMOVED_LAYERS:
                self._add(_callee_name(call), leaf, None,
                          f"`{leaf}` was removed in Keras 3; use the merge layers (`Add`, `Concatenate`, ...)")
            for old, new in layer.renamed:
                node = _keyword(call, old.split(",")[0].strip())
                if node is not None:
                    # dim_ordering's values change too ('th' -> 'channels_first'); nb_row/nb_col merge;
                    # a keyword the Keras 3 class does not take would only trade one error for another.
                    safe = old != "dim_ordering" and "," not in old and "," not in new and _accepts(layer.kind, new)
                    self._keyword_rename(call, node, old, new, safe=safe)
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
                    self._keyword_rename(call, node, old, new, safe=True)
            node = _keyword(call, "decay")
            if node is not None:
                self._add(node, "decay", None, "`decay=` was removed in Keras 3; pass a "
                                               "`keras.optimizers.schedules.LearningRateSchedule` as learning_rate")
        receiver = site.receiver
        if receiver is not None and receiver.type == models.MODEL:
            method = name.rsplit(".", 1)[-1]
            if method in _GENERATOR_METHODS:
                new = _GENERATOR_METHODS[method]
                advice = f"`{method}` was removed in Keras 3; `{new}` takes generators and datasets"
                keywords = {arg.keyword.value for arg in call.args if arg.keyword is not None} - set(_FIT_KEYWORDS)
                if len(_positional(call)) > 1 or any(a.star for a in call.args):
                    second = "batch_size" if new == "predict" else "y"
                    self._add(_callee_name(call), method, None,
                              f"{advice}; pass the arguments after the generator by keyword first (`{new}` reads "
                              f"its second positional argument as `{second}`)")
                elif keywords - _METHOD_KEYWORDS[new]:
                    self._add(_callee_name(call), method, None,
                              f"{advice}, but not `{sorted(keywords - _METHOD_KEYWORDS[new])[0]}=`")
                else:
                    self._add(_callee_name(call), method, new, advice, safe=True)
            for old, new in _FIT_KEYWORDS.items():
                node = _keyword(call, old)
                if node is not None:
                    self._keyword_rename(call, node, old, new, safe=True)
            for old, advice in _FIT_ADVICE.items():
                node = _keyword(call, old)
                if node is not None:
                    self._add(node, old, None, advice)

    def _add(self, node: cst.CSTNode, old: str, new: str | None, advice: str, *, safe: bool = False,
             **more: object) -> None:
        self.uses.append(LegacyUse(node, old, new, advice, safe, **more))  # type: ignore[arg-type]

    def _keyword_rename(self, call: cst.Call, node: cst.Name, old: str, new: str, *, safe: bool) -> None:
        if _keyword(call, new) is not None:
            # Renaming would repeat the keyword (a SyntaxError): the old one has to go instead.
            self._add(node, old, None, f"`{old}=` is `{new}=` in Keras 3, and this call passes both; "
                                       f"remove `{old}=`")
        else:
            self._add(node, old, new, f"`{old}=` is `{new}=` in Keras 3", safe=safe)

    def _class_rename(self, site: CallSite, call: cst.Call, leaf: str, layer: object) -> None:
        """``Convolution2D`` -> ``Conv2D`` and friends: safe only when the call keeps its meaning."""
        new, kind = _RENAMED_CLASSES[leaf], layer.kind  # type: ignore[attr-defined]
        node, positional = _callee_name(call), _positional(call)
        axes = _KERAS1_KERNEL_AXES.get(leaf)
        if axes is not None and len(positional) > 2:
            self._keras1_kernel(site, call, leaf, new, kind, positional, axes)
            return
        advice = f"`{leaf}` is `{new}` in Keras 3"
        bare = {"imported_name": isinstance(call.func, cst.Name), "old_exists": leaf in _KERAS3_ALIASES}
        if leaf.startswith("CuDNN"):
            self._add(node, leaf, new, _CUDNN_ADVICE.format(old=leaf, new=new), **bare,
                      fix_message=f"Rename `{leaf}` to `{new}` (a model with fewer weights: one bias vector, not two)")
            return
        renamed = {old.split(",")[0].strip() for old, _ in layer.renamed}  # type: ignore[attr-defined]
        rejected = [arg.keyword.value for arg in call.args if arg.keyword is not None
                    and arg.keyword.value not in renamed and not _accepts(kind, arg.keyword.value)]
        if leaf not in _KERAS3_ALIASES and (len(positional) > 2 or rejected):
            # Removed from Keras 3: only a call whose arguments mean the same to `new` renames safely.
            extra = f"; `{new}` does not take `{rejected[0]}=`" if rejected else ""
            self._add(node, leaf, None, f"`{leaf}` was removed in Keras 3; use `{new}`{extra}")
            return
        if leaf not in _KERAS3_ALIASES:
            advice = f"`{leaf}` was removed in Keras 3; it is `{new}`"
        self._add(node, leaf, new, advice, safe=True, **bare)

    def _keras1_kernel(self, site: CallSite, call: cst.Call, leaf: str, new: str, kind: str,
                       positional: list[cst.Arg], axes: int) -> None:
        """``Convolution2D(16, 3, 3)``: Keras 1's 3x3 kernel, but Keras 3's kernel 3 with stride 3.
        Reported for what it does today; the Keras 1 reading is offered as an unsafe rewrite."""
        names = SIGNATURES.get(kind, ())
        texts = [_text(arg.value) for arg in positional]
        today = ", ".join(f"{name}={text}" for name, text in zip(names[1:], texts[1:]))
        call_text = f"{leaf}({', '.join(texts)})"
        padding = names.index("padding") if "padding" in names else None
        if padding is not None and padding < len(positional) and not isinstance(plain(site.args[padding]), str):
            effect = "which Keras 3 rejects (`padding` must be \"valid\" or \"same\")"
            now = "a call Keras 3 rejects"
        else:
            effect = f"windows moved {texts[2]} steps at a time, so each spatial axis shrinks about {texts[2]}x"
            now = f"today's stride {texts[2]}"
        if leaf in _KERAS3_ALIASES:
            today = f"`{call_text}` is `{new}({texts[0]}, {today})` in Keras 3 and tf.keras"
        else:
            today = f"`{leaf}` was removed in Keras 3, and `{new}({', '.join(texts)})` means `{new}({texts[0]}, {today})`"
        kernel = [arg.value for arg in positional[1:1 + axes]]
        simple = len(positional) == 1 + axes and all(isinstance(plain(v), int) for v in site.args[1:1 + axes])
        if simple:
            size = "x".join(_text(v) for v in kernel)
            intent = f"({', '.join(_text(v) for v in kernel)})"
            advice = (f"{today}: {effect}; in Keras 1 it meant {texts[0]} filters of {size} "
                      f"(`{new}({texts[0]}, {intent})`, stride 1)")
            self._add(_callee_name(call), leaf, new, advice, arguments=Rewrite(kernel[0], kernel[-1], intent),
                      imported_name=isinstance(call.func, cst.Name), old_exists=leaf in _KERAS3_ALIASES,
                      fix_message=f"Rewrite as `{new}({texts[0]}, {intent})`, Keras 1's meaning: a {size} kernel "
                                  f"with stride 1 instead of {now} (changes the model)")
        else:
            self._add(_callee_name(call), leaf, None,
                      f"{today}: {effect}; in Keras 1 the numbers after the filter count were the kernel size, "
                      f"one per axis")
