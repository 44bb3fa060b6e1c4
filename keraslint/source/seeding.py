"""Which random generators are seeded at each point of the script, and what draws from them.

Three global generators matter to a Keras run: Python's ``random``, NumPy's global
generator and TensorFlow's global seed (weight initialisation, dropout, ``fit`` shuffling,
``Dataset.shuffle``). Each is "yes", "no" or "maybe" seeded at a given point; branches merge
"yes" and "no" into "maybe", and rules only report what is certain ("no").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import libcst as cst

from keraslint.source import api
from keraslint.source.interpreter import CallSite
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
#: environment variables that make TensorFlow's GPU ops deterministic (the second is TF 1.14-2.x)
_DETERMINISM_ENV = frozenset({"TF_DETERMINISTIC_OPS", "TF_CUDNN_DETERMINISTIC"})


@dataclass(frozen=True)
class SeedEvent:
    node: cst.CSTNode
    name: str  # canonical name of the API called
    generators: tuple[Generator, ...]


@dataclass(frozen=True)
class ModelEvent:
    """A model or layer created, or a model trained, with TensorFlow's seed state at that point."""

    node: cst.CSTNode
    name: str  # canonical name of the API called
    action: Literal["create", "train", "layer"]
    tf_state: State
    #: the top-level call that led here (``build_model(...)``), when inside a followed function
    entry: cst.CSTNode | None = None


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
            self._add(ModelEvent(_callee(site), site.name, model_action, self.state["tensorflow"], entry))
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
    def _model_action(site: CallSite) -> Literal["create", "train", "layer"] | None:
        if site.name in api.MODEL_CONSTRUCTORS:
            return "create"
        if api.is_layer_constructor(site.name):
            return "layer"
        if site.receiver is not None and site.receiver.type == api.MODEL:
            if site.name.rsplit(".", 1)[-1] in api.TRAINING_METHODS:
                return "train"
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
