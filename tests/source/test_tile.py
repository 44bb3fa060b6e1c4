"""``np.tile``/``tf.tile``/``keras.ops.tile`` shapes, with NumPy as the oracle, and the batch size
of a model's input as a multiple."""

from __future__ import annotations

import numpy as np
import pytest

from keraslint.source.values import DYNAMIC_AXES

from . import array, run


@pytest.mark.parametrize(("shape", "reps"), [((2, 3), 2), ((2, 3), (2, 1)), ((2, 3), (1, 2, 2)), ((4,), (3, 1)),
                                             ((1, 1, 5), (7, 1, 1)), ((2, 3), (0, 1))])
def test_numpy_tile(shape: tuple, reps: object) -> None:
    ours = array(f"import numpy as np\nx = np.tile(np.zeros({shape}), {reps})\n")
    assert ours.shape == np.tile(np.zeros(shape), reps).shape


def test_tf_tile_needs_one_multiple_per_axis() -> None:
    assert array("import tensorflow as tf\nx = tf.tile(tf.zeros((2, 3)), (2, 2))\n").shape == (4, 6)
    assert array("import tensorflow as tf\nx = tf.tile(tf.zeros((2, 3)), (2,))\n").shape is None  # TF raises


def test_a_batch_size_multiple_is_the_models_none() -> None:
    ns = run("import keras\nimport tensorflow as tf\nfrom keras import ops\ninp = keras.Input((4, 8))\n"
             "x = ops.tile(tf.zeros((1, 1, 8)), (ops.shape(inp)[0], 1, 1))\n"
             "y = ops.tile(tf.zeros((1, 1, 8)), (int(input()), 1, 1))\n")
    assert ns["x"].shape == (None, 1, 8) and ns["x"].data[DYNAMIC_AXES] == frozenset({0})
    # an unknown multiple is unknown, not dynamic
    assert ns["y"].shape == (None, 1, 8) and DYNAMIC_AXES not in ns["y"].data
