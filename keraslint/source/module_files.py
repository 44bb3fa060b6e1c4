"""The project's files as the module loader reads them: each parsed once per process, looked
at once per run.

A file is parsed once per process (``share_tree``: whether it is met as a checked file or as
another file's import) and re-read when its size or mtime changes; within one ``keraslint
check`` (``consulted.one_run``) it is looked at once, however many checked files import it.
The language server's unsaved texts replace files on disk while it checks (``open_buffers``).
``file_bit`` numbers the files, so that what a summarized call reached is a bit mask
(summaries.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import libcst as cst

from keraslint.source import consulted
from keraslint.source.parsing import NotParsed, parse
from keraslint.source.reading import TooLarge, Unreadable, decode_source, read_bounded
from keraslint.source.tree import child_nodes

#: a project module larger than this is not read (the checked file's own limit is the same)
MAX_MODULE_BYTES = 2 * 1024 * 1024


@dataclass
class Source:
    """One parsed project file, shared by every checked file of a process."""

    path: Path
    digest: str
    text: str
    module: cst.Module
    #: the top level calls something outside definitions: it runs at the import
    eager: bool
    #: its top level gives the same values wherever it is imported (in a branch, a loop):
    #: no call, no loop, no store into a container or an attribute outside definitions
    context_free: bool = False
    #: the resolved path as text, as the cache's dependencies name files (resolved once)
    resolved: str = ""
    #: id of a FunctionDef of this file -> whether it is a generator function (the tree lives
    #: as long as this Source, so its ids stay unique)
    generators: dict[int, tuple[cst.FunctionDef, bool]] = field(default_factory=dict)


_SOURCES: dict[Path, tuple[int, int, Source | None, str]] = {}
#: bumped when a file read before has changed: what was derived from the old text is stale
_GENERATION = [0]
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


#: resolved path -> (text, tree) of the last parse of a project file, as a module or as the
#: checked file: ``check .`` checks each module of a project and imports most of them from its
#: other files, and a small module's parse costs more than its run, so a module's tree is kept
#: for the other way it is met (within the limits of share_tree; not for the language server's
#: checked files, whose parses are incremental). The text is compared rather than hashed
#: (checking one file never loads hashlib); a tree is the text's alone, so sharing changes no
#: result.
_TREES: dict[str, tuple[str, cst.Module]] = {}
_MAX_TREES = 4_000
#: a file larger than this keeps its tree to itself, and past this much text in all the kept
#: trees are dropped (a tree takes ~30 bytes per character: ~120 MB for 4 MB of text)
_MAX_SHARED_TEXT = 256 * 1024
_MAX_TREES_TEXT = 4 * 1024 * 1024
_TREES_TEXT = [0]  # the text the kept trees were parsed from


def shared_tree(path: Path, text: str) -> cst.Module | None:
    """The tree of ``path`` parsed earlier in this process, if it was parsed from ``text``."""
    entry = _TREES.get(consulted.resolved(path))
    return entry[1] if entry is not None and entry[0] == text else None


def share_tree(path: Path, text: str, tree: cst.Module, *, checked: bool = False) -> None:
    """Keep ``tree`` (parsed from ``text``, the contents of ``path``) for a later meeting. A
    ``checked`` file's tree is kept only when its top level only defines things, as the modules
    others import do: keeping every training script's tree made a corpus of 200 scripts 70 MB
    larger and a fifth slower (the garbage collector walks what is kept), for imports that
    scripts rarely are."""
    if len(text) > _MAX_SHARED_TEXT or checked and has_effects(tree):
        return
    if len(_TREES) >= _MAX_TREES or _TREES_TEXT[0] + len(text) > _MAX_TREES_TEXT:
        _TREES.clear()
        _TREES_TEXT[0] = 0
    key = consulted.resolved(path)
    replaced = _TREES.get(key)
    _TREES[key] = (text, tree)
    _TREES_TEXT[0] += len(text) - (len(replaced[0]) if replaced is not None else 0)


#: project files as bits (summaries.py: the modules a summarized call reached): path -> index,
#: and index -> the file's latest Source. Never cleared: loaders hold masks of these bits.
_BIT_INDEX: dict[Path, int] = {}
_BIT_SOURCES: list[Source | None] = []


def file_bit(path: Path | None, source: Source | None = None) -> int:
    """The bit of a project file (0 for a namespace package, which has no file)."""
    if path is None:
        return 0
    index = _BIT_INDEX.get(path)
    if index is None:
        index = _BIT_INDEX[path] = len(_BIT_SOURCES)
        _BIT_SOURCES.append(None)
    if source is not None:
        _BIT_SOURCES[index] = source
    return 1 << index


def files_of(mask: int) -> list[Source]:
    """The Sources of the files whose bits are in ``mask``, in bit order (a step per bit set:
    a file of a 2,000-module project walks its few hundred, not the 2,000)."""
    found = []
    while mask:
        low = mask & -mask
        source = _BIT_SOURCES[low.bit_length() - 1]
        if source is not None:
            found.append(source)
        mask ^= low
    return found


def open_buffer_count() -> int:
    """How many editor buffers replace files on disk for the check running now."""
    return len(_BUFFERS.get())


def generation() -> int:
    """A number that changes whenever a project file read before in this process changed."""
    return _GENERATION[0]


def has_effects(module: cst.Module) -> bool:
    """Whether running the top level can do more than define names (a call outside def/class
    bodies and outside ``if __name__ == "__main__":``)."""
    for statement in module.body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            continue
        if isinstance(statement, cst.If) and is_main_guard(statement.test):
            continue
        if isinstance(statement, cst.SimpleStatementLine) and all(
                isinstance(s, (cst.Import, cst.ImportFrom, cst.Pass)) or _is_docstring(s) for s in statement.body):
            continue
        if _contains_call(statement):
            return True
    return False


def _context_free(body: Any) -> bool:
    """Whether top-level statements (outside def/class bodies) only bind names: the values the
    interpreter gives them then do not depend on the importing code's branch or loop (which
    make container updates, attribute stores and loop unrolling less exact)."""
    for statement in body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            continue
        if isinstance(statement, (cst.For, cst.While)) or _contains_call(statement):
            return False
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, (cst.AugAssign, cst.Del)):
                    return False
                targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else \
                    [small.target] if isinstance(small, cst.AnnAssign) else []
                if any(not isinstance(t, (cst.Name, cst.Tuple, cst.List)) for t in targets):
                    return False
        elif isinstance(statement, (cst.If, cst.Try, cst.With)):
            blocks = [statement.body]
            if isinstance(statement, cst.If) and statement.orelse is not None:
                blocks.append(statement.orelse.body if isinstance(statement.orelse, cst.Else) else statement.orelse)
            if isinstance(statement, cst.Try):
                blocks += [h.body for h in statement.handlers]
                blocks += [b.body for b in (statement.orelse, statement.finalbody) if b is not None]
            for block in blocks:
                inner = [block] if isinstance(block, cst.If) else getattr(block, "body", [])
                if not _context_free(inner):
                    return False
        else:
            return False
    return True


def _is_docstring(statement: cst.BaseSmallStatement) -> bool:
    return isinstance(statement, cst.Expr) and isinstance(statement.value, (cst.SimpleString, cst.ConcatenatedString))


def is_main_guard(test: cst.BaseExpression) -> bool:
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
    # Within one run a file is taken to stay as it is (consulted.one_run): summaries check
    # that the files they reached are unchanged each time one is taken, 85 stats per checked
    # file of a 1,000-module project.
    memo = consulted.run_memo("sources")
    if memo is not None and path in memo:
        return memo[path]
    try:
        stat = path.stat()
    except OSError as exc:
        return None, exc.strerror or "cannot be read"
    cached = _SOURCES.get(path)
    if cached is not None and cached[:2] == (stat.st_mtime_ns, stat.st_size):
        found = cached[2], cached[3]
    else:
        if cached is not None:
            _GENERATION[0] += 1
        found = _parse(path, stat.st_size)
        _SOURCES[path] = (stat.st_mtime_ns, stat.st_size, *found)
    if memo is not None:
        memo[path] = found
    return found


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
    module = shared_tree(path, text)
    if module is None:
        try:
            module = parse(text, str(path))
        except NotParsed as exc:
            return None, "keraslint cannot parse it" if exc.valid else "does not parse (invalid syntax)"
        share_tree(path, text, module)
    import hashlib

    eager = has_effects(module)
    return Source(path, hashlib.sha256(data).hexdigest(), text, module, eager,
                  context_free=not eager and _context_free(module.body), resolved=consulted.resolved(path)), ""
