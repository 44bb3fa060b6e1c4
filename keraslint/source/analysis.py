"""The facts the source pass computes once per file and every rule reads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import libcst as cst

from keraslint.source.interpreter import Interpreter
from keraslint.source.legacy import LegacyTracker, LegacyUse
from keraslint.source.model_tracker import ModelFacts, ModelTracker
from keraslint.source.seeding import SeedingFacts, SeedTracker


@dataclass
class SourceFacts:
    seeding: SeedingFacts
    models: ModelFacts
    legacy: list[LegacyUse]
    #: what the module's top-level names are bound to at the end (import aliases, for fixes)
    globals: dict[str, Any]
    #: statements and expressions the interpreter evaluated (for the benchmark and tests)
    steps: int
    #: True when the step budget ran out and the tail of the analysis was skipped
    exhausted: bool


def analyze(module: cst.Module, script_dir: Path | None = None) -> SourceFacts:
    """Run the abstract interpreter over ``module`` once, with every tracker attached.
    ``script_dir`` is where files the script names relatively are looked up (np.load headers)."""
    seeding = SeedTracker()
    built = ModelTracker()
    legacy = LegacyTracker()
    interpreter = Interpreter(module, [seeding, built, legacy], script_dir=script_dir)
    interpreter.run()
    return SourceFacts(seeding=seeding.facts, models=built.facts, legacy=legacy.uses,
                       globals=dict(interpreter.module_frame.vars), steps=interpreter.steps,
                       exhausted=interpreter.exhausted)
