"""Where the time goes on one large script: libcst parse, keraslint's single walk, positions.

NOTES.md measured libcst's metadata providers on an 1,800-line file (PositionProvider ~0.8 s,
QualifiedNameProvider ~2 s). keraslint resolves names itself in its one walk and asks for
positions only when something is reported, and computes them itself (keraslint.source.positions,
the same ranges for a fraction of the cost); this script prints the numbers on this machine.

    python benchmarks/measure_costs.py [--lines 1800]
"""

from __future__ import annotations

import argparse
import time

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider, QualifiedNameProvider, ScopeProvider

from keraslint.checker import check_source
from keraslint.registry import all_rules
from keraslint.source.analysis import analyze
from keraslint.source.positions import positions

BLOCK = '''
def build_{i}(steps={steps}, dims=4):
    model = tf.keras.Sequential([
        tf.keras.layers.Input(shape=(steps, dims)),
        tf.keras.layers.Conv1D(32, 3, activation="relu"),
        tf.keras.layers.BatchNormalization(),
        tf.keras.layers.GlobalMaxPooling1D(),
        tf.keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


x_{i} = np.random.rand(256, {steps}, 4)
y_{i} = np.random.randint(0, 2, 256)
model_{i} = build_{i}()
model_{i}.fit(x_{i}, y_{i}, epochs=1, batch_size=32)
'''


def make_script(lines: int) -> str:
    head = "import numpy as np\nimport tensorflow as tf\n\ntf.keras.utils.set_random_seed(0)\n"
    parts, i = [head], 0
    while sum(p.count("\n") for p in parts) < lines:
        parts.append(BLOCK.format(i=i, steps=50 + i % 7))
        i += 1
    return "".join(parts)


def timed(label: str, fn, repeat: int = 3) -> object:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<44} {best * 1000:8.1f} ms")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1800)
    args = parser.parse_args()
    source = make_script(args.lines)
    print(f"script: {source.count(chr(10))} lines ({len(source) // 1024} KiB)")
    module = timed("libcst.parse_module", lambda: cst.parse_module(source))
    timed("keraslint source pass (one walk, all trackers)", lambda: analyze(module))
    timed("PositionProvider (what keraslint avoids)", lambda: MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider), 1)
    timed("the same positions, keraslint.source.positions", lambda: positions(module))
    timed("ScopeProvider", lambda: MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider), 1)
    timed("QualifiedNameProvider", lambda: MetadataWrapper(module, unsafe_skip_copy=True).resolve(QualifiedNameProvider), 1)
    codes = {r.code for r in all_rules()}
    timed("keraslint check_source, all rules", lambda: check_source(source, "big.py", selected=codes))
    clean = source.replace("tf.keras.utils.set_random_seed(0)", "tf.keras.utils.set_random_seed(0)\n"
                           "tf.config.experimental.enable_op_determinism()")
    report = timed("keraslint check_source, clean file", lambda: check_source(clean, "big.py", selected=codes))
    print(f"findings on the clean file: {len(report.diagnostics)} (positions resolved only if > 0)")


if __name__ == "__main__":
    main()
