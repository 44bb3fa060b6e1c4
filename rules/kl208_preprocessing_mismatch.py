from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import libcst as cst

from keraslint.context import Context
from keraslint.diagnostics import Pass, Severity
from keraslint.graph.feeding import split_pipeline
from keraslint.graph.scaling import Scaling, input_scaling
from keraslint.rule import Finding, Invalid, Rule
from keraslint.source.models import model_graph
from keraslint.source.sklearn_sources import SCALED_BY, Scaled
from keraslint.source.values import Array, ListValue

_TRAINING = frozenset({"fit", "fit_generator", "train_on_batch"})
_EVALUATION = frozenset({"evaluate", "evaluate_generator", "predict", "predict_generator", "predict_on_batch",
                         "test_on_batch", "__call__"})


class PreprocessingMismatch(Rule):
    """The data a model is evaluated or predicts on is not scaled the way its training data was.

    ## What it does
    Follows every array and pipeline fed to one model and compares the value scale of its
    training data (`fit`, `train_on_batch`) with the data it is validated, evaluated or asked
    to predict on (`validation_data=`, `evaluate`, `predict`, `model(x)`):

    * training data that was scaled (`x_train / 255.0`, `(x - mean) / std`, an
      `ImageDataGenerator(rescale=1/255)`, `preprocess_input`) while the other data reaches
      the model as raw 0-255 images (a dataset split, a directory pipeline or generator
      without `rescale=`);
    * the reverse: training on raw 0-255 images (the model rescales them itself) and
      evaluating or predicting on data that was scaled already, so it is scaled twice.

    * a scikit-learn scaler (`StandardScaler`, `MinMaxScaler` ...) fitted on the data the
      model is evaluated, validated or predicts on (`scaler.fit(x_test)`,
      `scaler.fit_transform(x_test)`) and then used to transform the training data.

    Only data whose scale keraslint knows on both sides is compared: raw images from a known
    source, and arrays whose every transformation it followed. Data it could not follow, or
    that is scaled on one path and not on another (`if normalize: ...`), is not reported.

    ## Why is this bad?
    Keras never looks at value ranges, so it evaluates and predicts without an error, but
    the model sees inputs up to 255 times larger (or smaller) than anything it was trained
    on: validation metrics, test accuracy and predictions are meaningless, and the usual
    conclusion ("the model does not generalise") is wrong. A scaler fitted on the test data
    scales the training data with the test set's statistics (its mean and spread, or its
    minimum and maximum): the test data leaks into training, the training data is no longer
    centred or in range, and the test metrics are optimistic.

    ## Example
    ```python
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    x_train = x_train / 255.0
    model.fit(x_train, y_train)
    model.evaluate(x_test, y_test)
    ```

    Use instead:
    ```python
    x_train, x_test = x_train / 255.0, x_test / 255.0
    model.fit(x_train, y_train)
    model.evaluate(x_test, y_test)
    ```
    """

    code = "KL208"
    name = "preprocessing-mismatch"
    severity = Severity.WARNING
    pass_ = Pass.SOURCE
    summary = "training data transformed, evaluation/prediction data fed to the same model not (or differently)"

    VALID = (
        "import keras\n(x, y), (xt, yt) = keras.datasets.mnist.load_data()\n"
        "m = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(10)])\n"
        "m.fit(x / 255.0, y)\nm.evaluate(xt / 255.0, yt)\n",
        # the model rescales: raw images on both sides
        "import keras\n(x, y), (xt, yt) = keras.datasets.mnist.load_data()\n"
        "m = keras.Sequential([keras.Input((28, 28)), keras.layers.Rescaling(1 / 255), keras.layers.Flatten(),\n"
        "    keras.layers.Dense(10)])\nm.fit(x, y, validation_data=(xt, yt))\nm.predict(xt)\n",
        # a scale keraslint cannot follow is not compared
        "import keras\nimport numpy as np\n(x, y), (xt, yt) = keras.datasets.mnist.load_data()\n"
        "m = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(10)])\n"
        "m.fit(x / 255.0, y)\nm.evaluate(np.load('test.npy'), yt)\n",
        # the scaler is fitted on the training data and only transforms the test data
        "import keras\nimport numpy as np\nfrom sklearn.preprocessing import StandardScaler\n"
        "x, xt, y, yt = np.random.rand(80, 4), np.random.rand(20, 4), np.zeros(80), np.zeros(20)\n"
        "s = StandardScaler()\nx = s.fit_transform(x)\nxt = s.transform(xt)\n"
        "m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\nm.fit(x, y)\nm.evaluate(xt, yt)\n",
    )
    INVALID = (
        Invalid("import keras\n(x, y), (xt, yt) = keras.datasets.mnist.load_data()\nx = x / 255.0\n"
                "m = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(10)])\n"
                "m.fit(x, y)\nm.evaluate(xt, yt)\n", line=6, message="raw 0-255"),
        Invalid("import keras\n(x, y), (xt, yt) = keras.datasets.mnist.load_data()\n"
                "m = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(10)])\n"
                "m.fit(x / 255.0, y,\n      validation_data=(xt, yt))\n", line=5, message="validation data"),
        Invalid("import keras\n(x, y), (xt, yt) = keras.datasets.mnist.load_data()\n"
                "m = keras.Sequential([keras.Input((28, 28)), keras.layers.Rescaling(1 / 255), keras.layers.Flatten(),\n"
                "    keras.layers.Dense(10)])\nm.fit(x, y)\nm.predict(xt / 255.0)\n", line=6, message="twice"),
        Invalid("import keras\ntrain = keras.utils.image_dataset_from_directory('train', image_size=(32, 32))\n"
                "val = keras.utils.image_dataset_from_directory('val', image_size=(32, 32))\n"
                "train = train.map(lambda x, y: (x / 255.0, y))\n"
                "m = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(10)])\n"
                "m.fit(train, validation_data=val)\n", line=6, message="validation data"),
        Invalid("import keras\nimport numpy as np\nfrom sklearn.preprocessing import StandardScaler\n"
                "x, xt, y, yt = np.random.rand(80, 4), np.random.rand(20, 4), np.zeros(80), np.zeros(20)\n"
                "s = StandardScaler()\nxt = s.fit_transform(xt)\nx = s.transform(x)\n"
                "m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\nm.fit(x, y)\nm.evaluate(xt, yt)\n",
                line=6, message="fits the scaler on the data the model gets in evaluate"),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        by_model: dict[int, list[_Fed]] = {}
        for use in ctx.facts.models.uses:
            if use.reachable:
                by_model.setdefault(id(use.model), []).extend(_fed(use))
        models = {id(use.model): use.model for use in ctx.facts.models.uses}
        for key, fed in by_model.items():
            yield from _mismatches(ctx, fed, _rescales(models[key]))
        yield from _fitted_on_held_out(ctx, [use for use in ctx.facts.models.uses if use.reachable])


@dataclass
class _Fed:
    """One model input's data in one use."""

    index: int
    array: Array
    node: cst.CSTNode | None
    method: str
    training: bool


def _arrays(value: Any) -> list[Array | None]:
    pipeline = split_pipeline(value)
    if pipeline is not None:
        return list(pipeline[0])
    items = value.items if isinstance(value, ListValue) else list(value) if isinstance(value, tuple) else [value]
    return [item if isinstance(item, Array) else None for item in items]


def _fed(use: Any) -> Iterator[_Fed]:
    if use.method in _TRAINING:
        for index, array in enumerate(_arrays(use.x)):
            if array is not None and array.scaled is not None:
                yield _Fed(index, array, use.x_node, use.method, True)
        if use.validation is not None:
            for index, array in enumerate(_arrays(use.validation[0])):
                if array is not None and array.scaled is not None:
                    yield _Fed(index, array, _validation_x(use), "validation_data", False)
    elif use.method in _EVALUATION:
        for index, array in enumerate(_arrays(use.x)):
            if array is not None and array.scaled is not None:
                yield _Fed(index, array, use.x_node or use.node, use.method, False)


def _rescales(model: Any) -> dict[int, bool]:
    """Per model input: True when the model scales that input itself (a `Rescaling` first)."""
    graph = model_graph(model)
    if graph is None:
        return {}
    return {index: input_scaling(graph, index) is Scaling.SCALED for index in range(len(graph.inputs))}


def _validation_x(use: Any) -> cst.CSTNode | None:
    """The x of ``validation_data=(x, y)`` as written, else the whole argument."""
    node = use.validation_node
    if isinstance(node, cst.Tuple) and node.elements:
        return node.elements[0].value
    return node or use.node


def _mismatches(ctx: Context, fed: list[_Fed], rescales: dict[int, bool]) -> Iterator[Finding]:
    for index in sorted({f.index for f in fed}):
        trained = [f for f in fed if f.training and f.index == index]
        scales = {f.array.scaled for f in trained}
        if len(scales) != 1:
            continue  # never trained on known data, or on both scales: nothing to compare with
        scaled = scales.pop()
        first = trained[0]
        shown = _shown(ctx, first)
        for other in fed:
            if other.training or other.index != index or other.array.scaled is scaled or other.node is None:
                continue
            code = ctx.code(other.node, 50)
            if other.method == "validation_data":
                what, raw, ready = f"The validation data `{code}`", "is raw", "is already scaled"
            else:
                call = other.method if other.method != "__call__" else "the model call"
                what, raw, ready = f"`{code}` reaches {call}", "as raw", "already scaled"
            if scaled:
                message = (f"{what} {raw} 0-255 values{_origin(other.array)} but the model is trained on "
                           f"scaled data ({shown}): it sees values up to 255 where training saw scaled ones, so "
                           f"its {_outcome(other.method)} are meaningless; scale it the same way")
            else:
                twice = (" and scales its inputs itself: this data is scaled twice" if rescales.get(index)
                         else ": this data is on another scale")
                message = (f"{what} {ready} but the model is trained on raw 0-255 data ({shown}){twice}, "
                           f"so its {_outcome(other.method)} are meaningless; feed it the way the training data is "
                           f"fed")
            yield Finding(message, node=other.node)


def _shown(ctx: Context, fed: _Fed) -> str:
    node = fed.array.node if isinstance(fed.array.node, cst.CSTNode) else fed.node
    if node is None:
        return f"in {fed.method}"
    return f"`{ctx.code(node, 40)}`, {ctx.where(node)}"


def _origin(array: Array) -> str:
    return f" from {array.source}" if array.source else ""


def _outcome(method: str) -> str:
    if method in ("predict", "predict_generator", "predict_on_batch", "__call__"):
        return "predictions"
    return "validation metrics" if method == "validation_data" else "metrics"


# -- a scaler fitted on the held-out data --------------------------------------------------------

def _held_out(use: Any) -> Iterator[tuple[Array, str, Any]]:
    """(array, what the model does with it, node) for the evaluation/prediction data of ``use``."""
    if use.method in _TRAINING and use.validation is not None:
        for array in _arrays(use.validation[0]):
            if array is not None:
                yield array, "validation_data", _validation_x(use)
    elif use.method in _EVALUATION:
        for array in _arrays(use.x):
            if array is not None:
                yield array, use.method if use.method != "__call__" else "the model call", use.x_node or use.node


def _with_inputs(array: Array) -> list[Array]:
    """The array and, for a scaler's output, the array the scaler transformed."""
    scaled = array.data.get(SCALED_BY)
    return [array, scaled.input] if isinstance(scaled, Scaled) else [array]


def _fitted_on_held_out(ctx: Context, uses: list[Any]) -> Iterator[Finding]:
    """A scaler fitted on data a model is evaluated on, whose output that model trains on."""
    by_model: dict[int, list[Any]] = {}
    for use in uses:
        by_model.setdefault(id(use.model), []).append(use)
    reported: set[int] = set()
    for model_uses in by_model.values():
        trained = [(a, use.x_node or use.node) for use in model_uses if use.method in _TRAINING
                   for a in _arrays(use.x) if a is not None]
        seen_in_training = {id(b) for a, _ in trained for b in _with_inputs(a)}
        held_out: dict[int, tuple[str, Any]] = {}
        for use in model_uses:
            for array, what, node in _held_out(use):
                for part in _with_inputs(array):
                    held_out.setdefault(id(part), (what, node))
        for array, fed_at in trained:
            scaled = array.data.get(SCALED_BY)
            if not isinstance(scaled, Scaled) or scaled.fitted_on is None or scaled.fitted_at is None:
                continue
            key = id(scaled.fitted_on)
            if key not in held_out or key in seen_in_training or id(scaled.fitted_at) in reported:
                continue
            reported.add(id(scaled.fitted_at))
            what, node = held_out[key]
            fit = ctx.code(scaled.fitted_at, 50)
            data = f"`{ctx.code(node, 40)}`" if node is not None else "the evaluation data"
            where = f", {ctx.where(node)}" if node is not None else ""
            yield Finding(
                f"`{fit}` fits the scaler on the data the model gets in {what} ({data}{where}) and the same "
                f"scaler transforms the training data (`{ctx.code(fed_at, 40)}`, {ctx.where(fed_at)}): the training "
                f"data is "
                f"scaled with the held-out data's statistics, so the test data leaks into training and the "
                f"training data is not centred or in range; fit the scaler on the training data and only "
                f"transform the held-out data with it", node=scaled.fitted_at)
