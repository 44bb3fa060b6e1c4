import io
import json
import re

import pytest

from keraslint.diagnostics import Diagnostic, Edit, Fix, Location, Pass, Severity
from keraslint.reporters import FORMATS, render, use_color

ANSI = re.compile(r"\x1b\[[0-9;]*m")

SOURCE = {
    ("nb.ipynb", 2): "model.fit(x, y)\n",
    ("train.py", 3): "x = layers.Conv1D(4, 2, strides=2)(inp)\n",
    ("train.py", 9): "\tmodel.fit(x)",
}


def diag(code, name, severity, filename, row, col, end_row, end_col, *, cell=None, fix=None, message="msg"):
    return Diagnostic(
        code=code,
        name=name,
        severity=severity,
        pass_=Pass.GRAPH if code.startswith("KL3") else Pass.SOURCE,
        message=message,
        filename=filename,
        location=Location(row, col),
        end_location=Location(end_row, end_col),
        noqa_row=row,
        cell=cell,
        fix=fix,
    )


NB = diag(
    "KL201",
    "input-shape-mismatch",
    Severity.ERROR,
    "nb.ipynb",
    2,
    1,
    2,
    16,
    cell=3,
    message="x has shape (None, 5)",
)
STRIDE = diag(
    "KL301",
    "stride-drops-samples",
    Severity.WARNING,
    "train.py",
    3,
    5,
    3,
    40,
    message="drops the last timestep",
)
SEED = diag(
    "KL101",
    "unseeded-training",
    Severity.WARNING,
    "train.py",
    9,
    2,
    12,
    1,
    fix=Fix(
        "Add keras.utils.set_random_seed(0)", "unsafe", (Edit("seed\n", Location(1, 1), Location(1, 1)),)
    ),
    message="no global seed",
)
NOSRC = diag("KL104", "nondeterministic-ops", Severity.INFO, "model.keras", 1, 1, 1, 1, message="advice")
ALL = [NB, STRIDE, SEED, NOSRC]


def source_line(d: Diagnostic) -> str | None:
    return SOURCE.get((d.filename, d.location.row))


def out(fmt: str, diagnostics=ALL, *, color: bool = False, statistics: bool = False, files: int = 5) -> str:
    return render(
        fmt, diagnostics, files_checked=files, source_line=source_line, color=color, statistics=statistics
    )


def test_formats() -> None:
    assert FORMATS == ("full", "concise", "json", "json-lines", "github", "sarif")
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        out("xml")


def test_full_golden() -> None:
    assert out("full") == (
        "nb.ipynb:cell 3:2:1: KL201 [error] x has shape (None, 5)\n"
        "2 | model.fit(x, y)\n"
        "  | ^^^^^^^^^^^^^^^\n"
        "\n"
        "train.py:3:5: KL301 [warning] drops the last timestep\n"
        "3 | x = layers.Conv1D(4, 2, strides=2)(inp)\n"
        "  |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "\n"
        "train.py:9:2: KL101 [warning] no global seed\n"
        "9 |     model.fit(x)\n"
        "  |     ^^^^^^^^^^^^\n"
        "  = help: Add keras.utils.set_random_seed(0) (unsafe fix)\n"
        "\n"
        "model.keras:1:1: KL104 [info] advice\n"
        "\n"
        "Found 4 problems (1 error, 2 warnings, 1 info) in 3 files\n"
        "No fixes available (1 hidden fix can be enabled with the --unsafe-fixes option).\n"
    )


def test_concise_golden() -> None:
    assert out("concise") == (
        "nb.ipynb:cell 3:2:1: KL201 [error] x has shape (None, 5)\n"
        "train.py:3:5: KL301 [warning] drops the last timestep\n"
        "train.py:9:2: KL101 [warning] no global seed\n"
        "model.keras:1:1: KL104 [info] advice\n"
        "\n"
        "Found 4 problems (1 error, 2 warnings, 1 info) in 3 files\n"
        "No fixes available (1 hidden fix can be enabled with the --unsafe-fixes option).\n"
    )


@pytest.mark.parametrize(
    ("diagnostics", "files", "summary"),
    [
        ([], 0, "All checks passed! (0 files checked)"),
        ([], 1, "All checks passed! (1 file checked)"),
        ([], 7, "All checks passed! (7 files checked)"),
        ([STRIDE], 1, "Found 1 problem (1 warning) in 1 file"),
        ([NB], 2, "Found 1 problem (1 error) in 1 file"),
        ([STRIDE, SEED], 2, "No fixes available (1 hidden fix can be enabled with the --unsafe-fixes option)."),
        ([NOSRC, NOSRC], 2, "Found 2 problems (2 info) in 1 file"),
    ],
)
@pytest.mark.parametrize("fmt", ["full", "concise"])
def test_summary(fmt: str, diagnostics, files: int, summary: str) -> None:
    assert out(fmt, diagnostics, files=files).splitlines()[-1] == summary


def test_no_findings_is_only_the_summary() -> None:
    assert out("full", []) == "All checks passed! (5 files checked)\n"
    assert out("concise", []) == "All checks passed! (5 files checked)\n"


@pytest.mark.parametrize(
    ("line", "start", "end", "carets"),
    [
        ("abcdef", (1, 3), (1, 5), "  ^^"),
        ("abcdef", (1, 3), (1, 3), "  ^"),  # empty span: one caret
        ("abcdef", (1, 3), (1, 99), "  ^^^^"),  # clamped to the line
        ("abcdef", (1, 5), (4, 2), "    ^^"),  # multi-line: to the end of the first row
        ("abc", (1, 9), (1, 12), "   ^"),  # past the end: one caret after the text
        ("abc\r\n", (1, 1), (1, 4), "^^^"),
        ("\tab\tc", (1, 2), (1, 5), "    ^^^^"),  # tabs shown as 4 columns: "ab" + a tab to column 8
    ],
)
def test_caret_span(line: str, start, end, carets: str) -> None:
    d = diag("KL301", "stride-drops-samples", Severity.WARNING, "t.py", *start, *end)
    text = render("full", [d], files_checked=1, source_line=lambda _: line, color=False)
    assert text.splitlines()[2] == "  | " + carets


def test_statistics_text() -> None:
    more = [*ALL, diag("KL101", "unseeded-training", Severity.WARNING, "b.py", 1, 1, 1, 2)]
    expected = (
        "2  KL101  unseeded-training     warning\n"
        "1  KL104  nondeterministic-ops  info\n"
        "1  KL201  input-shape-mismatch  error\n"
        "1  KL301  stride-drops-samples  warning\n"
        "\n"
        "Found 5 problems (1 error, 3 warnings, 1 info) in 4 files\n"
        "No fixes available (1 hidden fix can be enabled with the --unsafe-fixes option).\n"
    )
    assert out("full", more, statistics=True) == expected
    assert out("concise", more, statistics=True) == expected
    assert out("full", [], statistics=True) == "All checks passed! (5 files checked)\n"


def test_statistics_json() -> None:
    assert json.loads(out("json", [STRIDE, SEED, STRIDE], statistics=True)) == [
        {"code": "KL301", "name": "stride-drops-samples", "count": 2, "severity": "warning"},
        {"code": "KL101", "name": "unseeded-training", "count": 1, "severity": "warning"},
    ]
    lines = out("json-lines", [STRIDE, SEED, STRIDE], statistics=True).splitlines()
    assert [json.loads(line)["count"] for line in lines] == [2, 1]


def test_json() -> None:
    text = out("json")
    assert text == json.dumps([d.to_json() for d in ALL], indent=2) + "\n"
    assert json.loads(text)[0]["cell"] == 3
    assert out("json", []) == "[]\n"


def test_json_lines() -> None:
    lines = out("json-lines").splitlines()
    assert [json.loads(line) for line in lines] == [d.to_json() for d in ALL]
    assert all(": " not in line.split('"message"')[0] for line in lines)  # compact
    assert out("json-lines", []) == ""


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("statistics", [False, True])
def test_no_ansi_without_color(fmt: str, statistics: bool) -> None:
    assert "\x1b" not in out(fmt, color=False, statistics=statistics)


@pytest.mark.parametrize("fmt", ["json", "json-lines"])
def test_machine_formats_ignore_color(fmt: str) -> None:
    assert out(fmt, color=True) == out(fmt, color=False)


@pytest.mark.parametrize("fmt", ["full", "concise"])
def test_color_only_adds_styles(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")  # the caller decides; rich must not second-guess it
    colored = out(fmt, color=True)
    assert "\x1b[" in colored
    assert ANSI.sub("", colored) == out(fmt, color=False)


def test_color_styles() -> None:
    text = out("concise", color=True)
    assert "\x1b[1mnb.ipynb\x1b[0m:cell 3:2:1: \x1b[1;31mKL201\x1b[0m [error]" in text
    assert "\x1b[1mtrain.py\x1b[0m:3:5: \x1b[1;33mKL301\x1b[0m [warning]" in text
    assert "\x1b[1;34mKL104\x1b[0m [info]" in text


class FakeStream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("tty", "env", "expected"),
    [
        (True, {}, True),
        (False, {}, False),
        (True, {"NO_COLOR": "1"}, False),
        (True, {"NO_COLOR": ""}, True),  # empty means unset, per no-color.org
        (False, {"FORCE_COLOR": "1"}, True),
        (False, {"FORCE_COLOR": ""}, False),
        (True, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
    ],
)
def test_use_color(tty: bool, env: dict[str, str], expected: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert use_color(FakeStream(tty)) is expected


def test_use_color_on_odd_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert use_color(object()) is False
    closed = io.StringIO()
    closed.close()
    assert use_color(closed) is False


SAFE_FIX = Fix("Rename `lr` to `learning_rate`", "safe", (Edit("learning_rate", Location(3, 5), Location(3, 7)),))
RENAME = diag("KL403", "legacy-keras-api", Severity.INFO, "train.py", 3, 5, 3, 7, fix=SAFE_FIX, message="`lr=`")


def test_fixable_findings_are_marked_and_counted_as_ruff_does() -> None:
    """`[*]` after the code of a finding --fix would fix; the summary counts them and the
    unsafe fixes --unsafe-fixes would add."""
    text = out("concise", [RENAME, SEED], files=1)
    assert "train.py:3:5: KL403 [*] [info] `lr=`" in text
    assert "train.py:9:2: KL101 [warning] no global seed" in text  # an unsafe fix: no mark
    assert text.splitlines()[-1] == (
        "[*] 1 fixable with the --fix option (1 hidden fix can be enabled with the --unsafe-fixes option).")
    full = out("full", [RENAME, SEED], files=1)
    assert "KL403 [*] [info]" in full and full.splitlines()[-1].startswith("[*] 1 fixable")
    both = render("concise", [RENAME, SEED], files_checked=1, source_line=source_line, color=False,
                  unsafe_fixes=True)
    assert "KL101 [*] [warning]" in both
    assert both.splitlines()[-1] == "[*] 2 fixable with the --fix option."
    assert "fixable" not in out("concise", [STRIDE], files=1)


def test_quiet_prints_the_findings_only() -> None:
    for fmt in ("full", "concise"):
        quiet = render(fmt, [STRIDE], files_checked=1, source_line=source_line, color=False, summary=False)
        assert "Found" not in quiet and "KL301" in quiet
        assert render(fmt, [], files_checked=1, source_line=source_line, color=False, summary=False) == ""
