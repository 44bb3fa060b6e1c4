"""Custom layers with weights of their own or their own shape rule: ``class Scale(keras.layers.Layer)``
with ``self.add_weight(...)`` in ``build``/``__init__``, or with ``compute_output_shape``.

Tracing such a layer into the model's graph (as subclass.py does for layers built only from
Keras layers) would lose its weights, and its ``call`` works on shapes the source pass does not
know yet (a subclassed model's input shape comes from the data it is fed later). So the layer
stays one ``Opaque`` node with a ``CustomLayer`` under ``config["custom_layer"]``; the shape
engine (keraslint/shapes/custom.py) asks it for the node's output shape when the graph pass
knows the input shape. It then runs the layer's own code with the interpreter, as Keras does
when the layer is called on a symbolic tensor:

* ``build(input_shape)`` with the input shape as Keras passes it (a tuple, batch axis None);
  ``self.add_weight(shape=...)`` there or in ``__init__`` gives an array of that shape and
  counts toward the layer's parameters (``trainable=False`` ones too, as ``count_params()``);
* ``compute_output_shape(input_shape)`` when the layer defines it (Keras uses it for the output
  of a symbolic call); otherwise ``call`` on a tensor of the input shape, followed with the array
  semantics (``tf.matmul(x, self.w) + self.b``, element-wise ops, activations).

Where the body is not modelled the output is unknown and ``Layer.unknown_reason`` says which
call stopped it. Each evaluation is detached from the trackers (it is not the script running)
and bounded by its own step budget; the layer's attributes are restored afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import libcst as cst

from keraslint.ir.graph import Layer
from keraslint.shapes.custom import CUSTOM_LAYER_KEY
from keraslint.shapes.errors import UnsupportedLayer
from keraslint.shapes.spec import LayerResult, Shape
from keraslint.source.arrays import TENSOR, make, size_of
from keraslint.source.limits import frames_left
from keraslint.source.trackers import StatelessTracker
from keraslint.source.values import DYNAMIC_AXES, Array, ClassValue, ListValue, Obj
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter

#: interpreter steps one evaluation of a layer's build + call may take (a whole script gets 200k)
STEP_BUDGET = 20_000
#: distinct input shapes evaluated per layer (a layer is rarely applied to more than a few)
MAX_EVALUATIONS = 16

#: above 0 while the source pass asks the graph pass for a tensor's shape mid-run (tensor_ops.static_dims)
provisional = [0]

_LAYER = "keras.layers.Layer"
_MODEL = "keras.Model"


@dataclass(frozen=True)
class Weight:
    """One ``add_weight`` call: its shape (None: unknown rank), trainable (None: unknown), and
    whether it certainly ran (not on one side of an undecided ``if``)."""

    shape: tuple[int | None, ...] | None
    trainable: bool | None
    certain: bool
    node: Any = None

    @property
    def size(self) -> int | None:
        return size_of(self.shape) if self.certain else None


def attach(interp: Interpreter, obj: Obj, cls: ClassValue) -> None:
    """After ``__init__`` of a custom layer: keep its model on the layer for the shape engine."""
    layer = obj.data.get("layer")
    if not isinstance(layer, Layer) or layer.kind != "Opaque":
        return
    obj.data["init_weights"] = obj.data.pop("own_weights", [])
    layer.config[CUSTOM_LAYER_KEY] = CustomLayer(interp, obj, cls, layer)
    if interp._script_method(obj, "call") is None and interp._script_method(obj, "compute_output_shape") is None:
        layer.unknown_reason = f"custom layer {cls.name}: no call() to follow"


class CustomLayer:
    """A custom layer instance, evaluated on the input shapes of each node that applies it."""

    def __init__(self, interp: Interpreter, obj: Obj, cls: ClassValue, layer: Layer) -> None:
        self.interp = interp
        self.obj = obj
        self.cls = cls
        self.layer = layer
        self._results: dict[tuple[Shape, ...], LayerResult | UnsupportedLayer] = {}
        self._provisional: dict[tuple[Shape, ...], LayerResult | UnsupportedLayer] = {}
        self._weights: dict[tuple[Shape, ...], list[Weight]] = {}
        #: how many tensors the script passes as separate positional arguments
        #: (``Decoder()(x, encoder_outputs)``); 1 for one tensor or a list; None when its
        #: calls disagree (the engine's inputs then cannot say which form a call used)
        self.positional: int | None = 1
        #: input count -> the number of tensors a call returns, where output_structure found several
        self.output_counts: dict[int, int] = {}

    def __repr__(self) -> str:
        return f"CustomLayer({self.cls.name})"

    def called_with(self, count: int) -> None:
        """A call of the layer on ``count`` positional tensors."""
        if self.positional == 1 and not self._results and not self._provisional and count > 1:
            self.positional = count
        elif self.positional != count:
            self.positional = None

    def infer(self, inputs: list[Shape]) -> LayerResult:
        """Output shapes and parameter count on ``inputs``, as Keras builds the layer; raises
        UnsupportedLayer (unknown output) where the body is not modelled."""
        key = tuple(tuple(shape) for shape in inputs)
        if provisional[0] and key not in self._results:
            # asked mid-run (``x.shape`` in the script): the instance may not be what it will be
            # once the script has run, so the answer is kept apart from the graph pass's
            if key not in self._provisional:
                try:
                    self._provisional[key] = self._evaluate(list(key))
                except UnsupportedLayer as error:  # its reason, as the graph pass keeps it
                    self._provisional[key] = error
                except Exception as error:  # noqa: BLE001 - the user's code is never ours to crash on
                    self._provisional[key] = UnsupportedLayer("Opaque", f"custom layer {self.cls.name}: "
                                                                        f"{type(error).__name__} while following it")
            found = self._provisional[key]
            if isinstance(found, UnsupportedLayer):
                raise found
            return found
        if key not in self._results:
            if len(self._results) >= MAX_EVALUATIONS:
                raise UnsupportedLayer("Opaque", f"custom layer {self.cls.name}: too many input shapes")
            try:
                self._results[key] = self._evaluate(list(key))
            except UnsupportedLayer as error:
                self._results[key] = error
            except Exception as error:  # noqa: BLE001 - the user's code is never ours to crash on
                self._results[key] = UnsupportedLayer("Opaque", f"custom layer {self.cls.name}: "
                                                                f"{type(error).__name__} while following it")
        found = self._results[key]
        if isinstance(found, UnsupportedLayer):
            # the graph pass also probes the layer with made-up sizes: a failure there, after a
            # real input succeeded, says nothing about the layer
            succeeded = any(isinstance(result, LayerResult) for result in self._results.values())
            if self.layer.unknown_reason is None and found.reason and not succeeded:
                self.layer.unknown_reason = found.reason
            raise found
        return found

    def output_structure(self, shapes: list[Shape | None], positional: bool) -> tuple[type, int] | None:
        """How many tensors a call on tensors of ``shapes`` returns, when ``call`` returns a list or
        a tuple of them (``[scores[i] for i in range(len(inputs))]``): (list or tuple, their number);
        None for one tensor or when not known. The source pass needs it before the shapes are all
        known, so ``call`` runs on what is known (an axis not known is None; a shape not known is
        a tensor of unknown rank), detached as for ``infer``."""
        count = len(shapes)
        if self.interp._script_method(self.obj, "compute_output_shape") is not None:
            return None  # Keras takes the output from it: one shape, as _evaluate reads it
        call = self.interp._script_method(self.obj, "call")
        if call is None:
            return None
        tensors = [make(self.layer.node, shape, "float32", type_=TENSOR) for shape in shapes]
        arguments: list[Any] = tensors if positional or count == 1 else [ListValue(tensors)]
        known: list[Any] = [UNKNOWN if shape is None else shape for shape in shapes]
        built: Any = known[0] if positional or count == 1 else ListValue(known)
        try:
            with _detached(self.interp, self.obj):
                build = self.interp._script_method(self.obj, "build")
                if build is not None:  # what call reads from self (its weights) is made there
                    self.interp.call(build, [built], {}, None)
                result = self.interp.call(call, arguments, {}, None)
        except Exception:  # noqa: BLE001 - the user's code is never ours to crash on
            return None
        kind = list if isinstance(result, ListValue) else tuple if isinstance(result, tuple) else None
        items = result.items if isinstance(result, ListValue) else result
        # a layer returns tensors: an item of unknown shape is one too, but a nested container
        # (or nothing known to be a tensor) leaves the structure unknown
        if kind is None or not items or not all(isinstance(item, Array) or item is UNKNOWN for item in items):
            return None
        self.output_counts[count] = len(items)
        return kind, len(items)

    def weights(self, *inputs: Shape) -> list[Weight] | None:
        """The weights the layer makes when built on ``inputs`` (None: not followed)."""
        try:
            self.infer(list(inputs))
        except UnsupportedLayer:
            pass
        return self._weights.get(tuple(tuple(shape) for shape in inputs))

    def _evaluate(self, inputs: list[Shape]) -> LayerResult:
        interp, obj, name = self.interp, self.obj, self.cls.name
        if len(inputs) > 1 and self.positional is None:
            raise UnsupportedLayer("Opaque", f"custom layer {name}: called on different numbers of tensors")
        arguments: list[Any]
        if len(inputs) == 1:
            shapes: Any = inputs[0]
            arguments = [_tensor(inputs[0], self.layer.node)]
        elif self.positional == len(inputs):
            # Keras builds a layer whose build() takes one shape on its first argument's shape
            shapes = inputs[0]
            arguments = [_tensor(shape, self.layer.node) for shape in inputs]
        else:  # a layer called on a list of tensors gets a list of shapes (Keras)
            shapes = ListValue(list(inputs))
            arguments = [ListValue([_tensor(shape, self.layer.node) for shape in inputs])]
        dynamic: frozenset[int] = frozenset()
        with _detached(interp, obj) as probe:
            weights: list[Weight] = list(obj.data.get("init_weights", ()))
            obj.data["own_weights"] = weights
            build = interp._script_method(obj, "build")
            if build is not None:
                interp.call(build, [shapes], {}, None)
            rule = interp._script_method(obj, "compute_output_shape")
            outputs: tuple[Shape, ...] | None = None
            if rule is not None:
                output = _shape_value(interp.call(rule, [shapes], {}, None))
                where = "compute_output_shape()"
            else:
                call = interp._script_method(obj, "call")
                if call is None:
                    raise UnsupportedLayer("Opaque", f"custom layer {name}: no call() to follow")
                result = interp.call(call, arguments, {}, None)
                output = result.shape if isinstance(result, Array) else None
                outputs = _shapes_of(result)  # a list or tuple of tensors: several outputs
                if isinstance(result, Array):
                    dynamic = frozenset(result.data.get(DYNAMIC_AXES, ()))
                where = "call()"
            params = self._params(weights, probe)
        self._weights[tuple(inputs)] = weights
        expected = self.output_counts.get(len(inputs) if self.positional == len(inputs) or len(inputs) > 1 else 1, 1)
        if rule is None and outputs is not None and len(outputs) == expected > 1:
            items = result.items if isinstance(result, ListValue) else result
            return LayerResult(outputs=outputs, params=params,
                               dynamic=tuple(frozenset(item.data.get(DYNAMIC_AXES, ())) for item in items),
                               unsized_by=probe.unmodelled or probe.unsized_by)
        if expected > 1:  # on these shapes call does not return the tensors the script was given
            why = f"uses {probe.unmodelled}, not modelled" if probe.unmodelled else \
                f"gives no known shapes for its {expected} outputs"
            raise UnsupportedLayer("Opaque", f"custom layer {name}: {where} {why}")
        if output is None:
            why = f"uses {probe.unmodelled}, not modelled" if probe.unmodelled else "gives no known shape"
            raise UnsupportedLayer("Opaque", f"custom layer {name}: {where} {why}")
        return LayerResult(outputs=(output,), params=params, dynamic=(dynamic,),
                           unsized_by=probe.unmodelled or probe.unsized_by)

    def _params(self, weights: list[Weight], probe: _Probe, layers_counted: bool = False) -> int | None:
        """``count_params()``: every weight of the layer; unknown when one is, or when the layer
        also holds Keras layers (unless their weights are counted where they are applied) or
        ``tf.Variable`` objects (which Keras 3 does not count, and tf.keras 2 does)."""
        if probe.variables or _makes_variables(self.cls):
            return None
        total = 0
        if not layers_counted and _holds_layers(self.obj.data.get("attrs", {})):
            # the sub-layers' weights count when every one it holds was applied (built) with a known
            # count; one it never applied, or one inside a container we cannot see, leaves it unknown
            held = _held_layers(self.obj.data.get("attrs", {}))
            if held is None or not held or any(probe.sublayers.get(layer_id) is None for layer_id in held):
                return None
            total = sum(probe.sublayers[layer_id] or 0 for layer_id in held)
        repeated = _in_comprehensions(self.cls)
        for weight in weights:
            if weight.size is None or id(weight.node) in repeated:
                return None
            total += weight.size
        return total


class OwnWeights(CustomLayer):
    """The weights of its own that a subclassed model traced through its Keras layers makes
    (``self.add_weight`` in ``__init__`` or ``build``): one weightless-looking node that passes its
    input through and counts them, built on the model's input shape as Keras builds the model.
    Without it the model's parameter count would miss them."""

    def __repr__(self) -> str:
        return f"OwnWeights({self.cls.name})"

    def _evaluate(self, inputs: list[Shape]) -> LayerResult:
        interp, obj = self.interp, self.obj
        if len(inputs) != 1:
            raise UnsupportedLayer("Opaque", f"model {self.cls.name}: weights of its own on several inputs")
        with _detached(interp, obj) as probe:
            weights: list[Weight] = list(obj.data.get("init_weights", ()))
            obj.data["own_weights"] = weights
            build = interp._script_method(obj, "build")
            if build is not None:
                interp.call(build, [inputs[0]], {}, None)
            params = self._params(weights, probe, layers_counted=True)
        self._weights[tuple(inputs)] = weights
        if params is None and self.layer.unknown_reason is None:
            self.layer.unknown_reason = f"model {self.cls.name}: its own weights are not known to keraslint"
        return LayerResult(outputs=(inputs[0],), params=params)


def call_outputs(layer: Layer, inputs: list[Any] | None, node: Any) -> tuple[type, int] | None:
    """For a node of the script's own layer on ``inputs`` (the source pass's tensors), whether
    its call returns several tensors: (list or tuple, how many), else None (CustomLayer.output_structure)."""
    custom = layer.config.get(CUSTOM_LAYER_KEY)
    if inputs is None or not isinstance(custom, CustomLayer) or isinstance(custom, OwnWeights) \
            or custom.positional is None:
        return None
    from keraslint.source.models import tensor_value  # models imports this module
    from keraslint.source.tensor_ops import static_dims

    positional = custom.positional > 1 and len(inputs) == custom.positional
    # the shapes known so far (``alpha.shape[0]`` may count the tensors stacked); an axis not
    # known is None, so what call does with it stays unknown
    shapes: list[Shape | None] = []
    for tensor in inputs:
        dims = static_dims(tensor_value(tensor, node))
        shapes.append(None if dims is None else tuple(d if isinstance(d, int) and not isinstance(d, bool) else None
                                                      for d in dims))
    return custom.output_structure(shapes, positional)


def _shapes_of(result: Any) -> tuple[Shape, ...] | None:
    """The shapes of a list or tuple of tensors ``call`` returned (None: not such, or one unknown)."""
    items = result.items if isinstance(result, ListValue) else result if isinstance(result, tuple) else None
    if not items or not all(isinstance(item, Array) and item.shape is not None for item in items):
        return None
    return tuple(item.shape for item in items)


def _tensor(shape: Shape, node: Any) -> Array:
    """The symbolic tensor a custom layer's ``call`` is followed on: its None axes (the batch, a
    sequence of any length) are ones Keras leaves None, and ``ops.shape`` says so."""
    tensor = make(node, tuple(shape), "float32", type_=TENSOR)
    dynamic = frozenset(i for i, d in enumerate(shape) if d is None)
    if dynamic:
        tensor.data[DYNAMIC_AXES] = dynamic
    return tensor


def _shape_value(value: Any) -> Shape | None:
    """What ``compute_output_shape`` returned, as a shape: a tuple or list of dimensions
    (``tf.TensorShape(...)`` is a tuple here); a dimension not known is None."""
    if isinstance(value, ListValue):
        value = tuple(value.items)
    if not isinstance(value, tuple):
        return None
    dims: list[int | None] = []
    for item in value:
        if isinstance(item, int) and not isinstance(item, bool) and item >= 0:
            dims.append(item)
        elif item is None or item is UNKNOWN or isinstance(item, Array):
            dims.append(None)
        else:
            return None  # a list of shapes (several outputs) or something that is no shape
    return tuple(dims)


def _holds_layers(value: Any, depth: int = 0) -> bool:
    if depth > 4:
        return True
    if isinstance(value, Obj) and not isinstance(value, Array):
        return value.type in (_LAYER, _MODEL)
    if isinstance(value, ListValue):
        value = value.items
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return any(_holds_layers(item, depth + 1) for item in value)
    return False


def _held_layers(value: Any, depth: int = 0) -> set[int] | None:
    """The ids of the Keras layers and models an instance holds (in attributes, lists, dicts);
    None when one of them is not one keraslint can name."""
    from keraslint.source.models import _model_as_layer  # models imports this module

    if depth > 4:
        return None
    if isinstance(value, Obj) and not isinstance(value, Array):
        if value.type == _LAYER:
            layer = value.data.get("layer")
            return {layer.id} if isinstance(layer, Layer) else None
        if value.type == _MODEL:
            layer = _model_as_layer(value)
            return {layer.id} if layer is not None else None
        return set()
    if isinstance(value, ListValue):
        value = value.items
    if isinstance(value, dict):
        value = list(value.values())
    found: set[int] = set()
    if isinstance(value, (list, tuple)):
        for item in value:
            inner = _held_layers(item, depth + 1)
            if inner is None:
                return None
            found |= inner
    return found


def _makes_variables(cls: ClassValue) -> bool:
    """``tf.Variable(...)`` anywhere in the class: Keras 3 does not count it (a ``keras.Variable``,
    spelled so, it counts as it counts ``add_weight``: see custom_layer_calls.py)."""
    # imported here: statements imports api, which imports this module
    from keraslint.source.statements import _walk

    for node in _walk(cls.node):
        if isinstance(node, cst.Call):
            func = node.func
            leaf = func.value if isinstance(func, cst.Name) else func.attr.value if isinstance(func, cst.Attribute) else ""
            if leaf == "Variable" and not (isinstance(func, cst.Attribute) and _spelled_keras(func.value)):
                return True
    return False


def _spelled_keras(node: cst.BaseExpression) -> bool:
    """``keras.Variable``; not ``keras.backend.Variable``, which Keras 3 does not have
    (keras_core did: AttributeError, measured), nor a bare imported ``Variable``."""
    return isinstance(node, cst.Name) and node.value == "keras"


def _in_comprehensions(cls: ClassValue) -> set[int]:
    """Calls inside comprehensions of the class: the interpreter evaluates a comprehension's
    element once, so a weight made there (``[self.add_weight(...) for _ in range(n)]``) stands
    for an unknown number of them."""
    from keraslint.source.statements import _walk

    found: set[int] = set()
    for node in _walk(cls.node):
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
            found.update(id(inner) for inner in _walk(node) if isinstance(inner, cst.Call))
    return found


class _Probe(StatelessTracker):
    """A tracker for one evaluation: the first call on a tensor that was not modelled."""

    def __init__(self) -> None:
        self.unmodelled: str | None = None
        self.unsized_by: str | None = None
        """The first call whose result has an axis keraslint could not size (``ops.pad`` with
        paddings it cannot read), for the reason of a partly known output."""
        self.variables = False
        self.sublayers: dict[int, int | None] = {}
        """Layer id -> parameters of each Keras layer or model the evaluation applied (built on
        its first input, as Keras builds it)."""

    def on_call(self, site: CallSite) -> None:
        if site.name == "tensorflow.Variable":
            self.variables = True
        if self.unsized_by is None and _unsizes(site) and isinstance(site.node, cst.Call):
            self.unsized_by = cst.Module([]).code_for_node(site.node.func)
        if self.unmodelled is not None or not _unknown_result(site.result):
            return
        operands = [*site.args, *site.kwargs.values()]
        if site.receiver is not None:
            operands.append(site.receiver)
        if any(isinstance(value, Array) for value in operands) and isinstance(site.node, cst.Call):
            self.unmodelled = cst.Module([]).code_for_node(site.node.func)


def _unsizes(site: CallSite) -> bool:
    """The call's result has a None axis that is neither Keras's own (DYNAMIC_AXES) nor one of its
    first array operand's None axes."""
    result = site.result
    if not isinstance(result, Array) or result.shape is None:
        return False
    operand = next((v for v in (site.receiver, *site.args, *site.kwargs.values())
                    if isinstance(v, Array) and v.shape is not None), None)
    if operand is None:
        return False
    dynamic = result.data.get(DYNAMIC_AXES, ())
    before = sum(1 for d in operand.shape if d is None)
    return sum(1 for i, d in enumerate(result.shape) if d is None and i not in dynamic) > before


def _unknown_result(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, Array):
        return value.shape is None
    return isinstance(value, Obj) and value.type == "keras.KerasTensor"


@contextmanager
def _detached(interp: Interpreter, obj: Obj) -> Iterator[_Probe]:
    """Run the layer's methods as a separate, bounded evaluation: no tracker of the script sees
    them (they are the graph pass asking, not the script running), the instance's attributes
    come back as they were, and call counts and budget are the evaluation's own."""
    probe = _Probe()
    saved = (interp.trackers, interp.reachable, interp.budget, interp.followed, interp.max_frames, interp.frame,
             interp.returned, len(interp.defined))
    steps = interp.steps  # mid-run, the evaluation is not the script running: its steps are its own
    attrs = obj.data.get("attrs")
    saved_attrs = dict(attrs) if isinstance(attrs, dict) else None
    saved_weights = obj.data.get("own_weights")
    interp.trackers = [probe]
    interp.reachable = False
    interp.budget = interp.steps + STEP_BUDGET
    interp.followed = dict(interp.followed)
    interp.max_frames = frames_left()
    try:
        yield probe
    finally:
        (interp.trackers, interp.reachable, interp.budget, interp.followed, interp.max_frames, interp.frame,
         interp.returned, defined) = saved
        if provisional[0]:
            interp.steps = steps
        del interp.defined[defined:]
        if saved_attrs is not None:
            obj.data["attrs"] = saved_attrs
        obj.data["own_weights"] = saved_weights


# the functions a layer's methods call, on the arrays that stand for its tensors
from keraslint.source import custom_layer_calls  # noqa: F401 - registers them
