"""Why a value the script passes to a layer is unknown, for the coverage report (issue 9).

UNKNOWN is one marker for every unknown value, so it cannot carry its cause. The causes a user
can act on are few and are noted where they happen, for the reason a layer applied to such a
value gives (models.py):

- a call of a function from a module that is not on disk in the project and that keraslint
  does not model (``resnet_cifar10_v2.stem(x)`` from a file the script downloads with wget,
  ``einops.rearrange``): noted on the call, then on the name it is assigned to;
- a function keraslint stopped following because it was called more than
  MAX_CALLS_PER_FUNCTION times in the file: what it would have built is unknown from then on.

A note only adds to the reason; nothing here changes a value.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import libcst as cst

from keraslint.source.limits import MAX_CALLS_PER_FUNCTION
from keraslint.source.models import TENSOR
from keraslint.source.values import Obj
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.frames import Frame
    from keraslint.source.interpreter import Interpreter

#: libraries keraslint models (an unknown result of theirs is a modelling gap, said elsewhere)
_MODELLED_ROOTS = frozenset({
    "keras", "tensorflow", "tf_keras", "numpy", "pandas", "sklearn", "scipy", "tensorflow_datasets",
    "tensorflow_hub", "keras_hub", "keras_nlp", "keras_cv", "builtins", "PIL", "cv2", "matplotlib",
})


def _notes(interp: Interpreter) -> dict[Any, str]:
    found = interp.__dict__.get("_unknown_notes")
    if found is None:
        found = interp.__dict__["_unknown_notes"] = {}
    return found


def after_call(interp: Interpreter, name: str, spelled: str, node: Any, result: Any) -> None:
    """Note an unknown result of a function from a module outside the project keraslint does not
    model."""
    if not isinstance(node, cst.Call):
        return
    if result is not UNKNOWN:
        _on_layer_call(interp, node, result)
        return
    if "." not in name:
        return
    root = name.split(".", 1)[0]
    if root in _MODELLED_ROOTS or root in sys.stdlib_module_names or root.startswith("_"):
        return
    loader = interp.loader
    if loader is not None and loader.find(root) is not None:
        return  # a module of the project: followed, or its own reason
    _notes(interp)[id(node)] = (f"`{spelled}` comes from `{root}`, a module that is not on disk in the project "
                                "and that keraslint does not model")


def _on_layer_call(interp: Interpreter, node: cst.Call, result: Any) -> None:
    """A layer applied to a value that is not a Keras tensor: its node says why, when noted."""
    from keraslint.source.models import tensors_of  # models builds on the interpreter's values

    if not node.args or not (isinstance(result, Obj) and result.type == TENSOR):
        return
    tensors = tensors_of(result)
    if not tensors or not tensors[0].node.call_kwargs.get("__unknown_input__") or tensors[0].node.unknown_reason:
        return
    found = why(interp, node.args[0].value)
    if found is not None:
        tensors[0].node.unknown_reason = found


def after_undecided_if(interp: Interpreter, test: cst.BaseExpression, before: dict[str, Any]) -> None:
    """``if out.shape[-1] != x.shape[-1]: res = Project(...)(res)`` undecided: ``res`` is one of two
    tensors, so unknown. The note names the test and, when it reads a Keras tensor whose shape is
    unknown, the first layer upstream that says why (a custom layer calling ``einops``)."""
    frame = interp.frame
    changed = [name for name, value in frame.vars.items()
               if value is UNKNOWN and isinstance(before.get(name), Obj) and before[name].type == TENSOR]
    if not changed:
        return
    code = cst.Module([]).code_for_node(test)
    cause = None
    for part in _names(test):
        value = frame.vars.get(part)
        tensors = _tensors(value)
        if tensors:
            cause = _upstream_reason(interp, tensors[0])
            if cause is not None:
                break
    why = f"`{{name}}` is one of two tensors after `if {code}:`, which keraslint could not decide" + (
        f" ({cause})" if cause else "")
    notes = _notes(interp)
    for name in changed:
        notes[(id(frame), name)] = (frame, why.format(name=name))
        if cause is not None:  # a later block's note names the first cause, not this note
            notes.setdefault("roots", {})[why.format(name=name)] = cause


def _names(node: cst.CSTNode) -> list[str]:
    found, stack = [], [node]
    while stack:
        part = stack.pop()
        if isinstance(part, cst.Name):
            found.append(part.value)
        stack.extend(part.children)
    return found


def _tensors(value: Any) -> Any:
    from keraslint.source.models import tensors_of  # models builds on the interpreter's values

    return tensors_of(value) if isinstance(value, Obj) and value.type == TENSOR else None


def _upstream_reason(interp: Interpreter, tensor: Any) -> str | None:
    """Why the shape of ``tensor`` is unknown: the first custom layer upstream whose ``call``
    keraslint could not follow (its own words: ``call() uses einops.parse_shape``), else the
    root cause of a note made here, else the first reason the shape engine gives (run as
    tensor_ops.static_dims runs it for ``x.shape``)."""
    from keraslint.graph.propagate import analyze_model  # the graph pass builds on the source pass
    from keraslint.ir.graph import ModelGraph
    from keraslint.shapes.custom import CUSTOM_LAYER_KEY
    from keraslint.shapes.errors import UnsupportedLayer
    from keraslint.source import custom_layers
    from keraslint.source.tensor_ops import _STATIC_RESULTS

    graph = ModelGraph("functional", outputs=[tensor])
    custom_layers.provisional[0] += 1
    try:
        results = analyze_model(graph, known=_STATIC_RESULTS).results
    finally:
        custom_layers.provisional[0] -= 1
    roots = _notes(interp).get("roots", {})
    for node in graph.nodes():
        custom = node.layer.config.get(CUSTOM_LAYER_KEY) if node.layer is not None else None
        # asked mid-run, a custom layer's answer is kept apart (custom_layers.CustomLayer.infer)
        for found in (getattr(custom, "_provisional", None) or {}).values():
            if isinstance(found, UnsupportedLayer) and found.reason:
                return found.reason
        if node.unknown_reason in roots:
            return roots[node.unknown_reason]
    return next((r.reason for r in results.values() if r.reason), None)


def stopped_following(interp: Interpreter, fn_node: Any) -> None:
    """Note that a function was not followed because it was called too often in the file."""
    name = fn_node.name.value if isinstance(fn_node, cst.FunctionDef) else "a lambda"
    _notes(interp).setdefault("limit", f"keraslint stopped following `{name}` after {MAX_CALLS_PER_FUNCTION} "
                              "calls in this file (a bound on the analysis), so what it would build is unknown")


def after_assign(interp: Interpreter, frame: Frame, target: Any, value_node: Any, value: Any) -> None:
    """``x = resnet_cifar10_v2.stem(x)``: ``x`` keeps the call's note until it is assigned again."""
    if not isinstance(target, cst.Name):
        return
    notes = _notes(interp)
    key = (id(frame), target.value)
    why = notes.get(id(value_node)) if value is UNKNOWN else None
    if why is not None:
        notes[key] = (frame, why)  # the frame itself, so that a later frame with its id matches nothing
    else:
        notes.pop(key, None)


def why(interp: Interpreter, expression: Any) -> str | None:
    """The note for the value ``expression`` (a name, a call, or a list of them) evaluates to."""
    notes = _notes(interp)
    if not notes:
        return None
    parts = [e.value for e in expression.elements] if isinstance(expression, (cst.List, cst.Tuple)) else [expression]
    for part in parts:
        if isinstance(part, cst.Name):
            held = notes.get((id(interp.frame), part.value))
            found = held[1] if held is not None and held[0] is interp.frame else None
        else:
            found = notes.get(id(part))
        if found is not None:
            return found
    return notes.get("limit")
