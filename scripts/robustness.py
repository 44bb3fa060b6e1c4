"""Run keraslint over code no one here wrote: the standard library and the installed Keras and
TensorFlow packages. Any KL009 (a rule or the source pass crashing) or a traceback fails.

    python scripts/robustness.py [--limit N] [--jobs N] [PATH ...]

With no PATH it checks the stdlib folder and the keras and tensorflow packages if installed
(found by location, never imported). Prints what it measured and exits 1 on any KL009.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import sysconfig
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from keraslint.checker import check_file
from keraslint.registry import all_rules

ALL = frozenset(r.code for r in all_rules())


def default_roots() -> list[Path]:
    roots = [Path(sysconfig.get_paths()["stdlib"])]
    for name in ("keras", "tensorflow"):
        spec = importlib.util.find_spec(name)  # locates the package without importing it
        if spec is not None and spec.submodule_search_locations:
            roots.extend(Path(p) for p in spec.submodule_search_locations)
    return roots


def files_under(roots: list[Path]) -> list[Path]:
    found = []
    for root in roots:
        found.extend(sorted(p for p in root.rglob("*.py") if "site-packages" not in p.relative_to(root).parts))
    return found


def check_one(path: Path) -> tuple[str, list[str], float]:
    start = time.perf_counter()
    try:
        report = check_file(path, str(path), selected=ALL)
    except BaseException as exc:  # noqa: BLE001 - the whole point is to catch what escapes
        return str(path), [f"TRACEBACK {type(exc).__name__}: {exc}"], time.perf_counter() - start
    crashes = [d.message for d in report.diagnostics if d.code == "KL009"]
    return str(path), crashes, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="check only the first N files")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    files = files_under(args.paths or default_roots())
    if args.limit:
        files = files[: args.limit]
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(check_one, files, chunksize=16))
    elapsed = time.perf_counter() - start
    failures = [(path, crashes) for path, crashes, _ in results if crashes]
    slowest = sorted(results, key=lambda r: r[2], reverse=True)[:5]
    print(f"checked {len(files)} files in {elapsed:.1f} s with {args.jobs} workers")
    print("slowest: " + ", ".join(f"{Path(p).name} {t:.2f}s" for p, _, t in slowest))
    for path, crashes in failures[:50]:
        print(f"FAIL {path}: {crashes[0]}")
    print(f"{len(failures)} files with KL009 or a traceback")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
