"""Regenerate keraslint/shapes/application_layers.json: each keras.applications network's
inner layers (include_top=False, weights=None, 3 input channels, default width), in Keras's
order, as [name, channels, k] where the layer's spatial size is the network's first k spatial
steps (application_table.STEPS) applied to the input, or [name, None, None] where no such k
fits at every measured input size (then keraslint leaves the layer's shape unknown).

    python scripts/gen_application_layers.py [NETWORK ...]   (merges into the existing file)

Names Keras draws from its session counters (conv2d_37, batch_normalization_12 ...) change
between two builds in one session; they are written as None so nothing is looked up by them.
"""

from __future__ import annotations

import json
import os
import sys
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")

import keras  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from keraslint.shapes.application_table import APPLICATIONS  # noqa: E402
from keraslint.shapes.applications import spatial  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "keraslint", "shapes", "application_layers.json")


def _shape(layer: keras.layers.Layer) -> tuple | None:
    shape = layer.output.shape
    return tuple(shape) if len(shape) == 4 else None


def measure(network: str) -> list:
    steps, default, minimum = APPLICATIONS[network][:3]
    sizes = sorted({minimum, minimum + 1, 150, default})
    builds = []
    keras.backend.clear_session()
    for size in sizes:
        model = getattr(keras.applications, network)(weights=None, include_top=False,
                                                     input_shape=(size, size + 1, 3))
        builds.append([(layer.name, _shape(layer)) for layer in model.layers])
    again = getattr(keras.applications, network)(weights=None, include_top=False,
                                                 input_shape=(sizes[0], sizes[0] + 1, 3))
    names = [layer.name for layer in again.layers]
    if len({len(b) for b in builds}) != 1 or len(names) != len(builds[0]):
        raise SystemExit(f"{network}: the layer count depends on the input size")
    rows = []
    for i, (name, _) in enumerate(builds[0]):
        stable = name if names[i] == name and all(b[i][0] == name for b in builds) else None
        shapes = [b[i][1] for b in builds]
        channels = {s[3] for s in shapes if s is not None}
        fit = None
        if None not in shapes and len(channels) == 1:
            for k in range(len(steps) + 1):
                if all(s[1:3] == (spatial(steps[:k], size, size), spatial(steps[:k], size + 1, size + 1))
                       for s, size in zip(shapes, sizes)):
                    fit = k
                    break
        rows.append([stable, channels.pop() if fit is not None else None, fit])
    return rows


def main() -> None:
    data = {}
    if os.path.exists(OUT):
        with open(OUT) as handle:
            data = json.load(handle)
    for network in sys.argv[1:] or list(APPLICATIONS):
        data[network] = measure(network)
        with open(OUT, "w") as handle:  # written after each network, so a long run keeps its progress
            json.dump({"keras": keras.__version__, **{k: v for k, v in data.items() if k != "keras"}},
                      handle, separators=(",", ":"))
            handle.write("\n")
        print(network, len(data[network]), flush=True)


if __name__ == "__main__":
    main()
