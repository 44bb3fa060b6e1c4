"""Which rules are active: ruff's select / extend-select / ignore semantics.

Rules come in as ``RuleInfo`` values so this module never imports the rule registry.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pathspec


__all__ = [
    "ALWAYS_ON_PREFIX",
    "EmptySelectionError",
    "RuleInfo",
    "UnknownSelectorError",
    "glob_matches",
    "normalize_selector",
    "per_file_ignored",
    "relative_path",
    "resolve",
    "validate_selector",
]

# KL0xx report that a file could not be checked at all; silencing them by a prefix or ALL
# would make a broken file look clean, so only an exact code turns one off.
ALWAYS_ON_PREFIX = "KL0"

_ALL = "ALL"
# Exact selectors (a code or a name) outrank every prefix, whatever their length.
_EXACT = 1_000
_PREFIX_RE = re.compile(r"^([A-Z]+)([0-9]*)$")


class UnknownSelectorError(ValueError):
    """A selector that names no rule, code prefix or ``ALL``."""


class EmptySelectionError(UnknownSelectorError):
    """``select`` given but empty, with nothing added: no rule would run, and the run would
    pass whatever the code holds. A subclass, so every caller that reports a bad selector as
    one line reports this too."""


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    severity: str  # "error" | "warning" | "info"


@dataclass(frozen=True)
class _Selector:
    text: str
    codes: frozenset[str]
    specificity: int

    @property
    def exact(self) -> bool:
        return self.specificity == _EXACT


_CONFUSABLES = str.maketrans({"l": "1", "I": "1", "O": "0", "o": "0"})


def suggest(selector: str, rules: Sequence[RuleInfo]) -> str | None:
    """The rule code or name the user most likely meant by ``selector`` (None if nothing is close)."""
    candidates = [_ALL, *(r.code for r in rules), *(r.name for r in rules)]
    # Case, underscore and look-alike digit slips are the commonest typos; catch them first.
    for variant in (
        selector.upper(),
        selector.lower().replace("_", "-"),
        selector.translate(_CONFUSABLES).upper(),
    ):
        if variant != selector and variant in candidates:
            return variant
    import difflib  # suggestions only: not loaded by a run without mistakes

    # difflib.get_close_matches breaks ties by the larger string; prefer registry order instead.
    scored = [(difflib.SequenceMatcher(None, selector, c).ratio(), -i, c) for i, c in enumerate(candidates)]
    score, _, best = max(scored)
    return best if score >= 0.6 else None


def _parse(selector: str, rules: Sequence[RuleInfo]) -> _Selector:
    if selector == _ALL:
        return _Selector(selector, frozenset(r.code for r in rules), 0)
    for rule in rules:
        if selector in (rule.code, rule.name):
            return _Selector(selector, frozenset({rule.code}), _EXACT)
    match = _PREFIX_RE.match(selector)
    # A prefix must keep the whole linter part ("KL"): "K" is a typo, not a selector.
    if match and match[1] in {re.sub(r"[0-9].*$", "", r.code) for r in rules}:
        codes = frozenset(r.code for r in rules if r.code.startswith(selector))
        if codes:
            return _Selector(selector, codes, len(selector))
    message = f"unknown rule selector {selector!r}"
    hint = suggest(selector, rules)
    if hint is not None:
        message += f" (did you mean {hint!r}?)"
    raise UnknownSelectorError(message)


def normalize_selector(selector: str) -> str:
    """Codes and prefixes are case-insensitive (``kl301``, ``Kl3``), as ``keraslint rule kl301``
    is; rule names and ``ALL`` are kept as written."""
    return selector.upper() if re.fullmatch(r"kl\d*", selector, re.IGNORECASE) else selector


def validate_selector(selector: str, rules: Sequence[RuleInfo]) -> None:
    """Raise ``UnknownSelectorError`` unless ``selector`` is ALL, a code, a code prefix or a rule name."""
    _parse(selector, rules)


def _always_on(rules: Sequence[RuleInfo], ignores: Iterable[_Selector]) -> set[str]:
    exact = {code for sel in ignores if sel.exact for code in sel.codes}
    # KL010 (unused-noqa) shares the prefix but is advice, opt-in like every info rule.
    return {r.code for r in rules if r.code.startswith(ALWAYS_ON_PREFIX) and r.severity == "error"
            and r.code not in exact}


def empty_selection_message(where: str) -> str:
    return (f"{where} selects no rule, so nothing would be checked; name the rules to enable "
            f"(a code, a prefix such as KL3, or ALL), or leave it out for the default selection")


def resolve(
    rules: Sequence[RuleInfo],
    *,
    select: Sequence[str] | None,
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    origin: str | None = None,
) -> frozenset[str]:
    """The codes that are active for these selectors.

    ``select=None`` means the default set (errors and warnings; info rules are opt-in); an
    empty ``select`` with nothing in ``extend_select`` raises ``EmptySelectionError``, naming
    ``origin`` (where the selection was written) when given.
    Selectors are applied from least to most specific (ALL < KL < KL1 < KL10 < code or name);
    at equal specificity ignore beats select, as in ruff.
    """
    if select is not None and not select and not extend_select:
        raise EmptySelectionError(empty_selection_message(origin or "the selection"))
    selects: list[_Selector]
    if select is None:
        default = frozenset(r.code for r in rules if r.severity in ("error", "warning"))
        selects = [_Selector("<default>", default, 0)]
    else:
        selects = [_parse(s, rules) for s in select]
    selects += [_parse(s, rules) for s in extend_select]
    ignores = [_parse(s, rules) for s in ignore]

    active: set[str] = set()
    for level in sorted({s.specificity for s in (*selects, *ignores)}):
        for sel in selects:
            if sel.specificity == level:
                active |= sel.codes
        for sel in ignores:
            if sel.specificity == level:
                active -= sel.codes
    return frozenset(active | _always_on(rules, ignores))


@functools.lru_cache(maxsize=256)
def _glob(pattern: str) -> pathspec.GitIgnoreSpec:
    import pathspec  # loaded only by a run with per-file-ignores (keraslint.discovery.gitignore_spec)

    return pathspec.GitIgnoreSpec.from_lines([pattern])


def relative_path(path: Path, root: Path) -> str | None:
    """``path`` below ``root`` as a posix string, trying symlink-resolved forms too; None outside it."""
    path, root = path.absolute(), root.absolute()
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        pass
    # Resolved only when the plain form fails: resolve() stats every component, and a walk
    # asks this for each entry of a possibly very deep tree.
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        return None


def glob_matches(pattern: str, path: Path, root: Path) -> bool:
    """A per-file-ignores key against a file: gitignore glob relative to ``root``, or the basename.

    A leading ``!`` negates the pattern (the entry applies to files that do *not* match), as
    ruff's per-file-ignores allow.
    """
    if pattern.startswith("!"):
        return not glob_matches(pattern[1:], path, root)
    spec = _glob(pattern)
    relative = relative_path(path, root)
    return (relative is not None and spec.match_file(relative)) or spec.match_file(path.name)


def per_file_ignored(
    path: Path,
    root: Path,
    per_file_ignores: Mapping[str, Sequence[str]],
    rules: Sequence[RuleInfo],
) -> frozenset[str]:
    """Codes switched off for ``path`` by the per-file-ignores table whose patterns match it."""
    parsed = [
        _parse(selector, rules)
        for pattern, selectors in per_file_ignores.items()
        if glob_matches(pattern, path, root)
        for selector in selectors
    ]
    ignored = {code for sel in parsed for code in sel.codes}
    # Same guarantee as in resolve(): a prefix or ALL never hides "could not check this file".
    return frozenset(ignored - _always_on(rules, parsed))
