"""Collects every model the script builds and every call that feeds it data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from keraslint.ir.graph import ModelGraph, Node
from keraslint.source import models
from keraslint.source.interpreter import CallSite
from keraslint.source.trackers import StatelessTracker
from keraslint.source.training import ModelUse, model_use
from keraslint.source.values import Array, Obj

#: calls whose first argument is data a subclassed model may take its input shape from
_FEEDING = frozenset({"fit", "predict", "evaluate", "train_on_batch", "test_on_batch", "predict_on_batch",
                      "__call__"})


@dataclass
class ModelFacts:
    #: model objects in creation order; a builder called twice gives two models
    objects: list[Obj] = field(default_factory=list)
    #: fit/evaluate/predict/... calls and model(x), in execution order
    uses: list[ModelUse] = field(default_factory=list)

    def graphs(self) -> list[ModelGraph]:
        found = []
        for obj in self.objects:
            graph = models.model_graph(obj)
            if graph is not None:
                if graph.kind == "subclass" and not graph.outputs:
                    models.note_unknown(graph, _untraced_call(obj))
                found.append(graph)
        return found

    def untraced(self) -> list[tuple[Obj, str]]:
        """Subclassed models the script creates that have no graph, with why (for the coverage
        report: they are models keraslint found and did not understand)."""
        found = []
        for obj in self.objects:
            if obj.data.get("graph") is not None or obj.data.get("sequence") is not None:
                continue
            cls = obj.data.get("script_class")
            name = getattr(cls, "name", None)
            if cls is not None and "call" in getattr(cls, "attached", ()):
                why = f"subclassed model whose call() is attached to the class after the model is made " \
                    f"(`{name}.call = ...`): keraslint traces a model's call() when it is made"
            elif cls is not None:
                why = "subclassed model without a call to follow"
            else:
                why = "subclassed model whose class keraslint did not read"
            found.append((obj, f"{name}: {why}" if name else why))
        return found


class ModelTracker(StatelessTracker):
    """Interpreter tracker: no flow-sensitive state, it only records what was built."""

    def __init__(self) -> None:
        self.facts = ModelFacts()
        self._shaped: set[int] = set()  # subclass inputs whose shape is already explained

    def quiet(self, site: CallSite) -> bool:
        """Whether ``on_call(site)`` would record nothing (summaries.py): it records models and
        the calls made on them only."""
        result, receiver = site.result, site.receiver
        return not (isinstance(result, Obj) and result.type == models.MODEL) \
            and (receiver is None or receiver.type != models.MODEL)

    def on_call(self, site: CallSite) -> None:
        result = site.result
        if isinstance(result, Obj) and result.type == models.MODEL and "graph" in result.data:
            if site.name in ("keras.Sequential", "keras.Model"):
                self.facts.objects.append(result)
        elif isinstance(result, Obj) and result.type == models.MODEL and site.name.endswith("#subclass"):
            self.facts.objects.append(result)  # its graph is traced from `call` right after (subclass.py)
        receiver = site.receiver
        if receiver is not None and receiver.type == models.MODEL:
            head = receiver.data.get("subclass_input")
            if isinstance(head, Node) and id(head) not in self._shaped:
                self._explain_input(head, site)
        use = model_use(site)
        if use is not None:
            self.facts.uses.append(use)

    def _explain_input(self, head: Node, site: CallSite) -> None:
        """Say where a subclassed model's input shape comes from when part of it is unknown: the
        first data it is fed (or ``build(shape)``) sets it, just before trackers see the call."""
        method = site.name.rsplit(".", 1)[-1]
        if method != "build" and method not in _FEEDING:
            return
        keyword = "input_shape" if method == "build" else "inputs" if method == "__call__" else "x"
        code = models.argument_code(site, 0, keyword)
        value = site.arg(0, keyword, default=None)
        if head.input_shape is None:
            if method != "build" and value is not None and head.unknown_reason is None:
                head.unknown_reason = (f"input shape unknown: the model is fed `{code or keyword}` ({method}), "
                                       f"whose shape keraslint could not determine{_from(value)}")
            return
        self._shaped.add(id(head))
        if method == "build":
            unknown = models.unknown_dims(value, 0) - {0}
        else:
            unknown = frozenset(i for i, d in enumerate(head.input_shape) if i > 0 and d is None)
        head.unknown_axes = unknown
        head.unknown_reason = None
        if unknown:
            head.unknown_reason = (f"input shape comes from `{code or keyword}` ({method}), which keraslint could "
                                   f"not fully determine{_from(value)}")


def _untraced_call(obj: Obj) -> str:
    """Why a subclassed model's call() gave no Keras tensors. When its input's shape never became
    known (the data it is fed is unknown to keraslint), that is said too: a call indexing or
    tiling its input (``inputs[:, :, i]``) cannot be followed on an input of unknown rank."""
    why = "subclassed model: keraslint could not follow its call() to Keras tensors"
    head = obj.data.get("subclass_input")
    if isinstance(head, Node) and head.input_shape is None and head.unknown_reason:
        return f"{why} on an input of unknown shape ({head.unknown_reason})"
    return why


def _from(value: Any) -> str:
    source = value.source if isinstance(value, Array) else None
    return f" (data from {source})" if source else ""
