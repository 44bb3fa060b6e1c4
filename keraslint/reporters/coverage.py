"""``check --show-coverage``: what keraslint understood of each file.

Per file with models: how many it found, how many are fully shaped (no axis of any layer
unknown to keraslint), and for each other model the first reason; then a total line, which
counts each model once: a builder in ``model.py`` is found by model.py's own check (run with
unknown arguments) and by every script that calls it, and is fully shaped when any of them
shaped it fully (a line that builds a model more than once, in a loop or in two calls of its
builder, counts as often as one file found it there). It reads
only the JSON summary each file's check left in ``FileReport.coverage``, so it is the same
whether the file was checked here, in a worker process, or came from the cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from keraslint.printable import printable


def _label(model: dict[str, Any], filename: str) -> str:
    kind = printable(str(model.get("kind") or "model").capitalize())
    name = f" '{printable(str(model['name']))}'" if model.get("name") else ""
    # in a notebook, as the reasons and `keraslint shapes` place it: the cell, the line inside it
    cell = f"cell {printable(str(model['cell']))}, " if model.get("cell") is not None else ""
    built = model.get("file")
    where = f"{printable(str(built))} " if built and built != filename else ""
    line = f" ({where}{cell}line {printable(str(model['line']))})" if model.get("line") else ""
    return f"{kind}{name}{line}"


def _identity(filename: str, model: dict[str, Any]) -> tuple[Any, ...]:
    """The same model wherever it was found: where it is built (a cache entry written before
    ``file`` was recorded is the checked file's), and what it is."""
    return (model.get("file") or filename, model.get("cell"), model.get("line"), model.get("kind"), model.get("name"))


def render_coverage(files: Sequence[tuple[str, Any]]) -> str:
    """``files``: (filename, coverage JSON or None when the file was not analysed), in order."""
    lines = ["Coverage: models found and how many keraslint fully shaped"]
    # a model -> (how many times one file found it at most, how many of those it shaped at most)
    distinct: dict[tuple[Any, ...], tuple[int, int]] = {}
    with_models = unanalysed = 0
    for raw_name, summary in files:
        filename = printable(raw_name)
        if not isinstance(summary, dict) or summary.get("analysed") is False or "error" in summary:
            unanalysed += 1
            why = summary.get("error") if isinstance(summary, dict) else None
            lines.append(f"{filename}: not analysed"
                         + (f" ({printable(str(why))})" if why else " (it could not be read or parsed)"))
            continue
        found = [m for m in summary.get("models", []) if isinstance(m, dict)]
        if not found:
            continue
        with_models += 1
        full = sum(bool(m.get("fully_shaped")) for m in found)
        here: dict[tuple[Any, ...], tuple[int, int]] = {}
        for model in found:  # a loop or two builder calls build the same line more than once
            key = _identity(raw_name, model)
            count, shaped_here = here.get(key, (0, 0))
            here[key] = (count + 1, shaped_here + bool(model.get("fully_shaped")))
        for key, (count, shaped_here) in here.items():
            most, most_shaped = distinct.get(key, (0, 0))
            distinct[key] = (max(most, count), max(most_shaped, shaped_here))
        lines.append(f"{filename}: {len(found)} model{'s' if len(found) != 1 else ''}, {full} fully shaped")
        for model in found:
            if not model.get("fully_shaped"):
                lines.append(f"  {_label(model, raw_name)}: {printable(str(model.get('reason') or 'unknown'))}")
    models, shaped = sum(c for c, _ in distinct.values()), sum(min(c, k) for c, k in distinct.values())
    share = f" ({100 * shaped / models:.0f}%)" if models else ""
    skipped = f"; {unanalysed} not analysed" if unanalysed else ""
    lines.append(f"Total: {models} model{'s' if models != 1 else ''} in {with_models} of {len(files)} "
                 f"file{'s' if len(files) != 1 else ''}, {shaped} fully shaped{share}{skipped}")
    return "\n".join(lines) + "\n"
