"""Command-line arguments: ``argparse`` parsers and the namespaces they return.

Training scripts size their models from ``--units``/``--seq-len`` options. The pass runs the
script with its option defaults, as PyTea does for PyTorch projects: ``args.units`` is the
option's default (converted by its ``type``, as argparse converts string defaults). An option
without a default (``--seed``) and an on/off flag (``--deterministic``) are meant to be given
on the command line, so they are unknown: ``if args.seed: tf.random.set_seed(args.seed)`` is
a seed that *may* be set, not one that is certainly missing. ``parse_args([...])`` with an
explicit list and ``parse_known_args`` leftovers are unknown, and so are a ``required=True``
option and a positional argument (their defaults are never used).

An int default is a ``FromOption`` (values.py): the int, remembering its option spelling, so
that a finding whose numbers come from it can say "with the default `--channels 6`" (the user
may run the script with other options; the finding is about the run without them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from keraslint.source.values import NOT_MODELLED, FromOption, Obj, Ref
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter

PARSER = "argparse.ArgumentParser"
NAMESPACE = "argparse.Namespace"

_CONVERTERS = {"builtins.int": int, "builtins.float": float, "builtins.str": str}
_GROUPS = frozenset({"add_argument_group", "add_mutually_exclusive_group"})


def call(interp: Interpreter, site: CallSite) -> Any:
    """The result of an argparse call, or NOT_MODELLED for anything else."""
    if site.name == PARSER:
        return Obj(PARSER, site.node, {"defaults": {}})
    if site.name == "builtins.vars" and len(site.args) == 1 and isinstance(site.args[0], Obj) \
            and site.args[0].type == NAMESPACE:
        return dict(site.args[0].data["values"])
    receiver = site.receiver
    if receiver is None or receiver.type != PARSER:
        return NOT_MODELLED
    method = site.name.rsplit(".", 1)[-1]
    defaults: dict[str, Any] = receiver.data["defaults"]
    if method == "add_argument":
        _add_argument(interp, site, defaults)
        return UNKNOWN
    if method in _GROUPS:
        return Obj(PARSER, site.node, {"defaults": defaults})  # a group adds to its parser's options
    if method == "set_defaults":
        defaults.update({k: UNKNOWN if interp.uncertain else v for k, v in site.kwargs.items()})
        return None
    if method == "parse_args" and not site.args and site.kwargs.get("args", None) is None:
        return Obj(NAMESPACE, site.node, {"values": dict(defaults)})
    if method == "parse_known_args" and not site.args and site.kwargs.get("args", None) is None:
        return (Obj(NAMESPACE, site.node, {"values": dict(defaults)}), UNKNOWN)
    return UNKNOWN


def _add_argument(interp: Interpreter, site: CallSite, defaults: dict[str, Any]) -> None:
    names = [a for a in site.args if isinstance(a, str)]
    if len(names) != len(site.args) or not names or site.star_args:
        return  # an option we cannot name stays unknown
    longs = [n for n in names if n.startswith("--")]
    spelling = longs[0] if longs else names[0]
    dest = site.kwargs.get("dest")
    if not isinstance(dest, str):
        dest = spelling.lstrip("-").replace("-", "_")
    action = site.kwargs.get("action", "store")
    # A positional argument must be given unless its nargs allows leaving it out; a required
    # option too: their defaults never reach the program.
    given = not spelling.startswith("-") and site.kwargs.get("nargs") not in ("?", "*") \
        or site.kwargs.get("required", False) is not False
    if action in ("store", None) and "default" in site.kwargs and site.kwargs["default"] is not None and not given:
        value: Any = site.kwargs["default"]
        kind = site.kwargs.get("type")
        if isinstance(value, str) and kind is not None:
            # argparse applies `type` to a string default
            convert = _CONVERTERS.get(kind.name) if isinstance(kind, Ref) else None
            try:
                value = convert(value) if convert is not None else UNKNOWN
            except ValueError:
                value = UNKNOWN
        if type(value) is int and spelling.startswith("-"):
            value = FromOption(value, spelling)
    else:
        value = UNKNOWN  # no default, flags, append, count, custom actions
    defaults[dest] = UNKNOWN if interp.uncertain else value


def attribute(obj: Obj, name: str) -> Any:
    """``args.units`` on a namespace: the option's default; NOT_MODELLED for other objects."""
    if obj.type != NAMESPACE:
        return NOT_MODELLED
    return obj.data["values"].get(name, UNKNOWN)


def set_attribute(interp: Interpreter, obj: Any, name: str, value: Any) -> None:
    """``args.units = 32`` after parsing."""
    if isinstance(obj, Obj) and obj.type == NAMESPACE:
        obj.data["values"][name] = UNKNOWN if interp.uncertain else value
