"""Checking a project whose modules import each other: time must grow linearly with its size.

    python benchmarks/projects.py [--sizes 250,500,1000,2000] [--keep DIR]

For each size N it generates a package of N modules. Module i imports three earlier modules
(``from .m17 import block17``), defines a block function that calls theirs and builds Keras
layers, and one module in ten also does something at import time (``logging.getLogger``), so
that it is run at its import rather than lazily. A ``train.py`` beside the package imports the
last module, builds a model from its block and trains it. Then, each as a fresh process
without the cache:

* ``keraslint check .`` over the whole project (every module is also a checked file);
* ``keraslint check train.py`` alone (it reaches the import closure of the last module).

It prints the times, the time per module, how the time grew from one size to the next (1.0 per
doubling of the time per module is linear), and whether any file hit an internal error (KL009:
a RecursionError or the per-file budget). Nothing is hard-coded: every number is measured now.
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

ROOT = Path(__file__).resolve().parent.parent


def make_project(folder: Path, size: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    package = folder / "net"
    package.mkdir(parents=True)
    (folder / "pyproject.toml").write_text("[project]\nname = 'generated'\n")
    (package / "__init__.py").write_text(f"from .m{size - 1} import block{size - 1} as block\n")
    for i in range(size):
        deps = sorted(rng.sample(range(i), min(3, i)))
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


def timed(args: list[str], cwd: Path) -> tuple[float, list[dict]]:
    env = {**os.environ, "KERASLINT_CACHE_DIR": str(cwd / ".cache-unused")}
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "keraslint", "check", *args, "--no-cache",
                           "--output-format", "json", "--exit-zero"], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"keraslint failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    return elapsed, json.loads(proc.stdout or "[]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250,500,1000,2000")
    parser.add_argument("--keep", type=Path, help="generate the projects here and keep them")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    base = args.keep or Path(tempfile.mkdtemp(prefix="keraslint-projects-"))
    rows = []
    try:
        for size in sizes:
            folder = base / f"project-{size}"
            if folder.exists():
                shutil.rmtree(folder)
            make_project(folder, size)
            whole, found = timed(["."], folder)
            single, _ = timed(["train.py"], folder)
            errors = sum(1 for d in found if d["code"] == "KL009")
            rows.append((size, whole, single, errors, len(found)))
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    print(f"{'modules':>8}  {'check .':>9}  {'per module':>10}  {'growth':>7}  {'train.py':>9}  "
          f"{'findings':>8}  {'KL009':>5}")
    previous = None
    for size, whole, single, errors, found in rows:
        per = whole / (size + 1) * 1000
        growth = f"{per / previous:.2f}x" if previous else "-"
        previous = per
        print(f"{size:>8}  {whole:>8.2f}s  {per:>8.2f}ms  {growth:>7}  {single:>8.2f}s  {found:>8}  {errors:>5}")
    linear = all(r[3] == 0 for r in rows)
    pers = [r[1] / (r[0] + 1) for r in rows]
    ratio = pers[-1] / pers[0] if len(pers) > 1 else 1.0
    print(f"\ntime per module, largest vs smallest project: {ratio:.2f}x "
          f"({'linear' if ratio < 1.5 else 'SUPER-LINEAR'}); internal errors: "
          f"{'none' if linear else 'SOME (see KL009 column)'}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
