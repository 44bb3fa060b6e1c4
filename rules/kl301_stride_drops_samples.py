from collections.abc import Iterator

from keraslint.context import Context
from keraslint.diagnostics import Pass, Severity
from keraslint.graph.layers import (CONVOLUTIONS, POOLINGS, layout_known, padding, source_of, spatial_axes,
                                    trailing_zeros, window)
from keraslint.rule import Finding, Invalid, Rule

_UNITS = {1: ("timestep", "timesteps"), 2: ("element", "elements"), 3: ("element", "elements")}


class StrideDropsSamples(Rule):
    """A strided `valid` convolution or pooling never sees the last elements of its input.

    ## What it does
    For `Conv*`, `SeparableConv*`, `DepthwiseConv*` and `Max/AveragePooling*` layers with
    `padding="valid"` (the default) and a known input length L, the effective kernel
    k = (kernel_size - 1) * dilation_rate + 1 and the stride s leave `(L - k) % s`
    trailing elements that no window ever covers. Pooling uses its pool size as kernel and
    (by default) as stride. The message gives L, k, s, how many elements are dropped, the
    output length and input lengths that would fit. Image layers (2D/3D pooling and strided
    convolutions) that lose only one border row or column, as every convnet with odd
    feature-map sizes does (`Conv2D(k=3, strides=2)` on 96x96 gives 47x47), are not
    reported: the border pixel rarely carries the signal. Sequences (1D) are, because their
    last elements are often the most recent ones. Nor is a layer whose dropped elements are
    the zeros a `ZeroPadding` layer just added at the end (a ResNet stem's
    `ZeroPadding1D(3)` then `Conv1D(k=7, s=2)`): every real element is still seen.

    ## Why is this bad?
    Keras does not complain: `Conv1D(4, 2, strides=2)` gives length 4 for inputs of length 8
    *and* 9. The tail of every sequence (often the most recent timesteps) silently never
    reaches the model.

    ## Example
    ```python
    keras.Input(shape=(100, 8))
    keras.layers.Conv1D(32, kernel_size=5, strides=3)   # drops the last 2 timesteps
    ```

    Use instead:
    ```python
    keras.Input(shape=(100, 8))
    keras.layers.Conv1D(32, kernel_size=5, strides=3, padding="same")
    ```
    """

    code = "KL301"
    name = "stride-drops-samples"
    severity = Severity.WARNING
    pass_ = Pass.GRAPH
    summary = "valid padding/stride/pool leaves trailing elements unused (says how many)"

    VALID = (
        "import keras\nm = keras.Sequential([keras.Input((101, 8)), keras.layers.Conv1D(4, 5, strides=3)])\n",
        "import keras\nm = keras.Sequential([keras.Input((100, 8)), keras.layers.Conv1D(4, 5, strides=3, padding='same')])\n",
        "import keras\nm = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.MaxPooling2D(2)])\n",
        # the keras.io MNIST convnet: 11x11 pooled by 2 loses one border row and column
        "import keras\nm = keras.Sequential([keras.Input((11, 11, 8)), keras.layers.MaxPooling2D(2)])\n",
        "import keras\nm = keras.Sequential([keras.Input((None, 8)), keras.layers.Conv1D(4, 5, strides=3)])\n",
        # a strided image convolution losing one border row and column
        "import keras\nm = keras.Sequential([keras.Input((96, 96, 3)), keras.layers.Conv2D(8, 3, strides=2)])\n",
        # 1000 + 3 + 3 = 1006: what the stride skips is the last padded zero
        "import keras\nm = keras.Sequential([keras.Input((1000, 1)), keras.layers.ZeroPadding1D(3),\n"
        "    keras.layers.Conv1D(4, 7, strides=2)])\n",
    )
    INVALID = (
        # one zero of padding at the end, two elements dropped: one of them is data
        Invalid("import keras\nm = keras.Sequential([keras.Input((999, 1)), keras.layers.ZeroPadding1D((0, 1)),\n"
                "    keras.layers.Conv1D(4, 5, strides=3)])\n", line=3, message="drops the last 2 timesteps"),
        Invalid("import keras\nm = keras.Sequential([\n    keras.Input((100, 8)),\n"
                "    keras.layers.Conv1D(32, kernel_size=5, strides=3),\n])\n",
                line=4, message="on length 100 drops the last 2 timesteps (k=5, s=3); output length 32"),
        Invalid("import tensorflow as tf\nm = tf.keras.Sequential([tf.keras.layers.Conv1D(4, 2, strides=2, input_shape=(9, 1))])\n",
                line=2, message="drops the last 1 timestep"),
        Invalid("from keras import layers, Input, Model\ninp = Input((14, 14, 3))\n"
                "out = layers.MaxPooling2D(pool_size=3)(inp)\nm = Model(inp, out)\n", line=3,
                message="never sees the last 2 of 14 rows"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        for _, node, result in ctx.graph_nodes():
            layer = node.layer
            if layer is None or layer.kind not in CONVOLUTIONS | POOLINGS or result.error or not result.inputs:
                continue
            shape = result.inputs[0]
            geometry = window(layer)
            if shape is None or geometry is None or padding(layer) != "valid" or not layout_known(layer):
                continue
            kernel, strides, dilation = geometry
            axes = spatial_axes(layer, shape)
            if max(axes) >= len(shape):
                continue
            lengths = [shape[a] for a in axes]
            parts, outputs, fits = [], [], []
            for length, k, s, d in zip(lengths, kernel, strides, dilation):
                effective = (k - 1) * d + 1
                if length is None or length < effective:
                    parts, outputs = [], []
                    break
                dropped = (length - effective) % s
                parts.append((length, effective, s, dropped))
                outputs.append((length - effective) // s + 1)
                fits.append((length - dropped, length + (s - dropped) % s if dropped else length))
            if not parts or not any(p[3] for p in parts):
                continue
            producer = node.inputs[0].node.layer if node.inputs else None
            zeros = trailing_zeros(producer, layer)
            if zeros is not None and all(p[3] <= z for p, z in zip(parts, zeros)):
                continue  # what it drops are the zeros a ZeroPadding just added (a ResNet stem)
            if len(parts) > 1 and max(p[3] for p in parts) <= 1:
                continue  # image pooling or strided convolution losing one border row/column: standard practice
            yield Finding(self._message(layer.label, parts, outputs, fits), node=source_of(node))

    @staticmethod
    def _message(label: str, parts: list, outputs: list, fits: list) -> str:
        if len(parts) == 1:
            length, k, s, dropped = parts[0]
            unit = _UNITS[1][0 if dropped == 1 else 1]
            shorter, longer = fits[0]
            return (f"{label} with padding=\"valid\" on length {length} drops the last {dropped} {unit} "
                    f"(k={k}, s={s}); output length {outputs[0]}. Use padding=\"same\", or an input length "
                    f"that fits ({shorter} or {longer})")
        size = "x".join(str(p[0]) for p in parts)
        names = ("rows", "columns", "slices")
        dropped_axes = ", ".join(f"the last {p[3]} of {p[0]} {names[i] if i < 3 else 'elements'} (k={p[1]}, s={p[2]})"
                                 for i, p in enumerate(parts) if p[3])
        out = "x".join(str(o) for o in outputs)
        fits = "x".join(str(f[0]) if p[3] else str(p[0]) for f, p in zip(fits, parts))
        return (f"{label} with padding=\"valid\" on {size} never sees {dropped_axes}; output {out}. "
                f"Use padding=\"same\", or an input size that fits (e.g. {fits})")
