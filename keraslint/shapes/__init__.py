"""keraslint's own symbolic shape engine: Keras 3 output shapes and parameter counts, no TensorFlow.

>>> from keraslint.shapes import infer, LayerSpec
>>> infer(LayerSpec("Conv1D", {"filters": 8, "kernel_size": 3}), [(None, 100, 4)])
LayerResult(outputs=((None, 98, 8),), params=104)

See docs/shape-engine.md for the supported layers and how unknown values flow.
"""

from keraslint.shapes.conv import conv_output_length
from keraslint.shapes.engine import infer, supported_kinds
from keraslint.shapes.errors import ShapeError, UnsupportedLayer
from keraslint.shapes.spec import LayerResult, LayerSpec, Shape

__all__ = [
    "LayerResult",
    "LayerSpec",
    "Shape",
    "ShapeError",
    "UnsupportedLayer",
    "conv_output_length",
    "infer",
    "supported_kinds",
]
