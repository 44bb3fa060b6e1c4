"""``keraslint shapes``: each model's layers, output shapes and parameter counts, statically.

Think of it as ``model.summary()`` without TensorFlow and without running the script; layers
that a finding points at are marked with its code. An axis keraslint could not determine is
``?`` (``"?"`` in JSON), a dynamic axis the model declares (the batch axis, ``Input((None, 8))``)
stays ``None`` as Keras prints it, and each model lists why parts of it are unknown, first cause
first. The same summaries give ``check --show-coverage`` its per-file figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from keraslint.config import display_path
from keraslint.graph.layers import fmt_shape, source_of
from keraslint.graph.propagate import AnalyzedModel, Blind, NodeResult
from keraslint.ir.graph import Shape
from keraslint.printable import printable

if TYPE_CHECKING:
    from rich.console import Console

    from keraslint.checker import FileReport
    from keraslint.source.notebook import Notebook

#: an axis (or a whole shape) keraslint could not determine
UNKNOWN_DIM = "?"
Display = tuple[int | str | None, ...] | str
LineOf = Callable[[Any], "int | None"]


def display(shape: Shape | None, blind: Blind = frozenset()) -> Display:
    """A shape as the report shows it: None where the model declares a dynamic axis, ``?`` where
    keraslint does not know (the whole shape when even its rank is unknown)."""
    if shape is None:
        return UNKNOWN_DIM
    return tuple(UNKNOWN_DIM if i in blind else d for i, d in enumerate(shape))


def fmt_display(shape: Display) -> str:
    return shape if isinstance(shape, str) else fmt_shape(shape)  # type: ignore[arg-type]


def _has_unknown(shape: Display) -> bool:
    return isinstance(shape, str) or UNKNOWN_DIM in shape


def _json_shape(shape: Display) -> Any:
    return shape if isinstance(shape, str) else list(shape)


@dataclass
class LayerRow:
    name: str
    kind: str
    line: int | None
    outputs: tuple[Display, ...]
    params: int | None
    findings: list[str] = field(default_factory=list)
    #: the file the line is in, when it is not the model's (a layer built in an imported module)
    file: str | None = None
    #: in a notebook: the cell (1-based, among all cells) the line is in; ``line`` counts inside it
    cell: int | None = None
    #: this row's node, and the rows whose outputs it takes (for the diagrams' edges)
    id: int = 0
    inputs: tuple[int, ...] = ()


@dataclass
class ModelSummary:
    filename: str
    name: str | None
    kind: str
    line: int | None
    inputs: list[Display]
    outputs: list[Display]
    total_params: int | None
    complete: bool
    layers: list[LayerRow]
    #: why parts of the model are unknown, first cause first
    unknown: list[str] = field(default_factory=list)
    #: in a notebook: the cell ``line`` is in
    cell: int | None = None

    @property
    def fully_shaped(self) -> bool:
        """No output axis of any layer is unknown to keraslint (and the model was resolved)."""
        return self.complete and bool(self.layers) and not any(
            _has_unknown(shape) for row in self.layers for shape in row.outputs)

    def to_json(self) -> dict[str, Any]:
        return {
            "filename": self.filename, "name": self.name, "kind": self.kind, "line": self.line,
            **({"cell": self.cell} if self.cell is not None else {}),
            "inputs": [_json_shape(s) for s in self.inputs], "outputs": [_json_shape(s) for s in self.outputs],
            "total_params": self.total_params, "complete": self.complete, "fully_shaped": self.fully_shaped,
            "unknown": self.unknown,
            "layers": [{"name": r.name, "kind": r.kind, "line": r.line,
                        **({"file": r.file} if r.file else {}), **({"cell": r.cell} if r.cell is not None else {}),
                        "output_shape": _json_shape(r.outputs[0]) if len(r.outputs) == 1
                        else [_json_shape(o) for o in r.outputs],
                        "params": r.params, "findings": r.findings} for r in self.layers],
        }


def summarize(report: FileReport) -> list[ModelSummary]:
    ctx = report.context
    if ctx is None:
        return []
    return summarize_context(ctx, report.filename, report.diagnostics, notebook=report.notebook)


def summarize_context(ctx: Any, filename: str, diagnostics: Sequence[Any] = (), *,
                      notebook: Notebook | None = None) -> list[ModelSummary]:
    """The models of one analysed file (a Context), findings marked on their layers. In a
    notebook, lines are counted inside their cell (``cell`` says which)."""
    by_row: dict[tuple[str, int], list[str]] = {}
    for diagnostic in diagnostics:
        if diagnostic.pass_.value == "graph":
            row = diagnostic.location.row
            if notebook is not None and diagnostic.cell is not None and diagnostic.filename == filename:
                row = notebook.program_row(diagnostic.cell, row)  # findings count rows in their cell
            by_row.setdefault((diagnostic.filename, row), []).append(diagnostic.code)
    label: Callable[[int], str] = ctx.row_label if getattr(ctx, "row_label", None) is not None \
        else (lambda row: f"line {row}")

    def line_of(node: Any) -> int | None:
        return ctx.line_of(node) if node is not None and ctx.module is not None else None

    by_layer: dict[str, list[str]] = {}
    if ctx.module is None:  # a saved model: findings have no line, they name the layer instead
        for diagnostic in diagnostics:
            for model in ctx.models:
                for layer in model.graph.layers():
                    if layer.name and f"'{layer.name}'" in diagnostic.message:
                        by_layer.setdefault(layer.name, []).append(diagnostic.code)
    def file_of(node: Any) -> str:
        """Which file a node is in: an imported project module's, or the checked file."""
        source = ctx.source_of(node) if node is not None and ctx.module is not None else None
        return display_path(source.path) if source is not None else filename

    summaries = []
    seen: set[tuple[Any, ...]] = set()
    applied = _first_applications(ctx.models)
    for model in ctx.models:
        summary = _summarize_model(model, line_of, by_row, by_layer, file_of, label, filename)
        inner, where = applied.get(model.graph.id, (None, None))
        if not summary.fully_shaped and inner is not None:
            # A model used as a layer is built by the tensor it is first applied to (Keras builds
            # an undeclared Sequential then): shown as that application shapes it, unless the
            # model's own declared input shapes it further.
            applied_as = _summarize_model(inner, line_of, by_row, by_layer, file_of, label, filename)
            if applied_as.fully_shaped or not model.graph.inputs or model.graph.inputs[0].node.input_shape is None:
                summary = applied_as
                if not summary.fully_shaped and not summary.unknown:
                    # the cause is upstream, in the model that applies it
                    line = line_of(where)
                    summary.unknown.append("used as a layer" + (f" at {label(line)}" if line else "") +
                                           " on a tensor whose shape keraslint could not determine")
        key = (summary.line, tuple((r.line, r.outputs) for r in summary.layers))
        if key in seen:
            continue  # the same builder run twice with the same arguments
        seen.add(key)
        summaries.append(summary)
    if ctx.facts is not None:
        for obj, why in ctx.facts.models.untraced():
            cls = obj.data.get("script_class")
            summaries.append(ModelSummary(filename, getattr(cls, "name", None), "subclass", line_of(obj.node), [], [],
                                          None, False, [], [why]))
    if notebook is not None:
        for summary in summaries:
            if summary.filename == filename:  # a model built in an imported module keeps its lines
                _in_cells(summary, notebook)
    return summaries


def _in_cells(summary: ModelSummary, notebook: Notebook) -> None:
    """Rows of the notebook's joined program as ``cell``, line inside it (a layer built in an
    imported module keeps that module's line)."""
    if summary.line is not None:
        found = notebook.locate(summary.line)
        if found is not None:
            summary.cell, summary.line = found[0].cell, found[1]
    for row in summary.layers:
        if row.line is not None and row.file is None:
            found = notebook.locate(row.line)
            if found is not None:
                row.cell, row.line = found[0].cell, found[1]


def _first_applications(models: Sequence[AnalyzedModel]) -> dict[int, tuple[AnalyzedModel, Any]]:
    """For each model used as a layer of another: the run of its first application, and where
    that application is."""
    found: dict[int, tuple[AnalyzedModel, Any]] = {}
    for model in models:
        for outer, node, _ in model.walk():
            inner = outer.nested.get(node.id)
            if inner is not None:
                # an entry of a Sequential's list carries the inner model's own constructor: the
                # application is the Sequential(...) that lists it
                where = node.node if node.node is not inner.graph.node else outer.graph.node
                found.setdefault(inner.graph.id, (inner, where))
    return found


def _summarize_model(model: AnalyzedModel, line_of: LineOf, by_row: dict[tuple[str, int], list[str]],
                     by_layer: dict[str, list[str]], file_of: Callable[[Any], str],
                     label: Callable[[int], str], checked: str) -> ModelSummary:
    graph = model.graph
    home = file_of(graph.node)

    def other_file(node: Any) -> str | None:
        where = file_of(node)
        return where if where != home else None

    rows = []
    counted: set[int] = set()
    for node in model.order:
        result = model.result(node)
        outputs = tuple(display(shape, result.blind_axes(i)) for i, shape in enumerate(result.outputs))
        # the tensors it takes, keyword ones (initial_state, mask) too: the diagrams' edges
        inputs = tuple(dict.fromkeys(t.node.id for t in [*node.inputs, *node.dependencies]))
        if node.layer is None:
            rows.append(LayerRow(node.input_name or "input", "InputLayer", line_of(node.node), outputs, 0,
                                 file=other_file(node.node), id=node.id))
            continue
        line = line_of(source_of(node))
        params = None if node.layer.id in counted else result.params
        if node.layer.id in counted:
            params = 0  # a shared layer's weights are counted once
        counted.add(node.layer.id)
        elsewhere = other_file(source_of(node))
        found = by_row.get((elsewhere or home, line), []) if line is not None else by_layer.get(node.layer.name or "", [])
        layer = node.layer
        kind = layer.spelled if layer.kind in ("Opaque", "Application") and layer.spelled else layer.kind
        rows.append(LayerRow(node.layer.name or "", kind, line, outputs, params, sorted(set(found)), file=elsewhere,
                             id=node.id, inputs=inputs))
    return ModelSummary(home, graph.name, graph.kind, line_of(graph.node),
                        [_input_shape(model, t) for t in graph.inputs],
                        [display(s, b) for s, b in zip(model.output_shapes(), model.output_blind())],
                        model.total_params(), graph.complete, rows, _reasons(model, line_of, label, file_of, checked))


def _reasons(model: AnalyzedModel, line_of: LineOf, label: Callable[[int], str], file_of: Callable[[Any], str],
             checked: str) -> list[str]:
    """The model's own notes, then each node that introduces an unknown, in graph order; a line
    of another file than the checked one is named with its file."""
    reasons = list(model.graph.unknown)
    for _, node, result in model.walk():
        if result.reason is None or not _unknown_here(result):
            continue
        at = source_of(node) if node.layer is not None else node.node
        line = line_of(at)
        where = file_of(at) if line else checked
        text = result.reason + (f" ({label(line) if where == checked else f'{where} line {line}'})" if line else "")
        if text not in reasons:
            reasons.append(text)
    return reasons


def _unknown_here(result: NodeResult) -> bool:
    return any(shape is None for shape in result.outputs) or any(result.blind)


def _input_shape(model: AnalyzedModel, tensor: Any) -> Display:
    result = model.results.get(tensor.node.id)  # an input no output depends on is not in the run
    if result is not None and tensor.index < len(result.outputs):
        return display(result.outputs[tensor.index], result.blind_axes(tensor.index))
    return display(tensor.node.input_shape, tensor.node.unknown_axes)


def coverage(summaries: Sequence[ModelSummary]) -> dict[str, Any]:
    """What ``check --show-coverage`` prints for one file, as JSON (it travels from worker
    processes and through the cache). ``file`` is where the model is built: the checked file, or
    the project module whose builder the checked file called."""
    return {"models": [{"name": s.name, "kind": s.kind, "file": s.filename, "line": s.line, "cell": s.cell,
                        "fully_shaped": s.fully_shaped,
                        "reason": None if s.fully_shaped else (s.unknown[0] if s.unknown else
                                                               "part of the model could not be resolved")}
                       for s in summaries]}


def location(cell: int | None, line: int | None) -> str:
    """``12``, or ``cell 3:2`` in a notebook (as ``check`` prints a notebook's findings)."""
    if line is None:
        return ""
    return f"cell {cell}:{line}" if cell is not None else str(line)


def render_table(summaries: Sequence[ModelSummary], console: Console) -> None:
    # rich's tables load only for `keraslint shapes`: every check imports this module for coverage
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    if not summaries:
        console.print("No Keras models found.")
        return
    for summary in summaries:
        # Names come from the files (a saved model's layer names too): escaped for the terminal
        # (printable) and for rich's markup (escape).
        where = f"{summary.filename}:{location(summary.cell, summary.line)}" if summary.line else summary.filename
        title = printable(f"{summary.kind.capitalize()} model" + (f" '{summary.name}'" if summary.name else "")
                          + f" ({where})")
        if not summary.layers:
            console.print(escape(title) + ": no layers keraslint could follow")
        else:
            # the title on a line of its own: as a table's title rich wraps it to the table's width,
            # cutting a long path in the middle
            console.print(escape(title), soft_wrap=True)
            table = Table(box=box.SIMPLE_HEAVY)
            table.add_column("Layer")
            table.add_column("Line", justify="right")
            table.add_column("Output shape")
            table.add_column("Params", justify="right")
            table.add_column("Findings")
            for row in summary.layers:
                label = f"{row.name} ({row.kind})" if row.name else row.kind
                params = "?" if row.params is None else f"{row.params:,}"
                shape = ", ".join(fmt_display(o) for o in row.outputs)
                line = f"{row.file}:{row.line}" if row.file and row.line else location(row.cell, row.line)
                table.add_row(*(escape(printable(cell)) for cell in (label, line, shape, params, ", ".join(row.findings))))
            console.print(table)
            total = "unknown" if summary.total_params is None else f"{summary.total_params:,}"
            note = "" if summary.complete else "  (part of the model could not be resolved)"
            console.print(f"Total params: {total}{note}")
        if summary.unknown:
            console.print("Unknown to keraslint (? above):" if summary.layers else "Unknown to keraslint:")
            for reason in summary.unknown:
                console.print(f"  - {escape(printable(reason))}")
        console.print()
