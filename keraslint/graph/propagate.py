"""The graph pass: run symbolic shapes through a model with keraslint's own shape engine.

Each node gets its input and output shapes, its parameter count and, when the layer cannot
take its input, the engine's ShapeError. A node after an error or an unmodelled layer sees
an unknown input, so one mistake gives one finding, not a cascade. Models used as layers are
run again with the shapes they are actually called on.

A None in a shape is never a size, for the rules. For the coverage report each result also says
which of its None axes keraslint could not determine (``blind``) as opposed to the ones the
model declares dynamic (the batch axis, ``Input((None, 8))``), and why, where the cause is at
this node (``reason``). The blind axes are found without ever turning an unknown into a size
used elsewhere: the layer is run once more with each blind input axis set to a probe value (and
each unknown size it reads set to a small one), and an output axis that is None even then is
dynamic by the model's own declaration.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from keraslint.ir.graph import Layer, ModelGraph, Node, Shape
from keraslint.plural import plural
from keraslint.shapes import (
    LayerSpec,
    ShapeError,
    UnsupportedLayer,
    infer,
    supported_kinds,
)
from keraslint.shapes.custom import CUSTOM_LAYER_KEY
from keraslint.shapes.spec import LayerResult
from keraslint.shapes.tensor_ops import TensorOp
from keraslint.values import UNKNOWN
from keraslint.vocabulary import LEGACY_LAYER_ALIASES

MAX_NESTING = 8
#: what a blind input axis is set to when probing which output axes depend on it: large and with
#: many divisors, so that reshapes and strides accept it more often than not (a refusal only
#: makes the answer more cautious)
PROBE = 720720
#: layers whose output size is their vocabulary, fixed by adapt() on the data
ADAPTED = frozenset({"TextVectorization", "StringLookup", "IntegerLookup", "Discretization", "Normalization"})
Blind = frozenset[int]
_SEEING: Blind = frozenset()


class ChannelMismatch(ShapeError):
    """A tensor reaches a layer or model already built for another channel count (KL202)."""


@dataclass
class NodeResult:
    inputs: list[Shape | None]
    outputs: tuple[Shape | None, ...]
    params: int | None
    error: ShapeError | None = None
    unsupported: bool = False
    blind: tuple[Blind, ...] = ()
    """Per output of known rank: the axes keraslint could not determine (empty: none)."""
    reason: str | None = None
    """Why this node's output is (partly) unknown, when the cause is here rather than upstream."""

    @property
    def output(self) -> Shape | None:
        return self.outputs[0] if self.outputs else None

    def blind_axes(self, index: int = 0) -> Blind:
        return self.blind[index] if index < len(self.blind) else _SEEING


@dataclass
class AnalyzedModel:
    graph: ModelGraph
    order: list[Node]
    results: dict[int, NodeResult]
    nested: dict[int, AnalyzedModel] = field(default_factory=dict)

    def result(self, node: Node) -> NodeResult:
        return self.results[node.id]

    def consumers(self, node: Node) -> list[Node]:
        return [n for n in self.order if any(t.node is node for t in n.inputs)]

    def output_shapes(self) -> list[Shape | None]:
        return [self._tensor_shape(t.node, t.index) for t in self.graph.outputs]

    def output_blind(self) -> list[Blind]:
        return [self._tensor_blind(t.node, t.index) for t in self.graph.outputs]

    def _tensor_shape(self, node: Node, index: int) -> Shape | None:
        result = self.results.get(node.id)
        if result is None or index >= len(result.outputs):
            return None
        return result.outputs[index]

    def _tensor_blind(self, node: Node, index: int) -> Blind:
        result = self.results.get(node.id)
        return result.blind_axes(index) if result is not None else _SEEING

    def total_params(self) -> int | None:
        """Parameters as Keras counts them: every layer once, even when it is shared between
        this model and a model it calls."""
        total = 0
        seen: set[int] = set()
        for model, node, result in self.walk():
            layer = node.layer
            if layer is None or node.id in model.nested:
                continue  # a called model's weights are its own layers, walked next
            if layer.id in seen:
                continue
            seen.add(layer.id)
            if result.params is None:
                return None
            total += result.params
        return total

    def walk(self) -> Iterator[tuple[AnalyzedModel, Node, NodeResult]]:
        """Every node of this model and of the models it calls, with the model it was run in."""
        for node in self.order:
            yield self, node, self.results[node.id]
            if node.id in self.nested:
                yield from self.nested[node.id].walk()


class _Watched(dict):  # type: ignore[type-arg]
    """A layer config that notes which unknown values the shape engine actually reads: an
    unknown ``activation`` changes no shape, an unknown ``units`` does."""

    def __init__(self, items: dict[str, Any], reads: list[str]) -> None:
        super().__init__(items)
        self.reads = reads

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        if _holds_unknown(value):
            self.reads.append(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default


def _holds_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    return isinstance(value, (tuple, list)) and any(_holds_unknown(v) for v in value)


def to_spec(layer: Layer, reads: list[str] | None = None, probe: frozenset[str] = frozenset()) -> LayerSpec:
    """The engine's view of a layer; with ``reads``, the unknown config values it reads are
    recorded there (wrapped layers' included); the unknowns in the ``probe`` keys are set to a
    small size (``_probe``)."""
    config: dict[str, Any] = {}
    for key, value in layer.config.items():
        if key.startswith("__"):
            continue
        if isinstance(value, Layer):
            value = to_spec(value, reads, probe)
        elif key in probe:
            value = _probe_value(value)
        config[key] = value
    return LayerSpec(layer.kind, config if reads is None else _Watched(config, reads))


def _probe_value(value: Any) -> Any:
    """Unknowns set to 3, inside tuples too (``kernel_size=(k, 3)`` with ``k`` unknown)."""
    if value is UNKNOWN:
        return 3
    if isinstance(value, tuple):
        return tuple(_probe_value(v) for v in value)
    if isinstance(value, list):
        return [_probe_value(v) for v in value]
    return value


def analyze_model(graph: ModelGraph, input_shapes: Sequence[Shape | None] | None = None, depth: int = 0,
                  input_blind: Sequence[Blind] | None = None, known: dict[int, NodeResult] | None = None) -> AnalyzedModel:
    """Shapes through ``graph``, from its declared inputs or from ``input_shapes`` (a model used
    as a layer, run on what it is called with; ``input_blind``: their undetermined axes).
    ``known``: results of nodes already run from their declared inputs, reused and added to (the
    source pass asks for the shapes of one tensor after another of the same growing graph)."""
    order = graph.nodes()
    analysis = AnalyzedModel(graph, order, {} if known is None else {n.id: known[n.id] for n in order if n.id in known})
    built_for: dict[int, Shape] = {}  # a shared layer's first input shape: its weights fix the channels
    ids = [t.node.id for t in graph.inputs]
    provided = dict(zip(ids, input_shapes)) if input_shapes is not None else {}
    provided_blind = dict(zip(ids, input_blind or ()))
    for node in order:
        if node.id in analysis.results:
            continue
        if node.is_input:
            analysis.results[node.id] = _input_result(node, provided, provided_blind)
            continue
        inputs = [analysis._tensor_shape(t.node, t.index) for t in node.inputs]
        blind = [analysis._tensor_blind(t.node, t.index) for t in node.inputs]
        mismatch = _check_shared_layer(node, inputs, built_for)
        if mismatch is not None:
            analysis.results[node.id] = _unknown(node, inputs, error=mismatch,
                                                 reason=f"{_name(node)}: cannot take its input (see the finding)")
            continue
        analysis.results[node.id] = _run_node(node, inputs, blind, analysis, depth)
    if known is not None:
        known.update(analysis.results)
    return analysis


def _input_result(node: Node, provided: dict[int, Shape | None], provided_blind: dict[int, Blind]) -> NodeResult:
    if node.id in provided:  # the caller's shapes: any unknown in them has its cause upstream
        shape = provided[node.id]
        return NodeResult([], (shape,), 0, blind=(provided_blind.get(node.id, _SEEING),))
    shape = node.input_shape
    blind = frozenset(node.unknown_axes) if shape is not None else _SEEING
    if shape is not None and blind:
        blind = frozenset(axis for axis in blind if axis < len(shape) and shape[axis] is None)
    reason = None
    if shape is None or blind:
        reason = node.unknown_reason or "input shape unknown: the model is never given an Input shape or data"
    return NodeResult([], (shape,), 0, blind=(blind,), reason=reason)


def _name(node: Node) -> str:
    layer = node.layer
    if layer is None:
        return "input"
    kind = layer.spelled if layer.kind in ("Opaque", "Application") and layer.spelled else layer.kind
    return f"layer {kind}" + (f" '{layer.name}'" if layer.name else "")


def _unknown(node: Node, inputs: list[Shape | None], params: int | None = None, **extra: Any) -> NodeResult:
    return NodeResult(inputs, tuple(None for _ in range(node.output_count)), params, **extra)


def _run_node(node: Node, inputs: list[Shape | None], blind: list[Blind], analysis: AnalyzedModel,
              depth: int) -> NodeResult:
    layer = node.layer
    assert layer is not None
    if layer.kind == "Model" and layer.submodel is not None:
        return _run_submodel(node, layer.submodel, inputs, blind, analysis, depth)
    if layer.config.get("__partial__"):
        return _unknown(node, inputs, reason=layer.unknown_reason or
                        f"{_name(node)}: its arguments are unpacked from *args/**kwargs keraslint could not read")
    if node.call_kwargs.get("__unknown_input__") or not inputs and not node.call_kwargs.get("__constant__"):
        what = _argument_text(node)
        why = f" ({node.unknown_reason})" if node.unknown_reason else ""  # source/unknown_notes.py
        return _unknown(node, inputs, reason=f"{_name(node)}: applied to {f'`{what}`, ' if what else ''}a value "
                        f"keraslint did not follow as a Keras tensor{why}")
    if any(shape is None for shape in inputs):
        # The cause is upstream; a layer keraslint never models is a further cause worth naming.
        return _unknown(node, inputs, reason=_unmodelled(node) if _never_modelled(layer) else None)
    reads: list[str] = []
    try:
        result = infer(to_spec(layer, reads), inputs)
    except UnsupportedLayer:
        return _unknown(node, inputs, unsupported=True, reason=_unmodelled(node))
    except ShapeError as error:
        if node.conditional:
            return _unknown(node, inputs, reason=_conditional(node))
        return _unknown(node, inputs, error=error, reason=f"{_name(node)}: cannot take its input (see the finding)")
    except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, OverflowError):
        # A configuration the engine does not understand (a hostile saved model, an odd value):
        # unknown, never a crash and never a guess.
        return _unknown(node, inputs, unsupported=True, reason=_unmodelled(node))
    outputs: tuple[Shape | None, ...] = tuple(result.outputs)
    if node.conditional and (len(outputs) != 1 or outputs[0] != inputs[0]):
        # may or may not be there: what follows is unknown
        return NodeResult(inputs, tuple(None for _ in outputs), result.params, reason=_conditional(node))
    out_blind, reason = _blind_outputs(node, layer, inputs, blind, outputs, sorted(set(reads)))
    out_blind, unsized = _evaluated_blind(layer, inputs, blind, result, out_blind)
    return NodeResult(inputs, outputs, result.params, blind=out_blind, reason=reason or unsized)


def _evaluated_blind(layer: Layer, inputs: list[Shape | None], in_blind: list[Blind], result: LayerResult,
                     blind: tuple[Blind, ...]) -> tuple[tuple[Blind, ...], str | None]:
    """A custom layer's output comes from following its own code on arrays, where a None axis is
    one the evaluation could not size (``tf.pad`` with paddings it could not read), not one Keras
    leaves dynamic: unknown to keraslint, except the batch axis, axes the input already had as
    Keras's own None (a variable-length sequence the layer passes on) and the ones the evaluation found Keras
    leaves None (a reshape by the batch size). With the reason, when there are such axes."""
    model = layer.config.get(CUSTOM_LAYER_KEY)
    if model is None or isinstance(model, TensorOp):  # tensor ops follow Keras's own shape rules
        return blind, None
    dynamic = {i for k, shape in enumerate(inputs) if shape is not None for i, d in enumerate(shape)
               if d is None and i not in (in_blind[k] if k < len(in_blind) else _SEEING)}
    found = []
    unsized: list[int] = []
    for i, shape in enumerate(result.outputs):
        before = blind[i] if i < len(blind) else _SEEING
        keeps = result.dynamic[i] if i < len(result.dynamic) else _SEEING
        extra = frozenset(a for a, d in enumerate(shape or ())
                          if d is None and a != 0 and a not in dynamic and a not in keeps)
        unsized.extend(sorted(extra - before))
        found.append(before | extra)
    if not unsized:
        return tuple(found), None
    axes = ("axis " if len(unsized) == 1 else "axes ") + ", ".join(str(a) for a in unsized)
    by = f" at `{result.unsized_by}`" if result.unsized_by else ""
    cls = getattr(model, "cls", None)
    name = cls.name if cls is not None else layer.kind
    return tuple(found), f"custom layer {name}: call() leaves {axes} of its output unsized{by}"


def _argument_text(node: Node) -> str | None:
    """The first argument of the call that applied the layer, as written (for reasons)."""
    call = node.node
    if not isinstance(call, cst.Call) or not call.args:
        return None
    try:
        text = " ".join(cst.Module([]).code_for_node(call.args[0].value).split())
    except Exception:  # noqa: BLE001 - a reason without the text is still a reason
        return None
    return text if len(text) <= 40 else text[:37] + "..."


def _unmodelled(node: Node) -> str:
    layer = node.layer
    assert layer is not None
    if layer.unknown_reason:
        return layer.unknown_reason
    if layer.kind in ADAPTED:
        return f"{_name(node)}: shape depends on adapt()"
    return f"{_name(node)}: not modelled by keraslint"


def _never_modelled(layer: Layer) -> bool:
    if CUSTOM_LAYER_KEY in layer.config:  # its own code is run (source/custom_layers.py) once its input is known
        return layer.unknown_reason is not None
    if layer.kind == "Application":  # a keras.applications network: modelled unless it says why not
        return layer.unknown_reason is not None
    return layer.unknown_reason is not None or LEGACY_LAYER_ALIASES.get(layer.kind, layer.kind) not in supported_kinds()


def _conditional(node: Node) -> str:
    return f"{_name(node)}: added in one branch of an `if` keraslint could not decide"


def _blind_outputs(node: Node, layer: Layer, inputs: list[Shape | None], blind: list[Blind],
                   outputs: tuple[Shape | None, ...], reads: list[str]) -> tuple[tuple[Blind, ...], str | None]:
    """Which None output axes are unknown to keraslint rather than dynamic by declaration, and
    the reason when an unknown config value of this layer is (part of) the cause."""
    nones = [frozenset(i for i, d in enumerate(o) if d is None) if o is not None else _SEEING for o in outputs]
    if not any(nones) or (not any(blind) and not reads):
        return tuple(_SEEING for _ in outputs), None
    # Keras layers keep the batch axis: it stays the declared one unless an input's is unknown.
    batch_seen = all(0 not in b for b in blind)
    cautious = tuple(frozenset(i for i in none if not (i == 0 and batch_seen)) for none in nones)
    why = None
    if reads:
        keys = ", ".join(f"`{k}`" for k in reads)
        why = f"{_name(node)}: {keys} {'is' if len(reads) == 1 else 'are'} not known to keraslint"
    probed = _probe(layer, inputs, blind, reads)
    if probed is None or len(probed) != len(outputs) or any(
            p is None or o is None or len(p) != len(o) for p, o in zip(probed, outputs)):
        return cautious, why
    # An axis that stays None with every input axis and every size it reads known is dynamic by
    # the model's own declaration.
    found = tuple(frozenset(i for i in none if p[i] is not None)  # type: ignore[index]
                  for none, p in zip(nones, probed))
    return found, why if any(found) else None


def _probe(layer: Layer, inputs: list[Shape | None], blind: list[Blind],
           reads: list[str]) -> tuple[Shape | None, ...] | None:
    """The layer's outputs with its blind input axes set to PROBE and the unknown config values
    it reads set to a small size: only ever compared with None, never reported or passed on.
    None when the engine refuses the probe (a string option, a reshape that does not divide)."""
    probes = [tuple(PROBE if i in b else d for i, d in enumerate(shape)) for shape, b in zip(inputs, blind)
              if shape is not None]
    try:
        return tuple(infer(to_spec(layer, probe=frozenset(reads)), probes).outputs)
    except (ShapeError, UnsupportedLayer, TypeError, ValueError, KeyError, IndexError, ZeroDivisionError,
            OverflowError):
        return None


def _check_shared_layer(node: Node, inputs: list[Shape | None], built_for: dict[int, Shape]) -> ChannelMismatch | None:
    layer = node.layer
    if layer is None or len(inputs) != 1 or inputs[0] is None or layer.kind == "Model":
        return None
    shape = inputs[0]
    first = built_for.setdefault(layer.id, shape)
    if first is shape or len(first) != len(shape) or first[-1] is None or shape[-1] is None or first[-1] == shape[-1]:
        return None
    return ChannelMismatch("channels", f"{layer.label} was first called on {_channels(first[-1])} {first}, which "
                           f"fixed its weights, and is called again on {_channels(shape[-1])} {shape}",
                           axis=len(shape) - 1, expected=first[-1], actual=shape[-1])


def _run_submodel(node: Node, graph: ModelGraph, inputs: list[Shape | None], blind: list[Blind],
                  analysis: AnalyzedModel, depth: int) -> NodeResult:
    label = f"model '{graph.name}'" if graph.name else "an inner model"
    if depth >= MAX_NESTING:
        return _unknown(node, inputs, reason=f"{label}: models nested more than {MAX_NESTING} deep")
    if not graph.complete:
        why = graph.unknown[0] if graph.unknown else "part of it could not be resolved"
        return _unknown(node, inputs, reason=f"{label} (used as a layer): {why}")
    blind = [_adjust_blind(t.node.input_shape, got, b) for t, got, b in zip(graph.inputs, inputs, blind)]
    inputs = [adjust_rank(t.node.input_shape, got) for t, got in zip(graph.inputs, inputs)]
    error = _check_submodel_inputs(graph, inputs)
    if error is not None:
        # Its weights do not depend on the bad call: count them from its own declared inputs.
        return _unknown(node, inputs, analyze_model(graph, None, depth + 1).total_params(), error=error,
                        reason=f"{label}: cannot take its input (see the finding)")
    nested = analyze_model(graph, inputs, depth + 1, blind)
    analysis.nested[node.id] = nested
    outputs = tuple(nested.output_shapes())
    return NodeResult(inputs, outputs, nested.total_params(), blind=tuple(nested.output_blind()))


def _adjust_blind(want: Shape | None, got: Shape | None, blind: Blind) -> Blind:
    """``blind`` after adjust_rank: a dropped trailing axis takes its index with it."""
    adjusted = adjust_rank(want, got)
    if got is None or adjusted is None or len(adjusted) >= len(got):
        return blind
    return frozenset(axis for axis in blind if axis < len(adjusted))


def adjust_rank(want: Shape | None, got: Shape | None) -> Shape | None:
    """Keras 3 models add a missing trailing axis of size 1 to their input, and drop an extra
    one (``Functional._adjust_input_rank``): ``(None, 28, 28)`` into ``Input((28, 28, 1))``."""
    if want is None or got is None:
        return got
    if len(got) == len(want) - 1 and want[-1] == 1:
        return (*got, 1)
    if len(got) == len(want) + 1 and got[-1] == 1:
        return got[:-1]
    return got


def _check_submodel_inputs(graph: ModelGraph, inputs: list[Shape | None]) -> ShapeError | None:
    """A model built for one input shape called on another (Keras warns, then usually fails)."""
    declared = [t.node.input_shape for t in graph.inputs]
    label = f"model '{graph.name}'" if graph.name else "the inner model"
    for want, got in zip(declared, inputs):
        if want is None or got is None:
            continue
        if len(want) != len(got):
            return ShapeError("rank", f"{label} expects input of rank {len(want)} {want}, got rank {len(got)} {got}",
                              expected=want, actual=got)
        if want[-1] is not None and got[-1] is not None and want[-1] != got[-1]:
            return ChannelMismatch("channels", f"{label} was built for {_channels(want[-1])} {want} but is fed "
                                   f"{_channels(got[-1])} {got}", axis=len(want) - 1, expected=want[-1], actual=got[-1])
        for axis, (w, g) in enumerate(zip(want[1:-1], got[1:-1]), start=1):
            if w is not None and g is not None and w != g:
                return ShapeError("incompatible", f"{label} was built for input {want} but is fed {got} "
                                  f"(axis {axis}: {w} vs {g})", axis=axis, expected=w, actual=g)
    return None


def _channels(count: int) -> str:
    return plural(count, "channel")
