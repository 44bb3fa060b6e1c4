"""``keraslint shapes --output-format mermaid|dot|svg|png``: each model drawn as a graph of layers.

What ``keras.utils.plot_model(show_shapes=True)`` draws, from the same summaries as the table
(keraslint.summary), so without TensorFlow, pydot or a built model: a box per layer with its
name, kind, output shape and parameter count, an arrow per tensor it takes, and the layers a
finding points at coloured by the finding's severity and labelled with its code. Mermaid
(``flowchart TD``) renders in GitHub READMEs and comments; DOT is Graphviz's language, and
``svg``/``png`` run Graphviz's ``dot`` program on it when it is installed.

Names come from the checked files (a saved model's layer names too), so every label is made
printable and escaped for the language it is written in: a layer name can never end a label
or start a statement.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Sequence

from keraslint.printable import printable
from keraslint.summary import LayerRow, ModelSummary, fmt_display, location

__all__ = ["IMAGE_FORMATS", "DiagramError", "render_dot", "render_image", "render_mermaid"]

IMAGE_FORMATS = ("svg", "png")
#: how long Graphviz may take to lay out one run's models
DOT_TIMEOUT_SECONDS = 60

# Severity colours: error red, warning amber, info blue (fill, border, text).
_COLOURS = {"error": ("#fde2e1", "#c62828", "#7f0000"), "warning": ("#fff3cd", "#e0a800", "#5c4400"),
            "info": ("#e1ecfd", "#1e63c6", "#0b2e6b")}
_RANK = {"error": 0, "warning": 1, "info": 2}


class DiagramError(Exception):
    """The image could not be drawn (``dot`` missing or failing): one line for the user."""


def _severities() -> dict[str, str]:
    from keraslint.registry import rule_infos

    return {info.code: str(info.severity) for info in rule_infos()}


def _worst(codes: Sequence[str], severity_of: dict[str, str]) -> str | None:
    known = [severity_of.get(code, "warning") for code in codes]
    return min(known, key=_RANK.__getitem__) if known else None


def _title(summary: ModelSummary) -> str:
    where = summary.filename + (f":{location(summary.cell, summary.line)}" if summary.line else "")
    name = f" '{summary.name}'" if summary.name else ""
    params = "" if summary.total_params is None else f", {summary.total_params:,} params"
    return printable(f"{summary.kind.capitalize()} model{name} ({where}){params}")


def _lines(row: LayerRow) -> list[str]:
    """A layer's box, line by line: name and kind, output shape, parameters, findings."""
    head = f"{row.name}: {row.kind}" if row.name else row.kind
    lines = [head, ", ".join(fmt_display(shape) for shape in row.outputs)]
    if row.kind != "InputLayer":
        lines.append("? params" if row.params is None else f"{row.params:,} params")
    if row.findings:
        lines.append(" ".join(row.findings))
    return [printable(line) for line in lines]


def _edges(summary: ModelSummary) -> list[tuple[int, int]]:
    present = {row.id for row in summary.layers}
    return [(source, row.id) for row in summary.layers for source in row.inputs if source in present]


# --- Mermaid ---------------------------------------------------------------------------------

def _mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid label: Mermaid's entity codes for what would end the label
    (``"``), start an entity (``#``), read as HTML (``<``, ``>``, ``&``) or as Markdown (a backtick)."""
    out = []
    for char in text:
        if char in '"#<>&`':
            out.append(f"#{ord(char)};")
        else:
            out.append(char)
    return "".join(out)


def render_mermaid(summaries: Sequence[ModelSummary]) -> str:
    """One ``flowchart TD`` with a subgraph per model."""
    severity_of = _severities()
    out = ["flowchart TD"]
    if not summaries:
        out.append('  none["No Keras models found."]')
    used: set[str] = set()
    for index, summary in enumerate(summaries, start=1):
        out.append(f'  subgraph m{index}["{_mermaid_text(_title(summary))}"]')
        out.append("    direction TB")
        ids = {row.id: f"m{index}n{k}" for k, row in enumerate(summary.layers, start=1)}
        if not summary.layers:
            out.append(f'    m{index}none["no layers keraslint could follow"]')
        for row in summary.layers:
            label = "<br/>".join(_mermaid_text(line) for line in _lines(row))
            shape = ('(["', '"])') if row.kind == "InputLayer" else ('["', '"]')  # inputs: stadium
            worst = _worst(row.findings, severity_of)
            klass = f":::{worst}" if worst else ""
            if worst:
                used.add(worst)
            out.append(f"    {ids[row.id]}{shape[0]}{label}{shape[1]}{klass}")
        for source, target in _edges(summary):
            out.append(f"    {ids[source]} --> {ids[target]}")
        out.append("  end")
    for severity in sorted(used, key=_RANK.__getitem__):
        fill, stroke, colour = _COLOURS[severity]
        out.append(f"  classDef {severity} fill:{fill},stroke:{stroke},color:{colour},stroke-width:2px")
    return "\n".join(out) + "\n"


# --- DOT -------------------------------------------------------------------------------------

def _dot_string(text: str) -> str:
    """A DOT quoted string: backslashes (which would start \\N, \\l ...) and quotes escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dot_label(lines: Sequence[str]) -> str:
    return _dot_string("\n".join(lines)).replace("\n", "\\n")


def render_dot(summaries: Sequence[ModelSummary]) -> str:
    """A ``digraph`` with a cluster per model, for Graphviz."""
    severity_of = _severities()
    out = ["digraph keraslint {", "  rankdir=TB;", '  graph [fontname="Helvetica", fontsize=12];',
           ('  node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#555555", '
            'fontname="Helvetica", fontsize=11];'), '  edge [color="#555555"];']
    if not summaries:
        out.append(f"  none [label={_dot_string('No Keras models found.')}, shape=plaintext];")
    for index, summary in enumerate(summaries, start=1):
        out.append(f"  subgraph cluster_{index} {{")
        out.append(f"    label={_dot_string(_title(summary))};")
        out.append('    style="rounded"; color="#999999";')
        ids = {row.id: f"m{index}n{k}" for k, row in enumerate(summary.layers, start=1)}
        if not summary.layers:
            out.append(f"    m{index}none [label={_dot_string('no layers keraslint could follow')}, shape=plaintext];")
        for row in summary.layers:
            attributes = [f"label={_dot_label(_lines(row))}"]
            if row.kind == "InputLayer":
                attributes.append('fillcolor="#eeeeee"')
            worst = _worst(row.findings, severity_of)
            if worst:
                fill, stroke, colour = _COLOURS[worst]
                attributes += [f'fillcolor="{fill}"', f'color="{stroke}"', f'fontcolor="{colour}"', "penwidth=2"]
            out.append(f"    {ids[row.id]} [{', '.join(attributes)}];")
        for source, target in _edges(summary):
            out.append(f"    {ids[source]} -> {ids[target]};")
        out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"


# --- images ----------------------------------------------------------------------------------

def render_image(summaries: Sequence[ModelSummary], image_format: str,
                 which: Callable[[str], str | None] = shutil.which) -> bytes:
    """The DOT drawing laid out by Graphviz's ``dot`` (run directly, no shell)."""
    program = which("dot")
    if program is None:
        raise DiagramError(f"--output-format {image_format} needs Graphviz's `dot` program, which is not on PATH "
                           "(install Graphviz, or use --output-format dot or mermaid)")
    try:
        done = subprocess.run([program, f"-T{image_format}"], input=render_dot(summaries).encode("utf-8"),
                              capture_output=True, timeout=DOT_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise DiagramError(f"`dot` did not finish within {DOT_TIMEOUT_SECONDS} seconds") from None
    except OSError as exc:
        raise DiagramError(f"could not run `dot`: {exc.strerror or exc}") from None
    if done.returncode != 0 or not done.stdout:
        first = next((line for line in done.stderr.decode("utf-8", "replace").splitlines() if line.strip()), "")
        raise DiagramError(f"`dot` failed (exit {done.returncode})" + (f": {printable(first)}" if first else ""))
    return done.stdout
