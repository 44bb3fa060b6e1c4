"""Lists and dicts the script builds and mutates: ``rows.append(x)``, ``d[k] = v``, ``rows += [...]``.

A list literal is a ``ListValue`` shared by every name that refers to it, as in Python. A
mutation the pass can follow exactly (straight-line code, known arguments) changes it in place.
Any other mutation, and every mutation inside code that may or may not run (a loop over
something unknown, a ``while``, one side of an undecided ``if``), makes the container *unknown
in place*, so that every alias sees it: an empty ``rows = []`` filled by a loop over
``os.listdir(...)`` must never reach ``np.array(rows)`` as a list of length 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from keraslint.source.array_values import PANDAS_FRAME
from keraslint.source.frames import MISSING
from keraslint.source.values import NOT_MODELLED, Array, ListValue, Obj
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import Interpreter

#: a list grown past this is no longer tracked item by item
MAX_ITEMS = 10_000

#: list methods that read without changing the list
_READING = frozenset({"index", "count", "__len__", "__contains__", "__getitem__", "__iter__"})
_DICT_READING = frozenset({"get", "keys", "values", "items", "copy", "__contains__", "__getitem__"})


#: methods that only read the lists they are given, whatever object they are called on (pandas'
#: ``isin``, ``str.join``/``format``...): a call of one on a value the pass does not know keeps
#: the script's lists known. ``shuffle``, ``extend``, ``update`` and the like are not here.
ARGUMENT_READERS = frozenset({"isin", "join", "format", "startswith", "endswith", "count", "index"})


class OpaqueList:
    """A list whose contents were lost (see the module docstring). Deliberately *not* a
    ``ListValue``: every consumer treats it as an unknown value."""

    items: list[Any]


#: stands for "keys the pass does not know" in a dict whose updates it could not follow
UNKNOWN_KEYS: Any = type("UnknownKeys", (), {"__repr__": lambda self: "UNKNOWN_KEYS"})()


@dataclass(frozen=True)
class ContainerMethod:
    """``rows.append`` or ``d.update`` looked up on a list or dict value, to be called."""

    container: ListValue | dict
    name: str


def forget(value: Any) -> None:
    """Make a list or dict unknown in place (every alias sees it)."""
    if isinstance(value, ListValue):
        # In place rather than by rebinding names: other names, tuples and objects may hold it.
        value.__class__ = OpaqueList  # type: ignore[assignment]
        value.items = []
    elif isinstance(value, dict):
        for key in value:
            value[key] = UNKNOWN
        value[UNKNOWN_KEYS] = UNKNOWN
    elif isinstance(value, Obj) and not isinstance(value, Array) and value.type == PANDAS_FRAME:
        # a DataFrame handed to code the pass does not follow, or ``del df["c"]``
        value.data.update(columns=None, width=None, rows=None)


def lookup(container: dict, key: Any, default: Any = MISSING) -> Any:
    """``d[key]`` (``default`` given: ``d.get(key, default)``) on a dict the script built. A key
    the dict may have gained where the pass lost track of it is unknown, never the default."""
    if isinstance(key, str) and key in container:
        return container[key]
    if default is not MISSING and isinstance(key, str) and UNKNOWN_KEYS not in container:
        return default
    return UNKNOWN


def known_keywords(value: Any) -> bool:
    """A dict that ``**value`` can pass as keyword arguments: every key known and a string."""
    return isinstance(value, dict) and UNKNOWN_KEYS not in value and all(isinstance(k, str) for k in value)


def call_method(interp: Interpreter, method: ContainerMethod, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """The result of a list or dict method; the container is updated or forgotten."""
    container, name = method.container, method.name
    recorder = interp.append_recorder
    if recorder is not None and id(container) in recorder and name == "append" and len(args) == 1 and not kwargs:
        recorder[id(container)].append(args[0])  # a summarized loop's body (statements._summarized_loop)
        return None
    if isinstance(container, ListValue):
        if name in _READING:
            return UNKNOWN
        if name == "copy" and not args:
            return ListValue(list(container.items))
        exact = not interp.uncertain and not kwargs
        if exact and name == "append" and len(args) == 1 and len(container.items) < MAX_ITEMS:
            container.items.append(args[0])
            return None
        if exact and name == "extend" and len(args) == 1:
            added = interp.sequence_items(args[0])
            if added is not None and len(container.items) + len(added) <= MAX_ITEMS:
                container.items.extend(added)
                return None
        if exact and name == "insert" and len(args) == 2 and type(args[0]) is int \
                and len(container.items) < MAX_ITEMS:
            container.items.insert(args[0], args[1])
            return None
        if exact and name == "clear" and not args:
            container.items.clear()
            return None
        if exact and name == "pop" and len(args) <= 1 and container.items:
            # ``skips.pop()`` in a U-Net's decoder: the skip connection pushed last
            index = args[0] if args else -1
            if type(index) is int and -len(container.items) <= index < len(container.items):
                return container.items.pop(index)
        forget(container)
        return UNKNOWN
    if isinstance(container, dict):
        if name == "get" and 1 <= len(args) <= 2 and not kwargs:
            return lookup(container, args[0], args[1] if len(args) == 2 else None)
        if name in ("keys", "values", "items") and not args and not kwargs:
            from keraslint.source import python_builtins

            view = python_builtins.dict_view(container, name)
            return UNKNOWN if view is NOT_MODELLED else view
        if name in _DICT_READING:
            return UNKNOWN
        forget(container)
    return UNKNOWN


def set_item(interp: Interpreter, container: Any, keys: list[Any], value: Any) -> None:
    """``container[key] = value``."""
    if isinstance(container, ListValue):
        if not interp.uncertain and len(keys) == 1 and type(keys[0]) is int \
                and -len(container.items) <= keys[0] < len(container.items):
            container.items[keys[0]] = value
        else:
            forget(container)
    elif isinstance(container, dict):
        if not interp.uncertain and len(keys) == 1 and isinstance(keys[0], str) and UNKNOWN_KEYS not in container:
            container[keys[0]] = value
        else:
            forget(container)


def add_in_place(interp: Interpreter, container: ListValue, value: Any) -> ListValue | None:
    """``rows += value`` extends the list itself; None when the pass cannot follow it."""
    added = interp.sequence_items(value)
    if interp.uncertain or added is None or len(container.items) + len(added) > MAX_ITEMS:
        forget(container)
        return None
    container.items.extend(added)
    return container
