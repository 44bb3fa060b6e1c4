"""Property-based fuzzing: generated programs and mutated fixtures never give a traceback or KL009."""

from __future__ import annotations

import re
from pathlib import Path

import hypothesmith
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keraslint.checker import check_source
from keraslint.registry import all_rules

ALL = frozenset(r.code for r in all_rules())
FIXTURES = sorted(p for p in (Path(__file__).resolve().parent.parent / "fixtures").rglob("*.py")
                  if "models" not in p.parts)
SOURCES = [p.read_text(encoding="utf-8") for p in FIXTURES]
def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


def assert_robust(source: str) -> None:
    report = check_source(source, "fuzz.py", selected=ALL)
    crashes = [d.message for d in report.diagnostics if d.code == "KL009"]
    assert not crashes, crashes


@fuzz(150)
@given(hypothesmith.from_grammar())
def test_generated_programs(source: str) -> None:
    assert_robust(source)


@fuzz(100)
@given(hypothesmith.from_node())
def test_generated_syntax_trees(source: str) -> None:
    assert_robust(source)


_NUMBER = re.compile(r"\b\d+\b")
_REPLACEMENTS = ["0", "-1", "None", "1.5", "'same'", "(3, 3)", "[]", "x", "10**9", "True", "()"]


@st.composite
def mutated_fixture(draw: st.DrawFn) -> str:
    source = draw(st.sampled_from(SOURCES))
    lines = source.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "number", "truncate", "indent"]))
        i = draw(st.integers(0, len(lines) - 1))
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "number":
            matches = list(_NUMBER.finditer(lines[i]))
            if matches:
                m = draw(st.sampled_from(matches))
                lines[i] = lines[i][:m.start()] + draw(st.sampled_from(_REPLACEMENTS)) + lines[i][m.end():]
        elif kind == "truncate":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        else:
            lines[i] = "    " + lines[i]
    return "\n".join(lines) + "\n"


@fuzz(400)
@given(mutated_fixture())
def test_mutated_fixtures(source: str) -> None:
    assert_robust(source)
