from collections.abc import Iterator

from keraslint.context import Context
from keraslint.diagnostics import Severity
from keraslint.graph.weights import WeightCheck, check_calls
from keraslint.rule import Finding, Invalid, Rule


def _shape(shape: tuple) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


class WeightsShapeMismatch(Rule):
    """Weights whose known shapes cannot fit the layer or model they are given to: an
    `Embedding(..., weights=[matrix])`, `set_weights([...])` on a built layer or model (or
    `set_weights(other.get_weights())`), and `load_weights("x.weights.h5")` of a file beside the
    script.

    ## What it does
    Compares the shape of the matrix passed as `Embedding(input_dim, output_dim,
    weights=[matrix])` (pretrained word vectors, typically) with the `(input_dim, output_dim)`
    table the layer builds, and the same for a later `embedding.set_weights([matrix])`.

    For any other layer it works out the weights Keras builds from the layer's arguments and the
    input shape it gets in the script's model (a `Dense(64)` on 16 features holds a `(16, 64)`
    kernel and a `(64,)` bias; an `LSTM(4)` on 3 features `(3, 16)`, `(4, 16)`, `(16,)`), and
    checks `layer.set_weights([...])` and `model.set_weights([...])` as Keras does: the number of
    arrays, then each array's shape, in `get_weights()` order. `model.set_weights(other.get_weights())`
    is checked against the other model's weights.

    `model.load_weights(path)` with a literal `.weights.h5` or `.h5` path is checked when the file
    sits next to the script: only the stored shapes are read (never the values). A Keras 3
    `.weights.h5` file is matched layer by layer by path (`layers/dense_1`: the class name,
    numbered per class in layer order), a legacy `.h5` file by the order of the layers that have
    weights. `skip_mismatch=True` and `by_name=True` are left alone.

    Only what keraslint knows exactly is judged: a layer kind whose weights are not modelled, an
    unknown shape or list, a model whose layer order is not certain (branches, shared or nested
    models), or a Sequential built only later on its data gives no finding.

    Keras 3 keeps `weights=` on `Embedding` only. On every other layer (`Dense(4,
    weights=[W, b])`) Keras 3 rejects the argument itself, whatever the shapes ("Unrecognized
    keyword arguments"): that is a legacy spelling, not a shape mismatch, and this rule says
    nothing about it.

    ## Why is this bad?
    Keras raises ValueError: at construction for `weights=` ("weight shape (20000, 100) is not
    compatible with provided weight shape (20001, 100)"), at the `set_weights` call, or when
    loading ("A total of 1 objects could not be loaded"). The usual causes are a vocabulary
    counted two ways (a padding row in the matrix that `input_dim` does not count), weights saved
    from a model whose widths were changed since, or arrays built for another input width.

    ## Example
    ```python
    matrix = np.zeros((vocab_size + 1, 100))        # row 0: padding
    ...
    layers.Embedding(vocab_size, 100, weights=[matrix], trainable=False)

    hidden = layers.Dense(64)
    model = keras.Sequential([keras.Input((16,)), hidden, layers.Dense(1)])
    hidden.set_weights([np.zeros((32, 64)), np.zeros(64)])  # the kernel is (16, 64)
    ```

    Use instead: `layers.Embedding(matrix.shape[0], matrix.shape[1], weights=[matrix])`, or the
    Keras 3 spelling `embeddings_initializer=keras.initializers.Constant(matrix)` with the same
    sizes; give `set_weights` arrays of the shapes `layer.get_weights()` shows, and load weights
    into the model they were saved from.
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
        ("import numpy as np\nimport keras\nd = keras.layers.Dense(64)\n"
         "m = keras.Sequential([keras.Input((16,)), d, keras.layers.Dense(1)])\n"
         "d.set_weights([np.zeros((16, 64)), np.zeros(64)])\n"
         "twin = keras.Sequential([keras.Input((16,)), keras.layers.Dense(64), keras.layers.Dense(1)])\n"
         "m.set_weights(twin.get_weights())\n"),
        ("import numpy as np\nimport keras\ndef copy(weights):\n"
         "    m = keras.Sequential([keras.Input((16,)), keras.layers.Dense(64)])\n"
         "    m.set_weights(weights)\n"),  # unknown list
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
        Invalid("import numpy as np\nimport keras\nd = keras.layers.Dense(64)\n"
                "m = keras.Sequential([keras.Input((16,)), d, keras.layers.Dense(1)])\n"
                "d.set_weights([np.zeros((32, 64)), np.zeros(64)])\n", line=5,
                message="array 0 is (32, 64) where Dense holds (16, 64)"),
        Invalid("import keras\nm = keras.Sequential([keras.Input((16,)), keras.layers.Dense(64), keras.layers.Dense(1)])\n"
                "small = keras.Sequential([keras.Input((16,)), keras.layers.Dense(32), keras.layers.Dense(1)])\n"
                "m.set_weights(small.get_weights())\n", line=4, message="gives the other model's weights"),
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
