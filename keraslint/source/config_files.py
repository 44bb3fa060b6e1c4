"""Config files the script reads: ``json.load``/``yaml.safe_load`` of a file it names literally.

``with open("config.json") as f: cfg = json.load(f)`` sizes models from a file next to the
script, so the pass reads that file as data, as np.load headers are read (npy.py): the
result is the dict/list values a dict literal gives (plain dicts with string keys,
``ListValue`` lists, constants), so ``cfg["model"]["filters"]`` and ``for f in cfg["filters"]``
work as on a literal. Never executed, never a crash: a path that is not a literal, a file
that is missing, unreadable, larger than ``MAX_BYTES`` or malformed, a YAML document that is
not plain data, or PyYAML not installed gives UNKNOWN.

Followed: ``open(p)`` (also as a ``with`` target), ``f.read()``, ``pathlib.Path(p)`` with
``read_text``/``read_bytes``/``open``/``joinpath``, ``os.path.join``, and the script's own
folder as ``os.path.dirname(__file__)`` or ``Path(__file__).parent`` (with ``/``,
``.resolve()``; in the checked file only: an imported module's ``__file__`` is elsewhere).
Relative paths are taken next to the script, as for
np.load. A file the script itself writes (``open(p, "w")``, ``write_text``) is not read: the
run would see what the script wrote, not what is on disk.

The files are not part of the cache key (nor are np.load files): after editing one, run
with ``--no-cache``.
"""

from __future__ import annotations

import json
import operator
import os
import weakref
from typing import TYPE_CHECKING, Any

import libcst as cst

from keraslint.source import npy
from keraslint.source.values import NOT_MODELLED, ListValue, Obj, Ref
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter

#: a config is small; anything bigger is data the pass has no business loading
MAX_BYTES = 1_000_000
#: values built from one file (YAML aliases can repeat a subtree exponentially)
MAX_VALUES = 20_000
MAX_DEPTH = 64

FILE = "io.TextIOWrapper"
PATH = "pathlib.Path"
#: what ``f.read()``/``Path.read_text()`` return: the file's text, kept as its path
TEXT = "keraslint.config_files.Text"

#: Loaders that read plain YAML data as safe_load does (BaseLoader reads every scalar as a string)
_SAFE_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "FullLoader", "CFullLoader", "Loader", "CLoader",
                           "UnsafeLoader", "CUnsafeLoader"})
_PATH_TYPES = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.PurePosixPath",
                         "pathlib.WindowsPath", "pathlib.PureWindowsPath"})
_SCRIPT_FILE = object()  # a path value standing for ``__file__`` of the checked script

#: per interpreter: paths the script opened for writing
_written: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def call(interp: Interpreter, site: CallSite) -> Any:
    """The result of a file or config-parsing call, or NOT_MODELLED for anything else."""
    try:
        return _call(interp, site)
    except (TypeError, ValueError, RecursionError):
        return NOT_MODELLED  # nonsense arguments: the generic table answers UNKNOWN


def _call(interp: Interpreter, site: CallSite) -> Any:
    name = site.name
    receiver = site.receiver
    if receiver is not None:
        if receiver.type == FILE and name == f"{FILE}.read" and not site.args and not site.kwargs:
            return _text(receiver.data["path"])
        if receiver.type == PATH:
            return _path_method(interp, site, receiver)
        return NOT_MODELLED
    if name == "builtins.open" or name == "io.open":
        return _open(interp, site, _path_of(interp, site, site.arg(0, "file")), site.arg(1, "mode", default="r"))
    if name in _PATH_TYPES:
        if len(site.args) == 1 and not site.kwargs and _path_of(interp, site, site.args[0]) is _SCRIPT_FILE:
            return _path(_SCRIPT_FILE)  # Path(__file__): its .parent is the script's folder
        return _path(_join(interp, site, site.args) if not site.kwargs and not site.star_args else None)
    if name == "os.path.join" and not site.kwargs and not site.star_args:
        return _path(_join(interp, site, site.args))
    if name in ("os.path.dirname", "os.path.abspath", "os.path.realpath", "os.path.normpath") \
            and len(site.args) == 1 and not site.kwargs:
        return _os_path(interp, site, name.rsplit(".", 1)[-1])
    if name in ("json.load", "json.loads"):
        if len(site.args) != 1 or site.kwargs or site.star_args:
            return UNKNOWN  # object hooks, parse_float ... change what is built
        return _load(interp, site.args[0], name == "json.loads", _parse_json)
    if name in ("yaml.safe_load", "yaml.full_load", "yaml.load"):
        if site.star_args or not site.args:
            return UNKNOWN
        if name == "yaml.load":
            # PyYAML 6 requires a Loader; BaseLoader and custom loaders build other values
            if len(site.args) > 2 or set(site.kwargs) - {"Loader"} or not _safe_loader(site.arg(1, "Loader")):
                return UNKNOWN
        elif len(site.args) != 1 or site.kwargs:
            return UNKNOWN
        return _load(interp, site.args[0], True, _parse_yaml)
    return NOT_MODELLED


# -- paths -------------------------------------------------------------------------------

def _path(path: Any) -> Any:
    return Obj(PATH, None, {"path": path}) if path is not None else UNKNOWN


def _text(path: Any) -> Any:
    return Obj(TEXT, None, {"path": path}) if isinstance(path, str) else UNKNOWN


def _path_of(interp: Interpreter, site: CallSite, value: Any, position: int = 0) -> Any:
    """A literal path (str), the script file (``__file__``), or None."""
    if isinstance(value, str):
        return value
    if isinstance(value, Obj) and value.type == PATH:
        return value.data["path"]
    if value is UNKNOWN and _is_script_file(interp, site, position):
        return _SCRIPT_FILE
    return None


def _is_script_file(interp: Interpreter, site: CallSite, position: int) -> bool:
    node = site.node
    if not isinstance(node, cst.Call) or position >= len(node.args):
        return False
    arg = node.args[position]
    return isinstance(arg.value, cst.Name) and arg.value.value == "__file__" and arg.keyword is None \
        and not arg.star and interp.frame.module is interp.module_frame


def _join(interp: Interpreter, site: CallSite, parts: list[Any]) -> Any:
    paths = [_path_of(interp, site, part, i) for i, part in enumerate(parts)]
    if not paths or any(p is None or p is _SCRIPT_FILE for p in paths):
        return None
    return _joined(*paths) if len(paths) > 1 else paths[0]


def _joined(*parts: str) -> str:
    # Joined with "/" on every platform, like the relative paths npy.resolve takes.
    return os.path.normpath(os.path.join(*parts)).replace(os.sep, "/")


def _os_path(interp: Interpreter, site: CallSite, function: str) -> Any:
    path = _path_of(interp, site, site.args[0])
    if path is _SCRIPT_FILE:
        # The script's folder is where relative paths are looked up anyway.
        return _path(".") if function == "dirname" else Obj(PATH, None, {"path": _SCRIPT_FILE})
    return UNKNOWN


def _path_method(interp: Interpreter, site: CallSite, receiver: Obj) -> Any:
    method = site.name.rsplit(".", 1)[-1]
    path = receiver.data["path"]
    if method in ("read_text", "read_bytes") and not site.args:
        return _text(path)
    if method in ("resolve", "absolute") and not site.args and not site.kwargs:
        return receiver  # relative paths are the script folder's either way
    if method == "open":
        return _open(interp, site, path, site.arg(0, "mode", default="r"))
    if method == "joinpath" and not site.kwargs and not site.star_args:
        return _path(_join(interp, site, [Obj(PATH, None, {"path": path}), *site.args]))
    if method in ("write_text", "write_bytes", "touch", "unlink") and isinstance(path, str):
        _written.setdefault(interp, set()).add(_key(path))
    return NOT_MODELLED


def attribute(obj: Obj, name: str) -> Any:
    """``Path(__file__).parent``: the script's folder, where relative paths are looked up."""
    if obj.type != PATH:
        return NOT_MODELLED
    path = obj.data["path"]
    if name == "parent" and path is _SCRIPT_FILE:
        return _path(".")
    if name == "parent" and isinstance(path, str):
        return _path(_joined(path, ".."))
    return NOT_MODELLED


def binary_op(op: Any, left: Any, right: Any) -> Any:
    """``folder / "config.yaml"`` on a known path."""
    if not (op is operator.truediv and isinstance(left, Obj) and left.type == PATH and isinstance(right, str)):
        return NOT_MODELLED
    path = left.data["path"]
    if not isinstance(path, str):
        return UNKNOWN
    return _path(_joined(path, right))


def _open(interp: Interpreter, site: CallSite, path: Any, mode: Any) -> Any:
    if not isinstance(path, str):
        return UNKNOWN
    if not isinstance(mode, str) or set(mode) & set("wax+"):
        _written.setdefault(interp, set()).add(_key(path))
        return UNKNOWN
    return Obj(FILE, site.node, {"path": path})


def _key(path: str) -> str:
    return os.path.normpath(path)


# -- loading -----------------------------------------------------------------------------

def _safe_loader(loader: Any) -> bool:
    return isinstance(loader, Ref) and loader.name.startswith("yaml.") and loader.leaf in _SAFE_LOADERS


def _load(interp: Interpreter, source: Any, text: bool, parse: Any) -> Any:
    """Parse what ``source`` holds: an open file (``load``), or the text of one (``loads``)."""
    if isinstance(source, Obj) and source.type == (TEXT if text else FILE):
        path = source.data["path"]
    elif isinstance(source, Obj) and source.type == FILE and parse is _parse_yaml:
        path = source.data["path"]  # yaml.safe_load takes a stream as well as a string
    elif text and isinstance(source, (str, bytes)) and len(source) <= MAX_BYTES:
        return _parsed(parse, source)  # json.loads('{"units": 8}')
    else:
        return UNKNOWN
    if not isinstance(path, str) or _key(path) in _written.get(interp, ()):
        return UNKNOWN
    data = read(interp.script_dir, path)
    return UNKNOWN if data is None else _parsed(parse, data)


def read(script_dir: Any, path: str) -> bytes | None:
    """The bytes of a small regular file the script names (relative to its folder), or None."""
    target = npy.resolve(script_dir, path)
    if target is None:
        return None
    try:
        if not os.path.isfile(target):  # no FIFOs or devices: reading them could block
            return None
        if os.path.getsize(target) > MAX_BYTES:
            return None
        with open(target, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except (OSError, ValueError):
        return None
    return data if len(data) <= MAX_BYTES else None


def _parsed(parse: Any, data: str | bytes) -> Any:
    found = parse(data)
    if found is UNKNOWN:
        return UNKNOWN
    return as_value(found)


def _parse_json(data: str | bytes) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError, MemoryError, TypeError):  # JSONDecodeError, bad UTF-8 ...
        return UNKNOWN


def _parse_yaml(data: str | bytes) -> Any:
    try:
        import yaml  # optional: without PyYAML a YAML config is simply unknown
    except ImportError:
        return UNKNOWN
    try:
        return yaml.safe_load(data)
    except Exception:  # noqa: BLE001 - any YAML problem (syntax, tags, encoding) leaves it unknown
        return UNKNOWN


def as_value(data: Any) -> Any:
    """Parsed JSON/YAML as the values a literal in the script gives; UNKNOWN past the bounds."""
    budget = [MAX_VALUES]

    def convert(item: Any, depth: int) -> Any:
        budget[0] -= 1
        if budget[0] < 0 or depth > MAX_DEPTH:
            raise _TooBig
        if item is None or isinstance(item, (bool, int, float, str)):
            return item
        if isinstance(item, list):
            return ListValue([convert(x, depth + 1) for x in item])
        if isinstance(item, dict):
            if not all(isinstance(k, str) for k in item):
                return UNKNOWN  # as a dict literal with other keys
            return {k: convert(v, depth + 1) for k, v in item.items()}
        return UNKNOWN  # YAML dates, sets, binary ...

    try:
        return convert(data, 0)
    except _TooBig:
        return UNKNOWN


class _TooBig(Exception):
    pass
