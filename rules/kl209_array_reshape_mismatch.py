from collections.abc import Iterator

import libcst as cst

from keraslint.context import Context
from keraslint.diagnostics import Severity
from keraslint.rule import Finding, Invalid, Rule


class _Guarded(cst.CSTVisitor):
    """What the facts cannot be trusted on. ``inside``: every node in the body of a ``try`` that
    has ``except`` handlers (the script may expect the error there). ``reshaped``: the source of
    every array changed in place (``x.shape = ...``, ``x.resize(...)``), which the array model
    does not follow, so its recorded shape may be stale."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self.inside: set[int] = set()
        self.reshaped: set[str] = set()
        self._depth = 0

    def visit_Try(self, node: cst.Try) -> bool:
        if node.handlers:
            self._depth += 1
            node.body.visit(self)
            self._depth -= 1
            for part in (*node.handlers, node.orelse, node.finalbody):
                if part is not None:
                    part.visit(self)
            return False
        return True

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Attribute) and target.target.attr.value == "shape":
                self.reshaped.add(self._text(target.target.value))

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "resize":
            self.reshaped.add(self._text(node.func.value))

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self._depth:
            self.inside.add(id(node))
        return super().on_visit(node)

    def _text(self, node: cst.CSTNode) -> str:
        return " ".join(self.module.code_for_node(node).split())

    def _mentions_reshaped(self, node: cst.CSTNode) -> bool:
        stack = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, (cst.Name, cst.Attribute)) and self._text(current) in self.reshaped:
                return True
            stack.extend(current.children)
        return False

    def trusted(self, node: cst.CSTNode, operands: tuple[cst.CSTNode | None, ...]) -> bool:
        """Whether a problem at ``node`` on ``operands`` (None: not spelled out) is certain."""
        if id(node) in self.inside:
            return False
        return not self.reshaped or not any(operand is None or self._mentions_reshaped(operand) for operand in operands)


class ArrayReshapeMismatch(Rule):
    """An array operation whose known sizes cannot work: NumPy or TensorFlow raises.

    ## What it does
    Follows the shapes of the script's arrays (from `keras.datasets`, `np.load` headers,
    `np.zeros`, slicing ...) and reports, before the data reaches Keras:

    * `reshape` (`x.reshape`, `np.reshape`, `tf.reshape`) to a shape that holds a different
      number of elements, or whose `-1` cannot divide the size;
    * `np.concatenate`/`np.hstack`/`np.vstack`/`np.dstack` of arrays whose ranks, or whose
      sizes off the joined axis, differ; `np.stack`/`tf.stack` of arrays of different shapes;
    * `np.matmul`/`np.dot`/`tf.matmul`/`@` whose inner sizes differ.

    Only operations whose every size involved is known are judged: an array of unknown size
    is never reported, nor is an operation inside a `try` block with `except` handlers (the
    script may expect the error), nor one on an array the script reshapes in place
    (`x.shape = ...`, `x.resize(...)`).

    ## Why is this bad?
    The script stops with a `ValueError` (NumPy) or `InvalidArgumentError` (TensorFlow),
    often after minutes of loading or preprocessing. The classic case reshapes the test split
    with the training split's sample count, copied from the line above it.

    ## Example
    ```python
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    x_train = x_train.reshape(x_train.shape[0], 28, 28, 1)
    x_test = x_test.reshape(x_train.shape[0], 28, 28, 1)   # 60000 test images?
    ```

    Use instead: `x_test.reshape(x_test.shape[0], 28, 28, 1)`, or `x_test.reshape(-1, 28, 28, 1)`.
    """

    code = "KL209"
    name = "array-reshape-mismatch"
    severity = Severity.ERROR
    summary = "a reshape/concatenate/stack/matmul on arrays whose known sizes cannot work"

    VALID = (
        ("import keras\n(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()\n"
        "x_train = x_train.reshape(x_train.shape[0], 28, 28, 1)\nx_test = x_test.reshape(-1, 28, 28, 1)\n"),
        ("import numpy as np\na = np.zeros((100, 8))\nb = np.ones((100, 4))\nc = np.concatenate([a, b], axis=1)\n"
        "d = a @ np.zeros((8, 3))\ne = np.stack([a, a])\n"),
        "import numpy as np\ndef f(x):\n    return x.reshape(10, 10)\n",  # unknown size: no verdict
        "import numpy as np\nx = np.load('missing.npy')\ny = x.reshape(60000, 784)\n",
        "import numpy as np\ntry:\n    y = np.zeros(10).reshape(3, 3)\nexcept ValueError:\n    y = None\n",
        "import numpy as np\na = np.zeros((10, 5))\na.shape = (5, 10)\nb = a @ np.zeros((10, 3))\n",
    )
    INVALID = (
        Invalid("import keras\n(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()\n"
                "x_train = x_train.reshape(x_train.shape[0], 28, 28, 1)\n"
                "x_test = x_test.reshape(x_train.shape[0], 28, 28, 1)\n", line=4,
                message="`x_test.reshape(x_train.shape[0], 28, 28, 1)` asks for 47,040,000 elements but x_test "
                        "(10000, 28, 28) holds 7,840,000: NumPy raises ValueError: cannot reshape array of size "
                        "7840000 into shape (60000,28,28,1)"),
        Invalid("import numpy as np\nx = np.zeros((10, 7))\ny = x.reshape(-1, 4)\n", line=3,
                message="not a multiple of 4"),
        Invalid("import numpy as np\na = np.zeros((100, 8))\nb = np.ones((90, 4))\n"
                "c = np.concatenate([a, b], axis=1)\n", line=4, message="axis-0 sizes differ (100 vs 90)"),
        Invalid("import numpy as np\na = np.zeros((100, 8))\nd = a @ np.zeros((3, 8))\n", line=3,
                message="last size of the first (8)"),
        Invalid("import tensorflow as tf\nx = tf.zeros((32, 10))\ny = tf.reshape(x, (32, 5, 3))\n", line=3,
                message="TensorFlow raises InvalidArgumentError"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        if ctx.facts is None:
            return
        if not ctx.facts.array_problems:
            return
        guarded = _Guarded(ctx.module)
        ctx.module.visit(guarded)
        for problem in ctx.facts.array_problems:
            if ctx.source_of(problem.node) is not None or not guarded.trusted(problem.node, problem.operands):
                continue  # another module's expression (reported when that file is checked), or not certain
            names = [ctx.code(node, limit=40) if node is not None else f"the array at index {i}"
                     for i, node in enumerate(problem.operands)]
            yield Finding(problem.template.format(*names, call=ctx.code(problem.node, limit=80)), node=problem.node)
