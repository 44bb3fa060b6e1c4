"""The project's other modules: found the way Python would, read as source, never imported.

``from model import build_model`` in ``train.py`` binds ``build_model`` to the function that
``model.py`` defines, so the interpreter follows it as if it were written in ``train.py``.
Modules are looked for where Python would look for a script run from its folder (the
script's folder) and for a package inside the project (the project root, the folder with
``pyproject.toml``/``setup.py``/``setup.cfg``/``.git`` above the script, and its ``src/``).
Nothing outside those folders is followed, so installed packages stay external APIs.

Why lazy: a module whose top level only defines things (functions, classes, constants) is run
when a name from it is first read, not at the import. The result is the same, since defining
has no effect a tracker sees, and a project of 2,000 modules that import each other costs
what the checked file uses instead of its whole import closure. A module whose top level
calls something (``tf.random.set_seed(0)`` in a ``config.py``) runs at the import, as in Python.

Each file is parsed once per process (keyed by its bytes' hash); a module is run at most once
per checked file (Python's ``sys.modules``), and a cycle sees the partly run module, as
Python does. A module that cannot be read or parsed is skipped (its names are unknown) with a
note in ``SourceFacts.module_notes``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import libcst as cst

from keraslint.source import consulted
from keraslint.source.frames import MISSING, Frame
from keraslint.source.names import canonical, star_exports
from keraslint.source.parsing import NotParsed, parse
from keraslint.source.reading import TooLarge, Unreadable, decode_source, read_bounded
from keraslint.source.values import Ref
from keraslint.source.tree import child_nodes
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import Interpreter

#: files that mark the root of a project (where package imports are looked for)
ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
#: modules one checked file may run; past this, imports of further project modules are unknown
MAX_MODULES = 400
#: a project module larger than this is not read (the checked file's own limit is the same)
MAX_MODULE_BYTES = 2 * 1024 * 1024
#: libraries whose names are never taken for project modules, even if a folder is named so
_NEVER_PROJECT = frozenset({"keras", "tensorflow", "tf_keras", "numpy", "keras_core", "keras_hub", "keras_nlp",
                            "keras_cv", "tensorflow_hub", "tensorflow_datasets", "sklearn", "pandas", "torch",
                            "jax", "scipy", "matplotlib", "absl", "os", "sys", "json", "random", "argparse"})


@dataclass
class Source:
    """One parsed project file, shared by every checked file of a process."""

    path: Path
    digest: str
    text: str
    module: cst.Module
    #: the top level calls something outside definitions: it runs at the import
    eager: bool


@dataclass(eq=False)
class ModuleValue:
    """A module of the project (``import model``); its frame exists once it has run."""

    name: str
    #: the module's file (``__init__.py`` for a regular package); None for a namespace package
    path: Path | None
    #: the folder of a package (submodules are looked for there); None for a plain module
    package_dir: Path | None
    source: Source | None = None
    frame: Frame | None = None
    state: str = "new"  # "new" | "running" | "done" | "failed"


@dataclass(frozen=True, eq=False)
class LazyName:
    """``from model import build`` before ``model`` has run: read, it runs the module."""

    module: ModuleValue
    attr: str


_SOURCES: dict[Path, tuple[int, int, Source | None, str]] = {}
#: the editor's unsaved texts (resolved path -> text), which the language server sets around a
#: check so that train.py sees the model.py being edited, not the one on disk
_BUFFERS: ContextVar[Mapping[Path, str]] = ContextVar("keraslint_open_buffers", default={})
_BUFFER_SOURCES: dict[tuple[Path, str], tuple[Source | None, str]] = {}


@contextmanager
def open_buffers(texts: Mapping[Path, str]) -> Iterator[None]:
    """Read these texts instead of the files at their paths while the block runs."""
    token = _BUFFERS.set({path.resolve(): text for path, text in texts.items()})
    try:
        yield
    finally:
        _BUFFERS.reset(token)


def project_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` that has a project marker; ``start`` if none."""
    start = start.absolute()
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in ROOT_MARKERS):
            return folder
    return start


def search_roots(script_dir: Path) -> list[Path]:
    """Where ``import x`` is looked for: the script's folder (``sys.path[0]``), then the project
    root and its ``src/`` (a package layout run from the root)."""
    script_dir = script_dir.absolute()
    root = project_root(script_dir)
    roots = [script_dir, root, root / "src"]
    unique: list[Path] = []
    for folder in roots:
        if folder not in unique and folder.is_dir():
            unique.append(folder)
    return unique


def _has_effects(module: cst.Module) -> bool:
    """Whether running the top level can do more than define names (a call outside def/class
    bodies and outside ``if __name__ == "__main__":``)."""
    for statement in module.body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            continue
        if isinstance(statement, cst.If) and _is_main_guard(statement.test):
            continue
        if isinstance(statement, cst.SimpleStatementLine) and all(
                isinstance(s, (cst.Import, cst.ImportFrom, cst.Pass)) or _is_docstring(s) for s in statement.body):
            continue
        if _contains_call(statement):
            return True
    return False


def _is_docstring(statement: cst.BaseSmallStatement) -> bool:
    return isinstance(statement, cst.Expr) and isinstance(statement.value, (cst.SimpleString, cst.ConcatenatedString))


def _is_main_guard(test: cst.BaseExpression) -> bool:
    return (isinstance(test, cst.Comparison) and isinstance(test.left, cst.Name) and test.left.value == "__name__")


def _contains_call(node: cst.CSTNode) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Call):
            return True
        if isinstance(current, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        stack.extend(child_nodes(current))
    return False


def read_source(path: Path) -> tuple[Source | None, str]:
    """The parsed file (once per process while its size and mtime stay the same), or None with
    the reason it was skipped."""
    buffered = _BUFFERS.get().get(path.resolve()) if _BUFFERS.get() else None
    if buffered is not None:
        return _parse_buffer(path, buffered)
    try:
        stat = path.stat()
    except OSError as exc:
        return None, exc.strerror or "cannot be read"
    cached = _SOURCES.get(path)
    if cached is not None and cached[:2] == (stat.st_mtime_ns, stat.st_size):
        return cached[2], cached[3]
    source, why = _parse(path, stat.st_size)
    _SOURCES[path] = (stat.st_mtime_ns, stat.st_size, source, why)
    return source, why


def _parse_buffer(path: Path, text: str) -> tuple[Source | None, str]:
    data = text.encode("utf-8", "surrogatepass")
    import hashlib  # only a script that imports a module of its project hashes one

    key = (path, hashlib.sha256(data).hexdigest())
    if key not in _BUFFER_SOURCES:
        if len(_BUFFER_SOURCES) > 64:  # an editing session makes a new text per keystroke
            _BUFFER_SOURCES.clear()
        _BUFFER_SOURCES[key] = _parse_text(path, data, text)
    return _BUFFER_SOURCES[key]


def _parse(path: Path, size: int) -> tuple[Source | None, str]:
    if size > MAX_MODULE_BYTES:
        return None, f"over the {MAX_MODULE_BYTES // 1048576} MB limit"
    try:
        data = read_bounded(path, MAX_MODULE_BYTES)
        text = decode_source(data)
    except TooLarge:
        return None, f"over the {MAX_MODULE_BYTES // 1048576} MB limit"
    except OSError as exc:
        return None, exc.strerror or "cannot be read"
    except Unreadable as exc:
        return None, exc.reason
    return _parse_text(path, data, text)


def _parse_text(path: Path, data: bytes, text: str) -> tuple[Source | None, str]:
    try:
        module = parse(text, str(path))
    except NotParsed as exc:
        return None, "keraslint cannot parse it" if exc.valid else "does not parse (invalid syntax)"
    import hashlib

    return Source(path, hashlib.sha256(data).hexdigest(), text, module, _has_effects(module)), ""


@dataclass
class Loader:
    """The project modules one checked file reaches (one per Interpreter)."""

    roots: list[Path]
    #: the checked file itself: importing it by name is a new module in Python too, but it is
    #: never worth running a second time
    script: Path | None = None
    #: the checked file's package (``pkg.sub``), for its relative imports; "" at the top
    package: str = ""
    modules: dict[str, ModuleValue] = field(default_factory=dict)
    #: modules that could not be read or parsed: (path, why)
    notes: list[tuple[Path, str]] = field(default_factory=list)
    #: every project file read: resolved path -> sha256 (the cache checks them)
    read: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_script(cls, script_dir: Path | None, script: Path | None) -> Loader | None:
        if script_dir is None:
            return None
        roots = search_roots(script_dir)
        loader = cls(roots, script.absolute() if script is not None else None)
        loader.package = loader._package_of(script_dir.absolute())
        return loader

    def _package_of(self, folder: Path) -> str:
        """The dotted package a folder is, from the nearest root above it ("" for a root)."""
        for root in reversed(self.roots):
            try:
                parts = folder.relative_to(root).parts
            except ValueError:
                continue
            if all(p.isidentifier() for p in parts):
                return ".".join(parts)
        return ""

    # -- finding ---------------------------------------------------------------------
    def absolute(self, name: str | None, level: int, current_package: str) -> str | None:
        """The absolute dotted name of ``from ..name import`` inside ``current_package``."""
        if level == 0:
            return name
        parts = current_package.split(".") if current_package else []
        if level - 1 > len(parts) or (level - 1 == len(parts) and not name and not parts):
            return None
        base = parts[: len(parts) - (level - 1)]
        if not base and not name:
            return None
        return ".".join([*base, *([name] if name else [])])

    def find(self, name: str) -> ModuleValue | None:
        """The project module ``name`` (dotted), or None when it is not one."""
        if not name or name.split(".")[0] in _NEVER_PROJECT:
            return None
        if name in self.modules:
            return self.modules[name]
        if len(self.modules) >= MAX_MODULES:
            return None
        parent, _, leaf = name.rpartition(".")
        if parent:
            owner = self.find(parent)
            if owner is None or owner.package_dir is None:
                return None
            folders = [owner.package_dir]
        else:
            folders = self.roots
        for folder in folders:
            found = _locate(folder, leaf)
            if found is not None:
                path, package_dir = found
                if path is not None and self.script is not None and path.absolute() == self.script:
                    return None  # `import train` inside train.py: its names are the ones it has
                module = ModuleValue(name, path, package_dir)
                self.modules[name] = module
                return module
        return None

    # -- running -----------------------------------------------------------------------
    def _read(self, module: ModuleValue) -> tuple[Source | None, str]:
        """The module's parsed source; whatever is read is part of the result (the cache's
        dependencies), even when only to decide whether it runs at its import."""
        assert module.path is not None
        source, why = read_source(module.path)
        if source is not None:
            self.read[str(module.path.resolve())] = source.digest
        return source, why

    def eager(self, module: ModuleValue) -> bool:
        """Whether importing ``module`` must run it now (its top level calls something)."""
        if module.path is None or module.state != "new":
            return False
        source, _ = self._read(module)
        return source is not None and source.eager

    def run(self, interp: Interpreter, module: ModuleValue) -> Frame | None:
        """Run ``module``'s top level once (in its own module frame); its frame, partly run
        during an import cycle, or None when it cannot be read."""
        if module.state != "new":
            return module.frame
        if module.path is None:  # a namespace package: only submodules
            module.frame, module.state = Frame(vars={"__name__": module.name}), "done"
            return module.frame
        source, why = self._read(module)
        if source is None:
            module.state = "failed"
            self.notes.append((module.path, why))
            return None
        module.source = source
        package = module.name if module.package_dir is not None else module.name.rpartition(".")[0]
        module.frame = Frame(vars={"__name__": module.name, "__package__": package})
        module.state = "running"
        interp.run_module(source, module.frame)
        module.state = "done"
        return module.frame

    def attribute(self, interp: Interpreter, module: ModuleValue, attr: str) -> Any:
        """``module.attr``: a name its top level binds, else a submodule of a package."""
        frame = self.run(interp, module)
        if frame is not None and attr in frame.vars:
            return self.resolve(interp, frame.vars[attr])
        if module.package_dir is not None:
            sub = self.find(f"{module.name}.{attr}")
            if sub is not None:
                return sub
        if frame is None or module.state == "running":
            return UNKNOWN
        for star in reversed(frame.star_modules):
            exported = star_exports(star)
            if exported is not None and attr in exported:
                dotted = f"{star}.{attr}"
                return Ref(canonical(dotted), dotted)
        return UNKNOWN

    def resolve(self, interp: Interpreter, value: Any) -> Any:
        """A value read from a frame, with lazy imports run (a re-export chain is followed)."""
        for _ in range(32):
            if not isinstance(value, LazyName):
                return value
            value = self.attribute(interp, value.module, value.attr)
        return UNKNOWN

    def star_names(self, interp: Interpreter, module: ModuleValue) -> dict[str, Any]:
        """What ``from module import *`` binds: ``__all__`` if it is known, else public names."""
        frame = self.run(interp, module)
        if frame is None:
            return {}
        exported = frame.vars.get("__all__", MISSING)
        names: list[str] | None = None
        items = interp.sequence_items(exported) if exported is not MISSING else None
        if items is not None and all(isinstance(n, str) for n in items):
            names = list(items)
        if names is None:
            names = [n for n in frame.vars if not n.startswith("_")]
        return {n: frame.vars[n] for n in names if n in frame.vars}


def _locate(folder: Path, leaf: str) -> tuple[Path | None, Path | None] | None:
    """(module file, package folder) for ``leaf`` inside ``folder``, as Python's path finder
    would (a regular package, a module file, then a namespace package)."""
    package = folder / leaf
    init = package / "__init__.py"
    module = folder / f"{leaf}.py"
    # a module that appears here later changes what the import finds: the cache must know
    consulted.note(init)
    consulted.note(module)
    if init.is_file():
        return init, package
    if module.is_file():
        return module, None
    # A namespace package loses to a regular one anywhere on sys.path (an installed library):
    # only a folder that holds Python files is taken for one.
    if leaf.isidentifier() and package.is_dir() and any(package.glob("*.py")):
        return None, package
    return None
