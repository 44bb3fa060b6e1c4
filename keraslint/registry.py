"""Every rule, found by importing each module of ``keraslint.rules`` (no hand-kept list)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

from keraslint.rule import Rule
from keraslint.selection import RuleInfo


#: where the rules are in a source checkout (pyproject's package-dir installs them as keraslint.rules)
CHECKOUT_RULES = Path(__file__).resolve().parent.parent / "rules"


def rules_package() -> ModuleType:
    """``keraslint.rules``: installed (pyproject's package-dir maps ../rules to it), or, in a
    source checkout that is run without an editable install (``python -m keraslint`` or
    ``scripts/ecosystem.py`` from the clone's root after ``pip install .``, where this folder
    comes before site-packages), the ``rules`` folder beside this package."""
    try:
        return importlib.import_module("keraslint.rules")
    except ModuleNotFoundError as exc:
        beside = CHECKOUT_RULES / "__init__.py"
        if exc.name != "keraslint.rules" or not beside.is_file():
            raise
    from importlib.util import module_from_spec, spec_from_file_location

    spec = spec_from_file_location("keraslint.rules", beside, submodule_search_locations=[str(beside.parent)])
    assert spec is not None and spec.loader is not None
    module = module_from_spec(spec)
    sys.modules["keraslint.rules"] = module
    spec.loader.exec_module(module)
    return module


@cache
def all_rules() -> tuple[type[Rule], ...]:
    """Rules sorted by code. A duplicate code is a programming error and fails loudly."""
    package = rules_package()
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
