"""Which files to check: walk folders the way ruff does (gitignore, default and configured excludes)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from keraslint.config import Settings, SettingsResolver
from keraslint.files import read_regular
from keraslint.selection import relative_path

if TYPE_CHECKING:
    import pathspec

__all__ = ["DEFAULT_EXCLUDES", "UsageError", "collect_files", "missing_reason"]

# ruff's defaults, minus what only ruff cares about; `exclude` replaces them, `extend-exclude` adds.
DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "__pycache__",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    ".eggs",
    "_build",
    ".ipynb_checkpoints",
)


def gitignore_spec(lines: Iterable[str]) -> pathspec.GitIgnoreSpec:
    """pathspec's matcher for gitignore lines. pathspec (30 modules) loads on the first pattern
    matched: a run that names its files and configures no globs never needs it."""
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


class UsageError(ValueError):
    """A bad command-line path, reported as one line."""


def _own_match(spec: pathspec.GitIgnoreSpec, path: str) -> bool | None:
    """Whether ``spec`` excludes ``path`` itself (None: no pattern speaks about it).

    pathspec also matches everything below a matching folder. During a walk the folder is
    already pruned, so that only matters inside a folder the user named explicitly, where
    ruff lints what it finds unless an entry matches an exclude on its own. Patterns that
    match only through a parent folder (``ps_d``, pathspec's folder marker, before the end)
    are therefore skipped. As in git, the last pattern that matches decides.
    """
    decision: bool | None = None
    for pattern in spec.patterns:
        regex = getattr(pattern, "regex", None)
        if pattern.include is None or regex is None:
            continue
        match = regex.match(path)
        if match is None:
            continue
        if "ps_d" in regex.groupindex and match.group("ps_d") is not None and match.end("ps_d") != len(path):
            continue
        decision = pattern.include
    return decision


def _key(path: Path, root: Path, is_dir: bool) -> str | None:
    """The path as gitignore patterns see it: relative to ``root``, '/' after a folder.

    None for the root itself, which no pattern excludes; outside the root, the basename.
    """
    relative = relative_path(path, root)
    if relative == ".":
        return None
    text = path.name if relative is None else relative
    return text + "/" if is_dir else text


@dataclass
class _Excludes:
    settings: Settings
    spec: pathspec.GitIgnoreSpec

    @classmethod
    def of(cls, settings: Settings) -> _Excludes:
        patterns = DEFAULT_EXCLUDES if settings.exclude is None else settings.exclude
        return cls(settings, gitignore_spec([*patterns, *settings.extend_exclude]))

    def entry(self, path: Path, is_dir: bool) -> bool:
        key = _key(path, self.settings.root, is_dir)
        return key is not None and bool(_own_match(self.spec, key))

    def anywhere(self, path: Path, is_dir: bool) -> bool:
        """``path`` or a folder above it (below the root) is excluded: --force-exclude's test."""
        key = _key(path, self.settings.root, is_dir)
        return key is not None and self.spec.match_file(key)


def _git_root(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():  # a folder, or a file in worktrees and submodules
            return candidate
    return None


_Chain = tuple[tuple[Path, "pathspec.GitIgnoreSpec"], ...]  # (folder of a .gitignore, its patterns)


def _gitignore(folder: Path) -> _Chain:
    try:
        # A FIFO or a /dev/zero link named .gitignore is refused unread (read_regular).
        lines = read_regular(folder / ".gitignore").decode("utf-8", errors="replace").splitlines()
        return ((folder, gitignore_spec(lines)),)
    except (OSError, ValueError):
        return ()  # no .gitignore here, or one we cannot use: it hides nothing


def _gitignored(path: Path, chain: _Chain, is_dir: bool) -> bool:
    decision: bool | None = None
    for base, spec in chain:  # outermost first, so a deeper .gitignore overrides a shallower one
        key = _key(path, base, is_dir)
        verdict = None if key is None else _own_match(spec, key)
        if verdict is not None:
            decision = verdict
    return bool(decision)


class _Walker:
    def __init__(self, resolver: SettingsResolver, extensions: Iterable[str]) -> None:
        self.resolver = resolver
        self.extensions = tuple(extensions)
        self.found: list[Path] = []
        self._excludes: dict[int, _Excludes] = {}
        self._visited: set[tuple[int, int]] = set()

    def excludes(self, folder: Path) -> _Excludes:
        settings = self.resolver.for_path(folder)
        # Settings hold mappings, so they are not hashable; a resolver hands out one object per config.
        cached = self._excludes.get(id(settings))
        if cached is None or cached.settings is not settings:
            cached = self._excludes[id(settings)] = _Excludes.of(settings)
        return cached

    def walk_root(self, folder: Path) -> None:
        """Walk a folder named on the command line, with the .gitignore files above it up to the git root."""
        absolute = folder.absolute()
        git_root = _git_root(absolute)
        chain: _Chain = ()
        if git_root is not None:
            for parent in reversed(absolute.parents):
                if parent == git_root or git_root in parent.parents:
                    chain += _gitignore(parent)
        self.walk(folder, chain + _gitignore(absolute))

    def walk(self, top: Path, chain: _Chain) -> None:
        # An explicit stack, not recursion: a checkout 1,500 folders deep is still a checkout.
        pending: list[tuple[Path, _Chain]] = [(top, chain)]
        while pending:
            shown, chain = pending.pop()
            for sub in reversed(self._folder(shown, chain, top=shown is top)):
                pending.append(sub)

    def _folder(self, shown: Path, chain: _Chain, *, top: bool) -> list[tuple[Path, _Chain]]:
        """Record the wanted files of one folder; return its subfolders still to walk."""
        folder = shown.absolute()
        try:
            # The folder's identity, not its realpath: realpath costs a stat per component,
            # which is quadratic in the depth of the tree.
            info = os.stat(folder)
            identity = (info.st_dev, info.st_ino)
            if identity in self._visited:  # a symlink back up the tree, or a second way into one folder
                return []
            self._visited.add(identity)
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            if top:
                raise UsageError(f"cannot read folder '{shown}': {exc.strerror or exc}") from None
            return []  # like ruff, an unreadable subfolder is skipped rather than fatal
        excludes = self.excludes(folder)
        folders: list[tuple[Path, _Chain]] = []
        for entry in entries:
            path = folder / entry.name
            try:
                is_dir = entry.is_dir()
                is_file = not is_dir and entry.is_file()
            except OSError:
                continue
            if excludes.entry(path, is_dir) or _gitignored(path, chain, is_dir):
                continue
            if is_dir:
                folders.append((shown / entry.name, chain + _gitignore(path)))
            elif is_file and entry.name.endswith(self.extensions):
                self.found.append(shown / entry.name)
        return folders


def missing_reason(path: Path) -> str:
    """Why a named path cannot be read, with the sibling the user most likely meant."""
    if os.path.lexists(path):
        # Listed by its folder yet not there: a symlink whose target is missing or that loops.
        # Suggesting its own name back ("did you mean 'l3.py'?") would help nobody.
        return "is a symbolic link that cannot be followed (its target is missing, or it loops)"
    message = "does not exist"
    try:
        siblings = [p.name for p in path.parent.iterdir() if p.name != path.name] if path.parent.is_dir() else []
    except OSError:
        siblings = []
    import difflib  # suggestions only: not loaded by a run without mistakes

    close = difflib.get_close_matches(path.name, siblings, n=1, cutoff=0.75)
    if close:
        message += f" (did you mean '{path.with_name(close[0])}'?)"
    return message


def _missing(path: Path) -> UsageError:
    return UsageError(f"path '{path}' {missing_reason(path)}")


def collect_files(
    paths: Sequence[Path],
    resolver: SettingsResolver,
    *,
    force_exclude: bool = False,
    extensions: Sequence[str] = (".py",),
    missing: list[Path] | None = None,
) -> list[Path]:
    """The files to check under ``paths``, sorted and without duplicates.

    Named files are always checked (whatever their extension) unless ``force_exclude`` and an
    exclude pattern matches them, as with ruff's ``--force-exclude``; folders are walked for
    files with ``extensions``, skipping gitignored and excluded entries. A path that does not
    exist raises ``UsageError``, or is appended to ``missing`` when that list is given (ruff
    reports it as E902 and checks the others).
    """
    walker = _Walker(resolver, extensions)
    for path in paths:
        if not path.exists():
            if missing is None:
                raise _missing(path)
            missing.append(path)
            continue
        is_dir = path.is_dir()
        if force_exclude and walker.excludes(path.absolute().parent).anywhere(path.absolute(), is_dir):
            continue
        if is_dir:
            walker.walk_root(path)
        else:
            walker.found.append(path)

    unique: dict[str, Path] = {}
    for path in walker.found:
        unique.setdefault(os.path.normcase(os.path.abspath(path)), path)
    return sorted(unique.values(), key=lambda p: p.as_posix())
