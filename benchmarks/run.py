"""keraslint's speed and memory, measured in one run against the floor and against TensorFlow.

    python benchmarks/run.py [--files 200] [--out DIR]

It builds a corpus (the repository's fixture scripts plus generated training scripts of 50 to
1,500 lines), then measures, each as a fresh process:

* keraslint cold (empty cache) and warm (every file cached);
* the floor any libcst-based linter has: read, parse and walk the same files once with libcst,
  with the same number of worker processes keraslint uses;
* ``python -c "import tensorflow"``: what running the script costs before it even starts.

It prints the times, the ratios, the peak memory of the largest process, and whether each
target holds: check within 2x of the floor, warm runs 10x faster than cold, peak memory under
200 MB for 200 files.

Then what a pre-commit hook or an editor pays: the bundled example script alone and five
fixture scripts (as pre-commit passes a few changed files), each as a cold process without the
cache, the median of several runs after one unmeasured run (so bytecode is compiled), beside the
libcst floor on the same files (one process: import libcst, parse, one visit) and ``pylint -E``
(when pylint is installed: ``pip install -e '.[bench]'``; the row says so when it is not). Targets:
one file and five files within 1.5x the floor, one file faster than ``pylint -E``. Nothing is
hard-coded: every number is measured here and now.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FLOOR = textwrap.dedent('''
    import os, sys
    from concurrent.futures import ProcessPoolExecutor
    from pathlib import Path
    import libcst as cst

    class Walk(cst.CSTVisitor):
        def __init__(self):
            self.nodes = 0
        def on_visit(self, node):
            self.nodes += 1
            return True

    def one(path):
        try:
            module = cst.parse_module(Path(path).read_bytes())
        except Exception:
            return 0
        walker = Walk()
        module.visit(walker)
        return walker.nodes

    if __name__ == "__main__":
        files = [str(p) for p in sorted(Path(sys.argv[1]).rglob("*.py"))]
        workers = int(sys.argv[2])
        if workers > 1:
            with ProcessPoolExecutor(workers) as pool:
                total = sum(pool.map(one, files, chunksize=4))
        else:
            total = sum(map(one, files))
        print(total)
''')

BLOCK = '''

def build_{i}(steps={steps}, dims={dims}, filters={filters}):
    """Model {i}: a small Conv1D classifier."""
    model = tf.keras.Sequential([
        tf.keras.layers.Input(shape=(steps, dims)),
        tf.keras.layers.Conv1D(filters, {kernel}, padding="same", activation="relu"),
        tf.keras.layers.BatchNormalization(),
        tf.keras.layers.MaxPooling1D(2),
        tf.keras.layers.GlobalAveragePooling1D(),
        tf.keras.layers.Dense({classes}, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


x_{i} = np.random.rand(512, {steps}, {dims}).astype("float32")
y_{i} = np.random.randint(0, {classes}, size=512)
for batch_size in (32, 64):
    model_{i} = build_{i}()
    history_{i} = model_{i}.fit(x_{i}, y_{i}, epochs=1, batch_size=batch_size, verbose=0)
'''


def generated_script(lines: int, rng: random.Random) -> str:
    parts = ['"""A generated training script."""\nimport numpy as np\nimport tensorflow as tf\n\n'
             "tf.keras.utils.set_random_seed(0)\n"]
    index = 0
    while sum(part.count("\n") for part in parts) < lines:
        parts.append(BLOCK.format(i=index, steps=rng.choice([32, 50, 64, 100]), dims=rng.randint(1, 8),
                                  filters=rng.choice([8, 16, 32]), kernel=rng.choice([3, 5]),
                                  classes=rng.randint(2, 10)))
        index += 1
    return "".join(parts)


def build_corpus(folder: Path, count: int) -> tuple[int, int]:
    # Half real fixture scripts (every rule's bad and good cases, the corpus), half generated.
    fixtures = [p for p in sorted((ROOT / "fixtures").rglob("*.py")) if "models" not in p.parts]
    rng = random.Random(2026)
    chosen = rng.sample(fixtures, min(len(fixtures), count // 2))
    for index, path in enumerate(chosen):
        shutil.copy(path, folder / f"fixture_{index:03d}_{path.name}")
    generated = count - len(chosen)
    for index in range(generated):
        lines = 50 if index == 0 else 1500 if index == 1 else rng.randint(50, 1500)
        (folder / f"generated_{index:03d}.py").write_text(generated_script(lines, rng), encoding="utf-8")
    files = list(folder.glob("*.py"))
    return len(files), sum(p.read_text(encoding="utf-8").count("\n") for p in files)


_MEASURE = ("import resource, subprocess, sys\n"
            "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode\n"
            "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall time of a fresh process and the peak RSS (MB) of the largest process it ran.

    A small wrapper process runs the command so that RUSAGE_CHILDREN covers only that
    command's process tree (keraslint's workers included)."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    code, maxrss = (int(part) for part in result.stdout.split())
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(command[:4])} failed with exit code {code}")
    return elapsed, maxrss // 1024  # ru_maxrss is in KiB on Linux


def median_wall(command: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    """The median wall time of ``runs`` fresh processes, after one unmeasured run (bytecode)."""
    timed(command, env)
    return statistics.median(timed(command, env)[0] for _ in range(runs))


def small_runs(workdir: Path, floor_script: Path, env: dict[str, str], runs: int) -> list[tuple[str, bool, str]]:
    """The cold-process rows for one file and for five files; returns the targets."""
    one = workdir / "one"
    one.mkdir()
    shutil.copy(ROOT / "examples" / "train_conv1d.py", one)
    five = workdir / "five"
    five.mkdir()
    fixtures = sorted((ROOT / "fixtures" / "contract").glob("*.py"))
    for path in random.Random(5).sample(fixtures, 5):
        shutil.copy(path, five / f"{path.parent.name}_{path.name}")
    check = [sys.executable, "-m", "keraslint", "check", "--no-cache", "--exit-zero", "--output-format", "concise"]
    rows: list[tuple[str, float | None, str]] = []
    targets: list[tuple[str, bool, str]] = []
    for label, folder in (("1 file (examples/train_conv1d.py)", one), ("5 fixture files", five)):
        files = [str(p) for p in sorted(folder.glob("*.py"))]
        floor = median_wall([sys.executable, str(floor_script), str(folder), "1"], runs)
        ours = median_wall([*check, *files], runs, env)
        rows.append((f"libcst floor, {label}", floor, ""))
        rows.append((f"keraslint check --no-cache, {label}", ours, f"{ours / floor:.2f}x the floor"))
        targets.append((f"{label}: within 1.5x the floor", ours <= 1.5 * floor, f"{ours / floor:.2f}x"))
        if folder is one:
            pylint = shutil.which("pylint") or (shutil.which("pylint", path=str(Path(sys.executable).parent)))
            if pylint is None:
                rows.append(("pylint -E, " + label, None, "pylint not installed: pip install -e '.[bench]'"))
            else:
                theirs = median_wall([pylint, "-E", "--exit-zero", *files], runs)
                rows.append((f"pylint -E, {label}", theirs, f"keraslint is {theirs / ours:.2f}x as fast"))
                targets.append((f"{label}: faster than pylint -E", ours < theirs, f"{ours:.3f}s vs {theirs:.3f}s"))
    print(f"\n| {'what (cold process, median of ' + str(runs) + ')':<62} | {'time':>8} | note |")
    print(f"|{'-' * 64}|{'-' * 10}|------|")
    for name, seconds, note in rows:
        shown = f"{seconds:7.3f}s" if seconds is not None else f"{'-':>8}"
        print(f"| {name:<62} | {shown} | {note} |")
    return targets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--out", type=Path, default=None, help="keep the corpus here")
    parser.add_argument("--runs", type=int, default=7, help="runs per small-file measurement (median)")
    args = parser.parse_args()
    # The unmeasured first run compiles bytecode, as an installed keraslint has it; a shell that
    # sets PYTHONDONTWRITEBYTECODE would make every measured run compile all of it again.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    workdir = Path(tempfile.mkdtemp(prefix="keraslint-bench-"))
    corpus = args.out or workdir / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    files, lines = build_corpus(corpus, args.files)
    workers = min(os.cpu_count() or 1, 8)
    env = {**os.environ, "KERASLINT_CACHE_DIR": str(workdir / "cache")}
    keraslint = [sys.executable, "-m", "keraslint", "check", "--exit-zero", "--output-format", "concise", str(corpus)]

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}")
    print(f"corpus: {files} files, {lines:,} lines\n")
    floor_script = workdir / "floor.py"
    floor_script.write_text(FLOOR, encoding="utf-8")
    floor, floor_mem = timed([sys.executable, str(floor_script), str(corpus), str(workers)])
    floor_serial, _ = timed([sys.executable, str(floor_script), str(corpus), "1"])
    cold, cold_mem = timed(keraslint, env)
    warm, warm_mem = timed(keraslint, env)
    try:
        tensorflow, tf_mem = timed([sys.executable, "-c", "import tensorflow"])
    except SystemExit:
        tensorflow, tf_mem = float("nan"), 0

    rows = [
        ("libcst floor: read + parse + walk", floor, floor_mem, f"{workers} workers"),
        ("libcst floor, one process", floor_serial, 0, ""),
        ("keraslint check, cold cache", cold, cold_mem, f"{cold / floor:.2f}x the floor"),
        ("keraslint check, warm cache", warm, warm_mem, f"{cold / warm:.1f}x faster than cold"),
        ('python -c "import tensorflow"', tensorflow, tf_mem, "before a script even starts"),
    ]
    print(f"| {'what':<36} | {'time':>8} | {'peak RSS':>9} | note |")
    print(f"|{'-' * 38}|{'-' * 10}|{'-' * 11}|------|")
    for name, seconds, memory, note in rows:
        rss = f"{memory} MB" if memory else ""
        print(f"| {name:<36} | {seconds:7.2f}s | {rss:>9} | {note} |")
    targets = [
        ("check within 2x of the floor", cold <= 2 * floor, f"{cold / floor:.2f}x"),
        ("warm run 10x faster than cold", cold >= 10 * warm, f"{cold / warm:.1f}x"),
        (f"peak memory under 200 MB ({files} files)", cold_mem < 200, f"{cold_mem} MB"),
    ]
    targets += small_runs(workdir, floor_script, env, args.runs)
    print()
    for name, ok, value in targets:
        print(f"{'PASS' if ok else 'MISS'}  {name}: {value}")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
