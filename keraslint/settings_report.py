"""``check --show-files`` and ``check --show-settings``: what a run would check, and with which
settings, printed the way ruff prints them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keraslint.config import SettingsResolver, display_path
from keraslint.discovery import DEFAULT_EXCLUDES
from keraslint.printable import printable
from keraslint.selection import RuleInfo

if TYPE_CHECKING:
    from keraslint.run import CheckOptions


def show_files(files: Sequence[Path]) -> str:
    """One file a line, in the order they would be checked."""
    return "".join(f"{printable(display_path(path))}\n" for path in files)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, (str, Path)):
        return f'"{printable(str(value))}"'
    return printable(str(value))


def _list(items: Iterable[str]) -> str:
    items = list(items)
    if not items:
        return "[]"
    return "[\n" + "".join(f"\t{item},\n" for item in items) + "]"


def show_settings(path: Path, resolver: SettingsResolver, options: CheckOptions, infos: Sequence[RuleInfo]) -> str:
    """The resolved settings for ``path``: the config file, the file resolver's excludes, the
    rules enabled for this very file (after per-file-ignores) and every rule option."""
    from keraslint.run import _selected

    settings = resolver.for_path(path)
    enabled = _selected(path, settings, options, infos)
    names = {info.code: info.name for info in infos}
    per_file = {pattern: list(codes) for pattern, codes in settings.per_file_ignores.items()}
    for pattern, codes in options.per_file_ignores:  # the command line's, relative to the current folder
        per_file.setdefault(pattern, []).extend(codes)
    lines = [
        f"Resolved settings for: {_value(path.absolute())}",
        f"Settings path: {_value(settings.path) if settings.path is not None else 'none (built-in defaults)'}",
        "",
        "# General Settings",
        f"cache = {_value(not options.no_cache)}",
        f"fix = {_value(options.fix)}",
        f"unsafe_fixes = {_value(options.unsafe_fixes)}",
        f"output_format = {options.output_format}",
        "",
        "# File Resolver Settings",
        "file_resolver.exclude = " + _list(f'"{p}"' for p in (DEFAULT_EXCLUDES if settings.exclude is None
                                                                else settings.exclude)),
        "file_resolver.extend_exclude = " + _list(f'"{p}"' for p in settings.extend_exclude),
        f"file_resolver.force_exclude = {_value(options.force_exclude)}",
        "file_resolver.respect_gitignore = true",
        f"file_resolver.project_root = {_value(settings.root)}",
        "",
        "# Linter Settings",
        "linter.rules.enabled = " + _list(f"{names[code]} ({code})" for code in sorted(enabled)),
        "linter.per_file_ignores = " + (
            "{\n" + "".join(f'\t"{printable(p)}" = [{", ".join(c)}],\n' for p, c in per_file.items()) + "}"
            if per_file else "{}"),
    ]
    lines += [f"linter.{name} = {_value(value)}" for name, value in sorted(settings.options.items())]
    return "\n".join(lines) + "\n"
