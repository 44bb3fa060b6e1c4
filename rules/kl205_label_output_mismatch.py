from collections.abc import Iterator

from keraslint.context import Context
from keraslint.diagnostics import Pass, Severity
from keraslint.graph.contract import findings_for
from keraslint.rule import Finding, Invalid, Rule


class LabelOutputMismatch(Rule):
    """The labels, the output layer and the loss do not agree.

    ## What it does
    Compares the labels passed to `fit`/`evaluate`/`train_on_batch` with the model output
    and the compiled loss:

    * `categorical_crossentropy` with integer class ids;
    * `sparse_categorical_crossentropy` with one-hot labels, or with class ids that reach the
      number of output units (`np.random.randint(0, 10, n)` or MNIST's labels into `Dense(5)`):
      TensorFlow stops on a CPU and gives a NaN loss on a GPU;
    * a one-hot width (or `to_categorical(num_classes=...)`) different from the output units;
    * `binary_crossentropy`/`mse`/`mae` with output units different from the label width,
      e.g. `Dense(4)` trained on labels of shape `(N, 1)`;
    * labels of lower or higher rank than the output, e.g. per-sample labels `(N, 1)` for a
      model that outputs one prediction per timestep `(None, 48, 1)`. (When a `Dense` on an
      unflattened sequence or image causes it, KL305 reports it at that `Dense`.)

    It also reads what the labels hold, where the script says so:

    * real numbers into `sparse_categorical_crossentropy` (`np.random.rand` draws, or class ids
      divided by 255 instead of the images): Keras casts them to integer ids, dropping the
      fraction, so values in [0, 1) all become class 0;
    * `binary_crossentropy` targets outside [0, 1] (`np.random.randint(0, 5, n)`, MNIST's
      digits into one sigmoid unit): Keras trains without an error, but the loss falls below
      zero without bound, so it measures nothing;
    * `to_categorical(y, n)` whose `n` is not the output width (the message names the call);
    * the loss object's arguments: `SparseCategoricalCrossentropy(ignore_class=k)` masks id
      `k` (ids beyond the units are still an error unless `k` is the only one), and `axis=`
      other than the last stops Keras for the sparse loss.

    A model with several outputs is checked output by output when its labels are a list in
    output order or a dict keyed by output name, with the loss given once, as a list or as a
    dict (`loss={"age": "mse", "kind": "sparse_categorical_crossentropy"}`); the message
    names the output (`output 'age': ...`). `compile` arguments that Keras cannot match with
    the outputs stop it at the first batch and are reported at that call: `loss_weights` with
    another number of weights than losses (a single loss counts once, however many outputs
    it serves), a `loss_weights` dict without a weight for an output next to a `loss` dict, a
    `loss` dict whose keys are not the output names, and a `metrics`/`weighted_metrics` dict
    that names something other than an output of a multi-output model. Values keraslint does
    not know (labels from a file, an `ignore_class` computed at run time) give no finding.

    Which shapes Keras 3 lines up is taken from a table of every built-in loss, checked
    against Keras itself: it drops or adds a trailing axis of size 1, the cross-entropies
    demand the same rank and shape, `sparse_categorical_crossentropy` one rank less, and the
    other losses broadcast. Four losses have rules of their own: `ctc` takes labels
    `(batch, max_length)` of class ids and logits `(batch, timesteps, classes)`; `circle` one
    class id per sample and embeddings `(batch, dims)`; `CategoricalGeneralizedCrossEntropy`
    one-hot encodes class ids itself, so labels `(N, 1)` against an output `(None, C)`
    compare every output with every sample's label; `dice` and `tversky` broadcast and, by
    default, sum over the whole batch. A `"categorical_generalized_cross_entropy"` string is
    not a loss Keras can resolve; keraslint leaves it alone.

    ## Why is this bad?
    Most of these stop on the first batch with a shape error, after the data has loaded. Some
    train without complaint on a loss that compares the wrong things: with `mse` or `mae`,
    labels `(N, 1)` broadcast against an `(N, 4)` output, so every unit learns the same
    target and the model never learns what was intended; labels `(N,)` against an output
    `(None, 10, 1)` compare every output with the label of every sample in the batch. The
    message says which happens; a silent broadcast is reported as a warning.

    ## Example
    ```python
    y = np.random.randint(0, 10, size=1000)           # class ids
    model.add(keras.layers.Dense(10, activation="softmax"))
    model.compile(loss="categorical_crossentropy")
    model.fit(x, y)
    ```

    Use instead: `loss="sparse_categorical_crossentropy"`, or
    `model.fit(x, keras.utils.to_categorical(y, 10))`.
    """

    code = "KL205"
    name = "label-output-mismatch"
    severity = Severity.ERROR
    severity_note = "warning where Keras trains on the labels without an error"
    pass_ = Pass.GRAPH
    summary = "labels vs output layer vs loss (units vs classes, sparse vs one-hot, rank, label values)"

    VALID = (
        "import numpy as np\nimport keras\nx = np.random.rand(100, 8)\ny = np.random.randint(0, 5, size=100)\n"
        "m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(5, activation='softmax')])\n"
        "m.compile(loss='sparse_categorical_crossentropy')\nm.fit(x, y)\n",
        "import numpy as np\nimport keras\nx = np.random.rand(100, 8)\ny = np.random.randint(0, 10, size=100)\n"
        "m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(10, activation='softmax')])\n"
        "m.compile(loss='sparse_categorical_crossentropy')\nm.fit(x, y)\n"
        "m.compile(loss='categorical_crossentropy')\nm.fit(x, keras.utils.to_categorical(y, 10))\n",
        # labels per timestep: Keras drops the trailing 1 of the output
        ("import numpy as np\nimport keras\nx = np.random.rand(100, 10, 3)\ny = np.random.randint(0, 2, (100, 8))\n"
        "m = keras.Sequential([keras.Input((10, 3)), keras.layers.Conv1D(1, 3, activation='sigmoid')])\n"
        "m.compile(loss='binary_crossentropy')\nm.fit(x, y)\n"),
        # ignore_class masks the one id that reaches the units; one weight per output, by name
        ("import numpy as np\nimport keras\nx = np.random.rand(100, 8)\ny = np.random.randint(0, 11, 100)\n"
         "m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(10, activation='softmax')])\n"
         "m.compile(loss=keras.losses.SparseCategoricalCrossentropy(ignore_class=10))\nm.fit(x, y)\n"),
        ("import numpy as np\nimport keras\nx = np.random.rand(100, 8)\ninp = keras.Input((8,))\n"
         "m = keras.Model(inp, [keras.layers.Dense(1, name='age')(inp), keras.layers.Dense(3, name='kind')(inp)])\n"
         "m.compile(loss={'age': 'mse', 'kind': 'mse'}, loss_weights={'age': 1.0, 'kind': 0.5},\n"
         "          metrics={'kind': 'mae'})\nm.fit(x, [np.random.rand(100, 1), np.random.rand(100, 3)])\n"),
        # CTC: label sequences against per-timestep logits; one-hot encoding inside the loss
        ("import numpy as np\nimport keras\nx = np.random.rand(100, 20, 4)\ny = np.random.randint(1, 6, (100, 5))\n"
         "inp = keras.Input((20, 4))\nh = keras.layers.LSTM(16, return_sequences=True)(inp)\n"
         "m = keras.Model(inp, keras.layers.Dense(6)(h))\nm.compile(loss='ctc')\nm.fit(x, y)\n"),
        ("import numpy as np\nimport keras\nx = np.random.rand(100, 8)\ny = np.random.randint(0, 3, 100)\n"
         "m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3, activation='softmax')])\n"
         "m.compile(loss=keras.losses.CategoricalGeneralizedCrossEntropy())\nm.fit(x, y)\n"),
    )
    INVALID = (
        Invalid("import keras\n(x, y), _ = keras.datasets.mnist.load_data()\n"
                "m = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),\n"
                "    keras.layers.Dense(5, activation='softmax')])\n"
                "m.compile(loss='sparse_categorical_crossentropy')\nm.fit(x / 255.0, y)\n", line=6,
                message="class ids in [0, 10)"),
        Invalid("import numpy as np\nimport keras\nx = np.random.rand(100, 8)\ny = np.random.randint(0, 10, size=100)\n"
                "m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(10, activation='softmax')])\n"
                "m.compile(loss='categorical_crossentropy')\nm.fit(x, y)\n", line=7, message="integer class ids"),
        Invalid("import numpy as np\nimport keras\nx = np.random.rand(100, 8)\ny = np.random.rand(100)\n"
                "m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4)])\n"
                "m.compile(loss='mse')\nm.fit(x, y)\n", line=7, message="4 units"),
        Invalid("import numpy as np\nimport keras\nx = np.random.rand(100, 8)\n"
                "y = keras.utils.to_categorical(np.random.randint(0, 5, 100), num_classes=5)\n"
                "m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(10, activation='softmax')])\n"
                "m.compile(loss='categorical_crossentropy')\nm.fit(x, y)\n", line=7, message="5 classes"),
        Invalid("import numpy as np\nimport keras\nx = np.random.rand(100, 10, 3)\ny = np.random.randint(0, 2, (100, 1))\n"
                "m = keras.Sequential([keras.Input((10, 3)), keras.layers.Conv1D(1, 3, activation='sigmoid')])\n"
                "m.compile(loss='binary_crossentropy')\nm.fit(x, y)\n", line=7, message="Keras stops at the first batch"),
        Invalid("import numpy as np\nimport keras\nx = np.random.rand(100, 10, 3)\ny = np.random.rand(100)\n"
                "m = keras.Sequential([keras.Input((10, 3)), keras.layers.LSTM(1, return_sequences=True)])\n"
                "m.compile(loss='mse')\nm.fit(x, y)\n", line=7, message="Keras broadcasts the labels"),
        # class ids scaled instead of the images
        Invalid("import keras\n(x, y), _ = keras.datasets.mnist.load_data()\n"
                "m = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),\n"
                "    keras.layers.Dense(10, activation='softmax')])\n"
                "m.compile(loss='sparse_categorical_crossentropy')\nm.fit(x, y / 255.0)\n", line=6,
                message="every one of them becomes class 0"),
        Invalid("import keras\n(x, y), _ = keras.datasets.mnist.load_data()\n"
                "m = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),\n"
                "    keras.layers.Dense(1, activation='sigmoid')])\n"
                "m.compile(loss='binary_crossentropy')\nm.fit(x / 255.0, y)\n", line=6,
                message="needs targets in [0, 1]"),
        Invalid("import numpy as np\nimport keras\nx = np.random.rand(100, 8)\ninp = keras.Input((8,))\n"
                "m = keras.Model(inp, [keras.layers.Dense(1, name='age')(inp), keras.layers.Dense(3, name='kind')(inp)])\n"
                "m.compile(loss='mse', loss_weights=[1.0, 0.5])\nm.fit(x, [np.random.rand(100, 1), np.random.rand(100, 3)])\n",
                line=7, message="has 2 weights for 1 loss"),
        Invalid("import numpy as np\nimport keras\nx = np.random.rand(100, 20, 4)\ny = np.random.randint(1, 6, 100)\n"
                "inp = keras.Input((20, 4))\nh = keras.layers.LSTM(16, return_sequences=True)(inp)\n"
                "m = keras.Model(inp, keras.layers.Dense(6)(h))\nm.compile(loss='ctc')\nm.fit(x, y)\n",
                line=9, message="do not fit ctc"),
        Invalid("import numpy as np\nimport keras\nx = np.random.rand(100, 8)\ny = np.random.randint(0, 3, (100, 1))\n"
                "m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3, activation='softmax')])\n"
                "m.compile(loss=keras.losses.CategoricalGeneralizedCrossEntropy())\nm.fit(x, y)\n",
                line=7, message="every output is compared with the label of every sample"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        yield from findings_for(ctx, self.code)
