"""``[tool.keraslint]`` in pyproject.toml: finding it, validating it, and per-file settings.

Rule codes and rule options come in as parameters so this module never imports the registry.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from keraslint.files import NotRegular, TooLarge, read_regular
from keraslint.selection import RuleInfo, UnknownSelectorError, normalize_selector, validate_selector

__all__ = [
    "ConfigError",
    "OptionSpec",
    "Settings",
    "SettingsResolver",
    "display_path",
    "find_config",
    "load_settings",
]

PYPROJECT = "pyproject.toml"
_TABLE = "[tool.keraslint]"
_LIST_KEYS = ("select", "extend-select", "ignore", "exclude", "extend-exclude")
_SELECTOR_KEYS = ("select", "extend-select", "ignore")
_BUILTIN_KEYS = (*_LIST_KEYS, "per-file-ignores")


class ConfigError(ValueError):
    """A configuration problem, reported to the user as one line (file, key, problem)."""


@dataclass(frozen=True)
class OptionSpec:
    name: str  # kebab-case, as written in [tool.keraslint]
    type: type  # int | float | str | bool | list
    default: Any
    help: str = ""


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    path: Path | None = None  # the pyproject.toml these came from; None for built-in defaults
    root: Path = field(default_factory=Path.cwd)  # patterns are relative to this folder


def display_path(path: Path, cwd: Path | None = None) -> str:
    """``path`` relative to ``cwd`` when it lies below it, so messages stay short."""
    base = (cwd or Path.cwd()).absolute()
    try:
        return path.absolute().relative_to(base).as_posix()
    except ValueError:
        return str(path)


def _type_name(value: Any) -> str:
    return {dict: "table", list: "list", str: "str", bool: "bool", int: "int", float: "float"}.get(
        type(value), type(value).__name__
    )


MAX_OPTION_NUMBER = 1_000_000
"""Numeric rule options are checked against [0, this]; every real one is far below it."""

_ARTICLE = {int: "an int", float: "a float", str: "a string", bool: "a boolean", list: "a list"}


def _read_config_bytes(path: Path, label: str) -> bytes:
    try:
        return read_regular(path)
    except FileNotFoundError:
        raise ConfigError(f"{label}: config file does not exist") from None
    except (NotRegular, TooLarge) as exc:
        raise ConfigError(f"{label}: config file {exc.strerror}") from None
    except IsADirectoryError:
        raise ConfigError(f"{label}: config file is a folder, not a file") from None
    except OSError as exc:
        raise ConfigError(f"{label}: cannot read config file: {exc.strerror or exc}") from None


def _read_toml(path: Path, label: str, data: bytes | None = None) -> dict[str, Any]:
    if data is None:
        data = _read_config_bytes(path, label)
    # tomllib loads with the first config file read: a folder without one never needs it
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{label}: invalid TOML: not UTF-8 (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        # tomllib puts the position in the message as "(at line 3, column 5)"; reword it.
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)$", "", str(exc))
        where = re.search(r"\(at (line \d+, column \d+|end of document)\)$", str(exc))
        suffix = f" ({where[1]})" if where else ""
        raise ConfigError(f"{label}: invalid TOML: {reason}{suffix}") from None


def _keraslint_table(document: Mapping[str, Any], label: str) -> Mapping[str, Any] | None:
    tool = document.get("tool")
    if not isinstance(tool, Mapping) or "keraslint" not in tool:
        return None
    table = tool["keraslint"]
    if not isinstance(table, Mapping):
        raise ConfigError(f"{label}: 'tool.keraslint' must be a table, got {_type_name(table)}")
    return table


def find_config(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above ``start`` (a file or a folder) with a [tool.keraslint] table."""
    start = start.absolute()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if _has_table(candidate / PYPROJECT):
            return candidate / PYPROJECT
    return None


def _has_table(pyproject: Path, cwd: Path | None = None) -> bool:
    label = display_path(pyproject, cwd)
    try:
        text = read_regular(pyproject)
    except (NotRegular, TooLarge) as exc:
        # A FIFO or a /dev/zero link on the way up must neither hang the run nor silently drop
        # the settings it claims to hold.
        raise ConfigError(f"{label}: config file {exc.strerror}") from None
    except OSError:
        return False  # absent, a folder or unreadable: not a config of ours
    # Most pyprojects on the way up belong to other tools; don't parse (or reject) those.
    if b"keraslint" not in text:
        return False
    return _keraslint_table(_read_toml(pyproject, label, text), label) is not None


def _unknown_key(key: str, known: Sequence[str]) -> str:
    kebab = key.replace("_", "-")
    if kebab != key and kebab in known:
        return f" (did you mean {kebab!r}?)"
    import difflib  # suggestions only: not loaded by a run without mistakes

    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Validator:
    """Checks one [tool.keraslint] table; every error names the file and the key."""

    def __init__(self, label: str, rules: Sequence[RuleInfo]) -> None:
        self.prefix = f"{label}: {_TABLE}"
        self.rules = rules

    def error(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.prefix} {key!r}{problem}")

    def strings(self, key: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.error(key, f" must be a list of strings, got {_type_name(value)}")
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise self.error(key, f" must be a list of strings, item {index + 1} is {_type_name(item)}")
        return tuple(value)

    def selectors(self, key: str, value: Any) -> tuple[str, ...]:
        # Codes are case-insensitive here as on the command line ("kl301" is KL301).
        selectors = tuple(normalize_selector(s) for s in self.strings(key, value))
        for selector in selectors:
            try:
                validate_selector(selector, self.rules)
            except UnknownSelectorError as exc:
                raise self.error(key, f": {exc}") from None
        return selectors

    def patterns(self, key: str, value: Any) -> tuple[str, ...]:
        patterns = self.strings(key, value)
        for pattern in patterns:
            self.glob(key, pattern)
        return patterns

    def glob(self, key: str, pattern: str) -> None:
        problem = glob_problem(pattern)
        if problem is not None:
            raise self.error(key, f": invalid pattern {pattern!r}: {problem}")

    def per_file_ignores(self, key: str, value: Any) -> Mapping[str, tuple[str, ...]]:
        if not isinstance(value, Mapping):
            raise self.error(
                key, f" must be a table of glob = list of rule selectors, got {_type_name(value)}"
            )
        table: dict[str, tuple[str, ...]] = {}
        for pattern, selectors in value.items():
            self.glob(key, pattern)
            table[pattern] = self.selectors(f"{key}.{pattern}", selectors)
        return MappingProxyType(table)

    def number(self, key: str, value: float) -> None:
        # Rule options are widths, counts and ratios: a negative, infinite or astronomically
        # large one is a typo, and nan compares false with everything, silently disabling a rule.
        if math.isnan(value) or math.isinf(value):
            raise self.error(key, f" must be a finite number, got {value}")
        if not 0 <= value <= MAX_OPTION_NUMBER:
            raise self.error(key, f" must be between 0 and {MAX_OPTION_NUMBER:,}, got {value}")

    def option(self, spec: OptionSpec, value: Any) -> Any:
        expected = spec.type
        ok = isinstance(value, expected)
        if expected is int and isinstance(value, bool):
            ok = False  # TOML true is not a number, even though Python says bool is an int
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            ok, value = True, float(value)  # "ratio = 4" means 4.0
        if not ok:
            wanted = _ARTICLE.get(expected, expected.__name__)
            raise self.error(spec.name, f" must be {wanted}, got {_type_name(value)}")
        if expected in (int, float):
            self.number(spec.name, value)
        # Settings are shared between files; a tuple can't be mutated by one rule under another.
        return tuple(value) if isinstance(value, list) else value


def glob_problem(pattern: str) -> str | None:
    """Why ``pattern`` (gitignore syntax, ``!`` negates) is not a usable glob; None when it is."""
    body = pattern.removeprefix("!")
    problem = _glob_text_problem(body)
    if problem is not None:
        return problem
    import pathspec  # only when a configured glob is checked (keraslint.discovery.gitignore_spec)

    try:
        spec = pathspec.GitIgnoreSpec.from_lines([body])
    except re.error as exc:  # its position is in the regex pathspec made, not the glob
        return f"it has an invalid character class ({exc.msg})"
    except Exception:  # noqa: BLE001 - pathspec raises several types for a malformed glob
        return "it is not a valid gitignore pattern (a trailing '\\'?)"
    # pathspec turns what it cannot read (an unclosed '[', a lone '/') into a pattern that
    # matches nothing, without a word: here that is an error.
    if not any(p.include is not None and p.regex is not None for p in spec.patterns):
        return "it matches no path (an unclosed '[' or a lone '/'?)"
    return None


def _glob_text_problem(pattern: str) -> str | None:
    if not pattern.strip():
        return "it is empty"
    if pattern.startswith("#"):
        return "a leading '#' makes it a comment in gitignore syntax (write '\\#' to match a '#')"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in pattern):
        return "it contains a control character"
    return None


def _default_options(options: Mapping[str, OptionSpec]) -> dict[str, Any]:
    return {
        spec.name: tuple(spec.default) if isinstance(spec.default, list) else spec.default
        for spec in options.values()
    }


def load_settings(
    pyproject: Path | None,
    *,
    rules: Sequence[RuleInfo],
    options: Mapping[str, OptionSpec],
    cwd: Path | None = None,
) -> Settings:
    """Settings from ``pyproject`` (defaults when None or when it has no [tool.keraslint] table).

    Every key, selector, glob and option type is checked; the first problem raises ``ConfigError``.
    """
    values = _default_options(options)
    if pyproject is None:
        return Settings(options=MappingProxyType(values), root=(cwd or Path.cwd()).absolute())

    pyproject = pyproject.absolute()
    label = display_path(pyproject, cwd)
    table = _keraslint_table(_read_toml(pyproject, label), label) or {}
    check = _Validator(label, rules)
    specs = {spec.name: spec for spec in options.values()}
    known = [*_BUILTIN_KEYS, *specs]

    parsed: dict[str, Any] = {}
    for key, value in table.items():
        if key in _SELECTOR_KEYS:
            parsed[key] = check.selectors(key, value)
        elif key in _LIST_KEYS:
            parsed[key] = check.patterns(key, value)
        elif key == "per-file-ignores":
            parsed[key] = check.per_file_ignores(key, value)
        elif key in specs:
            values[key] = check.option(specs[key], value)
        else:
            raise ConfigError(f"{label}: {_TABLE} unknown key {key!r}{_unknown_key(key, known)}")

    return Settings(
        select=parsed.get("select"),
        extend_select=parsed.get("extend-select", ()),
        ignore=parsed.get("ignore", ()),
        per_file_ignores=parsed.get("per-file-ignores", MappingProxyType({})),
        exclude=parsed.get("exclude"),
        extend_exclude=parsed.get("extend-exclude", ()),
        options=MappingProxyType(values),
        path=pyproject,
        root=pyproject.parent,
    )


class SettingsResolver:
    """Settings for each file: the nearest configured pyproject at or above it, or one forced file.

    Lookups are cached per folder, and each pyproject is parsed once however many folders use it.
    """

    def __init__(
        self,
        *,
        rules: Sequence[RuleInfo],
        options: Mapping[str, OptionSpec],
        forced: Path | None = None,
        cwd: Path | None = None,
    ) -> None:
        self._rules = rules
        self._options = options
        self._cwd = (cwd or Path.cwd()).absolute()
        self._by_folder: dict[Path, Settings] = {}
        self._by_file: dict[Path | None, Settings] = {}
        self._forced: Settings | None = None
        if forced is not None:
            forced = forced if forced.is_absolute() else self._cwd / forced
            # The file's kind is decided when it is read (read_regular): a FIFO is "not a
            # regular file", never "does not exist", and is never waited on.
            self._forced = self._load(forced)
            if self._forced.path is not None and not _has_table(forced, self._cwd):
                # A --config file keraslint would read nothing from is a mistake (another
                # project's pyproject.toml, a typo in the table name), not "use the defaults".
                raise ConfigError(f"{display_path(forced, self._cwd)}: no {_TABLE} table in the file given "
                                  f"with --config (add one, or leave --config out to use the defaults)")

    @property
    def forced(self) -> Settings | None:
        return self._forced

    def _load(self, pyproject: Path | None) -> Settings:
        if pyproject not in self._by_file:
            self._by_file[pyproject] = load_settings(
                pyproject, rules=self._rules, options=self._options, cwd=self._cwd
            )
        return self._by_file[pyproject]

    def for_path(self, path: Path) -> Settings:
        """The settings governing ``path`` (a file or a folder)."""
        if self._forced is not None:
            return self._forced
        path = Path(os.path.normpath(path if path.is_absolute() else self._cwd / path))
        folder = path if path.is_dir() else path.parent
        walked: list[Path] = []
        settings: Settings | None = None
        # Lazily: a walk asks for each folder right after its parent, which is cached, and a
        # tuple of all parents would make a deep tree quadratic.
        for candidate in itertools.chain((folder,), folder.parents):
            if candidate in self._by_folder:
                settings = self._by_folder[candidate]
                break
            walked.append(candidate)
            if _has_table(candidate / PYPROJECT, self._cwd):
                settings = self._load(candidate / PYPROJECT)
                break
        if settings is None:
            settings = self._load(None)
        for candidate in walked:
            self._by_folder[candidate] = settings
        return settings
