from collections.abc import Iterator

from keraslint.context import Context
from keraslint.diagnostics import Pass, Severity
from keraslint.graph.layers import (CONVOLUTIONS, POOLINGS, layout_known, padding, same_padding, source_of,
                                    spatial_axes, window)
from keraslint.rule import Finding, Invalid, Rule


class AsymmetricSamePadding(Rule):
    """`padding="same"` with an even kernel pads one side more than the other.

    ## What it does
    For convolutions and poolings with `padding="same"` and an even (effective) kernel,
    works out the padding TensorFlow adds on each spatial axis: the output has `ceil(L / s)`
    positions, the total is `max((ceil(L / s) - 1) * s + k - L, 0)`, and when it is odd the
    extra element goes at the end (right or bottom). With stride 1 an even kernel always pads
    unevenly; with a stride it depends on the input length, which must then be known. Advice
    (info), not selected by default.

    Odd kernels are out of scope. With a stride they can pad unevenly too (kernel 3, stride 2
    on a length of 28: 0 before, 1 after), but that comes with halving an even length by odd
    windows, whose centres fall on whole pixels: no padding centres them on the axis (the
    symmetric padding of PyTorch is half a step off the other way), and the only changes that
    do (an even kernel, an odd length) are not what the usual stride-2 3x3 layers need.

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
        # an odd kernel with a stride on an even length: TensorFlow pads 0 before and 1 after, out of scope
        "import keras\nm = keras.Sequential([keras.Input((28, 28, 1)),\n"
        "    keras.layers.Conv2D(8, 3, strides=2, padding='same')])\n",
        # an even kernel whose stride makes the padding even (total 2 on a length of 28)
        "import keras\nm = keras.Sequential([keras.Input((28, 1)), keras.layers.Conv1D(8, 4, strides=2, padding='same')])\n",
    )
    INVALID = (
        Invalid("import keras\nm = keras.Sequential([keras.Input((32, 32, 3)),\n"
                "    keras.layers.Conv2D(8, kernel_size=4, padding='same')])\n", line=3, message="kernel 4"),
        Invalid("import keras\nm = keras.Sequential([keras.Input((None, 3)), keras.layers.Conv1D(8, 2, padding='same')])\n",
                line=2),
        Invalid("import keras\nm = keras.Sequential([keras.Input((27, 1)), keras.layers.MaxPooling1D(2, padding='same')])\n",
                line=2, message="even at length 26 or 28"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        for _, node, result in ctx.graph_nodes():
            layer = node.layer
            if layer is None or layer.kind not in CONVOLUTIONS | POOLINGS or padding(layer) != "same":
                continue
            geometry = window(layer)
            shape = result.inputs[0] if result.inputs else None
            if geometry is None or shape is None or not layout_known(layer):
                continue
            uneven, strided = [], False
            for axis, k, s, d in zip(spatial_axes(layer, shape), *geometry):
                if ((k - 1) * d + 1) % 2 == 1:
                    continue
                length = shape[axis] if axis < len(shape) else None
                if length is None and s != 1:
                    continue  # with a stride the split depends on the length
                # with stride 1 the total is k - 1 whatever the length, so an unknown one will do
                before, after = same_padding(length if length is not None else k, k, s, d)
                if before == after:
                    continue
                text = f"axis {axis}: kernel {(k - 1) * d + 1} needs {before + after} padding, {before} before and " \
                       f"{after} after"
                if s != 1 and length is not None:
                    evens = [str(n) for n in (length - 1, length + 1) if n > 0 and len(set(same_padding(n, k, s, d))) == 1]
                    text += f", even at length {' or '.join(evens)}" if evens else ""
                    strided = strided or bool(evens)
                uneven.append(text)
            if uneven:
                other = " or an input length the stride pads evenly" if strided else ""
                yield Finding(f"{layer.label} with padding=\"same\" pads unevenly ({'; '.join(uneven)}): the output is "
                              f"shifted half a step towards the start; use an odd kernel size{other}",
                              node=source_of(node))
