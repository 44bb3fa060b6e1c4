"""Which random generators are seeded at each point of the script, and what draws from them.

Three global generators matter to a Keras run: Python's ``random``, NumPy's global
generator and TensorFlow's global seed (weight initialisation, dropout, ``fit`` shuffling,
``Dataset.shuffle``). Each is "yes", "no" or "maybe" seeded at a given point; branches merge
"yes" and "no" into "maybe", and rules only report what is certain ("no").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import libcst as cst

from keraslint.ir.graph import Layer, ModelGraph
from keraslint.source import api, models
from keraslint.source.interpreter import CallSite
from keraslint.source.values import Array, Obj
from keraslint.values import UNKNOWN

Generator = Literal["python", "numpy", "tensorflow"]
State = Literal["yes", "no", "maybe"]
GENERATORS: tuple[Generator, ...] = ("python", "numpy", "tensorflow")

GENERATOR_LABEL = {"python": "Python's `random`", "numpy": "NumPy's global generator", "tensorflow": "TensorFlow's global generator"}

SEED_CALLS: dict[str, tuple[Generator, ...]] = {
    "keras.utils.set_random_seed": ("python", "numpy", "tensorflow"),
    "tensorflow.random.set_seed": ("tensorflow",),
    "tensorflow.set_random_seed": ("tensorflow",),
    "numpy.random.seed": ("numpy",),
    "random.seed": ("python",),
}

DETERMINISM_CALLS = frozenset({
    "tensorflow.config.experimental.enable_op_determinism",
    "keras.config.enable_op_determinism",
})

_NUMPY_NOT_DRAWS = frozenset({
    "seed", "default_rng", "RandomState", "Generator", "SeedSequence", "get_state", "set_state",
    "PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64", "BitGenerator", "bit_generator",
})
_PYTHON_DRAWS = frozenset({
    "random", "randint", "randrange", "choice", "choices", "shuffle", "sample", "uniform", "gauss",
    "normalvariate", "lognormvariate", "expovariate", "betavariate", "gammavariate", "triangular",
    "vonmisesvariate", "paretovariate", "weibullvariate", "getrandbits", "randbytes", "binomialvariate",
})
#: tf.random ops that draw from the global generator, and the position of their ``seed`` argument
_TF_OPS: dict[str, int] = {
    "normal": 4, "uniform": 4, "truncated_normal": 4, "shuffle": 1, "categorical": 3, "gamma": 4,
    "poisson": 3, "random_normal": 4, "random_uniform": 4, "random_shuffle": 1, "multinomial": 2,
}
#: model methods whose result depends on the weights the model holds (random ones, if fresh)
_USING_WEIGHTS = frozenset({"__call__", "predict", "predict_on_batch", "predict_step", "evaluate", "test_on_batch",
                            "save", "save_weights", "get_weights", "export", "predict_generator",
                            "evaluate_generator"})
#: layers that draw random numbers on every training step
_STOCHASTIC = frozenset({"Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "AlphaDropout",
                         "GaussianDropout", "GaussianNoise", "RandomFlip", "RandomRotation", "RandomZoom",
                         "RandomTranslation", "RandomCrop", "RandomContrast", "RandomBrightness"})
#: layer kinds whose weights are not drawn at random: none at all, constants (normalization
#: starts at gamma=1, beta=0), or state that `adapt()` computes from the data
_NOT_RANDOM = frozenset({
    "InputLayer", "Activation", "ReLU", "LeakyReLU", "ELU", "Softmax", "ThresholdedReLU", "Identity", "Flatten",
    "Reshape", "Permute", "RepeatVector", "Masking", "Lambda", "Rescaling", "CenterCrop", "Resizing",
    "Cropping1D", "Cropping2D", "Cropping3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "UpSampling1D",
    "UpSampling2D", "UpSampling3D", "Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
    "Dot", "ActivityRegularization", "Attention",
    "BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization",
    "Normalization", "Discretization", "TextVectorization", "StringLookup", "IntegerLookup", "CategoryEncoding",
    "Hashing",
}) | _STOCHASTIC
#: environment variables that make TensorFlow's GPU ops deterministic (the second is TF 1.14-2.x)
_DETERMINISM_ENV = frozenset({"TF_DETERMINISTIC_OPS", "TF_CUDNN_DETERMINISTIC"})


@dataclass(frozen=True)
class SeedEvent:
    node: cst.CSTNode
    name: str  # canonical name of the API called
    generators: tuple[Generator, ...]


Action = Literal["create", "train", "layer", "use"]


@dataclass(frozen=True)
class ModelEvent:
    """A model or layer created, a model trained, or a model's weights used (``predict``,
    ``model(x)``, ``save``), with TensorFlow's seed state at that point."""

    node: cst.CSTNode
    name: str  # canonical name of the API called
    action: Action
    tf_state: State
    #: the top-level call that led here (``build_model(...)``), when inside a followed function
    entry: cst.CSTNode | None = None
    #: the model (create, train, use) or layer object (layer) the event is about
    obj: Any = field(default=None, compare=False, repr=False)
    #: for ``fit``: whether it shuffles the samples itself (arrays with ``shuffle=True``); None: unknown
    shuffles: bool | None = False


@dataclass(frozen=True)
class DrawEvent:
    """A draw from a generator, and whether that generator was seeded then."""

    node: cst.CSTNode
    name: str  # canonical name of the API called
    generator: Generator | Literal["instance"]
    state: State
    advice: str


@dataclass
class SeedingFacts:
    seeds: list[SeedEvent] = field(default_factory=list)
    models: list[ModelEvent] = field(default_factory=list)
    draws: list[DrawEvent] = field(default_factory=list)
    determinism: list[cst.CSTNode] = field(default_factory=list)
    #: every seed, model and draw event in execution order
    timeline: list[SeedEvent | ModelEvent | DrawEvent] = field(default_factory=list)


def _callee(site: CallSite) -> cst.CSTNode:
    """Report at the callee (``tf.keras.Sequential``), not across a whole multi-line call."""
    return site.node.func if site.node is not None else site.node


class SeedTracker:
    """Interpreter tracker that fills a SeedingFacts; only reachable code counts."""

    def __init__(self) -> None:
        self.state: dict[Generator, State] = {g: "no" for g in GENERATORS}
        self.facts = SeedingFacts()

    # -- fork / join protocol ------------------------------------------------------------
    def snapshot(self) -> dict[Generator, State]:
        return dict(self.state)

    def restore(self, snap: dict[Generator, State]) -> None:
        self.state = dict(snap)

    def join(self, a: dict[Generator, State], b: dict[Generator, State]) -> dict[Generator, State]:
        return {g: a[g] if a[g] == b[g] else "maybe" for g in GENERATORS}

    def on_unknown(self) -> None:
        """The interpreter skipped code (a call too deep or recursive, the budget ran out): it may
        have seeded anything, so "certainly not seeded" becomes "maybe" (never a false KL101)."""
        self.state = {g: "maybe" if s == "no" else s for g, s in self.state.items()}

    # -- observation -----------------------------------------------------------------------
    def quiet(self, site: CallSite) -> bool:
        """Whether ``on_call(site)`` would record nothing (summaries.py)."""
        return not site.reachable or site.node is None

    def on_call(self, site: CallSite) -> None:
        if not site.reachable or site.node is None:
            return
        name = site.name
        if name in SEED_CALLS:
            generators = SEED_CALLS[name]
            for g in generators:
                self.state[g] = "yes"
            self._add(SeedEvent(site.node, site.name, generators))
            return
        if name in DETERMINISM_CALLS or self._sets_deterministic_env(site):
            self.facts.determinism.append(site.node)
            return
        model_action = self._model_action(site)
        if model_action is not None:
            entry = site.stack[0] if site.stack else None
            obj = site.receiver if model_action in ("train", "use") else site.result
            self._add(ModelEvent(_callee(site), site.name, model_action, self.state["tensorflow"], entry, obj,
                                 _fit_shuffles(site) if model_action == "train" else False))
            return
        draw = self._draw(site)
        if draw is not None:
            generator, advice = draw
            state: State = "no" if generator == "instance" else self.state[generator]
            self._add(DrawEvent(_callee(site), site.name, generator, state, advice))

    def _add(self, event: SeedEvent | ModelEvent | DrawEvent) -> None:
        self.facts.timeline.append(event)
        if isinstance(event, SeedEvent):
            self.facts.seeds.append(event)
        elif isinstance(event, ModelEvent):
            self.facts.models.append(event)
        else:
            self.facts.draws.append(event)

    @staticmethod
    def _sets_deterministic_env(site: CallSite) -> bool:
        setters = ("os.environ.__setitem__", "os.environ.setdefault", "os.putenv")
        return site.name in setters and bool(site.args) and site.args[0] in _DETERMINISM_ENV

    @staticmethod
    def _model_action(site: CallSite) -> Action | None:
        if site.name in api.MODEL_CONSTRUCTORS:
            return "create"
        if api.is_layer_constructor(site.name):
            return "layer"
        if site.receiver is not None and site.receiver.type == api.MODEL:
            method = site.name.rsplit(".", 1)[-1]
            if method in api.TRAINING_METHODS:
                return "train"
            if method == "__call__" and not site.stack and not site.in_loop:
                # A single `model(x)` at the top of a script builds the model or shows it off;
                # training loops and train steps call it in loops and functions.
                return None
            if method in _USING_WEIGHTS:
                return "use"
        return None

    @staticmethod
    def _draw(site: CallSite) -> tuple[Generator | Literal["instance"], str] | None:
        name = site.name
        leaf = name.rsplit(".", 1)[-1]
        receiver = site.receiver
        if receiver is not None and receiver.type in (api.NP_GENERATOR, api.PY_RANDOM, api.TF_GENERATOR):
            if receiver.data.get("seeded") is False and not leaf.startswith("_"):
                return "instance", "create it with a seed, e.g. `np.random.default_rng(42)`"
            return None
        if name.startswith("numpy.random.") and name.count(".") == 2 and leaf not in _NUMPY_NOT_DRAWS:
            return "numpy", "call `np.random.seed(...)` first"
        if name.startswith("random.") and name.count(".") == 1 and leaf in _PYTHON_DRAWS:
            return "python", "call `random.seed(...)` first"
        if name.startswith("tensorflow.random.") and leaf in _TF_OPS and not site.has(_TF_OPS[leaf], "seed"):
            return "tensorflow", "call `tf.random.set_seed(...)` first or pass `seed=`"
        # Dataset.shuffle(buffer_size, seed=None, ...): the receiver is not among the args, so
        # a positional seed is args[1] (it was read from args[2]: `shuffle(1000, 42)` was reported).
        if receiver is not None and receiver.type == api.DATASET and leaf == "shuffle" and not site.has(1, "seed"):
            return "tensorflow", "pass `seed=` to `shuffle`, or call `tf.random.set_seed(...)` first"
        if name in ("sklearn.model_selection.train_test_split", "sklearn.utils.shuffle"):
            if site.arg(None, "shuffle", default=True) is False or site.has(None, "random_state"):
                return None
            return "numpy", "pass `random_state=`"
        if receiver is not None and receiver.type == api.IMAGE_DATA_GENERATOR and leaf.startswith("flow"):
            if site.arg(None, "shuffle", default=True) is False or site.has(None, "seed"):
                return None
            return "numpy", "pass `seed=`"
        if name in ("keras.utils.image_dataset_from_directory", "keras.utils.text_dataset_from_directory",
                    "keras.utils.audio_dataset_from_directory"):
            if site.arg(None, "shuffle", default=True) is False or site.has(None, "seed"):
                return None
            return "numpy", "pass `seed=`"
        if name == "keras.utils.timeseries_dataset_from_array":
            shuffle = site.arg(None, "shuffle", default=False)
            if shuffle is False or shuffle is UNKNOWN or site.has(None, "seed"):
                return None
            return "numpy", "pass `seed=`"
        return None


def _fit_shuffles(site: CallSite) -> bool | None:
    """``fit`` shuffles NumPy/tensor inputs each epoch unless ``shuffle=False``; a ``tf.data``
    dataset or a generator is fed in its own order (its own shuffle is KL102's business)."""
    if not site.name.endswith((".fit", ".fit_generator")):
        return False
    shuffle = site.arg(None, "shuffle", default=True)
    x = site.arg(0, "x")
    if shuffle is False or isinstance(x, Obj) and x.type in (api.DATASET, api.IMAGE_ITERATOR) \
            or site.name.endswith(".fit_generator"):
        return False
    if shuffle is True and isinstance(x, Array):
        return True
    return None


def _layers(graph: ModelGraph, seen: set[int] | None = None) -> list[Layer]:
    """Every layer of a model graph, nested models' layers included."""
    seen = set() if seen is None else seen
    found: list[Layer] = []
    if graph.id in seen:
        return found
    seen.add(graph.id)
    for node in graph.nodes():
        if node.layer is None:
            continue
        found.append(node.layer)
        if node.layer.submodel is not None:
            found.extend(_layers(node.layer.submodel, seen))
    return found


def model_layers(obj: Any) -> list[Layer] | None:
    """The layers of a model object the script built; None when its graph is unknown."""
    if not isinstance(obj, Obj) or obj.type != api.MODEL:
        return None
    graph = models.model_graph(obj)
    return _layers(graph) if graph is not None else None


def initialises_weights(layer: Layer) -> bool:
    """Whether creating this layer draws initial weights at random (not loaded, not weightless)."""
    return layer.kind not in _NOT_RANDOM and layer.kind != "Model" and layer.pretrained is False


def fresh_weights(obj: Any) -> bool | None:
    """Whether a model starts from randomly initialised weights: it holds a layer with weights
    that the script created (not one loaded, nor a pretrained backbone). None: unknown."""
    if isinstance(obj, Obj) and obj.data.get("fresh"):
        return True
    layers = model_layers(obj)
    if layers is None:
        return None
    if any(initialises_weights(layer) for layer in layers):
        return True
    return None if any(layer.pretrained is None for layer in layers) else False


def stochastic_layers(obj: Any) -> bool | None:
    """Whether the model has dropout, noise or augmentation layers (random on every step)."""
    layers = model_layers(obj)
    if layers is None:
        return None
    if any(layer.kind in _STOCHASTIC for layer in layers):
        return True
    # a keras.applications network may hold Dropout (EfficientNet's blocks, MobileNet's top): unknown
    return None if any(layer.kind in ("Opaque", "Lambda", "Application") for layer in layers) else False


def uses_after(timeline: list[Any], start: int) -> tuple[set[int], set[int]]:
    """What a seed set at ``timeline[start]`` still matters for: the ids of the model objects and
    model graphs trained or used after it (nested models included), and the ids of their layers."""
    used: set[int] = set()
    layer_ids: set[int] = set()
    for event in timeline[start:]:
        if isinstance(event, ModelEvent) and event.action in ("train", "use") and event.obj is not None:
            used.add(id(event.obj))
            graph = models.model_graph(event.obj) if isinstance(event.obj, Obj) else None
            if graph is not None:
                used.add(graph.id)
            for layer in model_layers(event.obj) or ():
                layer_ids.add(layer.id)
                if layer.submodel is not None:
                    used.add(layer.submodel.id)
    return used, layer_ids


def is_used(obj: Any, used: set[int]) -> bool:
    """Whether a model object is among (or nested in) the models of ``uses_after``."""
    if id(obj) in used:
        return True
    graph = models.model_graph(obj) if isinstance(obj, Obj) and obj.type == api.MODEL else None
    return graph is not None and graph.id in used
