"""``json`` and ``json-lines``: Diagnostic.to_json() objects, validated by schemas/diagnostics.schema.json."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from keraslint.diagnostics import Diagnostic
from keraslint.reporters.statistics import count_by_rule


def _objects(diagnostics: Sequence[Diagnostic], statistics: bool) -> list[dict[str, Any]]:
    if statistics:
        return [
            {"code": r.code, "name": r.name, "count": r.count, "severity": r.severity}
            for r in count_by_rule(diagnostics)
        ]
    return [d.to_json() for d in diagnostics]


def render_json(diagnostics: Sequence[Diagnostic], *, statistics: bool = False, **_: Any) -> str:
    return json.dumps(_objects(diagnostics, statistics), indent=2, ensure_ascii=False) + "\n"


def render_json_lines(diagnostics: Sequence[Diagnostic], *, statistics: bool = False, **_: Any) -> str:
    return "".join(
        json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"
        for obj in _objects(diagnostics, statistics)
    )
