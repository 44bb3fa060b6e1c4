from collections.abc import Iterator

from keraslint.context import Context
from keraslint.diagnostics import Pass, Severity
from keraslint.graph.layers import CONVOLUTIONS, POOLINGS, padding, source_of, spatial_axes, window
from keraslint.rule import Finding, Invalid, Rule


class AsymmetricSamePadding(Rule):
    """`padding="same"` with an even kernel pads one side more than the other.

    ## What it does
    For convolutions and poolings with `padding="same"`, works out the total padding Keras
    adds on each spatial axis, `max((ceil(L / s) - 1) * s + k - L, 0)` with the effective
    kernel k; when that total is odd, TensorFlow puts the extra element at the end (right or
    bottom). With stride 1 that happens exactly when the kernel is even. Advice (info), not
    selected by default.

    ## Why is this bad?
    The output is shifted by half a pixel or timestep relative to the input. Stacked, the
    shift accumulates; it breaks the alignment that skip connections and segmentation or
    sequence-labelling models rely on, and other frameworks pad the other side, so ported
    weights disagree.

    ## Example
    ```python
    keras.layers.Conv2D(32, kernel_size=4, padding="same")
    ```

    Use instead:
    ```python
    keras.layers.Conv2D(32, kernel_size=3, padding="same")
    ```
    """

    code = "KL303"
    name = "asymmetric-same-padding"
    severity = Severity.INFO
    pass_ = Pass.GRAPH
    summary = '`padding="same"` with an even kernel pads unevenly'

    VALID = (
        "import keras\nm = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(8, 3, padding='same')])\n",
        "import keras\nm = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.MaxPooling2D(2, padding='same')])\n",
    )
    INVALID = (
        Invalid("import keras\nm = keras.Sequential([keras.Input((32, 32, 3)),\n"
                "    keras.layers.Conv2D(8, kernel_size=4, padding='same')])\n", line=3, message="kernel 4"),
        Invalid("import keras\nm = keras.Sequential([keras.Input((None, 3)), keras.layers.Conv1D(8, 2, padding='same')])\n",
                line=2),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        for _, node, result in ctx.graph_nodes():
            layer = node.layer
            if layer is None or layer.kind not in CONVOLUTIONS | POOLINGS or padding(layer) != "same":
                continue
            geometry = window(layer)
            shape = result.inputs[0] if result.inputs else None
            if geometry is None or shape is None:
                continue
            kernel, strides, dilation = geometry
            odd = []
            for axis, k, s, d in zip(spatial_axes(layer, shape), kernel, strides, dilation):
                effective = (k - 1) * d + 1
                length = shape[axis] if axis < len(shape) else None
                if length is None:
                    total = effective - 1 if s == 1 else None
                else:
                    total = max((-(-length // s) - 1) * s + effective - length, 0)
                if total is not None and total % 2 == 1:
                    odd.append((axis, effective, total))
            if odd:
                detail = "; ".join(f"axis {a}: kernel {k} needs {t} padding, {t // 2} before and {t - t // 2} after"
                                   for a, k, t in odd)
                yield Finding(f"{layer.label} with padding=\"same\" pads unevenly ({detail}): the output is shifted "
                              f"half a step towards the start; use an odd kernel size", node=source_of(node))
