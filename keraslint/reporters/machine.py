"""``json`` and ``json-lines``: Diagnostic.to_json() objects, validated by schemas/diagnostics.schema.json."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from keraslint.diagnostics import Diagnostic
from keraslint.reporters.statistics import count_by_rule


_SURROGATE = re.compile("[\ud800-\udfff]")


def dumps(value: Any, **options: Any) -> str:
    """JSON that encodes as UTF-8 whatever it holds: a lone surrogate (an undecodable byte of a
    file name, kept by surrogateescape) is written as its ``\\udcff`` escape, which Python's
    json reads back to the same name, so ``os.fsencode`` gives the bytes on disk again."""
    text = json.dumps(value, ensure_ascii=False, **options)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if _SURROGATE.search(text) else text


def _objects(diagnostics: Sequence[Diagnostic], statistics: bool) -> list[dict[str, Any]]:
    if statistics:
        return [
            {"code": r.code, "name": r.name, "count": r.count, "severity": r.severity}
            for r in count_by_rule(diagnostics)
        ]
    return [d.to_json() for d in diagnostics]


def render_json(diagnostics: Sequence[Diagnostic], *, statistics: bool = False, **_: Any) -> str:
    return dumps(_objects(diagnostics, statistics), indent=2) + "\n"


def render_json_lines(diagnostics: Sequence[Diagnostic], *, statistics: bool = False, **_: Any) -> str:
    return "".join(
        dumps(obj, separators=(",", ":")) + "\n"
        for obj in _objects(diagnostics, statistics)
    )
