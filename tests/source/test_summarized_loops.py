"""Lists grown by a loop of known trip count too long to unroll (issue 9's coverage: the
attention-MIL example draws 1000 bags of 3 images, then swaps the axes to get 3 inputs). The
body runs twice, not 1000 times; the list holds what each iteration appends, as many times as
the loop runs. Anything that makes the iterations differ keeps the list unknown."""

from __future__ import annotations

import numpy as np

from keraslint.source.values import ListValue

from . import run

#: the example's create_bags, with an array of zeros for MNIST (the oracle below runs it)
BAGS = """
import numpy as np
x_train = np.zeros((600, 28, 28), dtype=np.uint8)
y_train = np.zeros((600,), dtype=np.uint8)
bags = []
count = 0
for _ in range(1000):
    index = np.random.choice(x_train.shape[0], 3, replace=False)
    instances = x_train[index]
    if 1 in y_train[index]:
        count += 1
    bags.append(instances)
    bags.append(instances[0])
data = list(np.swapaxes(bags[::2], 0, 1))
instance_shape = data[0][0].shape
"""


def test_a_list_appended_in_a_long_loop_has_every_iterations_items() -> None:
    found = run(BAGS)
    assert len(found["bags"].items) == 2000
    assert [a.shape for a in found["bags"].items[:4]] == [(3, 28, 28), (28, 28)] * 2
    assert len(found["data"].items) == 3 and found["data"].items[0].shape == (1000, 28, 28)
    assert found["instance_shape"] == (28, 28)


def test_summarized_shapes_are_numpys() -> None:
    namespace: dict = {}
    exec(compile(BAGS, "<oracle>", "exec"), namespace)  # the test's own script, NumPy only
    found = run(BAGS)
    assert len(namespace["bags"]) == len(found["bags"].items)
    assert np.swapaxes(namespace["bags"][::2], 0, 1).shape == (3, 1000, 28, 28)
    assert tuple(namespace["instance_shape"]) == found["instance_shape"]


def test_iterations_that_differ_leave_the_list_unknown() -> None:
    found = run("""
import sys
import numpy as np
x = np.zeros((600, 28))
shrinking, sized, conditional, early, read = [], [], [], [], []
for _ in range(100):
    x = x[1:]
    shrinking.append(x)                  # a different shape each iteration
for i in range(100):
    sized.append(np.zeros((i, 3)))       # depends on the iteration (the pass sees (?, 3) in both runs)
for _ in range(100):
    if len(sys.argv) > 1:
        conditional.append(np.zeros(3))  # not every iteration appends
for _ in range(100):
    early.append(np.zeros(3))
    if len(sys.argv) > 1:
        break
for _ in range(100):
    read.append(np.zeros((len(read), 3)))
layers = []
import keras
for _ in range(100):
    layers.append(keras.layers.Dense(3))  # distinct layers: one value cannot stand for them
few = []
for _ in range(100000):
    few.append(1)                        # longer than a tracked list
""")
    for name in ("shrinking", "sized", "conditional", "early", "read", "layers", "few"):
        assert not isinstance(found[name], ListValue), name  # forgotten (OpaqueList): unknown
