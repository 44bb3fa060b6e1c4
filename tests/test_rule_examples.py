"""The one generic harness: every rule's VALID examples stay silent, INVALID ones fire."""

from __future__ import annotations

import pytest

from keraslint.checker import check_source
from keraslint.registry import all_rules
from keraslint.rule import Invalid, Rule, Valid

# KL009 reports keraslint's own crashes; tests/test_checker.py provokes one on purpose.
NO_EXAMPLES = {"KL009"}


def _cases(kind: str) -> list[tuple[type[Rule], object]]:
    return [(rule, example) for rule in all_rules() for example in getattr(rule, kind)]


def _ids(cases: list[tuple[type[Rule], object]]) -> list[str]:
    counters: dict[str, int] = {}
    ids = []
    for rule, _ in cases:
        counters[rule.code] = counters.get(rule.code, 0) + 1
        ids.append(f"{rule.code}-{counters[rule.code]}")
    return ids


VALID = _cases("VALID")
INVALID = _cases("INVALID")


def _run(rule: type[Rule], code: str | bytes, filename: str) -> list:
    report = check_source(code, filename, selected={rule.code})
    return [d for d in report.diagnostics if d.code == rule.code]


@pytest.mark.parametrize(("rule", "example"), VALID, ids=_ids(VALID))
def test_valid_example_is_silent(rule: type[Rule], example: Valid | str) -> None:
    code, filename = (example, "example.py") if isinstance(example, str) else (example.code, example.filename)
    found = _run(rule, code, filename)
    assert not found, "\n".join(f"{d.location.row}:{d.location.column} {d.message}" for d in found)


@pytest.mark.parametrize(("rule", "example"), INVALID, ids=_ids(INVALID))
def test_invalid_example_fires(rule: type[Rule], example: Invalid) -> None:
    found = _run(rule, example.code, example.filename)
    assert len(found) == example.count, [d.message for d in found]
    if example.line is not None:
        assert found[0].location.row == example.line, found[0].message
    if example.message is not None:
        assert example.message in found[0].message


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_is_complete(rule: type[Rule]) -> None:
    assert rule.code.startswith("KL") and len(rule.code) == 5
    assert rule.name == rule.name.lower() and " " not in rule.name and "_" not in rule.name
    explain = rule.explain()
    for heading in ("## What it does", "## Why is this bad?", "## Example"):
        assert heading in explain, f"{rule.code}'s explain page lacks {heading!r}"
    assert rule.summary
    if rule.code not in NO_EXAMPLES:
        assert rule.VALID and rule.INVALID, f"{rule.code} needs VALID and INVALID examples"


def test_codes_and_names_are_unique() -> None:
    rules = all_rules()
    assert len({r.code for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)
