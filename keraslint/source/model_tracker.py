"""Collects every model the script builds and every call that feeds it data."""

from __future__ import annotations

from dataclasses import dataclass, field

from keraslint.ir.graph import ModelGraph
from keraslint.source import models
from keraslint.source.interpreter import CallSite
from keraslint.source.training import ModelUse, model_use
from keraslint.source.values import Obj


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
                found.append(graph)
        return found


class ModelTracker:
    """Interpreter tracker: no flow-sensitive state, it only records what was built."""

    def __init__(self) -> None:
        self.facts = ModelFacts()

    def on_call(self, site: CallSite) -> None:
        result = site.result
        if isinstance(result, Obj) and result.type == models.MODEL and "graph" in result.data:
            if site.name in ("keras.Sequential", "keras.Model"):
                self.facts.objects.append(result)
        elif isinstance(result, Obj) and result.type == models.MODEL and site.name.endswith("#subclass"):
            self.facts.objects.append(result)  # its graph is traced from `call` right after (subclass.py)
        use = model_use(site)
        if use is not None:
            self.facts.uses.append(use)

    def snapshot(self) -> None:
        return None

    def restore(self, snap: None) -> None:
        return None

    def join(self, a: None, b: None) -> None:
        return None
