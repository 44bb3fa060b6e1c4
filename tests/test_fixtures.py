"""Golden tests: each fixture script yields exactly the findings its `# expect:` comments name.

Every rule is selected (info rules too), so a fixture with no expectation comment must be
completely clean. The seed scripts under fixtures/seeds/ come from ../shared/seeds/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from keraslint.checker import check_file
from keraslint.registry import all_rules

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# fixtures/models/ holds saved models and the script that makes them, and fixtures/corpus/ the
# evaluation corpus with its own test (tests/test_corpus.py), fixtures/projects/ multi-module
# projects (tests/test_projects.py): none is a golden file.
SCRIPTS = sorted(p for p in FIXTURES.rglob("*.py") if not {"models", "corpus", "projects"} & set(p.relative_to(FIXTURES).parts))
ALL_CODES = {r.code for r in all_rules()}
_EXPECT = re.compile(r"#\s*expect:\s*(?P<codes>KL\d{3}(?:\s*,\s*KL\d{3})*)")


def expected(path: Path) -> set[tuple[int, str]]:
    found = set()
    for row, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = _EXPECT.search(line)
        if match:
            found |= {(row, code.strip()) for code in match.group("codes").split(",")}
    return found


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_findings(path: Path) -> None:
    report = check_file(path, path.name, selected=ALL_CODES)
    actual = {(d.location.row, d.code) for d in report.diagnostics}
    messages = "\n".join(f"{d.location.row}: {d.code} {d.message}" for d in report.diagnostics)
    assert actual == expected(path), messages
    # a finding of another severity than its rule's is one the rule's page and table announce
    rules = {r.code: r for r in all_rules()}
    for d in report.diagnostics:
        assert d.severity is rules[d.code].severity or rules[d.code].severity_note, (d.code, d.severity, d.message)


def test_there_are_bad_and_good_fixtures_for_every_source_rule() -> None:
    expected_codes = set().union(*({c for _, c in expected(p)} for p in SCRIPTS))
    for rule in all_rules():
        if rule.code in {"KL001", "KL002", "KL009"}:
            continue  # not expressible as a script with a comment; see tests/test_cli.py
        assert rule.code in expected_codes, f"no fixture expects {rule.code}"
