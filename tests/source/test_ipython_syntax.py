"""keraslint reads IPython's special syntax as IPython does: compared with IPython's own
TransformerManager on hand-written cells and on cells generated from fragments."""

from __future__ import annotations

import ast
import random

import pytest

from keraslint.source.ipython_syntax import PYTHON_CELL_MAGICS, cell_to_python

transformer = pytest.importorskip("IPython.core.inputtransformer2")

CELLS = [
    # `%` continuing an open bracket is string formatting, not a magic
    "print('Epoch: %d, loss: %f.'\n      %(epoch, loss))\n",
    "x = (a\n     % b)\n",
    "d = {\n  'k': '%s'\n  % v,\n}\n",
    "s = '''\n%not a magic\n!nor a shell line\n'''\n",
    # shell and magic lines continued with backslashes
    "!pip install -q \\\n    tensorflow \\\n    keras\nimport keras\n",
    "%time model.fit(x, \\\n    y)\nz = 1\n",
    "files = !ls \\\n  data\nprint(files)\n",
    "t = %timeit -o \\\n  f()\n",
    "for i in range(3):\n    !echo $i \\\n      done\n    y = i\n",
    "!echo 'unterminated\nx = 1\n",
    "!!ls\n",
    "%matplotlib inline\n!pip install x\nimport tensorflow as tf\n",
    "keras.layers.Dense?\nx = 1\n",
    "keras.layers.Dense??\n",
    "f(x)?\n",
    "x = 1  # comment?\n",
    "?keras\n",
    "%%time\nx = 1\n!ls\n",
    "\n%%bash\necho hi\n",
    "%%writefile f.py\nimport os\n",
    "if a:\n    %time f()\nelse:\n    !ls\n",
    "a = b == %c\n",
    "x = !ls\ny = %env HOME\n",
    "(a,\n b) = %who_ls\n",
    ",f a b\n;g a b\n/h a b\n",
    "x = 5 \\\n  % 3\n",
    "y = [\n  1,\n]\n!ls\n",
    "def f():\n    return '%d' \\\n        % 3\n",
]


def _ipython(cell: str) -> str:
    return transformer.TransformerManager().transform_cell(cell)


def _tree(code: str) -> str | None:
    try:
        return ast.dump(ast.parse(code))
    except SyntaxError:
        return None


def _same_as_ipython(cell: str) -> None:
    ours = cell_to_python(cell)
    assert len(ours.splitlines()) == len(cell.splitlines()), "rows must stay where they are in the cell"
    theirs = _ipython(cell)
    body = ast.parse(theirs).body if _tree(theirs) else []
    magic = body[0] if body else None
    if isinstance(magic, ast.Expr) and isinstance(magic.value, ast.Call) and getattr(magic.value.func, "attr", "") \
            == "run_cell_magic":
        name, _, inner = (arg.value for arg in magic.value.args)  # type: ignore[attr-defined]
        if name not in PYTHON_CELL_MAGICS:
            assert _tree(ours) == _tree(""), "a cell in another language is not Python"
            return
        ours, theirs = ours.split("\n", 1)[1] if "\n" in ours else "", _ipython(inner)
    assert _tree(ours) == _tree(theirs), (cell, ours, theirs)


@pytest.mark.parametrize("cell", CELLS)
def test_cells_read_as_ipython_reads_them(cell: str) -> None:
    _same_as_ipython(cell)


_FRAGMENTS = [
    "x = 1\n", "print('%d items'\n      % n)\n", "!pip install \\\n  keras\n", "%time f()\n", "%load_ext \\\n  tb\n",
    "files = !ls\n", "t = %timeit -o f()\n", "obj?\n", "obj.attr??\n", "if x:\n    !ls\n    y = 2\n",
    "s = '''\n%inside\n'''\n", "m = (a %\n     b)\n", "!echo \"(\"\n", "call(1,\n     2)\n", "# %comment\n",
    "\n", "z = a \\\n    % b\n", "!!date\n", "%%time\n", "a = %env\n", "print('x') ?\n", "for i in r:\n    %time g(i)\n",
]


def test_generated_cells_read_as_ipython_reads_them() -> None:
    rng = random.Random(20240611)
    for _ in range(300):
        cell = "".join(rng.choice(_FRAGMENTS) for _ in range(rng.randint(1, 5)))
        _same_as_ipython(cell)
