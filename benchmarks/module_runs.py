"""How often ``keraslint check .`` runs the top level of each module it reaches, and what share
of the check that is.

    python benchmarks/module_runs.py DIR

Checks DIR in this one process (no worker pool, no cache; keraslint's own code, timed from
outside by wrapping three of its methods) and prints one JSON object:

* ``checked``: files checked; ``modules``: distinct project modules whose top level ran;
  ``runs``: how many times a module's top level ran in all (once per module would be
  ``modules``; once per checked file that reaches it is what keraslint does);
* ``seconds``: the whole check; ``top_level``: time spent in modules' top-level statements,
  not counting the functions they call, split into ``imports`` (import statements, including
  finding the modules) and ``definitions`` (everything else: ``def``, constants).

benchmarks/projects.py runs it for each generated project. The timers add a few percent; the
shares are what to read, not the absolute seconds.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable


def measure(folder: Path) -> dict[str, Any]:
    import libcst as cst

    import keraslint.run as run
    from keraslint.source import interpreter, modules

    run.IN_PROCESS_MAX_FILES = 10 ** 9  # every file in this process, where the timers are
    spent = {"imports": 0.0, "definitions": 0.0}
    runs: dict[str, int] = {}
    nested: list[float] = []

    def timed(kind: str | None, call: Callable[[], Any]) -> Any:
        """``call()``, its time less that of the timed calls inside it added to ``kind``."""
        started = time.perf_counter()
        nested.append(0.0)
        try:
            return call()
        finally:
            elapsed = time.perf_counter() - started
            inner = nested.pop()
            if kind is not None:
                spent[kind] += elapsed - inner
            if nested:
                nested[-1] += elapsed

    def is_import(statement: cst.CSTNode) -> bool:
        return isinstance(statement, cst.SimpleStatementLine) and isinstance(
            statement.body[0], (cst.Import, cst.ImportFrom))

    real_exec = interpreter.Interpreter.exec_block
    real_call = interpreter.Interpreter.call_function
    real_run = modules.Loader.run

    def run_module(self: Any, source: Any, frame: Any) -> None:
        # the same as Interpreter.run_module, one timer per top-level statement
        saved = self.frame, self.returned
        self.frame, self.returned = frame, False
        session = self.summaries
        if session is not None:
            session.entering_module(1)
        try:
            for statement in source.module.body:
                kind = "imports" if is_import(statement) else "definitions"
                timed(kind, lambda s=statement: real_exec(self, [s]))
                if self.returned:
                    break
        finally:
            self.frame, self.returned = saved
            if session is not None:
                session.entering_module(-1)

    def loader_run(self: Any, interp: Any, module: Any) -> Any:
        if module.state == "new" and module.path is not None:
            runs[str(module.path)] = runs.get(str(module.path), 0) + 1
        return real_run(self, interp, module)

    interpreter.Interpreter.run_module = run_module  # type: ignore[method-assign]
    interpreter.Interpreter.call_function = lambda self, *a, **k: timed(  # type: ignore[method-assign]
        None, lambda: real_call(self, *a, **k))
    modules.Loader.run = loader_run  # type: ignore[method-assign]

    from keraslint.cli import main

    os.chdir(folder)
    os.environ["KERASLINT_CACHE_DIR"] = str(folder / ".cache-unused")
    sys.argv = ["keraslint", "check", ".", "--no-cache", "--output-format", "json", "--exit-zero"]
    started = time.perf_counter()
    out, sys.stdout = sys.stdout, open(os.devnull, "w")
    try:
        main()
    except SystemExit:
        pass
    finally:
        sys.stdout.close()
        sys.stdout = out
    seconds = time.perf_counter() - started
    checked = sum(1 for _ in folder.rglob("*.py"))
    return {"checked": checked, "modules": len(runs), "runs": sum(runs.values()), "seconds": round(seconds, 3),
            "top_level": round(spent["imports"] + spent["definitions"], 6),
            "imports": round(spent["imports"], 6), "definitions": round(spent["definitions"], 6)}


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]).resolve())))
