"""``--statistics``: findings counted per rule, most frequent first (as ``ruff check --statistics``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from keraslint.diagnostics import Diagnostic


@dataclass(frozen=True)
class RuleCount:
    code: str
    name: str
    severity: str
    count: int


def count_by_rule(diagnostics: Sequence[Diagnostic]) -> list[RuleCount]:
    counts = Counter(d.code for d in diagnostics)
    first: dict[str, Diagnostic] = {}
    for d in diagnostics:
        first.setdefault(d.code, d)
    rows = [RuleCount(code, first[code].name, first[code].severity.value, n) for code, n in counts.items()]
    return sorted(rows, key=lambda r: (-r.count, r.code))
