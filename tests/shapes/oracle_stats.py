"""Per-layer counters of oracle cases, printed in the pytest terminal summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class OracleStats:
    cases: Counter[str] = field(default_factory=Counter)  # generated
    rejected: Counter[str] = field(default_factory=Counter)  # Keras and the engine both rejected
    known: Counter[str] = field(default_factory=Counter)  # skipped by the known-difference predicate


STATS = OracleStats()
