from collections.abc import Iterator

from keraslint.context import Context
from keraslint.diagnostics import Severity
from keraslint.graph.weights import WeightCheck, check_calls
from keraslint.rule import Finding, Invalid, Rule


def _shape(shape: tuple) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


class WeightsShapeMismatch(Rule):
    """An `Embedding` given `weights=[matrix]` (or `set_weights([matrix])`) whose known shape is
    not its table's.

    ## What it does
    Compares the shape of the matrix passed as `Embedding(input_dim, output_dim,
    weights=[matrix])` (pretrained word vectors, typically) with the `(input_dim, output_dim)`
    table the layer builds, and the same for a later `embedding.set_weights([matrix])`. Only a
    matrix whose shape keraslint knows exactly, and sizes it knows, are judged.

    Keras 3 keeps `weights=` on `Embedding` only. On every other layer (`Dense(4,
    weights=[W, b])`) Keras 3 rejects the argument itself, whatever the shapes ("Unrecognized
    keyword arguments"): that is a legacy spelling, not a shape mismatch, and this rule says
    nothing about it.

    ## Why is this bad?
    Keras raises ValueError as soon as the layer is constructed ("weight shape (20000, 100) is
    not compatible with provided weight shape (20001, 100)"). The usual cause is a vocabulary
    counted two ways: the matrix has a row for the padding index 0 (`len(word_index) + 1`) and
    `input_dim` does not, or the word vectors are 300-wide and `output_dim` says 100.

    ## Example
    ```python
    matrix = np.zeros((vocab_size + 1, 100))        # row 0: padding
    ...
    layers.Embedding(vocab_size, 100, weights=[matrix], trainable=False)
    ```

    Use instead: `layers.Embedding(matrix.shape[0], matrix.shape[1], weights=[matrix])`, or the
    Keras 3 spelling `embeddings_initializer=keras.initializers.Constant(matrix)` with the same
    sizes.
    """

    code = "KL308"
    name = "weights-shape-mismatch"
    severity = Severity.ERROR
    summary = "initial `weights=[...]` (or set/load weights) whose known shape cannot fit the layer"

    VALID = (
        ("import numpy as np\nimport keras\nmatrix = np.zeros((5001, 100))\n"
         "e = keras.layers.Embedding(5001, 100, weights=[matrix], trainable=False)\n"),
        ("import numpy as np\nimport keras\nmatrix = np.zeros((5001, 100))\n"
         "e = keras.layers.Embedding(matrix.shape[0], matrix.shape[1], weights=[matrix])\n"),
        ("import numpy as np\nimport keras\ndef build(matrix):\n"
         "    return keras.layers.Embedding(5000, 100, weights=[matrix])\n"),  # unknown matrix
    )
    INVALID = (
        Invalid("import numpy as np\nimport keras\nvocab_size = 5000\nmatrix = np.zeros((vocab_size + 1, 100))\n"
                "e = keras.layers.Embedding(vocab_size, 100, weights=[matrix], trainable=False)\n", line=5,
                message="is given a (5001, 100) matrix `matrix` for its (5000, 100) table"),
        Invalid("import numpy as np\nimport keras\nmatrix = np.zeros((5000, 300))\n"
                "m = keras.Sequential([keras.Input((20,)), keras.layers.Embedding(5000, 100, weights=[matrix])])\n",
                line=4, message="make `output_dim` the matrix's columns"),
        Invalid("import numpy as np\nimport keras\nmatrix = np.zeros((5001, 100))\n"
                "e = keras.layers.Embedding(5000, 100)\nm = keras.Sequential([keras.Input((20,)), e])\n"
                "e.set_weights([matrix])\n", line=6, message="to an Embedding whose table is (5000, 100)"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        if ctx.facts is None:
            return
        for found in check_calls(ctx):
            if ctx.source_of(found.node) is None:
                yield Finding(_call_message(ctx.code(found.node, limit=80), found), node=found.node)
        for problem in ctx.facts.weight_problems:
            if ctx.source_of(problem.node) is not None:
                continue  # another module's layer: reported when that file is checked
            matrix = ctx.code(problem.matrix, limit=40) if problem.matrix is not None else "the matrix"
            rows, columns = problem.expected
            given, expected = _shape(problem.given), _shape(problem.expected)
            if len(problem.given) == 2 and problem.given[0] != rows:
                advice = f"make `input_dim` the matrix's rows (`{matrix}.shape[0]`)"
            elif len(problem.given) == 2:
                advice = f"make `output_dim` the matrix's columns (`{matrix}.shape[1]`)"
            else:
                advice = "pass a 2-D (input_dim, output_dim) matrix"
            call = ctx.code(problem.node, limit=80)
            if problem.via == "set_weights":
                # before the layer is built Keras complains about the list's length instead
                yield Finding(f"`{call}` gives a {given} matrix `{matrix}` to an Embedding whose table is {expected} "
                              f"(input_dim={rows}, output_dim={columns}): Keras raises ValueError; {advice}",
                              node=problem.node)
                continue
            yield Finding(
                f"`{call}` is given a {given} matrix `{matrix}` for its {expected} table "
                f"(input_dim={rows}, output_dim={columns}): Keras raises ValueError when it constructs the layer: "
                f"'weight shape {expected} is not compatible with provided weight shape {given}'; {advice}",
                node=problem.node)


def _shapes(shapes: tuple) -> str:
    return "[" + ", ".join(_shape(s) for s in shapes) + "]"


def _call_message(call: str, found: WeightCheck) -> str:
    """What Keras says, with the numbers behind it, for a set_weights/load_weights call. The
    quoted words are Keras 3's own (tests/test_keras_claims.py checks them)."""
    problem, target = found.problem, found.target
    owner = problem.layer.label if problem.layer is not None else target
    want, got = problem.expected, problem.given
    if found.via in ("set_weights", "get_weights"):
        given = "the other model's weights" if found.via == "get_weights" else "a list"
        if problem.kind == "count":
            return (f"`{call}` gives {given} of {got} arrays to {target}, which has {want} weights: Keras raises "
                    f"ValueError: 'with a weight list of length {got}, but the layer was expecting {want} weights.'")
        return (f"`{call}` gives {given} whose array {problem.index} is {_shape(got)} where {owner} holds "
                f"{_shape(want)}: Keras raises ValueError: 'weight shape {_shape(want)} is not compatible with "
                f"provided weight shape {_shape(got)}.'")
    if found.via == "weights.h5":
        where = f"`{found.path}` (at `{problem.path}`)"
        if problem.kind == "count":
            return (f"`{call}`: {where} stores {got} weights for {owner}, which has {want}: Keras raises "
                    f"ValueError: 'expected {want} variables, but received {got} variables during loading'")
        return (f"`{call}`: {where} stores a {_shape(got)} weight for {owner}, which holds {_shape(want)}: Keras "
                f"raises ValueError: 'variable.shape={_shape(want)}, Received: value.shape={_shape(got)}'")
    if problem.kind == "layers":
        return (f"`{call}`: `{found.path}` holds weights for {got} layers, the model has {want} layers with "
                f"weights (legacy .h5 weights are matched by layer order): Keras raises ValueError: 'Layer count "
                f"mismatch when loading weights from file. Model expected {want} layers, found {got} saved layers.'")
    if problem.kind == "count":
        return (f"`{call}`: `{found.path}` stores {got} weights for {owner} (saved as {problem.path}), which has "
                f"{want}: Keras raises ValueError: 'Layer expects {want} weight(s). Received {got} saved weight(s)'")
    return (f"`{call}`: `{found.path}` stores a {_shape(got)} weight for {owner} (saved as {problem.path}), which "
            f"holds {_shape(want)}: Keras raises ValueError: 'Weight expects shape {_shape(want)}. Received saved "
            f"weight with shape {_shape(got)}'")
