"""Instances of the script's own classes: attributes on ``self``, class attributes, and the
``@dataclass``/``NamedTuple`` configs real projects size their models with.

An instance is an ``Obj`` of type ``script.<Class>`` whose ``attrs`` are set by its methods
(``self.units = units`` in ``__init__``) and read by others (``self.model.fit(...)``), as in
Python, shared by every name that holds the instance. An attribute set where the pass cannot
tell whether the assignment runs (one side of an undecided ``if``, a loop over something
unknown) becomes unknown; one never set is looked up on the class, and is otherwise unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import libcst as cst

from keraslint.source.frames import MISSING
from keraslint.source.values import ClassValue, Function, Obj, Ref
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import Interpreter

#: base classes whose annotated class attributes are constructor fields
RECORD_BASES = frozenset({"typing.NamedTuple"})
_RECORD_DECORATORS = frozenset({"dataclasses.dataclass", "dataclass", "attr.s", "attr.define", "attrs.define"})


def _script_class(obj: Obj) -> ClassValue | None:
    """The script's class of an instance: a plain class, or a Keras subclass (subclass.py)."""
    cls = obj.data.get("script_class")
    return cls if isinstance(cls, ClassValue) else None


def is_instance(obj: Obj) -> bool:
    """An instance of a class the script defines (not a Keras subclass, whose other attributes
    are Keras's)."""
    return obj.type.startswith("script.") and _script_class(obj) is not None


def is_record(interp: Interpreter, node: cst.ClassDef) -> bool:
    """``@dataclass`` (or ``@dataclass(frozen=True)``, ``@dataclasses.dataclass``) on the class."""
    for decorator in node.decorators:
        expression = decorator.decorator
        if isinstance(expression, cst.Call):
            expression = expression.func
        value = interp.eval(expression)
        if isinstance(value, Ref) and value.name in _RECORD_DECORATORS:
            return True
        if isinstance(expression, cst.Name) and expression.value == "dataclass" and not isinstance(value, Ref):
            return True  # imported in a way the pass does not resolve
    return False


def class_body(interp: Interpreter, node: cst.ClassDef, inherited: list[ClassValue],
               record: bool) -> tuple[dict[str, Any], list[tuple[str, Any]] | None]:
    """The class attributes and (for records) the fields, evaluated as Python does when it
    runs the class body; inherited ones first."""
    attrs: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    for parent in inherited:
        attrs.update(parent.attrs)
        fields.update(parent.fields or [])
    for statement in node.body.body if isinstance(node.body, cst.IndentedBlock) else ():
        for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
            if isinstance(small, cst.Assign) and len(small.targets) == 1 \
                    and isinstance(small.targets[0].target, cst.Name):
                attrs[small.targets[0].target.value] = interp.eval(small.value)
            elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                name = small.target.value
                default = interp.eval(small.value) if small.value is not None else MISSING
                if small.value is not None and _is_field_call(small.value):
                    default = UNKNOWN  # dataclasses.field(default_factory=...)
                if record:
                    fields[name] = default
                if default is not MISSING:
                    attrs[name] = default
    return attrs, list(fields.items()) if record or any(p.fields is not None for p in inherited) else None


def _is_field_call(node: cst.BaseExpression) -> bool:
    if not isinstance(node, cst.Call):
        return False
    func = node.func
    name = func.value if isinstance(func, cst.Name) else func.attr.value if isinstance(func, cst.Attribute) else ""
    return name in ("field", "Field", "ib", "attrib")


def fill_record(instance: Obj, cls: ClassValue, args: list[Any], kwargs: dict[str, Any], star: bool) -> None:
    """``Config(64, dropout=0.1)`` for a dataclass or NamedTuple: its generated ``__init__``."""
    attrs = instance.data["attrs"]
    for position, (name, default) in enumerate(cls.fields or []):
        if star:
            value = UNKNOWN
        elif position < len(args):
            value = args[position]
        else:
            value = kwargs.get(name, default)
        attrs[name] = UNKNOWN if value is MISSING else value


def get_attribute(obj: Obj, name: str) -> Any:
    """``obj.name`` on an instance of a script class: its attribute, or the class's; MISSING
    when it is neither (a method, or something the API model knows)."""
    cls = _script_class(obj)
    if cls is None:
        return MISSING
    attrs = obj.data.get("attrs", {})
    if name in attrs:
        return attrs[name]
    if name in cls.attrs:
        return cls.attrs[name]
    return MISSING


def set_attribute(interp: Interpreter, obj: Any, name: str, value: Any) -> None:
    """``self.name = value``: exact in straight-line code, unknown where it may not run."""
    if isinstance(obj, Obj) and _script_class(obj) is not None:
        obj.data.setdefault("attrs", {})[name] = UNKNOWN if interp.uncertain else value
        from keraslint.source.custom_layer_calls import (
            track_variable,  # it builds on this module
        )

        track_variable(interp, obj, value)


def set_class_attribute(interp: Interpreter, cls: Any, name: str, value: Any) -> None:
    """``Net.call = call`` after the class body (notebooks attach methods cell by cell): a
    function becomes a method of the class from here on, anything else a class attribute. Where
    the assignment may not run, the attribute is unknown and a method is left as it was, so that
    a call through it is followed no further than before."""
    if not isinstance(cls, ClassValue):
        return
    if isinstance(value, Function) and isinstance(value.node, cst.FunctionDef):
        if not interp.uncertain:
            # no owner: a function defined outside a class has no __class__ cell, so a bare
            # super() in it fails in Python too
            interp.methods.setdefault(id(cls.node), {})[name] = (value, "method")
            cls.attached.add(name)
        return
    cls.attrs[name] = UNKNOWN if interp.uncertain else value


@dataclass(frozen=True)
class Super:
    """``super()`` inside a method of ``owner``, for the instance ``obj``."""

    owner: ClassValue
    obj: Any


@dataclass(frozen=True)
class KerasInit:
    """``super().__init__`` of a Keras subclass: ``super().__init__(inputs=..., outputs=...)``
    makes it a functional model."""

    obj: Any


def super_of(interp: Interpreter) -> Super | None:
    """``super()`` with no arguments in the method being run (None outside a method)."""
    if not interp.activations:
        return None
    function = interp.activations[-1].function
    owner = function.owner
    node = function.node
    if not isinstance(owner, ClassValue) or not isinstance(node, cst.FunctionDef):
        return None
    params = [*node.params.posonly_params, *node.params.params]
    if not params:
        return None
    return Super(owner, interp.frame.vars.get(params[0].name.value, UNKNOWN))


def super_attribute(interp: Interpreter, sup: Super, name: str) -> Any:
    """A method of the owner's bases, bound to the instance; Keras's ``__init__`` past them."""
    for parent in _ancestors(sup.owner):
        fn, kind = interp.methods.get(id(parent.node), {}).get(name, (None, ""))
        if fn is not None and fn.owner is parent:
            if kind == "static":
                return fn
            from keraslint.source.expressions import _Bound

            return _Bound(fn, parent if kind == "class" else sup.obj)
    if name == "__init__" and sup.owner.base is not None and isinstance(sup.obj, Obj):
        return KerasInit(sup.obj)
    return UNKNOWN


def _ancestors(cls: ClassValue) -> list[ClassValue]:
    """The script's base classes of ``cls`` in a depth-first, left-to-right order (cycles cut)."""
    found: list[ClassValue] = []
    stack = list(reversed(cls.parents))
    while stack:
        parent = stack.pop()
        if any(parent is seen for seen in found) or len(found) > 64:
            continue
        found.append(parent)
        stack.extend(reversed(parent.parents))
    return found


def keras_init(interp: Interpreter, init: KerasInit, args: list[Any], kwargs: dict[str, Any], node: Any) -> None:
    """``super().__init__(inputs, outputs, name=...)``: the subclass is that functional model."""
    from keraslint.source import models
    from keraslint.source.interpreter import CallSite

    obj = init.obj
    if obj.type != models.MODEL or not (args or {"inputs", "outputs", "input", "output"} & kwargs.keys()):
        return  # a plain `super().__init__(**kwargs)`: the model is traced from `call`
    site = CallSite(name="keras.Model", spelled="keras.Model", node=node, args=args, kwargs=kwargs, receiver=None,
                    reachable=interp.reachable, stack=())
    built = models.functional(site).data
    graph = built["graph"]
    cls = _script_class(obj)
    if graph.name is None and cls is not None:
        graph.name = cls.name
    obj.data["graph"], obj.data["structure"] = graph, built["structure"]


# -- loops over the script's own sequences -----------------------------------------------------

#: longest sequence ``zip``/``enumerate`` expands item by item (a for loop unrolls at most 64)
_MAX_PAIRS = 10_000


def _pairs(interp: Interpreter, site: Any) -> Any:
    """``zip(self.block_weights, self.biases)``, ``enumerate(self.blocks)``, ``enumerate(xs, 1)``,
    ``reversed(skips[:-1])`` over lists and tuples the pass knows item by item (a list of layers or weights built in
    ``__init__``/``build``, a config list): a tuple of the tuples Python yields, so a ``for``
    loop over it unrolls. Arrays and anything unknown are left to the array model (NOT_MODELLED)."""
    from keraslint.source.values import NOT_MODELLED, Array

    if site.star_args or any(isinstance(value, Array) for value in (*site.args, *site.kwargs.values())):
        return NOT_MODELLED
    if site.name == "builtins.reversed":
        items = interp.sequence_items(site.args[0]) if len(site.args) == 1 and not site.kwargs else None
        return NOT_MODELLED if items is None else tuple(reversed(items))
    if site.name == "builtins.enumerate":
        if not 1 <= len(site.args) <= 2 or set(site.kwargs) - {"start"}:
            return NOT_MODELLED
        start = site.arg(1, "start", default=0)
        items = interp.sequence_items(site.args[0])
        if items is None or isinstance(start, bool) or not isinstance(start, int) or len(items) > _MAX_PAIRS:
            return NOT_MODELLED
        return tuple((start + i, item) for i, item in enumerate(items))
    if site.kwargs or not site.args:  # zip(..., strict=True): the same pairs, or a ValueError
        return NOT_MODELLED
    sequences = [interp.sequence_items(value) for value in site.args]
    if any(items is None or len(items) > _MAX_PAIRS for items in sequences):
        return NOT_MODELLED
    return tuple(zip(*sequences))


def _register_loops() -> None:
    from keraslint.source import arrays

    for name in ("builtins.zip", "builtins.enumerate", "builtins.reversed"):
        arrays.register(name, _pairs)


_register_loops()


#: methods whose override changes what a built-in layer makes (its arguments, its weights, its
#: shape rule); overriding anything else (``call``, ``convolution_op``) does not change the shapes
#: Keras builds, since every built-in layer but the cells, wrappers and ``Layer`` itself has a
#: ``compute_output_shape`` of its own, which Keras uses for symbolic tensors (checked in tests)
_SHAPING_METHODS = ("__init__", "build", "compute_output_shape", "compute_output_spec", "__new__", "__call__")


def as_builtin_layer(interp: Interpreter, cls: ClassValue) -> bool:
    """``class StandardizedConv2D(layers.Conv2D)`` overriding only ``call``/``convolution_op``:
    to the shape engine it is the layer it extends, built from the same arguments."""
    from keraslint.source.api import is_layer_constructor
    from keraslint.source.names import layer_kind

    base = cls.base
    if base is None or not is_layer_constructor(base) or layer_kind(base) in (None, "Layer", "Wrapper", "InputLayer"):
        return False
    if base.endswith("Cell") or base.endswith("Cells") or cls.parents:
        return False
    methods = interp.methods.get(id(cls.node), {})
    return not any(name in methods for name in _SHAPING_METHODS)
