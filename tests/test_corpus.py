"""The evaluation corpus (fixtures/corpus/): false-alarm guard and catch rate.

* ``good/*.py``: correct training scripts (seeded, shapes consistent, loss and activation
  matched). With the default selection (errors and warnings) keraslint must report nothing.
  A buggy script and its twin are checked with the default selection plus the rule of its bug
  (an opt-in info rule such as KL304 is enabled, as a user who cares about it would).
* ``bugs/NN_name.py``: one Q&A-style bug each, on the line marked ``# bug: KLxxx``;
  ``bugs/NN_name_fixed.py`` is the same script with only that bug corrected, and must be clean.

The buggy scripts measure keraslint rather than gate it: a buggy script is *caught* when the
``# bug:`` code is reported (see ``_LOCATION_FREE`` for where), the count may not drop below
``CAUGHT_FLOOR``, and the summary (caught / clean counts) is emitted as a ``CorpusSummary``
warning so that it shows in the warnings summary of a plain ``pytest -q`` run.

``python tests/test_corpus.py`` prints the per-script table used in fixtures/corpus/README.md.
"""

from __future__ import annotations

import ast
import functools
import re
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path


from keraslint.checker import check_file
from keraslint.registry import rule_infos
from keraslint.selection import resolve

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "corpus"
GOOD = sorted((CORPUS / "good").glob("*.py"))
FIXED = sorted((CORPUS / "bugs").glob("*_fixed.py"))
BUGGY = sorted(p for p in (CORPUS / "bugs").glob("*.py") if not p.stem.endswith("_fixed"))

#: What keraslint catches today; raise it when it catches more, never lower it.
CAUGHT_FLOOR = 75

# Where a finding must be for the buggy script to count as caught. By default: on the
# `# bug:` line, which is the line the user got wrong (the one the fixed twin changes).
# These rules report somewhere else by design, so any finding of the code in the file counts
# (the scripts hold one bug each and their fixed twins are clean, so this stays meaningful):
_LOCATION_FREE = {
    # the data/model contract is checked per use, and reported at the fit/evaluate/predict
    # call that feeds the data, while the mistake is in a declaration or in the data prep
    "KL201", "KL202", "KL203", "KL204", "KL205", "KL207",
    # compares the output layer with compile(loss=...): reported at the output layer even
    # when the wrong part is the loss
    "KL401",
    # reported at the compile call, which can start lines before the metrics argument
    "KL402",
    # reported at the layer that receives the bad tensor (the second LSTM, the merge), while
    # the fix belongs to the layer that produced it
    "KL306", "KL307",
    # reported at the evaluate/predict call that feeds the unscaled data, while the missing
    # scaling belongs where that data (or its generator) is built
    "KL208",
}

_BUG = re.compile(r"#\s*bug:\s*(KL\d{3})\b")
_SELECTED = resolve(rule_infos(), select=None)


@functools.lru_cache(maxsize=None)
def _findings(path: Path) -> tuple[tuple[int, str, str], ...]:
    """The default selection, plus the opt-in (info) rule a buggy script or its fixed twin is
    about: a user who cares about that bug enables its rule."""
    buggy = path.with_name(path.name.replace("_fixed", "")) if path.stem.endswith("_fixed") else path
    selected = _SELECTED
    if buggy.parent.name == "bugs" and buggy.exists():
        selected = _SELECTED | {_marker(buggy)[1]}
    report = check_file(path, path.name, selected=selected)
    return tuple(sorted((d.location.row, d.code, d.message) for d in report.diagnostics))


def _describe(findings: tuple[tuple[int, str, str], ...]) -> str:
    return "; ".join(f"{row}: {code} {message}" for row, code, message in findings) or "nothing"


def _marker(path: Path) -> tuple[int, str]:
    marks = [(row, m.group(1)) for row, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if (m := _BUG.search(line))]
    assert len(marks) == 1, f"{path.name}: expected exactly one `# bug: KLxxx` line, found {marks}"
    return marks[0]


@dataclass(frozen=True)
class Outcome:
    path: Path
    row: int
    code: str
    caught: bool
    on_line: bool
    findings: tuple[tuple[int, str, str], ...]

    @property
    def where(self) -> str:
        if self.on_line:
            return "on the bug line"
        rows = sorted({row for row, code, _ in self.findings if code == self.code})
        return f"at line {', '.join(map(str, rows))}" if self.caught else "missed"


def outcome(path: Path) -> Outcome:
    row, code = _marker(path)
    findings = _findings(path)
    on_line = (row, code) in {(r, c) for r, c, _ in findings}
    anywhere = code in {c for _, c, _ in findings}
    caught = on_line or (anywhere and code in _LOCATION_FREE)
    return Outcome(path, row, code, caught, on_line, findings)


# ------------------------------------------------------------------ corpus shape


def test_corpus_is_complete() -> None:
    assert len(GOOD) >= 20, f"only {len(GOOD)} good scripts"
    assert len(BUGGY) >= 40, f"only {len(BUGGY)} buggy scripts"
    twins = {p.stem for p in FIXED}
    assert {f"{p.stem}_fixed" for p in BUGGY} == twins, "every buggy script needs exactly one _fixed twin"
    for path in BUGGY:
        assert re.fullmatch(r"\d\d_[a-z0-9_]+", path.stem), path.name
        assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), f"{path.name}: no docstring"
        _marker(path)
    for path in (*FIXED, *GOOD):
        assert not _BUG.search(path.read_text(encoding="utf-8")), f"{path.name} has a `# bug:` marker"


# ------------------------------------------------------------------ false-alarm guard


def test_good_scripts_are_clean() -> None:
    offenders = [f"{p.name}: {_describe(_findings(p))}" for p in GOOD if _findings(p)]
    assert not offenders, "false alarms on correct scripts:\n" + "\n".join(offenders)


def test_fixed_twins_are_clean() -> None:
    offenders = [f"{p.name}: {_describe(_findings(p))}" for p in FIXED if _findings(p)]
    assert not offenders, "false alarms on fixed twins:\n" + "\n".join(offenders)


# ------------------------------------------------------------------ catch rate


class CorpusSummary(UserWarning):
    """The corpus numbers, shown in pytest's warnings summary."""


def _misses(outcomes: list[Outcome]) -> list[str]:
    return [f"{o.path.name} (expected {o.code} at line {o.row}): keraslint reported {_describe(o.findings)}"
            for o in outcomes if not o.caught]


def summary() -> str:
    outcomes = [outcome(p) for p in BUGGY]
    caught = sum(o.caught for o in outcomes)
    fixed_clean = sum(not _findings(p) for p in FIXED)
    good_clean = sum(not _findings(p) for p in GOOD)
    return (f"corpus: {caught}/{len(outcomes)} buggy scripts caught, {fixed_clean}/{len(FIXED)} fixed twins clean, "
            f"{good_clean}/{len(GOOD)} good scripts clean")


def test_caught_count_does_not_drop() -> None:
    outcomes = [outcome(p) for p in BUGGY]
    caught = sum(o.caught for o in outcomes)
    assert caught >= CAUGHT_FLOOR, (
        f"only {caught}/{len(outcomes)} buggy scripts caught (floor {CAUGHT_FLOOR}); missed:\n"
        + "\n".join(_misses(outcomes)))


def test_zz_corpus_summary() -> None:
    """Runs last in this module: the numbers, plus every miss, as one warning."""
    outcomes = [outcome(p) for p in BUGGY]
    text = summary()
    misses = _misses(outcomes)
    if misses:
        text += "\nmissed:\n  " + "\n  ".join(misses)
    warnings.warn(CorpusSummary(text), stacklevel=1)


# ------------------------------------------------------------------ README table


def table() -> str:
    rows = ["| script | bug (as asked) | expected | caught | where |", "|---|---|---|---|---|"]
    for path in BUGGY:
        o = outcome(path)
        doc = " ".join((ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "").split())
        doc = doc.replace("|", "\\|")
        reported = "" if o.caught else f" (reported: {', '.join(sorted({c for _, c, _ in o.findings})) or 'nothing'})"
        rows.append(f"| `{path.stem}` | {doc} | {o.code} | {'yes' if o.caught else '**no**'} | {o.where}{reported} |")
    return "\n".join(rows)


if __name__ == "__main__":  # pragma: no cover - a helper for refreshing the README
    print(summary())
    print()
    print(table())
    sys.exit(0)


def test_readme_shows_the_current_numbers() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    shown = readme.split("<!-- corpus:start -->", 1)[1].split("<!-- corpus:end -->", 1)[0].strip()
    assert shown == summary(), "update the corpus numbers in README.md (python tests/test_corpus.py | head -1)"
