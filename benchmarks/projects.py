"""Checking a project whose modules import each other: time must grow linearly with its size.

    python benchmarks/projects.py [--sizes 200,1000,2000] [--keep DIR] [--no-cache-runs]

For each size N it generates a package of N modules. Module i imports three earlier modules
(``from .m17 import block17``), defines a block function that calls theirs and builds Keras
layers, and one module in ten also does something at import time (``logging.getLogger``), so
that it is run at its import rather than lazily. A ``train.py`` beside the package imports the
last module, builds a model from its block and trains it. Then, each as a fresh process
without the cache:

* ``keraslint check .`` over the whole project (every module is also a checked file);
* ``keraslint check train.py`` alone (it reaches the import closure of the last module).

It prints the times, the time per module and per 1,000 lines, how the time per module grew from
one size to the next (1.0 is linear; also in CPU time, user and system, of the process and its
workers, which a busy shared machine disturbs less than the wall time), the peak memory of the
largest process, and whether any file hit an internal error (KL009: a RecursionError or the
per-file budget). Then, with the
cache: a first run, a second run with nothing changed, and a run after one module in the middle
of the import graph was edited; for that run it counts the cache entries written (the files
re-analysed) beside the number that had to be: the edited module and every module and script
that imports it, directly or not. Then, in one process with timers (benchmarks/module_runs.py),
how many times the modules' top levels ran against how many modules there are, and their
share of the check. Targets: peak memory under 300 MB; each module's top level run once per
run. Nothing is hard-coded: every number is measured now.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def make_project(folder: Path, size: int, seed: int = 0) -> dict[int, list[int]]:
    """Writes the project; returns each module's imports (module index -> imported indexes)."""
    rng = random.Random(seed)
    imports: dict[int, list[int]] = {}
    package = folder / "net"
    package.mkdir(parents=True)
    (folder / "pyproject.toml").write_text("[project]\nname = 'generated'\n")
    (package / "__init__.py").write_text(f"from .m{size - 1} import block{size - 1} as block\n")
    for i in range(size):
        deps = sorted(rng.sample(range(i), min(3, i)))
        imports[i] = deps
        lines = ["import keras", "from keras import layers"]
        lines += [f"from .m{j} import block{j}" for j in deps]
        if i % 10 == 5:
            lines += ["import logging", "log = logging.getLogger(__name__)"]
        lines += [f"WIDTH{i} = {8 + i % 5 * 8}", "", "", f"def block{i}(x, depth=0):",
                  f"    x = layers.Dense(WIDTH{i}, activation='relu')(x)"]
        lines += ["    if depth < 2:"] + [f"        x = block{j}(x, depth + 1)" for j in deps] if deps else []
        lines += ["    return x", ""]
        (package / f"m{i}.py").write_text("\n".join(lines) + "\n")
    (folder / "train.py").write_text(
        "import keras\nimport numpy as np\n\nfrom net import block\n\n"
        "keras.utils.set_random_seed(0)\n"
        "inputs = keras.Input(shape=(16,))\n"
        "outputs = keras.layers.Dense(1)(block(inputs))\n"
        "model = keras.Model(inputs, outputs)\n"
        "model.compile(optimizer='adam', loss='mse')\n"
        "model.fit(np.zeros((32, 16)), np.zeros((32, 1)))\n")
    return imports


def dependants(imports: dict[int, list[int]], changed: int) -> set[int]:
    """Every module that imports ``changed``, directly or through others."""
    users: dict[int, set[int]] = {}
    for module, deps in imports.items():
        for dep in deps:
            users.setdefault(dep, set()).add(module)
    found: set[int] = set()
    todo = [changed]
    while todo:
        for user in users.get(todo.pop(), ()):
            if user not in found:
                found.add(user)
                todo.append(user)
    return found


_MEASURE = ("import resource, subprocess, sys\n"
            "proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
            "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
            "sys.stdout.write(f'{usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}\\n' + proc.stdout)\n"
            "sys.stderr.write(proc.stderr)\n"
            "sys.exit(proc.returncode)")


#: CPU seconds (user + system, the process and its workers) of the last ``timed`` run: on a
#: shared machine the wall time says how busy it was as much as how fast the check is
LAST_CPU = [0.0]


def timed(args: list[str], cwd: Path, cache: Path | None = None) -> tuple[float, list[dict], int]:
    """Wall time, findings and peak RSS (MB) of one fresh ``keraslint check`` process (with the
    cache in ``cache``, or without one); its CPU time is left in ``LAST_CPU``."""
    env = {**os.environ, "KERASLINT_CACHE_DIR": str(cache or cwd / ".cache-unused")}
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _MEASURE, sys.executable, "-m", "keraslint", "check", *args,
                           *([] if cache else ["--no-cache"]), "--output-format", "json", "--exit-zero"],
                          cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"keraslint failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    usage, _, output = proc.stdout.partition("\n")
    maxrss, cpu = usage.split()
    LAST_CPU[0] = float(cpu)
    return elapsed, json.loads(output or "[]"), int(maxrss) // 1024


def module_runs(folder: Path) -> dict[str, Any]:
    """benchmarks/module_runs.py on ``folder``, in a process of its own (it wraps keraslint's
    methods with timers): how often modules' top levels ran, and their share of the check."""
    proc = subprocess.run([sys.executable, str(Path(__file__).with_name("module_runs.py")), str(folder)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"module_runs.py failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    return json.loads(proc.stdout)


def written_since(folder: Path, since: float) -> int:
    return sum(1 for entry in folder.rglob("*") if entry.is_file() and entry.stat().st_mtime >= since)


def cache_runs(folder: Path, size: int, imports: dict[int, list[int]]) -> tuple[float, float, float, int, int]:
    """First, unchanged and after-one-edit runs with the cache; entries written vs needed."""
    cache = folder / ".bench-cache"
    first, _, _ = timed(["."], folder, cache)
    unchanged, _, _ = timed(["."], folder, cache)
    changed = size // 2
    module = folder / "net" / f"m{changed}.py"
    module.write_text(module.read_text().replace(f"WIDTH{changed} = ", f"WIDTH{changed} = 1 + "))
    time.sleep(0.01)
    since = time.time()
    edited, _, _ = timed(["."], folder, cache)
    users = dependants(imports, changed)
    # the edited module, its dependants, the package __init__ and train.py if they reach it
    needed = 1 + len(users) + (2 if size - 1 in users or changed == size - 1 else 0)
    return first, unchanged, edited, written_since(cache, since), needed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,1000,2000")
    parser.add_argument("--keep", type=Path, help="generate the projects here and keep them")
    parser.add_argument("--no-cache-runs", action="store_true", help="skip the three runs with the cache")
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # measured as installed: with compiled bytecode
    sizes = [int(s) for s in args.sizes.split(",")]
    base = args.keep or Path(tempfile.mkdtemp(prefix="keraslint-projects-"))
    rows, cached, tops = [], [], []
    try:
        for size in sizes:
            folder = base / f"project-{size}"
            if folder.exists():
                shutil.rmtree(folder)
            imports = make_project(folder, size)
            lines = sum(p.read_text().count("\n") for p in folder.rglob("*.py"))
            whole, found, memory = timed(["."], folder)
            cpu = LAST_CPU[0]
            single, _, _ = timed(["train.py"], folder)
            errors = sum(1 for d in found if d["code"] == "KL009")
            rows.append((size, lines, whole, single, errors, len(found), memory, cpu))
            tops.append((size, module_runs(folder)))
            if not args.no_cache_runs:
                cached.append((size, *cache_runs(folder, size, imports)))
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    print(f"{'modules':>8}  {'lines':>7}  {'check .':>9}  {'per module':>10}  {'per 1k lines':>12}  {'growth':>7}  "
          f"{'CPU/module':>10}  {'growth':>7}  {'train.py':>9}  {'peak RSS':>8}  {'KL009':>5}")
    previous = previous_cpu = None
    for size, lines, whole, single, errors, _found, memory, cpu in rows:
        per, per_cpu = whole / (size + 1) * 1000, cpu / (size + 1) * 1000
        growth = f"{per / previous:.2f}x" if previous else "-"
        growth_cpu = f"{per_cpu / previous_cpu:.2f}x" if previous_cpu else "-"
        previous, previous_cpu = per, per_cpu
        print(f"{size:>8}  {lines:>7,}  {whole:>8.2f}s  {per:>8.1f}ms  {whole / lines * 1000:>10.2f}s  {growth:>7}  "
              f"{per_cpu:>8.1f}ms  {growth_cpu:>7}  {single:>8.2f}s  {memory:>5} MB  {errors:>5}")
    pers = [r[2] / (r[0] + 1) for r in rows]
    ratio = pers[-1] / pers[0] if len(pers) > 1 else 1.0
    cpus = [r[7] / (r[0] + 1) for r in rows]
    cpu_ratio = cpus[-1] / cpus[0] if len(cpus) > 1 and cpus[0] else 1.0
    peak = max(r[6] for r in rows)
    print(f"\ntime per module, largest vs smallest project: {ratio:.2f}x "
          f"({'linear' if ratio < 1.5 else 'SUPER-LINEAR'}); internal errors: "
          f"{'none' if all(r[4] == 0 for r in rows) else 'SOME (see KL009 column)'}")
    if cached:
        print(f"\n{'modules':>8}  {'cache: first':>12}  {'unchanged':>9}  {'one edited':>10}  {'re-analysed':>11}  "
              f"{'needed':>6}")
        for size, first, unchanged, edited, written, needed in cached:
            print(f"{size:>8}  {first:>11.2f}s  {unchanged:>8.2f}s  {edited:>9.2f}s  {written:>11}  {needed:>6}")
    print(f"\n{'modules':>8}  {'checked':>7}  {'reached':>7}  {'top-level runs':>14}  {'per module':>10}  "
          f"{'share of the check':>18}  {'imports':>7}  {'definitions':>11}")
    for size, top in tops:
        print(f"{size:>8}  {top['checked']:>7}  {top['modules']:>7}  {top['runs']:>14,}  "
              f"{top['runs'] / max(top['modules'], 1):>10.1f}  {top['top_level'] / top['seconds']:>18.0%}  "
              f"{top['imports'] / top['seconds']:>7.0%}  {top['definitions'] / top['seconds']:>11.0%}")
    print()
    print(f"{'PASS' if ratio < 1.5 else 'MISS'}  linear in the project's size: {ratio:.2f}x per module "
          f"(CPU time: {cpu_ratio:.2f}x)")
    print(f"{'PASS' if peak < 300 else 'MISS'}  peak memory under 300 MB: {peak} MB")
    if cached:
        exact = all(written <= needed for *_, written, needed in cached)
        print(f"{'PASS' if exact else 'MISS'}  after one edit the cache re-analyses only the module and its dependants")
    once = all(top["runs"] == top["modules"] for _, top in tops)
    size, top = tops[-1]
    print(f"{'PASS' if once else 'MISS'}  each module's top level run once per run: at {size} modules, "
          f"{top['runs']:,} runs of {top['modules']} modules, {top['top_level'] / top['seconds']:.0%} of the check "
          f"(imports {top['imports'] / top['seconds']:.0%}, definitions {top['definitions'] / top['seconds']:.0%})")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
