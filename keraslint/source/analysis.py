"""The facts the source pass computes once per file and every rule reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import libcst as cst

from keraslint.source import consulted
from keraslint.source.array_problems import ArrayProblem, ArrayProblemTracker
from keraslint.source.interpreter import Interpreter
from keraslint.source.legacy import LegacyTracker, LegacyUse
from keraslint.source.model_tracker import ModelFacts, ModelTracker
from keraslint.source import summaries
from keraslint.source.module_files import Source
from keraslint.source.seeding import SeedingFacts, SeedTracker
from keraslint.source.weight_problems import (
    WeightAssignment,
    WeightLoad,
    WeightProblem,
    WeightProblemTracker,
)


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
    #: the project's other modules that ran (their nodes may carry findings), in load order
    imported: list[Source] = field(default_factory=list)
    #: id of another module's node -> the call in the checked file that ran it (None: import time)
    origins: dict[int, Any] = field(default_factory=dict)
    #: project modules that were skipped: (path, why)
    module_notes: list[tuple[Path, str]] = field(default_factory=list)
    #: every project file read: resolved path -> sha256, and every data file looked for:
    #: resolved path -> files.data_stamp (the cache's dependencies)
    dependencies: dict[str, str] = field(default_factory=dict)
    #: array operations NumPy/TensorFlow certainly refuse (KL209)
    array_problems: list[ArrayProblem] = field(default_factory=list)
    #: initial weights whose known shape cannot fit the layer (KL308)
    weight_problems: list[WeightProblem] = field(default_factory=list)
    #: set_weights calls on layers and models, judged with the graph's shapes (KL308)
    weight_assignments: list[WeightAssignment] = field(default_factory=list)
    #: load_weights calls with a literal .h5 path (KL308)
    weight_loads: list[WeightLoad] = field(default_factory=list)


def analyze(module: cst.Module, script_dir: Path | None = None, script_path: Path | None = None) -> SourceFacts:
    """Run the abstract interpreter over ``module`` once, with every tracker attached.
    ``script_dir`` is where files the script names relatively are looked up (np.load headers)
    and where the project's modules it imports are found; ``script_path`` is the file itself."""
    seeding = SeedTracker()
    built = ModelTracker()
    legacy = LegacyTracker()
    problems, weights = ArrayProblemTracker(), WeightProblemTracker(script_dir)
    interpreter = Interpreter(module, [seeding, built, legacy, problems, weights], script_dir=script_dir, script_path=script_path)
    with consulted.consulting() as data_files:
        interpreter.run()
    loader = interpreter.loader
    imported = [m.source for m in loader.modules.values() if m.source is not None] if loader else []
    dependencies = dict(loader.read) if loader else {}
    if loader is not None:
        # modules a summarized call reached (summaries.py): the same imports and dependencies as
        # if the call had run here
        imported.extend(summaries.ghost_sources(loader))
        for source in summaries.ghost_reads(loader):
            dependencies[source.resolved] = source.digest
    for path in sorted(data_files, key=str):  # after the modules read: those keep their content hash
        resolved, stamp = consulted.dependency(path)
        dependencies.setdefault(resolved, stamp)
    return SourceFacts(seeding=seeding.facts, models=built.facts, legacy=legacy.uses,
                       globals=dict(interpreter.module_frame.vars), steps=interpreter.steps,
                       exhausted=interpreter.exhausted, imported=imported, origins=interpreter.origins,
                       module_notes=list(loader.notes) if loader else [],
                       dependencies=dependencies, array_problems=problems.problems,
                       weight_problems=weights.problems, weight_assignments=weights.assignments,
                       weight_loads=weights.loads)
