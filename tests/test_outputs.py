"""SARIF, GitHub annotations, --output-file and stdin."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import jsonschema

from keraslint.registry import all_rules
from keraslint.run import CheckOptions, run_check

ROOT = Path(__file__).resolve().parent.parent
SARIF_SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-2.1.0-rtm.5.json").read_text(encoding="utf-8"))
BUGGY = "import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nmodel.fit(x, y)\n"


def check(tmp_path: Path, fmt: str, monkeypatch, **extra) -> tuple[int, str]:
    monkeypatch.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    code = run_check(CheckOptions(paths=[Path("src")], output_format=fmt, **extra), stdout=out, stderr=err)
    assert err.getvalue() == ""
    return code, out.getvalue()


def make_project(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(BUGGY)
    (tmp_path / "src" / "broken.py").write_text("def f(:\n")


def test_sarif_is_valid_against_the_official_schema(tmp_path: Path, monkeypatch) -> None:
    make_project(tmp_path)
    code, text = check(tmp_path, "sarif", monkeypatch)
    assert code == 1
    log = json.loads(text)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)


def test_sarif_has_every_field_github_code_scanning_requires(tmp_path: Path, monkeypatch) -> None:
    make_project(tmp_path)
    log = json.loads(check(tmp_path, "sarif", monkeypatch)[1])
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "keraslint" and driver["version"] and driver["informationUri"].startswith("https://")
    ids = [r["id"] for r in driver["rules"]]
    assert ids == [r.code for r in all_rules()]
    for rule in driver["rules"]:
        assert rule["name"] and rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert set(by_rule) == {"KL001", "KL101"}
    result = by_rule["KL101"]
    assert result["level"] == "warning" and result["message"]["text"].startswith("Model created")
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "src/train.py"  # relative to the current folder
    region = location["region"]
    assert (region["startLine"], region["startColumn"]) == (2, 9)
    assert region["endLine"] >= region["startLine"] and region["endColumn"] >= 1
    assert driver["rules"][result["ruleIndex"]]["id"] == "KL101"


def test_info_rules_are_notes_in_sarif(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "t.py").write_text("import tensorflow as tf\ntf.random.set_seed(1)\nm = tf.keras.Sequential()\n")
    log = json.loads(check(tmp_path, "sarif", monkeypatch, extend_select=["KL104"])[1])
    assert [r["level"] for r in log["runs"][0]["results"]] == ["note"]


def test_github_annotations(tmp_path: Path, monkeypatch) -> None:
    make_project(tmp_path)
    code, text = check(tmp_path, "github", monkeypatch)
    assert code == 1
    lines = text.splitlines()
    assert len(lines) == 2
    kl101 = next(line for line in lines if "KL101" in line)
    assert kl101.startswith("::warning file=src/train.py,line=2,col=9,endLine=2,endColumn=")
    assert ",title=keraslint (KL101)::KL101 Model created" in kl101
    assert next(line for line in lines if "KL001" in line).startswith("::error file=src/broken.py,line=1,")


def test_github_escapes_messages() -> None:
    from keraslint.diagnostics import Diagnostic, Location, Pass, Severity
    from keraslint.reporters.github import render_github

    diagnostic = Diagnostic("KL301", "stride-drops-samples", Severity.INFO, Pass.GRAPH, "50% done\nnext, line",
                            "a,b:c.py", Location(1, 1), Location(1, 2))
    (line,) = render_github([diagnostic]).splitlines()
    assert line.startswith("::notice file=a%2Cb%3Ac.py,")
    assert line.endswith("::KL301 50%25 done%0Anext, line")


def test_output_file(tmp_path: Path, monkeypatch) -> None:
    make_project(tmp_path)
    code, text = check(tmp_path, "json", monkeypatch, output_file=tmp_path / "report.json")
    assert code == 1 and text == ""
    assert {d["code"] for d in json.loads((tmp_path / "report.json").read_text())} == {"KL001", "KL101"}


def test_stdin_with_filename_uses_that_name_and_its_config(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.keraslint.per-file-ignores]\n"legacy/*.py" = ["KL101"]\n')
    command = [sys.executable, "-m", "keraslint", "check", "-", "--output-format", "json"]
    named = subprocess.run([*command, "--stdin-filename", "pkg/train.py"], input=BUGGY, text=True,
                           capture_output=True, cwd=tmp_path, timeout=120)
    assert named.returncode == 1
    assert [d["filename"] for d in json.loads(named.stdout)] == ["pkg/train.py"]
    ignored = subprocess.run([*command, "--stdin-filename", "legacy/old.py"], input=BUGGY, text=True,
                             capture_output=True, cwd=tmp_path, timeout=120)
    assert ignored.returncode == 0 and json.loads(ignored.stdout) == []
    anonymous = subprocess.run(command, input=BUGGY, text=True, capture_output=True, cwd=tmp_path, timeout=120)
    assert [d["filename"] for d in json.loads(anonymous.stdout)] == ["-"]
