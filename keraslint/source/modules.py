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

A module's file is parsed once per process and looked at once per run (module_files.py); the
module is run at most once per checked file (Python's ``sys.modules``), and a cycle sees the
partly run module, as Python does. A module that cannot be read or parsed is skipped (its
names are unknown) with a note in ``SourceFacts.module_notes``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keraslint.source import consulted
from keraslint.source.frames import MISSING, Frame
from keraslint.source.module_files import Source, file_bit, read_source
from keraslint.source.names import canonical, star_exports
from keraslint.source.values import Ref
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import Interpreter

#: files that mark the root of a project (where package imports are looked for)
ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
#: modules one checked file may run; past this, imports of further project modules are unknown
MAX_MODULES = 400
#: libraries whose names are never taken for project modules, even if a folder is named so
_NEVER_PROJECT = frozenset({"keras", "tensorflow", "tf_keras", "numpy", "keras_core", "keras_hub", "keras_nlp",
                            "keras_cv", "tensorflow_hub", "tensorflow_datasets", "sklearn", "pandas", "torch",
                            "jax", "scipy", "matplotlib", "absl", "os", "sys", "json", "random", "argparse"})


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
    #: its top level ran inside a branch or a loop of the importing code (its values may be
    #: the less certain ones of that place): no summary may stand for a run that reads it
    context_loaded: bool = False
    #: how many undecided branches enclosed its import (what its own top level adds is its own)
    base_uncertain: int = 0
    #: its file was read (to run it, or to see whether it runs at its import)
    was_read: bool = False
    #: bits of the modules its top level reached, read and ran (file_bit)
    load_reached: int = 0
    load_read: int = 0
    load_ran: int = 0
    #: the files finding it looked at (consulted.py): one appearing there would shadow it
    looked_for: frozenset[Path] = frozenset()
    #: what reading its file gave, the first time in this check (one stat, not one per import)
    disk: tuple[Source | None, str] | None = None


@dataclass(frozen=True, eq=False)
class LazyName:
    """``from model import build`` before ``model`` has run: read, it runs the module."""

    module: ModuleValue
    attr: str


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
    #: summaries.Session of the exploratory run, told which modules a recorded call reaches
    observer: Any = None
    #: bits (file_bit) of the modules found, of those a summary reached that were not loaded
    #: here (run when first read, as they ran for the summary), and of those loaded in a branch
    known_mask: int = 0
    ghost_mask: int = 0
    context_mask: int = 0
    #: of the modules a summary reached: the files it read (cache dependencies) and ran (imports)
    ghost_read: int = 0
    ghost_ran: int = 0
    #: modules whose top level is running now (an import cycle or a lazy import inside one)
    running: list[ModuleValue] = field(default_factory=list)
    by_frame: dict[int, ModuleValue] = field(default_factory=dict)

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
            module = self.modules[name]
            self._observe(module)
            return module
        if self.count() >= MAX_MODULES:
            self._depends_on_this_file()
            return None
        parent, _, leaf = name.rpartition(".")
        if parent:
            owner = self.find(parent)
            if owner is None or owner.package_dir is None:
                return None
            folders = [owner.package_dir]
        else:
            folders = self.roots
        found = None
        with consulted.consulting() as seen:
            for folder in folders:
                found = _locate(folder, leaf)
                if found is not None:
                    break
        consulted.note_all(seen)
        if found is None:
            return None
        path, package_dir = found
        if path is not None and self.script is not None and path.absolute() == self.script:
            self._depends_on_this_file()
            return None  # `import train` inside train.py: its names are the ones it has
        module = ModuleValue(name, path, package_dir, looked_for=frozenset(seen))
        self.modules[name] = module
        self.known_mask |= file_bit(path)
        self._observe(module)
        return module

    # -- what summaries.py needs -------------------------------------------------------------
    def _observe(self, module: ModuleValue) -> None:
        """Code reaches ``module``: what depends on it (a running module's top level, a call
        being recorded) depends on it and on what its own top level reached."""
        if not self.running and (self.observer is None or not self.observer.recording):
            return
        flag = file_bit(module.path)
        reached = flag | module.load_reached
        read = (flag if module.was_read else 0) | module.load_read
        ran = (flag if module.source is not None else 0) | module.load_ran
        for running in self.running:
            if running is not module:
                running.load_reached |= reached
                running.load_read |= read
                running.load_ran |= ran
                if module.context_loaded:
                    self.mark_context(running)
        if self.observer is not None and self.observer.recording:
            self.observer.reached(module.path, module.context_loaded, reached, read, ran)

    def observe_frame(self, frame: Frame) -> None:
        """A function of the module whose frame is ``frame`` is called."""
        module = self.by_frame.get(id(frame))
        if module is not None:
            self._observe(module)

    def _depends_on_this_file(self) -> None:
        """What is being recorded differs from one checked file to another here."""
        if self.observer is not None and self.observer.recording:
            self.observer.refuse(intrinsic=False)

    def count(self) -> int:
        """The modules this file has loaded, counting those a summary it took reached."""
        return len(self.modules) + (self.ghost_mask & ~self.known_mask).bit_count()

    def module_of_frame(self, frame: Frame) -> ModuleValue | None:
        return self.by_frame.get(id(frame))

    def calling_from_top_level(self) -> None:
        """A function is called while modules' top levels run: their values depend on how deep
        the import happened, so no summary may read them."""
        for module in self.running:
            self.mark_context(module)

    def mark_context(self, module: ModuleValue) -> None:
        """``module``'s values may depend on where it was imported (summaries.py)."""
        if not module.context_loaded:
            module.context_loaded = True
            self.context_mask |= file_bit(module.path)


    # -- running -----------------------------------------------------------------------
    def _read(self, module: ModuleValue) -> tuple[Source | None, str]:
        """The module's parsed source; whatever is read is part of the result (the cache's
        dependencies), even when only to decide whether it runs at its import."""
        assert module.path is not None
        if module.disk is None:
            module.disk = read_source(module.path)
        source, why = module.disk
        if source is not None:
            self.read[source.resolved] = source.digest
            file_bit(module.path, source)
            if not module.was_read:
                module.was_read = True
                self._observe(module)
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
        self._observe(module)
        if module.state != "new":
            return module.frame
        if module.path is None:  # a namespace package: only submodules
            module.frame, module.state = Frame(vars={"__name__": module.name}), "done"
            return module.frame
        source, why = self._read(module)
        if source is None:
            module.state = "failed"
            self.notes.append((module.path, why))
            if self.observer is not None and self.observer.recording:
                self.observer.refuse()  # the note must be this file's too: run it the ordinary way
            return None
        module.source = source
        package = module.name if module.package_dir is not None else module.name.rpartition(".")[0]
        module.frame = Frame(vars={"__name__": module.name, "__package__": package})
        self.by_frame[id(module.frame)] = module
        module.state = "running"
        self.running.append(module)
        flag = file_bit(module.path)
        try:
            if self.ghost_ran & flag or self.observer is not None and self.observer.recording:
                # a summary reached it (one this file took, or one recorded now): it runs in the
                # summary's context, so that its values are the same whichever file recorded it
                from keraslint.source.summaries import canonical_module_run  # it imports this module

                module.base_uncertain = 0
                canonical_module_run(interp, lambda: interp.run_module(source, module.frame))
            else:
                if not source.context_free and (interp.unrolled != 1 or interp.append_recorder is not None):
                    self.mark_context(module)  # its loops unroll within the importer's bound
                # an undecided branch of the importer: only what reads it differs (``uncertain``)
                module.base_uncertain = interp.uncertain_depth
                interp.run_module(source, module.frame)
        finally:
            self.running.pop()
            self._observe(module)  # now read and run: so are they for whoever reached it
        module.state = "done"
        return module.frame

    def attribute(self, interp: Interpreter, module: ModuleValue, attr: str) -> Any:
        """``module.attr``: a name its top level binds, else a submodule of a package."""
        frame = self.run(interp, module)  # (observed there)
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
    # within one run, where each import was found is remembered (consulted.one_run)
    memo = consulted.run_memo("located")
    known = memo.get((folder, leaf)) if memo is not None else None
    if known is None:
        package = folder / leaf
        init, module = package / "__init__.py", folder / f"{leaf}.py"
        found: tuple[Path | None, Path | None] | None = None
        if init.is_file():
            found = init, package
        elif module.is_file():
            found = module, None
        elif leaf.isidentifier() and package.is_dir() and any(package.glob("*.py")):
            # A namespace package loses to a regular one anywhere on sys.path (an installed
            # library): only a folder that holds Python files is taken for one.
            found = None, package
        known = (init, module, found)
        if memo is not None:
            memo[(folder, leaf)] = known
            # Recorded as they were when looked at, not when a later file's analysis ends: a
            # module created meanwhile makes the next run look again instead of being taken
            # for one this run's files saw.
            consulted.dependency(init)
            consulted.dependency(module)
    # a module that appears here later changes what the import finds: the cache must know
    consulted.note(known[0])
    consulted.note(known[1])
    return known[2]
