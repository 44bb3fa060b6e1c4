"""Every rule, found by importing each module of ``keraslint.rules`` (no hand-kept list)."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from keraslint.rule import Rule
from keraslint.selection import RuleInfo


@cache
def all_rules() -> tuple[type[Rule], ...]:
    """Rules sorted by code. A duplicate code is a programming error and fails loudly."""
    import keraslint.rules as package

    found: dict[str, type[Rule]] = {}
    for module_info in pkgutil.iter_modules(package.__path__):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and value is not Rule and value.__module__ == module.__name__:
                if value.code in found:
                    raise RuntimeError(f"duplicate rule code {value.code}: {found[value.code]} and {value}")
                found[value.code] = value
    return tuple(found[code] for code in sorted(found))


def rule_infos() -> list[RuleInfo]:
    """The registry as plain data, for selection and config validation."""
    return [RuleInfo(r.code, r.name, r.severity.value) for r in all_rules()]
