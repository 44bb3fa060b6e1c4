"""``keraslint shapes``: each model's layers, output shapes and parameter counts, statically.

Think of it as ``model.summary()`` without TensorFlow and without running the script; layers
that a finding points at are marked with its code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from keraslint.checker import FileReport
from keraslint.graph.layers import fmt_shape, source_of
from keraslint.graph.propagate import AnalyzedModel
from keraslint.ir.graph import Shape


@dataclass
class LayerRow:
    name: str
    kind: str
    line: int | None
    outputs: tuple[Shape | None, ...]
    params: int | None
    findings: list[str] = field(default_factory=list)


@dataclass
class ModelSummary:
    filename: str
    name: str | None
    kind: str
    line: int | None
    inputs: list[Shape | None]
    outputs: list[Shape | None]
    total_params: int | None
    complete: bool
    layers: list[LayerRow]

    def to_json(self) -> dict[str, Any]:
        return {
            "filename": self.filename, "name": self.name, "kind": self.kind, "line": self.line,
            "inputs": self.inputs, "outputs": self.outputs, "total_params": self.total_params,
            "complete": self.complete,
            "layers": [{"name": r.name, "kind": r.kind, "line": r.line,
                        "output_shape": r.outputs[0] if len(r.outputs) == 1 else list(r.outputs),
                        "params": r.params, "findings": r.findings} for r in self.layers],
        }


def summarize(report: FileReport) -> list[ModelSummary]:
    ctx = report.context
    if ctx is None:
        return []
    by_row: dict[int, list[str]] = {}
    for diagnostic in report.diagnostics:
        if diagnostic.pass_.value == "graph":
            by_row.setdefault(diagnostic.location.row, []).append(diagnostic.code)

    def line_of(node: Any) -> int | None:
        return ctx.line_of(node) if node is not None and ctx.module is not None else None

    by_layer: dict[str, list[str]] = {}
    if ctx.module is None:  # a saved model: findings have no line, they name the layer instead
        for diagnostic in report.diagnostics:
            for model in ctx.models:
                for layer in model.graph.layers():
                    if layer.name and f"'{layer.name}'" in diagnostic.message:
                        by_layer.setdefault(layer.name, []).append(diagnostic.code)
    summaries = []
    seen: set[tuple[Any, ...]] = set()
    for model in ctx.models:
        summary = _summarize_model(report.filename, model, line_of, by_row, by_layer)
        key = (summary.line, tuple((r.line, r.outputs) for r in summary.layers))
        if key in seen:
            continue  # the same builder run twice with the same arguments
        seen.add(key)
        summaries.append(summary)
    return summaries


def _summarize_model(filename: str, model: AnalyzedModel, line_of: Any, by_row: dict[int, list[str]],
                     by_layer: dict[str, list[str]]) -> ModelSummary:
    rows = []
    counted: set[int] = set()
    for node in model.order:
        result = model.result(node)
        if node.layer is None:
            rows.append(LayerRow(node.input_name or "input", "InputLayer", line_of(node.node), result.outputs, 0))
            continue
        line = line_of(source_of(node))
        params = None if node.layer.id in counted else result.params
        if node.layer.id in counted:
            params = 0  # a shared layer's weights are counted once
        counted.add(node.layer.id)
        found = by_row.get(line, []) if line is not None else by_layer.get(node.layer.name or "", [])
        kind = node.layer.spelled if node.layer.kind == "Opaque" and node.layer.spelled else node.layer.kind
        rows.append(LayerRow(node.layer.name or "", kind, line, result.outputs, params, sorted(set(found))))
    graph = model.graph
    return ModelSummary(filename, graph.name, graph.kind, line_of(graph.node),
                        [_input_shape(model, t) for t in graph.inputs],
                        model.output_shapes(), model.total_params(), graph.complete, rows)


def _input_shape(model: AnalyzedModel, tensor: Any) -> Shape | None:
    result = model.results.get(tensor.node.id)  # an input no output depends on is not in the run
    if result is not None and tensor.index < len(result.outputs):
        return result.outputs[tensor.index]
    return tensor.node.input_shape


def render_table(summaries: Sequence[ModelSummary], console: Console) -> None:
    if not summaries:
        console.print("No Keras models found.")
        return
    for summary in summaries:
        where = f"{summary.filename}:{summary.line}" if summary.line else summary.filename
        title = f"{summary.kind.capitalize()} model" + (f" '{summary.name}'" if summary.name else "") + f" ({where})"
        table = Table(title=title, box=box.SIMPLE_HEAVY, title_justify="left")
        table.add_column("Layer")
        table.add_column("Line", justify="right")
        table.add_column("Output shape")
        table.add_column("Params", justify="right")
        table.add_column("Findings")
        for row in summary.layers:
            label = f"{row.name} ({row.kind})" if row.name else row.kind
            params = "?" if row.params is None else f"{row.params:,}"
            shape = ", ".join(fmt_shape(o) for o in row.outputs)
            table.add_row(label, str(row.line or ""), shape, params, ", ".join(row.findings))
        console.print(table)
        total = "unknown" if summary.total_params is None else f"{summary.total_params:,}"
        note = "" if summary.complete else "  (part of the model could not be resolved)"
        console.print(f"Total params: {total}{note}\n")
